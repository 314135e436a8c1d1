"""Build ``.pages/pages.jsonl`` from excerpts saved one file a page (the first provenance set).

    python bench/realdata/assemble.py            # reads .pages/raw/<id>.txt
    python bench/realdata/assemble.py --check    # only report missing / mismatched pages

The same as ``python bench/realdata/rebuild.py recipe``, which says how the
excerpts are saved and checked against ``recipe.json``'s sha1.
"""

from __future__ import annotations

import sys

from rebuild import main as rebuild

if __name__ == "__main__":
    sys.exit(rebuild(["recipe", *sys.argv[1:]]))
