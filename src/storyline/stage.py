"""The stage contract.

Every stage takes an iterable of records and yields records, so stages chain
lazily and can run on one shard (``rank`` of ``world_size``). Records a stage
drops are counted with a reason in ``stats``. Stages that need the whole corpus
(learning boilerplate, LSH bucketing, clustering) say so with ``regroup``: the
executor then gathers the shards' output before calling ``run`` once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar


class Stage:
    name: ClassVar[str] = "stage"
    #: None: the stage works record by record and can run on any shard.
    #: A string: the stage needs all records regrouped (by that key) first.
    regroup: ClassVar[str | None] = None

    def __init__(self) -> None:
        self.stats: Counter[str] = Counter()

    def drop(self, reason: str) -> None:
        self.stats[f"dropped: {reason}"] += 1

    def run(self, items: Iterable[Any], rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        raise NotImplementedError

    def __call__(self, items: Iterable[Any], rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        return self.run(items, rank=rank, world_size=world_size)
