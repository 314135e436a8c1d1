"""The HTTP API: endpoints, validation, limits, the write token, and readers during writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import build_service_store, serve_in_thread

pytest.importorskip("fastapi", reason="the serve extra (fastapi) is not installed")
pytest.importorskip("httpx", reason="httpx is needed by fastapi's TestClient")

from fastapi.testclient import TestClient

from storyline.serve.app import ConfigError, create_app, is_loopback
from storyline.store import AssignConfig, Store

NO_EMBED = AssignConfig(embed=False)
TOKEN = "t0ken-for-tests-0123456789"


@pytest.fixture
def client(service_store: Store) -> TestClient:
    return TestClient(create_app(service_store, assign_config=NO_EMBED, settle_after=None))


def post(client: TestClient, articles: list[dict[str, Any]], **kw: Any) -> Any:
    return client.post("/api/articles", json={"articles": articles}, **kw)


def test_health(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["articles"] == 7 and body["stories"] == 3
    assert body["migrations"][:3] == ["0001_core", "0002_fts", "0003_covering_list_indexes"]


def test_list_order_filters_and_search(client: TestClient) -> None:
    ids = [s["story_id"] for s in client.get("/api/stories").json()["items"]]
    assert ids == ["rates-march", "xss-story", "quake-drevnik"]  # newest day first
    ids = [s["story_id"] for s in client.get("/api/stories", params={"sort": "largest"}).json()["items"]]
    assert ids[0] == "quake-drevnik"
    r = client.get("/api/stories", params={"q": "rubble"}).json()["items"]
    assert [s["story_id"] for s in r] == ["quake-drevnik"]
    r = client.get("/api/stories", params={"q": "basis points"}).json()["items"]  # in article text only
    assert [s["story_id"] for s in r] == ["rates-march"]
    r = client.get("/api/stories", params={"outlet": "Pinecrest"}).json()["items"]
    assert sorted(s["story_id"] for s in r) == ["quake-drevnik", "rates-march"]
    r = client.get("/api/stories", params={"since": "2025-03-05", "until": "2025-03-05"}).json()["items"]
    assert [s["story_id"] for s in r] == ["xss-story"]
    r = client.get("/api/stories", params={"q": '"OR NEAR( * -'}).json()["items"]  # FTS syntax is inert
    assert r == []


def test_pagination_walks_every_story_once(client: TestClient) -> None:
    seen, cursor = [], None
    for _ in range(10):
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/stories", params=params).json()
        seen += [s["story_id"] for s in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["rates-march", "xss-story", "quake-drevnik"]


@pytest.mark.parametrize(
    "params, status",
    [
        ({"limit": 0}, 422),
        ({"limit": 101}, 422),
        ({"sort": "random"}, 422),
        ({"since": "yesterday"}, 422),
        ({"cursor": "not base64!"}, 422),
        ({"cursor": "WzFd"}, 400),  # valid base64, wrong shape
        ({"q": "x" * 201}, 422),
    ],
)
def test_list_rejects_bad_parameters(client: TestClient, params: dict[str, Any], status: int) -> None:
    assert client.get("/api/stories", params=params).status_code == status


def test_get_story_and_article(client: TestClient) -> None:
    s = client.get("/api/stories/quake-drevnik").json()
    assert s["size"] == 3 and s["article_ids"] == ["quake-wire", "quake-copy", "quake-rewrite"]
    assert s["digest"]["facts"][0]["kind"] == "deaths"
    assert s["provenance"]["original"] == "quake-wire"
    assert s["outlets"] == ["Northgate", "Pinecrest", "Wirepress"]
    a = client.get("/api/articles/quake-copy").json()
    assert a["outlet"] == "Northgate" and a["story_id"] == "quake-drevnik"
    assert a["text"].startswith("A magnitude 6.1")
    assert client.get("/api/stories/nope").status_code == 404
    assert client.get("/api/articles/nope").status_code == 404
    assert client.get("/api/stories/..%2Fetc").status_code in (404, 422)
    assert client.get("/api/articles/" + "x" * 600).status_code == 422
    assert client.get("/api/articles/a%00b").status_code == 422


def test_post_is_idempotent_and_assigns(client: TestClient) -> None:
    art = {
        "id": "new-1",
        "title": "Aftershock",
        "outlet": "Wirepress",
        "text": "A strong aftershock hit.",
        "published": "2025-03-07T10:00:00Z",
        "meta": {"label": 3},
    }
    r = post(client, [art])
    assert r.status_code == 200
    first = r.json()["results"][0]
    assert first["status"] == "inserted" and first["new_story"]
    again = post(client, [art]).json()["results"][0]
    assert again["status"] == "duplicate" and again["story_id"] == first["story_id"]
    other = post(client, [{**art, "text": "Different words."}]).json()["results"][0]
    assert other["status"] == "conflict"
    copy = post(client, [{**art, "id": "new-2", "outlet": "Northgate"}]).json()["results"][0]
    assert copy["status"] == "inserted" and copy["story_id"] == first["story_id"]  # exact duplicate joins
    no_id = post(client, [{"text": "No id here.", "title": "T"}]).json()["results"][0]
    assert no_id["id"] and post(client, [{"text": "No id here.", "title": "T"}]).json()["results"][0] == {
        **no_id,
        "status": "duplicate",
        "new_story": False,
    }
    s = client.get(f"/api/stories/{first['story_id']}").json()
    assert s["article_ids"] == ["new-1", "new-2"] and s["size"] == 2
    assert client.get("/api/articles/new-1").json()["meta"] == {"label": 3}


@pytest.mark.parametrize(
    "article",
    [
        {"title": "no text"},
        {"text": ""},
        {"text": "x", "url": "javascript:alert(1)"},
        {"text": "x", "url": "data:text/html,hi"},
        {"text": "x", "published": "last tuesday"},
        {"text": "x", "id": ""},
        {"text": "x", "id": "a\x00b"},
        {"text": "x", "id": "line\nbreak"},
        {"text": "x", "id": "x" * 513},
        {"text": "x", "unknown": 1},
        {"text": "x", "lang": "<script>"},
        {"text": "x", "title": "t" * 1001},
        {"text": 5},
    ],
)
def test_post_validates_articles(client: TestClient, article: dict[str, Any]) -> None:
    assert post(client, [article]).status_code == 422


def test_post_validates_the_envelope(client: TestClient) -> None:
    assert client.post("/api/articles", json={"articles": []}).status_code == 422
    assert client.post("/api/articles", json=[{"text": "x"}]).status_code == 422
    assert post(client, [{"text": "x"}] * 501).status_code == 422
    r = client.post(
        "/api/articles", content=b'{"articles": [{"text": "x"}]}', headers={"content-type": "text/plain"}
    )
    assert r.status_code == 415
    r = client.post("/api/articles", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_body_size_limit(service_store: Store) -> None:
    client = TestClient(create_app(service_store, max_body_bytes=2_000, assign_config=NO_EMBED, settle_after=None))
    assert post(client, [{"text": "short"}]).status_code == 200
    r = post(client, [{"text": "x" * 5_000}])
    assert r.status_code == 413

    def chunks():  # no Content-Length: the streamed size is counted
        for _ in range(10):
            yield b" " * 500

    r = client.post("/api/articles", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert service_store.counts()["articles"] == 8


def test_write_token(service_store: Store) -> None:
    client = TestClient(create_app(service_store, token=TOKEN, assign_config=NO_EMBED, settle_after=None))
    art = [{"text": "Token test article.", "title": "T"}]
    assert post(client, art).status_code == 401
    assert post(client, art, headers={"Authorization": "Bearer wrong-token-0123456789"}).status_code == 401
    assert post(client, art, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert post(client, art, headers={"X-Storyline-Token": TOKEN}).status_code == 200
    assert client.get("/api/stories").status_code == 200  # reads need none
    assert client.get("/").status_code == 200


def test_refuses_public_host_without_token(service_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STORYLINE_TOKEN", raising=False)
    for host in ("0.0.0.0", "192.0.2.1", "::", "example.org"):
        with pytest.raises(ConfigError):
            create_app(service_store, host=host)
    create_app(service_store, host="0.0.0.0", token=TOKEN)
    monkeypatch.setenv("STORYLINE_TOKEN", TOKEN)
    assert create_app(service_store, host="0.0.0.0").state.token == TOKEN
    with pytest.raises(ConfigError):
        create_app(service_store, token="short")
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("127.8.0.1")
        and is_loopback("::1")
        and is_loopback("localhost")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.1")


def test_serve_command_refuses_public_host_without_token(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "STORYLINE_TOKEN"}
    r = subprocess.run(
        [sys.executable, "-m", "storyline.serve", "--store", str(tmp_path / "x.db"), "--host", "0.0.0.0"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert r.returncode == 2
    assert "E601" in r.stderr


def test_openapi_schema_is_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path, method in [
        ("/api/health", "get"),
        ("/api/stories", "get"),
        ("/api/stories/{story_id}", "get"),
        ("/api/articles/{article_id}", "get"),
        ("/api/articles", "post"),
    ]:
        op = paths[path][method]
        assert op.get("summary"), path
    assert not any(p == "/" or p.startswith("/stories") for p in paths)  # pages stay out of the API schema
    art = schema["components"]["schemas"]["ArticleIn"]
    assert "text" in art["required"] and art["properties"]["url"]["description"]
    params = {p["name"] for p in paths["/api/stories"]["get"]["parameters"]}
    assert {"q", "outlet", "since", "until", "sort", "limit", "cursor"} <= params
    assert client.get("/docs").status_code == 200


def test_readers_see_whole_snapshots_while_a_writer_ingests(tmp_path: Path) -> None:
    """API readers against a live server while another connection ingests: no errors, no torn reads."""
    import httpx

    path = tmp_path / "live.db"
    build_service_store(path).close()
    reader_store = Store(path)
    url, server, thread = serve_in_thread(create_app(reader_store, assign_config=NO_EMBED))
    from storyline.model import Article
    from storyline.store import Assigner

    writer_store = Store(path)
    assigner = Assigner(writer_store, NO_EMBED, refresh=lambda *_: False)  # the test writes the analysis
    errors: list[str] = []
    stop = threading.Event()
    reads = [0]
    first = assigner.assign(
        [
            Article(
                id="live-0", text="The same wire text again.", outlet="O0", published="2025-03-08T10:00:00Z"
            )
        ]
    )[0]

    def write() -> None:
        try:
            for i in range(1, 121):
                arts = [
                    Article(
                        id=f"live-{i}-{j}",
                        text="The same wire text again.",
                        outlet=f"O{i % 7}",
                        published="2025-03-08T11:00:00Z",
                    )
                    for j in range(3)
                ]
                assigner.assign(arts)
                version = writer_store.get_story(first)["version"]
                size = writer_store.get_story(first)["size"]
                writer_store.put_analysis(first, version=version, digest={"summary": [], "size": size})
                if i % 5 == 0:  # let the readers in between writes, however fast the writer runs
                    seen, deadline = reads[0], time.monotonic() + 5
                    while reads[0] == seen and time.monotonic() < deadline:
                        time.sleep(0.005)
        except Exception as exc:
            errors.append(f"writer: {exc!r}")
        finally:
            stop.set()

    def read() -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            while not stop.is_set():
                try:
                    r = http.get(f"/api/stories/{first}")
                    if r.status_code != 200:
                        errors.append(f"status {r.status_code}")
                        continue
                    s = r.json()
                    if len(s["article_ids"]) != s["size"] or len(set(s["article_ids"])) != s["size"]:
                        errors.append(f"torn: {len(s['article_ids'])} ids, size {s['size']}")
                    if (
                        s["digest"] is not None
                        and s["digest_version"] == s["version"]
                        and s["digest"]["size"] != s["size"]
                    ):
                        errors.append(
                            f"digest of size {s['digest']['size']} with version of size {s['size']}"
                        )
                    page = http.get("/api/stories", params={"limit": 5})
                    if page.status_code != 200:
                        errors.append(f"list status {page.status_code}")
                    reads[0] += 1
                except Exception as exc:
                    errors.append(f"reader: {exc!r}")

    threads = [threading.Thread(target=write)] + [threading.Thread(target=read) for _ in range(4)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    server.should_exit = True
    thread.join(10)
    assert not errors, errors[:5]
    assert reads[0] > 20, reads[0]
    print("reads", reads[0])
    final = writer_store.get_story(first)
    assert final["size"] == 1 + 120 * 3
    assert writer_store.check() == []
    assert time.monotonic() - t0 < 120
    writer_store.close()
    reader_store.close()


def test_errors_are_json(client: TestClient) -> None:
    r = client.get("/api/stories", params={"cursor": "WzFd"})
    assert r.status_code == 400 and json.loads(r.text)["code"] == "E140"


def test_cli_commands_register_and_ingest(tmp_path: Path) -> None:
    typer = pytest.importorskip("typer")
    from typer.testing import CliRunner

    from storyline.serve.cli import register

    app = typer.Typer()
    register(app)
    runner = CliRunner()
    assert "--store" in runner.invoke(app, ["serve", "--help"]).output
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": f"c{i}", "text": f"Text {i % 2}.", "published": "2025-01-01"}) + "\n"
            for i in range(4)
        )
    )
    db = tmp_path / "cli.db"
    r = runner.invoke(app, ["ingest", str(src), "--store", str(db), "--no-embed", "--no-settle", "--log"])
    assert r.exit_code == 0, r.output
    assert r.output.count("inserted\t") == 4
    with Store(db) as s:
        assert s.counts()["articles"] == 4 and len(s.list_stories()[0]) == 2  # exact copies placed
    # settling: the stories of a batch run over the same file (here, lexical)
    r = runner.invoke(app, ["ingest", str(src), "--store", str(db), "--no-embed"])
    assert r.exit_code == 0, r.output
    import storyline

    batch = storyline.run([src], extras=False, semantic=False)
    with Store(db) as s:
        assert s.memberships() == {st.story_id: sorted(st.article_ids) for st in batch.stories}
    r = runner.invoke(app, ["ingest", str(tmp_path / "missing.txt"), "--store", str(db)])
    assert r.exit_code == 2


def test_pages_degrade_without_digest_or_provenance(client: TestClient) -> None:
    html = client.get("/stories/rates-march").text
    assert "No digest yet" in html and "No provenance yet" in html
    r = client.get("/stories/rates-march/compare", params={"a": "rates-2"})
    assert r.status_code == 200
    assert "computed here from shared wording" in r.text
    assert r.text.count('class="passage kind-edited"') == 4  # lede and quote, on both sides
    assert r.text.count('class="passage kind-none"') == 2  # the inflation sentences differ
    assert client.get("/stories/nope").status_code == 404
    assert client.get("/stories/quake-drevnik/compare", params={"a": "nope"}).status_code == 404
    assert client.get("/stories/quake-drevnik/compare").status_code == 400  # a= is required
    assert client.get("/articles/%3Cscript%3E").status_code == 404
    r = client.get("/", params={"since": "not a date"})
    assert r.status_code == 200 and "not an ISO 8601 date" in r.text
    assert client.get("/", params={"sort": "x" * 11}).status_code == 400


def test_ids_from_sources_work_everywhere(client: TestClient) -> None:
    from urllib.parse import quote

    ids = [
        "examples/html/port-strike",
        "https://river.example/?p=48211",
        "tag:east.example,2025-11-18:/news/x",
    ]
    r = post(client, [{"id": i, "text": f"Body of {i}.", "published": "2025-03-09"} for i in ids])
    assert [x["status"] for x in r.json()["results"]] == ["inserted"] * 3
    for i in ids:
        got = client.get("/api/articles/" + quote(i, safe="/"))
        assert got.status_code == 200 and got.json()["id"] == i
        page = client.get("/articles/" + quote(i, safe="/"))
        assert page.status_code == 200 and f"Body of {i}." in page.text
    from conftest import XSS_ID2

    assert client.get("/api/articles/" + quote(XSS_ID2, safe="/")).json()["id"] == XSS_ID2
    html = client.get("/stories/xss-story").text
    assert 'onclick="window' not in html and "<b>2</b>" not in html


def test_render_pieces_take_partial_documents() -> None:
    from storyline.serve import render

    arts = [{"id": "a", "outlet": "A"}, {"id": "b", "outlet": "B"}]
    svg = str(
        render.derivation_svg(
            {
                "original": "http://x.example/o",
                "edges": [
                    {"source": "http://x.example/o", "target": "a", "grade": "spun"},
                    {"source": "a", "target": "b", "grade": "verbatim"},
                ],
            },
            arts,
            lambda i: f"/c?a={i}",
        )
    )
    assert svg.count('<g class="node') == 3 and svg.count("<a href=") == 2  # the outside original has no link
    assert "not in corpus" in svg
    assert render.derivation_svg({}, arts, str) is None and render.derivation_svg(None, arts, str) is None
    m = render.coverage(
        {
            "quotes": [{"speaker": "S", "text": "t", "outlets": ["A"]}],
            "facts": [{"kind": "deaths", "values": [{"value": "3", "outlets": ["A", "B"]}]}],
        },
        ["A", "B"],
    )
    assert m is not None and [c["label"] for c in m.columns] == ["deaths", "S"]
    assert [[c["text"] for c in row] for row in m.cells] == [["3", "✓"], ["3", "—"]]
    assert render.coverage({"summary": []}, ["A"]) is None
    assert render.coverage({"facts": "junk", "quotes": [None, 3]}, ["A"]) is None
    assert (
        render.safe_url("javascript:alert(1)") is None
        and render.safe_url(" HTTPS://x.example/") == "HTTPS://x.example/"
    )
    sa, sb, _, origin = render.side_by_side(
        {"id": "a", "text": "Same one. Other words here."},
        {"id": "b", "text": "Different start. Same one."},
        None,
    )
    assert origin == "computed" and sa.marks == {0: ("verbatim", 1)} and sb.marks == {1: ("verbatim", 1)}
    # a weak link (a best match below the paraphrase decision) is shown apart and not counted as shared
    prov = {"alignments": [{"a": "b", "b": "a", "links": [
        {"a": [1], "b": [0], "kind": "verbatim", "score": 1.0},
        {"a": [0], "b": [1], "kind": "paraphrase", "score": 0.3, "weak": True},
    ]}]}
    sa, sb, links, origin = render.side_by_side(
        {"id": "a", "text": "Same one. Other words here."}, {"id": "b", "text": "Different start. Same one."}, prov
    )
    assert origin == "provenance" and [lk["kind"] for lk in links] == ["verbatim", "weak"]
    assert sa.marks == {0: ("verbatim", 1), 1: ("weak", 2)} and sa.share() == 0.5


def test_posted_articles_are_settled_into_the_batch_stories(tmp_path: Path) -> None:
    """Articles posted in pieces end up in the stories one batch run finds, graded and digested."""
    import storyline
    from storyline.ingest import read_inputs
    from storyline.model import Article

    examples = Path(__file__).resolve().parents[1] / "examples"
    want = {s.story_id: sorted(s.article_ids) for s in storyline.run([examples], extras=False).stories}
    arts = sorted((a for a in read_inputs([examples]) if isinstance(a, Article)), key=lambda a: a.id)[::-1]
    store = Store(tmp_path / "posted.db")
    app = create_app(store, settle_after=0.2)
    client = TestClient(app)
    for part in (arts[:10], arts[10:25], arts[25:]):
        body = {"articles": [a.to_json() for a in part]}
        r = client.post("/api/articles", json=body)
        assert r.status_code == 200, r.text
    deadline = time.monotonic() + 120
    while client.get("/api/health").json()["settling"] or app.state.settler.last_result is None:
        assert time.monotonic() < deadline, "the store was never settled"
        time.sleep(0.2)
    assert app.state.settler.errors == 0
    assert store.memberships() == want
    assert client.get("/api/health").json()["stories_pending"] == 0
    app.state.settler.close()


def test_posted_articles_are_placed_in_time_and_say_from_what(client: TestClient) -> None:
    """The API reads a posted article's date as a file's would be read; the article, its story and
    its page say where the date came from, and an unknown date stays unknown."""
    arts = [
        {"id": "dated-by-url", "title": "Fed cuts rates", "text": "The Federal Reserve cut rates by a quarter point.",
         "url": "https://www.theguardian.com/business/2024/dec/18/fed-cuts-rates"},
        {"id": "dated-by-field", "title": "Fed holds", "text": "The Fed held rates.", "published": "2025-01-29"},
        {"id": "undated", "title": "Markets calm", "text": "Shares rose on Monday as investors weighed the outlook."},
    ]
    assert post(client, arts).status_code == 200
    got = {a["id"]: client.get(f"/api/articles/{a['id']}").json() for a in arts}
    assert (got["dated-by-url"]["published"][:10], got["dated-by-url"]["date_source"]) == ("2024-12-18", "url")
    assert got["dated-by-field"]["date_source"] == "field"
    assert got["undated"]["published"] is None and got["undated"]["date_source"] == "none"
    story = client.get(f"/api/stories/{got['dated-by-url']['story_id']}").json()
    row = next(a for a in story["articles"] if a["id"] == "dated-by-url")
    assert row["date_source"] == "url"
    page = client.get("/articles/undated").text
    assert "date unknown" in page
    page = client.get("/articles/dated-by-url").text
    assert "2024-12-18" in page and "date from url" in page
