"""The poll cycle: feeds fetched, new items' pages fetched and read, articles stored, settled, announced.

One cycle:

1. every due source's feed is fetched (conditionally) in a thread pool; its new
   items (not seen by GUID in that feed, nor by canonical URL anywhere) are
   recorded ``pending`` with the source's new ETag, in one transaction;
2. pending items' pages are fetched in the pool and read by the readers of
   ``storyline run`` (:func:`storyline.ingest.record_to_article`: the same
   extraction and fields as an HTML file); a page whose text is already stored
   (content hash) or whose final or canonical URL belongs to another item adds
   nothing; the rest are stored and placed in a story at once, batch by batch,
   as ``storyline ingest`` does;
3. the store is settled (the stories made equal to one batch run over every
   stored article, re-graded and re-digested where they changed);
4. the stories of the new articles are announced (:mod:`storyline.watch.events`)
   and the sinks are told.

A stop request (SIGINT/SIGTERM) lets the pages in flight finish, commits the
articles read, settles, announces and returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from storyline.ingest import record_to_article
from storyline.ingest.decode import DecodeError, declared_charset, decode_bytes, sniff_binary
from storyline.model import Article
from storyline.store.assign import AssignConfig, Assigner
from storyline.store.db import Store, content_hash
from storyline.watch import events as ev
from storyline.watch.client import FEED_TYPES, HTML_TYPES, ClientConfig, FetchError, PoliteClient, Response
from storyline.watch.sources import FeedError, canonical_url, parse_feed
from storyline.watch.state import PendingItem, Source, WatchState

log = logging.getLogger(__name__)


@dataclass(slots=True)
class WatchConfig:
    interval: float = 600.0  # first interval between polls of a source (then adapted to how often it changes)
    min_interval: float = 60.0
    max_interval: float = 3600.0
    batch_size: int = 8  # articles per commit
    max_items: int = 200  # items read from one feed per poll
    item_attempts: int = 3  # tries of a page that fails for a reason that may pass
    failing_after: int = 3  # consecutive failed polls that raise source.failing
    settle: bool = True
    analyse: bool = True  # provenance and digests of changed stories (needed for fact/quote events)
    embed: bool = True  # the MiniLM stage (placement and settling)
    window_days: float = 7.0
    sitemap_children: int = 50  # child sitemaps read from one sitemap index
    keep_events_days: float = 30.0  # outbox events older than this, read by every sink, are dropped (0: keep all)


@dataclass
class CycleReport:
    feeds: int = 0
    feeds_ok: int = 0
    not_modified: int = 0
    feeds_failed: int = 0
    items_listed: int = 0  # items in the feeds fetched (seen before or not)
    new_items: int = 0
    events_pruned: int = 0  # outbox events dropped (older than keep_events_days, read by every sink)
    articles: int = 0
    duplicates: int = 0
    pages_failed: int = 0
    events: list[dict[str, Any]] = field(default_factory=list)
    settle: dict[str, Any] | None = None
    seconds: float = 0.0
    stopped: bool = False

    def to_json(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in ("feeds", "feeds_ok", "not_modified", "feeds_failed", "items_listed", "new_items",
                                           "articles", "duplicates", "pages_failed", "seconds", "stopped")}
        d["events"] = len(self.events)
        if self.settle is not None:
            d["settle"] = self.settle
        return d


class Watcher:
    def __init__(self, store: Store, sources: list[str], *, config: WatchConfig | None = None,
                 client: ClientConfig | None = None, sinks: list[Any] | None = None,
                 log_line: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.config = cfg = config or WatchConfig()
        self.client = PoliteClient(client)
        self.state = WatchState(store, interval=cfg.interval, min_interval=cfg.min_interval,
                                max_interval=cfg.max_interval)
        self.state.sync_sources(sources)
        self.sinks = sinks or []
        self.log = log_line or (lambda line: None)
        self.assigner = Assigner(store, AssignConfig(window_days=cfg.window_days, embed=cfg.embed))
        self.stop = threading.Event()
        self.pool = ThreadPoolExecutor(max_workers=self.client.config.concurrency, thread_name_prefix="watch")

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.client.close()
        for s in self.sinks:
            s.close()

    # -- the cycle ---------------------------------------------------------------------------------

    def poll(self, *, all_sources: bool = False) -> CycleReport:
        """One cycle over the due sources (every active one with ``all_sources``)."""
        t0 = time.perf_counter()
        rep = CycleReport()
        due = self.state.due(None if all_sources else time.time())
        rep.feeds = len(due)
        for src, result in self._map(self._fetch_feed, due):
            if isinstance(result, FetchError):
                rep.feeds_failed += 1
                n = self.state.record_feed_failure(src, result)
                self.log(f"feed failed\t{src.url}\t{result.code} {result.reason}")
                if n == self.config.failing_after:
                    rep.events.append(ev.source_failing(self.store, src.url, n, result.code, result.reason))
                continue
            resp, feed = result
            if feed is None:
                rep.not_modified += 1
            else:
                rep.feeds_ok += 1
                rep.items_listed += min(len(feed.items), self.config.max_items)
            rep.new_items += self.state.record_feed(src, resp, feed, self.config.max_items)
        self._read_pages(rep)
        fresh = ev.pending_announcements(self.store)
        if rep.articles or self.store.dirty_stories(limit=1):
            if self.config.settle:
                from storyline.store.settle import settle

                rep.settle = settle(self.store, semantic=None if self.config.embed else False,
                                    extras=self.config.analyse)
            elif self.config.analyse:
                self.assigner.refresh_pending(limit=None)
        rep.events += ev.announce(self.store, fresh)
        for s in self.sinks:
            s.deliver()
        rep.events_pruned = ev.prune_outbox(self.store, self.config.keep_events_days)
        rep.stopped = self.stop.is_set()
        rep.seconds = round(time.perf_counter() - t0, 3)
        return rep

    def run(self, *, once: bool = False, on_cycle: Callable[[CycleReport], None] | None = None) -> int:
        """Poll until stopped (or once); returns 1 when the last cycle had a failing source, else 0."""
        failed = 0
        while not self.stop.is_set():
            rep = self.poll(all_sources=once)
            failed = rep.feeds_failed
            if on_cycle is not None:
                on_cycle(rep)
            if once:
                break
            nxt = self.state.next_poll_at()
            wait_s = 60.0 if nxt is None else max(0.5, nxt - time.time())
            self.stop.wait(min(wait_s, 60.0))
        return 1 if failed else 0

    def _map(self, fn: Callable[[Any], Any], items: list[Any]):
        """(item, fn(item)) as they complete; stops submitting once a stop is requested."""
        items = list(items)
        todo: set[Future] = set()
        of: dict[Future, Any] = {}
        limit = self.client.config.concurrency * 4
        while (items or todo):
            while items and len(todo) < limit and not self.stop.is_set():
                it = items.pop(0)
                f = self.pool.submit(fn, it)
                of[f] = it
                todo.add(f)
            if not todo:
                return
            if self.stop.is_set():  # only the requests already under way are finished
                for f in todo:
                    f.cancel()
            done, todo = wait(todo, timeout=1.0, return_when=FIRST_COMPLETED)
            for f in done:
                it = of.pop(f)
                if not f.cancelled():
                    yield it, f.result()

    # -- feeds ----------------------------------------------------------------------------------

    def _fetch_feed(self, src: Source) -> tuple[Response, Any] | FetchError:
        try:
            resp = self.client.get(src.url, etag=src.etag, last_modified=src.last_modified, types=FEED_TYPES)
            if resp.not_modified:
                return resp, None
            try:
                feed = parse_feed(resp.content, resp.url)
                for child in feed.sitemaps[: self.config.sitemap_children]:
                    sub = parse_feed(self.client.get(child, types=FEED_TYPES).content, child)
                    feed.items += sub.items
            except FeedError as exc:
                return FetchError("E716", str(exc)[:300], permanent=False, status=resp.status)
            return resp, feed
        except FetchError as exc:
            return exc
        except Exception as exc:  # a bug must not stop the other sources
            log.exception("polling %s", src.url)
            return FetchError("E799", f"unexpected error: {type(exc).__name__}: {exc}"[:300], permanent=False)

    # -- pages ----------------------------------------------------------------------------------

    def _read_pages(self, rep: CycleReport) -> None:
        items = self.state.pending()
        stored = self.state.stored_ids([i.url for i in items])
        if stored:  # stored before a kill left their items pending: nothing to fetch
            self.state.items_done([(i, "done", i.url, []) for i in items if i.url in stored])
            items = [i for i in items if i.url not in stored]
        batch: list[tuple[PendingItem, Article, list[str]]] = []
        for item, result in self._map(self._fetch_page, by_host_in_turn(items)):
            if isinstance(result, FetchError):
                rep.pages_failed += 1
                self.state.item_failed(item, result, self.config.item_attempts)
                self.log(f"page failed\t{item.url}\t{result.code} {result.reason}")
                continue
            art, urls = result
            batch.append((item, art, urls))
            if len(batch) >= self.config.batch_size:
                self._commit(batch, rep)
                batch = []
        if batch:
            self._commit(batch, rep)

    def _fetch_page(self, item: PendingItem) -> tuple[Article, list[str]] | FetchError:
        try:
            resp = self.client.get(item.url, types=HTML_TYPES)
            return page_article(item, resp)
        except FetchError as exc:
            return exc
        except Exception as exc:
            log.exception("reading %s", item.url)
            return FetchError("E799", f"unexpected error: {type(exc).__name__}: {exc}"[:300], permanent=True)

    def _commit(self, batch: list[tuple[PendingItem, Article, list[str]]], rep: CycleReport) -> None:
        """Store one batch: duplicates (by content or by a URL another item owns) are only marked."""
        keep: list[tuple[PendingItem, Article, list[str]]] = []
        done: list[tuple[PendingItem, str, str, list[str]]] = []
        hashes: dict[bytes, str] = {}
        for item, art, urls in batch:
            dup = None
            for u in urls:
                owner = self.state.url_owner(u)
                if owner is not None and owner[0] != item.rowid and owner[1] == "done":
                    dup = owner[2]
                    break
            h = content_hash(art)
            if dup is None:
                rows = self.store.articles_with_hash(h, limit=1)
                if rows:
                    dup = self.store.con.execute("SELECT id FROM articles WHERE rowid = ?", (rows[0],)).fetchone()[0]
                else:
                    dup = hashes.get(h)
            if dup is not None:
                rep.duplicates += 1
                done.append((item, "duplicate", dup, []))
                self.log(f"duplicate\t{item.url}\t{dup}")
                continue
            hashes[h] = art.id
            keep.append((item, art, urls))
        if keep:
            out = self.assigner.assign_detailed([a for _, a, _ in keep], refresh=False)
            ev.remember(self.store, [a.story_id for a in out if not a.new_story])
            for (item, art, urls), a in zip(keep, out):
                rep.articles += a.status == "inserted"
                done.append((item, "done", art.id, urls))
                self.log(f"{a.status}\t{art.id}\t{a.story_id}")
        self.state.items_done(done)


def by_host_in_turn(items: list[PendingItem]) -> list[PendingItem]:
    """Items reordered so that hosts take turns: the workers never all wait on one host's rate limit."""
    queues: dict[str, list[PendingItem]] = {}
    for it in items:
        queues.setdefault(urlsplit(it.url).netloc, []).append(it)
    out: list[PendingItem] = []
    for rank in range(max((len(q) for q in queues.values()), default=0)):
        out += [q[rank] for q in queues.values() if rank < len(q)]
    return out


def page_article(item: PendingItem, resp: Response) -> tuple[Article, list[str]]:
    """The article of a fetched page, read as ``storyline run`` reads an HTML file; and the page's other URLs."""
    data = resp.content
    what = sniff_binary(data)
    if what:
        raise FetchError("E715", f"binary content ({what}), not an HTML page", permanent=True)
    charset = None
    if "charset=" in (resp.content_type or ""):
        charset = resp.content_type.split("charset=")[-1]
    try:
        html, _ = decode_bytes(data, charset or declared_charset(data))
    except DecodeError as exc:
        raise FetchError("E715", f"undecodable page: {exc}", permanent=True) from exc
    final = canonical_url(resp.url)
    art = record_to_article({"id": item.url, "url": final, "html": html}, source=final, default_id=item.url)
    if not isinstance(art, Article) or not art.text.strip():
        raise FetchError("E717", "no main text found in the page", permanent=True)
    art.published = art.published or item.published
    art.title = art.title or item.title
    art.meta.setdefault("_watch", {}).update({"feed": item.source_url, "guid": item.guid})
    urls = [u for u in {item.url, final} if u]
    return art, urls
