"""The verify stage: pair features and the calibrated pair model over chunks of candidate pairs, each task
reading its articles' vectors and TF-IDF rows where the executor keeps them; a pair whose shingle containment
marks a copy, or whose content hashes agree, decides by itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from storyline.config import Config
from storyline.executors import Executor
from storyline.executors.shards import as_sharded
from storyline.fingerprint.sharded import containment_chunk, shingle_arrays
from storyline.model import Article
from storyline.progress import Reporter
from storyline.stage import Run, Stage, executor_of
from storyline.verify.features import (
    FEATURES,
    RANKED,
    Representation,
    event_features,
    event_representation,
    pair_features,
    rank_features,
)
from storyline.verify.model import PairModel

PAIR_CHUNK = 200_000  # candidate pairs per verify task


@dataclass
class Matching:
    """What matching produced: candidate pairs with their scores, and how they were found."""

    pairs: np.ndarray  # (m, 2) article indexes, i < j
    probs: np.ndarray  # (m,) calibrated same-story probability
    features: np.ndarray  # (m, len(FEATURES))
    counts: dict[str, int]
    model: str  # which pair model decided: semantic or lexical
    days: np.ndarray | None = None  # each article's day: its own, else its neighbours' (NaN: nothing dates it)
    dated: np.ndarray | None = None  # the article has its own date (publication time or URL date)
    published: np.ndarray | None = None  # its publication time in days, NaN if none (limits a story's length)


def _verify_chunk(pairs: np.ndarray, rep: Representation, sigs: np.ndarray,
                  vectors: np.ndarray | None = None, offsets: np.ndarray | None = None, *rows: tuple[Any, Any]):
    """Pair features (:data:`BASE_FEATURES`) and Jaccard estimates of a chunk of pairs.

    With ``offsets`` and ``rows`` (the TF-IDF rows of every article shard, where
    the executor keeps them), ``rep`` holds only the chunk's own articles (in index
    order, without vectors or matrices); their vectors and TF-IDF rows are picked
    here, so no task holds the corpus' matrices.
    """
    from storyline.fingerprint import jaccard_estimate

    if offsets is not None and vectors is not None:
        import scipy.sparse as sp

        need = np.unique(pairs.ravel())
        cuts = np.searchsorted(need, offsets)
        picked = [(X[need[cuts[s] : cuts[s + 1]] - offsets[s]], E[need[cuts[s] : cuts[s + 1]] - offsets[s]])
                  for s, (X, E) in enumerate(rows) if cuts[s + 1] > cuts[s]]
        rep = dataclasses.replace(rep, vectors=vectors[need], tfidf=sp.vstack([x for x, _ in picked], format="csr"),
                                  ents=sp.vstack([e for _, e in picked], format="csr"))
        feats = pair_features(rep, np.searchsorted(need, pairs))
    else:
        feats = pair_features(rep, pairs)
    return feats, jaccard_estimate(sigs, pairs)


def _rows_of(rep: Representation, need: np.ndarray) -> Representation:
    """The small per-article fields of some articles (vectors and matrices left out)."""
    return Representation(
        vectors=None, tfidf=None, ents=None, years=[rep.years[i] for i in need.tolist()],
        numbers=[rep.numbers[i] for i in need.tolist()], words=rep.words[need], days=rep.days[need],
        calendar=None if rep.calendar is None else [rep.calendar[i] for i in need.tolist()],
        figures=None if rep.figures is None else [rep.figures[i] for i in need.tolist()],
    )


def verify(
    articles: Sequence[Article],
    rep: Representation,
    hashes: list[str],
    sigs: np.ndarray,
    pairs: np.ndarray,
    counts: dict[str, int],
    cfg: Config,
    kind: str = "semantic",
    reporter: Reporter | None = None,
    model: PairModel | None = None,
    executor: str | Executor | None = None,
) -> Matching:
    """The calibrated pair decision on each candidate pair (over shards of pairs); copies decide by themselves."""
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    ex = executor_of(articles, executor)
    with reporter.stage("verify", total=len(pairs)) as task:
        model = model or load_model(kind)
        chunks = [pairs[s : s + PAIR_CHUNK] for s in range(0, len(pairs), PAIR_CHUNK)]
        sharded = getattr(rep, "_shard_rows", None)
        if sharded is not None and sharded[0][-1] == len(rep):
            # each task gets its own articles' small fields, and reads vectors and TF-IDF rows where they are
            shared = (ex.share(sigs), ex.share(rep.vectors), sharded[0], *sharded[1])
            done = []
            wave = 2 * ex.workers  # a few chunks at a time: their fields are built here
            for w in range(0, len(chunks), wave):
                part = chunks[w : w + wave]
                done += ex.gather(ex.map_shards(
                    _verify_chunk, part, *shared, desc="verify", numeric=True,
                    shard_args=[(_rows_of(rep, np.unique(c.ravel())),) for c in part]))
        else:
            # the tasks compute what two articles alone say: the event terms stay here
            done = ex.gather(ex.map_shards(_verify_chunk, chunks, ex.share(dataclasses.replace(rep, terms=None)),
                                           ex.share(sigs), desc="verify", numeric=True))
        base = np.concatenate([d[0] for d in done]) if done else pair_features(rep, pairs)
        # regroup: what sets an event apart is counted against every article of its days
        ev = event_representation(rep.terms or [([], [])] * len(rep), rep.days, pairs, base[:, 0])
        feats = np.hstack([base, event_features(ev, pairs)])
        # regroup: how each pair stands among both articles' other candidates
        feats = np.hstack([feats, rank_features(len(rep), pairs, feats[:, [FEATURES.index(c) for c in RANKED]])])
        probs = model.predict_proba(feats)
        # Near-duplicates decide by themselves: a (possibly trimmed) copy contains most of the other's shingles.
        if len(pairs):
            est = np.concatenate([d[1] for d in done])
            close = np.flatnonzero(est >= 0.2)
            if len(close):
                corpus = as_sharded(articles, ex)
                need = np.unique(pairs[close].ravel())
                bounds = np.searchsorted(need, corpus.offsets)
                local = [need[bounds[s] : bounds[s + 1]] - corpus.offsets[s] for s in range(len(corpus.shards))]
                got = ex.gather(ex.map_shards(shingle_arrays, corpus.shards, cfg.lexical.ngram, desc="shingles",
                                              shard_args=[(x,) for x in local]))
                lengths = np.concatenate([g[1] for g in got])
                offsets = np.concatenate(([0], np.cumsum(lengths)))
                store = ex.share((need, np.concatenate([g[0] for g in got]), offsets))
                cp = pairs[close]
                parts = ex.gather(ex.map_shards(containment_chunk, [cp[s : s + PAIR_CHUNK]
                                                                     for s in range(0, len(cp), PAIR_CHUNK)],
                                                store, desc="containment"))
                c = np.concatenate(parts)
                hit = close[c >= cfg.match.near_duplicate_containment]
                probs[hit] = 1.0  # copy evidence is certain; the pair model never says 1.0 (it is capped)
            codes = np.unique(np.asarray(hashes, dtype=object).astype(str), return_inverse=True)[1].ravel()
            same = codes[pairs[:, 0]] == codes[pairs[:, 1]]
            probs[same & np.array([bool(hashes[i]) for i in pairs[:, 0].tolist()])] = 1.0
        task.advance(len(pairs))
    counts["same"] = int((probs >= 0.5).sum())
    return Matching(pairs, probs, feats, counts, kind, ev.days, ev.dated, rep.published)


def match(
    articles: Sequence[Article],
    rep: Representation,
    hashes: list[str],
    sigs: np.ndarray,
    cfg: Config,
    kind: str = "semantic",
    reporter: Reporter | None = None,
    model: PairModel | None = None,
    executor: str | Executor | None = None,
    neighbour_scope: str = "corpus",
) -> Matching:
    """Candidates from the cascade, then the calibrated pair decision on each (over shards of pairs).

    ``neighbour_scope``: ``"corpus"`` searches every article's nearest neighbours in
    the whole corpus (O(n^2)); ``"window"`` only among the articles published within
    ``window_days`` of it or undated (the only pairs that can be kept).
    """
    from storyline.candidates.stage import sharded_candidates

    reporter = reporter or Reporter(show=False)
    ex = executor_of(articles, executor)
    with reporter.stage("candidates"):
        pairs, counts = sharded_candidates(ex, hashes, sigs, rep.vectors, rep.days, cfg, neighbour_scope)
    return verify(articles, rep, hashes, sigs, pairs, counts, cfg, kind, reporter, model, ex)


class VerifyStage(Stage):
    """``run.pairs`` -> ``run.matching`` (each pair's probability and features, and the pair model's kind).

    The representation is let go afterwards: nothing later reads it.
    """

    name = "verify"
    needs = ("articles", "rep", "hashes", "pairs", "counts", "kind")
    makes = ("matching",)

    def __call__(self, run: Run) -> None:
        run.matching = verify(run.articles, run.rep, run.hashes, run.sigs, run.pairs, run.counts, run.cfg,
                              run.kind, run.reporter, executor=run.executor)
        run.rep = None
