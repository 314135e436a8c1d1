"""The candidates stage: the cheap steps of the cascade, with the LSH and neighbour searches run by the
executor (regroup: LSH buckets by band key; every neighbour task sees all vectors)."""

from __future__ import annotations

import numpy as np

from storyline.config import Config
from storyline.executors import Executor
from storyline.fingerprint.sharded import lsh_pairs
from storyline.stage import Run, Stage


def neighbour_block(n: int) -> int:
    """Rows per matrix product: as in candidates.neighbour_pairs, capped to about 256 MB of similarities."""
    return int(max(16, min(2048, (1 << 26) // max(n, 1))))


def _neighbour_rows(span: tuple[int, int], V: np.ndarray, k: int, min_cosine: float, block: int):
    """Each row's k nearest neighbours by cosine for rows span[0]..span[1] (exact, blocked products)."""
    n = len(V)
    rows, cols = [], []
    for s in range(span[0], span[1], block):
        sims = V[s : s + block] @ V.T
        idx = np.arange(s, min(n, s + block))
        sims[idx - s, idx] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        ok = vals >= min_cosine
        rows.append(np.repeat(idx, k)[ok.ravel()])
        cols.append(part.ravel()[ok.ravel()])
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def sharded_neighbour_pairs(ex: Executor, vectors: np.ndarray, k: int, min_cosine: float) -> np.ndarray:
    """candidates.neighbour_pairs with row blocks spread over tasks (regroup: every task sees all vectors)."""
    from storyline.candidates import _as_pairs

    n = len(vectors)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    V = np.ascontiguousarray(vectors, dtype=np.float32)
    block = neighbour_block(n)
    per_task = block * max(1, -(-n // (block * 4 * ex.workers)))
    spans = [(s, min(n, s + per_task)) for s in range(0, n, per_task)]
    found = ex.gather(ex.map_shards(_neighbour_rows, spans, ex.share(V), k, min_cosine, block, desc="neighbours",
                                    numeric=True))
    return _as_pairs(np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found]))


def _top_k(sims: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int, min_cosine: float):
    """(row, column) of each row's k largest similarities that reach ``min_cosine`` (sims is overwritten)."""
    kk = min(k, sims.shape[1])
    np.negative(sims, out=sims)
    part = np.argpartition(sims, kk - 1, axis=1)[:, :kk]
    ok = -np.take_along_axis(sims, part, axis=1) >= min_cosine
    return np.repeat(rows, kk)[ok.ravel()], cols[part.ravel()[ok.ravel()]]


def _window_block(task: tuple[int, int, int, int], V: np.ndarray, days: np.ndarray, dated: np.ndarray,
                  undated: np.ndarray, k: int, min_cosine: float, window: float) -> tuple[np.ndarray, np.ndarray]:
    """One task of the window-scoped search.

    ``(a, b, lo, hi)``: the dated articles ``dated[a:b]`` (time order) against
    ``dated[lo:hi]`` and all undated ones; ``(a, b, -1, -1)``: the undated articles
    ``undated[a:b]`` against everything.
    """
    a, b, lo, hi = task
    if lo < 0:
        rows = undated[a:b]
        sims = V[rows] @ V.T
        sims[np.arange(len(rows)), rows] = -np.inf
        return _top_k(sims, rows, np.arange(len(V)), k, min_cosine)
    rows = dated[a:b]
    cols = np.concatenate([dated[lo:hi], undated])
    sims = V[rows] @ V[cols].T
    tw = days[dated[lo:hi]]

    def near(t: float, c: int) -> bool:  # within_window's own test, so that the two agree to the last bit
        return not abs(t - tw[c]) > window

    for i, t in enumerate(days[rows].tolist()):
        first = int(np.searchsorted(tw, t - window, side="left"))
        while first > 0 and near(t, first - 1):
            first -= 1
        while first < len(tw) and not near(t, first):
            first += 1
        last = int(np.searchsorted(tw, t + window, side="right"))
        while last < len(tw) and near(t, last):
            last += 1
        while last > first and not near(t, last - 1):
            last -= 1
        sims[i, :first] = -np.inf
        sims[i, last : len(tw)] = -np.inf
        sims[i, a + i - lo] = -np.inf  # itself
    return _top_k(sims, rows, cols, k, min_cosine)


def _window_span(t: np.ndarray, first: int, last: int, window: float) -> tuple[int, int]:
    """The columns [lo, hi) of sorted times ``t`` that rows first..last may pair with, by within_window's test."""

    def near(i: int, c: int) -> bool:
        return not abs(t[i] - t[c]) > window

    lo = int(np.searchsorted(t, t[first] - window, side="left"))
    while lo > 0 and near(first, lo - 1):
        lo -= 1
    while lo < first and not near(first, lo):
        lo += 1
    hi = int(np.searchsorted(t, t[last] + window, side="right"))
    while hi < len(t) and near(last, hi):
        hi += 1
    while hi > last + 1 and not near(last, hi - 1):
        hi -= 1
    return lo, hi


def window_neighbour_pairs(ex: Executor, vectors: np.ndarray, days: np.ndarray, k: int, min_cosine: float,
                            window: float) -> np.ndarray:
    """Each article's k nearest neighbours among the articles it may pair with in time.

    ``within_window`` drops every pair published more than ``window`` days apart, so
    searching only the articles inside the window (and those without a date)
    costs O(n x articles per window) instead of O(n^2), and finds more neighbours
    that can be kept. Articles without a date are compared with all others.
    """
    from storyline.candidates import _as_pairs

    n = len(vectors)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    V = np.ascontiguousarray(vectors, dtype=np.float32)
    days = np.asarray(days, dtype=np.float64)
    undated = np.flatnonzero(np.isnan(days))
    dated = np.argsort(days, kind="stable")[: n - len(undated)]  # NaN sort last
    t = days[dated]
    tasks: list[tuple[int, int, int, int]] = []
    budget = 1 << 25  # similarities per product (128 MB, and twice that for the sort)
    a = 0
    while a < len(dated):
        b, step = a + 1, 16
        # grow the block while rows x (window columns + undated) stays within budget
        while b < len(dated):
            nb = min(len(dated), b + step)
            lo = np.searchsorted(t, t[a] - window, side="left")
            hi = np.searchsorted(t, t[nb - 1] + window, side="right")
            if (nb - a) * (hi - lo + len(undated)) > budget or nb - a > 2048:
                break
            b, step = nb, step * 2
        lo, hi = _window_span(t, a, b - 1, window)
        tasks.append((a, b, lo, hi))
        a = b
    block = neighbour_block(n)
    tasks += [(s, min(len(undated), s + block), -1, -1) for s in range(0, len(undated), block)]
    found = ex.gather(ex.map_shards(_window_block, tasks, ex.share(V), ex.share(days), ex.share(dated),
                                    ex.share(undated), k, min_cosine, window, desc="neighbours", numeric=True))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return _as_pairs(np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found]))


def sharded_candidates(
    ex: Executor, hashes: list[str], sigs: np.ndarray | None, vectors: np.ndarray, days: np.ndarray, cfg: Config,
    neighbour_scope: str = "corpus",
) -> tuple[np.ndarray, dict[str, int]]:
    """candidates.candidate_pairs, with the LSH and neighbour steps run by the executor.

    ``neighbour_scope="window"`` searches each article's neighbours among the
    articles inside its time window only (see :func:`window_neighbour_pairs`).
    """
    from storyline.candidates import exact_pairs, within_window
    from storyline.fingerprint import lsh_params

    found = {"exact": exact_pairs(hashes)}
    if sigs is not None and len(sigs) > 1:
        b, r = lsh_params(cfg.lexical.threshold, cfg.lexical.num_perm)
        found["minhash"] = lsh_pairs(ex, sigs, b, r, cfg.lexical.max_bucket)
    if neighbour_scope == "window":
        found["vector"] = window_neighbour_pairs(ex, vectors, days, cfg.semantic.neighbours,
                                                  cfg.semantic.min_cosine, cfg.match.window_days)
    elif neighbour_scope == "corpus":
        found["vector"] = sharded_neighbour_pairs(ex, vectors, cfg.semantic.neighbours, cfg.semantic.min_cosine)
    else:
        raise ValueError(f"neighbour_scope is 'corpus' or 'window', not {neighbour_scope!r}")
    allp = np.concatenate([p.reshape(-1, 2) for p in found.values()]).astype(np.int64)
    pairs = np.unique(allp, axis=0) if len(allp) else allp.reshape(0, 2)
    pairs = within_window(pairs, days, cfg.match.window_days)
    counts = {k: len(v) for k, v in found.items()}
    counts["total"] = len(pairs)
    return pairs, counts


class CandidatesStage(Stage):
    """``run.rep``, ``run.hashes``, ``run.sigs`` -> ``run.pairs`` (candidate pairs, i < j) and ``run.counts``."""

    name = "candidates"
    needs = ("rep", "hashes")
    makes = ("pairs", "counts")

    def __call__(self, run: Run) -> None:
        with run.reporter.stage("candidates"):
            run.pairs, run.counts = sharded_candidates(run.executor, run.hashes, run.sigs, run.rep.vectors,
                                                       run.rep.days, run.cfg, run.neighbour_scope)
