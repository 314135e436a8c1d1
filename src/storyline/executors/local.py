"""The local executor: every shard step in this process, handles are the values themselves."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from storyline.executors.base import Handle, one_blas_thread, per_shard_args


class LocalExecutor:
    """Runs shard steps in process, one after another.

    Steps marked ``numeric`` (matrix products, sorting) run on a pool of
    ``workers`` threads: numpy releases the GIL there, and every step uses one BLAS
    thread, as in any other executor, so the results are the same bit for bit.
    """

    name = "local"

    def __init__(self, workers: int | None = None):
        self._workers = max(1, int(workers or os.cpu_count() or 1))
        self._pool: ThreadPoolExecutor | None = None

    @property
    def workers(self) -> int:
        return self._workers

    def map_shards(
        self,
        fn: Callable[..., Any],
        shards: Sequence[Handle],
        *args: Any,
        desc: str = "",
        returns: int = 1,
        numeric: bool = False,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
        gpus: float = 0.0,  # in process: the step uses whatever device it finds
    ) -> list[Handle]:
        extra = per_shard_args(shards, shard_args)

        def call(i: int) -> Any:
            return fn(shards[i], *extra[i], *args)

        with one_blas_thread():
            if numeric and self._workers > 1 and len(shards) > 1:
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="storyline")
                return list(self._pool.map(call, range(len(shards))))
            return [call(i) for i in range(len(shards))]

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        with one_blas_thread():
            return fn(*args)

    def regroup(
        self,
        shards: Sequence[Handle],
        split: Callable[..., list[Any]],
        n_out: int,
        combine: Callable[..., Any],
        *args: Any,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
    ) -> list[Handle]:
        with one_blas_thread():
            pieces = []
            for s, extra in zip(shards, per_shard_args(shards, shard_args)):
                parts = split(s, *extra, *args)
                if len(parts) != n_out:
                    raise ValueError(f"split gave {len(parts)} pieces, expected {n_out}")
                pieces.append(parts)
            return [combine(*[p[t] for p in pieces]) for t in range(n_out)]

    def share(self, value: Any) -> Handle:
        return value

    def gather(self, handles: Sequence[Handle]) -> list[Any]:
        return list(handles)

    def wait(self, handles: Sequence[Handle]) -> None:
        return None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def __repr__(self) -> str:
        return f"LocalExecutor(workers={self._workers})"
