"""The pages in a real headless Chromium: list, story, side by side, and hostile article text.

Needs Debian's chromium (/usr/bin/chromium) and the playwright package; skips
when either is missing. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from conftest import CHROMIUM, XSS_ID2, XSS_TEXT, XSS_TITLE, build_service_store, served

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

pytest.importorskip("fastapi", reason="the serve extra (fastapi) is not installed")
pytest.importorskip("uvicorn", reason="the serve extra (uvicorn) is not installed")
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed: pip install playwright"
)
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed: apt-get install chromium", allow_module_level=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:

    store = build_service_store(tmp_path_factory.mktemp("web") / "web.db")
    with served(store) as url:
        yield url


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_list_shows_stories_and_search_filters(site: str, page: Any) -> None:
    page.goto(site + "/")
    rows = page.locator("#stories .story-link")
    titles = rows.all_inner_texts()
    assert "Deadly earthquake in Drevnik" in titles
    assert "Central bank raises rates" in titles
    # newest day first: the rates story (6 March) comes before the quake (4 March)
    assert titles.index("Central bank raises rates") < titles.index("Deadly earthquake in Drevnik")
    shot(page, "list")
    page.fill("input[name=q]", "rubble")
    page.click("button[type=submit]")
    assert page.locator("#stories .story-link").all_inner_texts() == ["Deadly earthquake in Drevnik"]
    page.goto(site + "/?sort=largest")
    assert page.locator("#stories .story-link").first.inner_text() == "Deadly earthquake in Drevnik"
    page.goto(site + "/?outlet=Wirepress&until=2025-03-05")
    assert page.locator("#stories .story-link").all_inner_texts() == ["Deadly earthquake in Drevnik"]


def test_story_page_shows_digest_matrix_and_graph(site: str, page: Any) -> None:
    page.goto(site + "/")
    page.click("text=Deadly earthquake in Drevnik")
    page.wait_for_selector("#digest")
    assert "A magnitude 6.1 earthquake struck Drevnik" in page.inner_text("#digest")
    assert "Anna Vell" in page.inner_text("#digest")
    # coverage matrix: the conflicting death toll per outlet
    matrix = page.locator("table.matrix")
    assert matrix.locator("tbody tr").count() == 3
    assert "12" in matrix.locator("tr", has_text="Pinecrest").inner_text()
    assert page.locator("table.matrix td.cell-conflict").count() == 3
    # the derivation graph is drawn: three nodes, two edges, and it has a real size on screen
    svg = page.locator("#graph svg.graph")
    assert svg.locator("g.node").count() == 3
    assert svg.locator("line.edge").count() == 2
    box = svg.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 40
    assert svg.locator("g.node.grade-original").count() == 1
    shot(page, "story")


def test_side_by_side_highlights_shared_passages(site: str, page: Any) -> None:
    page.goto(site + "/stories/quake-drevnik")
    page.locator("#graph g.node[data-id=quake-rewrite]").click()
    page.wait_for_selector(".sides")
    left, right = page.locator("#side-article"), page.locator("#side-source")
    assert "Earthquake in Drevnik: 12 dead" in left.inner_text()
    assert "Deadly quake hits Drevnik" in right.inner_text()
    assert left.locator("mark.kind-edited").count() == 3
    assert left.locator("mark.kind-paraphrase").count() == 1
    # a highlight is really painted: its background differs from an unmarked sentence's
    marked = left.locator("mark.kind-edited").first.evaluate("e => getComputedStyle(e).backgroundColor")
    plain = right.locator(".kind-none").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert marked != plain
    # the unaligned sentence of the source (rescue teams) stays unmarked
    assert "Rescue teams" in right.locator(".kind-none").first.inner_text()
    shot(page, "compare")
    # the verbatim copy, through the articles table
    page.goto(site + "/stories/quake-drevnik")
    page.locator("#articles tr", has_text="Northgate").locator("a.compare-link").click()
    page.wait_for_selector(".sides")
    assert page.locator("#side-article mark.kind-verbatim").count() == 3


def test_hostile_article_is_shown_as_text_and_runs_nothing(site: str, browser: Any) -> None:
    for bypass_csp in (False, True):  # with the CSP bypassed, escaping alone must hold
        ctx = browser.new_context(bypass_csp=bypass_csp, viewport={"width": 1280, "height": 900})
        pg = ctx.new_page()
        dialogs: list[str] = []

        def on_dialog(d: Any, seen: list[str] = dialogs) -> None:
            seen.append(d.message)
            d.dismiss()

        pg.on("dialog", on_dialog)
        for path in (
            "/",
            "/stories/xss-story",
            "/articles/xss-1",
            f"/articles/{quote(XSS_ID2)}",
            f"/stories/xss-story/compare?a={quote(XSS_ID2, safe='')}&b=xss-1",
        ):
            pg.goto(site + path)
            pg.wait_for_load_state("load")
            for el in pg.locator("a, svg g, td, th").all()[:200]:  # mouse over everything hoverable
                with contextlib.suppress(sync_api.Error):
                    el.hover(timeout=200)
            assert pg.evaluate("typeof window.__pwned") == "undefined", path
            assert pg.locator("script").count() == 0, path
            assert (
                pg.locator("main img, main iframe, main [onerror], main [onload], main [onmouseover]").count()
                == 0
            )
            hrefs = pg.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href') || '')")
            assert not [h for h in hrefs if h.strip().lower().startswith("javascript")], path
        pg.goto(site + "/articles/xss-1")
        assert pg.inner_text("#article-title") == XSS_TITLE
        body = pg.inner_text("#article-text")
        for line in XSS_TEXT.split("\n"):
            assert line in body
        assert "javascript:window.__pwned=7" in pg.inner_text("main")  # the URL shown as text, not a link
        if not bypass_csp:
            shot(pg, "hostile-article")
        assert dialogs == []
        ctx.close()


def test_security_headers_on_pages(site: str, page: Any) -> None:
    resp = page.goto(site + "/stories/quake-drevnik")
    csp = resp.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["x-content-type-options"] == "nosniff"


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """A store built by the batch pipeline from the sample corpus in examples/."""
    from storyline import pipeline
    from storyline.store import Store
    from storyline.store.batch import import_result

    result = pipeline.run([EXAMPLES])
    store = Store(tmp_path_factory.mktemp("sample") / "sample.db")
    import_result(store, result)
    with served(store) as url:
        yield url, result


def test_sample_corpus_pages(sample_site: tuple[str, Any], page: Any) -> None:
    url, result = sample_site
    multi = [s for s in result.stories if len(s.article_ids) > 1]
    assert multi, "the sample corpus should hold stories of several articles"
    page.goto(url + "/?sort=largest")
    shown = page.locator("#stories .story-link").all_inner_texts()
    assert len(shown) == min(len(result.stories), 25)
    assert shown[0] == (multi[0].title or multi[0].story_id)
    shot(page, "sample-list")
    page.locator("#stories .story-link").first.click()
    page.wait_for_selector("#digest")
    assert page.locator("#articles tbody tr").count() == len(multi[0].article_ids)
    if getattr(result, "digests", None):
        assert page.locator("#digest .summary li").count() > 0
    if "provenance" in multi[0].extra:  # every article is drawn (an original outside the corpus may be too)
        drawn = page.eval_on_selector_all("#graph svg.graph g.node", "els => els.map(e => e.dataset.id)")
        assert set(multi[0].article_ids) <= set(drawn)
        assert page.locator("#graph svg.graph line.edge").count() >= 1
    shot(page, "sample-story")
    page.locator("a.compare-link").last.click()
    page.wait_for_selector(".sides")
    assert page.locator("#side-article mark.passage").count() > 0  # shared passages are highlighted
    shot(page, "sample-compare")


# -- counts and outlets in words ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def outlet_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Stories whose articles name no outlet, one outlet, or some of each."""
    from storyline.model import Article
    from storyline.store import Store

    def art(aid: str, outlet: str) -> Article:
        return Article(id=aid, title=f"Ferry strike, report {aid}", outlet=outlet, published="2025-03-02",
                       text=f"Ferry crews walked out on Monday ({aid}). Crossings to the islands were cancelled.")

    store = Store(tmp_path_factory.mktemp("outlets") / "outlets.db")
    store.add_articles([art("none-1", ""), art("none-2", ""), art("solo-1", "Harbour Times"),
                        art("mix-1", "Harbour Times"), art("mix-2", "Island Post"), art("mix-3", "")])
    store.put_story({"story_id": "no-outlets", "title": "Nobody says who", "article_ids": ["none-1", "none-2"]},
                    provenance={"original": "none-1", "articles": [
                        {"article_id": "none-2", "grade": "verbatim", "parent": "none-1"}]})
    store.put_story({"story_id": "solo", "title": "One report", "article_ids": ["solo-1"]})
    store.put_story({"story_id": "mixed", "title": "Some say who", "article_ids": ["mix-1", "mix-2", "mix-3"]})
    with served(store) as url:
        yield url


def test_counts_and_unknown_outlets_read_right(outlet_site: str, page: Any) -> None:
    from storyline.serve.web import count_of

    assert [count_of(n, "article") for n in (0, 1, 2)] == ["0 articles", "1 article", "2 articles"]
    assert count_of(1, "story", "stories") == "1 story" and count_of(3, "story", "stories") == "3 stories"
    headers = {
        "no-outlets": "2 articles, outlets unknown",
        "solo": "1 article from 1 outlet",
        "mixed": "3 articles: 2 from 2 outlets, 1 with outlet unknown",
    }
    for sid, want in headers.items():
        page.goto(f"{outlet_site}/stories/{sid}")
        counts = page.inner_text("#story-counts")
        assert counts.startswith(want + " ·"), (sid, counts)
        assert "0 outlets" not in counts and "1 articles" not in counts
        cells = page.locator("#articles tbody tr td:first-child").all_inner_texts()
        assert all(c.strip() for c in cells) and ("outlet unknown" in cells) == (sid != "solo"), cells
    page.goto(f"{outlet_site}/stories/no-outlets")  # a source without an outlet is named as such
    assert sorted(page.locator("#articles a.compare-link").all_inner_texts()) == ["beside its source", "compare"]
    shot(page, "story-outlets-unknown")
    page.goto(outlet_site + "/")
    assert page.inner_text("#list-counts") == "6 articles in 3 stories."
    row = page.locator("#stories tr.story-row", has_text="Nobody says who")
    assert row.locator("td.outlets").inner_text() == "outlet unknown"
    assert page.locator("#stories tr.story-row", has_text="Some say who").locator("td.outlets").inner_text() \
        == "Harbour Times, Island Post"
