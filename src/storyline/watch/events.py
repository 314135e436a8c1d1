"""Events: what changed in the stories since the watcher last looked, and where it is told.

After each poll's articles are stored and settled, every story holding an
article not announced yet is compared with what was announced of it before
(``watch_members``: the story each article was last announced in;
``watch_stories``: that story's outlet count, fact conflicts and altered quotes):

``story.new``       a story none of whose articles was stored before
``story.grew``      a story's outlets crossed 2, 5, 10 or 25
``fact.conflict``   a disagreement (``facts[].status == "conflict"``) not in the story before
``quote.altered``   a quote alteration (reworded, misattributed, cut) by an outlet not flagged before
``source.failing``  a source failed ``failing_after`` polls in a row

Each event is a JSON object (``id``, ``type``, ``at``, ``story_id``, ``title``,
``details``) written to the store's ``watch_events`` outbox in the same
transaction as the announced state, so a kill neither loses nor repeats one.
Sinks read the outbox from their own cursor (at least once: a consumer dedupes
on ``id``): :class:`FileSink` appends JSON lines, :class:`WebhookSink` POSTs
each event from a thread of its own (signed, retried, never holding up
ingestion), and ``storyline serve`` streams them as Server-Sent Events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from storyline.store.db import Store

log = logging.getLogger(__name__)
THRESHOLDS = (2, 5, 10, 25)
SIGNATURE_HEADER = "X-Storyline-Signature"


def now_ms() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _digest_keys(digest: Any) -> tuple[dict[str, dict], dict[str, dict]]:
    """(conflicts, alterations) of a digest, keyed so that the same one in a later digest has the same key."""
    conflicts: dict[str, dict] = {}
    altered: dict[str, dict] = {}
    if not isinstance(digest, dict):
        return conflicts, altered
    for f in digest.get("facts") or []:
        if isinstance(f, dict) and f.get("status") == "conflict":
            key = f"{f.get('kind')}|{f.get('about')}"
            conflicts[key] = {
                "kind": f.get("kind"), "about": f.get("about"),
                "values": [{"value": v.get("value"), "outlets": v.get("outlets", [])}
                           for v in f.get("values") or [] if isinstance(v, dict)],
            }
    for q in digest.get("quotes") or []:
        if not isinstance(q, dict) or not q.get("altered"):
            continue
        for a in q.get("alterations") or []:
            if not isinstance(a, dict):
                continue
            for outlet in a.get("outlets") or []:
                key = f"{q.get('speaker') or ''}|{a.get('kind')}|{outlet}|{(q.get('text') or '')[:60]}"
                altered[key] = {"speaker": q.get("speaker"), "kind": a.get("kind"), "outlet": outlet,
                                "quote": q.get("text"), "detail": a.get("detail")}
    return conflicts, altered


def remember(store: Store, story_ids: Iterable[str]) -> None:
    """Keep the announced state of stories about to change that the watcher never announced (before settling)."""
    with store.write() as con:
        for sid in set(story_ids):
            if con.execute("SELECT 1 FROM watch_stories WHERE story_id = ?", (sid,)).fetchone():
                continue
            row = con.execute(
                "SELECT s.rowid, s.outlets, d.doc FROM stories s LEFT JOIN digests d ON d.story_rowid = s.rowid "
                "WHERE s.story_id = ?", (sid,)).fetchone()
            if row is None or row[2] is None:
                continue
            conflicts, altered = _digest_keys(json.loads(row[2]))
            con.execute("INSERT INTO watch_stories(story_id, outlets, conflicts, altered) VALUES (?,?,?,?)",
                        (sid, len(json.loads(row[1])), json.dumps(sorted(conflicts)), json.dumps(sorted(altered))))


def _insert(con: Any, etype: str, story_id: str | None, title: str, details: dict[str, Any]) -> dict[str, Any]:
    ev = {"type": etype, "at": now_ms(), "story_id": story_id, "title": title, "details": details}
    seq = con.execute("INSERT INTO watch_events(type, at, story_id, doc) VALUES (?,?,?,?)",
                      (etype, ev["at"], story_id, "{}")).lastrowid
    ev = {"id": seq, **ev}
    con.execute("UPDATE watch_events SET doc = ? WHERE seq = ?", (json.dumps(ev, ensure_ascii=False), seq))
    return ev


def source_failing(store: Store, url: str, failures: int, code: str, reason: str) -> dict[str, Any]:
    with store.write() as con:
        return _insert(con, "source.failing", None, url,
                       {"source": url, "failures": failures, "code": code, "reason": reason})


def announce(store: Store, fresh: Iterable[str]) -> list[dict[str, Any]]:
    """Events for the stories of the articles in ``fresh`` (stored, not announced yet); records them as announced."""
    fresh = set(fresh)
    if not fresh:
        return []
    events: list[dict[str, Any]] = []
    with store.write() as con:
        by_story: dict[int, list[str]] = {}
        ids = sorted(fresh)
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            q = ",".join("?" * len(chunk))
            for aid, srow in con.execute(f"SELECT id, story_rowid FROM articles WHERE id IN ({q})", chunk):
                if srow is not None:
                    by_story.setdefault(srow, []).append(aid)
        for srow in sorted(by_story):
            s = con.execute("SELECT story_id, title, outlets FROM stories WHERE rowid = ?", (srow,)).fetchone()
            sid, title, outlets = s[0], s[1], json.loads(s[2])
            members = con.execute("SELECT id, outlet, url, title FROM articles WHERE story_rowid = ?",
                                  (srow,)).fetchall()
            old = [m for m in members if m[0] not in fresh]
            new = [m for m in members if m[0] in fresh]
            old_outlets = len({m[1] for m in old if m[1]})
            dig = con.execute("SELECT doc FROM digests WHERE story_rowid = ?", (srow,)).fetchone()
            conflicts, altered = _digest_keys(json.loads(dig[0]) if dig else None)
            prev = {r[0] for m in old for r in con.execute(
                "SELECT story_id FROM watch_members WHERE article_id = ?", (m[0],))}
            prev.add(sid)
            seen_conflicts: set[str] = set()
            seen_altered: set[str] = set()
            for p in prev:
                r = con.execute("SELECT conflicts, altered FROM watch_stories WHERE story_id = ?", (p,)).fetchone()
                if r:
                    seen_conflicts |= set(json.loads(r[0]))
                    seen_altered |= set(json.loads(r[1]))
            added = [{"id": m[0], "outlet": m[1], "url": m[2], "title": m[3]} for m in sorted(new, key=lambda m: m[0])]
            base = {"size": len(members), "outlets": outlets}
            if not old:
                events.append(_insert(con, "story.new", sid, title, {**base, "articles": added}))
            for t in THRESHOLDS:
                if old and old_outlets < t <= len(outlets):
                    events.append(_insert(con, "story.grew", sid, title,
                                          {**base, "crossed": t, "before": old_outlets, "articles": added}))
            for key in sorted(set(conflicts) - seen_conflicts):
                events.append(_insert(con, "fact.conflict", sid, title, conflicts[key]))
            for key in sorted(set(altered) - seen_altered):
                events.append(_insert(con, "quote.altered", sid, title, altered[key]))
            con.execute("INSERT OR REPLACE INTO watch_stories(story_id, outlets, conflicts, altered) "
                        "VALUES (?,?,?,?)", (sid, len(outlets), json.dumps(sorted(set(conflicts) | seen_conflicts)),
                                             json.dumps(sorted(set(altered) | seen_altered))))
            con.executemany("INSERT OR REPLACE INTO watch_members(article_id, story_id) VALUES (?,?)",
                            [(m[0], sid) for m in members])
    return events


def pending_announcements(store: Store) -> list[str]:
    """Articles the watcher stored and has not announced (a kill between storing and announcing)."""
    return [r[0] for r in store.con.execute(
        "SELECT i.article_id FROM watch_items i WHERE i.status = 'done' AND i.article_id IS NOT NULL "
        "AND NOT EXISTS (SELECT 1 FROM watch_members m WHERE m.article_id = i.article_id)")]


# -- sinks -------------------------------------------------------------------------------------------


def _cursor(store: Store, key: str) -> int:
    return int(store.get_setting(key, "0") or 0)


def _start_cursor(store: Store, key: str) -> int:
    """A new sink starts at the end of the outbox: it hears what happens from now on."""
    cur = store.get_setting(key)
    if cur is None:
        last = store.con.execute("SELECT coalesce(max(seq), 0) FROM watch_events").fetchone()[0]
        store.set_setting(key, str(last))
        return last
    return int(cur)


class FileSink:
    """Appends each event as one JSON line to ``path`` (created if missing)."""

    def __init__(self, store: Store, path: str | Path) -> None:
        self.store, self.path = store, Path(path)
        self.key = f"watch.cursor.file:{os.path.abspath(self.path)}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        _start_cursor(store, self.key)

    def deliver(self) -> int:
        cur = _cursor(self.store, self.key)
        n = 0
        while True:
            evs = [e for e in _outbox(self.store, cur)]
            if not evs:
                return n
            with self.path.open("a", encoding="utf-8") as f:
                for e in evs:
                    f.write(json.dumps(e, ensure_ascii=False) + "\n")
                f.flush()
                os.fsync(f.fileno())
            cur = evs[-1]["id"]
            self.store.set_setting(self.key, str(cur))
            n += len(evs)

    def close(self) -> None:
        self.deliver()


def prune_outbox(store: Store, keep_days: float, now: datetime | None = None) -> int:
    """Drop outbox events older than ``keep_days`` that every sink has read; returns how many.

    An event a sink has not delivered yet (its cursor is below it) is kept whatever its age, so
    pruning never loses a delivery; ``storyline serve``'s live stream replays only what is kept.
    ``keep_days`` of 0 or less keeps everything.
    """
    if keep_days is None or keep_days <= 0:
        return 0
    cutoff = ((now or datetime.now(timezone.utc)) - timedelta(days=keep_days)).isoformat(timespec="milliseconds")
    cursors = [int(v or 0) for (v,) in store.con.execute(
        "SELECT value FROM settings WHERE key LIKE 'watch.cursor.%'")]
    read = min(cursors) if cursors else None
    with store.write() as con:
        if read is None:
            n = con.execute("DELETE FROM watch_events WHERE at < ?", (cutoff,)).rowcount
        else:
            n = con.execute("DELETE FROM watch_events WHERE at < ? AND seq <= ?", (cutoff, read)).rowcount
    return int(n or 0)


def _outbox(store: Store, after: int, limit: int = 500) -> list[dict[str, Any]]:
    rows = store.con.execute("SELECT doc FROM watch_events WHERE seq > ? ORDER BY seq LIMIT ?",
                             (after, limit)).fetchall()
    return [json.loads(r[0]) for r in rows]


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the HMAC-SHA256 of the body, in hex."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class WebhookSink:
    """POSTs each event to ``url`` from a background thread, signed with HMAC-SHA256 (header ``X-Storyline-Signature``).

    A failed delivery is retried with backoff (``attempts`` in all), then given up
    and logged; the cursor then moves on, so one bad event never stalls the rest
    and a slow receiver never stalls ingestion.
    """

    def __init__(self, store: Store, url: str, secret: str, *, attempts: int = 5, backoff: float = 1.0,
                 timeout: float = 10.0, proxy: str | None = None) -> None:
        import httpx

        self.store, self.url, self.secret = store, url, secret
        self.attempts, self.backoff = attempts, backoff
        self.key = f"watch.cursor.webhook:{url}"
        self.http = httpx.Client(timeout=timeout, proxy=proxy, trust_env=False,
                                 headers={"Content-Type": "application/json"})
        self.delivered = self.failed = 0
        _start_cursor(store, self.key)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="storyline-webhook", daemon=True)
        self._thread.start()

    def deliver(self) -> int:
        """Wake the sender (returns at once)."""
        self._wake.set()
        return 0

    def close(self, timeout: float = 10.0) -> None:
        """Send what is waiting (for up to ``timeout`` seconds), then stop."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)
        self.http.close()

    def _loop(self) -> None:
        while True:
            self._wake.wait(1.0)
            self._wake.clear()
            try:
                self._send_waiting()
            except Exception:  # keep the thread alive: the next wake tries again
                log.exception("webhook delivery failed")
            if self._stop.is_set():
                return

    def _send_waiting(self) -> None:
        cur = _cursor(self.store, self.key)
        for ev in _outbox(self.store, cur):
            self._send(ev)
            self.store.set_setting(self.key, str(ev["id"]))

    def _send(self, ev: dict[str, Any]) -> None:
        body = json.dumps(ev, ensure_ascii=False).encode("utf-8")
        headers = {SIGNATURE_HEADER: sign(self.secret, body), "X-Storyline-Event": ev["type"],
                   "X-Storyline-Delivery": str(ev["id"])}
        for attempt in range(self.attempts):
            try:
                r = self.http.post(self.url, content=body, headers=headers)
                if r.status_code < 300:
                    self.delivered += 1
                    return
                why = f"HTTP {r.status_code}"
            except Exception as exc:  # any transport failure is retried
                why = f"{type(exc).__name__}: {exc}"
            stopping = attempt + 1 < self.attempts and self._stop.wait(min(self.backoff * 2**attempt, 60.0))
            if stopping and attempt >= 1:
                break  # stopping: do not hold the exit up for long
        self.failed += 1
        log.warning("webhook: gave up on event %s (%s) after %d attempts: %s", ev["id"], ev["type"],
                    self.attempts, why)
