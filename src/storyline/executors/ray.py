"""The Ray executor: shard steps as Ray tasks, results in Ray's object store.

``ray`` is imported only when this executor is made; without the ``ray`` extra,
asking for it fails with the command that installs it. Handles are object
references: a step's output stays in the object store (spilling to disk when it
fills) and is passed to the next step's tasks by reference, so the driver only
ever holds what a step explicitly gathers.

Regrouping is a hash shuffle on plain tasks by default (``shuffle="tasks"``): each
split task returns its ``n_out`` pieces as separate objects (``num_returns``), and
each combine task receives the pieces with its number. ``shuffle="data"`` does the
grouping with Ray Data instead: the split tasks' pieces become rows of a dataset
(piece number, shard number, the pickled piece), ``groupby(piece number)`` with
``map_groups`` combines each group, and each combined output is put back in the
object store. It gives the same outputs; measured on LSH bucketing it is the slower
of the two, and every combined output passes through the driver once.
"""

from __future__ import annotations

import functools
import logging
import os
import pickle
from collections.abc import Callable, Sequence
from typing import Any

from storyline.errors import require
from storyline.executors.base import Handle, one_blas_thread, per_shard_args

log = logging.getLogger(__name__)

#: Environment for worker processes: one BLAS/OpenMP thread per task (tasks are the parallelism).
WORKER_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    with one_blas_thread():
        return fn(*args)


def _checked_split(n_out: int, split: Callable[..., list[Any]], *args: Any) -> Any:
    with one_blas_thread():
        parts = split(*args)
    if len(parts) != n_out:
        raise ValueError(f"split gave {len(parts)} pieces, expected {n_out}")
    return parts[0] if n_out == 1 else tuple(parts)


def _pieces_table(n_out: int, split: Callable[..., list[Any]], index: int, *args: Any) -> Any:
    """A split task's pieces as rows (piece number, shard number, pickled piece) for Ray Data."""
    import pyarrow as pa

    with one_blas_thread():
        parts = split(*args)
    if len(parts) != n_out:
        raise ValueError(f"split gave {len(parts)} pieces, expected {n_out}")
    blobs = [pickle.dumps(p, protocol=pickle.HIGHEST_PROTOCOL) for p in parts]
    return pa.table({"part": list(range(n_out)), "shard": [index] * n_out, "blob": pa.array(blobs, pa.large_binary())})


def _combine_group(combine: Callable[..., Any], batch: dict[str, Any]) -> dict[str, Any]:
    """One group of rows (all pieces with one number), combined in shard order."""
    import numpy as np

    order = np.argsort(batch["shard"], kind="stable")
    with one_blas_thread():
        out = combine(*[pickle.loads(batch["blob"][i]) for i in order])
    blob = np.empty(1, dtype=object)
    blob[0] = pickle.dumps(out, protocol=pickle.HIGHEST_PROTOCOL)
    return {"part": batch["part"][:1], "blob": blob}


SHUFFLES = ("tasks", "data")


class RayExecutor:
    """Runs shard steps as Ray tasks on a local Ray instance or an existing cluster.

    ``address``: ``None`` starts a local instance (``num_cpus`` CPUs, default all);
    ``"auto"`` or ``"ray://host:10001"`` joins a running cluster. If Ray is already
    initialised in this process, that instance is used and left running.
    ``object_store_memory`` (bytes) caps a local instance's object store.
    ``shuffle``: how :meth:`regroup` groups pieces: ``"tasks"`` (default, plain tasks)
    or ``"data"`` (Ray Data's ``groupby``); the outputs are the same.
    """

    name = "ray"

    def __init__(
        self,
        address: str | None = None,
        num_cpus: int | None = None,
        object_store_memory: int | None = None,
        shuffle: str = "tasks",
        **init_kwargs: Any,
    ):
        if shuffle not in SHUFFLES:
            from storyline.errors import StorylineError

            raise StorylineError(f"unknown shuffle {shuffle!r}; known: {', '.join(SHUFFLES)}", "E020")
        ray = require("ray", "ray", "for --executor ray")
        self.shuffle = shuffle
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {
                "include_dashboard": False,
                "log_to_driver": True,
                "logging_level": logging.WARNING,
                "runtime_env": {"env_vars": dict(WORKER_ENV)},
            }
            if address is None:
                kwargs["num_cpus"] = num_cpus
                if object_store_memory:
                    kwargs["object_store_memory"] = int(object_store_memory)
            kwargs.update(init_kwargs)
            ray.init(address=address, **kwargs)
            self._started = True
        self._task = ray.remote(_call)
        # a whole-stage step holds a lot for once: its worker exits after it, giving the memory back
        self._once = ray.remote(max_calls=1)(_call)
        self._split = ray.remote(_checked_split)

    @property
    def workers(self) -> int:
        try:
            return max(1, int(self._ray.cluster_resources().get("CPU", 1)))
        except Exception:  # resources can be unknown for a moment while a cluster scales
            return os.cpu_count() or 1

    def map_shards(
        self,
        fn: Callable[..., Any],
        shards: Sequence[Handle],
        *args: Any,
        desc: str = "",
        returns: int = 1,
        numeric: bool = False,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
        gpus: float = 0.0,
    ) -> list[Handle]:
        options: dict[str, Any] = {"num_returns": returns, "name": f"storyline:{desc or fn.__name__}"}
        if gpus:
            options["num_gpus"] = gpus
        task = self._task.options(**options)
        out = []
        for s, extra in zip(shards, per_shard_args(shards, shard_args)):
            ref = task.remote(fn, s, *extra, *args)
            out.append(tuple(ref) if returns > 1 else ref)
        return out

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        return self._once.options(name=f"storyline:{getattr(fn, '__name__', 'step')}").remote(fn, *args)

    def regroup(
        self,
        shards: Sequence[Handle],
        split: Callable[..., list[Any]],
        n_out: int,
        combine: Callable[..., Any],
        *args: Any,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
    ) -> list[Handle]:
        if self.shuffle == "data" and len(shards):
            return self._regroup_data(shards, split, n_out, combine, *args, shard_args=shard_args)
        task = self._split.options(num_returns=n_out, name="storyline:split")
        pieces = []
        for s, extra in zip(shards, per_shard_args(shards, shard_args)):
            ref = task.remote(n_out, split, s, *extra, *args)
            pieces.append([ref] if n_out == 1 else list(ref))
        combine_task = self._task.options(name="storyline:combine")
        return [combine_task.remote(combine, *[p[t] for p in pieces]) for t in range(n_out)]

    def _regroup_data(
        self,
        shards: Sequence[Handle],
        split: Callable[..., list[Any]],
        n_out: int,
        combine: Callable[..., Any],
        *args: Any,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
    ) -> list[Handle]:
        require("pyarrow", "ray", "for Ray Data")
        task = self._ray.remote(_pieces_table).options(name="storyline:split")
        tables = []
        for i, (s, extra) in enumerate(zip(shards, per_shard_args(shards, shard_args))):
            tables.append(task.remote(n_out, split, i, s, *extra, *args))
        context = self._ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # the run's own progress bars say where it is
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        ds = self._ray.data.from_arrow_refs(tables)
        rows = ds.groupby("part").map_groups(functools.partial(_combine_group, combine), batch_format="numpy")
        out: list[Handle] = [None] * n_out
        for row in rows.iter_rows():
            out[int(row["part"])] = self._ray.put(pickle.loads(row["blob"]))
        return out

    def share(self, value: Any) -> Handle:
        return self._ray.put(value)

    def gather(self, handles: Sequence[Handle]) -> list[Any]:
        return list(self._ray.get(list(handles))) if len(handles) else []

    def wait(self, handles: Sequence[Handle]) -> None:
        refs = [h for h in handles if isinstance(h, self._ray.ObjectRef)]
        if refs:
            self._ray.wait(refs, num_returns=len(refs), fetch_local=False)

    def close(self) -> None:
        if self._started and self._ray.is_initialized():
            self._ray.shutdown()
        self._started = False

    def __repr__(self) -> str:
        return f"RayExecutor(started_here={self._started}, shuffle={self.shuffle!r})"
