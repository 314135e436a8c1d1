"""Word statistics shared by the paraphrase decision and the spin detector.

Word commonness comes from ``wordfreq`` (Zipf scale: 7 for "the", 0 for words
it has never seen). It tells rare words (names, technical terms: strong
evidence of reuse when shared) from common ones (cheap to substitute), and is
what exposes a synonym spinner's habit of swapping common words for rare ones.
Without ``wordfreq`` a flat prior is used and spin detection loses its edge.
"""

from __future__ import annotations

from functools import lru_cache

from storyline.provenance.sentences import STOPWORDS, is_number, stem, words

_UNSEEN = 0.0


@lru_cache(maxsize=1)
def _zipf_fn():
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return zipf_frequency


@lru_cache(maxsize=200_000)
def zipf(word: str) -> float:
    """Zipf frequency of an English word (0 when unknown); 4.0 for every word without wordfreq."""
    fn = _zipf_fn()
    if fn is None:  # pragma: no cover
        return 4.0
    if is_number(word):
        return 5.0
    return float(fn(word, "en"))


def has_frequencies() -> bool:
    return _zipf_fn() is not None


@lru_cache(maxsize=200_000)
def rarity(word: str) -> float:
    """A weight that grows with rarity: ~0.3 for function words, up to ~1.8 for unseen words."""
    return max(0.3, 8.0 - zipf(word)) / 4.0


def content(ws: tuple[str, ...]) -> list[str]:
    return [w for w in ws if w not in STOPWORDS]


def stems(sentence: str) -> frozenset[str]:
    return frozenset(stem(w) for w in content(words(sentence)))


def lcs_len(a: tuple[str, ...] | list[str], b: tuple[str, ...] | list[str]) -> int:
    """Length of the longest common subsequence of two token lists (bit-parallel, Hyyrö 2004)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, tok in enumerate(a):
        masks[tok] = masks.get(tok, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for tok in b:
        m = masks.get(tok)
        if m is None:
            continue
        u = v & m
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()
