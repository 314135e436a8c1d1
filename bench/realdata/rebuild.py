"""Assemble a real-data set's git-ignored JSONL from excerpts saved one file a page.

    python bench/realdata/rebuild.py sametopic-d            # reads .sametopic-d/raw-d/<id>.txt
    python bench/realdata/rebuild.py provenance-more-a      # reads .pages/raw/<id>.txt
    python bench/realdata/rebuild.py provenance-heldout-a   # reads .pages/raw-heldout-a/<id>.txt (held out)
    python bench/realdata/rebuild.py recipe                 # the first provenance set (recipe.json): .pages/pages.jsonl
    python bench/realdata/rebuild.py sametopic-a --check    # only report missing / mismatched pages

For the same-kind sets (``sametopic-*.json``), the provenance sets (``recipe.json``,
``provenance-more-*.json``; ``assemble.py`` is the first one's older name). Run the recipe's queries in the search tool's
``pages`` corpus and save the excerpt of every listed URL, exactly as returned,
to the set's ``raw-<part>/<id>.txt`` (``.pages/raw/`` for provenance). Each text is checked against the recipe's sha1
(a leading ``date YYYY-MM-DD`` line and a doubled or missing final newline are
tried both ways: :func:`variants`); pages that do not match are reported
and left out, since the labels were made on the recorded text.
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
    for b in (text, _DATE.sub("", text, count=1)):
        for v in (b, b.rstrip("\n") + "\n", b.rstrip("\n"), b.rstrip() + "\n", b.strip() + "\n"):
            if v not in seen:
                seen.add(v)
                yield v


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def layout(name: str) -> tuple[Path, Path]:
    """The folder of a set's raw excerpts and the JSONL file it is assembled into."""
    if name.startswith("sametopic-"):
        part = name.split("-", 1)[1]
        folder = HERE / (".sametopic" if part in ("a", "b") else f".sametopic-{part}")
        return folder / f"raw-{part}", folder / f"{part}.jsonl"
    if name == "recipe":
        return HERE / ".pages" / "raw", HERE / ".pages" / "pages.jsonl"
    if name.startswith("provenance-more-"):
        return HERE / ".pages" / "raw", HERE / ".pages" / f"{name.removeprefix('provenance-')}.jsonl"
    if name.startswith("provenance-heldout-"):  # never fitted on: its own folder, out of the fitted sets' glob
        part = name.removeprefix("provenance-")
        return HERE / ".pages" / f"raw-{part}", HERE / ".pages" / f"{part}.jsonl"
    raise SystemExit(f"unknown set {name!r}: recipe, sametopic-<part>, provenance-more-<part> or provenance-heldout-<part>")


def pages(recipe: dict):
    """(page, event) for every labelled page of a recipe, in either recipe format."""
    if "pages" in recipe:
        for p in recipe["pages"]:
            yield p, p.get("story")
    else:
        for event, ev in recipe["events"].items():
            for p in ev["pages"]:
                yield p, event


def row(name: str, page: dict, event: str | None, text: str) -> dict:
    if name.startswith("sametopic-"):
        return {"id": page["id"], "url": page["url"], "title": page.get("title", ""), "text": text,
                "lang": page.get("lang"), "story": page["story"], "group": page.get("group"),
                "date": page.get("date")}
    return {"id": page["id"], "event": event, "url": page["url"], "text": text, "published": page.get("published")}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set", help="recipe name without .json: recipe, provenance-more-a, sametopic-d, ...")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args(argv)
    recipe = json.loads((HERE / f"{a.set}.json").read_text(encoding="utf-8"))
    raw, out = layout(a.set)
    rows, missing, bad = [], [], []
    for page, event in pages(recipe):
        f = raw / f"{page['id']}.txt"
        if not f.exists():
            missing.append(page["id"])
            continue
        saved = f.read_text(encoding="utf-8")
        text = next((v for v in variants(saved) if sha1(v) == page["sha1"]), None)
        if text is None:
            bad.append(page["id"])
            continue
        rows.append(row(a.set, page, event, text))
    total = len(list(pages(recipe)))
    print(f"{a.set}: {len(rows)}/{total} pages match; missing {len(missing)} {missing or ''}; "
          f"text differs {len(bad)} {bad or ''}", file=sys.stderr)
    if not a.check and rows:
        out.parent.mkdir(parents=True, exist_ok=True)
        with open(out, "w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps(r, ensure_ascii=False) + "\n")
        print(f"wrote {out}", file=sys.stderr)
    return 0 if not bad and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
