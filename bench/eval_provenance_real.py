"""Score storyline's reuse grades and sources on real web pages labelled by hand.

    python bench/eval_provenance_real.py                       # ../shared/data/realdata/provenance-pages.jsonl
    python bench/eval_provenance_real.py --pages DIR_OR_FILE   # or STORYLINE_REALDATA_PAGES=DIR_OR_FILE
    python bench/eval_provenance_real.py --labels FILE -v      # other labels; print every miss
    python bench/eval_provenance_real.py --set heldout         # the held-out events, never fitted on

The pages (third-party texts, never in the repository) are read from
``../shared/data/realdata/provenance-pages.jsonl``, else from the git-ignored
rebuild ``bench/realdata/.pages/pages.jsonl`` (or the file or folder named): one JSON object a line with ``id``, ``event``, ``url``,
``text`` and ``published``; a record may carry its own ``kind`` and ``source``
labels, otherwise they come from the recipe (``bench/realdata/recipe.json``,
which also says how the pages were collected). All pages are cleaned together
as a corpus would be (``storyline.clean``), then each event's pages are
analysed as one story.

Three gradings are scored in one run: ``rules`` (the hand-written grade rules
alone), ``left_out`` (each event's pages graded by the grader fitted without
that event: the leave-one-event-out models bench/fit_grader.py stores in
storyline/provenance/grader.json; the figures to quote, and the ones
tests/test_provenance_real.py pins) and ``shipped`` (the shipped grader, fitted
on all these pages: in-sample, for reference only). The JSON's top-level
figures are the left-out ones (the shipped grader's for events no left-out model covers, such as the
held-out sets'; the rules' when no grader is shipped).

Figures: grade macro-F1, spun F1 and accuracy over all pages; source accuracy over
copies (the predicted root, ``wire:<name>``, an article id or
``unknown-absent``, against the label); copies attributed (a parent or a named
source, i.e. not left ``unknown-absent`` or ``own``); the same per event and a
confusion table. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
RECIPE = BENCH / "realdata" / "recipe.json"
PAGES = BENCH / "realdata" / ".pages"
SHARED = BENCH.parent.parent / "shared" / "data" / "realdata" / "provenance-pages.jsonl"
ENV = "STORYLINE_REALDATA_PAGES"
# Further labelled events (bench/realdata/provenance-more-*.json: recipe and labels, same format); their
# texts in the git-ignored bench/realdata/.pages/more-*.jsonl, or ../shared/data/realdata/provenance-more-*.jsonl
MORE_RECIPES = sorted((BENCH / "realdata").glob("provenance-more-*.json"))
# Held-out events (bench/realdata/provenance-heldout-*.json): never fitted on, not even by bench/fit_grader.py,
# scored with the shipped grader; texts in bench/realdata/.pages/heldout-*.jsonl (git-ignored) or
# ../shared/data/realdata/provenance-heldout-*.jsonl
HELDOUT_RECIPES = sorted((BENCH / "realdata").glob("provenance-heldout-*.json"))
GRADES = ("verbatim", "light-rewrite", "spun", "independent")


def pages_file(arg: str | None) -> Path:
    """The pages' JSONL: ``arg`` or ``$STORYLINE_REALDATA_PAGES`` (a file, or a folder holding pages.jsonl),
    else the shared copy, else the git-ignored rebuild."""
    named = arg or os.environ.get(ENV)
    if named:
        p = Path(named)
        return p / "pages.jsonl" if p.is_dir() else p
    return SHARED if SHARED.exists() else PAGES / "pages.jsonl"


def _page_files(part: str) -> list[Path]:
    """The page files of the sets named ``provenance-<part>-*`` present: the shared copies, else the git-ignored ones."""
    shared = sorted(SHARED.parent.glob(f"provenance-{part}-*.jsonl"))
    return shared or sorted(PAGES.glob(f"{part}-*.jsonl"))


def more_files() -> list[Path]:
    """The further events' page files present."""
    return _page_files("more")


def heldout_files() -> list[Path]:
    """The held-out events' page files present."""
    return _page_files("heldout")


def load_heldout() -> list[dict]:
    """The held-out events' labelled pages (empty when their texts are absent)."""
    return [r for f in heldout_files() for r in load(f, HELDOUT_RECIPES)]


def load_all(pages: str | None = None, which: str = "all") -> list[dict]:
    """The labelled pages: the first set's (see :func:`pages_file`) and, with ``which="all"``, those of
    every further set present (:data:`MORE_RECIPES`), each page once."""
    records = load(pages_file(pages), RECIPE)
    if which == "all":
        seen = {r["id"] for r in records}
        for f in more_files():
            for r in load(f, MORE_RECIPES):
                if r["id"] not in seen:
                    seen.add(r["id"])
                    records.append(r)
    return records


def load(path: Path, labels: Path | list[Path]) -> list[dict]:
    """Page records with their ``kind`` and ``source`` labels (from the recipe file or files ``labels``)."""
    files = [labels] if isinstance(labels, Path) else list(labels)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found ({', '.join(map(str, files))} says how to collect the pages)")
    lab: dict[str, dict] = {}
    for f in files:
        if not f.exists():
            continue
        recipe = json.loads(f.read_text(encoding="utf-8"))
        for ev in recipe.get("events", {}).values():
            for p in ev["pages"]:
                lab[p["id"]] = p
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            meta = lab.get(d["id"], {})
            kind, source = d.get("kind") or meta.get("kind"), d.get("source") or meta.get("source")
            if kind not in GRADES or not source:
                raise ValueError(f"{path}:{n}: page {d['id']!r} has no kind/source label")
            out.append({**d, "kind": kind, "source": source})
    return out


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    f1s = []
    for g in GRADES:
        tp = sum(t == g and p == g for t, p in pairs)
        fp = sum(t != g and p == g for t, p in pairs)
        fn = sum(t == g and p != g for t, p in pairs)
        if tp + fp + fn:
            f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else 0.0


def class_f1(pairs: list[tuple[str, str]], grade: str) -> float:
    tp = sum(t == grade and p == grade for t, p in pairs)
    fp = sum(t != grade and p == grade for t, p in pairs)
    fn = sum(t == grade and p != grade for t, p in pairs)
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0


def predicted_source(ap, by_id: dict) -> str:
    """The root an article derives from: its ``source`` field, or (older outputs) its parent chain."""
    src = getattr(ap, "source", None)
    if src:
        return src
    node, seen = ap, set()
    while node.parent and not node.parent.startswith("wire:") and node.parent not in seen:
        seen.add(node.parent)
        node = by_id[node.parent]
    if node.parent:
        return node.parent
    if node is not ap:
        return node.article_id
    return "own" if ap.grade == "independent" else "unknown-absent"


def analyse_pages(records: list[dict], graders: dict | None = None, rules: bool = False) -> dict:
    """Per page id: its ``ArticleProvenance``. All pages are cleaned together, then each event is one
    story, graded by ``graders[event]`` where given (a grader or its JSON: the leave-one-event-out
    models), else by the shipped grader, or by the hand-written rules alone when ``rules``."""
    import contextlib

    from storyline.clean import Cleaner
    from storyline.model import Article
    from storyline.provenance import analyse_story, grader

    arts = [
        Article(id=r["id"], text=r["text"], url=r["url"], outlet=urlparse(r["url"]).hostname or "",
                published=r.get("published"))
        for r in records
    ]  # fmt: skip
    arts = Cleaner().fit_transform(arts)
    by_event: dict[str, list] = defaultdict(list)
    ev = {r["id"]: r["event"] for r in records}
    for a in arts:
        by_event[ev[a.id]].append(a)
    out = {}
    for event, members in sorted(by_event.items()):
        if rules:
            ctx = grader.using(None)
        elif graders is not None:
            ctx = grader.using(graders[event])
        else:
            ctx = contextlib.nullcontext()
        with ctx:
            prov = analyse_story(members)
        for a in prov.articles:
            out[a.article_id] = a
    return out


def analyse(records: list[dict], graders: dict | None = None, rules: bool = False) -> dict[str, tuple[str, str | None, str]]:
    """Per page id: (grade, parent, source) as storyline gives them (see :func:`analyse_pages`)."""
    pages = analyse_pages(records, graders, rules)
    return {i: (a.grade, a.parent, predicted_source(a, pages)) for i, a in pages.items()}


def left_out_graders() -> dict | None:
    """The leave-one-event-out graders stored with the shipped one (bench/fit_grader.py): per event, a
    grader fitted without that event's pages."""
    from storyline.provenance import grader

    if not grader.PARAMS_FILE.exists():
        return None
    return json.loads(grader.PARAMS_FILE.read_text(encoding="utf-8")).get("leave_one_event_out")


def score(records: list[dict], pred: dict[str, tuple[str, str | None, str]]) -> dict:
    def figures(rs: list[dict]) -> dict:
        pairs = [(r["kind"], pred[r["id"]][0]) for r in rs]
        copies = [r for r in rs if r["kind"] != "independent"]
        named = [r for r in copies if pred[r["id"]][1] is not None or pred[r["id"]][2].startswith("wire:")]
        return {
            "pages": len(rs),
            "grade_macro_f1": round(macro_f1(pairs), 4),
            "spun_f1": round(class_f1(pairs, "spun"), 4),
            "grade_accuracy": round(sum(t == p for t, p in pairs) / max(1, len(pairs)), 4),
            "copies": len(copies),
            "copies_attributed": round(len(named) / max(1, len(copies)), 4),
            "source_accuracy": round(sum(pred[r["id"]][2] == r["source"] for r in copies) / max(1, len(copies)), 4),
            "independent_kept": round(
                sum(pred[r["id"]][0] == "independent" for r in rs if r["kind"] == "independent")
                / max(1, sum(r["kind"] == "independent" for r in rs)),
                4,
            ),
        }

    by_ev: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        by_ev[r["event"]].append(r)
    return {
        **figures(records),
        "events": len(by_ev),
        "by_event": {e: figures(rs) for e, rs in sorted(by_ev.items())},
        "confusion": {f"{t}->{p}": n for (t, p), n in sorted(Counter((r["kind"], pred[r["id"]][0]) for r in records).items())},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", help=f"the pages' JSONL or a folder holding pages.jsonl (default ${ENV}, {SHARED}, "
                                    f"{PAGES}/pages.jsonl)")
    ap.add_argument("--labels", type=Path, default=None, help="recipe with the labels of --pages (default: "
                                                             "the first set's and every further set's)")
    ap.add_argument("--set", choices=["all", "base", "heldout"], default="all",
                    help="all: the first set and every further set present; base: the first set only (54 pages); "
                         "heldout: the held-out events (provenance-heldout-*.json), never fitted on: the shipped "
                         "grader's figures are the ones to read")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = ap.parse_args(argv)
    try:
        if args.labels is not None:
            records = load(pages_file(args.pages), args.labels)
        elif args.set == "heldout":
            records = load_heldout()
            if not records:
                raise FileNotFoundError("no held-out pages in bench/realdata/.pages/heldout-*.jsonl "
                                        "(bench/realdata/provenance-heldout-*.json say how to collect them)")
        else:
            records = load_all(args.pages, args.set)
    except (FileNotFoundError, ValueError) as e:
        print(f"eval_provenance_real: {e}", file=sys.stderr)
        return 2
    folds = left_out_graders()
    modes = {"rules": analyse(records, rules=True)}
    if folds is not None:
        if set(folds) >= {r["event"] for r in records}:
            modes["left_out"] = analyse(records, graders=folds)
        modes["shipped"] = analyse(records)
    results = {m: score(records, p) for m, p in modes.items()}
    # events no model was fitted on (the held-out sets) are scored by the shipped grader
    main_mode = "left_out" if "left_out" in results else "shipped" if "shipped" in results else "rules"
    pred, res = modes[main_mode], results[main_mode]
    print(f"{'':36s} {'':8s}  " + "  ".join(f"{m:>26s}" for m in results), file=sys.stderr)
    for e in res["by_event"]:
        cells = "  ".join(f"F1 {r['by_event'][e]['grade_macro_f1']:.3f} acc {r['by_event'][e]['grade_accuracy']:.3f} "
                          f"att {r['by_event'][e]['copies_attributed']:.2f}" for r in results.values())  # fmt: skip
        print(f"{e:36s} pages {res['by_event'][e]['pages']:2d}  {cells}", file=sys.stderr)
    for m, r in results.items():
        print(f"{m:>9s}: grade macro-F1 {r['grade_macro_f1']:.3f}  spun F1 {r['spun_f1']:.3f}  accuracy "
              f"{r['grade_accuracy']:.3f}  copies attributed {r['copies_attributed']:.3f}  source "
              f"{r['source_accuracy']:.3f}  independent kept {r['independent_kept']:.3f}", file=sys.stderr)
    if args.verbose:
        for r in records:
            g, p, s = pred[r["id"]]
            if g != r["kind"] or (r["kind"] != "independent" and s != r["source"]):
                print(f"  {r['id']} {r['url'][:70]}: {r['kind']}/{r['source']} -> {g}/{s} (parent {p})", file=sys.stderr)
    res = {**res, "mode": main_mode, "modes": {m: {k: v for k, v in r.items() if k != "by_event"} for m, r in results.items()}}
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
