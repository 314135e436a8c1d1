"""The lexical stage: exact content hashes, MinHash signatures and LSH candidate pairs.

Everything here is batch-vectorised numpy: texts are lowercased, encoded once per
batch, split into words and hashed without a Python loop per token, so the cost
per document is a handful of numpy passes over its bytes.

Signatures use the bucketed rounds of *fast similarity sketching* (Dahlgaard,
Knudsen and Thorup, 2017) instead of ``num_perm`` independent permutations: each
shingle lands in one slot per round, rounds repeat only for documents that still
have empty slots, and a per-slot hash fills what is left for very short documents.
Every slot's value is a function of the shingle alone, so two documents agree on a
slot with probability exactly their Jaccard similarity, as with classic MinHash,
while the work is O(shingles) instead of O(shingles x num_perm).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import xxhash
from numpy.lib.stride_tricks import sliding_window_view

log = logging.getLogger(__name__)

__all__ = [
    "EMPTY",
    "MinHasher",
    "band_rows",
    "containment",
    "content_hash",
    "jaccard",
    "jaccard_estimate",
    "lsh_candidate_pairs",
    "lsh_params",
    "normalise_for_hash",
    "pairs_from_band_rows",
    "shingle_set",
    "tokens",
]

U64 = np.uint64
#: Signature value of an empty document in every slot: it matches nothing, not even another empty one.
EMPTY = np.uint32(0xFFFFFFFF)
_FRAC_BITS = 28
_FRAC_MASK = U64((1 << _FRAC_BITS) - 1)
_MAX_ROUNDS = 12  # bucket rounds before the per-slot fallback; levels 0..12 stay below EMPTY
_BATCH_BYTES = 1 << 18  # text per numpy batch, in characters: keeps temporaries in cache

# A word is a maximal run of word characters: ASCII letters, digits and "_", and every
# non-ASCII character outside the punctuation, symbol and space blocks below. The same
# rule is applied to UTF-8 bytes (vectorised) and to characters (``tokens``).
_TOKEN = re.compile(
    r"[^\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\xbf\xd7\xf7\u2000-\u2bff\u3000-\u303f\ufeff\U0001f000-\U0001ffff]+"
)
_WORD_BYTE = np.zeros(256, dtype=bool)
for _c in b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_":
    _WORD_BYTE[_c] = True
_WORD_BYTE[0x80:] = True  # bytes of multi-byte characters; the non-word ones are masked by _mask_symbols


def _constants(seed: int, n: int, salt: int) -> np.ndarray:
    """n fixed pseudo-random odd 64-bit constants, reproducible across platforms."""
    out = [xxhash.xxh3_64_intdigest(f"{salt}:{i}".encode(), seed=seed) | 1 for i in range(n)]
    return np.array(out, dtype=U64)


_SHINGLE_MULT = _constants(0, 64, 2)  # per position in a shingle
_BAND_MULT = _constants(0, 1024, 3)  # per row in a band
_BAND_SALT = _constants(0, 4096, 4)  # per band


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, in place on a uint64 array (bijective, well mixing)."""
    z ^= z >> U64(30)
    z *= U64(0xBF58476D1CE4E5B9)
    z ^= z >> U64(27)
    z *= U64(0x94D049BB133111EB)
    z ^= z >> U64(31)
    return z


def _prepare(text: str) -> str:
    """Lowercase and fold Unicode compatibility forms so that words compare equal however typed."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return text.lower()


def normalise_for_hash(text: str) -> str:
    """Words only, lowercased and single-spaced: copies that differ in case, spacing or punctuation agree."""
    return " ".join(_TOKEN.findall(_prepare(text)))


def content_hash(text: str) -> str:
    """Exact-duplicate key: 128-bit xxh3 of the normalised text, as 32 hex digits."""
    return xxhash.xxh3_128_hexdigest(normalise_for_hash(text).encode("utf-8", "surrogatepass"))


def tokens(text: str) -> list[str]:
    """The word tokens that shingles are built from (lowercased runs of word characters)."""
    return _TOKEN.findall(_prepare(text))


# --------------------------------------------------------------------------- hashing


@dataclass(slots=True)
class _Batch:
    """Shingle hashes of a batch of documents: ``doc[i]`` is the batch row of ``shingle[i]``."""

    shingle: np.ndarray  # uint64, mixed
    doc: np.ndarray  # int64, non-decreasing
    n_docs: int


def _mask_symbols(buf: np.ndarray, isw: np.ndarray) -> None:
    """Mark the bytes of non-ASCII punctuation, symbols and spaces as non-word, in place.

    Only lead bytes are inspected, so ASCII text costs one comparison per byte. The
    ranges match ``_TOKEN``: U+0080-U+00BF, U+00D7, U+00F7, U+2000-U+2BFF,
    U+3000-U+303F, U+FEFF and U+1F000-U+1FFFF.
    """
    lead = np.flatnonzero(buf >= 0xC2)
    if lead.size == 0:
        return
    b0 = buf[lead]
    b1 = buf[lead + 1]
    b2 = buf[lead + 2]
    two = ((b0 == 0xC2) & (b1 <= 0xBF)) | ((b0 == 0xC3) & ((b1 == 0x97) | (b1 == 0xB7)))
    three = (
        ((b0 == 0xE2) & (b1 >= 0x80) & (b1 <= 0xAF))
        | ((b0 == 0xE3) & (b1 == 0x80))
        | ((b0 == 0xEF) & (b1 == 0xBB) & (b2 == 0xBF))
    )
    four = (b0 == 0xF0) & (b1 == 0x9F)
    for width, sel in ((2, two), (3, three), (4, four)):
        at = lead[sel]
        for k in range(width):
            isw[at + k] = False


# Keep the low 8 * min(n, 8) bits and the next 8 * clip(n - 8, 0, 8) bits of a 16-byte load.
_LO_MASK = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(17)], dtype=U64)
_HI_MASK = np.array([(1 << (8 * max(0, min(n, 16) - 8))) - 1 for n in range(17)], dtype=U64)
_WORD_MULT = _constants(0, 64, 5)
_PAD = bytes(24)


def _word_hashes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Hash every word of every text without a Python loop per word: (word hashes, doc of each word).

    Words are found with one pass over the UTF-8 bytes of the whole batch; each word is
    then read as 16-byte loads (masked to its length) and mixed into 64 bits.
    """
    encoded = [_prepare(t).encode("utf-8", "surrogatepass") for t in texts]
    ends = np.cumsum(np.fromiter((len(b) + 1 for b in encoded), dtype=np.int64, count=len(encoded)))
    buf = np.frombuffer(b" " + b" ".join(encoded) + b" " + _PAD, dtype=np.uint8)
    isw = _WORD_BYTE[buf]
    _mask_symbols(buf, isw)
    edges = np.flatnonzero(isw[1:] != isw[:-1]) + 1
    starts, stops = edges[0::2], edges[1::2]
    if starts.size == 0:
        return np.empty(0, U64), np.empty(0, np.int64)
    length = stops - starts
    window = sliding_window_view(buf, 16)
    part = window[starts].view(U64)
    n = np.minimum(length, 16)
    h = (part[:, 0] & _LO_MASK[n]) * _WORD_MULT[0]
    h += (part[:, 1] & _HI_MASK[n]) * _WORD_MULT[1]
    h += length.astype(U64) * _WORD_MULT[2]
    longer = np.flatnonzero(length > 16)
    chunk = 1
    while longer.size:  # words over 16 bytes: add each further 16-byte piece
        rest = length[longer] - 16 * chunk
        part = window[starts[longer] + 16 * chunk].view(U64)
        n = np.minimum(rest, 16)
        mult = _WORD_MULT[(2 * chunk + 1) % 64], _WORD_MULT[(2 * chunk + 2) % 64]
        h[longer] += (part[:, 0] & _LO_MASK[n]) * mult[0] + (part[:, 1] & _HI_MASK[n]) * mult[1]
        longer = longer[rest > 16]
        chunk += 1
    # words per text, from where each text ends among the sorted word starts
    per_doc = np.diff(np.searchsorted(starts, ends, side="left"), prepend=0)
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), per_doc)
    return _mix(h), doc


def _shingles(wh: np.ndarray, doc: np.ndarray, n_docs: int, ngram: int) -> _Batch:
    """Hash every run of ``ngram`` consecutive words of one document; shorter docs give one shingle."""
    counts = np.bincount(doc, minlength=n_docs)
    parts_x: list[np.ndarray] = []
    parts_d: list[np.ndarray] = []
    m = wh.size - ngram + 1
    if m > 0:
        acc = wh[:m] * _SHINGLE_MULT[0]
        for j in range(1, ngram):
            acc += wh[j : j + m] * _SHINGLE_MULT[j]
        ok = doc[:m] == doc[ngram - 1 :]
        parts_x.append(acc[ok])
        parts_d.append(doc[:m][ok])
    short = (counts > 0) & (counts < ngram)
    if short.any():
        starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
        sel = short[doc]
        sd = doc[sel]
        pos = np.flatnonzero(sel) - starts[sd]
        vals = wh[sel] * _SHINGLE_MULT[pos]
        first = np.flatnonzero(np.concatenate(([True], sd[1:] != sd[:-1])))
        acc = np.add.reduceat(vals, first)
        acc += counts[sd[first]].astype(U64) * U64(0xD6E8FEB86659FD93)
        parts_x.append(acc)
        parts_d.append(sd[first])
    if not parts_x:
        return _Batch(np.empty(0, U64), np.empty(0, np.int64), n_docs)
    x = np.concatenate(parts_x)
    d = np.concatenate(parts_d)
    if len(parts_x) > 1:
        order = np.argsort(d, kind="stable")
        x, d = x[order], d[order]
    return _Batch(_mix(x), d, n_docs)


def _batches(texts: Sequence[str], max_bytes: int = _BATCH_BYTES) -> Iterator[tuple[int, int]]:
    """Split texts into [start, end) runs of about ``max_bytes`` characters each."""
    start, size = 0, 0
    for i, t in enumerate(texts):
        size += len(t) + 1
        if size > max_bytes and i > start:
            yield start, i
            start, size = i, len(t) + 1
    if start < len(texts):
        yield start, len(texts)


def _shingle_batch(texts: Sequence[str], ngram: int) -> _Batch:
    wh, doc = _word_hashes(texts)
    return _shingles(wh, doc, len(texts), ngram)


# --------------------------------------------------------------------------- signatures


@dataclass(frozen=True, slots=True)
class MinHasher:
    """MinHash signatures of word ``ngram`` shingles, ``num_perm`` slots of uint32, seeded."""

    num_perm: int = 128
    ngram: int = 5
    seed: int = 1
    _round_salt: np.ndarray = field(init=False, repr=False, compare=False)
    _slot_salt: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 1 <= self.num_perm <= 1 << 16:
            raise ValueError(f"num_perm must be in 1..65536, got {self.num_perm}")
        if not 1 <= self.ngram <= 64:
            raise ValueError(f"ngram must be in 1..64, got {self.ngram}")
        object.__setattr__(self, "_round_salt", _constants(self.seed, _MAX_ROUNDS, 10))
        object.__setattr__(self, "_slot_salt", _constants(self.seed, self.num_perm, 11))

    def signatures(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), num_perm) uint32 signatures; a text without words gets the all-EMPTY row."""
        out = np.empty((len(texts), self.num_perm), dtype=np.uint32)
        for start, end in _batches(texts):
            batch = _shingle_batch(texts[start:end], self.ngram)
            out[start:end] = self._sketch(batch)
        return out

    def _sketch(self, batch: _Batch) -> np.ndarray:
        k = self.num_perm
        sig = np.full(batch.n_docs * k, EMPTY, dtype=np.uint32)
        x, doc = batch.shingle, batch.doc
        kk = U64(k)
        is_open = np.zeros(batch.n_docs, dtype=bool)
        is_open[doc] = True
        open_docs = np.flatnonzero(is_open)
        for r in range(_MAX_ROUNDS):
            if x.size == 0:
                break
            g = _mix(x ^ self._round_salt[r])
            slot = ((g >> U64(32)) * kk) >> U64(32)
            val = ((g & _FRAC_MASK) | U64(r << _FRAC_BITS)).astype(np.uint32)
            np.minimum.at(sig, doc * k + slot.astype(np.int64), val)
            # later rounds only matter for documents that still have an empty slot
            still = (sig.reshape(-1, k)[open_docs] == EMPTY).any(axis=1)
            is_open[open_docs[~still]] = False
            open_docs = open_docs[still]
            keep = is_open[doc]
            x, doc = x[keep], doc[keep]
        sig = sig.reshape(-1, k)
        if x.size:
            self._fallback(sig, x, doc)
        return sig

    def _fallback(self, sig: np.ndarray, x: np.ndarray, doc: np.ndarray, chunk: int = 4096) -> None:
        """Fill slots that no round reached with one hash per slot (classic MinHash, short docs only)."""
        level = U64(_MAX_ROUNDS << _FRAC_BITS)
        first = np.flatnonzero(np.concatenate(([True], doc[1:] != doc[:-1])))
        bounds = np.append(first, doc.size)
        g = 0
        while g < first.size:
            # whole documents, about `chunk` shingles at a time
            h_end = int(np.searchsorted(bounds, bounds[g] + chunk, side="right")) - 1
            h_end = max(h_end, g + 1)
            lo, hi = int(bounds[g]), int(bounds[h_end])
            h = x[lo:hi, None] ^ self._slot_salt[None, :]
            _mix(h)
            h &= _FRAC_MASK
            h |= level
            best = np.minimum.reduceat(h, first[g:h_end] - lo, axis=0).astype(np.uint32)
            docs = doc[first[g:h_end]]
            sig[docs] = np.minimum(sig[docs], best)
            g = h_end


def shingle_set(text: str, ngram: int = 5) -> set[int]:
    """The exact set of shingle hashes of one text (the set MinHash estimates), for verification."""
    return set(_shingle_batch([text], ngram).shingle.tolist())


def containment(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """|A & B| / |A|: how much of A is inside B (1.0 for a trimmed copy of B); 0.0 when A is empty."""
    if not a:
        return 0.0
    return len(a & b) / len(a)


def jaccard(a: set[int] | frozenset[int], b: set[int] | frozenset[int]) -> float:
    """Exact Jaccard similarity of two shingle sets; 0.0 when both are empty."""
    if not a and not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def jaccard_estimate(sigs: np.ndarray, pairs: np.ndarray, chunk: int = 65536) -> np.ndarray:
    """Estimated Jaccard of each pair: the share of slots on which both signatures agree (float32)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    out = np.empty(len(pairs), dtype=np.float32)
    for s in range(0, len(pairs), chunk):
        a = sigs[pairs[s : s + chunk, 0]]
        b = sigs[pairs[s : s + chunk, 1]]
        eq = (a == b) & (a != EMPTY)
        out[s : s + chunk] = eq.mean(axis=1)
    return out


# --------------------------------------------------------------------------- LSH


@lru_cache(maxsize=256)
def _optimal_params(threshold: float, num_perm: int, fp_weight: float, fn_weight: float) -> tuple[int, int]:
    # The areas under the S-curve P(s) = 1 - (1 - s^r)^b left of the threshold (false
    # positives) and above it right of the threshold (false negatives), by Gauss-Legendre
    # quadrature for every (b, r) with b * r <= num_perm at once.
    nodes, weights = np.polynomial.legendre.leggauss(64)
    bands = np.arange(1, num_perm + 1)
    max_rows = num_perm // bands
    b = np.repeat(bands, max_rows).astype(float)[:, None]
    r = (_ranges(max_rows) + 1).astype(float)[:, None]

    def area(lo: float, hi: float, false_negative: bool) -> np.ndarray:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        p = 1.0 - (1.0 - s[None, :] ** r) ** b
        if false_negative:
            p = 1.0 - p
        return (p * weights[None, :]).sum(axis=1) * (hi - lo) / 2

    err = fp_weight * area(0.0, threshold, False) + fn_weight * area(threshold, 1.0, True)
    i = int(np.argmin(err))
    return int(b[i, 0]), int(r[i, 0])


def lsh_params(
    threshold: float,
    num_perm: int,
    fp_weight: float = 0.5,
    fn_weight: float = 0.5,
    override: tuple[int, int] | None = None,
) -> tuple[int, int]:
    """(bands, rows) minimising the weighted false positive and negative areas, as datasketch does.

    ``override`` returns the given (bands, rows) after checking that they fit in ``num_perm``.
    """
    if override is not None:
        bands, rows = (int(v) for v in override)
        if bands < 1 or rows < 1 or bands * rows > num_perm:
            raise ValueError(f"bands * rows must be <= num_perm={num_perm}, got {bands} x {rows}")
        return bands, rows
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be in (0, 1), got {threshold}")
    if fp_weight < 0 or fn_weight < 0 or fp_weight + fn_weight <= 0:
        raise ValueError("weights must be non-negative and not both zero")
    return _optimal_params(float(threshold), int(num_perm), float(fp_weight), float(fn_weight))


def _check_bands(sigs: np.ndarray, bands: int, rows: int) -> None:
    k = sigs.shape[1]
    if bands < 1 or rows < 1 or bands * rows > k:
        raise ValueError(f"bands * rows must be <= {k}, got {bands} x {rows}")
    if bands > _BAND_SALT.size or rows > _BAND_MULT.size:
        raise ValueError("too many bands or rows")


def _live(sigs: np.ndarray) -> np.ndarray:
    """Indexes of the signatures that are not EMPTY (documents with at least one word)."""
    return np.flatnonzero(~(sigs == EMPTY).all(axis=1))


def _band_keys(block: np.ndarray, first_band: int) -> np.ndarray:
    """64-bit bucket keys of a (docs, bands, rows) block of signature values; bands are salted apart."""
    rows = block.shape[2]
    acc = (block.astype(U64) * _BAND_MULT[:rows]).sum(axis=2, dtype=U64)
    acc += _BAND_SALT[first_band : first_band + block.shape[1]]
    return _mix(acc)


def band_rows(sigs: np.ndarray, bands: int, rows: int, offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(band key, document index) for every band of every non-empty signature.

    Keys of different bands never mean the same bucket, so rows from many shards can
    be grouped by key alone (``offset`` is added to the indexes of this shard) and
    turned into pairs with :func:`pairs_from_band_rows`.
    """
    _check_bands(sigs, bands, rows)
    live = _live(sigs)
    keys = np.empty((live.size, bands), dtype=U64)
    step = max(1, (1 << 16) // (bands * rows))
    for s in range(0, live.size, step):
        block = sigs[live[s : s + step], : bands * rows].reshape(-1, bands, rows)
        keys[s : s + step] = _band_keys(block, 0)
    docs = np.repeat(live.astype(np.int64) + offset, bands)
    return keys.reshape(-1), docs


def pairs_from_band_rows(keys: np.ndarray, docs: np.ndarray, max_bucket: int = 1000) -> np.ndarray:
    """All i < j pairs of documents sharing a key, sorted and unique, as an (m, 2) int64 array.

    A bucket with more than ``max_bucket`` members (boilerplate-only or mass-copied
    texts) is linked as a chain of consecutive members instead of all its pairs, so it
    stays connected without quadratic blow-up.
    """
    docs = np.asarray(docs, dtype=np.int64)
    if docs.size < 2 or bool((docs[1:] >= docs[:-1]).all()):
        order = np.argsort(keys, kind="stable")  # rows of one run come in document order already
    else:
        order = np.lexsort((docs, keys))
    codes, big, largest = _bucket_pairs(keys[order], docs[order], max_bucket)
    _log_big(big, largest, max_bucket)
    return _decode(codes)


def lsh_candidate_pairs(sigs: np.ndarray, bands: int, rows: int, max_bucket: int = 1000) -> np.ndarray:
    """(m, 2) int64 pairs i < j whose signatures share at least one band; sorted, unique, deterministic.

    Bands are bucketed one at a time (a sort of n keys each), so memory stays at a few
    arrays of n entries plus the pairs found.
    """
    _check_bands(sigs, bands, rows)
    if len(sigs) >= _CODE:
        raise ValueError(f"at most {_CODE - 1} documents per call")
    live = _live(sigs)
    sub = sigs if live.size == len(sigs) else sigs[live]
    codes: list[np.ndarray] = []
    big = largest = 0
    for band in range(bands):
        block = sub[:, band * rows : (band + 1) * rows].reshape(-1, 1, rows)
        keys = _band_keys(block, band).reshape(-1)
        order = np.argsort(keys, kind="stable")
        c, b, lg = _bucket_pairs(keys[order], live[order].astype(np.int64), max_bucket)
        codes.append(c)
        big, largest = big + b, max(largest, lg)
    _log_big(big, largest, max_bucket)
    return _decode(np.concatenate(codes) if codes else np.empty(0, np.int64))


_CODE = 1 << 31  # pairs travel as i * _CODE + j: documents are indexed below 2**31


def _decode(codes: np.ndarray) -> np.ndarray:
    codes = np.unique(codes)
    return np.stack([codes // _CODE, codes % _CODE], axis=1).astype(np.int64)


def _log_big(big: int, largest: int, max_bucket: int) -> None:
    if big:
        log.warning(
            "%d LSH buckets hold more than %d documents (largest %d); linking them as chains",
            big, max_bucket, largest,
        )


def _bucket_pairs(k: np.ndarray, d: np.ndarray, max_bucket: int) -> tuple[np.ndarray, int, int]:
    """Pair codes for rows sorted by key (members of a bucket ascending), with big-bucket counts."""
    if k.size < 2:
        return np.empty(0, np.int64), 0, 0
    new = np.concatenate(([True], k[1:] != k[:-1]))
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, k.size))
    big = sizes > max_bucket
    parts = []
    small = (sizes >= 2) & ~big
    if small.any():
        parts.append(_all_pairs(d, starts[small], sizes[small]))
    if big.any():
        idx = _ranges(sizes[big] - 1) + np.repeat(starts[big], sizes[big] - 1)
        parts.append(np.stack([d[idx], d[idx + 1]], axis=1))
    if not parts:
        return np.empty(0, np.int64), 0, 0
    pairs = np.concatenate(parts)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    return pairs[:, 0] * _CODE + pairs[:, 1], int(big.sum()), int(sizes.max())


def _all_pairs(d: np.ndarray, starts: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Every pair inside each group d[start:start+size], vectorised across groups."""
    # element p of a group of size s pairs with the s-1-p members after it
    member = _ranges(sizes)
    first = np.repeat(starts, sizes) + member
    fan = np.repeat(sizes, sizes) - 1 - member
    a = np.repeat(first, fan)
    b = a + 1 + _ranges(fan)
    return np.stack([d[a], d[b]], axis=1)


def _ranges(sizes: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s) for every s in sizes, without a Python loop."""
    total = int(sizes.sum())
    offs = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.arange(total) - offs
