"""Static embedding (distilled from MiniLM) against the int8 ONNX MiniLM and TF-IDF: speed, recall, separability.

    python bench/bench_static.py [--data ../shared/data] [--ks 10,20] [--repeats 3]

On the labelled corpora (ECB+ by subtopic, allsides-dev by story), read and cleaned
as a run reads and cleans them, each article's embedding text (title + lede, as the
semantic stage embeds it) is encoded in this process by

* ``minilm``: the int8 ONNX MiniLM at the semantic stage's ``max_tokens`` (128);
* ``static``: the static table (:mod:`storyline.embed.static`), same text;
* ``static_full``: the static table on title + whole body (512 tokens), which costs
  it little;
* ``tfidf``: the lexical path's word TF-IDF (``verify.features.lexical_matrices``).

Figures, per corpus:

* speed: articles per second of each encoder, median of ``--repeats`` rounds (the
  in-process vector cache is bypassed), and ratios against MiniLM and TF-IDF; the
  distillation's one-off seconds when no cached table existed;
* candidate recall: the share of same-story pairs found among each article's ``k``
  nearest neighbours (no minimum cosine), for each ``k``;
* separability on candidate pairs (the union of every model's top-``max(k)``
  neighbours): ROC AUC of each model's cosine for same- against different-story
  pairs;
* the band: MiniLM's decision is ``cos >= t`` at its best-F1 threshold on these
  pairs; on the cheap cosine, ``lo`` is the highest threshold whose "no" below it
  keeps 99% of MiniLM's "yes" and ``hi`` the lowest whose "yes" at or above it is
  99% MiniLM "yes". Pairs in ``[lo, hi)`` are uncertain: they, and the articles in
  them, are what would still reach MiniLM. The band is reported fitted on the
  corpus itself and, out of sample, fitted on the other corpus (with the agreement
  with MiniLM that the cascade's decisions then reach, and their F1 against gold).

Corpora that are absent are skipped with a message. The last line printed is one JSON
object with every figure.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, machine

CORPORA = {"ecbplus": ("ecbplus/docs.jsonl", "subtopic"), "allsides-dev": ("allsides-dev/docs.jsonl", "story")}
KEEP = 0.99  # the band keeps 99% of MiniLM's "yes" below it and is 99% MiniLM "yes" above it


def gold_pairs(labels: list[str]) -> set[tuple[int, int]]:
    groups: dict[str, list[int]] = {}
    for i, lab in enumerate(labels):
        groups.setdefault(lab, []).append(i)
    return {p for members in groups.values() for p in combinations(members, 2)}


def top_k_pairs(S: np.ndarray, k: int) -> set[tuple[int, int]]:
    """Pairs (i < j) where j is among i's ``k`` most similar articles (similarity matrix ``S``) or i among j's."""
    S = S.copy()
    np.fill_diagonal(S, -np.inf)
    k = min(k, len(S) - 1)
    nn = np.argpartition(-S, k - 1, axis=1)[:, :k]
    return {(min(i, int(j)), max(i, int(j))) for i, row in enumerate(nn) for j in row}


def auc(scores: np.ndarray, y: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(y, scores)) if 0 < y.sum() < len(y) else float("nan")


def best_f1_threshold(scores: np.ndarray, y: np.ndarray) -> float:
    order = np.argsort(-scores, kind="stable")
    tp = np.cumsum(y[order])
    f1 = 2 * tp / (np.arange(1, len(y) + 1) + y.sum())
    return float(scores[order][int(np.argmax(f1))])


def band(cheap: np.ndarray, yes: np.ndarray, keep: float = KEEP) -> tuple[float, float]:
    """(lo, hi) on the cheap score: below lo holds at most 1 - keep of the "yes"; at or above hi, keep are "yes"."""
    pos = np.sort(cheap[yes])
    lo = float(pos[int(np.floor((1 - keep) * len(pos)))]) if len(pos) else float("inf")
    order = np.argsort(-cheap, kind="stable")
    prec = np.cumsum(yes[order]) / np.arange(1, len(cheap) + 1)
    ok = np.flatnonzero(prec[::-1] >= keep)  # from the bottom: the largest prefix still precise enough
    hi = float(cheap[order][len(cheap) - 1 - ok[0]]) if len(ok) else float("inf")
    return lo, max(lo, hi)


def cascade(cheap: np.ndarray, mini_yes: np.ndarray, gold: np.ndarray, pairs: np.ndarray, n: int,
            lo: float, hi: float) -> dict[str, float]:
    """Pairs below lo are "no", at or above hi "yes", between them MiniLM decides: what that costs and gives."""
    unsure = (cheap >= lo) & (cheap < hi)
    decided = np.where(unsure, mini_yes, cheap >= hi)
    tp = float((decided & gold).sum())
    f1 = 2 * tp / max(decided.sum() + gold.sum(), 1)
    mf1 = 2 * float((mini_yes & gold).sum()) / max(mini_yes.sum() + gold.sum(), 1)
    arts = np.unique(pairs[unsure].ravel()) if unsure.any() else np.zeros(0, dtype=np.int64)
    return {"lo": round(lo, 4), "hi": round(hi, 4), "uncertain_pair_share": round(float(unsure.mean()), 4),
            "articles_reaching_minilm_share": round(len(arts) / n, 4),
            "agreement_with_minilm": round(float((decided == mini_yes).mean()), 4),
            "f1_vs_gold": round(f1, 4), "minilm_f1_vs_gold": round(mf1, 4)}


def corpus(path: Path, label: str) -> tuple[list[str], list[str], list[str]]:
    """Embedding texts, full texts and gold labels of the articles that carry a label, cleaned as a run cleans them."""
    from storyline import pipeline
    from storyline.embed.sharded import embed_text

    articles, _ = pipeline.load([path])
    kept = [a for a in pipeline.clean(articles) if label in a.meta]
    full = [f"{a.title.strip()}\n{a.text}" for a in kept]
    return [embed_text(a) for a in kept], full, [str(a.meta[label]) for a in kept]


def timed(fn: Callable[[], Any], repeats: int) -> tuple[Any, float]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return out, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--ks", default="10,20", help="neighbours per article, comma-separated")
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    ks = [int(x) for x in a.ks.split(",")]

    from storyline import embed
    from storyline.config import Config
    from storyline.embed import static
    from storyline.verify.features import lexical_matrices

    cfg = Config()
    max_tokens = cfg.semantic.max_tokens
    if not embed.available():
        print("embed extra not installed: nothing to compare against", file=sys.stderr)
        sys.exit(0)
    t0 = time.perf_counter()
    static.model()  # distils and caches the table on first use
    setup = time.perf_counter() - t0
    embed._encode(["warm up"], max_tokens, 32)
    static.encode(["warm up"])
    out: dict[str, Any] = {"bench": "static", "machine": machine(), "ks": ks, "repeats": a.repeats,
                           "minilm_max_tokens": max_tokens, "static_setup_s": round(setup, 1),
                           "static_dims": int(static.model()[1].shape[1]), "corpora": {}}
    scored: dict[str, dict[str, Any]] = {}
    for name, (rel, label) in CORPORA.items():
        path = a.data / rel
        if not path.exists():
            print(f"{path} not found: {name} skipped", file=sys.stderr)
            continue
        texts, full, labels = corpus(path, label)
        n = len(texts)
        encoders: dict[str, Callable[[], Any]] = {
            "minilm": lambda texts=texts: embed._encode(texts, max_tokens, 32),  # _encode: no in-process cache
            "static": lambda texts=texts: static.encode(texts),
            "static_full": lambda full=full: static.encode(full),
            "tfidf": lambda texts=texts: lexical_matrices(texts)[0],
        }
        sims, speed = {}, {}
        for model, fn in encoders.items():
            V, t = timed(fn, a.repeats)
            speed[model] = round(n / t, 1)
            S = V @ V.T
            sims[model] = np.asarray(S.todense() if hasattr(S, "todense") else S, dtype=np.float32)
        gold = gold_pairs(labels)
        row: dict[str, Any] = {"articles": n, "same_story_pairs": len(gold), "articles_per_s": speed,
                               "speed_vs_minilm": {m: round(s / speed["minilm"], 1) for m, s in speed.items()},
                               "speed_vs_tfidf": {m: round(s / speed["tfidf"], 2) for m, s in speed.items()}}
        found = {m: {k: top_k_pairs(S, k) for k in ks} for m, S in sims.items()}
        row["recall"] = {m: {str(k): round(len(f[k] & gold) / len(gold), 4) for k in ks} for m, f in found.items()}
        row["candidate_pairs"] = {m: {str(k): len(f[k]) for k in ks} for m, f in found.items()}
        row["recall_vs_minilm"] = {m: {k: round(r / row["recall"]["minilm"][k], 3) for k, r in rs.items()}
                                   for m, rs in row["recall"].items()}
        pairs = np.array(sorted(set().union(*(f[max(ks)] for f in found.values()))), dtype=np.int64)
        y = np.array([tuple(p) in gold for p in pairs.tolist()])
        cos = {m: S[pairs[:, 0], pairs[:, 1]] for m, S in sims.items()}
        row["band_pairs"] = {"pairs": len(pairs), "same_story": int(y.sum()), "k": max(ks)}
        row["auc"] = {m: round(auc(c, y), 4) for m, c in cos.items()}
        t_mini = best_f1_threshold(cos["minilm"], y)
        mini_yes = cos["minilm"] >= t_mini
        row["minilm_threshold"] = round(t_mini, 4)
        row["band_in_sample"] = {m: cascade(cos[m], mini_yes, y, pairs, n, *band(cos[m], mini_yes))
                                 for m in ("static", "static_full", "tfidf")}
        scored[name] = {"cos": cos, "mini_yes": mini_yes, "y": y, "pairs": pairs, "n": n}
        out["corpora"][name] = row
        print(name, json.dumps(row), file=sys.stderr)
    if len(scored) == 2:  # out of sample: the band fitted on one corpus, applied to the other
        (na, A), (nb, B) = scored.items()
        out["band_transfer"] = {}
        for fit, (test_name, test) in ((A, (nb, B)), (B, (na, A))):
            out["band_transfer"][test_name] = {
                m: cascade(test["cos"][m], test["mini_yes"], test["y"], test["pairs"], test["n"],
                           *band(fit["cos"][m], fit["mini_yes"]))
                for m in ("static", "static_full", "tfidf")}
        print("band_transfer", json.dumps(out["band_transfer"]), file=sys.stderr)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
