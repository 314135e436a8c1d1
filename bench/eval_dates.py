"""Score ``storyline.ingest.dates.infer_date`` on real pages: from the URL and the text alone.

    python bench/eval_dates.py            # the real page files below, whichever are present
    python bench/eval_dates.py -v         # also print every miss and every wrong date
    python bench/eval_dates.py FILE ...   # other JSON-lines files (url, text, title?, lang?, published|date)

Files read (relative to the repository; pages are third-party texts, never in it):

- ``../shared/data/realdata/multilingual-pages.jsonl`` and ``provenance-pages.jsonl``: id, url,
  text, published (title, lang when present). Scored with ``infer_date(title, text, url,
  given=None, meta=None, lang=lang)``.
- ``../shared/data/allsides-dev/docs.jsonl``: its ``published`` was itself taken from the URL,
  so only the URL rule (``url_date``) is scored there; URLs it dates that have no
  ``published`` are counted apart ("extra": forms htmldate's rule misses, or false dates).
- ``bench/realdata/.sametopic/*.jsonl`` (when present): id, url, title, text, lang, date.

Per file and source: coverage (share of the dated pages that get a date), exact-day
accuracy, within 1 day and within 3 days (of those given a date), the sources used, and
the speed in articles a second. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))

from storyline.ingest.dates import infer_date, url_date

SHARED = REPO.parent / "shared" / "data"
FULL = [SHARED / "realdata" / "multilingual-pages.jsonl", SHARED / "realdata" / "provenance-pages.jsonl"]
URL_ONLY = [SHARED / "allsides-dev" / "docs.jsonl"]
SAMETOPIC = BENCH / "realdata" / ".sametopic"


def read(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
    return rows


def gold_of(row: dict) -> date | None:
    for key in ("published", "date"):
        v = row.get(key)
        if isinstance(v, str) and len(v) >= 10:
            try:
                return date.fromisoformat(v[:10])
            except ValueError:
                return None
    return None


def as_date(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


class Score:
    def __init__(self) -> None:
        self.n = self.gold = self.dated = self.exact = self.day1 = self.day3 = self.extra = 0
        self.sources: Counter[str] = Counter()
        self.by_source: dict[str, list[int]] = {}

    def add(self, gold: date | None, pred: date | None, source: str) -> str:
        self.n += 1
        if gold is None:
            if pred is not None:
                self.extra += 1
            return "nogold"
        self.gold += 1
        if pred is None:
            return "miss"
        self.dated += 1
        self.sources[source] += 1
        diff = abs((pred - gold).days)
        s = self.by_source.setdefault(source, [0, 0])
        s[0] += 1
        s[1] += diff <= 1
        self.exact += diff == 0
        self.day1 += diff <= 1
        self.day3 += diff <= 3
        return "ok" if diff <= 1 else "wrong"

    def row(self) -> dict:
        def pct(a: int, b: int) -> float | None:
            return round(100.0 * a / b, 1) if b else None

        return {
            "pages": self.n,
            "with_date": self.gold,
            "coverage": pct(self.dated, self.gold),
            "exact": pct(self.exact, self.dated),
            "within1": pct(self.day1, self.dated),
            "within3": pct(self.day3, self.dated),
            "dated_without_gold": self.extra,
            "sources": dict(self.sources),
            "within1_by_source": {k: f"{v[1]}/{v[0]}" for k, v in sorted(self.by_source.items())},
        }


def fmt(name: str, r: dict) -> str:
    def p(v: float | None) -> str:
        return "  -  " if v is None else f"{v:5.1f}"

    return (
        f"{name:<34} {r['pages']:>5} {r['with_date']:>5}  cov {p(r['coverage'])}%  exact {p(r['exact'])}%  "
        f"±1 {p(r['within1'])}%  ±3 {p(r['within3'])}%  extra {r['dated_without_gold']:>3}  {r['within1_by_source']}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path, help="JSON-lines files scored with the full rule")
    ap.add_argument("-v", "--verbose", action="store_true", help="print misses and wrong dates")
    ap.add_argument("--repeat", type=int, default=5, help="passes timed for the speed figure")
    args = ap.parse_args(argv)

    full = list(args.files) or [p for p in FULL if p.exists()] + sorted(SAMETOPIC.glob("*.jsonl"))
    url_only = [] if args.files else [p for p in URL_ONLY if p.exists()]
    if not full and not url_only:
        print("no page files found (looked for ../shared/data/realdata/*.jsonl)", file=sys.stderr)
        return 1

    results: dict[str, dict] = {}
    total = Score()
    records: list[tuple[str, str, str | None, str | None]] = []
    print(f"{'file':<34} {'pages':>5} {'dated':>5}")
    for path in full:
        score = Score()
        for row in read(path):
            title = row.get("title") if isinstance(row.get("title"), str) else ""
            text = row.get("text") if isinstance(row.get("text"), str) else ""
            url = row.get("url") if isinstance(row.get("url"), str) else None
            lang = row.get("lang") if isinstance(row.get("lang"), str) else None
            records.append((title, text, url, lang))
            got = infer_date(title, text, url, None, None, lang)
            gold = gold_of(row)
            pred = as_date(got.date)
            verdict = score.add(gold, pred, got.source)
            total.add(gold, pred, got.source)
            if args.verbose and verdict in ("miss", "wrong", "nogold"):
                shown = (text[:160]).replace("\n", " ⏎ ")
                print(f"  [{verdict}] {row.get('id')} gold={gold} got={got.date} ({got.source}) {url}\n        {shown}")
        results[path.name] = score.row()
        print(fmt(path.name, results[path.name]))
    if full:
        results["all (url + text)"] = total.row()
        print(fmt("all (url + text)", results["all (url + text)"]))

    for path in url_only:
        score = Score()
        for row in read(path):
            url = row.get("url") if isinstance(row.get("url"), str) else None
            got = url_date(url)
            verdict = score.add(gold_of(row), as_date(got), "url")
            if args.verbose and (verdict == "wrong" or (verdict == "nogold" and got)):
                print(f"  [{verdict if verdict == 'wrong' else 'extra'}] gold={gold_of(row)} got={got} {url}")
        results[path.name + " (url rule)"] = score.row()
        print(fmt(path.name + " (url rule)", results[path.name + " (url rule)"]))

    if records:
        infer_date("", "")  # tables loaded before timing
        best = float("inf")
        for _ in range(max(1, args.repeat)):
            t0 = time.perf_counter()
            for title, text, url, lang in records:
                infer_date(title, text, url, None, None, lang)
            best = min(best, time.perf_counter() - t0)
        rate = len(records) / best if best > 0 else float("inf")
        results["speed_articles_per_s"] = round(rate)
        print(f"speed: {rate:,.0f} articles/s ({len(records)} articles, best of {args.repeat} passes)")
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
