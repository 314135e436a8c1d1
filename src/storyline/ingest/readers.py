"""Readers: files and folders in, :class:`Article` and :class:`Skipped` records out.

One bad file, or one bad record in a stream, never stops the rest: it becomes a
``Skipped(source, reason, code)`` and reading goes on. Codes are stable:

====  =========================================================================
E101  empty file
E102  binary file (an image, an archive... under a text extension)
E103  undecodable text
E104  truncated or corrupt gzip data
E105  larger than ``max_doc_bytes`` (a single-document file, or one record of a stream)
E106  unsupported format (file extension)
E107  malformed JSON (a file, a JSON-lines line, or a sidecar)
E108  malformed or empty RSS/Atom feed
E109  no text: nothing extracted from a page, a text-free record, a file without records
E110  malformed or truncated WARC
E111  cannot read the path (missing, permissions)
E113  malformed record (not a JSON object, a field of the wrong type)
E114  already read through another argument
E115  a sidecar given as an input of its own
E118  a symbolic link leading outside the folder being read, not followed (``follow_symlinks``,
      ``--follow-symlinks``, reads it)
E119  a truncated WARC record (the file ends inside its headers, or before its declared length)
E199  unexpected error while reading one file (a bug: please report it)
====  =========================================================================
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import json
import os
import re
import zlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from storyline.ingest.dates import infer_date
from storyline.ingest.decode import DecodeError, declared_charset, decode_bytes, sniff_binary
from storyline.ingest.extract import extract_html, fragment_text
from storyline.ingest.fields import as_text, field_map, get_field, normalise_date, outlet_from_url
from storyline.model import Article, Removed, Skipped

__all__ = [
    "CODES",
    "derive_title",
    "following_symlinks",
    "read_inputs",
    "read_jsonl_records",
    "read_paths",
    "record_to_article",
]

CODES: dict[str, str] = {
    "E101": "empty file",
    "E102": "binary file",
    "E103": "undecodable text",
    "E104": "truncated or corrupt gzip data",
    "E105": "larger than max_doc_bytes",
    "E106": "unsupported format",
    "E107": "malformed JSON",
    "E108": "malformed or empty feed",
    "E109": "no text",
    "E110": "malformed WARC",
    "E111": "cannot read path",
    "E113": "malformed record",
    "E114": "already read",
    "E115": "sidecar given as input",
    "E118": "symbolic link leading outside",
    "E119": "truncated WARC record",
    "E199": "unexpected error",
}

_KINDS = {
    ".txt": "txt", ".text": "txt",
    ".html": "html", ".htm": "html", ".xhtml": "html", ".shtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed", ".rdf": "feed",
    ".warc": "warc",
}
_SIDECAR_OF = (".txt", ".txt.gz", ".html", ".htm", ".html.gz", ".htm.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class _Skip(Exception):
    def __init__(self, source: str, reason: str, code: str):
        super().__init__(reason)
        self.skipped = Skipped(source=source, reason=reason, code=code)


@dataclass
class _Ctx:
    fields: dict[str, tuple[str, ...]]
    max_doc_bytes: int
    ids: set[str] = field(default_factory=set)
    follow_symlinks: bool | None = None  # None: the process default (:func:`following_symlinks`)


# -- symbolic links ------------------------------------------------------------------------------------

_FOLLOW_SYMLINKS = False


@contextmanager
def following_symlinks(follow: bool = True) -> Iterator[None]:
    """Within the block, readers follow symbolic links that lead outside the folder read (or not).

    The default for calls that do not say (``follow_symlinks=None``); the command line's
    ``--follow-symlinks`` sets it for ``storyline run``, whose reading is planned by
    :mod:`storyline.executors.shards`.
    """
    global _FOLLOW_SYMLINKS
    before, _FOLLOW_SYMLINKS = _FOLLOW_SYMLINKS, bool(follow)
    try:
        yield
    finally:
        _FOLLOW_SYMLINKS = before


def _following(follow: bool | None) -> bool:
    return _FOLLOW_SYMLINKS if follow is None else bool(follow)


def _inside(real: str, folder_real: str) -> bool:
    """Whether the resolved path ``real`` is ``folder_real`` or lies under it."""
    return real == folder_real or real.startswith(folder_real.rstrip(os.sep) + os.sep)


class _LinkOut(type(Path())):  # type: ignore[misc]
    """A symbolic link found in a folder that leads outside it, not to be followed.

    It answers ``is_file()`` with False, so every reading path (``read_inputs`` and the
    planned, sharded reading) hands it to :func:`_read_file`, which reports it (E118)
    without opening it.
    """

    def is_file(self) -> bool:  # type: ignore[override]
        return False

    def is_dir(self) -> bool:  # type: ignore[override]
        return False


# -- paths -------------------------------------------------------------------------------------------


def _kind(name: str) -> tuple[str | None, bool, str]:
    """(format, gzipped, the name's extension) of a file name."""
    low = name.lower()
    gz = low.endswith(".gz")
    if gz:
        low = low[:-3]
    ext = os.path.splitext(low)[1]
    return _KINDS.get(ext), gz, ext + (".gz" if gz else "")


def _stem(name: str) -> str:
    """The file name without its extension (both of ``.html.gz``)."""
    if name.lower().endswith(".gz"):
        name = name[:-3]
    stem, ext = os.path.splitext(name)
    return stem if ext and stem else name


def _is_sidecar(path: Path) -> bool:
    if isinstance(path, _LinkOut) or path.suffix.lower() != ".json":
        return False
    stem = path.name[: -len(".json")]
    return any((path.parent / (stem + ext)).is_file() for ext in _SIDECAR_OF)


IGNORE_FILE = ".storylineignore"


def _ignored(base: Path, patterns: list[str]) -> list[str]:
    """Glob patterns from a folder's ``.storylineignore`` (one a line, ``#`` comments), added to its parents'."""
    f = base / IGNORE_FILE
    if not f.is_file():
        return patterns
    try:
        lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return patterns
    own = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    return patterns + [(base / p).as_posix() for p in own]


def _walk(root: Path, errors: list[OSError], follow_symlinks: bool | None = None) -> list[Path]:
    """Files under ``root`` in sorted order of their relative paths.

    Hidden files and folders are left out, and so is whatever a ``.storylineignore``
    file in a folder names (glob patterns relative to that folder, e.g. ``README.md``).
    A symbolic link (to a file or a folder) that leads outside ``root`` is listed as a
    :class:`_LinkOut`, reported rather than read, unless ``follow_symlinks``; then
    linked folders are read too, each real folder once (no loops). Links to places
    inside ``root`` are read where they really are, as before.
    """
    follow = _following(follow_symlinks)
    root_real = os.path.realpath(root)
    seen = {root_real}
    found: list[tuple[tuple[str, ...], Path]] = []
    inherited: dict[Path, list[str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append, followlinks=follow):
        base = Path(dirpath)
        patterns = _ignored(base, inherited.get(base, []))
        keep = []
        for d in sorted(dirnames):
            p = base / d
            if d.startswith(".") or _matches(p.as_posix(), patterns):
                continue
            if p.is_symlink():
                real = os.path.realpath(p)
                if _inside(real, root_real) or real in seen:
                    continue  # read where it really is (and os.walk would not descend into it)
                if not follow:
                    found.append((p.relative_to(root).parts, _LinkOut(p)))
                    continue
                seen.add(real)
            keep.append(d)
        dirnames[:] = keep
        for d in dirnames:
            inherited[base / d] = patterns
        for name in filenames:
            p = base / name
            if name.startswith(".") or _matches(p.as_posix(), patterns):
                continue
            if not follow and p.is_symlink() and not _inside(os.path.realpath(p), root_real):
                p = _LinkOut(p)
            found.append((p.relative_to(root).parts, p))
    found.sort(key=lambda t: t[0])
    return [p for _, p in found]


def _matches(path: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(path, pat) for pat in patterns)


def _arg_name(arg: Path) -> str:
    """The name an argument's ids start with: a folder's own name, a file's stem."""
    name = Path(os.path.abspath(arg)).name
    return _stem(name) if arg.is_file() else name


# -- entry point --------------------------------------------------------------------------------------


def read_inputs(
    paths: Sequence[str | Path],
    fields: Mapping[str, str] | None = None,
    max_doc_bytes: int = 20_000_000,
    follow_symlinks: bool | None = None,
) -> Iterator[Article | Skipped]:
    """Articles from files and folders (read recursively), with a ``Skipped`` for every input that failed.

    Arguments are read in a canonical order (by the name ids start with, then
    the path), so the records, their ids and the resolution of duplicate ids do
    not depend on the order the arguments were given in. ``fields`` maps article
    fields to input field names (``{"text": "article_body"}``); an unknown
    article field raises :class:`~storyline.errors.InputError` here, before any
    reading. A symbolic link inside a folder that leads outside it is skipped (E118)
    unless ``follow_symlinks`` (None: the default :func:`following_symlinks` sets);
    paths given as arguments are always read.
    """
    ctx = _Ctx(fields=field_map(fields), max_doc_bytes=int(max_doc_bytes), follow_symlinks=follow_symlinks)
    return _read_all([Path(p) for p in paths], ctx)


#: The name the store's ``ingest`` command looks up.
read_paths = read_inputs


def _read_all(paths: list[Path], ctx: _Ctx) -> Iterator[Article | Skipped]:
    unique: dict[str, Path] = {}
    for p in paths:
        unique.setdefault(os.path.realpath(p), p)
    args = sorted(unique.values(), key=lambda p: (_arg_name(p), p.as_posix()))
    done: set[str] = set()
    for arg in args:
        if arg.is_dir():
            prefix = _arg_name(arg)
            errors: list[OSError] = []
            for f in _walk(arg, errors, ctx.follow_symlinks):
                if _is_sidecar(f):
                    continue
                rel = f.relative_to(arg)
                base = "/".join((prefix, *rel.parts[:-1], _stem(rel.name)))
                yield from _dedupe(_read_file(f, base, ctx, done), ctx)
            for err in errors:
                yield Skipped(source=str(err.filename or arg), reason=f"cannot read folder: {err.strerror or err}",
                              code="E111")
        elif arg.exists():
            yield from _dedupe(_read_file(arg, _arg_name(arg), ctx, done), ctx)
        else:
            yield Skipped(source=str(arg), reason="no such file or directory", code="E111")


def _dedupe(items: Iterator[Article | Skipped], ctx: _Ctx) -> Iterator[Article | Skipped]:
    """Give a repeated id a suffix (``id~2``, ``id~3``...) and note the original in ``meta``."""
    for item in items:
        if isinstance(item, Article):
            if item.id in ctx.ids:
                orig, k = item.id, 2
                while f"{orig}~{k}" in ctx.ids:
                    k += 1
                item.id = f"{orig}~{k}"
                _note(item.meta, duplicate_of=orig)
            ctx.ids.add(item.id)
        yield item


def _read_file(path: Path, base: str, ctx: _Ctx, done: set[str]) -> Iterator[Article | Skipped]:
    src = str(path)
    if isinstance(path, _LinkOut):
        yield Skipped(source=src, reason="symbolic link leading outside the folder read, not followed "
                      "(--follow-symlinks reads it)", code="E118")
        return
    real = os.path.realpath(path)
    if real in done:
        yield Skipped(source=src, reason="already read through another argument", code="E114")
        return
    done.add(real)
    if not path.is_file():
        yield Skipped(source=src, reason="not a regular file", code="E111")
        return
    kind, gz, ext = _kind(path.name)
    if kind is None:
        yield Skipped(source=src, reason=f"unsupported format ({ext or 'no extension'})", code="E106")
        return
    if kind == "json" and _is_sidecar(path):
        yield Skipped(source=src, reason="sidecar metadata of a text or HTML file, read with it", code="E115")
        return
    try:
        if kind == "jsonl":
            yield from _read_jsonl(path, base, ctx, gz)
        elif kind == "warc":
            yield from _read_warc(path, base, ctx)
        else:
            data = _read_doc(path, gz, ctx.max_doc_bytes)
            if kind == "txt":
                yield _read_txt(path, data, base, ctx)
            elif kind == "html":
                yield _read_html(path, data, base, ctx)
            elif kind == "json":
                yield from _read_json(path, data, base, ctx)
            else:
                yield from _read_feed(path, data, base, ctx)
    except _Skip as skip:
        yield skip.skipped
    except OSError as exc:
        yield Skipped(source=src, reason=f"cannot read: {exc.strerror or exc}", code="E111")
    except Exception as exc:  # nothing raises out of read_inputs for one bad file
        yield Skipped(source=src, reason=f"unexpected error: {type(exc).__name__}: {exc}", code="E199")


# -- single documents --------------------------------------------------------------------------------


def _read_doc(path: Path, gz: bool, max_bytes: int) -> bytes:
    """The whole file (decompressed), refusing empty, oversized and corrupt files."""
    src = str(path)
    if not gz:
        size = path.stat().st_size
        if size == 0:
            raise _Skip(src, "empty file", "E101")
        if size > max_bytes:
            raise _Skip(src, f"larger than max_doc_bytes ({size} > {max_bytes} bytes)", "E105")
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _Skip(src, f"truncated or corrupt gzip file: {exc}", "E104") from exc
    if len(data) > max_bytes:
        raise _Skip(src, f"larger than max_doc_bytes once decompressed (> {max_bytes} bytes)", "E105")
    if not data:
        raise _Skip(src, "empty file", "E101")
    return data


def _text_of(src: str, data: bytes, declared: str | None = None) -> tuple[str, str]:
    what = sniff_binary(data)
    if what:
        raise _Skip(src, f"binary file: {what}, not text", "E102")
    try:
        text, enc = decode_bytes(data, declared)
    except DecodeError as exc:
        raise _Skip(src, f"undecodable text: {exc}", "E103") from exc
    if not text.strip():
        raise _Skip(src, "empty file (only whitespace)", "E101")
    return text, enc


def _note(meta: dict[str, Any], **notes: Any) -> None:
    kept = {k: v for k, v in notes.items() if v}
    if kept:
        meta.setdefault("_ingest", {}).update(kept)


def _encoding_note(enc: str) -> str:
    """The encoding to record: nothing for UTF-8 (the expected case), the guess otherwise."""
    return "" if enc in ("utf-8", "utf-8-sig", "ascii") else enc


def _sidecar(path: Path, ctx: _Ctx) -> tuple[dict[str, Any], Skipped | None]:
    side = path.parent / (_stem(path.name) + ".json")
    if not side.is_file():
        return {}, None
    if side.is_symlink() and not _following(ctx.follow_symlinks):
        here = os.path.dirname(os.path.realpath(path))
        if not _inside(os.path.realpath(side), here):
            return {}, Skipped(source=str(side), reason="sidecar is a symbolic link leading outside its folder, "
                               "ignored (--follow-symlinks reads it)", code="E118")
    try:
        raw = side.read_bytes()
        obj = json.loads(decode_bytes(raw)[0]) if raw.strip() else {}
    except (OSError, DecodeError, ValueError) as exc:
        return {}, Skipped(source=str(side), reason=f"malformed JSON in sidecar, ignored: {exc}", code="E107")
    if not isinstance(obj, dict):
        return {}, Skipped(source=str(side), reason="sidecar is not a JSON object, ignored", code="E107")
    return obj, None


def _is_paragraph(line: str) -> bool:
    """A first line that reads as a paragraph rather than a headline (long, or a full sentence of some length)."""
    words = len(line.split())
    return words > 35 or (words > 22 and line.rstrip().endswith((".", "!", '"', "”")))


def _read_txt(path: Path, data: bytes, base: str, ctx: _Ctx) -> Article | Skipped:
    src = str(path)
    text, enc = _text_of(src, data)
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    head = lines[first].strip() if first < len(lines) else ""
    side, bad = _sidecar(path, ctx)
    rec = dict(side)
    side_title = as_text(get_field(side, ctx.fields["title"])[1]) or ""
    if (side_title and " ".join(side_title.split()) != " ".join(head.split())) or _is_paragraph(head):
        # The first line is not the title (the sidecar gives another, or it reads as the lede): it is text.
        body = lines[first:]
        head = ""
    elif not side_title and _furniture(head, *(as_text(get_field(side, ctx.fields[k])[1]) or "" for k in
                                               ("outlet", "url"))):
        # Scraped page furniture ("Next Story") above the headline: the headline is the first line that
        # reads as one before the text begins; the furniture stays in the text, for cleaning to remove.
        k = _headline_line(lines, first + 1)
        if k is None:
            body, head = lines[first:], ""
        else:
            body, head = lines[first:k] + lines[k + 1 :], lines[k].strip()
    else:
        body = lines[first + 1 :]
    for name in ctx.fields["title"] + ctx.fields["text"] + ctx.fields["html"]:
        rec.pop(name, None)
    rec["title"] = side_title or head
    rec["text"] = "\n".join(body).strip("\n")
    art = _record(rec, src, base, ctx, text_names=("text",))
    if isinstance(art, Article):
        _note(art.meta, encoding=_encoding_note(enc), sidecar_error=bad.reason if bad else "")
    return art


def _read_html(path: Path, data: bytes, base: str, ctx: _Ctx) -> Article | Skipped:
    src = str(path)
    text, enc = _text_of(src, data, declared_charset(data))
    side, bad = _sidecar(path, ctx)
    _, url = get_field(side, ctx.fields["url"])
    ex = extract_html(text, url=as_text(url) or "")
    if not ex.text.strip():
        return Skipped(source=src, reason="no main text found in the HTML page", code="E109")
    rec = dict(side)
    rec["text"] = ex.text
    art = _record(rec, src, base, ctx, text_names=("text",), page=ex)
    if isinstance(art, Article):
        _note(art.meta, encoding=_encoding_note(enc), sidecar_error=bad.reason if bad else "")
    return art


def _fill_from_page(art: Article, ex: Any) -> None:
    """Fields the input did not give, taken from what the page itself says (its date: see :func:`_record`).

    The outlet, when the input names none: the URL's host (the input's URL, else the page's
    canonical one), else the site name the page gives (``og:site_name``, the publisher in its
    metadata); with none of these the article has no outlet ("outlet unknown" where shown).
    """
    art.title = art.title or ex.title
    art.url = art.url or ex.url
    art.author = art.author or ex.author
    art.lang = art.lang or ex.lang
    art.outlet = art.outlet or outlet_from_url(art.url) or ex.sitename


# -- titles ------------------------------------------------------------------------------------------

#: Lines looked at, from the top, for a headline under page furniture and for a derived title.
_HEAD_LINES = 6
_LEAD_LINES = 8
#: Words a derived title keeps at most (cut at a clause boundary where there is one).
_DERIVED_MAX_WORDS = 18
#: Words a cut-short derived title ends before ("... checks into rehab | on Friday").
_CUT_BEFORE = frozenset(
    "on in at after before for with to from by as while when over amid during despite following since "
    "and but says said told according".split()
)


@lru_cache(maxsize=1)
def _title_cleaner() -> Any:
    from storyline.clean import Cleaner

    return Cleaner()


def _kept_title(title: str, outlet: str = "", url: str = "") -> str:
    """``title`` as cleaning keeps it: normalised (quotes, dashes, entities, mojibake), the outlet's name
    cut from its end; ``""`` when cleaning drops it whole (page furniture, the outlet's own name).

    The cleaner's own title rule (:meth:`storyline.clean.Cleaner.transform`, unfitted), so that the
    title read here is the one a run shows after cleaning, for ``run``, ``ingest`` and ``watch`` alike.
    """
    if not title.strip():
        return ""
    stub = Article(id="", text="", title=title, outlet=outlet, url=url)
    return _title_cleaner().transform(stub).title


def _furniture(title: str, outlet: str = "", url: str = "") -> bool:
    """Whether cleaning drops ``title`` whole: page furniture ("Next Story", "Send Push") or the outlet's name."""
    return bool(title.strip()) and not _kept_title(title, outlet, url)


def _boilerplate(line: str) -> bool:
    from storyline.clean.patterns import classify

    return classify(line) is not None


def _headline_line(lines: list[str], start: int = 0) -> int | None:
    """Index of the line, from ``start``, that reads as the headline before the text begins; None if none.

    Furniture, boilerplate and stray one- or two-word lines (a site's name) are passed over;
    the first other line is the headline when it is short and not closed like a sentence.
    """
    seen = 0
    for i in range(start, len(lines)):
        line = " ".join(lines[i].split())
        if not line:
            continue
        seen += 1
        if seen > _HEAD_LINES:
            break
        words = len(line.split())
        if words < 3 or _furniture(line) or _boilerplate(line):
            continue
        if words <= 22 and not line.endswith((".", ",", ";", ":")):
            return i
        break
    return None


def derive_title(text: str, max_words: int = _DERIVED_MAX_WORDS) -> str:
    """A title for a text that has none: the line it opens with when that reads as a headline, else
    the opening words of its first sentence.

    Boilerplate lines at the top are passed over, and so is a sentence too short to name
    anything (a dateline such as ``MOSCOW.``). A title made from a sentence ends at a clause
    boundary (else before a preposition or conjunction), has at most ``max_words`` words and
    is never the whole paragraph: the text keeps its lede (cleaning drops a line that repeats
    the title) and still begins with its title. Empty when the text has no words.
    """
    from storyline.provenance.sentences import split_sentences

    lines = [ln for ln in (" ".join(x.split()) for x in text.splitlines()) if ln][:_LEAD_LINES]
    kept = [ln for ln in lines if not _boilerplate(ln)] or lines
    if kept and _headline_line(kept[:1]) == 0:
        return kept[0]
    for line in kept:
        pick = next((x for x in split_sentences(line) if len(x.split()) >= 4), "")
        if pick:
            break
    else:
        line = pick = kept[0] if kept else ""
    words = pick.split()
    whole = " ".join(words) == line
    if len(words) <= max_words and not whole:
        return " ".join(words)
    return _cut(words, min(max_words, len(words) - 1) if whole else max_words)


def _cut(words: list[str], most: int) -> str:
    """The first words of a sentence, at most ``most`` of them: to a clause boundary after eight words or
    more, else before a preposition or conjunction, else to any clause boundary, else ``most`` words."""
    if most < 4:
        return " ".join(words).rstrip(".!?")

    def clause(i: int) -> bool:
        return words[i - 1].endswith((",", ";", ":")) or words[i] in ("—", "–", "-")

    def before(i: int) -> bool:
        return words[i].lower().strip("\"'“‘(") in _CUT_BEFORE

    cut = (next((i for i in range(most, 7, -1) if clause(i)), 0)
           or next((i for i in range(most, 2, -1) if before(i)), 0)
           or next((i for i in range(min(most, 7), 3, -1) if clause(i)), 0)
           or most)
    return " ".join(words[:cut]).rstrip(",;:—–- ")


def _settle_title(art: Article) -> None:
    """The title as cleaning keeps it; one that is page furniture gives way to the headline the text opens
    with, if any."""
    if not art.title:
        return
    kept = _kept_title(art.title, art.outlet, art.url)
    if not kept:
        _note(art.meta, furniture_title=art.title)
        lines = art.text.splitlines()
        k = _headline_line(lines)
        kept = _kept_title(lines[k], art.outlet, art.url) if k is not None else ""
    art.title = kept


def _derive_title(art: Article) -> None:
    """Give an untitled article a title made from its first sentence, marked ``meta["title_derived"]``."""
    if not art.title and art.text.strip():
        made = derive_title(art.text)
        art.title = _kept_title(made, art.outlet, art.url) or made
        if art.title:
            art.meta["title_derived"] = True


def place_in_time(art: Article, meta_date: str | None = None) -> Article:
    """Set ``published`` and ``date_source`` from everything the article says (:mod:`storyline.ingest.dates`).

    The input's own date (``date_source`` ``field``) is kept; otherwise the page's metadata
    (``meta_date``, found by htmldate), the URL, a dateline, a date line at the top or a date
    in the headline or lede, in that order of trust. Calling it again (after the page's
    metadata is known) recomputes what was inferred.
    """
    given = art.published if art.date_source in ("", "field") else None
    if given:
        art.date_source = "field"
        return art
    if art.date_source == "meta" and not meta_date:
        return art
    got = infer_date(art.title, art.text, art.url, meta=normalise_date(meta_date) if meta_date else None,
                     lang=art.lang or None)
    art.published, art.date_source = got.date, got.source
    return art


# -- records -----------------------------------------------------------------------------------------


def record_to_article(
    rec: Mapping[str, Any], source: str, default_id: str, fields: Mapping[str, str] | None = None
) -> Article | Skipped:
    """One input record (a JSON object) as an Article; fields not used are kept in ``meta``.

    ``default_id`` is used when the record has no id of its own. An ``html``
    field goes through :func:`~storyline.ingest.extract.extract_html` when there
    is no text field. A record without text is skipped (E109), whatever its title.
    """
    return _record(rec, source, default_id, _Ctx(fields=field_map(fields), max_doc_bytes=20_000_000))


#: Where a date can come from (:mod:`storyline.ingest.dates`): a record's own ``date_source`` is kept
#: with its date when it is one of these (an article record written by ``storyline run``, read again).
_DATE_SOURCES = ("field", "meta", "url", "dateline", "text")


_ENTITY_REF = re.compile(r"&(?:amp;)*#?[A-Za-z0-9_]+;?")
_WORD_CHAR = re.compile(r"\w")


def _has_words(text: str) -> bool:
    """Whether ``text`` holds a letter or a digit, entity references left unexpanded (``&lol9;``) aside."""
    return bool(_WORD_CHAR.search(_ENTITY_REF.sub(" ", text))) if "&" in text else bool(_WORD_CHAR.search(text))


def _is_article_record(rec: Mapping[str, Any]) -> bool:
    """An ``Article.to_json()`` record (what ``storyline run`` writes to articles.jsonl)."""
    return isinstance(rec.get("removed"), list) and isinstance(rec.get("date_source"), str)


def _record(
    rec: Any,
    source: str,
    default_id: str,
    ctx: _Ctx,
    text_names: tuple[str, ...] | None = None,
    fallback_outlet: str = "",
    page: Any = None,
) -> Article | Skipped:
    """The one way every reader makes an Article: fields, outlet, title, place in time.

    ``page`` is the :class:`~storyline.ingest.extract.Extracted` page the text came from,
    whose metadata fills what the record does not give. A title that is page furniture
    gives way to the headline the text opens with; an article still without a title gets
    one made from its first sentence (``meta["title_derived"]``).
    """
    if not isinstance(rec, Mapping):
        return Skipped(source=source, reason=f"record is a JSON {type(rec).__name__}, not an object",
                       code="E113")
    used: set[str] = set()
    values: dict[str, Any] = {}
    for key, names in ctx.fields.items():
        if key == "text" and text_names is not None:
            names = text_names
        name, value = get_field(rec, names)
        if name is not None:
            used.add(name)
            values[key] = value
        used.update(n for n in names if n in rec and rec[n] in (None, "", [], {}))
    strings: dict[str, str] = {}
    for key in ("id", "url", "outlet", "title", "text", "html", "author", "lang"):
        v = as_text(values.get(key), sep=", " if key == "author" else "\n")
        if v is None:
            return Skipped(source=source, reason=f"field {key!r} is a {type(values[key]).__name__}, not text",
                           code="E113")
        strings[key] = v
    text = strings["text"]
    ex = page
    if ex is None and not text.strip() and strings["html"].strip():
        ex = extract_html(strings["html"], url=strings["url"])
        text = ex.text or fragment_text(strings["html"])
    title = " ".join(strings["title"].split())
    if not _has_words(text):
        return Skipped(source=source, reason="record has no text" + (" (only a title)" if title else ""),
                       code="E109")
    published_raw = values.get("published")
    published = normalise_date(published_raw)
    given_source = rec.get("date_source")
    if isinstance(given_source, str):
        used.add("date_source")
    meta = {k: v for k, v in rec.items() if k not in used}
    removed: list[Removed] = []
    if _is_article_record(rec):  # read back as it was written: its own meta, removals and source
        for k in ("meta", "removed", "source", "story_id"):
            meta.pop(k, None)
        if isinstance(rec.get("meta"), Mapping):
            meta.update(rec["meta"])
        removed = [Removed(str(r["text"]), str(r["reason"])) for r in rec["removed"]
                   if isinstance(r, Mapping) and "text" in r and "reason" in r]
        if isinstance(rec.get("source"), str) and rec["source"].strip():
            source = rec["source"]
    art = Article(
        id=strings["id"].strip() or default_id,
        text=text,
        title=title,
        outlet=strings["outlet"].strip() or outlet_from_url(strings["url"]) or fallback_outlet.strip(),
        url=strings["url"].strip(),
        published=published,
        author=" ".join(strings["author"].split()),
        lang=strings["lang"].strip(),
        source=source,
        removed=removed,
        meta=meta,
    )
    if published is None and published_raw not in (None, ""):
        _note(art.meta, unparsed_published=str(published_raw))
    if ex is not None:
        _fill_from_page(art, ex)
        _note(art.meta, extractor=ex.method or ("fragment" if page is None else ""))
    _settle_title(art)
    if published and given_source in _DATE_SOURCES:
        art.date_source = str(given_source)
    else:
        place_in_time(art, ex.date if ex is not None else None)
    _derive_title(art)
    return art


def _decode_line(src: str, raw: bytes) -> tuple[str, str]:
    try:
        return decode_bytes(raw)
    except DecodeError as exc:
        raise _Skip(src, f"undecodable text: {exc}", "E103") from exc


def read_jsonl_records(
    path: str | Path, fields: Mapping[str, str] | None = None, max_doc_bytes: int = 20_000_000
) -> Iterator[Article | Skipped]:
    """Articles from one JSON-lines file (plain or gzipped), read line by line: file size is no limit.

    A bad line becomes a ``Skipped`` with source ``path:line`` and the rest is
    read; a line longer than ``max_doc_bytes`` is skipped. Records without an id
    get ``<file stem>#<line number>``.
    """
    path = Path(path)
    ctx = _Ctx(fields=field_map(fields), max_doc_bytes=int(max_doc_bytes))
    try:
        yield from _dedupe(_read_jsonl(path, _stem(path.name), ctx, path.name.lower().endswith(".gz")), ctx)
    except OSError as exc:
        yield Skipped(source=str(path), reason=f"cannot read: {exc.strerror or exc}", code="E111")


def _read_jsonl(path: Path, base: str, ctx: _Ctx, gz: bool) -> Iterator[Article | Skipped]:
    src = str(path)
    limit = ctx.max_doc_bytes
    with (gzip.open(path, "rb") if gz else open(path, "rb")) as f:
        lineno = 0
        records = 0
        while True:
            try:
                line = f.readline(limit + 1)
                if len(line) > limit and not line.endswith(b"\n"):
                    while True:  # the rest of an oversized line
                        more = f.readline(1 << 20)
                        if not more or more.endswith(b"\n"):
                            break
                    lineno += 1
                    yield Skipped(source=f"{src}:{lineno}", reason=f"record larger than max_doc_bytes ({limit})",
                                  code="E105")
                    continue
            except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
                yield Skipped(source=f"{src}:{lineno + 1}",
                              reason=f"truncated or corrupt gzip data after line {lineno}: {exc}", code="E104")
                return
            if not line:
                break
            lineno += 1
            if lineno == 1:
                what = sniff_binary(line)
                if what:
                    yield Skipped(source=src, reason=f"binary file: {what}, not JSON lines", code="E102")
                    return
            if not line.strip():
                continue
            records += 1
            item_src = f"{src}:{lineno}"
            try:
                text, enc = _decode_line(item_src, line)
            except _Skip as skip:
                yield skip.skipped
                continue
            try:
                rec = json.loads(text.lstrip("\ufeff"))
            except json.JSONDecodeError as exc:
                yield Skipped(source=item_src, reason=f"malformed JSON: {exc.msg} (column {exc.colno})",
                              code="E107")
                continue
            art = _record(rec, item_src, f"{base}#{lineno}", ctx)
            if isinstance(art, Article):
                _note(art.meta, encoding=_encoding_note(enc))
            yield art
    if records == 0:
        yield Skipped(source=src, reason="empty file" if lineno == 0 else "empty file (only blank lines)",
                      code="E101")


def _read_json(path: Path, data: bytes, base: str, ctx: _Ctx) -> Iterator[Article | Skipped]:
    src = str(path)
    text, enc = _text_of(src, data)
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _Skip(src, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})", "E107") from exc
    if isinstance(obj, dict) and isinstance(obj.get("articles"), list):
        obj = obj["articles"]
    if isinstance(obj, dict):
        items: list[tuple[str, str, Any]] = [(src, base, obj)]
    elif isinstance(obj, list):
        items = [(f"{src}#{n}", f"{base}#{n}", rec) for n, rec in enumerate(obj, 1)]
    else:
        raise _Skip(src, f"JSON holds a {type(obj).__name__}, not articles", "E113")
    if not items:
        raise _Skip(src, "no records in the JSON file", "E109")
    for item_src, item_id, rec in items:
        art = _record(rec, item_src, item_id, ctx)
        if isinstance(art, Article):
            _note(art.meta, encoding=_encoding_note(enc))
        yield art


# -- feeds -------------------------------------------------------------------------------------------


def _entry_date(entry: Mapping[str, Any]) -> str | None:
    for key in ("published", "updated", "created"):
        iso = normalise_date(entry.get(key))
        if iso:
            return iso
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        st = entry.get(key)
        if st:
            return datetime(*st[:6], tzinfo=timezone.utc).isoformat()
    return None


def _entry_text(entry: Mapping[str, Any]) -> str:
    for c in entry.get("content") or []:
        value = c.get("value") or ""
        if value.strip():
            return fragment_text(value) if "html" in (c.get("type") or "html") or "<" in value else value
    summary = entry.get("summary") or ""
    kind = (entry.get("summary_detail") or {}).get("type") or "text/html"
    return fragment_text(summary) if "html" in kind or "<" in summary else summary.strip()


def _read_feed(path: Path, data: bytes, base: str, ctx: _Ctx) -> Iterator[Article | Skipped]:
    import xml.sax

    import feedparser

    src = str(path)
    what = sniff_binary(data)
    if what:
        raise _Skip(src, f"binary file: {what}, not a feed", "E102")
    parsed = feedparser.parse(io.BytesIO(data))
    entries = parsed.get("entries") or []
    exc = parsed.get("bozo_exception")
    if not entries:
        if parsed.get("bozo"):
            raise _Skip(src, f"malformed feed, no items could be read: {exc}", "E108")
        raise _Skip(src, "no feed items (not an RSS or Atom feed?)", "E108")
    feed = parsed.get("feed") or {}
    feed_title = " ".join((feed.get("title") or "").split())
    feed_outlet = feed_title or outlet_from_url(feed.get("link") or "")
    lang = (feed.get("language") or "").split("-")[0].lower()
    kept = 0
    for n, entry in enumerate(entries, 1):
        title = entry.get("title") or ""
        if "html" in ((entry.get("title_detail") or {}).get("type") or ""):
            title = fragment_text(title).replace("\n", " ")
        rec: dict[str, Any] = {
            "id": entry.get("id") or "",
            "url": entry.get("link") or "",
            "title": title,
            "text": _entry_text(entry),
            "author": entry.get("author") or "",
            "lang": lang,
            "published": _entry_date(entry) or "",
        }
        art = _record(rec, f"{src}#{n}", f"{base}#{n}", _FEED_CTX, fallback_outlet=feed_outlet)
        if isinstance(art, Article):
            extra: dict[str, Any] = {"feed": feed_title} if feed_title else {}
            tags = [t.get("term") for t in entry.get("tags") or [] if t.get("term")]
            if tags:
                extra["tags"] = tags
            art.meta = {**extra, **art.meta}
            _note(art.meta, encoding=_encoding_note(str(parsed.get("encoding") or "utf-8").lower()))
            kept += 1
        yield art
    if parsed.get("bozo") and isinstance(exc, xml.sax.SAXException):
        what = f"the {kept}" if kept == len(entries) else f"{kept} of the {len(entries)}"
        yield Skipped(source=src, reason=f"malformed feed, kept {what} items read: {exc}",
                      code="E108")


#: Feed entries are mapped above, so no user field map applies to them.
_FEED_CTX = _Ctx(fields=field_map(None), max_doc_bytes=0)


# -- WARC --------------------------------------------------------------------------------------------


def _read_warc(path: Path, base: str, ctx: _Ctx) -> Iterator[Article | Skipped]:
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    src = str(path)
    if path.stat().st_size == 0:
        raise _Skip(src, "empty file", "E101")
    n = 0
    pages = 0
    with open(path, "rb") as f:
        head = f.read(8)
        f.seek(0)
        if not head.startswith(b"\x1f\x8b"):
            what = sniff_binary(head)
            if what:
                raise _Skip(src, f"binary file: {what}, not a WARC", "E102")
        records = ArchiveIterator(f)
        size = os.fstat(f.fileno()).st_size
        cut = "truncated WARC record after {n} records: the file ends inside its headers"
        while True:
            start = records.offset  # where the next record starts
            try:
                rec = next(records)
            except StopIteration:
                if start < size and _warc_cut_at(path, start):
                    yield Skipped(source=f"{src}#{n + 1}", reason=cut.format(n=n), code="E119")
                    return
                break
            except Exception as exc:  # warcio fails in many ways on a cut or damaged record
                known = isinstance(exc, (ArchiveLoadFailed, EOFError, zlib.error, ValueError, OSError))
                why = str(exc) if known and str(exc) else type(exc).__name__
                if _warc_cut_at(path, start):
                    yield Skipped(source=f"{src}#{n + 1}", reason=f"{cut.format(n=n)} ({why})", code="E119")
                else:
                    yield Skipped(source=f"{src}#{n + 1}",
                                  reason=f"malformed or truncated WARC after {n} records: {why}", code="E110")
                return
            n += 1
            item = _warc_record(rec, src, base, n, ctx)
            pages += item is not None
            missing = _warc_missing(rec)
            with suppress(Exception):  # a failure here is reported by the next call to next()
                records.read_to_end()  # on to the next record's offset
            if missing:  # what was read of it is not the page: none of it is kept
                item = Skipped(source=f"{src}#{n}", reason=f"truncated WARC record: the file ends {missing} bytes "
                               "before its declared length", code="E119")
            elif records.offset >= size and _warc_cut_at(path, start):  # the last record's headers are cut
                item = Skipped(source=f"{src}#{n}", reason=cut.format(n=n - 1), code="E119")
            if item is not None:
                yield item
            if isinstance(item, Skipped) and item.code == "E119":
                return
    if pages == 0:
        yield Skipped(source=src, reason=f"no HTML responses among the {n} WARC records", code="E109")


def _warc_missing(rec: Any) -> int:
    """Bytes of a record's declared length that the file does not hold (0: complete); reads the rest of it."""
    stream = rec.raw_stream
    try:
        while stream.read(1 << 16):
            pass
    except (OSError, EOFError, zlib.error, ValueError):
        return max(1, int(getattr(stream, "limit", 0) or 0))
    return max(0, int(getattr(stream, "limit", 0) or 0))


def _warc_cut_at(path: Path, offset: int, limit: int = 1 << 26) -> bool:
    """Whether the WARC record at ``offset`` is cut short: the file ends inside its headers or its block.

    Only a record that starts as one (``WARC/``) counts; anything else there is damage (E110).
    """
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            raw = f.read(limit)
    except OSError:
        return False
    if raw and b"\x1f\x8b".startswith(raw):  # cut inside a gzip member's magic bytes
        return True
    if raw.startswith(b"\x1f\x8b"):
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            data = d.decompress(raw, limit)
        except zlib.error:
            return False
        if d.eof:  # a whole gzip member: the record inside is complete or damaged, not cut
            return False
        if not data:  # a member cut before any of its record came out
            return True
    else:
        data = raw
    if not data or not (data.startswith(b"WARC/") or b"WARC/".startswith(data)):
        return False
    head, sep, block = data.partition(b"\r\n\r\n")
    if not sep:
        return True
    m = re.search(rb"(?im)^content-length:\s*(\d+)\s*$", head)
    return bool(m) and len(block) < int(m.group(1))


def _warc_record(rec: Any, src: str, base: str, n: int, ctx: _Ctx) -> Article | Skipped | None:
    """An HTML response as an Article; None for records that are not HTML pages (requests, images...)."""
    item_src = f"{src}#{n}"
    if rec.rec_type not in ("response", "resource"):
        return None
    if rec.rec_type == "response":
        if rec.http_headers is None:
            return None
        status = rec.http_headers.get_statuscode() or ""
        ctype = rec.http_headers.get_header("Content-Type") or ""
        if status and not status.startswith("2"):
            return None
    else:
        ctype = rec.rec_headers.get_header("Content-Type") or ""
    if not ctype.lower().startswith(_HTML_TYPES):
        return None
    url = rec.rec_headers.get_header("WARC-Target-URI") or ""
    try:
        stream: BinaryIO = rec.content_stream()
        body = stream.read(ctx.max_doc_bytes + 1)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        return Skipped(source=item_src, reason=f"cannot decode the HTTP body: {exc}", code="E110")
    if len(body) > ctx.max_doc_bytes:
        return Skipped(source=item_src, reason=f"larger than max_doc_bytes ({ctx.max_doc_bytes} bytes)",
                       code="E105")
    if not body.strip():
        return Skipped(source=item_src, reason="empty HTML response", code="E101")
    m = _CHARSET.search(ctype)
    try:
        text, enc = _text_of(item_src, body, (m.group(1) if m else None) or declared_charset(body))
    except _Skip as skip:
        return skip.skipped
    ex = extract_html(text, url=url)
    if not ex.text.strip():
        return Skipped(source=item_src, reason="no main text found in the HTML page", code="E109")
    rec_id = rec.rec_headers.get_header("WARC-Record-ID") or ""
    art = _record({"url": url, "text": ex.text}, item_src, f"{base}#{n}", _FEED_CTX, page=ex)
    if isinstance(art, Article):
        if not art.published:  # the capture's time, when the page itself says nothing
            art.published = normalise_date(rec.rec_headers.get_header("WARC-Date"))
            art.date_source = "meta" if art.published else "none"
        art.meta = {**({"warc_record_id": rec_id} if rec_id else {}), **art.meta}
        _note(art.meta, encoding=_encoding_note(enc))
    return art
