"""Shared fixtures."""

from __future__ import annotations

import contextlib
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storyline.model import Article


def serve_in_thread(app: Any) -> tuple[str, Any, threading.Thread]:
    """Run the app with uvicorn on a free loopback port; returns (base url, server, thread)."""
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


@contextlib.contextmanager
def served(store: Any, **app_options: Any) -> Iterator[str]:
    """The store's web app served on loopback for the block (its base url); the store is closed after."""
    from storyline.serve import create_app

    url, server, thread = serve_in_thread(create_app(store, **app_options))
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()


# -- a small service store: written here, not taken from any corpus -------------------------

_WIRE = (
    "A magnitude 6.1 earthquake struck the hill town of Drevnik early on Tuesday, officials said.\n"
    "At least 14 people were killed and dozens injured as old stone houses collapsed.\n"
    '"We are still pulling people from the rubble," said regional governor Anna Vell.\n'
    "Rescue teams from three neighbouring provinces arrived by midday.\n"
    "The quake was felt as far away as the coastal city of Merrin."
)
_COPY = (
    "A magnitude 6.1 earthquake struck the hill town of Drevnik early on Tuesday, officials said.\n"
    "At least 14 people were killed and dozens injured as old stone houses collapsed.\n"
    '"We are still pulling people from the rubble," said regional governor Anna Vell.\n'
    "Local schools will stay closed for the rest of the week."
)
_REWRITE = (
    "An earthquake of magnitude 6.1 hit the hill town of Drevnik early on Tuesday, according to officials.\n"
    "At least 12 people died and dozens were hurt when old stone houses fell.\n"
    '"We are still pulling people out of the rubble," governor Anna Vell told reporters.\n'
    "The tremor was felt as far away as the coastal city of Merrin."
)
_RATES_1 = (
    "The central bank raised its main interest rate by a quarter point to 4.5 percent on Thursday.\n"
    "It was the third increase this year as inflation stayed above target.\n"
    '"Price stability comes first," said governor Piet Rask.'
)
_RATES_2 = (
    "The central bank lifted its key rate by 25 basis points to 4.5 percent on Thursday.\n"
    "Inflation has stayed above the bank's target for a year.\n"
    '"Price stability comes first," governor Piet Rask said.'
)
XSS_TITLE = "<script>window.__pwned = 1</script>Breaking <b>news</b>"
XSS_TEXT = (
    '<img src=x onerror="window.__pwned = 2"> A sentence with an image payload.\n'
    '<a href="javascript:window.__pwned = 3">click me</a> and <svg onload="window.__pwned = 4"></svg>.\n'
    "<script>window.__pwned = 5</script> The end."
)
XSS_OUTLET = 'Evil <i>Outlet</i>" onmouseover="window.__pwned=6'
# ids come from sources (paths, URLs, GUIDs): slashes, '?', '&', quotes and markup must survive every URL
XSS_ID2 = 'feeds/evil.rss#<b>2</b>?a=1&b="2" onclick="window.__pwned=12'

SERVICE_ARTICLES = [
    Article(
        id="quake-wire",
        title="Deadly quake hits Drevnik",
        outlet="Wirepress",
        text=_WIRE,
        url="https://wire.example/quake",
        published="2025-03-04T07:00:00Z",
    ),
    Article(
        id="quake-copy",
        title="Quake kills 14 in Drevnik",
        outlet="Northgate",
        text=_COPY,
        url="https://northgate.example/quake",
        published="2025-03-04T08:30:00Z",
    ),
    Article(
        id="quake-rewrite",
        title="Earthquake in Drevnik: 12 dead",
        outlet="Pinecrest",
        text=_REWRITE,
        url="https://pinecrest.example/q",
        published="2025-03-04T09:15:00Z",
    ),
    Article(
        id="rates-1",
        title="Central bank raises rates to 4.5%",
        outlet="Wirepress",
        text=_RATES_1,
        published="2025-03-06T12:00:00Z",
    ),
    Article(
        id="rates-2",
        title="Bank lifts key rate again",
        outlet="Pinecrest",
        text=_RATES_2,
        published="2025-03-06T13:00:00Z",
    ),
    Article(
        id="xss-1",
        title=XSS_TITLE,
        outlet=XSS_OUTLET,
        text=XSS_TEXT,
        url="javascript:window.__pwned=7",
        published="2025-03-05T10:00:00Z",
    ),
    Article(
        id=XSS_ID2,
        title="A plain follow-up",
        outlet="Northgate",
        text="A sentence with an image payload.\nSomething else entirely happened here today.",
        published="2025-03-05T11:00:00Z",
    ),
]

QUAKE_DIGEST: dict[str, Any] = {
    "summary": [
        {
            "text": "A magnitude 6.1 earthquake struck Drevnik early on Tuesday.",
            "outlets": ["Wirepress", "Northgate", "Pinecrest"],
        },
        {
            "text": "Rescue teams from three neighbouring provinces arrived by midday.",
            "outlets": ["Wirepress"],
        },
    ],
    "quotes": [
        {
            "speaker": "Anna Vell",
            "altered": True,
            "outlets": ["Wirepress", "Northgate", "Pinecrest"],
            "variants": [
                {
                    "text": "We are still pulling people from the rubble",
                    "outlets": ["Wirepress", "Northgate"],
                },
                {"text": "We are still pulling people out of the rubble", "outlets": ["Pinecrest"]},
            ],
        },
    ],
    "facts": [
        {
            "kind": "deaths",
            "status": "conflict",
            "values": [
                {"value": "14", "normalised": 14, "outlets": ["Wirepress", "Northgate"]},
                {"value": "12", "normalised": 12, "outlets": ["Pinecrest"]},
            ],
        },
        {
            "kind": "magnitude",
            "status": "agree",
            "values": [
                {"value": "6.1", "normalised": 6.1, "outlets": ["Wirepress", "Northgate", "Pinecrest"]},
            ],
        },
    ],
    "only_in": {"Northgate": {"sentences": ["Local schools will stay closed for the rest of the week."]}},
}
QUAKE_PROVENANCE: dict[str, Any] = {
    "original": "quake-wire",
    "articles": [
        {
            "article_id": "quake-wire",
            "grade": "original",
            "reused_share": 0.0,
            "own_share": 1.0,
            "parent": None,
            "confidence": 0.9,
            "evidence": [],
        },
        {
            "article_id": "quake-copy",
            "grade": "verbatim",
            "reused_share": 0.75,
            "own_share": 0.25,
            "parent": "quake-wire",
            "confidence": 0.95,
            "evidence": ["3 identical sentences"],
        },
        {
            "article_id": "quake-rewrite",
            "grade": "light-rewrite",
            "reused_share": 0.8,
            "own_share": 0.2,
            "parent": "quake-wire",
            "confidence": 0.8,
            "evidence": [],
        },
    ],
    "edges": [
        {"source": "quake-wire", "target": "quake-copy", "grade": "verbatim", "confidence": 0.95},
        {"source": "quake-wire", "target": "quake-rewrite", "grade": "light-rewrite", "confidence": 0.8},
    ],
    "alignments": [
        {
            "a": "quake-copy",
            "b": "quake-wire",
            "links": [
                {"a": [0], "b": [0], "kind": "verbatim", "score": 1.0},
                {"a": [1], "b": [1], "kind": "verbatim", "score": 1.0},
                {"a": [2], "b": [2], "kind": "verbatim", "score": 1.0},
            ],
        },
        {
            "a": "quake-rewrite",
            "b": "quake-wire",
            "links": [
                {"a": [0], "b": [0], "kind": "edited", "score": 0.8},
                {"a": [1], "b": [1], "kind": "paraphrase", "score": 0.7},
                {"a": [2], "b": [2], "kind": "edited", "score": 0.85},
                {"a": [3], "b": [4], "kind": "edited", "score": 0.8},
            ],
        },
    ],
}


def build_service_store(path: Path) -> Any:
    """A store with three stories (one with digest and provenance, one hostile) written by hand."""
    from storyline.store import Store

    store = Store(path)
    store.add_articles([Article.from_json(a.to_json()) for a in SERVICE_ARTICLES])
    store.put_story(
        {
            "story_id": "quake-drevnik",
            "title": "Deadly earthquake in Drevnik",
            "article_ids": ["quake-wire", "quake-copy", "quake-rewrite"],
        },
        provenance=QUAKE_PROVENANCE,
        digest=QUAKE_DIGEST,
    )
    store.put_story(
        {
            "story_id": "rates-march",
            "title": "Central bank raises rates",
            "article_ids": ["rates-1", "rates-2"],
        }
    )
    store.put_story(
        {"story_id": "xss-story", "title": XSS_TITLE, "article_ids": ["xss-1", XSS_ID2]},
        digest={
            "summary": [{"text": XSS_TEXT, "outlets": [XSS_OUTLET]}],
            "quotes": [
                {
                    "speaker": XSS_TITLE,
                    "variants": [{"text": XSS_TEXT, "outlets": [XSS_OUTLET]}],
                    "outlets": [XSS_OUTLET],
                    "altered": False,
                }
            ],
            "facts": [
                {
                    "kind": "<img src=x onerror=window.__pwned=8>",
                    "values": [{"value": "<script>window.__pwned=9</script>", "outlets": [XSS_OUTLET]}],
                }
            ],
            "only_in": {XSS_OUTLET: {"<b>k</b>": "<img src=x onerror=window.__pwned=10>"}},
        },
        provenance={
            "original": "xss-1",
            "articles": [{"article_id": XSS_ID2, "grade": "<script>x</script>", "parent": "xss-1"}],
            "edges": [
                {"source": "xss-1", "target": XSS_ID2, "grade": '"><script>window.__pwned=11</script>'}
            ],
        },
    )
    return store


@pytest.fixture
def service_store(tmp_path: Path) -> Any:
    store = build_service_store(tmp_path / "service.db")
    yield store
    store.close()


# The browser tests drive Debian's Chromium through Playwright (no browser download).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
BROWSER_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium, launched with a fresh temporary profile; skips without Playwright or Chromium."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed: pip install playwright")
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed: apt-get install chromium")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


@pytest.fixture
def store(tmp_path: Path):
    """An empty store in a temporary folder, closed afterwards."""
    from storyline.store import Store

    s = Store(tmp_path / "s.db")
    yield s
    s.close()
