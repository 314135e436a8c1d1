import sys

from storyline.store.ingest import main

sys.exit(main())
