"""The cluster stage: shared-neighbour similarity (regroup: pairs by article), connected components over
edge shards, average linkage per component as tasks; then the story records."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from storyline.config import Config
from storyline.executors import Executor, connected_components, get_executor
from storyline.executors.shards import ShardedArticles
from storyline.model import Article, Story, story_id
from storyline.progress import Reporter
from storyline.stage import Run, Stage
from storyline.verify.stage import Matching


def _link_components(batch: tuple[Any, ...], cfg: Any) -> list[np.ndarray]:
    """Average linkage inside each component of a batch (its rows and columns laid out component by component;
    with the members' publication spans, or None)."""
    from storyline.cluster import _split

    S, sizes, span = batch
    out = []
    start = 0
    for size in sizes.tolist():
        sub = S[start : start + size, start : start + size]
        local = _split(sub, np.arange(size), cfg, cfg.threshold,
                       None if span is None else span[start : start + size])
        out.append(np.unique(local, return_inverse=True)[1].ravel())
        start += size
    return out


def cluster_sharded(n: int, pairs: np.ndarray, probs: np.ndarray, cfg: Any, executor: Executor,
                    edge_chunk: int = 1_000_000, batch_rows: int = 20_000,
                    days: np.ndarray | None = None) -> np.ndarray:
    """:func:`storyline.cluster.cluster`, with components found by a union-find over edge shards and
    each component's average linkage run as a task. The labels are the same.
    """
    from storyline.cluster import _renumber, join_cores, shared_neighbour_similarity, spans_of

    if cfg.k is None or cfg.gate is None or cfg.threshold is None:
        raise ValueError("cluster() needs k, gate and threshold set; use Config.resolved_cluster()")
    labels = np.full(n, -1, dtype=np.int64)
    if n == 0:
        return labels
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float32)
    span = spans_of(days, n) if cfg.max_days is not None else None
    S = shared_neighbour_similarity(n, pairs, probs, cfg).tocsr()
    C = S.tocoo()
    keep = (C.data >= cfg.threshold) & (C.row < C.col)
    edges = np.stack([C.row[keep], C.col[keep]], axis=1).astype(np.int64)
    del C
    shards = [edges[s : s + edge_chunk] for s in range(0, len(edges), edge_chunk)]
    comp = connected_components(executor, n, shards)
    order = np.argsort(comp, kind="stable")
    cuts = np.flatnonzero(np.diff(comp[order])) + 1
    groups = np.split(order, cuts)
    next_label = 0
    batches: list[list[np.ndarray]] = [[]]
    rows = 0
    for members in groups:
        if len(members) == 1:
            labels[members] = next_label
            next_label += 1
            continue
        if rows >= batch_rows:
            batches.append([])
            rows = 0
        batches[-1].append(members)
        rows += len(members)
    work = []
    for b in batches:
        if b:
            idx = np.concatenate(b)
            work.append((S[idx][:, idx].tocsr(), np.array([len(m) for m in b], dtype=np.int64),
                         None if span is None else span[idx]))
    for b, locals_ in zip([b for b in batches if b], executor.gather(
            executor.map_shards(_link_components, work, cfg, desc="linkage"))):
        for members, local in zip(b, locals_):
            labels[members] = next_label + local
            next_label += int(local.max()) + 1
    return join_cores(_renumber(labels), pairs, probs, 1.0 if cfg.core is None else cfg.core, span, cfg.max_days)


def group(
    n: int, m: Matching, cfg: Config, reporter: Reporter | None = None, executor: str | Executor | None = None,
    window: np.ndarray | None = None,
) -> np.ndarray:
    """A story label per article. ``window``: ``(n, 2)`` earliest and latest day each article can be
    from (:func:`storyline.represent.stage.time_windows`; NaN: unknown); articles whose windows lie
    further apart than ``max_days`` are never linked."""
    from storyline.cluster import with_windows
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    ex = get_executor(executor)
    with reporter.stage("cluster"):
        ccfg = cfg.resolved_cluster(load_model(m.model).cluster)
        days = m.published
        if cfg.match.collapse_copies:
            from storyline.cluster import _renumber, collapse_copies, family_spans, family_windows

            fam, n_fam, fpairs, fprobs = collapse_copies(n, m.pairs, m.probs, cfg.match.copy_probability)
            spans = with_windows(family_spans(fam, n_fam, days), family_windows(fam, n_fam, window), n_fam)
            return _renumber(cluster_sharded(n_fam, fpairs, fprobs, ccfg, ex, days=spans)[fam])
        if window is not None:
            days = with_windows(None if days is None else np.asarray(days, dtype=np.float64), window, n)
        return cluster_sharded(n, m.pairs, m.probs, ccfg, ex, days=days)


class ClusterStage(Stage):
    """``run.matching`` -> ``run.labels`` (a story label per article)."""

    name = "cluster"
    needs = ("articles", "matching")
    makes = ("labels",)

    def __call__(self, run: Run) -> None:
        from storyline.represent.stage import time_windows

        window = time_windows(run.articles, run.cfg.match.url_dates) if run.cfg.cluster.max_days is not None else None
        run.labels = group(len(run.articles), run.matching, run.cfg, run.reporter, run.executor, window)


def build_stories(articles: Sequence[Article], labels: np.ndarray, m: Matching) -> list[Story]:
    """Story records, largest first, with each article's best match inside its story."""
    if isinstance(articles, ShardedArticles):
        articles = articles.light()
    n = len(articles)
    labels = np.asarray(labels)
    strength = np.zeros(n, dtype=np.float64)
    best_p = np.full(n, -1.0)
    best_j = np.full(n, -1, dtype=np.int64)
    if len(m.pairs):
        i, j = m.pairs[:, 0].astype(np.int64), m.pairs[:, 1].astype(np.int64)
        p = m.probs.astype(np.float64)
        inside = labels[i] == labels[j]
        i, j, p = i[inside], j[inside], p[inside]
        # pair by pair, i then j: the order the sums were always taken in
        np.add.at(strength, np.stack([i, j], axis=1).ravel(), np.repeat(p, 2))
        # best match: highest probability, then the lowest index
        src, dst, pp = np.concatenate([i, j]), np.concatenate([j, i]), np.concatenate([p, p])
        order = np.lexsort((dst, -pp, src))
        first = order[np.concatenate(([True], src[order][1:] != src[order][:-1]))]
        best_p[src[first]] = pp[first]
        best_j[src[first]] = dst[first]
    stories, story_labels = [], []
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    for members in np.split(order, cuts) if n else []:
        ids = [articles[i].id for i in members]
        central = max(members.tolist(), key=lambda i: (strength[i], -i))
        dates = sorted(a.published for a in (articles[i] for i in members) if a.published)
        outlets = sorted({articles[i].outlet for i in members if articles[i].outlet})
        bm = {}
        for i in members.tolist():
            j = int(best_j[i])
            bm[articles[i].id] = {"id": articles[j].id, "score": round(float(best_p[i]), 4)} if j >= 0 else None
        title = articles[central].title or _first_line(articles[central].text)
        stories.append(
            Story(
                story_id=story_id(ids),
                title=title,
                article_ids=ids,
                best_match=bm,
                first_published=dates[0] if dates else None,
                last_published=dates[-1] if dates else None,
                outlets=outlets,
            )
        )
        story_labels.append(int(labels[members[0]]))
    links = _related(labels, m)
    sid = dict(zip(story_labels, (s.story_id for s in stories)))
    for s, lab in zip(stories, story_labels):
        s.related = [{"story_id": sid[r["label"]], "kind": r["kind"], "score": r["score"],
                      "direction": r["direction"]} for r in links.get(lab, [])]
    stories.sort(key=lambda s: (-len(s.article_ids), s.first_published or "", s.story_id))
    return stories


def _related(labels: np.ndarray, m: Matching) -> dict[int, list[dict]]:
    """Links between the stories (:func:`storyline.cluster.related_stories`), by story label."""
    from storyline.cluster import related_stories

    days = np.full(len(labels), np.nan)
    if m.days is not None and m.dated is not None:
        days = np.where(m.dated, m.days, np.nan)  # own dates only: a borrowed day does not order stories
    return related_stories(labels, m.pairs, m.probs, days)


def _first_line(text: str, limit: int = 120) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class StoriesStage(Stage):
    """``run.labels`` -> ``run.stories`` (largest first, each article's best match inside its story)."""

    name = "stories"
    needs = ("articles", "labels", "matching")
    makes = ("stories",)

    def __call__(self, run: Run) -> None:
        with run.reporter.stage("stories"):
            run.stories = build_stories(run.articles, run.labels, run.matching)
