"""Stories across languages: the English matcher against the multilingual path on labelled coverage.

    python bench/eval_multilingual.py                      # score both on the whole set
    python bench/eval_multilingual.py --fit                # refit the cross-language pair model
    python bench/eval_multilingual.py --data DIR           # another copy of the set

The set is real coverage of seven events of 2022-2023, each in four or more
languages, collected from stored web pages (first 2,000 bytes of each page; the
recipe with queries, URLs and the gold labels is ``bench/realdata/multilingual.json``).
The texts are not in the repository: they live in a git-ignored folder
(``../shared/data/realdata/multilingual-pages.jsonl``, else the git-ignored rebuild
``bench/realdata/.multilingual/docs.jsonl``, or ``--data`` / ``$STORYLINE_MULTILINGUAL``),
one JSON object a line with ``id``, ``url``, ``lang`` (gold), ``published``, ``title``,
``text`` and ``story`` (gold). Without it the script says so and exits 0.

Both runs see the same articles without their gold language. ``english`` is the
pipeline without its two multilingual stages (the English matcher alone); ``multilingual`` is the pipeline with its
multilingual stages (language identification, and the multilingual decision for
pairs that involve an article not in English, :mod:`storyline.multilingual`). Scores are pairwise precision, recall
and F1 over all pairs of articles, over pairs in two different languages, and
over pairs of two English articles; ``--fit`` fits the pair model on the pairs of
the events in the ``fit`` half and reports the ``held_out`` half apart. The last
line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "bench" / "realdata" / ".multilingual"
SHARED = ROOT.parent / "shared" / "data" / "realdata" / "multilingual-pages.jsonl"


def data_file(given: str | None = None) -> Path:
    """The set's JSONL: ``given`` or ``$STORYLINE_MULTILINGUAL`` (a file, or a folder holding docs.jsonl),
    else ``../shared/data/realdata/multilingual-pages.jsonl``, else the git-ignored rebuild
    ``bench/realdata/.multilingual/docs.jsonl``."""
    named = given or os.environ.get("STORYLINE_MULTILINGUAL")
    if named:
        p = Path(named)
        return p / "docs.jsonl" if p.is_dir() else p
    return SHARED if SHARED.exists() else DEFAULT / "docs.jsonl"


def load(path: Path):
    from storyline.model import Article

    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    arts = [Article(id=d["id"], text=d["text"], title=d.get("title", ""), url=d.get("url", ""),
                    published=d.get("published"), meta={"story": d["story"], "gold_lang": d["lang"]})
            for d in docs]
    arts.sort(key=lambda a: a.id)
    return arts


def split(stories: list[str]) -> dict[str, str]:
    """Events alternate between the fitting half and the held-out half (by name)."""
    return {s: ("fit" if i % 2 == 0 else "held_out") for i, s in enumerate(sorted(set(stories)))}


def pairwise(gold: list[str], pred: np.ndarray, keep) -> dict[str, float]:
    """Pairwise precision / recall / F1 over the pairs (i < j) for which ``keep(i, j)``."""
    tp = fp = fn = 0
    n = len(gold)
    for i in range(n):
        for j in range(i + 1, n):
            if not keep(i, j):
                continue
            g, p = gold[i] == gold[j], pred[i] == pred[j]
            tp += int(g and p)
            fp += int(p and not g)
            fn += int(g and not p)
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(float(prec), 4), "recall": round(float(rec), 4),
            "f1": round(float(2 * prec * rec / (prec + rec)), 4) if prec + rec else 0.0, "gold_pairs": tp + fn}


def report(arts, labels: np.ndarray, halves: dict[str, str]) -> dict:
    gold = [a.meta["story"] for a in arts]
    lang = [a.meta["gold_lang"] for a in arts]
    out = {"all": pairwise(gold, labels, lambda i, j: True),
           "cross_language": pairwise(gold, labels, lambda i, j: lang[i] != lang[j]),
           "within_english": pairwise(gold, labels, lambda i, j: lang[i] == lang[j] == "en")}
    for h in ("fit", "held_out"):
        out[f"cross_language_{h}"] = pairwise(
            gold, labels, lambda i, j, h=h: lang[i] != lang[j] and halves[gold[i]] == h and halves[gold[j]] == h)
    out["n_stories"] = len(set(np.asarray(labels).tolist()))
    return out


def _group(arts, cfg, multilingual: bool):
    """The grouping stages on ``arts``: all of them, or the English matcher's alone."""
    from storyline import pipeline
    from storyline.multilingual.stage import CrossLanguageStage, LangStage
    from storyline.stage import Run, executor_of, run_stages

    stages = [s for s in pipeline.GROUPING if multilingual or not isinstance(s, (LangStage, CrossLanguageStage))]
    r = Run(cfg, executor_of(arts, None), semantic=True, articles=arts)
    run_stages(stages, r)
    return list(r.articles), np.asarray(r.labels), r.matching


def run(path: Path, fit_model: bool = False) -> dict:
    from storyline.config import Config
    from storyline.multilingual import embed, identify, match

    cfg = Config()
    halves = split([a.meta["story"] for a in load(path)])
    t0 = time.perf_counter()
    cleaned, labels_en, m = _group(load(path), cfg, multilingual=False)
    t_en = time.perf_counter() - t0
    out: dict = {"articles": len(cleaned), "events": len(halves), "english": report(cleaned, labels_en, halves),
                 "english_seconds": round(t_en, 2)}
    t0 = time.perf_counter()
    identify(cleaned)
    t_lid = time.perf_counter() - t0
    out["language_id"] = {"accuracy": round(float(np.mean([a.lang == a.meta["gold_lang"] for a in cleaned])), 4),
                          "wrong": [[a.id, a.lang] for a in cleaned if a.lang != a.meta["gold_lang"]],
                          "ms_per_article": round(1000 * t_lid / max(1, len(cleaned)), 3)}
    if not embed.available():
        out["multilingual"] = f"not installed: {embed.INSTALL_HINT}"
        return out
    if fit_model:
        sig = match.signals(cleaned, cfg.match.url_dates)
        mask = match.routed(cleaned)
        cand = match.candidates(sig, mask, m.pairs, cfg.match.window_days)
        gold = np.array([a.meta["story"] for a in cleaned])
        train = np.array([halves[gold[i]] == "fit" and halves[gold[j]] == "fit" for i, j in cand.tolist()])
        F = match.features(sig, cand)
        y = (gold[cand[:, 0]] == gold[cand[:, 1]]).astype(int)
        model = match.fit(F[train], y[train], {
            "fitted_on": "bench/eval_multilingual.py --fit: candidate pairs of the events in the fit half",
            "pairs": int(train.sum()), "positives": int(y[train].sum())})
        match.MODEL_PATH.write_text(json.dumps(model.to_json(), indent=1) + "\n")
        match.load_model.cache_clear()
        out["fit"] = {"pairs": int(train.sum()), "positives": int(y[train].sum())}
    t0 = time.perf_counter()
    arts_ml, labels_ml, m_ml = _group(load(path), cfg, multilingual=True)
    out["multilingual_seconds"] = round(time.perf_counter() - t0, 2)
    out["multilingual"] = report(arts_ml, labels_ml, halves)
    out["multilingual"]["counts"] = {k: m_ml.counts.get(k) for k in ("routed_articles", "cross_pairs", "cross_same")}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help="the set's JSONL, or a folder holding docs.jsonl (default: "
                                   "$STORYLINE_MULTILINGUAL, ../shared/data/realdata/multilingual-pages.jsonl, "
                                   "bench/realdata/.multilingual/docs.jsonl)")
    ap.add_argument("--fit", action="store_true", help="refit storyline/multilingual/pair_model.json first")
    args = ap.parse_args()
    path = data_file(args.data)
    if not path.exists():
        print(f"no multilingual set at {path}: build it with the recipe in "
              "bench/realdata/multilingual.json (see docs/benchmarks.md)")
        return 0
    out = run(path, args.fit)
    for k in ("english", "multilingual"):
        if isinstance(out.get(k), dict):
            print(k, {s: out[k][s]["f1"] for s in ("all", "cross_language", "within_english")})
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
