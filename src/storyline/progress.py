"""Progress bars and stage timings, shared by the pipeline and the CLI."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Reporter:
    """Times each stage; draws Rich progress bars when asked to and stderr is a terminal."""

    def __init__(self, show: bool | None = None):
        self.timings: dict[str, float] = {}
        if show is None:
            show = sys.stderr.isatty()
        self._progress = None
        if show:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("{task.description:<12}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._progress.start()

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[_Task]:
        task = _Task(self._progress, name, total)
        t0 = time.perf_counter()
        try:
            yield task
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - t0
            task.done()

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None


class _Task:
    def __init__(self, progress, name: str, total: int | None):
        self._p = progress
        self._id = progress.add_task(name, total=total) if progress is not None else None

    def advance(self, n: int = 1) -> None:
        if self._p is not None:
            self._p.advance(self._id, n)

    def total(self, total: int) -> None:
        if self._p is not None:
            self._p.update(self._id, total=total)

    def done(self) -> None:
        if self._p is None:
            return
        t = next(t for t in self._p.tasks if t.id == self._id)
        total = t.total if t.total is not None else max(t.completed, 1)
        self._p.update(self._id, total=total, completed=total)
