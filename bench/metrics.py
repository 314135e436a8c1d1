"""Clustering scores shared by the evaluation scripts and the tests.

Everything is computed from the contingency table of (gold, found) label pairs, so a
million articles with stories of thousands cost seconds and a few arrays of n integers.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np


def _codes(xs: Sequence[Hashable]) -> np.ndarray:
    # labels of any hashable type (ints, strings, None) as dense integer codes
    index: dict[Hashable, int] = {}
    return np.fromiter((index.setdefault(x, len(index)) for x in xs), dtype=np.int64, count=len(xs))


def _table(labels: Sequence[Hashable], pred: Sequence[Hashable]):
    """Non-zero cells of the contingency table and, per cell, its gold and found cluster sizes."""
    g, p = _codes(labels), _codes(pred)
    cells, inv, n_ij = np.unique(g * (int(p.max(initial=0)) + 1) + p, return_inverse=True, return_counts=True)
    first = np.zeros(len(cells), dtype=np.int64)
    first[inv.ravel()] = np.arange(len(g))
    a = np.bincount(g)[g[first]]  # gold size of each cell's gold cluster
    b = np.bincount(p)[p[first]]
    return n_ij.astype(np.float64), a.astype(np.float64), b.astype(np.float64), np.bincount(g), np.bincount(p)


def bcubed(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 (Bagga & Baldwin 1998)."""
    n = len(labels)
    if n == 0:
        return 0.0, 0.0, 0.0
    n_ij, a, b, _, _ = _table(labels, pred)
    prec = float((n_ij * n_ij / b).sum()) / n
    rec = float((n_ij * n_ij / a).sum()) / n
    return prec, rec, (2 * prec * rec / (prec + rec) if prec + rec else 0.0)


def pairwise_f1(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> float:
    """F1 over the pairs of articles put in one story (gold pairs against found pairs)."""
    if len(labels) == 0:
        return 1.0
    n_ij, _, _, ga, pb = _table(labels, pred)

    def pairs(x: np.ndarray) -> float:
        x = x.astype(np.float64)
        return float((x * (x - 1) / 2).sum())

    tp, g, p = pairs(n_ij), pairs(ga), pairs(pb)
    if not g and not p:
        return 1.0
    prec = tp / p if p else 0.0
    rec = tp / g if g else 0.0
    return 2 * prec * rec / (prec + rec) if prec + rec else 0.0


def scores(labels: Sequence[Hashable], pred: Sequence[Hashable]) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, v_measure_score

    g, p = _codes(labels), _codes(pred)
    bp, br, bf = bcubed(labels, pred)
    return {
        "ari": round(float(adjusted_rand_score(g, p)), 4),
        "bcubed_precision": round(bp, 4),
        "bcubed_recall": round(br, 4),
        "bcubed_f1": round(bf, 4),
        "v_measure": round(float(v_measure_score(g, p)), 4),
        "pairwise_f1": round(pairwise_f1(labels, pred), 4),
        "n_stories": int(p.max(initial=-1)) + 1,
        "n_labels": int(g.max(initial=-1)) + 1,
    }
