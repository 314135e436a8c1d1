"""Pair features for the same-story decision.

Two events of the same kind (two earthquakes, two rate decisions) share most of
their vocabulary; they differ in who, where, when and how many. So besides the
overall similarity of two articles (MiniLM cosine, TF-IDF cosine) the features
compare their named entities, numbers and years.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import scipy.sparse as sp

FEATURES = ("cosine", "tfidf", "entities", "year_conflict", "year_shared", "numbers", "log_min_words")

_CAP = re.compile(
    r"\b[A-Z][\w'\-]*[A-Za-z](?:\s+(?:of|de|del|la|the|van|von|al|bin|da)?\s*[A-Z][\w'\-]*[A-Za-z])*"
)
_NOT_ENTITY = frozenset(
    """The A An In On At He She It They We I You But And Or If As By For From With This That These Those
    Its His Her Their Our Police Officials Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December Mr Mrs Ms Dr
    There Here When What Who Why How After Before While During Since Until About Over Under Some Many
    Most All Both Each Other Another One Two Three Four Five Six Seven Eight Nine Ten""".split()
)
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def entities(text: str) -> list[str]:
    """Capitalised spans that are not sentence openers or calendar words, lowercased."""
    out = []
    for m in _CAP.finditer(text):
        s = m.group(0)
        if s in _NOT_ENTITY:
            continue
        out.append(s.lower())
    return out


def numbers(text: str) -> frozenset[str]:
    """Numbers other than years, with thousands separators removed."""
    vals = set()
    for x in _NUM.findall(text):
        if _YEAR.fullmatch(x):
            continue
        vals.add(x.replace(",", ""))
    return frozenset(vals)


def years(text: str) -> frozenset[str]:
    return frozenset(_YEAR.findall(text))


def to_days(published: str | None) -> float:
    """Days since the epoch for an ISO date, NaN when unknown or unparseable."""
    if not published:
        return float("nan")
    try:
        dt = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return float("nan")
    if dt.tzinfo is not None:
        return dt.timestamp() / 86400.0
    return (dt - datetime(1970, 1, 1)).total_seconds() / 86400.0


@dataclass
class Representation:
    """What the verifier needs about every article of a run, row-aligned with the articles."""

    vectors: np.ndarray  # (n, d), L2-normalised
    tfidf: sp.csr_matrix  # (n, V), L2-normalised rows
    ents: sp.csr_matrix  # (n, E), L2-normalised rows
    years: list[frozenset[str]]
    numbers: list[frozenset[str]]
    words: np.ndarray  # word count per article
    days: np.ndarray  # publication time in days, NaN if unknown

    def __len__(self) -> int:
        return len(self.words)


_WORD_FEATURES = 1 << 20
_ENTITY_FEATURES = 1 << 18


def hashed_counts(texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Word/bigram and entity-span counts in hashed feature spaces.

    Hashing keeps the step shardable: any shard can be vectorised alone, and
    only the document frequencies (a vector) are summed across shards.
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    word = HashingVectorizer(
        n_features=_WORD_FEATURES, ngram_range=(1, 2), stop_words="english", alternate_sign=False, norm=None,
        dtype=np.float32,
    )
    ent = HashingVectorizer(
        n_features=_ENTITY_FEATURES, analyzer=entities, alternate_sign=False, norm=None, dtype=np.float32
    )
    if len(texts) == 0:
        return (sp.csr_matrix((0, _WORD_FEATURES), dtype=np.float32), sp.csr_matrix((0, _ENTITY_FEATURES), dtype=np.float32))
    return word.transform(texts).tocsr(), ent.transform(texts).tocsr()


def document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)


def tfidf_weight(counts: sp.csr_matrix, df: np.ndarray, n_docs: int) -> sp.csr_matrix:
    """Sublinear TF times smoothed IDF (as scikit-learn's TfidfVectorizer), rows L2-normalised."""
    X = counts.copy().astype(np.float32)
    X.data = 1.0 + np.log(X.data)
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    X = X.multiply(idf[np.newaxis, :]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X).astype(np.float32).tocsr()


def lexical_matrices(texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """TF-IDF over words and bigrams, and over entity spans, with the run's own document frequencies."""
    W, E = hashed_counts(texts)
    n = len(texts)
    return tfidf_weight(W, document_frequency(W), n), tfidf_weight(E, document_frequency(E), n)


def rowwise_dot(X: sp.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        out[s : s + chunk] = np.asarray(X[a[s : s + chunk]].multiply(X[b[s : s + chunk]]).sum(axis=1)).ravel()
    return out


def pair_features(rep: Representation, pairs: np.ndarray) -> np.ndarray:
    """One row of :data:`FEATURES` per pair (i, j)."""
    if len(pairs) == 0:
        return np.zeros((0, len(FEATURES)), dtype=np.float32)
    a, b = pairs[:, 0], pairs[:, 1]
    F = np.zeros((len(pairs), len(FEATURES)), dtype=np.float32)
    F[:, 0] = np.einsum("ij,ij->i", rep.vectors[a], rep.vectors[b])
    F[:, 1] = rowwise_dot(rep.tfidf, a, b)
    F[:, 2] = rowwise_dot(rep.ents, a, b)
    for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        yi, yj = rep.years[i], rep.years[j]
        if yi and yj:
            shared = bool(yi & yj)
            F[r, 3] = 0.0 if shared else 1.0
            F[r, 4] = 1.0 if shared else 0.0
        ni, nj = rep.numbers[i], rep.numbers[j]
        if ni and nj:
            F[r, 5] = len(ni & nj) / min(len(ni), len(nj))
    F[:, 6] = np.log1p(np.minimum(rep.words[a], rep.words[b]))
    return F
