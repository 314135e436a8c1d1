"""The watcher's state in the store (migration ``0005_watch``): sources, items, failures, events.

Every change is one write transaction, so a killed watcher resumes where its
last commit left it: a source's ETag moves only together with the items its feed
listed (recorded ``pending`` first), and an item is ``done`` only once its article
is stored (an article's id is its item's canonical URL, so a page fetched and
stored just before a kill is recognised without fetching it again).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Any

from storyline.store.db import Store, now_iso
from storyline.watch.client import FetchError, Response
from storyline.watch.sources import Feed

#: how many failures are kept per source (older ones are dropped)
KEEP_FAILURES = 50


@dataclass(slots=True)
class Source:
    rowid: int
    url: str
    etag: str | None
    last_modified: str | None
    interval_s: float
    failures: int


@dataclass(slots=True)
class PendingItem:
    rowid: int
    source_rowid: int
    source_url: str
    guid: str
    url: str
    title: str
    published: str | None
    attempts: int
    seen_at: float


class WatchState:
    def __init__(self, store: Store, *, interval: float = 600.0, min_interval: float = 60.0,
                 max_interval: float = 3600.0) -> None:
        self.store = store
        self.interval, self.min_interval, self.max_interval = interval, min_interval, max_interval

    # -- sources -------------------------------------------------------------------------------

    def sync_sources(self, urls: list[str]) -> None:
        """Follow exactly these URLs: new ones are added, missing ones stop being polled (their state stays)."""
        with self.store.write() as con:
            con.execute("UPDATE watch_sources SET active = 0")
            for u in urls:
                con.execute("INSERT OR IGNORE INTO watch_sources(url, interval_s, added_at) VALUES (?,?,?)",
                            (u, self.interval, now_iso()))
                con.execute("UPDATE watch_sources SET active = 1 WHERE url = ?", (u,))

    def due(self, now: float | None = None) -> list[Source]:
        """Active sources whose next poll has come (all active ones with ``now=None``)."""
        sql = ("SELECT rowid, url, etag, last_modified, interval_s, failures FROM watch_sources "
               "WHERE active = 1")
        args: tuple[Any, ...] = ()
        if now is not None:
            sql += " AND next_poll <= ?"
            args = (now,)
        return [Source(*r) for r in self.store.con.execute(sql + " ORDER BY next_poll, rowid", args)]

    def next_poll_at(self) -> float | None:
        row = self.store.con.execute("SELECT min(next_poll) FROM watch_sources WHERE active = 1").fetchone()
        return row[0]

    def _interval(self, src: Source, changed: bool) -> float:
        """Polls speed up while a feed changes and slow down while it does not."""
        f = 0.5 if changed else 1.5
        return min(self.max_interval, max(self.min_interval, src.interval_s * f))

    def record_feed(self, src: Source, resp: Response, feed: Feed | None, max_items: int) -> int:
        """A feed answered (``feed`` None: 304 Not Modified). Records its new items; returns how many."""
        now = time.time()
        new = 0
        with self.store.write() as con:
            if feed is not None:
                for it in feed.items[:max_items]:
                    if con.execute("SELECT 1 FROM watch_items WHERE source_rowid = ? AND guid = ?",
                                   (src.rowid, it.guid)).fetchone():
                        continue  # the same GUID: already seen in this feed
                    if con.execute("SELECT 1 FROM watch_urls WHERE url = ?", (it.url,)).fetchone():
                        continue  # the same page under a new GUID, or listed by another feed
                    rid = con.execute(
                        "INSERT INTO watch_items(source_rowid, guid, url, title, published, seen_at) "
                        "VALUES (?,?,?,?,?,?)",
                        (src.rowid, it.guid, it.url, it.title, it.published, now),
                    ).lastrowid
                    con.execute("INSERT OR IGNORE INTO watch_urls(url, item_rowid) VALUES (?,?)", (it.url, rid))
                    new += 1
            interval = self._interval(src, new > 0)
            con.execute(
                "UPDATE watch_sources SET etag = ?, last_modified = ?, kind = coalesce(?, kind), "
                "title = coalesce(?, title), interval_s = ?, next_poll = ?, polls = polls + 1, "
                "changes = changes + ?, items = items + ?, failures = 0, last_status = ?, last_poll = ?, "
                "last_ok = ?, last_change = CASE WHEN ? > 0 THEN ? ELSE last_change END, last_error = '', "
                "last_code = '' WHERE rowid = ?",
                (resp.etag or src.etag, resp.last_modified or src.last_modified,
                 feed.kind if feed else None, (feed.title or None) if feed else None, interval,
                 now + interval, int(new > 0), new, resp.status, now_iso(), now_iso(), new, now_iso(),
                 src.rowid),
            )
        return new

    def record_feed_failure(self, src: Source, err: FetchError) -> int:
        """A poll failed: keep the reason, back off; returns the source's consecutive failures."""
        now = time.time()
        failures = src.failures + 1
        wait = min(self.max_interval, src.interval_s * 2 ** min(failures, 6))
        if err.retry_after is not None:
            wait = max(wait, min(err.retry_after, 86400.0))
        with self.store.write() as con:
            con.execute(
                "UPDATE watch_sources SET failures = ?, next_poll = ?, polls = polls + 1, last_status = ?, "
                "last_poll = ?, last_error = ?, last_code = ? WHERE rowid = ?",
                (failures, now + wait, err.status, now_iso(), err.reason, err.code, src.rowid),
            )
            self._failure(con, src.rowid, src.url, "feed", err)
        return failures

    def _failure(self, con: sqlite3.Connection, source_rowid: int, url: str, what: str, err: FetchError) -> None:
        con.execute("INSERT INTO watch_failures(source_rowid, url, what, code, reason, at) VALUES (?,?,?,?,?,?)",
                    (source_rowid, url, what, err.code, err.reason, now_iso()))
        con.execute(
            "DELETE FROM watch_failures WHERE source_rowid = ? AND rowid NOT IN (SELECT rowid FROM "
            "watch_failures WHERE source_rowid = ? ORDER BY rowid DESC LIMIT ?)",
            (source_rowid, source_rowid, KEEP_FAILURES),
        )

    # -- items ---------------------------------------------------------------------------------

    def pending(self, now: float | None = None, limit: int = 100_000) -> list[PendingItem]:
        rows = self.store.con.execute(
            "SELECT i.rowid, i.source_rowid, s.url, i.guid, i.url, i.title, i.published, i.attempts, i.seen_at "
            "FROM watch_items i JOIN watch_sources s ON s.rowid = i.source_rowid "
            "WHERE i.status = 'pending' AND i.next_try <= ? ORDER BY i.rowid LIMIT ?",
            (time.time() if now is None else now, limit),
        ).fetchall()
        return [PendingItem(*r) for r in rows]

    def items_done(self, done: list[tuple[PendingItem, str, str, list[str]]]) -> None:
        """(item, status done|duplicate, article id, further URLs of its page) for each, in one transaction."""
        now = time.time()
        with self.store.write() as con:
            for item, status, article_id, urls in done:
                con.execute("UPDATE watch_items SET status = ?, article_id = ?, done_at = ?, attempts = "
                            "attempts + 1, code = '', reason = '' WHERE rowid = ?",
                            (status, article_id, now, item.rowid))
                for u in urls:
                    con.execute("INSERT OR IGNORE INTO watch_urls(url, item_rowid) VALUES (?,?)", (u, item.rowid))

    def item_failed(self, item: PendingItem, err: FetchError, max_attempts: int) -> None:
        """An item's page could not be used: tried again later unless permanent or out of attempts."""
        attempts = item.attempts + 1
        final = err.permanent or attempts >= max_attempts
        with self.store.write() as con:
            con.execute(
                "UPDATE watch_items SET status = ?, attempts = ?, next_try = ?, code = ?, reason = ? "
                "WHERE rowid = ?",
                ("failed" if final else "pending", attempts, time.time() + 60.0 * 2**attempts,
                 err.code, err.reason, item.rowid),
            )
            self._failure(con, item.source_rowid, item.url, "page", err)

    def stored_ids(self, ids: list[str]) -> set[str]:
        out: set[str] = set()
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = ",".join("?" * len(chunk))
            out |= {r[0] for r in self.store.con.execute(f"SELECT id FROM articles WHERE id IN ({q})", chunk)}
        return out

    def url_owner(self, url: str) -> tuple[int, str, str | None] | None:
        """(item rowid, status, article id) of the item a URL is known under."""
        row = self.store.con.execute(
            "SELECT i.rowid, i.status, i.article_id FROM watch_urls u JOIN watch_items i ON i.rowid = u.item_rowid "
            "WHERE u.url = ?", (url,)).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    # -- health --------------------------------------------------------------------------------

    def health(self, failures: int = 3) -> list[dict[str, Any]]:
        """Each source's state: polls, items, the last error and its latest failures (feed and pages)."""
        out = []
        with self.store.read() as con:
            for r in con.execute("SELECT * FROM watch_sources ORDER BY rowid").fetchall():
                d = dict(r)
                d.pop("etag")
                d.pop("last_modified")
                counts = dict(con.execute(
                    "SELECT status, count(*) FROM watch_items WHERE source_rowid = ? GROUP BY status",
                    (r["rowid"],)).fetchall())
                d["item_status"] = counts
                d["recent_failures"] = [dict(f) for f in con.execute(
                    "SELECT what, url, code, reason, at FROM watch_failures WHERE source_rowid = ? "
                    "ORDER BY rowid DESC LIMIT ?", (r["rowid"], failures))]
                d["health"] = _verdict(d)
                out.append(d)
        return out


def _verdict(d: dict[str, Any]) -> str:
    """ok | failing (the feed itself) | degraded (pages failing) | new (not polled yet) | inactive."""
    if not d["active"]:
        return "inactive"
    if d["failures"]:
        return "failing"
    if not d["polls"]:
        return "new"
    return "degraded" if d["item_status"].get("failed") else "ok"
