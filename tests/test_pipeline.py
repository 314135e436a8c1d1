"""The batch pipeline end to end: seeds, ECB+ floors, the sample corpus, order independence."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import storyline

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
SEEDS = DATA / "seed-story"
ECB = DATA / "ecbplus" / "docs.jsonl"
EXAMPLES = ROOT / "examples"
FLOORS = json.loads((Path(__file__).parent / "floors" / "stories.json").read_text())

needs_seeds = pytest.mark.skipif(not SEEDS.exists(), reason="../shared/data/seed-story not found")
needs_ecb = pytest.mark.skipif(not ECB.exists(), reason="../shared/data/ecbplus/docs.jsonl not found")

SEED_BOILERPLATE = [
    "Loving Newspoint",
    "Download the app",
    "Add a Comment",
    "Your email address will not be published",
    "Author profile",
    "Edgaroo Hernal",
    "Discover the latest Business News",
    "PostImage",
    "Next Story",
    "Send Push",
    "Please leave a comment",
    "Stay on top of the latest tech trends",
]


def _story_sets(result):
    return {frozenset(s.article_ids) for s in result.stories}


@needs_seeds
def test_seeds_alone_are_one_story_without_boilerplate(tmp_path):
    result = storyline.run([SEEDS], out=tmp_path)
    assert len(result.articles) == 5
    assert len(result.stories) == 1
    assert len(result.stories[0].article_ids) == 5
    for a in result.articles:
        for junk in SEED_BOILERPLATE:
            assert junk not in a.text, (a.id, junk)
        assert a.text.strip() not in {"0", "44"}
        lines = [ln.strip() for ln in a.text.splitlines() if ln.strip()]
        assert "0" not in lines and "44" not in lines
    a004 = next(a for a in result.articles if a.id.rsplit("/", 1)[-1].startswith("004"))
    head = "For the First Time, President Vladimir Putin Expresses Willingness for Bilateral Talks with Ukraine"
    assert a004.title == head
    assert a004.text.count(head) == 0  # the headline is the title, not repeated in the body
    assert a004.text.count("on Monday proposed bilateral talks with Kyiv for the first time") == 1
    for name in ("articles.jsonl", "stories.jsonl", "report.md", "summary.json"):
        assert (tmp_path / name).exists()
    story = json.loads((tmp_path / "stories.jsonl").read_text().splitlines()[0])
    assert story["size"] == 5 and all(story["best_match"][i] for i in story["article_ids"])


@pytest.fixture(scope="module")
def ecb_eval():
    if not ECB.exists():
        pytest.skip("../shared/data/ecbplus/docs.jsonl not found")
    sys.path.insert(0, str(ROOT / "bench"))
    from eval_stories import evaluate

    return evaluate(ECB, "subtopic", ["topic"], ["topic=1-25", "topic=26-35"])


@needs_ecb
def test_ecbplus_story_scores_hold_their_floors(ecb_eval):
    floors = FLOORS["ecbplus"]
    assert ecb_eval["articles"] == 772
    assert ecb_eval["ari"] >= floors["ari"], ecb_eval
    assert ecb_eval["bcubed_f1"] >= floors["bcubed_f1"], ecb_eval
    held_out = ecb_eval["subset topic=26-35"]
    assert held_out["ari"] >= floors["held_out_ari"], held_out
    assert held_out["bcubed_f1"] >= floors["held_out_bcubed_f1"], held_out


@needs_seeds
@needs_ecb
def test_seeds_mixed_with_ecbplus_stay_one_story_of_exactly_five(tmp_path):
    result = storyline.run([ECB, SEEDS], extras=False)
    seed_ids = {a.id for a in result.articles if a.source.startswith(str(SEEDS)) or "seed-story" in a.source}
    assert len(seed_ids) == 5
    holding = [set(s.article_ids) for s in result.stories if set(s.article_ids) & seed_ids]
    assert holding == [seed_ids]


def _expected_examples():
    exp = json.loads((EXAMPLES / "expected.json").read_text())
    return exp


def _example_key(article) -> str:
    src = Path(article.source.split(":")[0].split("#")[0])
    try:
        rel = src.resolve().relative_to(EXAMPLES.resolve()).as_posix()
    except ValueError:
        rel = str(src)
    return rel


def test_sample_corpus_groups_as_written(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    from metrics import scores

    exp = _expected_examples()["articles"]
    result = storyline.run([EXAMPLES], out=tmp_path)
    assert not [s for s in result.skipped if not s.source.endswith(("README.md", "expected.json"))]
    gold, pred = [], []
    index = {a.id: i for i, a in enumerate(result.articles)}
    for a in result.articles:
        key = _example_key(a)
        label = exp.get(key) or exp.get(a.id) or exp.get(a.url)
        assert label is not None, f"no expected story for {a.id} ({key}, {a.url})"
        gold.append(label if isinstance(label, str) else label.get("story"))
        pred.append(int(result.labels[index[a.id]]))
    s = scores(gold, pred)
    assert s["ari"] >= FLOORS["examples"]["ari"], s


@needs_seeds
def test_input_order_does_not_change_the_stories():
    one = storyline.run([SEEDS, EXAMPLES / "txt", EXAMPLES / "jsonl"], extras=False)
    two = storyline.run([EXAMPLES / "jsonl", SEEDS, EXAMPLES / "txt"], extras=False)
    assert _story_sets(one) == _story_sets(two)
    assert [s.story_id for s in one.stories] == [s.story_id for s in two.stories]


def test_lsa_ignores_unused_columns_and_fits_big_corpora_on_a_sample(monkeypatch):
    import scipy.sparse as sp
    from sklearn.decomposition import TruncatedSVD

    from storyline.represent import stage

    rng = np.random.default_rng(0)
    topics = rng.random((6, 300)) * (rng.random((6, 300)) < 0.1)
    dense = np.vstack([topics[i % 6] + 0.05 * rng.random(300) * (rng.random(300) < 0.05) for i in range(400)])
    wide = sp.hstack([sp.csr_matrix(dense), sp.csr_matrix((400, 2**16))]).tocsr()  # mostly unused columns
    got = stage.lsa(wide)
    want = TruncatedSVD(128, random_state=0).fit_transform(sp.csr_matrix(dense))
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert np.abs(got @ got.T - want @ want.T).max() < 1e-3
    monkeypatch.setattr(stage, "LSA_FIT_ROWS", 150)
    sampled = stage.lsa(wide)
    same = (np.arange(400)[:, None] % 6) == (np.arange(400)[None, :] % 6)
    cos = sampled @ sampled.T
    assert cos[same].min() > cos[~same].max()  # the sample's components still separate the topics
