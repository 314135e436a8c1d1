"""The ingest stage: read every input into articles sorted by id (per chunk of input files, then merged)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from storyline.executors import Checkpoints, Executor, get_executor
from storyline.executors.shards import SHARD_SIZE, read_sharded
from storyline.progress import Reporter
from storyline.stage import Run, Stage


def load(
    paths: Sequence[str | Path],
    fields: Mapping[str, str] | None = None,
    reporter: Reporter | None = None,
    executor: str | Executor | None = None,
    shard_size: int = SHARD_SIZE,
    checkpoints: Checkpoints | None = None,
):
    """Read every input; articles sorted by id so that nothing downstream depends on input order.

    Without ``executor`` the articles come back as a list; with one, as
    :class:`~storyline.executors.shards.ShardedArticles` held by it.
    """
    reporter = reporter or Reporter(show=False)
    ex = get_executor(executor)
    with reporter.stage("ingest") as task:
        corpus, skipped = read_sharded(ex, list(paths), fields, shard_size, checkpoints=checkpoints)
        ex.wait(corpus.shards)
        task.advance(len(corpus))
    return (list(corpus) if executor is None else corpus), skipped


class IngestStage(Stage):
    """``run.paths`` -> ``run.articles`` (held by the run's executor) and ``run.skipped``."""

    name = "ingest"
    needs = ("paths",)
    makes = ("articles", "skipped")

    def __call__(self, run: Run) -> None:
        run.articles, run.skipped = load(run.paths, run.fields, run.reporter, run.executor, run.shard_size,
                                         run.checkpoints)
