"""What to follow, and what an item is: SOURCES files (text or OPML), canonical URLs, feed parsing.

A SOURCES file is either plain text (one feed URL a line, ``#`` starts a comment)
or OPML (every ``<outline xmlUrl="...">``). Feeds are RSS, Atom (through
feedparser, as ``storyline run`` reads them) or news sitemaps (``<urlset>`` with
``<news:news>``; a ``<sitemapindex>`` lists further sitemaps).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from storyline.errors import InputError
from storyline.ingest import normalise_date

#: query parameters that only track where a reader came from: dropped from canonical URLs
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|dclid|mc_cid|mc_eid|ocid|cmpid|icid|ns_\w+|at_\w+|_ga)$", re.I)


def canonical_url(url: str, base: str = "") -> str:
    """One spelling per page: scheme and host lowercased, default port, fragment and tracking parameters dropped.

    Query parameters that remain are sorted; the path keeps its case (servers may
    tell it apart) and an empty path becomes ``/``. Relative URLs resolve against ``base``.
    """
    url = urljoin(base, url.strip()) if base else url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _TRACKING.match(k)))
    return urlunsplit((scheme, host, parts.path or "/", query, ""))


def read_sources(path: str | Path) -> list[str]:
    """Feed URLs from a SOURCES file (text or OPML), in order, each once; bad lines raise ``InputError``."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read the sources file ({exc.strerror or exc})", code="E701") from exc
    text = raw.decode("utf-8", errors="replace")
    urls = _opml(p, raw) if text.lstrip().startswith("<") else _lines(p, text)
    out: list[str] = []
    for u in urls:
        c = canonical_url(u)
        if c not in out:
            out.append(c)
    if not out:
        raise InputError(f"{p}: no feed URLs in the sources file", code="E702")
    return out


def _check(p: Path, where: str, url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"{p}:{where}: not an http(s) URL: {url[:200]!r}", code="E703")
    return url


def _lines(p: Path, text: str) -> list[str]:
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if line and not line.startswith("#"):  # a URL, then optionally whitespace and a comment
            out.append(_check(p, str(n), line.split()[0]))
    return out


def _opml(p: Path, raw: bytes) -> list[str]:
    from lxml import etree

    try:
        root = etree.parse(io.BytesIO(raw), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{p}: malformed OPML: {exc}", code="E704") from exc
    return [_check(p, f"outline {n}", el.get("xmlUrl").strip())
            for n, el in enumerate(root.iter("outline"), 1) if (el.get("xmlUrl") or "").strip()]


@dataclass(slots=True)
class Item:
    """One entry of a feed: its GUID (the link when it has none), link, title and date."""

    guid: str
    url: str
    title: str = ""
    published: str | None = None


@dataclass(slots=True)
class Feed:
    kind: str  # rss | atom | sitemap | sitemapindex
    title: str = ""
    items: list[Item] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's children


class FeedError(ValueError):
    """The document is not a feed or sitemap that can be read."""


_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


def parse_feed(data: bytes, url: str) -> Feed:
    """Items of an RSS/Atom feed or a news sitemap; ``FeedError`` when no item can be read."""
    head = data[:2048].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return _sitemap(data, url)
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.get("entries") or []
    if not entries:
        if parsed.get("bozo"):
            raise FeedError(f"malformed feed: {parsed.get('bozo_exception')}")
        if parsed.get("version"):
            return Feed(kind=_kind(parsed.get("version")), title=_title(parsed))
        raise FeedError("not an RSS or Atom feed, nor a sitemap")
    feed = Feed(kind=_kind(parsed.get("version")), title=_title(parsed))
    for e in entries:
        link = (e.get("link") or "").strip()
        if not link:
            continue
        link = canonical_url(link, url)
        guid = (e.get("id") or "").strip() or link
        published = None
        for key in ("published", "updated", "created"):
            published = normalise_date(e.get(key))
            if published:
                break
        feed.items.append(Item(guid=guid, url=link, title=" ".join((e.get("title") or "").split()),
                               published=published))
    if not feed.items:
        raise FeedError("feed items have no links")
    return feed


def _kind(version: str | None) -> str:
    v = version or ""
    return "atom" if v.startswith("atom") else "rss"


def _title(parsed: dict) -> str:
    return " ".join(((parsed.get("feed") or {}).get("title") or "").split())


def _sitemap(data: bytes, url: str) -> Feed:
    from lxml import etree

    try:
        root = etree.parse(io.BytesIO(data), etree.XMLParser(resolve_entities=False, no_network=True,
                                                             huge_tree=False)).getroot()
    except etree.XMLSyntaxError as exc:
        raise FeedError(f"malformed sitemap: {exc}") from exc
    if root.tag == f"{_SM}sitemapindex":
        locs = [(el.findtext(f"{_SM}loc") or "").strip() for el in root.iter(f"{_SM}sitemap")]
        return Feed(kind="sitemapindex", sitemaps=[canonical_url(x, url) for x in locs if x])
    if root.tag != f"{_SM}urlset":
        raise FeedError(f"not a sitemap (root element {root.tag!r})")
    feed = Feed(kind="sitemap")
    for el in root.iter(f"{_SM}url"):
        loc = (el.findtext(f"{_SM}loc") or "").strip()
        if not loc:
            continue
        news = el.find(f"{_NEWS}news")
        title, published = "", None
        if news is not None:
            title = " ".join((news.findtext(f"{_NEWS}title") or "").split())
            published = normalise_date(news.findtext(f"{_NEWS}publication_date"))
        published = published or normalise_date(el.findtext(f"{_SM}lastmod"))
        link = canonical_url(loc, url)
        feed.items.append(Item(guid=link, url=link, title=title, published=published))
    return feed
