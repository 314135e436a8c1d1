"""Nearest stored embeddings within a time window, kept in memory by day.

Why no ANN index: the story window bounds which articles a new one may join, so
the candidates are the articles of a few days around it (thousands, even with
millions stored). Their vectors are loaded from the store per day, cached, and
scanned exactly with one matrix product, which takes a millisecond or two and
needs no index file to keep consistent with the database after a crash.
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from storyline.store.db import EMBED_DTYPE, Store


def _one_thread() -> Callable[[], contextlib.AbstractContextManager[Any]]:
    """A context that runs BLAS on one thread: a matrix-vector product this small is memory-bound,
    and on a busy machine BLAS threads waiting for each other made it 20x slower (measured)."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        return contextlib.nullcontext
    ctl = ThreadpoolController()
    return lambda: ctl.limit(limits=1, user_api="blas")


class _Day:
    """One day's vectors in a buffer that grows by doubling (appends stay O(1) amortised)."""

    __slots__ = ("ids", "mat", "n")

    def __init__(self, dim: int) -> None:
        self.ids = np.zeros(16, dtype=np.int64)
        self.mat = np.zeros((16, dim), dtype=EMBED_DTYPE)
        self.n = 0

    def add(self, rowid: int, vec: np.ndarray) -> None:
        if self.n == len(self.ids):
            self.ids = np.resize(self.ids, 2 * self.n)
            grown = np.zeros((2 * self.n, self.mat.shape[1]), dtype=EMBED_DTYPE)
            grown[: self.n] = self.mat
            self.mat = grown
        self.ids[self.n] = rowid
        self.mat[self.n] = vec
        self.n += 1

    def view(self) -> tuple[np.ndarray, np.ndarray]:
        return self.ids[: self.n], self.mat[: self.n]


class VectorWindow:
    """Exact cosine search over the stored embeddings of the days around a time.

    Use it from the writing thread. ``search`` first catches up with rows any
    process committed since the last call, so several writers stay consistent;
    a rolled-back write drops the cache (the rowids it saw may be reused).
    """

    def __init__(self, store: Store, dim: int = 384, max_days: int = 16) -> None:
        self.store = store
        self.dim = dim
        self.max_days = max_days
        self._days: OrderedDict[int, _Day] = OrderedDict()
        self._seen = -1
        self._blas = _one_thread()
        store.on_rollback(self.reset)

    def reset(self) -> None:
        self._days.clear()
        self._seen = -1

    def _catch_up(self) -> None:
        con = self.store.con
        if self._seen < 0:
            self._seen = con.execute("SELECT coalesce(max(article_rowid), 0) FROM embeddings").fetchone()[0]
            return
        rows = con.execute(
            "SELECT article_rowid, day, vec FROM embeddings WHERE article_rowid > ? ORDER BY article_rowid",
            (self._seen,),
        ).fetchall()
        for rid, day, blob in rows:
            d = self._days.get(day)
            if d is not None:
                d.add(rid, np.frombuffer(blob, dtype=EMBED_DTYPE))
            self._seen = max(self._seen, rid)

    def _day(self, day: int) -> _Day:
        d = self._days.get(day)
        if d is not None:
            self._days.move_to_end(day)
            return d
        d = _Day(self.dim)
        rows = self.store.con.execute(
            "SELECT article_rowid, vec FROM embeddings WHERE day = ? AND article_rowid <= ?",
            (day, self._seen),
        ).fetchall()
        if rows:
            n = len(rows)
            cap = max(16, 1 << (n - 1).bit_length())
            d.ids = np.zeros(cap, dtype=np.int64)
            d.ids[:n] = [r[0] for r in rows]
            d.mat = np.zeros((cap, self.dim), dtype=EMBED_DTYPE)
            d.mat[:n] = np.frombuffer(b"".join(r[1] for r in rows), dtype=EMBED_DTYPE).reshape(n, self.dim)
            d.n = n
        self._days[day] = d
        while len(self._days) > self.max_days:
            self._days.popitem(last=False)
        return d

    def search(self, vec: np.ndarray, ts: int, window_s: int, k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` stored articles most similar to ``vec`` among those dated within ``window_s`` of ``ts``.

        Whole days are scanned, so the window is rounded out to day boundaries.
        """
        self._catch_up()
        lo, hi = (ts - window_s) // 86400, (ts + window_s) // 86400
        q = np.asarray(vec, dtype=EMBED_DTYPE)
        id_parts, score_parts = [], []
        with self._blas():
            for day in range(lo, hi + 1):
                ids, mat = self._day(day).view()
                if len(ids):
                    id_parts.append(ids)
                    score_parts.append(mat @ q)
        if not id_parts:
            return []
        ids = np.concatenate(id_parts)
        scores = np.concatenate(score_parts)
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(ids[i]), float(scores[i])) for i in top]
