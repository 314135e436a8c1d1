"""Settling: the stored stories made equal to what one batch run over the stored articles finds.

``ingest`` places each new article at once (the nearest-story rule in
:mod:`storyline.store.assign`, milliseconds). That placement is provisional:
the batch matcher's decisions depend on the whole corpus (boilerplate learned
per outlet, document frequencies, each article's nearest neighbours), so the
stories of an incremental store would drift from those of a batch run if
nothing reconciled them. ``settle`` runs the batch pipeline's own grouping
(:func:`storyline.pipeline.group_articles`, no copy of its logic) on every
stored article, sorted by id as a batch run reads them, and replaces the stored
stories that differ: the result depends only on the set of stored articles,
never on the order or batch sizes they arrived in. Stories that changed are
re-graded and re-digested; unchanged ones keep their analysis.

Sentence vectors are kept in the store by text (``vector_cache``), so a settle
embeds only texts it has not seen; the rest of its cost grows with the store
(see docs/service.md).
"""

from __future__ import annotations

import threading
import time
from typing import Any

from storyline.config import Config
from storyline.model import Article
from storyline.progress import Reporter
from storyline.store.db import Store


def settle(
    store: Store,
    config: Config | None = None,
    *,
    semantic: bool | None = None,
    extras: bool = True,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Recompute the stories of the whole store; replace those that changed. Returns counts and seconds."""
    from storyline import embed, pipeline
    from storyline.report import enrich

    cfg = config or Config()
    reporter = reporter or Reporter(show=False)
    t0 = time.perf_counter()
    if semantic is None:
        semantic = cfg.semantic.enabled and embed.available()
    articles = store.all_articles()
    if not articles:
        return {"articles": 0, "stories": 0, "changed": 0, "removed": 0, "seconds": 0.0}
    seen = store.last_article_rowid()
    with embed.lasting_cache(store):
        cleaned, labels, m, stories = pipeline.group_articles(articles, cfg, semantic, reporter, "local")
    stored = store.memberships()
    stale = {sid for sid, _ in store.dirty_stories(limit=None)}  # placed since, or never analysed
    changed = [s for s in stories if stored.get(s.story_id) != sorted(s.article_ids) or s.story_id in stale]
    keep = {s.story_id for s in stories}
    removed = [sid for sid in stored if sid not in keep]
    docs: dict[str, Any] = {}
    if extras and changed:
        result = pipeline.RunResult(list(cleaned), changed, [], labels, m)
        with embed.lasting_cache(store):
            enrich(result, reporter)
        docs = {d.story_id: d.to_json() for d in getattr(result, "digests", [])}
    rows = []
    for s in changed:
        row = s.to_json()
        if s.story_id in docs:
            row["digest"] = docs[s.story_id]
        rows.append(row)
    if not store.replace_stories(rows, remove=removed, unless_grown_past=seen):
        # articles arrived meanwhile: what was computed leaves them out, so nothing is written
        return {"articles": len(articles), "stale": True, "seconds": round(time.perf_counter() - t0, 3)}
    return {
        "articles": len(articles),
        "stories": len(stories),
        "changed": len(changed),
        "removed": len(removed),
        "semantic": bool(semantic),
        "seconds": round(time.perf_counter() - t0, 3),
    }


def refresh_story(store: Store, story_id: str, version: int) -> bool:
    """Re-grade and re-digest one stored story from its members (the hook ``Assigner`` calls).

    Cleaning learns boilerplate from the story's own articles here; the next
    :func:`settle` redoes the analysis with what the whole store teaches.
    """
    from storyline.clean import Cleaner
    from storyline.digest import build_digest
    from storyline.provenance import analyse_story

    ids = store.memberships_of(story_id)
    if not ids:
        return False
    found = store.get_articles(ids)
    members = [Article.from_json(found[i]) for i in ids if i in found]
    cleaner = Cleaner().fit(members)
    members = [cleaner.transform(a) for a in members]
    prov = analyse_story(members).to_json() if len(members) > 1 else None
    digest = build_digest(story_id, members, prov)
    return store.put_analysis(story_id, version=version, provenance=prov, digest=digest.to_json())


class Settler:
    """Settles a store in a background thread, a little after the last write (for the HTTP service).

    ``poke()`` after each write; the thread waits until ``quiet`` seconds pass
    without one, then settles, and settles again when articles arrived meanwhile.
    """

    def __init__(self, store: Store, config: Config | None = None, quiet: float = 2.0) -> None:
        self.store, self.config, self.quiet = store, config, quiet
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._last = 0.0
        self._busy = False
        self.last_result: dict[str, Any] | None = None
        self.errors = 0
        self._thread = threading.Thread(target=self._loop, name="storyline-settle", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> bool:
        """Writes wait to be settled, or a settle is running."""
        return self._wake.is_set() or self._busy

    def poke(self) -> None:
        self._last = time.monotonic()
        self._wake.set()

    def close(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        import logging

        while not self._stop.is_set():
            self._wake.wait()
            if self._stop.is_set():
                return
            while (left := self._last + self.quiet - time.monotonic()) > 0:
                if self._stop.wait(left):
                    return
            self._busy = True
            self._wake.clear()
            try:
                self.last_result = settle(self.store, self.config)
                if self.last_result.get("stale"):
                    self._wake.set()
            except Exception:  # keep serving; the next write tries again
                self.errors += 1
                logging.getLogger(__name__).exception("settling the store failed")
            finally:
                self._busy = False
