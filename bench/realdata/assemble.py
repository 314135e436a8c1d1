"""Build ``.pages/pages.jsonl`` from excerpts saved one file a page.

    python bench/realdata/assemble.py            # reads .pages/raw/<id>.txt
    python bench/realdata/assemble.py --check    # only report missing / mismatched pages

Run each event's queries of ``recipe.json`` in the search tool's ``pages``
corpus and save the excerpt of every listed URL, exactly as returned, to
``bench/realdata/.pages/raw/<id>.txt``. The recipe's ``sha1`` is of the
excerpt's text; an excerpt as shown may carry a leading ``date YYYY-MM-DD``
line or a doubled final newline, so both forms are tried. Pages whose text
does not match are reported and left out (the labels were made on the
recorded text).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_DATE = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s*")


def variants(text: str):
    """The forms an excerpt may have been saved in, the stored one among them."""
    seen = set()
    bases = [text, _DATE.sub("", text, count=1)]
    for b in bases:
        for v in (b, b.rstrip("\n") + "\n", b.rstrip("\n"), b.rstrip() + "\n", b.strip() + "\n"):
            if v not in seen:
                seen.add(v)
                yield v


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=str(HERE / ".pages"))
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    pages = Path(a.pages)
    recipe = json.loads((HERE / "recipe.json").read_text(encoding="utf-8"))
    rows, missing, bad = [], [], []
    for event, ev in recipe["events"].items():
        for p in ev["pages"]:
            f = pages / "raw" / f"{p['id']}.txt"
            if not f.exists():
                missing.append(p["id"])
                continue
            raw = f.read_text(encoding="utf-8")
            text = next((v for v in variants(raw) if sha1(v) == p["sha1"]), None)
            if text is None:
                bad.append(p["id"])
                continue
            rows.append({"id": p["id"], "event": event, "url": p["url"], "text": text,
                         "published": p.get("published")})
    total = sum(len(ev["pages"]) for ev in recipe["events"].values())
    print(f"{len(rows)}/{total} pages match; missing {missing or '-'}; text differs {bad or '-'}",
          file=sys.stderr)
    if not a.check and rows:
        out = pages / "pages.jsonl"
        with open(out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {out}", file=sys.stderr)
    return 0 if not bad and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
