"""The multilingual stages: language ID after cleaning, the routed pair decision after verify.

Both leave an English-only corpus as it was: :class:`LangStage` only fills
``Article.lang`` (kept in ``articles.jsonl`` and the store), and
:class:`CrossLanguageStage` returns at once when every article is in English (or
of unknown language), so the English matcher's stories are unchanged.
"""

from __future__ import annotations

import numpy as np

from storyline.executors.shards import as_sharded
from storyline.model import Article
from storyline.multilingual.lang import identify
from storyline.stage import Run, Stage, as_given


def _identify_shard(shard: list[Article]) -> list[Article]:
    identify(shard)
    return shard


class LangStage(Stage):
    """``run.articles`` -> the same articles with ``lang`` set where none was declared (per shard)."""

    name = "lang"
    needs = ("articles",)
    makes = ("articles",)

    def __call__(self, run: Run) -> None:
        ex = run.executor
        corpus = as_sharded(run.articles, ex)
        with run.reporter.stage("lang", total=len(corpus)) as task:
            shards = ex.map_shards(_identify_shard, corpus.shards, desc="lang")
            ex.wait(shards)
            task.advance(len(corpus))
        run.articles = as_given(corpus.replace(shards, key=corpus.key and f"{corpus.key}+lang"), run.articles)


class CrossLanguageStage(Stage):
    """``run.matching`` -> the same, with every pair that involves an article not in English decided by
    :func:`storyline.multilingual.match.decide` (a no-op for English-only corpora)."""

    name = "cross-language"
    needs = ("articles", "matching")
    makes = ("matching",)

    def __call__(self, run: Run) -> None:
        from storyline.multilingual import match
        from storyline.verify.stage import Matching

        m = run.matching
        arts = list(run.articles)  # on a cluster this gathers the articles here (their heads are what is read)
        if not match.routed(arts).any():
            return
        with run.reporter.stage("cross-language"):
            pairs, probs, counts = match.decide(arts, m.pairs, m.probs, run.cfg.match.window_days,
                                                run.cfg.match.url_dates)
            if pairs is m.pairs:
                return
            old = {tuple(p): r for r, p in enumerate(np.asarray(m.pairs).tolist())}
            feats = np.full((len(pairs), m.features.shape[1]), np.nan, dtype=m.features.dtype)
            for r, p in enumerate(pairs.tolist()):
                k = old.get(tuple(p))
                if k is not None:
                    feats[r] = m.features[k]
            counts = {**m.counts, **counts, "same": int((probs >= 0.5).sum())}
            run.matching = Matching(pairs, probs.astype(m.probs.dtype), feats, counts, m.model, m.days, m.dated,
                                    m.published)
