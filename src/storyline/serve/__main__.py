import sys

from storyline.serve.cli import main

sys.exit(main())
