"""What's new: the watcher's events (``storyline watch``), as a page, as JSON and as Server-Sent Events.

The watcher writes its events to the store's ``watch_events`` outbox; the
server reads the outbox (it needs no connection to the watcher, which may run in
another process or on another day). ``/new`` renders the latest events and
``/static/live.js`` adds new ones as they come from ``/api/events/stream``
(``text/event-stream``: ``id`` is the event's id, so a reconnecting browser
resumes after the last one it saw through ``Last-Event-ID``). Event text comes
from articles and is untrusted: the page escapes it and the script only sets
``textContent``.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse

router = APIRouter()
POLL_S = 1.0  # how often a stream looks for new events
KEEPALIVE_S = 15.0


def _events(store: Any, after: int, limit: int) -> list[dict[str, Any]]:
    try:
        rows = store.con.execute("SELECT doc FROM watch_events WHERE seq > ? ORDER BY seq LIMIT ?",
                                 (after, limit)).fetchall()
    except sqlite3.OperationalError:  # a read-only store from before the watcher's migration
        return []
    return [json.loads(r[0]) for r in rows]


def _latest(store: Any, limit: int) -> list[dict[str, Any]]:
    try:
        rows = store.con.execute("SELECT doc FROM watch_events ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
    except sqlite3.OperationalError:
        return []
    return [json.loads(r[0]) for r in rows]


@router.get("/api/events", tags=["api"])
def list_events(
    request: Request,
    after: Annotated[int, Query(ge=0, description="Events with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> dict[str, Any]:
    """The watcher's events after ``after``, oldest first (``next``: the cursor for the next call)."""
    evs = _events(request.app.state.store, after, limit)
    return {"events": evs, "next": evs[-1]["id"] if evs else after}


@router.get("/api/events/stream", tags=["api"])
async def stream_events(
    request: Request,
    after: Annotated[int | None, Query(ge=0, description="Start after this event id (default: now)")] = None,
) -> StreamingResponse:
    """Server-Sent Events: each new watcher event as it is stored (``event:`` its type, ``data:`` its JSON)."""
    store = request.app.state.store
    last = request.headers.get("last-event-id", "")
    if last.isdigit():
        after = int(last)
    if after is None:
        latest = _latest(store, 1)
        after = latest[0]["id"] if latest else 0

    async def gen():
        cursor = after
        idle = 0.0
        yield f"retry: 3000\n: events after {cursor}\n\n"
        while not await request.is_disconnected():
            evs = _events(store, cursor, 100)
            for ev in evs:
                cursor = ev["id"]
                yield f"id: {cursor}\nevent: {ev['type']}\ndata: {json.dumps(ev, ensure_ascii=False)}\n\n"
            if evs:
                idle = 0.0
                continue
            await asyncio.sleep(POLL_S)
            idle += POLL_S
            if idle >= KEEPALIVE_S:
                idle = 0.0
                yield ": keepalive\n\n"

    return StreamingResponse(gen(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


@router.get("/new", response_class=HTMLResponse, include_in_schema=False)
def whats_new(request: Request) -> HTMLResponse:
    from storyline.serve.web import page

    evs = _latest(request.app.state.store, 100)
    return page("new.html", title="What's new", events=evs, after=evs[0]["id"] if evs else 0,
                describe=describe)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def describe(ev: dict[str, Any]) -> str:
    """One line saying what an event means (plain text: the template escapes it)."""
    d = ev.get("details") or {}
    t = ev.get("type")
    if t == "story.new":
        n, k = d.get("size", 0), len(d.get("outlets") or [])
        return f"new story, {_count(n, 'article')}" + (f" from {_count(k, 'outlet')}" if k else ", outlets unknown")
    if t == "story.grew":
        return f"now {_count(len(d.get('outlets') or []), 'outlet')} (was {d.get('before')})"
    if t == "fact.conflict":
        vals = " / ".join(str(v.get("value")) for v in d.get("values") or [])
        return f"outlets disagree on {d.get('kind')} ({d.get('about')}): {vals}"
    if t == "quote.altered":
        return f"{d.get('outlet')} altered a quote of {d.get('speaker') or 'someone'} ({d.get('kind')})"
    if t == "source.failing":
        return f"{d.get('failures')} failed polls: {d.get('code')} {d.get('reason')}"
    return str(t)
