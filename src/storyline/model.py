"""The records that flow between stages.

One record type, :class:`Article`, travels through ingest, clean and matching;
later stages emit their own records (:class:`Pair`, :class:`Story`). Every
record has a stable JSON form (``to_json``), which is the output contract.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA_VERSION = "1"


@dataclass(slots=True)
class Removed:
    """A piece of text that cleaning removed, and why."""

    text: str
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason}


@dataclass(slots=True)
class Article:
    """A news article. ``text`` is the body only (the title is kept apart)."""

    id: str
    text: str
    title: str = ""
    outlet: str = ""
    url: str = ""
    published: str | None = None  # ISO 8601: as given, or as the page says it (see date_source)
    author: str = ""
    lang: str = ""
    source: str = ""  # where it was read from: path, path:line, path#record
    removed: list[Removed] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)  # input fields kept as they were (labels, ...)
    # where ``published`` came from: field (the input's own), meta (the HTML's metadata), url, dateline,
    # text (a date line at the top, or an explicit date in the headline or lede), none (unknown)
    date_source: str = ""

    @property
    def headline(self) -> str:
        """The title the input or the page gave; empty when the title was made from the text's first
        sentence (``meta["title_derived"]``), so that matching never reads that sentence twice."""
        return "" if self.meta.get("title_derived") else self.title

    def to_json(self) -> dict[str, Any]:
        d = {
            "id": self.id,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "published": self.published,
            "date_source": self.date_source or ("field" if self.published else "none"),
            "author": self.author,
            "lang": self.lang,
            "source": self.source,
            "text": self.text,
            "removed": [r.to_json() for r in self.removed],
        }
        if self.meta:
            d["meta"] = self.meta
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Article:
        return cls(
            id=d["id"],
            text=d.get("text", ""),
            title=d.get("title", ""),
            outlet=d.get("outlet", ""),
            url=d.get("url", ""),
            published=d.get("published"),
            author=d.get("author", ""),
            lang=d.get("lang", ""),
            source=d.get("source", ""),
            removed=[Removed(**r) for r in d.get("removed", [])],
            meta=d.get("meta", {}) or {},
            date_source=d.get("date_source", "") or "",
        )


@dataclass(slots=True)
class Skipped:
    """An input that could not be read, or a record a stage dropped, with the reason."""

    source: str
    reason: str
    code: str = "E000"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Pair:
    """A candidate pair of articles, its features and the decision on it."""

    a: int  # index into the run's article list
    b: int
    via: str = ""  # which cascade step proposed it: exact, minhash, vector
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0  # calibrated probability that a and b report the same event
    same: bool = False


def story_id(article_ids: Iterable[str]) -> str:
    """A story's stable id, from its first article id (by id order): batch runs and stores agree on it."""
    return "st_" + hashlib.blake2b(min(article_ids).encode(), digest_size=6).hexdigest()


@dataclass(slots=True)
class Story:
    """A group of articles about one real-world event."""

    story_id: str
    title: str
    article_ids: list[str]
    best_match: dict[str, dict[str, Any]] = field(default_factory=dict)  # article id -> {id, score}
    first_published: str | None = None
    last_published: str | None = None
    outlets: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    # other stories of the same event or topic: {story_id, kind (follow-up / same-topic), score, direction}
    related: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d = {
            "story_id": self.story_id,
            "title": self.title,
            "size": len(self.article_ids),
            "article_ids": self.article_ids,
            "outlets": self.outlets,
            "first_published": self.first_published,
            "last_published": self.last_published,
            "best_match": self.best_match,
            "related": self.related,
        }
        d.update(self.extra)
        return d
