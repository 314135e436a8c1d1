"""Executors: where the pipeline's shard steps run (in process, or on a Ray cluster).

``get_executor("local")`` and ``get_executor("ray", address=...)`` give an
:class:`~storyline.executors.base.Executor`; the pipeline's steps are the same
for every executor, and so are the stories they produce.
"""

from __future__ import annotations

from typing import Any

from storyline.errors import StorylineError
from storyline.executors.base import Checkpoints, Executor, connected_components
from storyline.executors.local import LocalExecutor

__all__ = ["EXECUTORS", "Checkpoints", "Executor", "LocalExecutor", "connected_components", "get_executor"]

EXECUTORS = ("local", "ray")
_DEFAULT: LocalExecutor | None = None


def get_executor(executor: str | Executor | None = "local", address: str | None = None, **options: Any) -> Executor:
    """An executor by name (``local``, ``ray``), or ``executor`` itself when it already is one.

    ``address`` is the Ray cluster to join (``auto``, ``ray://host:10001``); without
    it ``ray`` starts a local instance. Other options go to the executor
    (``workers`` for local; ``num_cpus``, ``object_store_memory`` for Ray).
    """
    global _DEFAULT
    if executor is None or executor == "local":
        if address:
            raise StorylineError("--address needs --executor ray", "E020")
        if options:
            return LocalExecutor(**options)
        if _DEFAULT is None:
            _DEFAULT = LocalExecutor()
        return _DEFAULT
    if isinstance(executor, str):
        if executor == "ray":
            from storyline.executors.ray import RayExecutor

            return RayExecutor(address=address, **options)
        raise StorylineError(f"unknown executor {executor!r}; known: {', '.join(EXECUTORS)}", "E020")
    if isinstance(executor, Executor):
        return executor
    raise StorylineError(f"not an executor: {executor!r}", "E020")
