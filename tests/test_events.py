"""What separates same-topic events: rarity in the article's days, borrowed days, related-story links."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from storyline.cluster import related_stories
from storyline.verify.features import (
    BASE_FEATURES,
    EVENT_FEATURES,
    FEATURES,
    date_source,
    event_features,
    event_representation,
    key_terms,
    neighbour_days,
    window_weights,
)

ROOT = Path(__file__).resolve().parents[1]
ALLSIDES = ROOT.parent / "shared" / "data" / "allsides-dev" / "docs.jsonl"
FLOORS = json.loads((Path(__file__).parent / "floors" / "stories.json").read_text())


def test_a_term_common_in_its_days_weighs_less_than_one_rare_there():
    # "manchin" is in every article of day 0; "filibuster" only in the first two
    terms = [["manchin", "filibuster"], ["manchin", "filibuster"], ["manchin", "vote"], ["manchin", "bill"],
             ["filibuster"]]
    days = np.array([0.0, 0.0, 0.0, 0.0, 40.0])
    W = window_weights(terms, days, window=3.0).toarray()
    cols = np.flatnonzero(W[0])
    assert len(cols) == 2
    w = sorted(W[0][cols])
    # the rarer term of the window carries the larger weight
    assert w[1] > 2 * w[0]
    # article 4 is alone in its window: "filibuster" in it is weighed there, not corpus-wide
    assert np.count_nonzero(W[4]) == 1


def test_articles_without_a_date_are_weighed_against_the_whole_corpus():
    terms = [["a", "b"], ["a", "c"], ["a", "b"]]
    W = window_weights(terms, np.array([np.nan, np.nan, np.nan])).toarray()
    assert np.allclose(np.linalg.norm(W, axis=1), 1.0)
    # 'a' is in every article, 'c' in one: 'c' weighs most in the row that has it
    row = W[1][W[1] > 0]
    assert len(row) == 2 and row.max() > 2 * row.min()


def test_undated_articles_borrow_the_day_of_their_most_similar_dated_candidate():
    days = np.array([10.0, np.nan, 20.0, np.nan])
    pairs = np.array([[0, 1], [1, 2], [2, 3]])
    sim = np.array([0.6, 0.9, 0.3])
    out = neighbour_days(days, pairs, sim, min_similarity=0.5)
    assert out[1] == 20.0  # the more similar of its two dated candidates
    assert np.isnan(out[3])  # its only dated candidate is too unlike it
    assert out[0] == 10.0 and out[2] == 20.0


def test_date_source_says_when_nothing_dates_an_article():
    assert date_source("2021-05-01", True, 18748.0) == "field"
    assert date_source("2021-05-01", True, 18748.0, "dateline") == "dateline"
    assert date_source(None, True, 18748.0) == "url"
    assert date_source(None, False, 18748.0) == "neighbours"
    assert date_source(None, False, float("nan")) == "none"


def test_event_features_use_the_gap_only_between_dated_articles():
    terms = [key_terms("Quake hits Seluwick", "A quake of magnitude 6.1 hit Seluwick."),
             key_terms("Seluwick quake toll rises", "The toll of the Seluwick quake rose to 42."),
             key_terms("Rates held", "The bank held rates at 4.5 percent.")]
    days = np.array([0.0, 6.0, np.nan])
    pairs = np.array([[0, 1], [0, 2], [1, 2]])
    F = event_features(event_representation(terms, days, pairs, np.array([0.8, 0.1, 0.1])), pairs)
    assert F.shape == (3, len(EVENT_FEATURES)) and FEATURES[len(BASE_FEATURES):len(BASE_FEATURES) + len(EVENT_FEATURES)] == EVENT_FEATURES
    gap, both, none = (EVENT_FEATURES.index(x) for x in ("day_gap", "both_dated", "none_dated"))
    assert F[0, gap] == pytest.approx(np.log1p(6.0)) and F[0, both] == 1
    assert F[1, gap] == 0 and F[1, both] == 0 and F[1, none] == 0
    head = EVENT_FEATURES.index("head_window")
    assert F[0, head] > F[1, head]


def test_related_stories_link_a_later_development_and_a_same_topic_story():
    labels = np.array([0, 0, 1, 1, 2])
    pairs = np.array([[0, 1], [1, 2], [0, 4], [2, 3]])
    probs = np.array([0.99, 0.7, 0.35, 0.95])
    days = np.array([0.0, 0.0, 5.0, 5.0, np.nan])
    links = related_stories(labels, pairs, probs, days)
    assert links[0][0] == {"label": 1, "kind": "follow-up", "score": 0.7, "direction": "later"}
    assert links[1] == [{"label": 0, "kind": "follow-up", "score": 0.7, "direction": "earlier"}]
    assert links[0][1] == {"label": 2, "kind": "same-topic", "score": 0.35, "direction": "none"}
    assert 2 in links and links[2][0]["label"] == 0
    # pairs inside one story and weak pairs link nothing
    assert related_stories(labels, pairs[:1], probs[:1], days) == {}


def test_the_store_keeps_related_links_and_drops_links_to_stories_it_no_longer_has(tmp_path):
    from storyline.store import Store

    store = Store(tmp_path / "s.db")
    a = {"story_id": "st_a", "title": "Quake", "article_ids": [],
         "related": [{"story_id": "st_b", "kind": "follow-up", "score": 0.7, "direction": "later"}]}
    b = {"story_id": "st_b", "title": "Quake toll rises", "article_ids": [],
         "related": [{"story_id": "st_a", "kind": "follow-up", "score": 0.7, "direction": "earlier"}]}
    store.replace_stories([a, b])
    got = store.get_story("st_a")["related"]
    assert [(r["story_id"], r["kind"], r["direction"], r["title"]) for r in got] == [
        ("st_b", "follow-up", "later", "Quake toll rises")]
    store.replace_stories([], remove=["st_b"])
    assert store.get_story("st_a")["related"] == []
    with pytest.raises(Exception, match="related kind"):
        store.put_story({"story_id": "st_c", "article_ids": [], "related": [{"story_id": "st_a", "kind": "x"}]})
    assert "0006_related" in [n for n, _ in store.migrations()]


def test_rank_features_do_not_depend_on_pair_order_and_mark_a_mutual_best_match():
    from storyline.verify.features import RANK_FEATURES, RANKED, rank_features

    pairs = np.array([[0, 1], [0, 2], [1, 2], [2, 3]])
    cols = np.tile(np.array([[0.9], [0.5], [0.5], [0.2]], np.float32), (1, len(RANKED)))
    F = rank_features(4, pairs, cols)
    assert F.shape == (4, len(RANK_FEATURES))
    below = RANK_FEATURES.index("cosine_below_best")
    assert F[0, below] == 0 and F[0, RANK_FEATURES.index("cosine_rank_max")] == 0  # each other's best
    # (1, 2): article 1 has (0, 1) above it, article 2 nothing strictly above it (a tie does not count)
    assert F[2, RANK_FEATURES.index("cosine_rank_min")] == 0
    assert F[2, RANK_FEATURES.index("cosine_rank_max")] == pytest.approx(np.log1p(1))
    assert F[3, below] == pytest.approx(0.2 - 0.5)
    perm = np.array([3, 1, 0, 2])
    assert np.array_equal(rank_features(4, pairs[perm], cols[perm]), F[perm])


SEEDS = ROOT.parent / "shared" / "data" / "seed-story"


@pytest.mark.skipif(not (ALLSIDES.exists() and SEEDS.exists()), reason="../shared/data allsides-dev or seed-story not found")
def test_seeds_mixed_with_allsides_stay_one_story_of_exactly_five():
    import storyline

    result = storyline.run([ALLSIDES, SEEDS], extras=False)
    seed_ids = {a.id for a in result.articles if "seed-story" in a.source}
    assert len(seed_ids) == 5
    holding = [set(s.article_ids) for s in result.stories if set(s.article_ids) & seed_ids]
    assert holding == [seed_ids]


@pytest.mark.skipif(not ALLSIDES.exists(), reason="../shared/data/allsides-dev/docs.jsonl not found")
def test_allsides_cross_fitted_holds_its_floors():
    """The strict figure: every pair scored by a model fitted without either article's stories,
    whole corpora grouped with the shipped cut (bench/fit_matching.py --cv prints it)."""
    sys.path.insert(0, str(ROOT / "bench"))
    import fit_matching

    from storyline.config import Config
    from storyline.verify.model import load

    model = load("semantic")
    cut = Config().resolved_cluster(model.cluster)
    got = fit_matching.cross_fit(fit_matching.corpora("semantic"), cut, (list(model.coef), model.intercept), 5)
    for name, floor in FLOORS["cross_fitted"].items():
        if name == "measured" or name not in got:  # the same-kind events set needs its git-ignored texts
            continue
        assert got[name]["ari"] >= floor["ari"], (name, got[name])
        assert got[name]["bcubed_f1"] >= floor["bcubed_f1"], (name, got[name])


def test_calendar_words_of_the_headline_and_lede():
    from storyline.verify.features import calendar

    assert calendar("Senate votes on Tuesday", "WASHINGTON (Reuters) - The Senate voted on the bill in March.") == (
        frozenset({"Tuesday"}), frozenset({"March"}))
    # "May" the verb is no month; "May 3", "in May" and "Sept. 9" are
    assert calendar("Rates may rise", "May I say: officials may act.") == (frozenset(), frozenset())
    assert calendar("", "On May 3 and in May, then Sept. 9") == (frozenset(), frozenset({"May", "September"}))
    # plural weekdays are habits, not dates; the body past the lede is not read
    assert calendar("Markets close on Sundays", "x " * 60 + "on Friday") == (frozenset(), frozenset())


def _bare_rep(n: int, **signals):
    """A representation of ``n`` articles that say nothing but ``signals`` (calendar, figures)."""
    import scipy.sparse as sp

    from storyline.verify.features import Representation

    return Representation(vectors=np.eye(n, 4, dtype=np.float32), tfidf=sp.csr_matrix((n, 3), dtype=np.float32),
                          ents=sp.csr_matrix((n, 3), dtype=np.float32), years=[frozenset()] * n,
                          numbers=[frozenset()] * n, words=np.ones(n, np.float32), days=np.full(n, np.nan),
                          **signals)


def test_weekday_and_month_features_say_conflict_or_shared():
    from storyline.verify.features import calendar, pair_features

    cal = [calendar("Quake hits on Monday", "In March"), calendar("Quake toll on Monday", "in March"),
           calendar("Quake on Friday", "In April"), calendar("Quake", "no dates")]
    F = pair_features(_bare_rep(len(cal), calendar=cal), np.array([[0, 1], [0, 2], [0, 3]]))
    col = {f: BASE_FEATURES.index(f) for f in ("weekday_conflict", "weekday_shared", "month_conflict", "month_shared")}
    assert F[0, col["weekday_shared"]] == 1 and F[0, col["month_shared"]] == 1 and F[0, col["weekday_conflict"]] == 0
    assert F[1, col["weekday_conflict"]] == 1 and F[1, col["month_conflict"]] == 1 and F[1, col["weekday_shared"]] == 0
    assert F[2, list(col.values())].sum() == 0  # nothing said: no evidence either way


def test_figures_read_one_way_whatever_the_language():
    from storyline.verify.features import figures

    en = figures("Fed raises rates by 75 basis points", "The Fed lifted its target range to 3.00%-3.25% on Sept. 21.")
    de = figures("Fed erhöht Leitzins um 0,75 Prozentpunkte", "Am 21. September hob die Fed die Spanne auf 3,00 bis "
                 "3,25 Prozent an.")
    assert {"75", "0.75", "3", "3.25"} <= en and {"0.75", "3", "3.25"} <= de
    assert "21" not in en and "21" not in de  # days of the month are dates, not figures
    half = figures("Fed cuts by half a percentage point", "")
    assert {"0.5", "50"} <= half and {"0.5", "50"} <= figures("Fed cuts rates by 50bp", "")
    assert figures("", "More than 41,000 dead; 2.300 in Syria") >= {"41000", "2300"}
    assert figures("Toll passes 41 000", "") == figures("Toll passes 41.000", "") == frozenset({"41000"})
    assert not figures("Fed meets in 2022", "Policy makers meet on Wednesday, March 16.")


def test_conflicting_figures_count_against_a_pair_and_shared_ones_for_it():
    from storyline.verify.features import figures, pair_features

    figs = [figures("Fed raises by 75 basis points", ""), figures("Fed lifts rates three-quarters of a point", ""),
            figures("Fed raises by 50 basis points", ""), figures("Fed raises rates", "")]
    F = pair_features(_bare_rep(len(figs), figures=figs), np.array([[0, 1], [0, 2], [0, 3]]))
    c, s = BASE_FEATURES.index("figures_conflict"), BASE_FEATURES.index("figures_shared")
    assert F[0, c] == 0 and F[0, s] == 1.0
    assert F[1, c] == 1 and F[1, s] == 0
    assert F[2, c] == 0 and F[2, s] == 0  # one side gives no figure: no evidence


def test_pair_model_file_can_be_named(tmp_path, monkeypatch):
    """A model fitted elsewhere (bench/fit_matching.py --out, e.g. at another max_tokens) is read when named."""
    import json

    from storyline.verify import model as vm

    data = json.loads(vm.MODEL_FILE.read_text())
    data["models"]["semantic"]["intercept"] = 12.5
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    assert vm.load("semantic").intercept != 12.5
    assert vm.load("semantic", other).intercept == 12.5
    monkeypatch.setenv(vm.MODEL_ENV, str(other))
    assert vm.load("semantic").intercept == 12.5
    monkeypatch.delenv(vm.MODEL_ENV)
    assert vm.load("semantic").intercept != 12.5
