"""Work that grows with the corpus, not faster: copies share one article vector, and a large story's
articles are ranked against a bounded set of likely sources (no model needed: vectors are faked)."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.embed import sharded
from storyline.model import Article
from storyline.provenance import story as st
from storyline.provenance.align import prepare
from storyline.provenance.sentences import split_sentences

LEDE = (
    "The harbour authority of Kestrelmouth closed the north basin on Tuesday after a grain barge "
    "struck the lock gate during a night storm, officials said.\n\n"
    "Engineers expect repairs to take at least three weeks and ferries will berth at the south quay "
    "until then, the authority's director told reporters at a briefing.\n\n"
    "Nobody was hurt, but two fishing boats moored nearby were damaged when the barge drifted free of "
    "its tug and crossed the basin."
)


def test_copies_in_other_page_furniture_share_a_copy_key():
    a = Article(id="a", title="Barge closes Kestrelmouth basin", text="Share this article: 0 shares\n\n" + LEDE)
    b = Article(id="b", title="Barge closes Kestrelmouth basin", text=LEDE + "\n\nSubscribe now\n\nPhoto: K. Ames")
    other_title = Article(id="c", title="Kestrelmouth lock gate hit by barge", text=LEDE)
    edited = Article(id="d", title="Barge closes Kestrelmouth basin", text=LEDE.replace("three weeks", "a month"))
    short = Article(id="e", title="Barge closes Kestrelmouth basin", text="Basin closed.\n\nMore soon.")
    assert sharded.copy_key(a) == sharded.copy_key(b)
    assert sharded.copy_key(other_title) != sharded.copy_key(a)
    assert sharded.copy_key(edited) != sharded.copy_key(a)
    assert sharded.copy_key(short).startswith("\x00")  # too little text: the text itself is the key


def test_copies_are_encoded_once_and_share_their_vector(monkeypatch):
    seen: list[str] = []

    def fake_encode(texts, max_tokens=128, device=None):
        seen.extend(texts)
        return np.stack([np.full(384, float(len(t)), np.float32) for t in texts])

    monkeypatch.setattr("storyline.embed.encode", fake_encode)
    shard = [
        Article(id="a", title="Barge closes Kestrelmouth basin", text="Share this article: 0 shares\n\n" + LEDE),
        Article(id="b", title="Barge closes Kestrelmouth basin", text=LEDE + "\n\nSubscribe now"),
        Article(id="c", title="Kestrelmouth lock gate hit by barge", text=LEDE),
    ]
    vecs = sharded.embed_shard(shard, 128)
    assert len(seen) == 2  # a and c; b is a's copy
    assert np.array_equal(vecs[0], vecs[1]) and not np.array_equal(vecs[0], vecs[2])


def _story(n: int) -> tuple[list[str], dict]:
    rng = np.random.default_rng(3)
    words = [f"w{k}" for k in range(400)]
    sources = [" ".join(rng.choice(words, 14)) + "." for _ in range(30)]
    ids, docs = [], {}
    for i in range(n):
        pick = rng.choice(30, 8, replace=False) if i % 3 else np.arange(i % 5, i % 5 + 8)
        sents = [sources[k] for k in sorted(pick)]
        aid = f"a{i:03d}"
        ids.append(aid)
        docs[aid] = prepare(aid, split_sentences(" ".join(sents)), semantic=False)
    return ids, docs


def test_blocks_for_some_pairs_equal_those_of_every_pair():
    ids, docs = _story(12)
    every = st._story_blocks(ids, docs)
    some = [p for k, p in enumerate(sorted(every)) if k % 3 == 0]
    part = st._story_blocks(ids, docs, some)
    assert set(part) == set(some)
    for p in some:
        for x, y in zip(every[p], part[p]):
            assert np.array_equal(x, y)


def test_large_story_ranks_each_article_against_a_bounded_set(monkeypatch):
    ids, docs = _story(90)
    likely = st._likely_pairs(ids, docs, None)
    assert all(x < y for x, y in likely)
    per = {i: 0 for i in ids}
    for x, y in likely:
        per[x] += 1
        per[y] += 1
    assert min(per.values()) >= st.CANDIDATES  # each article's own picks, plus those that picked it
    assert len(likely) <= len(ids) * st.CANDIDATES < len(ids) * (len(ids) - 1) // 2
    pairs = st._pairs_to_align(ids, docs, None)
    assert set(pairs) <= set(likely)
    monkeypatch.setattr(st, "RANKED_ALL_UP_TO", 10**6)  # the peer: ranked against every article
    every = st._pairs_to_align(ids, docs, None)
    assert len(set(pairs) & set(every)) >= 0.8 * len(every)


@pytest.mark.parametrize("n", [5, 17])
def test_small_stories_are_unchanged(n):
    ids, docs = _story(n)
    likely = st._likely_pairs(ids, docs, None)
    assert len(likely) == n * (n - 1) // 2  # up to CANDIDATES + 1 articles every pair is a candidate


def _units(m: int, seed: int):
    import scipy.sparse as sp

    rng = np.random.default_rng(seed)
    base = rng.normal(size=(m // 12 + 1, 32))
    sem = base[rng.integers(0, len(base), m)] + 0.35 * rng.normal(size=(m, 32))
    sem = (sem / np.linalg.norm(sem, axis=1, keepdims=True)).astype(np.float32)
    lex = sp.random(m, 200, density=0.02, random_state=seed, format="csr")
    norms = np.sqrt(np.asarray(lex.multiply(lex).sum(axis=1))).ravel()
    return sem, (sp.diags(1.0 / np.maximum(norms, 1e-9)) @ lex).tocsr()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_digest_sentence_clusters_by_rows_equal_one_matrix(seed):
    from storyline.digest import context

    sem, lex = _units(500, seed)
    dense = context.similarity(sem, lex)
    by_rows = context.UnitSimilarity(sem, lex)

    def canon(labels):
        seen: dict[int, int] = {}
        return [seen.setdefault(x, len(seen)) for x in labels]

    assert canon(context.clusters(dense, context.SENT_SIM)) == canon(context.clusters(by_rows, context.SENT_SIM))
    idx = [3, 40, 41, 499]
    assert np.allclose(context.block(dense, idx), context.block(by_rows, idx), atol=1e-6)
    assert np.allclose(dense[7], by_rows[7], atol=1e-6) and abs(dense[7, 9] - by_rows[7, 9]) < 1e-6


def test_large_stories_never_hold_a_units_square(monkeypatch):
    from storyline.digest import context

    sem, lex = _units(300, 4)
    monkeypatch.setattr(context, "DENSE_UNITS", 100)
    assert isinstance(context.unit_similarity(sem, lex), context.UnitSimilarity)
    assert isinstance(context.unit_similarity(sem[:80], lex[:80]), np.ndarray)
