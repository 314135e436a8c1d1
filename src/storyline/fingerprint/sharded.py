"""The fingerprint work of a run, on shards: content hashes and MinHash signatures per shard, LSH buckets
regrouped by band key, and the shingle containment of near-duplicate pairs."""

from __future__ import annotations

import itertools

import numpy as np

from storyline.executors import Executor
from storyline.model import Article


def full_text(a: Article) -> str:
    return f"{a.headline}\n{a.text}" if a.headline and not a.text.startswith(a.headline) else a.text


def fingerprint_shard(shard: list[Article], num_perm: int, ngram: int, seed: int) -> tuple[list[str], np.ndarray]:
    from storyline.fingerprint import MinHasher, content_hash

    hashes = [content_hash(full_text(a)) for a in shard]
    sigs = MinHasher(num_perm, ngram, seed).signatures([a.text for a in shard])
    return hashes, sigs


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


def lsh_pairs(ex: Executor, sigs: np.ndarray, bands: int, rows: int, max_bucket: int,
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


def shingle_arrays(shard: list[Article], local: np.ndarray, ngram: int) -> tuple[np.ndarray, np.ndarray]:
    """The shingle sets of some articles of a shard, as sorted arrays laid end to end, and their lengths."""
    from storyline.fingerprint import shingle_set

    arrays = [np.sort(np.fromiter(shingle_set(shard[i].text, ngram), dtype=np.uint64)) for i in local.tolist()]
    lengths = np.array([len(a) for a in arrays], dtype=np.int64)
    return (np.concatenate(arrays) if arrays else np.zeros(0, np.uint64)), lengths


def containment_chunk(pairs: np.ndarray, store: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
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
