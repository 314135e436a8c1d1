"""The clean stage: learn boilerplate from every article (sharded), then clean each shard.

The fit is :meth:`Cleaner.fit` over shards, with the same learned state: line hashes per
shard (:meth:`Cleaner.line_rows`), recurring lines per partition of the hashes
(regroup: :meth:`Cleaner.candidates`), and each candidate decided on the lines of its
sampled articles, per group of candidates (regroup: :meth:`Cleaner.outlet_lines`, then
:meth:`Cleaner.corpus_lines`). No task is given every article.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from typing import Any

from storyline.executors import Checkpoints, Executor
from storyline.executors.base import fingerprint, map_cached
from storyline.executors.shards import ShardedArticles, as_sharded
from storyline.model import Article
from storyline.progress import Reporter
from storyline.stage import Run, Stage, as_given, executor_of


def _line_rows_shard(shard: list[Article], start: int):
    from storyline.clean import Cleaner

    return Cleaner().line_rows(shard, start)


def _split_line_rows(rows, parts: int):
    return rows.split(parts)


def _line_candidates(*pieces):
    from storyline.clean import Cleaner
    from storyline.clean.cleaner import LineRows

    return Cleaner().candidates(LineRows.concat(pieces))


def _split_sample_lines(shard: list[Article], start: int, wanted: dict[int, list[int]], parts: int) -> list[dict]:
    """The unique lines of this shard's sampled articles, one dict per group of candidates that wants them."""
    from storyline.clean.cleaner import sample_lines

    out: list[dict] = [{} for _ in range(parts)]
    for d, got in sample_lines(shard, wanted, start).items():
        for t in wanted[d]:
            out[t][d] = got
    return out


def _merge_dicts(*pieces: dict) -> dict:
    out: dict = {}
    for p in pieces:
        out.update(p)
    return out


def _decide_lines(lines: dict, candidates: list, level: str, context: Any):
    from storyline.clean import Cleaner

    if level == "outlet":
        return Cleaner().outlet_lines(candidates, lines, context)
    return Cleaner().corpus_lines(candidates, lines, context)


FIT_ARTICLES_PER_PART = 50_000  # articles per partition of the line hashes in the boilerplate fit
FIT_SAMPLE_SLOTS = 50_000  # sampled articles (with repeats) per task deciding boilerplate candidates


def _decide_sharded(ex: Executor, corpus: ShardedArticles, candidates: list, level: str, context: Any) -> list:
    """Decide candidates in groups (an outlet's candidates together), each group's task getting the
    lines of its sampled articles from the shards that hold them: no task sees every article."""
    if not candidates:
        return []
    slots = sum(len(c.sample) for c in candidates)
    parts = max(1, min(256, -(-slots // FIT_SAMPLE_SLOTS), len(candidates)))
    groups: list[list] = [[] for _ in range(parts)]
    for c in candidates:
        groups[(c.outlet if c.outlet is not None else c.h) % parts].append(c)
    wanted: list[dict[int, set[int]]] = [{} for _ in corpus.shards]
    for t, group in enumerate(groups):
        for c in group:
            for d in c.sample:
                wanted[bisect.bisect_right(corpus.offsets, d) - 1].setdefault(d, set()).add(t)
    used = [s for s in range(len(corpus.shards)) if wanted[s]]
    merged = ex.regroup([corpus.shards[s] for s in used], _split_sample_lines, parts, _merge_dicts, parts,
                        shard_args=[(corpus.offsets[s], {d: sorted(g) for d, g in wanted[s].items()}) for s in used])
    return ex.gather(ex.map_shards(_decide_lines, merged, level, context, desc=f"boilerplate {level}",
                                   shard_args=[(g,) for g in groups]))


def fit_cleaner(ex: Executor, corpus: ShardedArticles):
    """:meth:`Cleaner.fit` over shards (the same learned state): line hashes per shard, recurring
    lines found per partition of the hashes, and each candidate decided on its sample's lines."""
    from storyline.clean import Cleaner
    from storyline.clean.cleaner import FitCounts

    parts = ex.map_shards(_line_rows_shard, corpus.shards, desc="boilerplate", returns=2,
                          shard_args=[(s,) for s in corpus.offsets[:-1]])
    counts = FitCounts.merge(ex.gather([c for _, c in parts]))
    n_parts = max(1, min(64, len(corpus) // FIT_ARTICLES_PER_PART))
    found = [c for got in ex.gather(ex.regroup([r for r, _ in parts], _split_line_rows, n_parts, _line_candidates,
                                               n_parts)) for c in got]
    del parts
    outlet: dict[int, dict[int, str]] = {}
    for got in _decide_sharded(ex, corpus, [c for c in found if c.outlet is not None], "outlet",
                               dict(counts.docs_per_outlet)):
        outlet.update(got)
    learned = {code: set(got) for code, got in outlet.items()}
    corpus_lines: dict[int, str] = {}
    for got in _decide_sharded(ex, corpus, [c for c in found if c.outlet is None], "corpus", learned):
        corpus_lines.update(got)
    return Cleaner().set_fit(outlet, corpus_lines, counts)


def _clean_shard(shard: list[Article], cleaner) -> list[Article]:
    return [cleaner.transform(a) for a in shard]


def clean(
    articles: Sequence[Article],
    reporter: Reporter | None = None,
    executor: str | Executor | None = None,
    checkpoints: Checkpoints | None = None,
) -> Sequence[Article]:
    """Learn boilerplate from all articles (regroup: line hashes by hash, sampled lines by candidate), then
    clean each shard."""
    from storyline.clean import Cleaner

    reporter = reporter or Reporter(show=False)
    ex = executor_of(articles, executor)
    corpus = as_sharded(articles, ex)
    with reporter.stage("clean", total=len(corpus)) as task:
        fit_key = fingerprint("clean-fit", 1, corpus.key, Cleaner().get_params())
        if checkpoints is not None and corpus.key and checkpoints.done("clean-fit", 0, fit_key):
            cleaner = ex.share(checkpoints.load("clean-fit", 0))
        else:
            fitted = fit_cleaner(ex, corpus)
            cleaner = ex.share(fitted)
            if checkpoints is not None and corpus.key:
                checkpoints.save("clean-fit", 0, fit_key, fitted)
        keys = [fingerprint(fit_key, i) for i in range(len(corpus.shards))]
        store = checkpoints if corpus.key else None
        shards = map_cached(ex, _clean_shard, corpus.shards, cleaner, store=store, stage="clean", keys=keys,
                            desc="clean")
        ex.wait(shards)
        out = corpus.replace(shards, key=fingerprint("cleaned", fit_key) if corpus.key else "")
        task.advance(len(corpus))
    return as_given(out, articles)



class CleanStage(Stage):
    """``run.articles`` -> the same articles, cleaned (boilerplate removed, every removal recorded)."""

    name = "clean"
    needs = ("articles",)
    makes = ("articles",)

    def __call__(self, run: Run) -> None:
        run.articles = clean(run.articles, run.reporter, run.executor, run.checkpoints)
