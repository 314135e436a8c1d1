"""Stories from verified pairs, without chaining.

Plain connected components over pair decisions chain unrelated events through
one weak link, and two events of the same kind look alike pair by pair. So the
clustering works on *shared-neighbour* similarity: two articles are close when
the articles they are most likely to share a story with are the same ones
(each row keeps its ``k`` best pair probabilities, or with ``k_sure`` as many as the
article has sure partners, between ``k_min`` and ``k``; raised to ``power`` so that the
surest neighbours weigh most, rows are L2-normalised, and
similarity is their dot product). Average linkage on that similarity, cut at a
fitted threshold, gives the stories. Only pairs whose own probability passes
``gate`` can end up linked, so a shared neighbourhood alone never joins two
articles that do not match.

A story is one event of a few days: with ``max_days`` set, two articles whose
publication times lie further apart than that never share a story (average
linkage sees them as infinitely far; must-links that would join them are
dropped), so a follow-up a week later becomes its own story, linked to the
first by :func:`related_stories`. Only publication times count: a URL's date
and a day borrowed from neighbours are too rough to forbid a link.

Everything is computed in article-index order, and the pipeline sorts articles
by id first: the result does not depend on input order.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from storyline.config import ClusterConfig


def _top_k_rows(P: sp.csr_matrix, k: int | np.ndarray) -> sp.csr_matrix:
    """Keep each row's k largest entries (``k`` one number, or one per row), and any entry tied
    with the k-th (so order cannot matter)."""
    P = P.tocoo()
    order = np.lexsort((P.col, -P.data, P.row))
    rows, cols, vals = P.row[order], P.col[order], P.data[order]
    starts = np.searchsorted(rows, rows, side="left")
    rank = np.arange(len(rows)) - starts
    counts = np.bincount(rows, minlength=P.shape[0])
    ks = np.broadcast_to(np.asarray(k, dtype=np.int64), (P.shape[0],))
    kth_pos = np.searchsorted(rows, np.arange(P.shape[0]), side="left") + np.minimum(counts, ks) - 1
    kth_val = np.where(
        counts > 0, vals[np.clip(kth_pos, 0, max(len(vals) - 1, 0))] if len(vals) else 0, np.inf
    )
    keep = (rank < ks[rows]) | (vals >= kth_val[rows])
    return sp.csr_matrix((vals[keep], (rows[keep], cols[keep])), shape=P.shape)


def neighbour_counts(P: sp.csr_matrix, cfg: ClusterConfig) -> int | np.ndarray:
    """How many neighbours each article keeps: ``k``, or, with ``k_sure`` below 1, as many as it
    has pairs at least ``k_sure`` likely (itself included), between ``k_min`` and ``k``.

    An article of a story of three has two sure partners and keeps three neighbours, so two
    same-topic stories of a week do not share its neighbourhood; one of a story of twenty keeps
    ``k``. Measured on the cross-fitted pair probabilities of ECB+, ``allsides-dev`` and the
    generated corpus (docs/benchmarks.md).
    """
    k = int(cfg.k)
    k_min = k if cfg.k_min is None else min(int(cfg.k_min), k)
    if cfg.k_sure is None or cfg.k_sure >= 1.0 or k_min >= k:
        return k
    coo = P.tocoo()
    sure = np.bincount(coo.row[coo.data >= cfg.k_sure], minlength=P.shape[0])
    return np.clip(sure, k_min, k)


def shared_neighbour_similarity(
    n: int, pairs: np.ndarray, probs: np.ndarray, cfg: ClusterConfig, chunk: int = 1_000_000
) -> sp.csr_matrix:
    """Sparse symmetric similarity for the candidate pairs that pass the gate.

    The last product is taken ``chunk`` pairs at a time: at once it needs about
    36 bytes per pair per neighbour (10 GB for 25 million pairs); the values are
    the same either way (each is one row of G times another).
    """
    diag = np.arange(n)
    r = np.concatenate([pairs[:, 0], pairs[:, 1], diag]) if len(pairs) else diag
    c = np.concatenate([pairs[:, 1], pairs[:, 0], diag]) if len(pairs) else diag
    v = np.concatenate([probs, probs, np.ones(n, dtype=np.float32)]) if len(pairs) else np.ones(n, np.float32)
    P = sp.csr_matrix((v.astype(np.float64), (r, c)), shape=(n, n))
    del r, c, v
    P.sum_duplicates()
    G = _top_k_rows(P, neighbour_counts(P, cfg))
    del P
    if cfg.power is not None and cfg.power != 1.0:
        G.data = G.data**cfg.power
    G = G.maximum(G.T).tocsr()
    norms = np.sqrt(np.asarray(G.multiply(G).sum(axis=1)).ravel())
    G = sp.diags(1.0 / np.maximum(norms, 1e-12)) @ G
    if len(pairs) == 0:
        return sp.csr_matrix((n, n))
    keep = probs >= cfg.gate
    a, b = pairs[keep, 0], pairs[keep, 1]
    s = np.concatenate([np.asarray(G[a[i : i + chunk]].multiply(G[b[i : i + chunk]]).sum(axis=1)).ravel()
                        for i in range(0, len(a), chunk)] or [np.zeros(0)])
    return sp.csr_matrix(
        (np.concatenate([s, s]), (np.concatenate([a, b]), np.concatenate([b, a]))), shape=(n, n)
    )


APART = 1e9  # the linkage distance of two articles that cannot share a story (any average with it is > 1)


def spans_of(days: np.ndarray | None, n: int) -> np.ndarray | None:
    """``(n, 2)`` earliest and latest publication day per unit from ``days`` (one per unit, or already
    ``(n, 2)``, or ``(n, 4)`` with each unit's time window after them: :func:`windows_apart`); NaN where
    undated. None stays None."""
    if days is None:
        return None
    d = np.asarray(days, dtype=np.float64)
    if d.ndim == 1:
        return np.stack([d, d], axis=1)
    return d.reshape(n, d.shape[1] if d.ndim == 2 and d.shape[1] == 4 else 2)


def with_windows(span: np.ndarray | None, window: np.ndarray | None, n: int) -> np.ndarray | None:
    """``(n, 4)``: each unit's publication span (:func:`spans_of`) and its time window (earliest and
    latest day it can be from; NaN: unknown), or the span alone without windows."""
    if window is None:
        return span
    s = spans_of(span, n) if span is not None else np.full((n, 2), np.nan)
    return np.hstack([s[:, :2], np.asarray(window, dtype=np.float64).reshape(n, 2)])


def family_windows(fam: np.ndarray, n_fam: int, window: np.ndarray | None) -> np.ndarray | None:
    """Each copy family's time window: the hull of its members' (a family is never kept further from
    a story than its loosest member would be); NaN when no member has one."""
    if window is None:
        return None
    return _label_spans(np.asarray(fam, dtype=np.int64), np.asarray(window, dtype=np.float64).reshape(-1, 2))


def windows_apart(span: np.ndarray, a: np.ndarray, b: np.ndarray, max_days: float) -> np.ndarray:
    """Whether the time windows of units ``a`` and ``b`` (columns 2 and 3 of a ``(n, 4)`` span) lie
    more than ``max_days`` apart: an article of September and one of some day of November cannot
    be one story, whatever else they share. False where either is unknown or there are no windows."""
    if span.shape[1] < 4:
        return np.zeros(len(a), dtype=bool)
    with np.errstate(invalid="ignore"):
        gap = np.maximum(span[a, 2], span[b, 2]) - np.minimum(span[a, 3], span[b, 3])
        return gap > max_days


def family_spans(fam: np.ndarray, n_fam: int, days: np.ndarray | None) -> np.ndarray | None:
    """The earliest and latest publication day of each copy family (NaN: no member dated)."""
    if days is None:
        return None
    d = np.asarray(days, dtype=np.float64)
    lo, hi = np.full(n_fam, np.inf), np.full(n_fam, -np.inf)
    ok = ~np.isnan(d)
    np.minimum.at(lo, fam[ok], d[ok])
    np.maximum.at(hi, fam[ok], d[ok])
    dated = np.isfinite(lo)
    return np.stack([np.where(dated, lo, np.nan), np.where(dated, hi, np.nan)], axis=1)


def apart(span: np.ndarray, a: np.ndarray, b: np.ndarray, max_days: float) -> np.ndarray:
    """Whether units ``a`` and ``b`` (arrays of indexes into ``span``) cannot share a story: both dated,
    and together they span more than ``max_days`` and more than either spans alone (a copy family
    reprinted over a week keeps its own span)."""
    lo = np.minimum(span[a, 0], span[b, 0])
    hi = np.maximum(span[a, 1], span[b, 1])
    own = np.maximum(span[a, 1] - span[a, 0], span[b, 1] - span[b, 0])
    with np.errstate(invalid="ignore"):
        return (hi - lo > np.maximum(max_days, own)) & ~np.isnan(lo + hi)


def _average_linkage(S: sp.csr_matrix, members: np.ndarray, threshold: float,
                     span: np.ndarray | None = None, max_days: float | None = None,
                     bridge: float = 1.01) -> np.ndarray:
    sub = S[members][:, members].toarray()
    D = 1.0 - np.clip(sub, 0.0, 1.0)
    if span is not None and max_days is not None:
        local = span[members]
        ia, ib = np.triu_indices(len(members), 1)
        far = apart(local, ia, ib, max_days)
        far &= sub[ia, ib] < bridge  # strong direct evidence may join articles further apart
        far |= windows_apart(local, ia, ib, max_days)
        D[ia[far], ib[far]] = D[ib[far], ia[far]] = APART
    np.fill_diagonal(D, 0.0)
    iu = np.triu_indices(len(members), 1)
    Z = linkage(D[iu], method="average")
    return fcluster(Z, t=1.0 - threshold, criterion="distance")


def cluster(n: int, pairs: np.ndarray, probs: np.ndarray, cfg: ClusterConfig,
            days: np.ndarray | None = None) -> np.ndarray:
    """A story label per article (0..n_stories-1, numbered by first member).

    ``cfg`` must be resolved (see :meth:`Config.resolved_cluster`). ``days``:
    each article's publication time in days (NaN: undated), or ``(n, 2)``
    earliest and latest for units that stand for several articles; with
    ``cfg.max_days`` set, units further apart never share a story.
    """
    if cfg.k is None or cfg.gate is None or cfg.threshold is None:
        raise ValueError("cluster() needs k, gate and threshold set; use Config.resolved_cluster()")
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float32)
    span = spans_of(days, n) if cfg.max_days is not None else None
    S = shared_neighbour_similarity(n, pairs, probs, cfg)
    strong = S.copy()
    strong.data = np.where(strong.data >= cfg.threshold, 1.0, 0.0)
    strong.eliminate_zeros()
    _, comp = connected_components(strong, directed=False)
    next_label = 0
    order = np.argsort(comp, kind="stable")
    bounds = np.flatnonzero(np.diff(comp[order])) + 1
    for members in np.split(order, bounds):
        members = np.sort(members)
        local = np.zeros(1, np.int64) if len(members) == 1 else _split(S, members, cfg, cfg.threshold, span)
        _, local = np.unique(local, return_inverse=True)
        labels[members] = next_label + local
        next_label += int(local.max()) + 1
    return join_cores(_renumber(labels), pairs, probs, 1.0 if cfg.core is None else cfg.core, span, cfg.max_days)


def _split(S: sp.csr_matrix, members: np.ndarray, cfg: ClusterConfig, threshold: float,
           span: np.ndarray | None = None) -> np.ndarray:
    if len(members) <= cfg.max_component:
        return _average_linkage(S, members, threshold, span, cfg.max_days, cfg.bridge).astype(np.int64)
    # Too large for dense linkage: cut the component at a stricter level first.
    stricter = min(0.99, threshold + (1.0 - threshold) / 4)
    sub = S[members][:, members].tocsr()
    sub.data = np.where(sub.data >= stricter, 1.0, 0.0)
    sub.eliminate_zeros()
    _, comp = connected_components(sub, directed=False)
    out = np.zeros(len(members), dtype=np.int64)
    offset = 0
    for c in np.unique(comp):
        idx = np.flatnonzero(comp == c)
        part = _split(S, members[idx], cfg, stricter if len(idx) > cfg.max_component else threshold, span)
        out[idx] = part + offset
        offset += int(part.max()) + 1
    return out


def join_cores(labels: np.ndarray, pairs: np.ndarray, probs: np.ndarray, core: float,
               span: np.ndarray | None = None, max_days: float | None = None) -> np.ndarray:
    """Stories joined through the pairs the model is at least ``core`` sure of.

    Average linkage on a sparse graph counts every pair that was never a
    candidate as dissimilar, so a story of hundreds of articles, whose members
    are each compared with a few dozen others only, falls apart into pieces that
    the pair model itself would join without doubt. Such near-certain pairs
    (measured pure on ECB+ and the generated corpora at 0.99) are must-links:
    the result is the connected components of "same cluster" and "near-certain
    pair", numbered by first member.

    With ``span`` (earliest and latest day per article, NaN: undated) and
    ``max_days``, a joined story whose members would lie further apart than
    ``max_days`` is not joined whole: inside it, the stories are joined through
    its near-certain pairs one at a time, surest first (ties: lowest indexes),
    each join made only if the two sides together stay within ``max_days``
    (or within the longer of their own spans).
    """
    labels = np.asarray(labels, dtype=np.int64)
    n = len(labels)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    sure = np.asarray(probs) >= core
    if n == 0 or not sure.any():
        return labels
    # article -> its cluster node (n + label), plus the near-certain article pairs
    k = int(labels.max()) + 1
    r = np.concatenate([np.arange(n), pairs[sure, 0]])
    c = np.concatenate([n + labels, pairs[sure, 1]])
    g = sp.csr_matrix((np.ones(len(r), np.int8), (r, c)), shape=(n + k, n + k))
    _, comp = connected_components(g, directed=False)
    comp = comp[:n]
    if span is None or max_days is None:
        return _renumber(comp)
    cspan = _label_spans(comp, span)
    wide = cspan[:, 1] - cspan[:, 0] > max_days  # NaN (undated) compares False
    if not wide[comp[pairs[sure, 0]]].any():
        return _renumber(comp)
    # the joined stories that would be too long: join their clusters pair by pair, within the limit
    lspan = _label_spans(labels, span)
    parent = np.arange(k)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    sa, sb, sp_ = pairs[sure, 0], pairs[sure, 1], np.asarray(probs)[sure]
    todo = wide[comp[sa]] & (labels[sa] != labels[sb])
    la, lb, pp = labels[sa[todo]], labels[sb[todo]], sp_[todo]
    for t in np.lexsort((np.maximum(la, lb), np.minimum(la, lb), -pp)).tolist():
        x, y = root(int(la[t])), root(int(lb[t]))
        if x == y or apart(lspan, np.array([x]), np.array([y]), max_days)[0]:
            continue
        lo, hi = np.fmin(lspan[x, 0], lspan[y, 0]), np.fmax(lspan[x, 1], lspan[y, 1])
        x, y = min(x, y), max(x, y)
        parent[y] = x
        lspan[x] = (lo, hi)
    roots = np.array([root(i) for i in range(k)])
    # clusters of joined stories within the limit stay joined as before
    keep = ~wide[comp]
    out = np.where(keep, n + comp, roots[labels])
    return _renumber(out)


def _label_spans(labels: np.ndarray, span: np.ndarray) -> np.ndarray:
    """The earliest and latest day of each label's members (NaN: none dated)."""
    k = int(labels.max()) + 1 if len(labels) else 0
    lo, hi = np.full(k, np.inf), np.full(k, -np.inf)
    ok = ~np.isnan(span[:, 0])
    np.minimum.at(lo, labels[ok], span[ok, 0])
    np.maximum.at(hi, labels[ok], span[ok, 1])
    dated = np.isfinite(lo)
    return np.stack([np.where(dated, lo, np.nan), np.where(dated, hi, np.nan)], axis=1)


def _renumber(labels: np.ndarray) -> np.ndarray:
    """Number stories by their first member's index so labels are canonical."""
    out = np.empty_like(labels)
    seen: dict[int, int] = {}
    for i, lab in enumerate(labels.tolist()):
        if lab not in seen:
            seen[lab] = len(seen)
        out[i] = seen[lab]
    return out


def collapse_copies(
    n: int, pairs: np.ndarray, probs: np.ndarray, copy_prob: float
) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """Merge copies (pairs at or above ``copy_prob``) into families before the neighbour graph.

    A wire story syndicated forty times would otherwise fill every neighbour list
    with its own copies, and a rewrite of it would share no neighbourhood with the
    original. Returns (family of each article, number of families, family pairs,
    their probabilities: the highest over the members).
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float32)
    strong = probs >= copy_prob
    g = sp.csr_matrix(
        (np.ones(int(strong.sum())), (pairs[strong, 0], pairs[strong, 1])), shape=(n, n)
    )
    _, comp = connected_components(g, directed=False)
    # number families by their first member so that the result stays canonical
    first = np.full(comp.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(first, comp, np.arange(n))
    rank = np.empty_like(first)
    rank[np.argsort(first, kind="stable")] = np.arange(len(first))
    fam = rank[comp]
    fa, fb = fam[pairs[:, 0]], fam[pairs[:, 1]]
    keep = fa != fb
    a, b = np.minimum(fa[keep], fb[keep]), np.maximum(fa[keep], fb[keep])
    p = probs[keep]
    if len(a) == 0:
        return fam, len(first), np.zeros((0, 2), np.int64), np.zeros(0, np.float32)
    order = np.lexsort((-p, b, a))
    a, b, p = a[order], b[order], p[order]
    new = np.ones(len(a), dtype=bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    return fam, len(first), np.stack([a[new], b[new]], axis=1), p[new]


RELATED_MIN = 0.3  # the best pair between two stories at least this likely: the stories are related
FOLLOW_UP_MIN = 0.5  # ... and at least this likely, with the second one later: a follow-up


def related_stories(labels: np.ndarray, pairs: np.ndarray, probs: np.ndarray, days: np.ndarray,
                    related_min: float = RELATED_MIN, follow_up_min: float = FOLLOW_UP_MIN,
                    ) -> dict[int, list[dict]]:
    """Links between stories that the clustering kept apart: ``{label: [{label, kind, score}]}``.

    A story is one event of a few days; a later development of it (a death-toll
    update, a reaction, a clarification) is its own story, linked here. The
    score of two stories is their most likely candidate pair. The link is a
    ``follow-up`` when that score reaches ``follow_up_min`` and one story starts
    at least a day after the other has started (both placed in time; ``days``
    per article, NaN when unknown), else ``same-topic``. Each side lists the
    other, sorted by score then label; the kind says which is later through
    ``direction`` (``earlier`` / ``later``, or ``none``).
    """
    labels = np.asarray(labels, dtype=np.int64)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float64)
    out: dict[int, list[dict]] = {}
    if len(pairs) == 0:
        return out
    la, lb = labels[pairs[:, 0]], labels[pairs[:, 1]]
    keep = (la != lb) & (probs >= related_min)
    if not keep.any():
        return out
    a, b = np.minimum(la[keep], lb[keep]), np.maximum(la[keep], lb[keep])
    p = probs[keep]
    order = np.lexsort((-p, b, a))
    a, b, p = a[order], b[order], p[order]
    first = np.concatenate(([True], (a[1:] != a[:-1]) | (b[1:] != b[:-1])))
    days = np.asarray(days, dtype=np.float64)
    n_lab = int(labels.max()) + 1
    start = np.full(n_lab, np.inf)
    known = ~np.isnan(days)
    np.minimum.at(start, labels[known], days[known])
    for x, y, s in zip(a[first].tolist(), b[first].tolist(), p[first].tolist()):
        sx, sy = start[x], start[y]
        later = None
        if np.isfinite(sx) and np.isfinite(sy) and abs(sy - sx) >= 1.0:
            later = y if sy > sx else x
        kind = "follow-up" if later is not None and s >= follow_up_min else "same-topic"
        for me, other in ((x, y), (y, x)):
            direction = "none" if later is None else ("later" if later == other else "earlier")
            out.setdefault(me, []).append({"label": other, "kind": kind, "score": round(s, 4),
                                           "direction": direction})
    for v in out.values():
        v.sort(key=lambda r: (-r["score"], r["label"]))
    return out
