"""Candidate pairs: the cheap steps of the cascade.

1. exact duplicates (same normalised content hash),
2. near-duplicates from MinHash LSH (bands x rows derived from a threshold),
3. nearest neighbours in the semantic vector space.
Pairs whose publication times (when both known) lie further apart than the
window are dropped: a story is one event, and events have a time.
"""

from __future__ import annotations

import numpy as np

from storyline.config import Config


def _as_pairs(i: np.ndarray, j: np.ndarray) -> np.ndarray:
    a, b = np.minimum(i, j), np.maximum(i, j)
    keep = a != b
    if not keep.any():
        return np.zeros((0, 2), dtype=np.int64)
    p = np.stack([a[keep], b[keep]], axis=1).astype(np.int64)
    return np.unique(p, axis=0)


def exact_pairs(hashes: list[str]) -> np.ndarray:
    """Pairs of articles with the same content hash: each member paired with the group's first."""
    first: dict[str, int] = {}
    rows = []
    for i, h in enumerate(hashes):
        if h in first:
            rows.append((first[h], i))
        else:
            first[h] = i
    return np.asarray(rows, dtype=np.int64).reshape(-1, 2)


def neighbour_pairs(vectors: np.ndarray, k: int, min_cosine: float, block: int = 2048) -> np.ndarray:
    """Each article's k nearest neighbours by cosine (exact, blocked matrix products).

    Exact search is fast enough up to a few hundred thousand articles on a laptop
    (``bench/bench_pipeline.py``); it also keeps the result independent of index
    build order, which approximate indexes do not guarantee.
    """
    n = len(vectors)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    V = np.ascontiguousarray(vectors, dtype=np.float32)
    rows, cols = [], []
    for s in range(0, n, block):
        sims = V[s : s + block] @ V.T
        idx = np.arange(s, min(n, s + block))
        sims[idx - s, idx] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        ok = vals >= min_cosine
        rows.append(np.repeat(idx, k)[ok.ravel()])
        cols.append(part.ravel()[ok.ravel()])
    return _as_pairs(np.concatenate(rows), np.concatenate(cols))


def within_window(pairs: np.ndarray, days: np.ndarray, window_days: float) -> np.ndarray:
    if len(pairs) == 0:
        return pairs
    gap = np.abs(days[pairs[:, 0]] - days[pairs[:, 1]])
    keep = ~(gap > window_days)  # NaN (a date unknown) keeps the pair
    return pairs[keep]


def candidate_pairs(
    hashes: list[str], signatures: np.ndarray | None, vectors: np.ndarray, days: np.ndarray, cfg: Config
) -> tuple[np.ndarray, dict[str, int]]:
    """Union of the cascade's candidates, unique and sorted; with a count per source."""
    from storyline.fingerprint import lsh_candidate_pairs, lsh_params

    found = {"exact": exact_pairs(hashes)}
    if signatures is not None and len(signatures) > 1:
        b, r = lsh_params(cfg.lexical.threshold, cfg.lexical.num_perm)
        found["minhash"] = lsh_candidate_pairs(signatures, b, r, max_bucket=cfg.lexical.max_bucket)
    found["vector"] = neighbour_pairs(vectors, cfg.semantic.neighbours, cfg.semantic.min_cosine)
    allp = np.concatenate([p.reshape(-1, 2) for p in found.values()]).astype(np.int64)
    pairs = np.unique(allp, axis=0) if len(allp) else allp.reshape(0, 2)
    pairs = within_window(pairs, days, cfg.match.window_days)
    counts = {k: len(v) for k, v in found.items()}
    counts["total"] = len(pairs)
    return pairs, counts
