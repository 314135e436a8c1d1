"""The executor contract: where the pipeline's shard steps run, and how shards are regrouped.

The pipeline is written once, as pure step functions over *shards* (lists of
articles, blocks of rows, chunks of pairs). An executor only decides where those
functions run and where their results live:

* :meth:`Executor.map_shards` applies a picklable function to every shard;
* :meth:`Executor.submit` runs one function on some handles (a step that needs a
  whole stage's output, such as the boilerplate fit);
* :meth:`Executor.regroup` is the shuffle: every shard is split into ``n_out``
  pieces and the pieces with the same number are combined (LSH buckets by key,
  articles into id order);
* :meth:`Executor.share` puts read-only data (vectors, document frequencies) where
  every task can read it, and :meth:`Executor.gather` brings results back.

Results are *handles*: the value itself for the local executor, an object
reference for Ray. Nothing here knows about matching, clustering or provenance.

Every shard function runs with one BLAS thread, in every executor: matrix
products give bit-identical results only for the same thread count, and the same
results on one laptop and on a cluster is the point of the contract.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

__all__ = [
    "Checkpoints",
    "Executor",
    "Handle",
    "connected_components",
    "fingerprint",
    "one_blas_thread",
    "per_shard_args",
]

Handle = Any  # a value (local executor) or an object reference (Ray)


@runtime_checkable
class Executor(Protocol):
    """Where shard steps run. Implementations: :class:`~storyline.executors.local.LocalExecutor`,
    :class:`~storyline.executors.ray.RayExecutor`."""

    name: str

    @property
    def workers(self) -> int:
        """How many shard steps can run at once (used to size shards of work)."""
        ...

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
        """``fn(shard, *shard_args[i], *args)`` for every shard, in shard order.

        ``returns > 1``: ``fn`` returns a tuple and each element gets its own
        handle (a list of tuples of handles comes back), so a small part of a
        result can be gathered while a large part stays where it is.
        ``numeric``: the step spends its time in numpy/BLAS, which release the GIL
        (a local executor may then run shards on threads).
        ``gpus``: GPUs each call needs (a cluster executor schedules it on a node that
        has them; a local executor runs it in process, on whatever the step finds).
        """
        ...

    def submit(self, fn: Callable[..., Any], *args: Any) -> Handle:
        """``fn(*args)`` once; handles among ``args`` are resolved to their values."""
        ...

    def regroup(
        self,
        shards: Sequence[Handle],
        split: Callable[..., list[Any]],
        n_out: int,
        combine: Callable[..., Any],
        *args: Any,
        shard_args: Sequence[tuple[Any, ...]] | None = None,
    ) -> list[Handle]:
        """The shuffle: ``split(shard, *shard_args[i], *args)`` gives ``n_out`` pieces per shard;
        output ``t`` is ``combine(piece_t_of_shard_0, piece_t_of_shard_1, ...)``."""
        ...

    def share(self, value: Any) -> Handle:
        """Read-only data for many tasks (stored once)."""
        ...

    def gather(self, handles: Sequence[Handle]) -> list[Any]:
        """The values behind handles, in order."""
        ...

    def wait(self, handles: Sequence[Handle]) -> None:
        """Block until the steps behind ``handles`` have finished (their values stay where they are)."""
        ...

    def close(self) -> None:
        """Release what the executor started (a local Ray instance, thread pools)."""
        ...


def per_shard_args(shards: Sequence[Handle], shard_args: Sequence[tuple[Any, ...]] | None) -> list[tuple[Any, ...]]:
    """Each shard's own leading arguments (``shard_args[i]``; none when ``shard_args`` is None)."""
    return [tuple(a) for a in shard_args] if shard_args is not None else [()] * len(shards)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Run numpy/scipy with one BLAS thread (see the module docstring for why)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


# --------------------------------------------------------------------------- checkpoints


def fingerprint(*parts: Any) -> str:
    """A short stable key for the inputs of a stage (JSON-able parts; order matters).

    Callers put a stage version among the parts: bump it when a stage's output changes.
    """
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.blake2b(blob, digest_size=12).hexdigest()


class Checkpoints:
    """Per-shard results on disk, each with a completion marker, so that a rerun skips finished shards.

    A shard counts as finished when its marker exists, names the same key (a
    fingerprint of everything the result depends on) and its data file exists.
    Data is written first and the marker last, both by atomic rename, so a run
    killed half-way leaves no marker for a half-written shard. On a multi-node
    cluster the folder must be on a filesystem every node sees.
    """

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _paths(self, stage: str, index: int) -> tuple[Path, Path]:
        folder = self.root / stage
        return folder / f"shard-{index:05d}.pkl", folder / f"shard-{index:05d}.done"

    def done(self, stage: str, index: int, key: str) -> bool:
        data, marker = self._paths(stage, index)
        if not (marker.is_file() and data.is_file()):
            return False
        try:
            return json.loads(marker.read_text()).get("key") == key
        except (OSError, ValueError):
            return False

    def load(self, stage: str, index: int) -> Any:
        data, _ = self._paths(stage, index)
        with data.open("rb") as fh:
            return pickle.load(fh)

    def save(self, stage: str, index: int, key: str, value: Any) -> None:
        data, marker = self._paths(stage, index)
        data.parent.mkdir(parents=True, exist_ok=True)
        _atomic(data, lambda fh: pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL), "wb")
        _atomic(marker, lambda fh: fh.write(json.dumps({"key": key, "data": data.name})), "w")

    def count_done(self, stage: str, keys: Sequence[str]) -> int:
        return sum(self.done(stage, i, k) for i, k in enumerate(keys))


def _atomic(path: Path, write: Callable[[Any], Any], mode: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class Cached:
    """A shard function that first looks for its checkpoint (picklable, so it runs inside tasks)."""

    def __init__(self, fn: Callable[..., Any], store: Checkpoints, stage: str):
        self.fn, self.store, self.stage = fn, store, stage

    def __call__(self, shard: Any, index: int, key: str, *args: Any) -> Any:
        if self.store.done(self.stage, index, key):
            return self.store.load(self.stage, index)
        value = self.fn(shard, *args)
        self.store.save(self.stage, index, key, value)
        return value


def map_cached(
    executor: Executor,
    fn: Callable[..., Any],
    shards: Sequence[Handle],
    *args: Any,
    store: Checkpoints | None,
    stage: str,
    keys: Sequence[str],
    desc: str = "",
    returns: int = 1,
    numeric: bool = False,
    gpus: float = 0.0,
) -> list[Handle]:
    """:meth:`Executor.map_shards` with a checkpoint per shard when ``store`` is set.

    ``keys[i]`` fingerprints everything shard ``i``'s result depends on.
    """
    more = {"gpus": gpus} if gpus else {}
    if store is None:
        return executor.map_shards(fn, shards, *args, desc=desc, returns=returns, numeric=numeric, **more)
    return executor.map_shards(
        Cached(fn, store, stage), shards, *args, desc=desc, returns=returns, numeric=numeric,
        shard_args=[(i, k) for i, k in enumerate(keys)], **more,
    )


# --------------------------------------------------------------------------- connected components


def _local_components(edges: np.ndarray) -> np.ndarray:
    """(node, smallest node of its component) for every node of one shard of edges."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components as cc

    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if len(edges) == 0:
        return np.zeros((0, 2), dtype=np.int64)
    nodes, inv = np.unique(edges.ravel(), return_inverse=True)
    inv = inv.reshape(-1, 2)
    m = len(nodes)
    g = coo_matrix((np.ones(len(inv), dtype=np.int8), (inv[:, 0], inv[:, 1])), shape=(m, m))
    _, comp = cc(g, directed=False)
    low = np.full(comp.max() + 1, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(low, comp, nodes)
    return np.stack([nodes, low[comp]], axis=1)


def _find_all(parent: np.ndarray) -> np.ndarray:
    """Point every node straight at its root (pointer jumping; roots are the smallest members)."""
    while True:
        grand = parent[parent]
        if np.array_equal(grand, parent):
            return parent
        parent = grand


def connected_components(executor: Executor, n: int, edge_shards: Sequence[Handle]) -> np.ndarray:
    """Component of every node 0..n-1 (its smallest member) from shards of undirected edges.

    Each shard is reduced to (node, local root) links by a task; the driver then
    merges the links shard by shard with a union-find over an ``n``-array, so memory
    is O(n + one shard) whatever the number of edges.
    """
    parent = np.arange(n, dtype=np.int64)
    for links in executor.gather(executor.map_shards(_local_components, edge_shards, desc="components")):
        if len(links) == 0:
            continue
        parent = _find_all(parent)
        a, b = parent[links[:, 0]], parent[links[:, 1]]
        # union the roots of both ends: the merged edges form a small graph of roots
        roots = _local_components(np.stack([a, b], axis=1))
        parent[roots[:, 0]] = np.minimum(parent[roots[:, 0]], roots[:, 1])
    return _find_all(parent)
