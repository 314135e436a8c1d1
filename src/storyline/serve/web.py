"""Pages for people: the story list, a story, an article, and an article beside its source.

Server-rendered with Jinja2 and autoescape on: article text, titles, outlet
names and URLs are untrusted and reach the page only escaped; links are made
only from http(s) URLs. The one script is a static file of ours (``static/live.js``, live
updates), so the CSP allows scripts from the server itself and forbids all inline code.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from storyline.counts import articles_and_outlets, count_of
from storyline.errors import InputError
from storyline.serve import render
from storyline.serve.api import ARTICLE_ID_PATTERN, STORY_ID_PATTERN, clean_query
from storyline.store.db import published_span

router = APIRouter()
PAGE_SIZE = 25
_CACHE_S = 30.0


def _cached(request: Request, key: str, fn: Any) -> Any:
    """Per-app memo for the list page's counts and outlet menu (a full index scan on a big store)."""
    cache = getattr(request.app.state, "page_cache", None)
    if cache is None:
        cache = request.app.state.page_cache = {}
    hit = cache.get(key)
    now = time.monotonic()
    if hit is None or now - hit[0] > _CACHE_S:
        hit = cache[key] = (now, fn())
    return hit[1]


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = render.safe_url
    env.filters["pct"] = lambda x: (
        f"{x:.0%}" if isinstance(x, (int, float)) and not isinstance(x, bool) else ""
    )
    env.filters["grade_class"] = grade_class
    env.filters["count_of"] = count_of
    env.globals["compare_url"] = render.compare_url
    return env


def grade_class(grade: Any) -> str:
    """The CSS class of a grade as shown ("light-rewrite (low confidence)" is coloured as light-rewrite)."""
    g = grade.split(" (", 1)[0] if isinstance(grade, str) else grade
    return g if g in render.GRADES else "other"


def shown_grade(rec: dict[str, Any]) -> dict[str, Any]:
    """An article's provenance record as the articles table shows it: a grade the grader doubts
    (``grade_low_confidence``) reads "light-rewrite (low confidence)", not as a certain one."""
    grade = rec.get("grade")
    if isinstance(grade, str) and grade and rec.get("grade_low_confidence") is True:
        return {**rec, "grade": f"{grade} (low confidence)"}
    return rec


def story_counts(story: dict[str, Any]) -> str:
    """A story's header count: its articles and the outlets known for them, never "from 0 outlets".

    "5 articles from 3 outlets"; "1 article, outlet unknown"; "4 articles: 3 from 2 outlets,
    1 with outlet unknown" when some articles name no outlet.
    """
    articles = story.get("articles") or []
    size = int(story.get("size") or len(articles))
    known = len([o for o in story.get("outlets") or [] if o])
    unknown = min(size, sum(1 for a in articles if not a.get("outlet")))
    return articles_and_outlets(size, known, unknown)


def dated_span(published: list[str | None]) -> tuple[str | None, str | None]:
    """The first and last of the publication dates given, skipping unknown ones: (None, None) when none
    is known. A story's span is read from its articles' own dates, never from when they were stored
    (the store orders an undated article by its ingest time, which is no publication time)."""
    return published_span(published)


def _spans(store: Any, story_ids: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """:func:`dated_span` of each listed story, in one query."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    got: dict[str, list[str | None]] = {i: [] for i in ids}
    with store.read() as con:
        rows = con.execute(
            "SELECT s.story_id, a.published FROM articles a JOIN stories s ON a.story_rowid = s.rowid "
            f"WHERE s.story_id IN ({','.join('?' * len(ids))}) AND coalesce(a.published, '') != ''",
            ids,
        ).fetchall()
    for sid, published in rows:
        got[sid].append(published)
    return {sid: dated_span(ps) for sid, ps in got.items()}


def _with_spans(store: Any, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items with first_published/last_published taken from their articles' dates."""
    spans = _spans(store, [i["story_id"] for i in items if isinstance(i.get("story_id"), str)])
    out = []
    for i in items:
        first, last = spans.get(i.get("story_id"), (None, None))
        out.append({**i, "first_published": first, "last_published": last})
    return out


def page(name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
    html = _env().get_template(name).render(**ctx)
    return HTMLResponse(html, status_code=status)


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    return page("error.html", status=status, title=f"Error {status}", message=message)


_ARTICLE_ID = re.compile(ARTICLE_ID_PATTERN)
_STORY_ID = re.compile(STORY_ID_PATTERN)


def _valid_id(value: str, story: bool = False) -> bool:
    return bool((_STORY_ID if story else _ARTICLE_ID).match(value))


@router.get("/", response_class=HTMLResponse)
def story_list(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[str | None, Query(max_length=40)] = None,
    until: Annotated[str | None, Query(max_length=40)] = None,
    sort: Annotated[str, Query(max_length=10)] = "recent",
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> HTMLResponse:
    store = request.app.state.store
    q, outlet, since, until, cursor = map(clean_query, (q, outlet, since, until, cursor))
    error = None
    try:
        items, nxt = store.list_stories(
            q=q, outlet=outlet, since=since, until=until, sort=sort, limit=PAGE_SIZE, cursor=cursor
        )
    except InputError as exc:
        items, nxt, error = [], None, exc.args[0]
    params = {k: v for k, v in {"q": q, "outlet": outlet, "since": since, "until": until}.items() if v}
    if sort != "recent":
        params["sort"] = sort
    next_url = "/?" + urlencode({**params, "cursor": nxt}) if nxt else None
    return page(
        "list.html",
        title="Stories",
        items=_with_spans(store, items),
        q=q or "",
        outlet=outlet or "",
        since=since or "",
        until=until or "",
        sort=sort,
        outlets=_cached(request, "outlets", store.outlets),
        next_url=next_url,
        first_url="/?" + urlencode(params) if cursor else None,
        error=error,
        counts=_cached(request, "counts", store.counts),
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> HTMLResponse:
    if not _valid_id(story_id, story=True):
        return error_page(request, 404, "No such story.")
    store = request.app.state.store
    story = store.get_story(story_id)
    if story is None:
        return error_page(request, 404, "No such story.")
    first, last = dated_span([a.get("published") for a in story["articles"]])
    related = _with_spans(store, [r for r in story.get("related") or [] if isinstance(r, dict)])
    story = {**story, "first_published": first, "last_published": last, "related": related}
    prov = story.get("provenance") if isinstance(story.get("provenance"), dict) else None
    grades = {}
    if prov:
        for r in prov.get("articles") or []:
            if isinstance(r, dict) and isinstance(r.get("article_id"), str):
                grades[r["article_id"]] = shown_grade(r)
    graph = render.derivation_svg(prov, story["articles"], lambda aid: render.compare_url(story_id, aid))
    digest = story.get("digest") if isinstance(story.get("digest"), dict) else None
    matrix = render.coverage(digest, story["outlets"])
    outlet_of = {a["id"]: a["outlet"] for a in story["articles"] if a["outlet"]}  # else "beside its source"
    return page(
        "story.html",
        title=story["title"] or story_id,
        story=story,
        counts=story_counts(story),
        digest=digest,
        prov=prov,
        grades=grades,
        graph=graph,
        matrix=matrix,
        outlet_of=outlet_of,
        original=prov.get("original") if prov else None,
        sources={a["id"]: render.source_of(prov, a["id"]) for a in story["articles"]},
        as_list=_as_list,
        as_dict=_as_dict,
    )


def _as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else []


def _as_dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


@router.get("/stories/{story_id}/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    story_id: str,
    a: Annotated[str, Query(max_length=512)],
    b: Annotated[str | None, Query(max_length=512)] = None,
) -> HTMLResponse:
    store = request.app.state.store
    b = clean_query(b)
    if not _valid_id(story_id, story=True) or not _valid_id(a) or (b is not None and not _valid_id(b)):
        return error_page(request, 404, "No such article.")
    story = store.get_story(story_id)
    if story is None:
        return error_page(request, 404, "No such story.")
    prov = story.get("provenance") if isinstance(story.get("provenance"), dict) else None
    members = [x["id"] for x in story["articles"]]
    if b is None:
        b = render.source_of(prov, a)
        if b is None:
            b = next((m for m in members if m != a), None)
    if b is None:
        return error_page(request, 404, "This story has no other article to compare with.")
    arts = store.get_articles([a, b])
    if a not in arts or b not in arts:
        return error_page(request, 404, "No such article.")
    side_a, side_b, links, origin = render.side_by_side(arts[a], arts[b], prov)
    kinds = {k: sum(1 for link in links if link["kind"] == k) for k in render.KINDS}
    return page(
        "compare.html",
        title=f"{arts[a]['title'] or a} beside its source",
        story=story,
        a=side_a,
        b=side_b,
        links=links,
        origin=origin,
        kinds=kinds,
        members=[x for x in story["articles"]],
    )


@router.get("/articles/{article_id:path}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> HTMLResponse:
    if not _valid_id(article_id):
        return error_page(request, 404, "No such article.")
    art = request.app.state.store.get_article(article_id)
    if art is None:
        return error_page(request, 404, "No such article.")
    return page(
        "article.html",
        title=art["title"] or article_id,
        art=art,
        paragraphs=[p for p in art["text"].split("\n") if p.strip()],
    )
