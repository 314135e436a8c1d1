"""What a reader still tripped over after issue 28's first pass: article ids shown as outlets in the
digest, ingest times shown as publication times by the store, and the story page's wording for an
undated article, an undated story and a one-article story."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from storyline.digest import build_digest
from storyline.digest.context import outlet
from storyline.model import Article
from storyline.store import Store

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "data" / "seed-story"

# Three reports of one event: a shared lede and quote, each with a sentence of its own.
_LEDE = "The harbour authority closed the northern port on Tuesday after a storm damaged two cranes."
_QUOTE = 'Port director Anna Berg said: "We will reopen the port as soon as the cranes are safe to use."'
_OWN = [
    "Fishing boats were moved to the southern basin overnight while engineers inspected the quay.",
    "Insurers estimated the damage to the container terminal at about 4 million euros on Wednesday.",
    "Local ferry services to the islands were cancelled for the rest of the week by the operator.",
]


def _arts(outlets: list[str]) -> list[Article]:
    return [
        Article(
            id=f"corpus/{i:03d}_c9565b2e4ea5cd28",
            title=f"Storm shuts northern port, report {i}",
            text=f"{_LEDE}\n\n{_QUOTE}\n\n{_OWN[i]}",
            outlet=o,
        )
        for i, o in enumerate(outlets)
    ]


def _digest(outlets: list[str]) -> tuple[dict[str, Any], str, str]:
    dg = build_digest("st_port", _arts(outlets), vectors=False)
    return dg.to_json(), dg.to_markdown(), dg.to_html()


def _header(md: str) -> str:
    return next(line for line in md.splitlines() if line.startswith("Story `"))


# ----------------------------------------------------------------------------- 1. outlets in the digest


def test_an_article_without_outlet_is_named_for_a_reader_not_by_its_file_id() -> None:
    a = Article(
        id="seed-story/002_c9565b2e4ea5cd28",
        text="",
        title="Putin declares, once more, that he is willing to talk",
    )
    name = outlet(a)
    assert name.startswith("outlet unknown") and "Putin declares" in name, name
    assert "c9565b2e4ea5cd28" not in name and "," not in name  # outlets are listed joined by ", "
    untitled = outlet(Article(id="x/003", text="", title=""))
    assert untitled.startswith("outlet unknown") and "article x/003" in untitled
    assert outlet(Article(id="y", text="", outlet="Reuters")) == "Reuters"


def test_digest_counts_articles_when_no_outlet_is_known() -> None:
    d, md, page = _digest(["", "", ""])
    header = _header(md)
    assert "3 articles, outlets unknown" in header and not re.search(r"\d+ outlets?\b", header), header
    assert "3 articles, outlets unknown" in page
    for s in d["summary"]:
        assert all(o.startswith("outlet unknown") for o in s["outlets"]), s["outlets"]
    rendered = md.split("## Sources")[0] + page.split("<h2>Sources")[0]
    assert "c9565b2e4ea5cd28" not in rendered  # no file id where an outlet would be
    assert not re.search(r"\(\d+ outlets?[,;]", md), md  # per-sentence labels count articles too
    # with no outlet known, nothing is "only in one outlet"
    assert "Only in" not in md and "Only in" not in page


def test_digest_with_some_outlets_unknown_counts_both_and_only_in_names_known_outlets() -> None:
    _, md, page = _digest(["Harbor Wire", "Evening Star", ""])
    header = _header(md)
    assert "3 articles: 2 from 2 outlets, 1 with outlet unknown" in header, header
    assert "## Only in one outlet" in md
    only = re.findall(r"^### Only in (.*)$", md, re.M)
    assert only and not [o for o in only if o.startswith("outlet unknown")], only
    assert "<h3>Only in outlet unknown" not in page


def test_digest_with_known_outlets_reads_as_before() -> None:
    d, md, _ = _digest(["Harbor Wire", "Evening Star", "Daily Copy"])
    assert _header(md).endswith(
        "3 articles · 3 outlets, 3 independent reports (no provenance: each outlet counted as a source)"
    )
    assert d["sources"]["outlets"] == ["Daily Copy", "Evening Star", "Harbor Wire"]


def test_seed_digest_written_by_run_names_no_file_id_as_outlet(tmp_path: Path) -> None:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed story is not there: {SEEDS}")
    from typer.testing import CliRunner

    from storyline.cli import app

    res = CliRunner().invoke(app, ["run", str(SEEDS), "--out", str(tmp_path / "out"), "-q"])
    assert res.exit_code == 0, res.output
    (md_path,) = (tmp_path / "out" / "digests").glob("*.md")
    md = md_path.read_text(encoding="utf-8")
    assert "5 articles, outlets unknown" in _header(md) and "5 outlets" not in md, _header(md)
    body = md.split("## Sources")[0]
    assert "seed-story/" not in body and "seed-story" not in body.replace("\\", "")
    assert "Only in" not in md


# ----------------------------------------------------------------------------- 2. store: dates


def _art(i: str, published: str | None, outlet: str = "O") -> Article:
    return Article(id=i, title=f"Title {i}", text=f"Article {i} says something distinct about {i}.",
                   outlet=outlet, published=published)  # fmt: skip


def test_an_undated_story_has_no_publication_dates(store: Store) -> None:
    store.add_articles([_art("u1", None), _art("u2", None)])
    store.put_story({"story_id": "undated", "title": "Undated", "article_ids": ["u1", "u2"]})
    s = store.get_story("undated")
    assert s["first_published"] is None and s["last_published"] is None  # never the ingest time
    (item,), _ = store.list_stories()
    assert item["first_published"] is None and item["last_published"] is None


def test_a_story_span_comes_from_its_dated_articles_only(store: Store) -> None:
    store.add_articles([_art("d1", "2020-05-01T10:00:00Z"), _art("x", None), _art("d2", "2020-05-03")])
    store.put_story({"story_id": "mixed", "title": "Mixed", "article_ids": ["d1", "x", "d2"]})
    s = store.get_story("mixed")
    assert (s["first_published"], s["last_published"]) == ("2020-05-01T10:00:00Z", "2020-05-03")


def test_joining_articles_one_by_one_keeps_dates_unknown_until_one_is_dated(store: Store) -> None:
    res = store.add_articles([_art("j1", None), _art("j2", "2021-02-03T04:05:06Z"), _art("j3", None)])
    with store.write() as con:
        srow = store.new_story(con, "joined", "Joined")
        store.join_story(con, res[0].rowid, srow)
    assert store.get_story("joined")["first_published"] is None
    with store.write() as con:
        store.join_story(con, res[1].rowid, srow)
        store.join_story(con, res[2].rowid, srow)
    s = store.get_story("joined")
    assert (s["first_published"], s["last_published"]) == ("2021-02-03T04:05:06Z", "2021-02-03T04:05:06Z")


@pytest.mark.parametrize("sort", ["recent", "newest"])
def test_undated_stories_sort_after_dated_ones(store: Store, sort: str) -> None:
    store.add_articles([_art("old", "2019-01-01"), _art("new", None), _art("mid", "2020-06-01")])
    for i in ("old", "new", "mid"):
        store.put_story({"story_id": f"s-{i}", "title": i, "article_ids": [i]})
    out, cur = [], None
    while True:
        items, cur = store.list_stories(sort=sort, limit=1, cursor=cur)
        out += [s["story_id"] for s in items]
        if cur is None:
            break
    assert out == ["s-mid", "s-old", "s-new"]


def test_api_gives_null_for_an_unknown_publication_date(store: Store) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from storyline.serve.app import create_app

    store.add_articles([_art("u1", None)])
    store.put_story({"story_id": "undated", "title": "Undated", "article_ids": ["u1"]})
    client = TestClient(create_app(store, settle_after=None))
    got = client.get("/api/stories/undated").json()
    assert got["first_published"] is None and got["last_published"] is None
    (item,) = client.get("/api/stories").json()["items"]
    assert item["first_published"] is None and item["last_published"] is None


# ----------------------------------------------------------------------------- 3. the story page


def _page(store: Store, story_id: str) -> str:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from storyline.serve.app import create_app

    r = TestClient(create_app(store, settle_after=None)).get(f"/stories/{story_id}")
    assert r.status_code == 200
    return r.text


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_story_page_says_dates_unknown_and_where_an_article_date_came_from(store: Store) -> None:
    store.add_articles([_art("u1", None), _art("u2", None)])
    store.put_story({"story_id": "undated", "title": "Undated", "article_ids": ["u1", "u2"]})
    text = _text(_page(store, "undated"))
    assert "dates unknown" in text and "? – ?" not in text
    assert text.count("unknown (date_source: none)") == 2
    assert "No provenance yet." in text  # two articles, not graded yet: provenance is pending


def test_one_article_story_page_says_provenance_needs_two_articles(store: Store) -> None:
    store.add_articles([_art("d1", "2020-05-01")])
    store.put_story({"story_id": "solo", "title": "Solo", "article_ids": ["d1"]})
    text = _text(_page(store, "solo"))
    assert "No provenance yet" not in text
    assert "Provenance compares two or more articles" in text
    assert "2020-05-01 – 2020-05-01" in text and "dates unknown" not in text
