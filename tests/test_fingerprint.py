"""The lexical stage: content hashes, tokens, MinHash signatures and LSH candidate pairs."""

from __future__ import annotations

import logging
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.fingerprint import (
    EMPTY,
    MinHasher,
    band_rows,
    containment,
    content_hash,
    jaccard,
    jaccard_estimate,
    lsh_candidate_pairs,
    lsh_params,
    normalise_for_hash,
    pairs_from_band_rows,
    shingle_set,
    tokens,
)

VOCAB = [
    "harbour", "council", "minister", "river", "market", "storm", "bridge", "vote", "budget", "school",
    "strike", "court", "ruling", "bank", "rate", "fire", "crew", "village", "mayor", "rescue", "price",
    "union", "talks", "deal", "shares", "league", "final", "goal", "coach", "quake", "tower", "road",
    "train", "port", "ferry", "north", "south", "east", "west", "city", "report", "official", "police",
    "hospital", "doctor", "farm", "harvest", "drought", "flood", "water", "power", "grid", "factory",
    "worker", "wage", "tax", "law", "judge", "appeal", "election", "party", "leader", "speech", "crowd",
]
HASHER = MinHasher()


def words(rng: random.Random, n: int) -> list[str]:
    return [rng.choice(VOCAB) + str(rng.randrange(40)) for _ in range(n)]


def edit(rng: random.Random, ws: list[str], share: float) -> list[str]:
    out = list(ws)
    for i in rng.sample(range(len(out)), int(len(out) * share)):
        out[i] = rng.choice(VOCAB) + "x"
    return out


# ------------------------------------------------------------------ normalisation and exact hashes


def test_content_hash_ignores_case_spacing_and_punctuation():
    a = "The Harbour Council voted, on Tuesday, to close the old bridge."
    b = "the harbour  council VOTED on tuesday\n\nto close the old bridge"
    c = "“The harbour council” voted — on Tuesday — to close the old bridge…"
    assert content_hash(a) == content_hash(b) == content_hash(c)
    assert content_hash(a) != content_hash(a.replace("old", "new"))
    assert len(content_hash(a)) == 32 and int(content_hash(a), 16) >= 0


def test_normalise_for_hash_keeps_words_only():
    assert normalise_for_hash("  Rates RISE to 4.25%!\tBank says… ") == "rates rise to 4 25 bank says"
    assert normalise_for_hash("") == ""


def test_tokens_split_on_unicode_punctuation_and_keep_letters():
    assert tokens("Café’s “naïve” plan—delayed…") == ["café", "s", "naïve", "plan", "delayed"]
    assert tokens("Zürich 12,000 €5 snake_case") == ["zürich", "12", "000", "5", "snake_case"]
    assert tokens("東京。大阪") == ["東京", "大阪"]
    assert tokens("ＡＢＣ ﬁre") == ["abc", "fire"]  # compatibility forms are folded


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_shingles_use_the_same_words_as_tokens(text):
    # the vectorised byte splitter and the character regex must agree on what a word is
    toks = tokens(text)
    assert len(shingle_set(text, ngram=1)) == len(set(toks))
    assert shingle_set(text, ngram=1) == shingle_set(" ".join(toks), ngram=1)
    assert shingle_set(text, ngram=3) == shingle_set(" ".join(toks), ngram=3)


def test_containment_and_jaccard_on_a_trimmed_copy():
    rng = random.Random(3)
    full = " ".join(words(rng, 300))
    trimmed = " ".join(full.split()[:200])
    a, b = shingle_set(trimmed), shingle_set(full)
    assert containment(a, b) == 1.0
    assert 0.6 < containment(b, a) < 0.7
    assert jaccard(a, b) == pytest.approx(len(a) / len(b))
    assert containment(set(), b) == 0.0 and jaccard(set(), set()) == 0.0


# ------------------------------------------------------------------ signatures


def test_identical_texts_have_identical_signatures_whatever_the_batch():
    rng = random.Random(1)
    texts = [" ".join(words(rng, rng.randrange(1, 400))) for _ in range(300)]
    texts += ["", "one", "two words", "a b c d", "A, b; C! d? e."]
    together = HASHER.signatures(texts)
    alone = np.stack([HASHER.signatures([t])[0] for t in texts])
    assert together.shape == (len(texts), 128) and together.dtype == np.uint32
    assert np.array_equal(together, alone)
    again = HASHER.signatures(list(reversed(texts)))[::-1]
    assert np.array_equal(together, again)
    # case, spacing and punctuation do not change a signature
    assert np.array_equal(HASHER.signatures(["A, b; C! d? e."]), HASHER.signatures(["a b c d e"]))


def test_seed_and_config_change_signatures():
    text = ["the harbour council voted to close the old bridge on tuesday night"]
    assert not np.array_equal(MinHasher(seed=1).signatures(text), MinHasher(seed=2).signatures(text))
    assert MinHasher(num_perm=64).signatures(text).shape == (1, 64)
    with pytest.raises(ValueError):
        MinHasher(num_perm=0)


def test_empty_documents_match_nothing():
    sigs = HASHER.signatures(["", "   ...  ", "same short text", "same short text"])
    assert (sigs[0] == EMPTY).all() and (sigs[1] == EMPTY).all()
    assert not (sigs[2] == EMPTY).any()
    pairs = lsh_candidate_pairs(sigs, *lsh_params(0.5, 128))
    assert pairs.tolist() == [[2, 3]]
    est = jaccard_estimate(sigs, np.array([[0, 1], [2, 3]]))
    assert est.tolist() == [0.0, 1.0]


def _pair_with_jaccard(rng: random.Random, inter: int, only_a: int, only_b: int) -> tuple[str, str]:
    # distinct one-word "documents" as shingle sets (ngram=1 makes the set structure exact)
    pool = [f"w{rng.getrandbits(40)}" for _ in range(inter + only_a + only_b)]
    a = pool[:inter] + pool[inter : inter + only_a]
    b = pool[:inter] + pool[inter + only_a :]
    rng.shuffle(a)
    rng.shuffle(b)
    return " ".join(a), " ".join(b)


@settings(max_examples=60, deadline=None)
@given(
    inter=st.integers(0, 300), only_a=st.integers(0, 300), only_b=st.integers(0, 300),
    seed=st.integers(0, 2**32 - 1),
)
def test_estimate_tracks_true_jaccard(inter, only_a, only_b, seed):
    if inter + only_a == 0 or inter + only_b == 0:
        return
    a, b = _pair_with_jaccard(random.Random(seed), inter, only_a, only_b)
    hasher = MinHasher(ngram=1)
    true = jaccard(shingle_set(a, 1), shingle_set(b, 1))
    assert true == pytest.approx(inter / (inter + only_a + only_b))
    est = float(jaccard_estimate(hasher.signatures([a, b]), np.array([[0, 1]]))[0])
    sd = math.sqrt(true * (1 - true) / hasher.num_perm)
    assert abs(est - true) <= 6 * sd + 0.02


def test_estimate_is_unbiased_and_as_precise_as_classic_minhash():
    rng = random.Random(7)
    hasher = MinHasher(ngram=1)
    texts, truth = [], []
    for _ in range(300):
        inter = rng.randrange(5, 400)
        a, b = _pair_with_jaccard(rng, inter, rng.randrange(0, 300), rng.randrange(0, 300))
        texts += [a, b]
        truth.append(jaccard(shingle_set(a, 1), shingle_set(b, 1)))
    sigs = hasher.signatures(texts)
    est = jaccard_estimate(sigs, np.arange(len(texts)).reshape(-1, 2))
    err = est - np.array(truth)
    assert abs(err.mean()) < 0.01
    classic_sd = np.sqrt(np.mean([t * (1 - t) for t in truth]) / hasher.num_perm)
    assert err.std() < 1.15 * classic_sd


# ------------------------------------------------------------------ LSH parameters


@pytest.mark.parametrize(
    ("threshold", "num_perm", "expected"),
    [(0.3, 128, (37, 3)), (0.5, 128, (25, 5)), (0.7, 128, (14, 9)), (0.8, 128, (9, 13)), (0.9, 128, (5, 25)),
     (0.5, 256, (42, 6)), (0.8, 256, (17, 15))],
)
def test_lsh_params_match_the_weighted_error_optimum(threshold, num_perm, expected):
    # the (bands, rows) that datasketch's MinHashLSH picks for the same settings
    assert lsh_params(threshold, num_perm) == expected


def test_lsh_params_agree_with_datasketch():
    lsh_mod = pytest.importorskip("datasketch.lsh")
    for t in (0.2, 0.35, 0.5, 0.65, 0.75, 0.85, 0.95):
        for num_perm in (64, 128):
            for w in ((0.5, 0.5), (0.3, 0.7)):
                assert lsh_params(t, num_perm, *w) == lsh_mod._optimal_param(t, num_perm, *w)


def test_lsh_s_curve_is_centred_on_the_threshold():
    for t in (0.3, 0.5, 0.7, 0.8, 0.9):
        b, r = lsh_params(t, 128)
        assert b * r <= 128
        p_at = 1 - (1 - t**r) ** b
        assert 0.3 < p_at < 0.8, (t, b, r, p_at)
        assert 1 - (1 - (t - 0.2) ** r) ** b < 0.2  # well below the threshold: rarely a candidate
        assert 1 - (1 - min(1.0, t + 0.15) ** r) ** b > 0.8  # well above: almost always
    rows = [lsh_params(t, 128)[1] for t in (0.3, 0.5, 0.7, 0.9)]
    assert rows == sorted(rows)
    # weighting false negatives more gives more bands (a lower effective threshold)
    assert lsh_params(0.5, 128, 0.1, 0.9)[0] > lsh_params(0.5, 128, 0.9, 0.1)[0]


def test_lsh_params_override_and_errors():
    assert lsh_params(0.5, 128, override=(16, 8)) == (16, 8)
    with pytest.raises(ValueError):
        lsh_params(0.5, 128, override=(16, 9))
    with pytest.raises(ValueError):
        lsh_params(1.5, 128)


# ------------------------------------------------------------------ candidate pairs


def _corpus(seed: int = 5) -> tuple[list[str], set[tuple[int, int]]]:
    rng = random.Random(seed)
    texts, dups = [], set()
    for _ in range(60):
        base = words(rng, rng.randrange(150, 400))
        texts.append(" ".join(base))
        if rng.random() < 0.5:
            texts.append(" ".join(edit(rng, base, 0.02)))  # a lightly edited copy
            dups.add((len(texts) - 2, len(texts) - 1))
    return texts, dups


def test_near_duplicates_become_candidates_and_unrelated_texts_do_not():
    texts, dups = _corpus()
    pairs = lsh_candidate_pairs(HASHER.signatures(texts), *lsh_params(0.5, 128))
    found = {tuple(p) for p in pairs.tolist()}
    assert dups and dups <= found
    assert found == dups  # unrelated random texts share no band
    assert pairs.dtype == np.int64 and (pairs[:, 0] < pairs[:, 1]).all()
    assert pairs.tolist() == sorted(pairs.tolist())


def test_candidates_equal_brute_force_band_matches():
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 4, size=(150, 12), dtype=np.uint32)  # tiny alphabet: many collisions
    b, r = 4, 3
    pairs = lsh_candidate_pairs(sigs, b, r)
    bands = sigs[:, : b * r].reshape(len(sigs), b, r)
    brute = [
        [i, j]
        for i in range(len(sigs))
        for j in range(i + 1, len(sigs))
        if (bands[i] == bands[j]).all(axis=1).any()
    ]
    assert len(brute) > 100
    assert pairs.tolist() == brute


def test_candidate_pairs_do_not_depend_on_document_order():
    texts, _ = _corpus(11)
    b, r = lsh_params(0.5, 128)
    pairs = lsh_candidate_pairs(HASHER.signatures(texts), b, r)
    perm = np.random.default_rng(1).permutation(len(texts))
    shuffled = [texts[i] for i in perm]
    got = lsh_candidate_pairs(HASHER.signatures(shuffled), b, r)
    mapped = np.sort(perm[got], axis=1)
    assert sorted(map(tuple, mapped.tolist())) == [tuple(p) for p in pairs.tolist()]
    assert len(pairs) > 0


def test_band_rows_from_shards_group_like_one_run():
    texts, _ = _corpus(13)
    sigs = HASHER.signatures(texts)
    b, r = lsh_params(0.5, 128)
    half = len(texts) // 2
    k1, d1 = band_rows(sigs[:half], b, r)
    k2, d2 = band_rows(sigs[half:], b, r, offset=half)
    assert d1.max() < half <= d2.min()
    merged = pairs_from_band_rows(np.concatenate([k2, k1]), np.concatenate([d2, d1]))
    assert np.array_equal(merged, lsh_candidate_pairs(sigs, b, r))


def test_huge_buckets_are_chained_not_expanded(caplog):
    sigs = HASHER.signatures(["the same boilerplate line only, again and again"] * 40 + ["something else entirely"])
    with caplog.at_level(logging.WARNING, logger="storyline.fingerprint"):
        pairs = lsh_candidate_pairs(sigs, *lsh_params(0.5, 128), max_bucket=10)
    assert pairs.tolist() == [[i, i + 1] for i in range(39)]
    assert "more than 10 documents" in caplog.text
    full = lsh_candidate_pairs(sigs, *lsh_params(0.5, 128))
    assert len(full) == 40 * 39 // 2


def test_jaccard_estimate_shapes():
    sigs = HASHER.signatures(["a b c d e f g", "a b c d e f g", "x y z w v u t"])
    est = jaccard_estimate(sigs, [[0, 1], [0, 2]])
    assert est.dtype == np.float32 and est.tolist() == [1.0, 0.0]
    assert jaccard_estimate(sigs, np.empty((0, 2), dtype=np.int64)).shape == (0,)


def test_odd_input_does_not_break_hashing():
    texts = ["lone \ud800 surrogate in scraped text", "nul\x00byte and \ufeffbom", "emoji 😀 only 👍", "\n\t "]
    sigs = HASHER.signatures(texts)
    assert sigs.shape == (4, 128)
    assert (sigs[3] == EMPTY).all() and not (sigs[2] == EMPTY).any()
    assert tokens(texts[2]) == ["emoji", "only"]
    assert content_hash(texts[0]) == content_hash("LONE \ud800 surrogate in scraped text!")
