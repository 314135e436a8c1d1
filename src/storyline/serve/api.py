"""The JSON API: list and search stories, read a story, an article, post articles, health.

Every input is validated by pydantic models or constrained parameters; bodies
are size-limited by the app's middleware; writes need the bearer token when one
is configured (always when the server listens beyond loopback).
"""

from __future__ import annotations

import hmac
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from storyline import __version__
from storyline.model import Article, Removed
from storyline.serve.render import safe_url

# Article ids come from the sources (file paths, URLs, feed GUIDs): any printable text up to 512
# characters. Story ids are made by the pipeline and never hold a slash (it would make page URLs ambiguous).
ARTICLE_ID_PATTERN = r"^[^\x00-\x1f\x7f]{1,512}$"
STORY_ID_PATTERN = r"^[^/\x00-\x1f\x7f]{1,256}$"
MAX_TEXT = 500_000
MAX_BATCH = 500

router = APIRouter(prefix="/api")

StoryId = Annotated[str, Path(pattern=STORY_ID_PATTERN, description="A story's id")]
ArticleId = Annotated[str, Path(pattern=ARTICLE_ID_PATTERN, description="An article's id (may contain '/')")]


class ApiError(BaseModel):
    detail: str | list[Any]
    code: str | None = None


class RemovedIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=100_000)
    reason: str = Field(max_length=200)


class ArticleIn(BaseModel):
    """An article to ingest. Without ``id``, one is derived from its content (same content, same id)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    id: str | None = Field(
        default=None,
        pattern=ARTICLE_ID_PATTERN,
        description="Stable id (printable, up to 512 characters); derived from the content when absent",
    )
    text: str = Field(min_length=1, max_length=MAX_TEXT, description="The body, without the title")
    title: str = Field(default="", max_length=1_000)
    outlet: str = Field(default="", max_length=200)
    url: str = Field(default="", max_length=2_048, description="http(s) URL of the article, or empty")
    published: str | None = Field(default=None, max_length=40, description="ISO 8601 date or date-time")
    date_source: str = Field(default="", pattern=r"^(|field|meta|url|dateline|text|neighbours|none)$",
                             description="where `published` came from (as in articles.jsonl); empty: the input's own")
    author: str = Field(default="", max_length=500)
    lang: str = Field(default="", max_length=35, pattern=r"^[A-Za-z0-9-]*$")
    source: str = Field(default="", max_length=1_000)
    removed: list[RemovedIn] = Field(default_factory=list, max_length=1_000)
    meta: dict[str, Any] = Field(default_factory=dict, description="Opaque input fields, kept as given")

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and safe_url(v) is None:
            raise ValueError("url must be an http or https URL")
        return v

    @field_validator("published")
    @classmethod
    def _published(cls, v: str | None) -> str | None:
        if v is None or v == "":
            return None
        s = v[:-1] + "+00:00" if v.endswith(("Z", "z")) else v
        try:
            datetime.fromisoformat(s)
        except ValueError as exc:
            raise ValueError("published must be an ISO 8601 date or date-time") from exc
        return v

    @field_validator("meta")
    @classmethod
    def _meta(cls, v: dict[str, Any]) -> dict[str, Any]:
        if len(v) > 100:
            raise ValueError("meta: at most 100 keys")
        return v

    def to_article(self) -> Article:
        """The article, placed in time as a file would be (:func:`storyline.ingest.place_in_time`)."""
        from storyline.ingest import place_in_time

        return place_in_time(Article(
            id=self.id or "",
            text=self.text,
            title=self.title,
            outlet=self.outlet,
            url=self.url,
            published=self.published,
            date_source="" if self.date_source in ("", "none", "neighbours") else self.date_source,
            author=self.author,
            lang=self.lang,
            source=self.source or "api",
            removed=[Removed(r.text, r.reason) for r in self.removed],
            meta=self.meta,
        ))


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleIn] = Field(min_length=1, max_length=MAX_BATCH)


class IngestResult(BaseModel):
    id: str
    status: Literal["inserted", "duplicate", "conflict"] = Field(
        description="inserted; duplicate (already stored, same text); conflict (id stored with another text, "
        "the stored one is kept)"
    )
    story_id: str
    new_story: bool


class IngestResponse(BaseModel):
    results: list[IngestResult]


class StorySummary(BaseModel):
    story_id: str
    title: str
    size: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None
    pending: bool = Field(description="True while the story's grades and digest are being redone")


class StoryPage(BaseModel):
    items: list[StorySummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class ArticleSummary(BaseModel):
    id: str
    outlet: str
    title: str
    url: str
    published: str | None
    date_source: str = Field(default="none", description="where the date came from: field, meta, url, dateline, "
                                                         "text or none (unknown)")
    chars: int


class RelatedStory(BaseModel):
    model_config = ConfigDict(extra="allow")
    story_id: str
    kind: Literal["follow-up", "same-topic"] = Field(
        description="follow-up: a later or earlier development of the same event; same-topic: another event alike")
    score: float = Field(description="the strongest pair probability between the two stories")
    direction: Literal["earlier", "later", "none"] = Field(description="when the other story is, seen from this one")
    title: str | None = None
    first_published: str | None = None


class StoryOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    story_id: str
    title: str
    size: int
    article_ids: list[str]
    outlets: list[str]
    first_published: str | None
    last_published: str | None
    version: int
    pending: bool
    articles: list[ArticleSummary]
    digest: dict[str, Any] | None
    provenance: dict[str, Any] | None
    related: list[RelatedStory] = Field(default_factory=list, description="linked stories, not merged ones")


class ArticleOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str
    outlet: str
    url: str
    title: str
    published: str | None
    date_source: str = Field(default="none", description="where the date came from: field (the input), meta (the "
                                                         "page's metadata), url, dateline, text or none (unknown)")
    author: str
    lang: str
    source: str
    text: str
    removed: list[dict[str, Any]]
    story_id: str | None


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    articles: int
    stories: int
    stories_pending: int
    settling: bool = Field(description="writes wait to be settled (stories made equal to a batch run)")
    migrations: list[str]


def require_write(request: Request) -> None:
    """Writes: JSON only (a foreign web page cannot post without a CORS preflight), and the token if set."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise HTTPException(status_code=415, detail="send application/json")
    token: str | None = request.app.state.token
    if token:
        auth = request.headers.get("authorization", "")
        given = auth[7:] if auth[:7].lower() == "bearer " else request.headers.get("x-storyline-token", "")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            raise HTTPException(
                status_code=401,
                detail="a valid token is needed to write",
                headers={"WWW-Authenticate": "Bearer"},
            )


_DATE = r"^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$"


@router.get("/health", response_model=Health, summary="Liveness and store counts")
def health(request: Request) -> dict[str, Any]:
    store = request.app.state.store
    c = store.counts()
    settler = request.app.state.settler
    return {"status": "ok", "version": __version__, "migrations": [m[0] for m in store.migrations()],
            "settling": bool(settler is not None and settler.pending), **c}


@router.get(
    "/stories",
    response_model=StoryPage,
    summary="List or search stories",
    description="Newest day first and largest first within a day (`sort=recent`), or by `newest` / "
    "`largest`. `q` matches story titles, digests and article text; `outlet`, `since`, `until` filter. "
    "Keyset-paginated.",
    responses={400: {"model": ApiError}},
)
def list_stories(
    request: Request,
    q: Annotated[str | None, Query(max_length=200, description="Words to search for")] = None,
    outlet: Annotated[str | None, Query(max_length=200)] = None,
    since: Annotated[
        str | None, Query(pattern=_DATE, description="ISO date: stories active on or after")
    ] = None,
    until: Annotated[
        str | None, Query(pattern=_DATE, description="ISO date: stories active on or before")
    ] = None,
    sort: Annotated[Literal["recent", "newest", "largest"], Query()] = "recent",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200, pattern=r"^[A-Za-z0-9_-]*$")] = None,
) -> dict[str, Any]:
    items, nxt = request.app.state.store.list_stories(
        q=q, outlet=outlet, since=since, until=until, sort=sort, limit=limit, cursor=cursor
    )
    return {"items": items, "next_cursor": nxt}


@router.get(
    "/stories/{story_id}",
    response_model=StoryOut,
    summary="A story with its articles, digest and provenance",
    responses={404: {"model": ApiError}},
)
def get_story(request: Request, story_id: StoryId) -> dict[str, Any]:
    story = request.app.state.store.get_story(story_id)
    if story is None:
        raise HTTPException(status_code=404, detail="no such story")
    return story


@router.get(
    "/articles/{article_id:path}",
    response_model=ArticleOut,
    summary="An article as stored",
    responses={404: {"model": ApiError}},
)
def get_article(request: Request, article_id: ArticleId) -> dict[str, Any]:
    art = request.app.state.store.get_article(article_id)
    if art is None:
        raise HTTPException(status_code=404, detail="no such article")
    return art


@router.post(
    "/articles",
    response_model=IngestResponse,
    summary="Ingest articles",
    description="Stores each article once (idempotent on id) and places it in a story at once. A moment "
    "later the service settles the store: stories become what one batch run over every stored article "
    "finds, and those that changed are re-graded and re-digested. Needs the bearer token when the server "
    "has one.",
    dependencies=[Depends(require_write)],
    responses={401: {"model": ApiError}, 413: {"model": ApiError}, 415: {"model": ApiError}},
)
def post_articles(request: Request, body: IngestRequest) -> dict[str, Any]:
    state = request.app.state
    arts = [a.to_article() for a in body.articles]
    with state.write_lock:
        done = state.assigner.assign_detailed(arts, refresh=state.settler is None)
    if state.settler is not None:
        state.settler.poke()
    return {
        "results": [
            {"id": a.id, "status": a.status, "story_id": a.story_id, "new_story": a.new_story} for a in done
        ]
    }


def clean_query(value: str | None) -> str | None:
    """Empty form fields count as absent."""
    if value is None:
        return None
    value = value.strip()
    return value or None


_DATE_RE = re.compile(_DATE)
