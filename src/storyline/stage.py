"""The stage contract: one step of a run, one package.

A run is a chain of stages over one :class:`Run`. A stage is an object with a
``name``, the fields of the run it reads (``needs``) and the ones it sets
(``makes``), and ``__call__(run)``, which does its work and sets those fields.
Where a stage's work is per article, it runs on the run's shards through
``run.executor`` (:mod:`storyline.executors`); where it needs the whole corpus
(learning boilerplate, document frequencies, LSH buckets, the neighbour search,
connected components), the stage says so in its docstring and regroups through
the same executor. Every executor runs the same functions on the same shards,
so every executor gives the same stories.

Each stage lives in its package's ``stage`` module (``storyline.clean.stage``,
``storyline.verify.stage``, ...), next to the functions its tasks run, and
:mod:`storyline.pipeline` lists them in order: adding a stage is adding its
package and one line there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from storyline.config import Config
from storyline.executors import Checkpoints, Executor, get_executor
from storyline.executors.shards import SHARD_SIZE, ShardedArticles
from storyline.progress import Reporter

if TYPE_CHECKING:
    import numpy as np

    from storyline.model import Article, Skipped, Story
    from storyline.verify.features import Representation
    from storyline.verify.stage import Matching


@dataclass
class Run:
    """What a run's stages share: its settings and executor, then each stage's results."""

    cfg: Config
    executor: Executor
    reporter: Reporter = field(default_factory=lambda: Reporter(show=False))
    checkpoints: Checkpoints | None = None
    semantic: bool = True
    neighbour_scope: str = "corpus"  # the vector neighbour search: "corpus" or "window"
    extras_device: str | None = None  # where provenance and digests embed sentences (None: unchanged)
    # ingest
    paths: Sequence[str | Path] = ()
    fields: Mapping[str, str] | None = None
    shard_size: int = SHARD_SIZE
    articles: Sequence[Article] | None = None  # sorted by id; cleaned after the clean stage
    skipped: list[Skipped] | None = None
    # represent
    rep: Representation | None = None
    hashes: list[str] | None = None
    sigs: np.ndarray | None = None
    kind: str | None = None  # which pair model decides: "semantic" or "lexical"
    # candidates
    pairs: np.ndarray | None = None
    counts: dict[str, int] | None = None
    # verify
    matching: Matching | None = None
    # cluster
    labels: np.ndarray | None = None
    stories: list[Story] | None = None
    # digest
    digests: list[Any] | None = None


class Stage:
    """One step of the run (see the module docstring)."""

    name: ClassVar[str] = "stage"
    needs: ClassVar[tuple[str, ...]] = ()
    makes: ClassVar[tuple[str, ...]] = ()

    def __call__(self, run: Run) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<stage {self.name}>"


def run_stages(stages: Iterable[Stage], run: Run) -> Run:
    """Call each stage in order; a stage whose inputs no earlier stage made is a wiring error."""
    for stage in stages:
        missing = [f for f in stage.needs if getattr(run, f) is None]
        if missing:
            raise ValueError(f"stage {stage.name!r} needs {', '.join(missing)}, which no earlier stage made")
        stage(run)
    return run


def executor_of(articles: Sequence[Article] | None, executor: str | Executor | None) -> Executor:
    """The executor a step runs on: the one holding ``articles``, else ``executor``, else in process."""
    if isinstance(articles, ShardedArticles):
        return articles.executor
    return get_executor(executor)


def as_given(corpus: ShardedArticles, given: Sequence[Article]) -> Sequence[Article]:
    """A step's articles in the form it was given them: a plain list stays a list."""
    return corpus if isinstance(given, ShardedArticles) else list(corpus)
