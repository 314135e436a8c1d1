"""Incremental story assignment: new articles join a stored story or start one.

The store side of the matching cascade lives here: idempotent insert, candidate
retrieval inside the story window (exact-duplicate key, then the nearest stored
embeddings), membership updates, and the dirty mark that says a story's grades
and digest must be redone. The decision on the candidates and the re-grading are
hooks: ``storyline.pipeline`` provides them when it defines ``decide_story``
and ``refresh_story`` (signatures below); until then a plain rule decides
(exact duplicate, or cosine >= ``threshold`` to an article in the window) and
changed stories stay marked pending.

One batch is one write transaction: an article is stored together with its
story membership, or not at all, so a killed ingest loses nothing committed and
duplicates nothing; re-running it skips what is stored and assigns the rest.
"""

from __future__ import annotations

import importlib
import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storyline.errors import MissingDependency
from storyline.model import Article, story_id
from storyline.multilingual.lang import identify
from storyline.store.db import InsertResult, Store, article_id_for, content_hash
from storyline.store.vectors import VectorWindow


@dataclass(slots=True)
class AssignConfig:
    """How far the story window reaches and when the fallback rule joins a story."""

    window_days: float = 7.0  # an article may only join a story active within this many days of it (as match.window_days)
    threshold: float = 0.80  # fallback rule: cosine to the nearest article in the window
    embed: bool = True  # embed articles that come without a vector (needs the embed extra)
    max_tokens: int = 64  # placement is provisional (settling re-embeds as the batch run does): speed first
    top_k: int = 5  # nearest articles weighed per new article
    min_score: float = 0.5  # nearer than this is no candidate at all (saves looking up far ones)
    model: str = "minilm-l6-int8"


@dataclass(slots=True)
class Candidate:
    """A stored article a new one may share a story with, and why it was proposed."""

    article_id: str
    article_rowid: int
    story_id: str
    story_rowid: int
    via: str  # exact | vector
    score: float


@dataclass(slots=True)
class Assignment:
    """The outcome for one input article."""

    id: str
    status: str  # inserted | duplicate | conflict
    story_id: str
    new_story: bool = False
    candidates: list[Candidate] = field(default_factory=list)


#: decide(store, article, candidates) -> story_id to join, or None for a new story.
Decide = Callable[[Store, Article, list[Candidate]], "str | None"]
#: refresh(store, story_id, version) -> True when the story's provenance and digest were rewritten.
Refresh = Callable[[Store, str, int], bool]


def _pipeline_hook(name: str) -> Callable[..., Any] | None:
    try:
        mod = importlib.import_module("storyline.pipeline")
    except ImportError:
        return None
    return getattr(mod, name, None)


def _refresh_hook() -> Refresh | None:
    """Re-grading needs the provenance and digest modules; without them stories stay pending."""
    try:
        from storyline.store.settle import refresh_story
    except ImportError:  # pragma: no cover - a partial install
        return None
    return refresh_story


def fallback_decide(
    store: Store, article: Article, candidates: list[Candidate], threshold: float = 0.80
) -> str | None:
    """Join the story of an exact duplicate, else of the nearest article at or above ``threshold``."""
    for c in candidates:
        if c.via == "exact":
            return c.story_id
    best = max((c for c in candidates if c.via == "vector"), key=lambda c: c.score, default=None)
    if best is not None and best.score >= threshold:
        return best.story_id
    return None


def story_id_for(article_id: str) -> str:
    """A new story is named after the article that started it, as a batch run names it."""
    return story_id([article_id])


class Assigner:
    """Adds articles to a store and gives each its story.

    Keep one per writing process: it caches the window's embeddings in memory.
    """

    def __init__(
        self,
        store: Store,
        config: AssignConfig | None = None,
        *,
        decide: Decide | None = None,
        refresh: Refresh | None = None,
    ) -> None:
        self.store = store
        self.config = config or AssignConfig()
        # keep the days one window spans, with room for articles that arrive a little out of order
        self.vectors = VectorWindow(store, max_days=2 * math.ceil(self.config.window_days) + 9)
        self._decide = decide or _pipeline_hook("decide_story")
        self._refresh = refresh or _refresh_hook()
        self._embed_ok: bool | None = None

    # -- public --------------------------------------------------------------------------------

    def assign(
        self,
        articles: Sequence[Article],
        vectors: np.ndarray | None = None,
        *,
        refresh: bool = True,
    ) -> list[str]:
        """Store the articles (once each) and return the story id of each, in input order."""
        return [a.story_id for a in self.assign_detailed(articles, vectors, refresh=refresh)]

    def assign_detailed(
        self,
        articles: Sequence[Article],
        vectors: np.ndarray | None = None,
        *,
        refresh: bool = True,
    ) -> list[Assignment]:
        """Like :meth:`assign`, with each article's status and the candidates that were weighed."""
        for a in articles:
            if not a.id:
                a.id = article_id_for(a)
        identify(articles)  # the detected language where none was declared, stored with the article
        if vectors is None:
            vectors = self._embed_new(articles)
        out: list[Assignment] = []
        touched: set[str] = set()
        with self.store.write() as con:
            for i, art in enumerate(articles):
                res = self.store._insert_article(con, art)
                if res.story_id is not None:  # stored before, with its story
                    out.append(Assignment(art.id, res.status, res.story_id))
                    continue
                vec = None if vectors is None else vectors[i]
                if vec is not None and res.status == "inserted":
                    self.store._put_embedding(con, res.rowid, vec, self.config.model)
                out.append(self._place(con, art, res, vec))
                touched.add(out[-1].story_id)
        if refresh and touched:
            self.refresh_pending(only=touched)
        return out

    def refresh_pending(self, only: set[str] | None = None, limit: int | None = 1000) -> int:
        """Re-grade and re-digest stories marked pending (all, or those in ``only``); returns how many.

        Also what resumes a killed ingest: stories it changed but did not refresh
        are still marked pending in the store.
        """
        if self._refresh is None:
            return 0
        done = 0
        for sid, version in self.store.dirty_stories(limit=limit):
            if only is not None and sid not in only:
                continue
            if self._refresh(self.store, sid, version):
                done += 1
        return done

    # -- internals -----------------------------------------------------------------------------

    def _embed_new(self, articles: Sequence[Article]) -> np.ndarray | None:
        if not self.config.embed or not articles:
            return None
        if self._embed_ok is None:
            try:
                from storyline import embed

                self._embed_ok = embed.available()
            except MissingDependency:  # pragma: no cover - depends on the environment
                self._embed_ok = False
        if not self._embed_ok:
            return None
        from storyline.embed import encode

        ids = [a.id for a in articles]
        stored = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = ",".join("?" * len(chunk))
            stored |= {
                r[0] for r in self.store.con.execute(f"SELECT id FROM articles WHERE id IN ({q})", chunk)
            }
        todo = [i for i, a in enumerate(articles) if a.id not in stored]
        vecs = np.zeros((len(articles), 384), dtype=np.float32)
        if todo:
            texts = [f"{articles[i].title}\n{articles[i].text}".strip() for i in todo]
            vecs[todo] = encode(texts, max_tokens=self.config.max_tokens)
        return vecs

    def candidates(
        self, con: sqlite3.Connection, art: Article, rowid: int, vec: np.ndarray | None
    ) -> list[Candidate]:
        """Stored articles inside the story window that may report the same event as ``art``."""
        ts = con.execute("SELECT ts FROM articles WHERE rowid = ?", (rowid,)).fetchone()[0]
        window = int(self.config.window_days * 86400)
        out: list[Candidate] = []
        seen: set[int] = {rowid}
        for (rid,) in con.execute(
            "SELECT rowid FROM articles WHERE content_hash = ? AND rowid != ? AND story_rowid IS NOT NULL "
            "AND ts BETWEEN ? AND ? LIMIT 5",
            (content_hash(art), rowid, ts - window, ts + window),
        ):
            out.append(self._candidate(con, rid, "exact", 1.0))
            seen.add(rid)
        if vec is not None and np.any(vec):
            for rid, score in self.vectors.search(vec, ts, window, k=self.config.top_k + 1):
                if rid in seen or score < self.config.min_score:
                    continue
                c = self._candidate(con, rid, "vector", score)
                if c is not None:
                    out.append(c)
                seen.add(rid)
        # the story window: a story whose last article is older than the window takes no new ones
        ok = []
        for c in out:
            if c is None:
                continue
            last = con.execute("SELECT last_ts FROM stories WHERE rowid = ?", (c.story_rowid,)).fetchone()[0]
            if last >= ts - window:
                ok.append(c)
        return ok

    def _candidate(self, con: sqlite3.Connection, rid: int, via: str, score: float) -> Candidate | None:
        row = con.execute(
            "SELECT a.id, a.story_rowid, s.story_id FROM articles a "
            "JOIN stories s ON s.rowid = a.story_rowid "
            "WHERE a.rowid = ?",
            (rid,),
        ).fetchone()
        if row is None:
            return None
        return Candidate(row[0], rid, row[2], row[1], via, score)

    def _place(
        self, con: sqlite3.Connection, art: Article, res: InsertResult, vec: np.ndarray | None
    ) -> Assignment:
        cands = self.candidates(con, art, res.rowid, vec)
        if self._decide is not None:
            sid = self._decide(self.store, art, cands)
        else:
            sid = fallback_decide(self.store, art, cands, self.config.threshold)
        new = False
        srow = None
        if sid is not None:
            row = con.execute("SELECT rowid FROM stories WHERE story_id = ?", (sid,)).fetchone()
            srow = row[0] if row else None
        if srow is None:
            sid = sid or story_id_for(art.id)
            base, n = sid, 1
            while con.execute("SELECT 1 FROM stories WHERE story_id = ?", (sid,)).fetchone():
                n += 1
                sid = f"{base}-{n}"
            srow = self.store.new_story(con, sid, art.title)
            new = True
        self.store.join_story(con, res.rowid, srow)
        return Assignment(art.id, res.status, sid, new, cands)


def assign(store: Store, new_articles: Sequence[Article], **kwargs: Any) -> list[str]:
    """One-shot form of :meth:`Assigner.assign` (a long-running writer should keep an Assigner)."""
    vectors = kwargs.pop("vectors", None)
    return Assigner(store, AssignConfig(**kwargs)).assign(new_articles, vectors)
