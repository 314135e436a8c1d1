"""Batch ``run`` and incremental ``ingest`` agree: any order, any batch sizes, the same stories."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import storyline
from storyline.ingest import read_inputs
from storyline.model import Article, story_id
from storyline.store import Store
from storyline.store.ingest import ingest
from storyline.store.settle import settle

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def batch():
    result = storyline.run([EXAMPLES], out=None, extras=False)
    return {s.story_id: sorted(s.article_ids) for s in result.stories}


@pytest.fixture(scope="module")
def corpus() -> list[Article]:
    return [a for a in read_inputs([EXAMPLES]) if isinstance(a, Article)]


def _copy(arts: list[Article]) -> list[Article]:
    return [Article.from_json(a.to_json()) for a in arts]


@pytest.mark.parametrize("seed", range(4))
def test_ingest_in_any_order_and_batches_equals_one_batch_run(tmp_path, batch, corpus, seed):
    rng = random.Random(seed)
    arts = list(corpus)
    rng.shuffle(arts)
    with Store(tmp_path / "s.db") as store:
        i = 0
        while i < len(arts):
            k = rng.randint(1, 16)
            counts = ingest(store, _copy(arts[i : i + k]), batch_size=rng.randint(1, 6), analyse=False)
            assert counts["inserted"] == len(arts[i : i + k])
            i += k
        assert store.memberships() == batch
        assert all(sid == story_id(ids) for sid, ids in batch.items())
        # an article sent again is stored once and changes nothing
        again = ingest(store, _copy(arts[:5]), analyse=False)
        assert again["duplicate"] == 5 and again["settle"]["changed"] == 0
        assert store.memberships() == batch
        assert store.check() == []


def test_the_fast_placement_alone_differs_and_settling_fixes_it(tmp_path, batch, corpus):
    """Without settling, the nearest-story rule gives other stories: the property above is not free."""
    with Store(tmp_path / "s.db") as store:
        ingest(store, _copy(corpus), batch_size=4, settle=False)
        assert store.memberships() != batch
        res = settle(store, extras=False)
        assert res["changed"] > 0 and store.memberships() == batch


def test_settled_stories_are_graded_and_digested(tmp_path, batch, corpus):
    with Store(tmp_path / "s.db") as store:
        arts = _copy(corpus)
        ingest(store, arts[:20], batch_size=7)
        ingest(store, arts[20:], batch_size=7)
        assert store.memberships() == batch
        assert store.dirty_stories() == []
        for sid, ids in batch.items():
            story = store.get_story(sid)
            assert story["digest"] and story["digest"]["story_id"] == sid
            if len(ids) > 1:
                assert {p["article_id"] for p in story["provenance"]["articles"]} == set(ids)
        # a settle with nothing new rewrites nothing
        assert settle(store)["changed"] == 0


def test_a_settle_embeds_only_texts_the_store_has_not_seen(tmp_path, corpus, monkeypatch):
    from storyline import embed

    if not embed.available():
        pytest.skip("embed extra not installed")
    encoded: list[int] = []
    real = embed._encode

    def counting(texts, *args, **kwargs):
        encoded.append(len(texts))
        return real(texts, *args, **kwargs)

    monkeypatch.setattr(embed, "_encode", counting)
    with Store(tmp_path / "s.db") as store:
        ingest(store, _copy(corpus[:20]), analyse=False, config=None)
        embed._CACHE.clear()  # a new process: only the store remembers
        encoded.clear()
        ingest(store, _copy(corpus[20:22]), analyse=False)
        assert 0 < sum(encoded) <= 2 + 2  # the new articles' texts (and their placement vectors) only
        first = store.memberships()
    with Store(tmp_path / "s.db") as store:
        embed._CACHE.clear()
        encoded.clear()
        settle(store, extras=False)
        assert sum(encoded) == 0 and store.memberships() == first
