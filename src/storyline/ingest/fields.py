"""Field conventions shared by the readers: names, dates, outlets."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from storyline.errors import InputError

__all__ = ["ALIASES", "FIELDS", "field_map", "get_field", "normalise_date", "outlet_from_url", "url_date"]

#: Article fields an input record can fill, and the names looked up for each when
#: no ``fields`` mapping says otherwise (first present wins).
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "doc_id"),
    "url": ("url", "link"),
    "outlet": ("outlet",),
    "title": ("title", "headline"),
    "text": ("text", "content", "body"),
    "html": ("html",),
    "published": ("published", "date", "pubDate"),
    "author": ("author", "authors", "byline"),
    "lang": ("lang", "language"),
}
FIELDS = tuple(ALIASES)

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC2822 = re.compile(r"^(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}")
_EPOCH = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_SENTINELS = (datetime(1901, 1, 1, 1, 1, 1, 1), datetime(1902, 2, 2, 2, 2, 2, 2))


def field_map(fields: Mapping[str, str] | None) -> dict[str, tuple[str, ...]]:
    """Names to look up per article field: the mapped name first, then the usual aliases."""
    out = dict(ALIASES)
    for key, name in (fields or {}).items():
        if key not in ALIASES:
            raise InputError(f"unknown field {key!r} in the field map (known: {', '.join(FIELDS)})", code="E116")
        if not isinstance(name, str) or not name:
            raise InputError(f"field {key!r} must map to a non-empty input field name", code="E116")
        out[key] = (name, *(a for a in ALIASES[key] if a != name))
    return out


def get_field(record: Mapping[str, Any], names: tuple[str, ...]) -> tuple[str | None, Any]:
    """The first of ``names`` present in ``record`` with a non-empty value, and that value.

    A dotted name (``meta.body``) reaches into nested objects when the record has
    no top-level key of that exact name.
    """
    for name in names:
        value: Any = None
        if name in record:
            value = record[name]
        elif "." in name:
            value = record
            for part in name.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
        if value not in (None, "", [], {}):
            return name, value
    return None, None


def as_text(value: Any, sep: str = "\n") -> str | None:
    """A field value as a string: lists of strings are joined, numbers written; None when it is neither."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return sep.join(value)
    if isinstance(value, Mapping) and isinstance(value.get("name"), str):  # {"name": "Jane Doe"}
        return value["name"]
    return None


def outlet_from_url(url: str) -> str:
    """The URL's host, lowercase and without ``www.`` (``""`` when the URL has none)."""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _iso(dt: datetime) -> str:
    return dt.isoformat()


def normalise_date(value: Any) -> str | None:
    """ISO 8601 for a date given in any common form; date-only input stays ``YYYY-MM-DD``; None if unparseable.

    Numbers (and digit strings of 9 to 13 digits) are read as Unix time, in
    seconds or milliseconds, UTC.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (int, float)) or (isinstance(value, str) and _EPOCH.match(value.strip())):
        try:
            ts = float(value)
            if ts > 1e11:  # milliseconds
                ts /= 1000.0
            return _iso(datetime.fromtimestamp(ts, tz=timezone.utc))
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str):
        return None
    s = value.strip()
    if not s:
        return None
    if _DATE_ONLY.match(s):
        try:
            return date.fromisoformat(s).isoformat()
        except ValueError:
            return None
    try:
        return _iso(datetime.fromisoformat(s.replace("Z", "+00:00") if s.endswith("Z") else s))
    except ValueError:
        pass
    if _RFC2822.match(s):
        try:
            return _iso(parsedate_to_datetime(s))
        except (TypeError, ValueError, IndexError):
            pass
    return _dateutil(s)


def url_date(url: str | None) -> str | None:
    """The calendar date a news URL carries (``/2024/05/08/``, ``/2024-05-08/``), as ``YYYY-MM-DD``; None if none.

    htmldate's URL rule (the one trafilatura uses), years 1990 to 2039, checked as a real date.
    """
    if not url or len(url) > 4096:
        return None
    from htmldate.extractors import extract_url_date

    return extract_url_date(url, _url_date_options())


@lru_cache(maxsize=1)
def _url_date_options():
    from htmldate.utils import Extractor

    # extensive search, latest, earliest, original date, output format
    return Extractor(False, datetime(2039, 12, 31), datetime(1990, 1, 1), False, "%Y-%m-%d")


def _dateutil(s: str) -> str | None:
    try:
        from dateutil import parser
    except ImportError:  # pragma: no cover - installed with trafilatura (htmldate)
        return None
    parsed = []
    for default in _SENTINELS:
        try:
            parsed.append(parser.parse(s, default=default))
        except (ValueError, OverflowError, parser.ParserError):
            return None
    a, b = parsed
    if (a.year, a.month, a.day) != (b.year, b.month, b.day):
        return None  # no full calendar date in the string ("April 2025", "12")
    if a.hour != b.hour:
        return a.date().isoformat()  # no time of day given
    for part in ("minute", "second", "microsecond"):
        if getattr(a, part) != getattr(b, part):
            a = a.replace(**{part: 0})
    return _iso(a)
