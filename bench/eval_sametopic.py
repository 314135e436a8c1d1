"""Same-kind events close in time, on real pages: storyline beside plain baselines, in one run.

    python bench/eval_sametopic.py                 # bench/realdata/.sametopic/*.jsonl
    python bench/eval_sametopic.py --data FILE_OR_DIR [--keep-dates] [--no-baselines]

The set (``bench/realdata/sametopic-*.json``: recipe, queries and labels; texts
in the git-ignored ``bench/realdata/.sametopic/``) holds real web pages of
groups of same-kind events a few days or weeks apart (consecutive central-bank
decisions, a negotiation's rounds, a disaster's day one and its later toll),
about a third or more not in English. The pages are given as a new user would
give them: ``id``, ``url``, ``title``, ``text``, no publication date (the labels'
``date`` is dropped unless ``--keep-dates``): storyline must place each page in
time from what the page says.

Nothing in storyline is fitted on this set: every figure is a left-out figure.
Scores: pairwise precision, recall and F1 over all pairs, over pairs of two
languages and within one group of same-kind events; ARI and B-cubed F1; the same
for TF-IDF, MiniLM and their mean, and for multilingual-e5-small cosine, each with
average linkage cut at the level fitted on ECB+ (``bench/baselines.py``). Dating: the share of pages dated and, of those, the
share within one day of the label, per ``date_source``. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
from metrics import scores

FOLDER = BENCH / "realdata" / ".sametopic"
SHARED = ROOT.parent / "shared" / "data" / "realdata" / "sametopic-pages.jsonl"
ENV = "STORYLINE_SAMETOPIC"
# The set's further parts (recipes ``sametopic-<part>.json``; texts git-ignored): parts c and d are fitted on
# beside a and b (bench/fit_crosslang.py, bench/fit_matching.py); parts e and f are held out, never fitted on
# nor used to choose anything: ``--data bench/realdata/.sametopic-e,bench/realdata/.sametopic-f`` scores what
# a new set gets.
PARTS = {p: BENCH / "realdata" / f".sametopic-{p}" for p in "cdef"}
FITTED_PARTS = ("c", "d")
HELD_OUT_PARTS = ("e", "f")


def data_files(given: str | None = None) -> list[Path]:
    """The set's JSONL files: ``given`` / ``$STORYLINE_SAMETOPIC`` (a file or a folder), else the shared copy,
    else the git-ignored folder."""
    named = given or os.environ.get(ENV)
    if named:  # comma-separated: several files or folders scored as one set
        out = []
        for part in named.split(","):
            p = Path(part)
            out += sorted(p.glob("*.jsonl")) if p.is_dir() else [p]
        return out
    if SHARED.exists():
        return [SHARED]
    return sorted(FOLDER.glob("*.jsonl")) if FOLDER.is_dir() else []


def part_files(name: str) -> list[Path]:
    """A further part's JSONL files (none when its texts are not here)."""
    return sorted(PARTS[name].glob("*.jsonl")) if PARTS[name].is_dir() else []


def fitted_parts() -> dict[str, list[Path]]:
    """The further parts the models are fitted on (:data:`FITTED_PARTS`), those whose texts are here."""
    return {name: files for name in FITTED_PARTS if (files := part_files(name))}


def held_out_parts() -> list[Path]:
    """The JSONL files of the held-out parts (:data:`HELD_OUT_PARTS`) whose texts are here, scored as one set."""
    return [f for name in HELD_OUT_PARTS for f in part_files(name)]


def load(files: list[Path], label: str = "story") -> list[dict]:
    docs, seen = [], set()
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                if label != "story":
                    d["story"] = d.get(label)
                if d["id"] not in seen:
                    seen.add(d["id"])
                    docs.append(d)
    docs.sort(key=lambda d: d["id"])
    return docs


def pairwise(gold, pred, keep) -> dict[str, float]:
    g = np.asarray(gold)
    p = np.asarray(pred)
    iu = np.triu_indices(len(g), 1)
    mask = keep[iu]
    sg = (g[iu[0]] == g[iu[1]])[mask]
    sp_ = (p[iu[0]] == p[iu[1]])[mask]
    tp, fp, fn = int((sg & sp_).sum()), int((~sg & sp_).sum()), int((sg & ~sp_).sum())
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(prec, 4), "recall": round(rec, 4),
            "f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0, "gold_pairs": tp + fn}


def figures(docs: list[dict], pred) -> dict:
    gold = [d["story"] for d in docs]
    lang = np.array([d.get("lang") or "?" for d in docs])
    group = np.array([d.get("group") or "?" for d in docs])
    n = len(docs)
    every = np.ones((n, n), bool)
    out = scores(gold, pred)
    out["pairs"] = pairwise(gold, pred, every)
    out["cross_language"] = pairwise(gold, pred, lang[:, None] != lang[None, :])
    out["same_group"] = pairwise(gold, pred, group[:, None] == group[None, :])
    return out


def multilingual_baseline(texts: list[str]):
    """multilingual-e5-small cosine over the title and lede (the model storyline's cross-language matcher
    uses), with its average-linkage cut fitted on ECB+ as for the other baselines; None without the extra."""
    import baselines
    from pairdata import ECB

    from storyline.multilingual import embed

    if not embed.available() or not ECB.exists():
        return None
    heads = [t[:600] for t in texts]
    ecb_texts, ecb_gold = baselines.read(ECB, "subtopic")
    V = embed.encode([t[:600] for t in ecb_texts])
    Z = baselines.linkage_tree(V @ V.T)
    level = float(max(baselines.GRID, key=lambda lv: (scores(ecb_gold, baselines.cut(Z, lv))["ari"], -lv)))
    W = embed.encode(heads)
    return W @ W.T, level


def run_storyline(docs: list[dict], keep_dates: bool, config: Path | None = None):
    import storyline
    from storyline.config import Config

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pages.jsonl"
        with path.open("w", encoding="utf-8") as fh:
            for d in docs:
                rec = {"id": d["id"], "url": d.get("url", ""), "title": d.get("title", ""), "text": d["text"],
                       "story": d["story"]}
                if keep_dates and d.get("date"):
                    rec["published"] = d["date"]
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        result = storyline.run([path], out=None, extras=False,
                               config=Config.from_toml(config) if config else Config())
    index = {a.id: i for i, a in enumerate(result.articles)}
    pred = [int(result.labels[index[d["id"]]]) for d in docs]
    arts = {a.id: a for a in result.articles}
    return pred, arts


def dating(docs: list[dict], arts: dict) -> dict:
    from storyline.ingest.dates import month_of
    from storyline.verify.features import to_days

    by: dict[str, Counter] = {}
    months = Counter()
    for d in docs:
        a = arts[d["id"]]
        src = getattr(a, "date_source", "") or ("field" if a.published else "none")
        c = by.setdefault(src, Counter())
        c["pages"] += 1
        if a.published and d.get("date"):
            c["labelled"] += 1
            c["within_1_day"] += int(abs(to_days(a.published) - to_days(d["date"])) <= 1.0)
        elif not a.published:
            ym = month_of(a.text, a.url)
            if ym:  # placed within a month only (storyline.represent.stage.time_window)
                months["pages"] += 1
                if d.get("date"):
                    months["labelled"] += 1
                    months["right_month"] += int(d["date"][:7] == f"{ym[0]:04d}-{ym[1]:02d}")
    dated = sum(c["pages"] for s, c in by.items() if s != "none")
    return {"dated": round(dated / max(1, len(docs)), 3), "by_source": {s: dict(c) for s, c in sorted(by.items())},
            "month_only": dict(months)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="JSONL files or folders of them, comma-separated (default: $STORYLINE_SAMETOPIC, "
                                   "../shared/data/realdata/sametopic-pages.jsonl, bench/realdata/.sametopic/)")
    ap.add_argument("--keep-dates", action="store_true", help="give storyline each page's labelled date")
    ap.add_argument("--no-baselines", action="store_true")
    ap.add_argument("--config", type=Path, help="a storyline config TOML for the run")
    ap.add_argument("--label", default="story", help="the field holding the gold story (default %(default)s)")
    args = ap.parse_args(argv)
    files = data_files(args.data)
    if not files:
        print("no same-kind events set found: build it with bench/realdata/sametopic-*.json", file=sys.stderr)
        return 2
    docs = load(files, args.label)
    res: dict = {"pages": len(docs), "events": len({d["story"] for d in docs}),
                 "languages": dict(Counter(d.get("lang") or "?" for d in docs).most_common())}
    if not args.no_baselines:
        import baselines
        from pairdata import FileVectorCache

        cache = FileVectorCache()
        thresholds = baselines.fit_thresholds(cache)
        texts = [f"{d.get('title') or ''}\n{d['text']}".strip() for d in docs]
        res["baselines"] = {}
        for name, S in baselines.similarities(texts, cache).items():
            res["baselines"][name] = figures(docs, baselines.cut(baselines.linkage_tree(S), thresholds[name]))
        e5 = multilingual_baseline(texts)
        if e5 is not None:
            S, level = e5
            res["baselines"]["e5"] = figures(docs, baselines.cut(baselines.linkage_tree(S), level))
            thresholds["e5"] = level
        res["thresholds"] = thresholds
    pred, arts = run_storyline(docs, args.keep_dates, args.config)
    res["storyline"] = figures(docs, pred)
    res["dating"] = dating(docs, arts)
    rows = [*[(f"{k}", v) for k, v in res.get("baselines", {}).items()], ("storyline", res["storyline"])]
    print(f"{len(docs)} pages, {res['events']} events, languages {res['languages']}", file=sys.stderr)
    for name, s in rows:
        print(f"{name:>10}: pairwise F1 {s['pairs']['f1']:.3f} (P {s['pairs']['precision']:.3f} "
              f"R {s['pairs']['recall']:.3f})  cross-language F1 {s['cross_language']['f1']:.3f}  "
              f"same-group F1 {s['same_group']['f1']:.3f}  ARI {s['ari']:.3f}  stories {s['n_stories']}",
              file=sys.stderr)
    print(f"dating: {res['dating']}", file=sys.stderr)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
