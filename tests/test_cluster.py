"""Clustering: no chaining, order independence, canonical labels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.cluster import cluster
from storyline.config import ClusterConfig

CFG = ClusterConfig(k=8, gate=0.2, threshold=0.35)
# every article keeps as many neighbours as it has sure partners, from 3 up to 8
ADAPTIVE = ClusterConfig(k=8, k_min=3, k_sure=0.9, gate=0.2, threshold=0.15, power=3.0)


def _pairs(n, edges):
    pairs = np.array([(min(a, b), max(a, b)) for a, b, _ in edges], dtype=np.int64).reshape(-1, 2)
    probs = np.array([p for _, _, p in edges], dtype=np.float32)
    return pairs, probs


def test_two_cliques_joined_by_one_weak_link_stay_apart():
    edges = [(a, b, 0.95) for a in range(5) for b in range(a + 1, 5)]
    edges += [(a, b, 0.95) for a in range(5, 10) for b in range(a + 1, 10)]
    edges.append((4, 5, 0.6))  # one plausible pair between two events must not chain them
    labels = cluster(10, *_pairs(10, edges), CFG)
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1
    assert labels[0] != labels[5]


def test_unmatched_articles_are_singletons():
    labels = cluster(4, np.zeros((0, 2), np.int64), np.zeros(0, np.float32), CFG)
    assert labels.tolist() == [0, 1, 2, 3]


def test_pairs_below_gate_never_link():
    labels = cluster(2, np.array([[0, 1]]), np.array([0.1], np.float32), CFG)
    assert labels[0] != labels[1]


def test_unresolved_config_is_refused():
    with pytest.raises(ValueError):
        cluster(2, np.array([[0, 1]]), np.array([0.9], np.float32), ClusterConfig())


@pytest.mark.parametrize("cfg", [CFG, ADAPTIVE], ids=["fixed-k", "adaptive-k"])
@settings(max_examples=40, deadline=None)
@given(st.data())
def test_result_does_not_depend_on_article_order(cfg, data):
    n = data.draw(st.integers(3, 14))
    m = data.draw(st.integers(0, n * 2))
    edges = []
    for _ in range(m):
        a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        if a != b:
            edges.append((a, b, data.draw(st.floats(0.05, 0.999))))
    # one probability per pair
    seen = {}
    for a, b, p in edges:
        seen[(min(a, b), max(a, b))] = p
    # distinct probabilities: exact ties are broken by article order, by design (the pipeline sorts by id)
    edges = [(a, b, min(0.9999, p + e * 1e-4)) for e, ((a, b), p) in enumerate(seen.items())]
    perm = data.draw(st.permutations(list(range(n))))
    base = cluster(n, *_pairs(n, edges), cfg)
    moved = cluster(n, *_pairs(n, [(perm[a], perm[b], p) for a, b, p in edges]), cfg)
    # same partition, up to renaming
    groups = {frozenset(np.flatnonzero(base == lab).tolist()) for lab in set(base.tolist())}
    inv = {perm[i]: i for i in range(n)}
    moved_groups = {
        frozenset(inv[j] for j in np.flatnonzero(moved == lab).tolist()) for lab in set(moved.tolist())
    }
    assert groups == moved_groups


def test_copy_families_collapse_to_one_node_with_their_best_links():
    from storyline.cluster import collapse_copies

    pairs = np.array([[0, 1], [1, 2], [0, 3], [2, 3], [3, 4]])
    probs = np.array([1.0, 1.0, 0.4, 0.7, 0.2], dtype=np.float32)
    fam, n_fam, fpairs, fprobs = collapse_copies(5, pairs, probs, 1.0)
    assert fam.tolist() == [0, 0, 0, 1, 2]
    assert n_fam == 3
    assert fpairs.tolist() == [[0, 1], [1, 2]]
    assert np.allclose(fprobs, [0.7, 0.2])


def test_large_sparse_story_holds_together_through_near_certain_pairs():
    """300 articles of one story, each compared with a handful of others only (as in a big news day)."""
    rng = np.random.default_rng(4)
    n = 300
    edges = {(min(a, b), max(a, b)) for a in range(n) for b in rng.choice(n, 4, replace=False) if a != b}
    edges |= {(a, a + 1) for a in range(n - 1)}
    pairs = np.array(sorted(edges), dtype=np.int64)
    probs = np.full(len(pairs), 0.995, dtype=np.float32)
    # a second, unrelated event that one plausible pair touches
    pairs = np.vstack([pairs, [[0, n]], [[n, n + 1]]])
    probs = np.concatenate([probs, [0.6, 0.995]]).astype(np.float32)
    split = cluster(n + 2, pairs, probs, CFG)
    assert len(set(split[:n])) > 1  # average linkage alone cuts the sparse story apart
    cfg = ClusterConfig(k=CFG.k, gate=CFG.gate, threshold=CFG.threshold, core=0.99)
    labels = cluster(n + 2, pairs, probs, cfg)
    assert len(set(labels[:n])) == 1 and labels[n] == labels[n + 1] != labels[0]


def test_neighbour_counts_follow_sure_partners_between_k_min_and_k():
    import scipy.sparse as sp

    from storyline.cluster import neighbour_counts

    # article 0: two sure partners and five weak candidates; 1: none sure; 2: eleven sure
    entries = [(0, 1, 0.95), (0, 2, 0.92)] + [(0, j, 0.5) for j in range(3, 8)]
    entries += [(2, j, 0.97) for j in range(8, 18)]
    r = [a for a, _, _ in entries] + [b for _, b, _ in entries] + list(range(18))
    c = [b for _, b, _ in entries] + [a for a, _, _ in entries] + list(range(18))
    v = [p for _, _, p in entries] * 2 + [1.0] * 18
    P = sp.csr_matrix((v, (r, c)), shape=(18, 18))
    counts = neighbour_counts(P, ADAPTIVE)
    assert counts[0] == 3  # itself and its two sure partners
    assert counts[3] == 3  # nothing sure: k_min
    assert counts[2] == 8  # itself, 0 and ten more sure ones: capped at k
    assert neighbour_counts(P, CFG) == 8
    assert neighbour_counts(P, ClusterConfig(k=8, k_min=3, k_sure=1.0)) == 8


def test_small_same_topic_stories_keep_apart_with_adaptive_neighbourhoods():
    # two stories of three, every cross pair plausible (same topic, same days): eight neighbours
    # each share one neighbourhood; neighbourhoods of sure partners do not
    edges = []
    for g in ((0, 1, 2), (3, 4, 5)):
        edges += [(a, b, 0.97) for i, a in enumerate(g) for b in g[i + 1:]]
    edges += [(a, b, 0.6) for a in range(3) for b in range(3, 6)]
    fixed = ClusterConfig(k=8, gate=0.2, threshold=0.15, power=3.0)
    assert len(set(cluster(6, *_pairs(6, edges), fixed).tolist())) == 1
    labels = cluster(6, *_pairs(6, edges), ADAPTIVE)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]


def test_adaptive_neighbourhoods_are_fixed_ones_where_every_article_has_k_sure_partners():
    rng = np.random.default_rng(0)
    n = 40
    edges = [(a, b, float(rng.uniform(0.9, 0.98))) for a in range(n) for b in range(a + 1, n)
             if rng.random() < 0.6]
    fixed = ClusterConfig(k=8, gate=0.2, threshold=0.15, power=3.0)
    assert cluster(n, *_pairs(n, edges), ADAPTIVE).tolist() == cluster(n, *_pairs(n, edges), fixed).tolist()


def test_resolved_cluster_reads_adaptive_neighbourhoods_and_defaults_to_fixed_k():
    from storyline.config import Config

    fixed = Config().resolved_cluster({"k": 6, "gate": 0.2, "threshold": 0.3})
    assert (fixed.k, fixed.k_min, fixed.k_sure) == (6, 6, 1.0)
    adaptive = Config().resolved_cluster({"k": 8, "k_min": 3, "k_sure": 0.9, "gate": 0.2, "threshold": 0.15})
    assert (adaptive.k, adaptive.k_min, adaptive.k_sure) == (8, 3, 0.9)
    # a k set by the user below the fitted k_min caps it
    capped = Config().override({"cluster": {"k": 2}}).resolved_cluster({"k": 8, "k_min": 3, "k_sure": 0.9,
                                                                        "gate": 0.2, "threshold": 0.15})
    assert (capped.k, capped.k_min) == (2, 2)


# -- a story is one event of a few days ---------------------------------------------------------------

LIMITED = ClusterConfig(k=8, gate=0.2, threshold=0.35, core=0.999, max_days=4.0, bridge=1.01)


def _clique(members, p):
    return [(a, b, p) for i, a in enumerate(members) for b in members[i + 1:]]


def test_articles_published_too_far_apart_never_share_a_story():
    # one clique of sure pairs whose articles lie on days 0-1 and 8-9: same wording, two events
    edges = _clique(list(range(8)), 0.95)
    days = np.array([0, 0, 1, 1, 8, 8, 9, 9], dtype=np.float64)
    together = cluster(8, *_pairs(8, edges), LIMITED)
    assert len(set(together.tolist())) == 1  # without dates: one story
    apart = cluster(8, *_pairs(8, edges), LIMITED, days)
    assert len(set(apart[:4].tolist())) == 1 and len(set(apart[4:].tolist())) == 1
    assert apart[0] != apart[4]
    # undated articles are decided on text alone
    undated = cluster(8, *_pairs(8, edges), LIMITED, np.full(8, np.nan))
    assert np.array_equal(undated, together)
    # no limit: one story again
    free = ClusterConfig(**{**LIMITED.__dict__, "max_days": float("inf")})
    assert len(set(cluster(8, *_pairs(8, edges), free, days).tolist())) == 1


def test_must_links_do_not_chain_a_story_past_the_limit():
    # near-certain pairs day after day: joined stories stay within four days of their first member
    n = 10
    edges = [(a, a + 1, 0.9995) for a in range(n - 1)]
    days = np.arange(n, dtype=np.float64)
    labels = cluster(n, *_pairs(n, edges), LIMITED, days)
    for lab in set(labels.tolist()):
        d = days[labels == lab]
        assert d.max() - d.min() <= 4.0
    assert len(set(labels.tolist())) < n  # but they are joined where they can be
    # undated ones join through the must-links as before
    assert len(set(cluster(n, *_pairs(n, edges), LIMITED).tolist())) == 1


def test_a_copy_family_reprinted_over_a_week_keeps_its_own_span():
    from storyline.cluster import apart, family_spans

    fam = np.array([0, 0, 1])
    span = family_spans(fam, 2, np.array([0.0, 7.0, 3.0]))
    assert span.tolist() == [[0.0, 7.0], [3.0, 3.0]]
    # the rewrite of day 3 lies inside the family's own week: not too far
    assert not apart(span, np.array([0]), np.array([1]), 4.0)[0]
    assert family_spans(fam, 2, np.array([np.nan, np.nan, 1.0]))[0].tolist() != [0, 0]
    assert np.isnan(family_spans(fam, 2, np.array([np.nan, np.nan, 1.0]))[0]).all()


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_result_with_dates_does_not_depend_on_article_order(data):
    n = data.draw(st.integers(3, 14))
    seen = {}
    for _ in range(data.draw(st.integers(0, n * 2))):
        a, b = data.draw(st.integers(0, n - 1)), data.draw(st.integers(0, n - 1))
        if a != b:
            seen[(min(a, b), max(a, b))] = data.draw(st.sampled_from([0.3, 0.6, 0.95, 0.9995]))
    edges = [(a, b, min(0.99995, p + e * 1e-5)) for e, ((a, b), p) in enumerate(seen.items())]
    days = np.array([data.draw(st.sampled_from([np.nan, 0.0, 1.0, 3.0, 6.0, 9.0])) for _ in range(n)])
    perm = data.draw(st.permutations(list(range(n))))
    base = cluster(n, *_pairs(n, edges), LIMITED, days)
    moved_days = np.empty(n)
    moved_days[perm] = days
    moved = cluster(n, *_pairs(n, [(perm[a], perm[b], p) for a, b, p in edges]), LIMITED, moved_days)
    groups = {frozenset(np.flatnonzero(base == lab).tolist()) for lab in set(base.tolist())}
    inv = {perm[i]: i for i in range(n)}
    assert groups == {frozenset(inv[j] for j in np.flatnonzero(moved == lab).tolist()) for lab in set(moved.tolist())}
    for lab in set(base.tolist()):
        d = days[base == lab]
        d = d[~np.isnan(d)]
        assert len(d) == 0 or d.max() - d.min() <= 4.0


def test_strong_direct_evidence_bridges_a_gap_but_no_chain_through_undated_articles_does():
    # two tight groups of days 0 and 9 joined only through two undated articles
    n = 6
    edges = _clique([0, 1], 0.95) + _clique([4, 5], 0.95) + [(a, b, 0.9) for a in (0, 1, 4, 5) for b in (2, 3)]
    edges += _clique([2, 3], 0.95)
    days = np.array([0, 0, np.nan, np.nan, 9, 9], dtype=np.float64)
    for bridge in (1.01, 0.5):
        cfg = ClusterConfig(**{**LIMITED.__dict__, "bridge": bridge})
        labels = cluster(n, *_pairs(n, edges), cfg, days)
        assert labels[0] != labels[4]  # the undated pair is no bridge
    # the same days with the two far groups matching each other directly and surely: one story
    direct = _clique(list(range(6)), 0.97)
    together = cluster(n, *_pairs(n, direct), ClusterConfig(**{**LIMITED.__dict__, "bridge": 0.5}), days)
    assert len(set(together.tolist())) == 1
    apart_ = cluster(n, *_pairs(n, direct), LIMITED, days)
    assert apart_[0] != apart_[4]
