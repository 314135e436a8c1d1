"""Main-text extraction from HTML pages: a consensus of three extractors.

No single extractor is right on every page. trafilatura in precision mode is
the best single choice on news pages, but it sometimes keeps a block of
boilerplate, or returns almost nothing when its precision filters misfire.
Recall mode fails differently, and readability (a different algorithm
altogether) fails differently again. So every page goes through all three and
we keep the candidate that agrees most with the other two (the medoid under
4-gram shingle overlap): a candidate that is the odd one out is the one that
failed. Ties go to precision mode, then recall mode, then readability. The vote
has no tuned thresholds; ``bench/eval_extraction.py`` measures it.

Text is rendered from the extractors' trees by :func:`render_text` (one block
per line, list items and table rows without markdown markers), so ``|``, ``-``
and ``#`` markup never ends up in an article's text.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Extracted", "extract_html", "fragment_text", "render_text", "shingle_f1"]

LOG = logging.getLogger(__name__)

#: Elements that start and end a line: HTML blocks and trafilatura's XML vocabulary
#: (``head`` is a heading there, ``item`` a list item, ``row`` a table row, ``lb`` a line break).
_BLOCK = frozenset(
    "address article aside blockquote body br caption dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody "
    "tfoot thead tr ul head item row list quote code lb graphic doc fw note".split()
)
_CELL = frozenset({"td", "th", "cell"})
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "select", "button", "math"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u200b\u2028\u2029]+")
_TOKEN = re.compile(r"\w+")

#: Dates from the page's markup only: htmldate's extensive search also reads dates out of the
#: text, and then takes a footer's "Copyright 2025" for a publication date.
_DATE_PARAMS = {"extensive_search": False, "original_date": True}

#: Candidate extractors in order of preference (ties in the vote go to the earlier one).
CANDIDATES = ("precision", "recall", "readability")


@dataclass(slots=True)
class Extracted:
    """What a page yields: main text and the metadata found in the page."""

    text: str = ""
    title: str = ""
    date: str | None = None
    author: str = ""
    sitename: str = ""
    lang: str = ""
    url: str = ""
    description: str = ""
    method: str = ""  # which candidate won the vote (or "baseline" when all were empty)
    candidates: dict[str, int] = field(default_factory=dict)  # candidate -> characters extracted


def render_text(root: Any, skip_root_tail: bool = True) -> str:
    """Plain text of an lxml tree: one block element per line, inline runs joined, whitespace collapsed."""
    lines: list[str] = []
    cur: list[str] = []

    def flush() -> None:
        s = _SPACE.sub(" ", "".join(cur)).strip()
        if s:
            lines.append(s)
        cur.clear()

    def walk(el: Any) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag.lower() in _SKIP:
            return
        tag = tag.lower()
        if tag in _BLOCK:
            flush()
        elif tag in _CELL:
            cur.append(" ")
        if el.text:
            cur.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                cur.append(child.tail)
        if tag in _BLOCK:
            flush()
        elif tag in _CELL:
            cur.append(" ")

    if root is not None:
        walk(root)
    flush()
    return "\n".join(lines)


def fragment_text(html: str) -> str:
    """Text of an HTML fragment (a feed item's content), markup dropped, no boilerplate removal."""
    if "<" not in (html or ""):
        return _plain_lines(html or "")
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on broken input
        return _plain_lines(re.sub(r"<[^>]*>", " ", html))
    return render_text(root)


def _plain_lines(text: str) -> str:
    return "\n".join(s for s in (_SPACE.sub(" ", line).strip() for line in text.splitlines()) if s)


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    toks = _TOKEN.findall(text.lower())
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def shingle_f1(a: Counter[tuple[str, ...]], b: Counter[tuple[str, ...]]) -> float:
    """Overlap of two shingle multisets as an F1 (1.0 identical, 0.0 disjoint)."""
    total = sum(a.values()) + sum(b.values())
    if not total:
        return 1.0
    return 2.0 * sum((a & b).values()) / total


def vote(texts: dict[str, str], order: Iterable[str] = CANDIDATES) -> str:
    """Name of the candidate that agrees most with the others; empty candidates take no part."""
    names = [n for n in order if texts.get(n) and _TOKEN.search(texts[n])]
    if not names:
        return ""
    if len(names) <= 2:
        return names[0]
    sh = {n: _shingles(texts[n]) for n in names}
    score = {n: sum(shingle_f1(sh[n], sh[m]) for m in names if m != n) for n in names}
    return max(names, key=lambda n: (score[n], -names.index(n)))


def _trafilatura(tree: Any, url: str, metadata: bool, **options: Any) -> tuple[str, Any]:
    import trafilatura

    doc = trafilatura.bare_extraction(
        tree, url=url or None, include_comments=False, with_metadata=metadata,
        date_extraction_params=_DATE_PARAMS, **options
    )
    if doc is None:
        return "", None
    return render_text(getattr(doc, "body", None)), doc


def _readability(tree: Any) -> str:
    try:
        from readability import Document
    except ImportError:  # optional: the vote then runs on two candidates
        return ""
    import copy

    import lxml.html

    summary = Document(copy.deepcopy(tree)).summary(html_partial=True)
    return render_text(lxml.html.fromstring(summary)) if summary and summary.strip() else ""


def _safe(fn: Callable[[], Any], name: str, default: Any) -> Any:
    try:
        return fn()
    except Exception as exc:  # one extractor failing on a page must not lose the page
        LOG.debug("%s failed: %s", name, exc)
        return default


def extract_html(html: str | bytes, url: str = "", ensemble: bool = True) -> Extracted:
    """Main text and metadata of one HTML page.

    ``ensemble=False`` runs trafilatura's precision mode alone (about a third of
    the time, slightly lower quality). Never raises on malformed markup: what
    cannot be extracted comes back as empty text.
    """
    from trafilatura.utils import load_html

    _quiet()
    tree = _safe(lambda: load_html(html), "parse", None)
    if tree is None:
        return Extracted(url=url)
    texts: dict[str, str] = {}
    texts["precision"], doc = _safe(
        lambda: _trafilatura(tree, url, True, favor_precision=True), "precision", ("", None)
    )
    if ensemble:
        texts["recall"] = _safe(lambda: _trafilatura(tree, url, False, favor_recall=True, fast=True)[0],
                                "recall", "")
        texts["readability"] = _safe(lambda: _readability(tree), "readability", "")
    method = vote(texts)
    text = texts.get(method, "")
    if not text:
        import trafilatura

        text = _safe(lambda: _plain_lines(trafilatura.baseline(tree)[1]), "baseline", "")
        method = "baseline" if text else ""
    out = Extracted(text=text, url=url, method=method, candidates={k: len(v) for k, v in texts.items()})
    if doc is None:
        doc = _safe(lambda: _metadata(tree, url), "metadata", None)
    if doc is not None:
        out.title = _SPACE.sub(" ", getattr(doc, "title", None) or "").strip()
        out.author = _SPACE.sub(" ", getattr(doc, "author", None) or "").strip()
        out.date = getattr(doc, "date", None) or None
        out.sitename = _SPACE.sub(" ", getattr(doc, "sitename", None) or "").strip()
        out.description = getattr(doc, "description", None) or ""
        out.url = url or getattr(doc, "url", None) or ""
    if not out.title:
        t = tree.find(".//title")
        out.title = _SPACE.sub(" ", t.text_content()).strip() if t is not None else ""
    out.lang = _lang(tree)
    return out


def _quiet() -> None:
    """Keep the extractors' per-page warnings off stderr unless their loggers were configured.

    What failed is reported as a ``Skipped`` record with its reason instead.
    """
    for name in ("trafilatura", "readability", "htmldate", "courlan"):
        log = logging.getLogger(name)
        if log.level == logging.NOTSET:
            log.setLevel(logging.CRITICAL)


def _metadata(tree: Any, url: str) -> Any:
    from trafilatura.metadata import extract_metadata

    return extract_metadata(tree, default_url=url or None, date_config=_DATE_PARAMS)


def _lang(tree: Any) -> str:
    for el in (tree, tree.find(".//html")):
        if el is not None:
            lang = (el.get("lang") or el.get("xml:lang") or "").strip()
            if lang:
                return lang.split("-")[0].split("_")[0].lower()[:8]
    return ""
