"""``storyline watch``: a real HTTP server on 127.0.0.1 serving feeds and pages that change between polls.

The demo: the sample corpus (examples/) served as one feed per outlet through a
loopback proxy (the outlets' own ``.example`` host names, so per-host limits
and robots.txt apply per outlet), beside feeds that fail in every way a feed
fails.
"""

from __future__ import annotations

import html
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from storyline.ingest import read_inputs
from storyline.model import Article
from storyline.store import Store
from storyline.watch import (
    ClientConfig,
    FetchError,
    FileSink,
    PoliteClient,
    WatchConfig,
    Watcher,
    WebhookSink,
    canonical_url,
    parse_feed,
    read_sources,
    sign,
)
from storyline.watch.loopback import LoopbackServer, Route, rss

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FAST = {"timeout": 0.5, "retries": 1, "backoff": 0.05, "host_rate": 500.0, "max_bytes": 2_000_000}


# -- the sample corpus as pages and feeds ---------------------------------------------------------


def _page(a: Article) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in a.text.split("\n") if p.strip())
    meta = ""
    if a.published:
        meta += f'<meta property="article:published_time" content="{html.escape(a.published)}">'
    if a.author:
        meta += f'<meta name="author" content="{html.escape(a.author)}">'
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(a.title)}</title>"
            f"<meta property='og:site_name' content='{html.escape(a.outlet)}'>{meta}</head><body>"
            f"<nav><a href='/'>Home</a></nav><article><h1>{html.escape(a.title)}</h1>{paras}</article>"
            f"<footer>All rights reserved.</footer></body></html>").encode()


def corpus_pages() -> list[dict]:
    """Every sample article as a page on its outlet's host: url, body, published, story order."""
    out = []
    for a in read_inputs([EXAMPLES]):
        if not isinstance(a, Article):
            continue
        url = (a.url or "http://unknown.example/chess-junior-champion").replace("https://", "http://")
        src = Path(a.source.split("#")[0])
        body = src.read_bytes() if src.suffix == ".html" else _page(a)
        out.append({"url": canonical_url(url), "body": body, "published": a.published or "2025-09-01"})
    return sorted(out, key=lambda p: (p["published"], p["url"]))


def host(url: str) -> str:
    return url.split("/")[2]


def serve_feeds(srv: LoopbackServer, pages: list[dict], extra: dict[str, list[dict]] | None = None) -> list[str]:
    """One RSS feed per outlet host listing its pages (and ``extra`` items); returns the feed URLs."""
    feeds: dict[str, list[dict]] = {}
    for p in pages:
        srv.routes[p["url"]] = Route(p["body"])
        feeds.setdefault(host(p["url"]), []).append({"title": "", "link": p["url"], "guid": p["url"] + "#g"})
    for h, items in (extra or {}).items():
        feeds.setdefault(h, []).extend(items)
    for h, items in feeds.items():
        srv.routes[f"http://{h}/feed.xml"] = Route(rss(items, h), "application/rss+xml")
    return sorted(f"http://{h}/feed.xml" for h in feeds)


#: the MiniLM stage on (as `storyline watch` runs by default) or off (the lexical fallback)
EMBED = os.environ.get("STORYLINE_TEST_WATCH_EMBED", "1") == "1"
HOLD_OUT = "sarrow"  # a whole story that appears only in the second poll


def split(pages: list[dict]) -> tuple[list[dict], list[dict]]:
    """The first poll's pages (the older ones, without the held-out story) and the second poll's."""
    early = [p for p in pages if HOLD_OUT not in p["url"] and "merrin" not in p["url"]]
    first = early[:22]
    return first, [p for p in pages if p not in first]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("watch")
    pages = corpus_pages()
    first, second = split(pages)
    with LoopbackServer() as srv:
        bad = {
            "http://bad.example/500.xml": Route(b"oops", "text/plain", status=500),
            "http://bad.example/slow.xml": Route(rss([]), "application/rss+xml", delay=2.0),
            "http://bad.example/malformed.xml": Route(b"<rss><channel><item><title>cut off", "application/rss+xml"),
            "http://bad.example/loop.xml": Route(location="http://bad.example/loop.xml", status=302),
            "http://extras.example/robots.txt": Route(b"User-agent: *\nDisallow: /private/\n", "text/plain"),
            "http://extras.example/huge.html": Route(size=50_000_000),
            "http://extras.example/report.pdf": Route(b"%PDF-1.4 ...", "application/pdf"),
            "http://extras.example/private/secret.html": Route(_page(Article(id="x", text="Secret text.", title="S"))),
        }
        srv.routes.update(bad)
        extras = {"extras.example": [{"title": t, "link": f"http://extras.example/{p}"}
                                     for t, p in (("Huge", "huge.html"), ("Report", "report.pdf"),
                                                  ("Private", "private/secret.html"))]}
        feeds = serve_feeds(srv, first, extras)
        bad_feeds = [u for u in bad if u.endswith(".xml")]
        sources = tmp / "sources.txt"
        sources.write_text("# the sample corpus\n" + "\n".join(feeds + bad_feeds) + "\n")
        events = tmp / "events.jsonl"
        db = tmp / "store.db"
        client = ClientConfig(proxy=srv.base, **FAST)
        with Store(db) as store:
            w = Watcher(store, read_sources(sources), config=WatchConfig(failing_after=1, embed=EMBED), client=client,
                        sinks=[FileSink(store, events)])
            r1 = w.poll(all_sources=True)
            hits1 = dict(srv.hits)
            ev1 = [json.loads(x) for x in events.read_text().splitlines()]
            stored1 = {a.id for a in store.all_articles()}
            # the feeds gain items, repeat the old ones reordered, and republish one under a new GUID and a
            # tracking parameter; one old page changes GUID only
            h = host(first[0]["url"])
            again = [{"title": "again", "link": first[0]["url"] + "?utm_source=x", "guid": "new-guid-1"},
                     {"title": "again", "link": first[0]["url"], "guid": "new-guid-2"},
                     {"title": "amp", "link": first[1]["url"] + "/amp", "guid": "new-guid-3"}]
            srv.routes[first[1]["url"] + "/amp"] = Route(first[1]["body"])  # the same page at another URL
            feeds2 = serve_feeds(srv, list(reversed(first)) + second, {**extras, h: again})
            assert feeds2 == feeds
            r2 = w.poll(all_sources=True)
            ev2 = [json.loads(x) for x in events.read_text().splitlines()][len(ev1):]
            health = w.state.health()
            w.close()
            yield {"pages": pages, "first": first, "second": second, "r1": r1, "r2": r2, "ev1": ev1,
                   "ev2": ev2, "stored1": stored1, "hits1": hits1, "hits": dict(srv.hits), "db": db,
                   "health": {x["url"]: x for x in health}, "memberships": store.memberships(),
                   "articles": store.all_articles(), "tmp": tmp, "agents": set(srv.agents)}


@pytest.mark.slow
def test_first_poll_stores_the_feeds_articles(demo):
    assert demo["stored1"] == {p["url"] for p in demo["first"]}
    assert demo["r1"].articles == len(demo["first"])
    assert {e["type"] for e in demo["ev1"]} >= {"story.new", "source.failing"}


@pytest.mark.slow
def test_second_poll_stores_only_the_new_items_and_announces(demo):
    ids = [a.id for a in demo["articles"]]
    assert len(ids) == len(set(ids)) == len(demo["pages"])
    assert set(ids) == {p["url"] for p in demo["pages"]}
    assert demo["r2"].articles == len(demo["second"])
    assert demo["r2"].duplicates == 1  # the same text under a new GUID and a new URL: fetched, not stored
    types = [e["type"] for e in demo["ev2"]]
    assert "story.new" in types and "story.grew" in types
    new = [e for e in demo["ev2"] if e["type"] == "story.new"]
    assert any(HOLD_OUT in a["id"] for e in new for a in e["details"]["articles"])
    grew = [e for e in demo["ev2"] if e["type"] == "story.grew"]
    assert all(e["details"]["before"] < e["details"]["crossed"] <= len(e["details"]["outlets"]) for e in grew)
    # nothing announced twice: every story.new is about articles first seen in that poll
    assert not {a["id"] for e in new for a in e["details"]["articles"]} & demo["stored1"]
    for e in demo["ev1"] + demo["ev2"]:
        assert {"id", "type", "at", "story_id", "details"} <= set(e)
    ids = [e["id"] for e in demo["ev1"] + demo["ev2"]]
    assert ids == sorted(set(ids))


@pytest.mark.slow
def test_fact_conflicts_and_altered_quotes_are_announced(demo):
    evs = demo["ev1"] + demo["ev2"]
    truce = [e for e in evs if e["type"] == "fact.conflict" and e["details"]["kind"] == "duration"]
    assert truce and {v["value"] for v in truce[0]["details"]["values"]} >= {"30-hour", "one-day"}
    altered = [e for e in evs if e["type"] == "quote.altered"]
    assert altered and all(e["details"]["outlet"] and e["details"]["kind"] for e in altered)
    keys = [(e["story_id"], json.dumps(e["details"], sort_keys=True)) for e in evs if e["type"] != "story.grew"]
    assert len(keys) == len(set(keys))  # nothing announced twice


@pytest.mark.slow
def test_each_page_is_fetched_once_and_unchanged_feeds_answer_304(demo):
    for p in demo["pages"]:
        assert demo["hits"][p["url"]] == 1, p["url"]
    assert any("storyline-watch/" in a for a in demo["agents"])


@pytest.mark.slow
def test_failures_are_reported_with_their_reasons_and_do_not_stop_the_rest(demo):
    h = demo["health"]
    assert h["http://bad.example/500.xml"]["last_code"] == "E711"
    assert "500" in h["http://bad.example/500.xml"]["last_error"]
    assert h["http://bad.example/slow.xml"]["last_code"] == "E712"
    assert h["http://bad.example/malformed.xml"]["last_code"] == "E716"
    assert h["http://bad.example/loop.xml"]["last_code"] == "E713"
    for u in ("500", "slow", "malformed", "loop"):
        assert h[f"http://bad.example/{u}.xml"]["health"] == "failing"
    pages = {f["url"]: f for f in h["http://extras.example/feed.xml"]["recent_failures"]}
    assert pages["http://extras.example/huge.html"]["code"] == "E714"
    assert pages["http://extras.example/report.pdf"]["code"] == "E715"
    assert pages["http://extras.example/private/secret.html"]["code"] == "E710"
    assert h["http://extras.example/feed.xml"]["health"] == "degraded"
    assert demo["hits"].get("http://extras.example/private/secret.html", 0) == 0  # robots.txt honoured
    # permanent page failures are not fetched again on the second poll
    assert demo["hits"]["http://extras.example/report.pdf"] == demo["hits1"]["http://extras.example/report.pdf"]
    ok = [u for u, x in h.items() if "bad.example" not in u and "extras" not in u]
    assert ok and all(h[u]["health"] == "ok" and h[u]["polls"] == 2 for u in ok)


@pytest.mark.slow
def test_the_watchers_stories_equal_a_batch_run_over_the_same_pages(demo):
    import storyline

    folder = demo["tmp"] / "pages"
    folder.mkdir()
    for n, p in enumerate(demo["pages"]):
        (folder / f"{n:03d}.html").write_bytes(p["body"])
        (folder / f"{n:03d}.json").write_text(json.dumps({"url": p["url"]}))
    result = storyline.run([folder], out=None, extras=False, semantic=None if EMBED else False)
    url_of = {a.id: a.url for a in result.articles}
    batch = sorted(sorted(url_of[i] for i in s.article_ids) for s in result.stories)
    watched = sorted(sorted(ids) for ids in demo["memberships"].values())
    assert watched == batch
    assert len(watched) >= 7


@pytest.mark.slow
def test_sources_command_lists_health(demo):
    from typer.testing import CliRunner

    from storyline.cli import app

    r = CliRunner().invoke(app, ["sources", str(demo["db"]), "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.output.splitlines()]
    assert {x["health"] for x in rows} >= {"ok", "failing", "degraded"}
    r = CliRunner().invoke(app, ["sources", str(demo["db"])])
    assert r.exit_code == 0 and "failing" in r.output


# -- units -------------------------------------------------------------------------------------------


def test_canonical_urls_and_sources_files(tmp_path):
    assert canonical_url("HTTP://Example.COM:80/a?utm_source=x&b=2&a=1#top") == "http://example.com/a?a=1&b=2"
    assert canonical_url("https://example.com") == "https://example.com/"
    assert canonical_url("/x", "http://h.example/feed") == "http://h.example/x"
    (tmp_path / "s.txt").write_text("# feeds\nhttp://a.example/rss  # first\n\nhttp://a.example/rss\n")
    assert read_sources(tmp_path / "s.txt") == ["http://a.example/rss"]
    (tmp_path / "s.opml").write_text('<?xml version="1.0"?><opml><body><outline text="x">'
                                     '<outline xmlUrl="http://b.example/atom"/></outline></body></opml>')
    assert read_sources(tmp_path / "s.opml") == ["http://b.example/atom"]
    (tmp_path / "bad.txt").write_text("ftp://nope\n")
    with pytest.raises(Exception, match="E703"):
        read_sources(tmp_path / "bad.txt")


def test_news_sitemaps_and_atom_are_read():
    sm = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
          b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>http://n.example/a</loc>'
          b"<news:news><news:publication_date>2026-01-02T10:00:00Z</news:publication_date>"
          b"<news:title>A</news:title></news:news></url></urlset>")
    f = parse_feed(sm, "http://n.example/sitemap.xml")
    assert f.kind == "sitemap" and f.items[0].url == "http://n.example/a" and f.items[0].title == "A"
    assert f.items[0].published.startswith("2026-01-02")
    atom = (EXAMPLES / "feeds" / "eastfield-observer.atom").read_bytes()
    f = parse_feed(atom, "https://eastfieldobserver.example/feed")
    assert f.kind == "atom" and len(f.items) == 3 and all(i.guid.startswith("tag:") for i in f.items)


def test_client_retries_5xx_and_honours_conditional_requests():
    with LoopbackServer() as srv:
        srv.routes["/flaky"] = Route(b"no", "text/plain", status=503, headers={"Retry-After": "0"})
        c = PoliteClient(ClientConfig(**FAST))
        with pytest.raises(FetchError) as e:
            c.get(srv.url("/flaky"))
        assert e.value.code == "E711" and srv.hits["/flaky"] == 2  # tried, retried once
        srv.routes["/feed"] = Route(rss([{"link": "http://x.example/1"}]), "application/rss+xml")
        r = c.get(srv.url("/feed"))
        assert r.status == 200 and r.etag
        assert c.get(srv.url("/feed"), etag=r.etag).not_modified
        srv.routes["/gone"] = Route(b"", status=404)
        with pytest.raises(FetchError) as e:
            c.get(srv.url("/gone"))
        assert e.value.permanent and srv.hits["/gone"] == 1
        c.close()


def test_client_caps_concurrency_and_rate_per_host():
    with LoopbackServer() as srv:
        for i in range(8):
            srv.routes[f"/p{i}"] = Route(b"<p>x</p>", delay=0.1)
        c = PoliteClient(ClientConfig(host_concurrency=2, host_rate=20.0, robots=False))
        t0 = time.perf_counter()
        threads = [threading.Thread(target=c.get, args=(srv.url(f"/p{i}"),)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert srv.max_active <= 2
        assert time.perf_counter() - t0 >= 0.35  # 8 requests at 20/s: 7 gaps of 50 ms at least
        c.close()


def test_a_stream_without_length_is_cut_at_the_cap():
    with LoopbackServer() as srv:
        srv.routes["/big"] = Route(size=5_000_000)
        c = PoliteClient(ClientConfig(max_bytes=100_000, robots=False))
        with pytest.raises(FetchError) as e:
            c.get(srv.url("/big"))
        assert e.value.code == "E714"
        c.close()


# -- webhook -------------------------------------------------------------------------------------------


def test_webhook_is_signed_retried_and_does_not_block(tmp_path, monkeypatch):
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    got: list[tuple[bytes, str]] = []
    calls = {"n": 0}

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            calls["n"] += 1
            if calls["n"] == 1:  # the first delivery fails: it must be retried
                self.send_response(503)
            else:
                got.append((body, self.headers["X-Storyline-Signature"]))
                self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

    hook = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    from storyline.watch import events

    with Store(tmp_path / "s.db") as store:
        sink = WebhookSink(store, f"http://127.0.0.1:{hook.server_address[1]}/hook", "s3cret", backoff=0.05)
        t0 = time.perf_counter()
        events.source_failing(store, "http://a.example/feed", 3, "E711", "HTTP 500")
        sink.deliver()
        assert time.perf_counter() - t0 < 0.5  # delivery happens in the sink's thread
        deadline = time.time() + 10
        while not got and time.time() < deadline:
            time.sleep(0.05)
        sink.close()
    hook.shutdown()
    assert len(got) == 1
    body, sig = got[0]
    assert sig == sign("s3cret", body) and json.loads(body)["type"] == "source.failing"


# -- kill -9 -------------------------------------------------------------------------------------------


def _watch_process(tmp_path: Path, srv: LoopbackServer, pages: list[dict], *extra: str, delay: float = 0.3):
    """A `storyline watch` process over ``pages`` (each answered after ``delay`` s); returns (cmd, env, proc, db)."""
    feeds = serve_feeds(srv, pages)
    for p in pages:
        srv.routes[p["url"]].delay = delay
    (tmp_path / "s.txt").write_text("\n".join(feeds))
    db = tmp_path / "s.db"
    cmd = [sys.executable, "-m", "storyline.watch", "watch", str(tmp_path / "s.txt"), "--store", str(db),
           "--proxy", srv.base, "--host-rate", "100", "--no-embed", "--no-analyse", "--quiet",
           "--concurrency", "2", *extra]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    return cmd, env, subprocess.Popen(cmd, env=env), db


def _wait_for_articles(db: Path, n: int, timeout: float = 60.0) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        time.sleep(0.2)
        if db.exists():
            try:
                with Store(db, readonly=True) as s:
                    if s.counts()["articles"] >= n:
                        return
            except Exception:  # the store is being created
                pass


def test_kill_9_during_a_poll_loses_nothing_and_fetches_nothing_twice(tmp_path):
    pages = corpus_pages()[:12]
    with LoopbackServer() as srv:
        cmd, env, proc, db = _watch_process(tmp_path, srv, pages, "--once")
        _wait_for_articles(db, 3)  # kill once some articles are committed
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with Store(db, readonly=True) as s:
            before = {a.id for a in s.all_articles()}
        assert 3 <= len(before) < len(pages)
        hits_before = dict(srv.hits)
        assert subprocess.run(cmd, env=env, timeout=120).returncode == 0
        with Store(db) as s:
            ids = [a.id for a in s.all_articles()]
            assert sorted(ids) == sorted(p["url"] for p in pages)  # every article, once
            assert s.check() == []
        for u in before:  # committed before the kill: not fetched again
            assert srv.hits[u] == hits_before[u] == 1
        assert all(srv.hits[p["url"]] <= 2 for p in pages)  # at most the pages in flight at the kill


# -- what's new: the page and its Server-Sent Events ------------------------------------------------


def test_whats_new_page_and_event_stream(tmp_path):
    import httpx
    from conftest import serve_in_thread

    from storyline.serve import create_app
    from storyline.watch import events

    with Store(tmp_path / "s.db") as store:
        events.source_failing(store, "http://a.example/<script>x</script>", 3, "E711", "HTTP 500 <b>bold</b>")
        base, server, thread = serve_in_thread(create_app(store, settle_after=None))
        try:
            page = httpx.get(base + "/new", timeout=10)
            assert page.status_code == 200
            assert "<script>x</script>" not in page.text and "&lt;script&gt;x&lt;/script&gt;" in page.text
            assert 'src="/static/live.js"' in page.text and 'data-after="1"' in page.text
            assert "textContent" in httpx.get(base + "/static/live.js", timeout=10).text
            assert httpx.get(base + "/api/events?after=0", timeout=10).json()["events"][0]["id"] == 1
            got: list[str] = []
            with httpx.stream("GET", base + "/api/events/stream?after=1", timeout=10) as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                events.source_failing(store, "http://b.example/feed", 3, "E712", "timed out")  # while listening
                for line in r.iter_lines():
                    got.append(line)
                    if line.startswith("data:"):
                        break
            assert "id: 2" in got and "event: source.failing" in got
            assert json.loads(got[-1][5:])["details"]["source"] == "http://b.example/feed"
            # a reconnecting browser resumes after the last event it saw
            with httpx.stream("GET", base + "/api/events/stream", headers={"Last-Event-ID": "0"}, timeout=10) as r:
                first = next(line for line in r.iter_lines() if line.startswith("id:"))
            assert first == "id: 1"
        finally:
            server.should_exit = True
            thread.join(10)


def test_watch_command_exit_codes(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from storyline.cli import app

    page = corpus_pages()[0]
    with LoopbackServer() as srv:
        srv.routes["/ok.xml"] = Route(rss([{"title": "t", "link": srv.url("/a.html")}]), "application/rss+xml")
        srv.routes["/a.html"] = Route(page["body"])
        srv.routes["/down.xml"] = Route(b"", "text/plain", status=503)
        (tmp_path / "s.txt").write_text(f"{srv.url('/ok.xml')}\n{srv.url('/down.xml')}\n")
        args = ["watch", str(tmp_path / "s.txt"), "--store", str(tmp_path / "s.db"), "--once", "--no-embed",
                "--no-analyse", "--retries", "0", "--host-rate", "100", "--events", str(tmp_path / "e.jsonl"),
                "--failing-after", "1"]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 1, r.output  # a source failed; the other was read
        with Store(tmp_path / "s.db", readonly=True) as s:
            assert [a.id for a in s.all_articles()] == [srv.url("/a.html")]
        types = [json.loads(x)["type"] for x in (tmp_path / "e.jsonl").read_text().splitlines()]
        assert sorted(types) == ["source.failing", "story.new"]
        monkeypatch.delenv("STORYLINE_WEBHOOK_SECRET", raising=False)
        r = CliRunner().invoke(app, [*args, "--webhook", "http://127.0.0.1:9/x"])
        assert r.exit_code == 2 and "STORYLINE_WEBHOOK_SECRET" in r.output
        r = CliRunner().invoke(app, ["watch", str(tmp_path / "missing.txt"), "--store", str(tmp_path / "s.db")])
        assert r.exit_code == 2 and "E701" in r.output


def test_whats_new_page_shows_events_live_in_a_browser(tmp_path):
    """Chromium, CSP on: an event stored while the page is open appears, its markup shown as text."""
    import shutil

    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("chromium is not installed: apt-get install chromium")
    from conftest import XSS_TITLE, serve_in_thread

    from storyline.serve import create_app
    from storyline.watch import events

    with Store(tmp_path / "s.db") as store:
        events.source_failing(store, "http://a.example/feed", 3, "E711", "HTTP 500")
        base, server, thread = serve_in_thread(create_app(store, settle_after=None))
        try:
            with sync_api.sync_playwright() as p:
                b = p.chromium.launch(executable_path=chromium, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
                pg = b.new_page()
                errors: list[str] = []
                pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                pg.goto(base + "/new")
                assert pg.locator("#events li").count() == 1
                pg.wait_for_timeout(500)  # the stream is open
                with store.write() as con:
                    events._insert(con, "story.new", "st_x", XSS_TITLE, {"size": 1, "outlets": ["A"], "articles": []})
                pg.wait_for_selector("#events li.fresh", timeout=10_000)
                first = pg.locator("#events li").first
                assert XSS_TITLE in first.inner_text() and "new story" in first.inner_text()
                assert pg.evaluate("typeof window.__pwned") == "undefined"
                assert first.locator("a").get_attribute("href") == "/stories/st_x"
                assert not [e for e in errors if "Content Security Policy" in e]
                b.close()
        finally:
            server.should_exit = True
            thread.join(10)


def test_the_interval_follows_how_often_a_feed_changes_and_failures_back_off(tmp_path):
    with LoopbackServer() as srv, Store(tmp_path / "s.db") as store:
        srv.routes["/f.xml"] = Route(rss([{"link": srv.url("/1")}]), "application/rss+xml")
        srv.routes["/1"] = Route(corpus_pages()[0]["body"])
        w = Watcher(store, [srv.url("/f.xml")], config=WatchConfig(interval=600, min_interval=60, max_interval=3600,
                                                                   embed=False, analyse=False, settle=False),
                    client=ClientConfig(**FAST))

        def interval() -> float:
            return store.con.execute("SELECT interval_s FROM watch_sources").fetchone()[0]

        w.poll(all_sources=True)
        assert interval() == 300  # it changed: polled twice as often
        w.poll(all_sources=True)
        assert interval() == 450  # 304: less often
        assert not w.state.due(time.time())  # not due before its interval
        srv.routes["/f.xml"] = Route(b"", status=500)
        w.poll(all_sources=True)
        next_poll = store.con.execute("SELECT next_poll FROM watch_sources").fetchone()[0]
        assert next_poll - time.time() > 450  # backed off past its interval
        w.close()


def test_a_sitemap_index_is_followed(tmp_path):
    sm = "http://www.sitemaps.org/schemas/sitemap/0.9"
    with LoopbackServer() as srv, Store(tmp_path / "s.db") as store:
        srv.routes["/index.xml"] = Route(f'<sitemapindex xmlns="{sm}"><sitemap><loc>{srv.url("/news.xml")}</loc>'
                                         f"</sitemap></sitemapindex>".encode(), "application/xml")
        srv.routes["/news.xml"] = Route(f'<urlset xmlns="{sm}"><url><loc>{srv.url("/1")}</loc></url></urlset>'.encode(),
                                        "application/xml")
        srv.routes["/1"] = Route(corpus_pages()[0]["body"])
        w = Watcher(store, [srv.url("/index.xml")], config=WatchConfig(embed=False, analyse=False, settle=False),
                    client=ClientConfig(**FAST))
        rep = w.poll(all_sources=True)
        w.close()
        assert rep.articles == 1 and [a.id for a in store.all_articles()] == [srv.url("/1")]


def test_sigterm_finishes_the_pages_in_hand_and_exits(tmp_path):
    pages = corpus_pages()[:12]
    with LoopbackServer() as srv:
        # no --once: runs until stopped; pages slow enough that a loaded machine cannot fetch them all
        # before the third is stored
        _, _, proc, db = _watch_process(tmp_path, srv, pages, delay=1.0)
        _wait_for_articles(db, 3)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
        fetched = {p["url"] for p in pages if srv.hits[p["url"]]}
        with Store(db, readonly=True) as s:
            stored = {a.id for a in s.all_articles()}
            done = {r[0] for r in s.con.execute("SELECT article_id FROM watch_items WHERE status = 'done'")}
            announced = {r[0] for r in s.con.execute("SELECT article_id FROM watch_members")}
        assert fetched == stored == done == announced  # every page fetched was stored, settled and announced
        assert len(stored) < len(pages)  # it did stop early


def test_outbox_prune_drops_old_events_every_sink_has_read_and_keeps_the_rest(tmp_path):
    from datetime import datetime, timedelta, timezone

    from storyline.watch.events import prune_outbox

    store = Store(tmp_path / "s.db")
    now = datetime(2026, 12, 4, tzinfo=timezone.utc)
    with store.write() as con:
        for days in (40, 35, 31, 2):  # seq 1..4
            at = (now - timedelta(days=days)).isoformat(timespec="milliseconds")
            con.execute("INSERT INTO watch_events(type, at, story_id, doc) VALUES ('story.grew', ?, NULL, '{}')",
                        (at,))
    store.set_setting("watch.cursor.file:/a", "4")
    store.set_setting("watch.cursor.webhook:http://b", "1")  # a slow sink has read only the first
    assert prune_outbox(store, 0, now=now) == 0  # 0 keeps everything
    assert prune_outbox(store, 30, now=now) == 1  # only what every sink has read goes
    assert [r[0] for r in store.con.execute("SELECT seq FROM watch_events ORDER BY seq")] == [2, 3, 4]
    store.set_setting("watch.cursor.webhook:http://b", "4")
    assert prune_outbox(store, 30, now=now) == 2  # the recent one stays
    assert [r[0] for r in store.con.execute("SELECT seq FROM watch_events")] == [4]
    store.close()


def test_whats_new_lines_count_in_words_a_reader_reads():
    from storyline.serve.live import describe

    assert describe({"type": "story.new", "details": {"size": 1, "outlets": ["Wirepress"]}}) == \
        "new story, 1 article from 1 outlet"
    assert describe({"type": "story.new", "details": {"size": 3, "outlets": []}}) == \
        "new story, 3 articles, outlets unknown"
    assert describe({"type": "story.grew", "details": {"outlets": ["a", "b"], "before": 1}}) == \
        "now 2 outlets (was 1)"
