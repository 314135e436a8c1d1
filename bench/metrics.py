"""Clustering scores shared by the evaluation scripts and the tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from itertools import combinations


def bcubed(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998)."""
    gold, found = defaultdict(set), defaultdict(set)
    for i, (g, p) in enumerate(zip(labels, pred)):
        gold[g].add(i)
        found[p].add(i)
    prec = rec = 0.0
    for g, p in zip(labels, pred):
        inter = len(gold[g] & found[p])
        prec += inter / len(found[p])
        rec += inter / len(gold[g])
    n = max(len(labels), 1)
    prec, rec = prec / n, rec / n
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def pairwise_f1(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    def pairs(xs):
        groups = defaultdict(list)
        for i, x in enumerate(xs):
            groups[x].append(i)
        return {p for g in groups.values() for p in combinations(g, 2)}

    g, p = pairs(labels), pairs(pred)
    if not g and not p:
        return 1.0
    tp = len(g & p)
    prec = tp / len(p) if p else 0.0
    rec = tp / len(g) if g else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def scores(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    bp, br, bf = bcubed(labels, pred)
    return {
        "ari": round(float(adjusted_rand_score(labels, pred)), 4),
        "bcubed_precision": round(bp, 4),
        "bcubed_recall": round(br, 4),
        "bcubed_f1": round(bf, 4),
        "v_measure": round(float(v_measure_score(labels, pred)), 4),
        "pairwise_f1": round(pairwise_f1(labels, pred), 4),
        "n_stories": len(set(pred)),
        "n_labels": len(set(labels)),
    }
