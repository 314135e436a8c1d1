"""The represent stage: what every later stage compares articles by.

Per shard: content hashes and MinHash signatures (:mod:`storyline.fingerprint.sharded`),
hashed word and entity counts, years, numbers, lengths and times, and MiniLM vectors
(:mod:`storyline.embed.sharded`). Regroup: document frequencies are summed over shards
before TF-IDF weighting, and the lexical fallback fits its LSA on the whole TF-IDF matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from storyline.config import Config
from storyline.embed.sharded import COPY_WORDS, EMBED_CHARS, embed_shard
from storyline.executors import Checkpoints, Executor
from storyline.executors.base import fingerprint, map_cached
from storyline.executors.shards import as_sharded
from storyline.fingerprint.sharded import fingerprint_shard, full_text
from storyline.model import Article
from storyline.progress import Reporter
from storyline.stage import Run, Stage, executor_of
from storyline.verify.features import (
    Representation,
    calendar,
    document_frequency,
    figures,
    hashed_counts,
    key_terms,
    numbers,
    tfidf_weight,
    to_days,
    years,
)


def _lexical_shard(shard: list[Article]) -> tuple[dict[str, Any], tuple[Any, Any]]:
    """Hashed counts (kept where they are) and what is small: document frequencies, years, numbers, lengths."""
    texts = [full_text(a) for a in shard]
    W, E = hashed_counts(texts)
    info = {
        "df_words": document_frequency(W),
        "df_entities": document_frequency(E),
        "years": [years(t) for t in texts],
        "numbers": [numbers(t) for t in texts],
        "words": np.array([len(t.split()) for t in texts], dtype=np.float32),
        "terms": [key_terms(a.headline, a.text) for a in shard],
        "calendar": [calendar(a.headline, a.text) for a in shard],
        "figures": [figures(a.headline, a.text) for a in shard],
    }
    return info, (W, E)


def _days_shard(shard: list[Article], url_dates: bool) -> np.ndarray:
    """``(n, 2)`` per article: its time in days (its publication time, else with ``url_dates`` its URL's
    date, else NaN), and its publication time alone (NaN: none)."""
    out = np.array([(article_days(a, url_dates), to_days(a.published)) for a in shard], dtype=np.float64)
    return out.reshape(len(shard), 2)


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


def time_window(a: Article, url_dates: bool = True) -> tuple[float, float]:
    """The earliest and latest day an article can be from, in days since the epoch ((NaN, NaN): unknown).

    Its day (:func:`article_days`) when known; else the month its URL or a leading date line names
    (``/2022/09/slug``, ``date 2022-09``: :func:`storyline.ingest.dates.month_of`), from its first
    day to the end of its last. Two articles whose windows lie further apart than a story can last
    are never one story (:mod:`storyline.cluster`), and the cross-language decision counts the days
    between their windows.
    """
    t = article_days(a, url_dates)
    if t == t:
        return t, t
    from storyline.ingest.dates import month_of

    ym = month_of(a.text, a.url if url_dates else None)
    if ym is None:
        return float("nan"), float("nan")
    y, m = ym
    lo = to_days(f"{y:04d}-{m:02d}-01T00:00:00+00:00")
    hi = to_days(f"{y + m // 12:04d}-{m % 12 + 1:02d}-01T00:00:00+00:00")
    return lo, hi


def time_windows(articles: Sequence[Article], url_dates: bool = True) -> np.ndarray:
    """``(n, 2)`` :func:`time_window` of each article."""
    return np.array([time_window(a, url_dates) for a in articles], dtype=np.float64).reshape(-1, 2)


def window_gap(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Days between the windows of ``a`` and ``b`` (rows of ``w``): 0 when they overlap, NaN when either is unknown."""
    with np.errstate(invalid="ignore"):
        return np.maximum(0.0, np.maximum(w[a, 0], w[b, 0]) - np.minimum(w[a, 1], w[b, 1]))


def _tfidf_shard(counts: tuple[Any, Any], df_words: np.ndarray, df_entities: np.ndarray, n: int):
    W, E = counts
    return tfidf_weight(W, df_words, n), tfidf_weight(E, df_entities, n)


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
    ex = executor_of(articles, executor)
    corpus = as_sharded(articles, ex)
    n = len(corpus)
    store = checkpoints if corpus.key else None

    def keys(stage: str, *params: Any) -> list[str]:
        return [fingerprint(stage, corpus.key, i, *params) for i in range(len(corpus.shards))]

    lex = cfg.lexical
    with reporter.stage("fingerprint", total=n):
        parts = ex.gather(map_cached(ex, fingerprint_shard, corpus.shards, lex.num_perm, lex.ngram, lex.seed,
                                     store=store, stage="fingerprint", desc="fingerprint",
                                     keys=keys("fingerprint", lex.num_perm, lex.ngram, lex.seed)))
        hashes = [h for p in parts for h in p[0]]
        sigs = (np.concatenate([p[1] for p in parts]) if parts else np.zeros((0, lex.num_perm), np.uint32))
    with reporter.stage("lexical"):
        results = map_cached(ex, _lexical_shard, corpus.shards, store=store, stage="lexical", desc="lexical",
                             keys=keys("lexical", "terms", "calendar", "figures"), returns=2)
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
            vecs = ex.gather(map_cached(ex, embed_shard, corpus.shards, cfg.semantic.max_tokens, device,
                                        store=store, stage="embed", desc="embed",
                                        keys=keys("embed", cfg.semantic.max_tokens, EMBED_CHARS, "copies", COPY_WORDS, *extra),
                                        gpus=cfg.semantic.gpus_per_task if device == "cuda" else 0.0))
            vectors = np.concatenate(vecs) if vecs else np.zeros((0, 384), np.float32)
        else:
            vectors = lsa(X)  # regroup: one fit on the whole matrix
    rep = Representation(
        vectors=vectors,
        tfidf=X,
        ents=Xe,
        years=[y for i in infos for y in i["years"]],
        numbers=[x for i in infos for x in i["numbers"]],
        words=np.concatenate([i["words"] for i in infos]) if infos else np.zeros(0, np.float32),
        days=np.concatenate(days)[:, 0] if days else np.zeros(0, np.float64),
        published=np.concatenate(days)[:, 1] if days else np.zeros(0, np.float64),
        terms=[x for i in infos for x in i["terms"]],
        calendar=[x for i in infos for x in i["calendar"]],
        figures=[x for i in infos for x in i["figures"]],
    )
    # where the executor already holds the weighted rows: verify tasks read them there
    rep._shard_rows = (np.asarray(corpus.offsets), weighted)  # type: ignore[attr-defined]
    return rep, hashes, sigs, kind


LSA_FIT_ROWS = 50_000  # larger corpora fit the LSA on an evenly spaced sample of this many articles


def lsa(X) -> np.ndarray:
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


class RepresentStage(Stage):
    """``run.articles`` -> ``run.rep`` (vectors, lexical matrices, small per-article fields), ``run.hashes``,
    ``run.sigs`` and ``run.kind`` (semantic with MiniLM vectors, else lexical with LSA vectors)."""

    name = "represent"
    needs = ("articles",)
    makes = ("rep", "hashes", "sigs", "kind")

    def __call__(self, run: Run) -> None:
        rep, run.hashes, run.sigs, run.kind = represent(run.articles, run.cfg, run.semantic, run.reporter,
                                                        run.executor, run.checkpoints)
        if getattr(rep, "_shard_rows", None) is not None:
            rep.tfidf = rep.ents = None  # verify reads the rows where the executor keeps them
        run.rep = rep
