"""The batch pipeline: ingest -> clean -> represent -> candidates -> verify -> cluster -> write.

Each step is a plain function over the run's articles, so the fitting and
evaluation scripts in ``bench/`` call exactly what ``storyline run`` calls.

The per-article work runs through an executor (:mod:`storyline.executors`) on
shards of articles in id order; a step given a plain list treats it as one shard
in this process. The points where a step needs the whole corpus are explicit
and marked ``regroup`` below: the boilerplate fit, document frequencies, the LSA
fit (lexical fallback), LSH buckets, the neighbour search, the shared-neighbour
similarity and the connected components. Every executor runs the same functions
on the same shards, so every executor gives the same stories.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.config import Config
from storyline.executors import Checkpoints, Executor, connected_components, get_executor
from storyline.executors.base import fingerprint, map_cached
from storyline.executors.shards import SHARD_SIZE, ShardedArticles, as_sharded, read_sharded
from storyline.model import Article, Skipped, Story, story_id
from storyline.progress import Reporter
from storyline.verify.features import (
    Representation,
    document_frequency,
    hashed_counts,
    numbers,
    pair_features,
    tfidf_weight,
    to_days,
    years,
)
from storyline.verify.model import PairModel

log = logging.getLogger(__name__)

EMBED_CHARS = 1500  # title + lede; enough for max_tokens=128
PAIR_CHUNK = 200_000  # candidate pairs per verify task
SMALL_RUN = 100_000  # up to this many articles a run also writes the single-file outputs (articles.jsonl, report.md)


@dataclass
class Matching:
    """What matching produced: candidate pairs with their scores, and how they were found."""

    pairs: np.ndarray  # (m, 2) article indexes, i < j
    probs: np.ndarray  # (m,) calibrated same-story probability
    features: np.ndarray  # (m, len(FEATURES))
    counts: dict[str, int]
    model: str  # which pair model decided: semantic or lexical


@dataclass
class RunResult:
    articles: Sequence[Article]  # a list, or ShardedArticles for runs on a cluster
    stories: list[Story]
    skipped: list[Skipped]
    labels: np.ndarray
    matching: Matching
    summary: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None


# -- steps -------------------------------------------------------------------------------------------


def _executor(articles: Sequence[Article] | None, executor: str | Executor | None) -> Executor:
    """The executor a step runs on: the one holding ``articles``, else ``executor``, else in process."""
    if isinstance(articles, ShardedArticles):
        return articles.executor
    return get_executor(executor)


def _result(corpus: ShardedArticles, given: Sequence[Article]) -> Sequence[Article]:
    """A step's articles in the form it was given them: a plain list stays a list."""
    return corpus if isinstance(given, ShardedArticles) else list(corpus)


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


def _fit_cleaner(ex: Executor, corpus: ShardedArticles):
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
    ex = _executor(articles, executor)
    corpus = as_sharded(articles, ex)
    with reporter.stage("clean", total=len(corpus)) as task:
        fit_key = fingerprint("clean-fit", 1, corpus.key, Cleaner().get_params())
        if checkpoints is not None and corpus.key and checkpoints.done("clean-fit", 0, fit_key):
            cleaner = ex.share(checkpoints.load("clean-fit", 0))
        else:
            fitted = _fit_cleaner(ex, corpus)
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
    return _result(out, articles)


def _embed_text(a: Article) -> str:
    head = a.title.strip()
    body = a.text[:EMBED_CHARS]
    return f"{head}\n{body}" if head and not body.startswith(head) else body or head


def _full_text(a: Article) -> str:
    return f"{a.title}\n{a.text}" if a.title and not a.text.startswith(a.title) else a.text


class _NoTask:
    def advance(self, n: int = 1) -> None:
        pass


def _fingerprint_shard(shard: list[Article], num_perm: int, ngram: int, seed: int) -> tuple[list[str], np.ndarray]:
    from storyline.fingerprint import MinHasher, content_hash

    hashes = [content_hash(_full_text(a)) for a in shard]
    sigs = MinHasher(num_perm, ngram, seed).signatures([a.text for a in shard])
    return hashes, sigs


def _lexical_shard(shard: list[Article]) -> tuple[dict[str, Any], tuple[Any, Any]]:
    """Hashed counts (kept where they are) and what is small: document frequencies, years, numbers, lengths."""
    texts = [_full_text(a) for a in shard]
    W, E = hashed_counts(texts)
    info = {
        "df_words": document_frequency(W),
        "df_entities": document_frequency(E),
        "years": [years(t) for t in texts],
        "numbers": [numbers(t) for t in texts],
        "words": np.array([len(t.split()) for t in texts], dtype=np.float32),
    }
    return info, (W, E)


def _days_shard(shard: list[Article], url_dates: bool) -> np.ndarray:
    """Each article's time in days: its publication time, else (``url_dates``) its URL's date, else NaN."""
    return np.array([article_days(a, url_dates) for a in shard], dtype=np.float64)


def article_days(a: Article, url_dates: bool = True) -> float:
    """When an article appeared, in days since the epoch, for the time window (NaN: unknown).

    A URL's date (``/2024/05/08/``) stands in for a missing publication time, at midnight UTC:
    news sites put the publication day there, and an article placed in time is compared with
    its time window only, where an undated one has to be compared with every article.
    """
    t = to_days(a.published)
    if t != t and url_dates:  # NaN
        from storyline.ingest.fields import url_date

        day = url_date(a.url)
        if day is not None:
            t = to_days(day + "T00:00:00+00:00")
    return t


def _tfidf_shard(counts: tuple[Any, Any], df_words: np.ndarray, df_entities: np.ndarray, n: int):
    W, E = counts
    return tfidf_weight(W, df_words, n), tfidf_weight(E, df_entities, n)


def _embed_shard(shard: list[Article], max_tokens: int, device: str = "cpu") -> np.ndarray:
    return _embed_unique([_embed_text(a) for a in shard], max_tokens, _NoTask(), device)


def represent(
    articles: Sequence[Article],
    cfg: Config,
    semantic: bool = True,
    reporter: Reporter | None = None,
    executor: str | Executor | None = None,
    checkpoints: Checkpoints | None = None,
) -> tuple[Representation, list[str], np.ndarray, str]:
    """Content hashes, MinHash signatures, vectors and lexical matrices for every article.

    Per shard: hashes, signatures, hashed counts, embeddings. Regroup: document
    frequencies are summed over shards before TF-IDF weighting, and the lexical
    fallback fits its LSA on the whole TF-IDF matrix.
    """
    import scipy.sparse as sp

    reporter = reporter or Reporter(show=False)
    ex = _executor(articles, executor)
    corpus = as_sharded(articles, ex)
    n = len(corpus)
    store = checkpoints if corpus.key else None

    def keys(stage: str, *params: Any) -> list[str]:
        return [fingerprint(stage, corpus.key, i, *params) for i in range(len(corpus.shards))]

    lex = cfg.lexical
    with reporter.stage("fingerprint", total=n):
        parts = ex.gather(map_cached(ex, _fingerprint_shard, corpus.shards, lex.num_perm, lex.ngram, lex.seed,
                                     store=store, stage="fingerprint", desc="fingerprint",
                                     keys=keys("fingerprint", lex.num_perm, lex.ngram, lex.seed)))
        hashes = [h for p in parts for h in p[0]]
        sigs = (np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, lex.num_perm), np.uint32))
    with reporter.stage("lexical"):
        results = map_cached(ex, _lexical_shard, corpus.shards, store=store, stage="lexical", desc="lexical",
                             keys=keys("lexical"), returns=2)
        infos = ex.gather([info for info, _ in results])
        days = ex.gather(ex.map_shards(_days_shard, corpus.shards, cfg.match.url_dates, desc="dates"))
        # regroup: document frequencies over all shards
        df_words = np.sum([i["df_words"] for i in infos], axis=0)
        df_entities = np.sum([i["df_entities"] for i in infos], axis=0)
        weighted = ex.map_shards(_tfidf_shard, [c for _, c in results], ex.share(df_words),
                                 ex.share(df_entities), n, desc="tfidf")
        del results  # the counts are no longer needed anywhere
        parts = ex.gather(weighted)
        X = sp.vstack([w[0] for w in parts], format="csr")
        Xe = sp.vstack([w[1] for w in parts], format="csr")
        del parts
    kind = "semantic" if semantic else "lexical"
    with reporter.stage("embed", total=n):
        if semantic:
            device = cfg.semantic.device
            # CPU vectors keep their checkpoint keys; vectors from a GPU differ in the last bits
            extra = () if device == "cpu" else (device,)
            vecs = ex.gather(map_cached(ex, _embed_shard, corpus.shards, cfg.semantic.max_tokens, device,
                                        store=store, stage="embed", desc="embed",
                                        keys=keys("embed", cfg.semantic.max_tokens, EMBED_CHARS, *extra),
                                        gpus=cfg.semantic.gpus_per_task if device == "cuda" else 0.0))
            vectors = np.concatenate(vecs) if vecs else np.zeros((0, 384), np.float32)
        else:
            vectors = _lsa(X)  # regroup: one fit on the whole matrix
    rep = Representation(
        vectors=vectors,
        tfidf=X,
        ents=Xe,
        years=[y for i in infos for y in i["years"]],
        numbers=[x for i in infos for x in i["numbers"]],
        words=np.concatenate([i["words"] for i in infos]) if infos else np.zeros(0, np.float32),
        days=np.concatenate(days) if days else np.zeros(0, np.float64),
    )
    # where the executor already holds the weighted rows: verify tasks read them there
    rep._shard_rows = (np.asarray(corpus.offsets), weighted)  # type: ignore[attr-defined]
    return rep, hashes, sigs, kind


def _embed_unique(texts: list[str], max_tokens: int, task, device: str = "cpu") -> np.ndarray:
    """Embed each distinct text once: syndicated copies share their vector (the cheap step saves the costly one)."""
    from storyline.embed import encode

    index: dict[str, int] = {}
    inverse = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        inverse[i] = index.setdefault(t, len(index))
    uniq = list(index)
    chunks = []
    step = 256
    for s in range(0, len(uniq), step):
        chunks.append(encode(uniq[s : s + step], max_tokens=max_tokens, device=device))
        task.advance(len(uniq[s : s + step]))
    vecs = np.concatenate(chunks) if chunks else np.zeros((0, 384), np.float32)
    task.advance(len(texts) - len(uniq))
    return vecs[inverse]


LSA_FIT_ROWS = 50_000  # larger corpora fit the LSA on an evenly spaced sample of this many articles


def _lsa(X) -> np.ndarray:
    """Unit LSA vectors (128 dimensions) of the TF-IDF rows.

    Only the columns some article uses take part: the hashed vocabulary has 2^20
    columns, and the randomized SVD keeps dense blocks as wide as the matrix (over
    a gigabyte at 2^20). Past ``LSA_FIT_ROWS`` articles the SVD is fitted on every
    k-th article (rows are in id order, so the sample does not depend on input
    order) and all rows are projected: the fit costs the same at any corpus size.
    """
    from sklearn.decomposition import TruncatedSVD

    X = X.tocsr()
    used = np.flatnonzero(X.getnnz(axis=0))
    X = X[:, used]
    n, v = X.shape
    dims = min(128, n - 1, v - 1)
    if dims < 2:
        dense = X.toarray().astype(np.float32)
    elif n > LSA_FIT_ROWS:
        sample = X[np.linspace(0, n - 1, LSA_FIT_ROWS).round().astype(np.int64)]
        svd = TruncatedSVD(dims, random_state=0).fit(sample)
        dense = np.vstack([svd.transform(X[s : s + 100_000]) for s in range(0, n, 100_000)]).astype(np.float32)
    else:
        dense = TruncatedSVD(dims, random_state=0).fit_transform(X).astype(np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return dense / np.maximum(norms, 1e-12)


# -- matching: candidates (regroup: LSH buckets, neighbour search), then pair decisions over pair shards --


def _band_split(sigs: np.ndarray, offset: int, bands: int, rows: int, parts: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A block of signatures as (band key, article) rows, split by key into ``parts`` buckets of buckets."""
    from storyline.fingerprint import band_rows

    keys, docs = band_rows(sigs, bands, rows, offset)
    part = (keys % np.uint64(parts)).astype(np.int64)
    order = np.argsort(part, kind="stable")
    cuts = np.searchsorted(part[order], np.arange(parts + 1))
    return [(keys[order[a:b]], docs[order[a:b]]) for a, b in itertools.pairwise(cuts)]


def _band_pairs(*pieces: tuple[np.ndarray, np.ndarray], max_bucket: int) -> np.ndarray:
    from storyline.fingerprint import pairs_from_band_rows

    keys = np.concatenate([k for k, _ in pieces]) if pieces else np.zeros(0, np.uint64)
    docs = np.concatenate([d for _, d in pieces]) if pieces else np.zeros(0, np.int64)
    return pairs_from_band_rows(keys, docs, max_bucket=max_bucket)


def _lsh_pairs(ex: Executor, sigs: np.ndarray, bands: int, rows: int, max_bucket: int,
               block: int = 100_000) -> np.ndarray:
    """LSH candidate pairs, the buckets regrouped by key across blocks of signatures.

    Every bucket lands whole in one part, and parts' pairs are unioned, so this is
    ``lsh_candidate_pairs`` whatever the number of blocks and parts.
    """
    import functools

    n = len(sigs)
    parts = max(1, min(64, n // 50_000))
    starts = list(range(0, n, block))
    blocks = [sigs[s : s + block] for s in starts]
    out = ex.gather(ex.regroup(blocks, _band_split, parts, functools.partial(_band_pairs, max_bucket=max_bucket),
                               bands, rows, parts, shard_args=[(s,) for s in starts]))
    allp = np.concatenate([p.reshape(-1, 2) for p in out]) if out else np.zeros((0, 2), np.int64)
    return np.unique(allp, axis=0) if len(allp) else allp.reshape(0, 2).astype(np.int64)


def _neighbour_block(n: int) -> int:
    """Rows per matrix product: as in candidates.neighbour_pairs, capped to about 256 MB of similarities."""
    return int(max(16, min(2048, (1 << 26) // max(n, 1))))


def _neighbour_rows(span: tuple[int, int], V: np.ndarray, k: int, min_cosine: float, block: int):
    """Each row's k nearest neighbours by cosine for rows span[0]..span[1] (exact, blocked products)."""
    n = len(V)
    rows, cols = [], []
    for s in range(span[0], span[1], block):
        sims = V[s : s + block] @ V.T
        idx = np.arange(s, min(n, s + block))
        sims[idx - s, idx] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        vals = np.take_along_axis(sims, part, axis=1)
        ok = vals >= min_cosine
        rows.append(np.repeat(idx, k)[ok.ravel()])
        cols.append(part.ravel()[ok.ravel()])
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(rows), np.concatenate(cols)


def _neighbour_pairs(ex: Executor, vectors: np.ndarray, k: int, min_cosine: float) -> np.ndarray:
    """candidates.neighbour_pairs with row blocks spread over tasks (regroup: every task sees all vectors)."""
    from storyline.candidates import _as_pairs

    n = len(vectors)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    k = min(k, n - 1)
    V = np.ascontiguousarray(vectors, dtype=np.float32)
    block = _neighbour_block(n)
    per_task = block * max(1, -(-n // (block * 4 * ex.workers)))
    spans = [(s, min(n, s + per_task)) for s in range(0, n, per_task)]
    found = ex.gather(ex.map_shards(_neighbour_rows, spans, ex.share(V), k, min_cosine, block, desc="neighbours",
                                    numeric=True))
    return _as_pairs(np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found]))


def _top_k(sims: np.ndarray, rows: np.ndarray, cols: np.ndarray, k: int, min_cosine: float):
    """(row, column) of each row's k largest similarities that reach ``min_cosine`` (sims is overwritten)."""
    kk = min(k, sims.shape[1])
    np.negative(sims, out=sims)
    part = np.argpartition(sims, kk - 1, axis=1)[:, :kk]
    ok = -np.take_along_axis(sims, part, axis=1) >= min_cosine
    return np.repeat(rows, kk)[ok.ravel()], cols[part.ravel()[ok.ravel()]]


def _window_block(task: tuple[int, int, int, int], V: np.ndarray, days: np.ndarray, dated: np.ndarray,
                  undated: np.ndarray, k: int, min_cosine: float, window: float) -> tuple[np.ndarray, np.ndarray]:
    """One task of the window-scoped search.

    ``(a, b, lo, hi)``: the dated articles ``dated[a:b]`` (time order) against
    ``dated[lo:hi]`` and all undated ones; ``(a, b, -1, -1)``: the undated articles
    ``undated[a:b]`` against everything.
    """
    a, b, lo, hi = task
    if lo < 0:
        rows = undated[a:b]
        sims = V[rows] @ V.T
        sims[np.arange(len(rows)), rows] = -np.inf
        return _top_k(sims, rows, np.arange(len(V)), k, min_cosine)
    rows = dated[a:b]
    cols = np.concatenate([dated[lo:hi], undated])
    sims = V[rows] @ V[cols].T
    tw = days[dated[lo:hi]]

    def near(t: float, c: int) -> bool:  # within_window's own test, so that the two agree to the last bit
        return not abs(t - tw[c]) > window

    for i, t in enumerate(days[rows].tolist()):
        first = int(np.searchsorted(tw, t - window, side="left"))
        while first > 0 and near(t, first - 1):
            first -= 1
        while first < len(tw) and not near(t, first):
            first += 1
        last = int(np.searchsorted(tw, t + window, side="right"))
        while last < len(tw) and near(t, last):
            last += 1
        while last > first and not near(t, last - 1):
            last -= 1
        sims[i, :first] = -np.inf
        sims[i, last : len(tw)] = -np.inf
        sims[i, a + i - lo] = -np.inf  # itself
    return _top_k(sims, rows, cols, k, min_cosine)


def _window_span(t: np.ndarray, first: int, last: int, window: float) -> tuple[int, int]:
    """The columns [lo, hi) of sorted times ``t`` that rows first..last may pair with, by within_window's test."""

    def near(i: int, c: int) -> bool:
        return not abs(t[i] - t[c]) > window

    lo = int(np.searchsorted(t, t[first] - window, side="left"))
    while lo > 0 and near(first, lo - 1):
        lo -= 1
    while lo < first and not near(first, lo):
        lo += 1
    hi = int(np.searchsorted(t, t[last] + window, side="right"))
    while hi < len(t) and near(last, hi):
        hi += 1
    while hi > last + 1 and not near(last, hi - 1):
        hi -= 1
    return lo, hi


def _neighbour_pairs_window(ex: Executor, vectors: np.ndarray, days: np.ndarray, k: int, min_cosine: float,
                            window: float) -> np.ndarray:
    """Each article's k nearest neighbours among the articles it may pair with in time.

    ``within_window`` drops every pair published more than ``window`` days apart, so
    searching only the articles inside the window (and those without a date)
    costs O(n x articles per window) instead of O(n^2), and finds more neighbours
    that can be kept. Articles without a date are compared with all others.
    """
    from storyline.candidates import _as_pairs

    n = len(vectors)
    if n < 2:
        return np.zeros((0, 2), dtype=np.int64)
    V = np.ascontiguousarray(vectors, dtype=np.float32)
    days = np.asarray(days, dtype=np.float64)
    undated = np.flatnonzero(np.isnan(days))
    dated = np.argsort(days, kind="stable")[: n - len(undated)]  # NaN sort last
    t = days[dated]
    tasks: list[tuple[int, int, int, int]] = []
    budget = 1 << 25  # similarities per product (128 MB, and twice that for the sort)
    a = 0
    while a < len(dated):
        b, step = a + 1, 16
        # grow the block while rows x (window columns + undated) stays within budget
        while b < len(dated):
            nb = min(len(dated), b + step)
            lo = np.searchsorted(t, t[a] - window, side="left")
            hi = np.searchsorted(t, t[nb - 1] + window, side="right")
            if (nb - a) * (hi - lo + len(undated)) > budget or nb - a > 2048:
                break
            b, step = nb, step * 2
        lo, hi = _window_span(t, a, b - 1, window)
        tasks.append((a, b, lo, hi))
        a = b
    block = _neighbour_block(n)
    tasks += [(s, min(len(undated), s + block), -1, -1) for s in range(0, len(undated), block)]
    found = ex.gather(ex.map_shards(_window_block, tasks, ex.share(V), ex.share(days), ex.share(dated),
                                    ex.share(undated), k, min_cosine, window, desc="neighbours", numeric=True))
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return _as_pairs(np.concatenate([r for r, _ in found]), np.concatenate([c for _, c in found]))


def _candidates(
    ex: Executor, hashes: list[str], sigs: np.ndarray | None, vectors: np.ndarray, days: np.ndarray, cfg: Config,
    neighbour_scope: str = "corpus",
) -> tuple[np.ndarray, dict[str, int]]:
    """candidates.candidate_pairs, with the LSH and neighbour steps run by the executor.

    ``neighbour_scope="window"`` searches each article's neighbours among the
    articles inside its time window only (see :func:`_neighbour_pairs_window`).
    """
    from storyline.candidates import exact_pairs, within_window
    from storyline.fingerprint import lsh_params

    found = {"exact": exact_pairs(hashes)}
    if sigs is not None and len(sigs) > 1:
        b, r = lsh_params(cfg.lexical.threshold, cfg.lexical.num_perm)
        found["minhash"] = _lsh_pairs(ex, sigs, b, r, cfg.lexical.max_bucket)
    if neighbour_scope == "window":
        found["vector"] = _neighbour_pairs_window(ex, vectors, days, cfg.semantic.neighbours,
                                                  cfg.semantic.min_cosine, cfg.match.window_days)
    elif neighbour_scope == "corpus":
        found["vector"] = _neighbour_pairs(ex, vectors, cfg.semantic.neighbours, cfg.semantic.min_cosine)
    else:
        raise ValueError(f"neighbour_scope is 'corpus' or 'window', not {neighbour_scope!r}")
    allp = np.concatenate([p.reshape(-1, 2) for p in found.values()]).astype(np.int64)
    pairs = np.unique(allp, axis=0) if len(allp) else allp.reshape(0, 2)
    pairs = within_window(pairs, days, cfg.match.window_days)
    counts = {k: len(v) for k, v in found.items()}
    counts["total"] = len(pairs)
    return pairs, counts


def _verify_chunk(pairs: np.ndarray, rep: Representation, sigs: np.ndarray, model: PairModel,
                  vectors: np.ndarray | None = None, offsets: np.ndarray | None = None, *rows: tuple[Any, Any]):
    """Pair features, probabilities and Jaccard estimates of a chunk of pairs.

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
    return feats, model.predict_proba(feats), jaccard_estimate(sigs, pairs)


def _rows_of(rep: Representation, need: np.ndarray) -> Representation:
    """The small per-article fields of some articles (vectors and matrices left out)."""
    return Representation(
        vectors=None, tfidf=None, ents=None, years=[rep.years[i] for i in need.tolist()],
        numbers=[rep.numbers[i] for i in need.tolist()], words=rep.words[need], days=rep.days[need],
    )


def _shingle_arrays(shard: list[Article], local: np.ndarray, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingle sets of some articles of a shard, as sorted arrays laid end to end, and their lengths."""
    from storyline.fingerprint import shingle_set

    arrays = [np.sort(np.fromiter(shingle_set(shard[i].text, ngram), dtype=np.uint64)) for i in local.tolist()]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    return (np.concatenate(arrays) if arrays else np.zeros(0, np.uint64)), lengths


def _containment_chunk(pairs: np.ndarray, store: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """max(containment(a, b), containment(b, a)) per pair of shingle sets; NaN when either has fewer than 20."""
    index, flat, offsets = store
    k = np.searchsorted(index, pairs)
    lo, hi = offsets[k], offsets[k + 1]
    out = np.full(len(pairs), np.nan)
    for r in np.flatnonzero(((hi - lo) >= 20).all(axis=1)).tolist():
        a = flat[lo[r, 0] : hi[r, 0]]
        b = flat[lo[r, 1] : hi[r, 1]]
        inter = np.intersect1d(a, b, assume_unique=True).size  # sorted sets: |A & B|
        out[r] = max(inter / len(a), inter / len(b))
    return out


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
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    ex = _executor(articles, executor)
    with reporter.stage("candidates"):
        pairs, counts = _candidates(ex, hashes, sigs, rep.vectors, rep.days, cfg, neighbour_scope)
    with reporter.stage("verify", total=len(pairs)) as task:
        model = model or load_model(kind)
        chunks = [pairs[s : s + PAIR_CHUNK] for s in range(0, len(pairs), PAIR_CHUNK)]
        sharded = getattr(rep, "_shard_rows", None)
        if sharded is not None and sharded[0][-1] == len(rep):
            # each task gets its own articles' small fields, and reads vectors and TF-IDF rows where they are
            shared = (ex.share(sigs), model, ex.share(rep.vectors), sharded[0], *sharded[1])
            done = []
            wave = 2 * ex.workers  # a few chunks at a time: their fields are built here
            for w in range(0, len(chunks), wave):
                part = chunks[w : w + wave]
                done += ex.gather(ex.map_shards(
                    _verify_chunk, part, *shared, desc="verify", numeric=True,
                    shard_args=[(_rows_of(rep, np.unique(c.ravel())),) for c in part]))
        else:
            done = ex.gather(ex.map_shards(_verify_chunk, chunks, ex.share(rep), ex.share(sigs), model,
                                           desc="verify", numeric=True))
        feats = np.concatenate([d[0] for d in done]) if done else pair_features(rep, pairs)
        probs = np.concatenate([d[1] for d in done]) if done else model.predict_proba(feats)
        # Near-duplicates decide by themselves: a (possibly trimmed) copy contains most of the other's shingles.
        if len(pairs):
            est = np.concatenate([d[2] for d in done])
            close = np.flatnonzero(est >= 0.2)
            if len(close):
                corpus = as_sharded(articles, ex)
                need = np.unique(pairs[close].ravel())
                bounds = np.searchsorted(need, corpus.offsets)
                local = [need[bounds[s] : bounds[s + 1]] - corpus.offsets[s] for s in range(len(corpus.shards))]
                got = ex.gather(ex.map_shards(_shingle_arrays, corpus.shards, cfg.lexical.ngram, desc="shingles",
                                              shard_args=[(x,) for x in local]))
                lengths = np.concatenate([g[1] for g in got])
                offsets = np.concatenate(([0], np.cumsum(lengths)))
                store = ex.share((need, np.concatenate([g[0] for g in got]), offsets))
                cp = pairs[close]
                parts = ex.gather(ex.map_shards(_containment_chunk, [cp[s : s + PAIR_CHUNK]
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
    return Matching(pairs, probs, feats, counts, kind)


# -- clustering: shared-neighbour similarity (regroup: pairs by article), components, linkage per component --


def _link_components(batch: tuple[Any, np.ndarray], cfg: Any) -> list[np.ndarray]:
    """Average linkage inside each component of a batch (its rows and columns laid out component by component)."""
    from storyline.cluster import _split

    S, sizes = batch
    out = []
    start = 0
    for size in sizes.tolist():
        sub = S[start : start + size, start : start + size]
        local = _split(sub, np.arange(size), cfg, cfg.threshold)
        out.append(np.unique(local, return_inverse=True)[1].ravel())
        start += size
    return out


def cluster_sharded(n: int, pairs: np.ndarray, probs: np.ndarray, cfg: Any, executor: Executor,
                    edge_chunk: int = 1_000_000, batch_rows: int = 20_000) -> np.ndarray:
    """:func:`storyline.cluster.cluster`, with components found by a union-find over edge shards and
    each component's average linkage run as a task. The labels are the same.
    """
    from storyline.cluster import _renumber, join_cores, shared_neighbour_similarity

    if cfg.k is None or cfg.gate is None or cfg.threshold is None:
        raise ValueError("cluster() needs k, gate and threshold set; use Config.resolved_cluster()")
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float32)
    S = shared_neighbour_similarity(n, pairs, probs, cfg).tocsr()
    C = S.tocoo()
    keep = (C.data >= cfg.threshold) & (C.row < C.col)
    edges = np.stack([C.row[keep], C.col[keep]], axis=1).astype(np.int64)
    del C
    shards = [edges[s : s + edge_chunk] for s in range(0, len(edges), edge_chunk)]
    comp = connected_components(executor, n, shards)
    order = np.argsort(comp, kind="stable")
    cuts = np.flatnonzero(np.diff(comp[order])) + 1
    groups = np.split(order, cuts)
    next_label = 0
    batches: list[list[np.ndarray]] = [[]]
    rows = 0
    for members in groups:
        if len(members) == 1:
            labels[members] = next_label
            next_label += 1
            continue
        if rows >= batch_rows:
            batches.append([])
            rows = 0
        batches[-1].append(members)
        rows += len(members)
    work = []
    for b in batches:
        if b:
            idx = np.concatenate(b)
            work.append((S[idx][:, idx].tocsr(), np.array([len(m) for m in b], dtype=np.int64)))
    for b, locals_ in zip([b for b in batches if b], executor.gather(
            executor.map_shards(_link_components, work, cfg, desc="linkage"))):
        for members, local in zip(b, locals_):
            labels[members] = next_label + local
            next_label += int(local.max()) + 1
    return join_cores(_renumber(labels), pairs, probs, 1.0 if cfg.core is None else cfg.core)


def group(
    n: int, m: Matching, cfg: Config, reporter: Reporter | None = None, executor: str | Executor | None = None
) -> np.ndarray:
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    ex = get_executor(executor)
    with reporter.stage("cluster"):
        ccfg = cfg.resolved_cluster(load_model(m.model).cluster)
        if cfg.match.collapse_copies:
            from storyline.cluster import _renumber, collapse_copies

            fam, n_fam, fpairs, fprobs = collapse_copies(n, m.pairs, m.probs, cfg.match.copy_probability)
            return _renumber(cluster_sharded(n_fam, fpairs, fprobs, ccfg, ex)[fam])
        return cluster_sharded(n, m.pairs, m.probs, ccfg, ex)


def build_stories(articles: Sequence[Article], labels: np.ndarray, m: Matching) -> list[Story]:
    """Story records, largest first, with each article's best match inside its story."""
    if isinstance(articles, ShardedArticles):
        articles = articles.light()
    n = len(articles)
    labels = np.asarray(labels)
    strength = np.zeros(n, dtype=np.float64)
    best_p = np.full(n, -1.0)
    best_j = np.full(n, -1, dtype=np.int64)
    if len(m.pairs):
        i, j = m.pairs[:, 0].astype(np.int64), m.pairs[:, 1].astype(np.int64)
        p = m.probs.astype(np.float64)
        inside = labels[i] == labels[j]
        i, j, p = i[inside], j[inside], p[inside]
        # pair by pair, i then j: the order the sums were always taken in
        np.add.at(strength, np.stack([i, j], axis=1).ravel(), np.repeat(p, 2))
        # best match: highest probability, then the lowest index
        src, dst, pp = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([p, p])
        order = np.lexsort((dst, -pp, src))
        first = order[np.concatenate(([True], src[order][1:] != src[order][:-1]))]
        best_p[src[first]] = pp[first]
        best_j[src[first]] = dst[first]
    stories = []
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, cuts) if n else []:
        ids = [articles[i].id for i in members]
        central = max(members.tolist(), key=lambda i: (strength[i], -i))
        dates = sorted(a.published for a in (articles[i] for i in members) if a.published)
        outlets = sorted({articles[i].outlet for i in members if articles[i].outlet})
        bm = {}
        for i in members.tolist():
            j = int(best_j[i])
            bm[articles[i].id] = {"id": articles[j].id, "score": round(float(best_p[i]), 4)} if j >= 0 else None
        title = articles[central].title or _first_line(articles[central].text)
        stories.append(
            Story(
                story_id=story_id(ids),
                title=title,
                article_ids=ids,
                best_match=bm,
                first_published=dates[0] if dates else None,
                last_published=dates[-1] if dates else None,
                outlets=outlets,
            )
        )
    stories.sort(key=lambda s: (-len(s.article_ids), s.first_published or "", s.story_id))
    return stories


def _first_line(text: str, limit: int = 120) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# -- the whole run -----------------------------------------------------------------------------------


def group_articles(
    articles: Sequence[Article],
    cfg: Config,
    semantic: bool,
    reporter: Reporter | None = None,
    executor: str | Executor | None = None,
    checkpoints: Checkpoints | None = None,
    neighbour_scope: str = "corpus",
) -> tuple[Sequence[Article], np.ndarray, Matching, list[Story]]:
    """Clean, represent, match, cluster: the cleaned articles, their story labels, the matching, the stories.

    ``articles`` must be sorted by id (as :func:`load` returns them); a store's
    settling runs the same function on its stored articles.
    """
    reporter = reporter or Reporter(show=False)
    ex = _executor(articles, executor)
    articles = clean(articles, reporter, ex, checkpoints)
    rep, hashes, sigs, kind = represent(articles, cfg, semantic, reporter, ex, checkpoints)
    if getattr(rep, "_shard_rows", None) is not None:
        rep.tfidf = rep.ents = None  # verify reads the rows where the executor keeps them
    m = match(articles, rep, hashes, sigs, cfg, kind, reporter, executor=ex, neighbour_scope=neighbour_scope)
    del rep
    labels = group(len(articles), m, cfg, reporter, ex)
    with reporter.stage("stories"):
        stories = build_stories(articles, labels, m)
    return articles, labels, m, stories


def run(
    paths: Sequence[str | Path] | str | Path,
    out: str | Path | None = None,
    config: Config | None = None,
    fields: Mapping[str, str] | None = None,
    semantic: bool | None = None,
    progress: bool | None = False,
    extras: bool = True,
    executor: str | Executor = "local",
    address: str | None = None,
    shard_size: int = SHARD_SIZE,
    work_dir: str | Path | None = None,
    neighbour_scope: str = "corpus",
) -> RunResult:
    """Read ``paths``, group the articles into stories and (if ``out``) write the results there.

    ``semantic=None`` uses the MiniLM stage when the embed extra is installed and
    the lexical fallback otherwise; ``extras`` adds provenance and digests.
    ``executor`` is ``"local"``, ``"ray"`` (``address`` joins a running cluster,
    else Ray starts here) or an :class:`~storyline.executors.Executor`; the
    stories do not depend on it. ``work_dir`` keeps each finished shard of the
    per-article steps so that a rerun skips them; Ray runs with ``out`` keep them
    in ``out/.work`` unless told otherwise. With Ray, ``out`` also gets the
    articles as ``articles-NNNNN.jsonl`` and ``.parquet`` shards, and the
    single-file ``articles.jsonl`` and ``report.md`` only up to ``SMALL_RUN``
    articles; ``RunResult.articles`` is then a sequence that fetches shards on use.
    ``neighbour_scope="window"`` makes the neighbour search grow with the articles
    per time window instead of the corpus size (see :func:`match`).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    cfg = config or Config()
    reporter = Reporter(show=progress)
    t0 = time.perf_counter()
    ex = get_executor(executor, address)
    if work_dir is None and out is not None and ex.name != "local":
        work_dir = Path(out) / ".work"
    checkpoints = Checkpoints(work_dir) if work_dir is not None else None
    try:
        if semantic is None:
            from storyline import embed

            semantic = cfg.semantic.enabled and embed.available()
            if not semantic:
                log.warning(
                    "embed extra not installed: using the lexical fallback (pip install 'storyline[embed]')"
                )
        device = _embed_device(cfg, semantic, ex)
        articles, skipped = load(paths, fields, reporter, ex, shard_size, checkpoints)
        articles, labels, m, stories = group_articles(articles, cfg, semantic, reporter, ex, checkpoints,
                                                      neighbour_scope)
        if ex.name == "local":
            articles = list(articles)
        result = RunResult(articles, stories, skipped, labels, m)
        if extras:
            from storyline import embed
            from storyline.report import enrich

            # provenance and digests embed sentences in this process: on the run's device, or, when the
            # embedding tasks ran on a cluster's GPU nodes, on a GPU here if there is one
            with embed.using_device("auto" if device == "cuda" and ex.name != "local" else device):
                enrich(result, reporter)
        result.summary = summarise(result, reporter.timings, time.perf_counter() - t0)
        if out is not None:
            with reporter.stage("write"):
                _write(result, Path(out), sharded=ex.name != "local")
            result.out = Path(out)
            result.summary["timings"] = {k: round(v, 3) for k, v in reporter.timings.items()}
        result.summary["executor"] = ex.name
    finally:
        reporter.close()
    return result


def _embed_device(cfg: Config, semantic: bool, ex: Executor) -> str:
    """The configured embedding device, checked up front where this process will use it."""
    from storyline import embed

    device = embed.check_device(cfg.semantic.device)
    if semantic and device == "cuda" and ex.name == "local":
        embed._model("cuda")  # no CUDA provider: the install hint now, not after reading the corpus
    return device


def _write(result: RunResult, out: Path, sharded: bool) -> None:
    """The run's outputs; sharded runs add articles-NNNNN.{jsonl,parquet} and keep single files for small runs."""
    from storyline.report import write_outputs

    if not sharded:
        write_outputs(result, out)
        return
    from storyline.executors.shards import write_article_shards
    from storyline.model import SCHEMA_VERSION
    from storyline.report import _atomic_write, _jsonl

    index = _id_index(result.articles)
    story_of = np.empty(len(result.articles), dtype=object)
    for s in result.stories:
        for aid in s.article_ids:
            story_of[index[aid]] = s.story_id
    corpus = result.articles
    if isinstance(corpus, ShardedArticles):
        key = fingerprint("outputs", corpus.key, [s.story_id for s in result.stories])
        write_article_shards(corpus, story_of.tolist(), out, key)
    if len(result.articles) <= SMALL_RUN:
        write_outputs(result, out)
    else:
        out.mkdir(parents=True, exist_ok=True)
        _jsonl(out / "stories.jsonl", (s.to_json() for s in result.stories))
        summary = {"schema": f"storyline.run/{SCHEMA_VERSION}", **result.summary}
        _atomic_write(out / "summary.json", lambda fh: json.dump(summary, fh, indent=2, ensure_ascii=False))


def _id_index(articles: Sequence[Article]) -> dict[str, int]:
    if isinstance(articles, ShardedArticles):
        cached = getattr(articles, "_id_index", None)
        if cached is None:
            cached = {a.id: i for i, a in enumerate(articles.light())}
            articles._id_index = cached  # type: ignore[attr-defined]
        return cached
    return {a.id: i for i, a in enumerate(articles)}


def _removed(shard: list[Article]) -> int:
    return sum(len(a.removed) for a in shard)


def _count_removed(articles: Sequence[Article]) -> int:
    if isinstance(articles, ShardedArticles):
        ex = articles.executor
        return int(sum(ex.gather(ex.map_shards(_removed, articles.shards, desc="count"))))
    return sum(len(a.removed) for a in articles)


def summarise(result: RunResult, timings: Mapping[str, float], wall: float) -> dict[str, Any]:
    sizes = [len(s.article_ids) for s in result.stories]
    return {
        "articles": len(result.articles),
        "skipped": len(result.skipped),
        "skipped_inputs": [s.to_json() for s in result.skipped],
        "stories": len(result.stories),
        "multi_article_stories": sum(1 for s in sizes if s > 1),
        "largest_story": max(sizes) if sizes else 0,
        "pairs": result.matching.counts,
        "pair_model": result.matching.model,
        "boilerplate_removed": _count_removed(result.articles),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "wall_seconds": round(wall, 3),
    }
