"""Text normalisation that keeps meaning.

Scraped articles spell the same thing many ways: curly or straight quotes,
en/em dashes, non-breaking and zero-width spaces, ``&amp;`` left over from HTML,
UTF-8 read as Windows-1252 ("Ã©", "â€™"). Matching and boilerplate detection
compare lines, so every later stage wants one spelling.

Output format: **one paragraph per line, paragraphs separated by one blank
line** (``"\\n\\n"``). Every non-empty input line becomes a paragraph (hard-wrapped
text is not re-flowed: that is the reader's job), so both
``text.split("\\n\\n")`` and ``[p for p in text.splitlines() if p]`` give the
paragraphs. The function is idempotent.

What changes: mojibake is repaired (ftfy, line by line, only where a cheap
check sees the signs of it); HTML entities are decoded; curly, low and
fullwidth quotes become ``"`` and ``'``, and so do TeX-style quotes (two
backticks, two apostrophes, as in tokenised corpora); dash characters become ``-``
(joining two word characters: ranges, compounds) or ``—`` (punctuation);
ligatures and fullwidth ASCII become plain letters; ``…`` becomes ``...``; all
space characters become one space; zero-width, bidi and control characters are
dropped; the text is NFC. What stays: guillemets, primes, superscripts,
fractions, ``™`` and the like (full NFKC would change their meaning), and the
zero-width (non-)joiners, which spell words in several scripts and emoji.
"""

from __future__ import annotations

import html
import re
import unicodedata

__all__ = ["line_key", "line_keys", "normalise", "normalise_line"]

_NEWLINE_CHARS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPACE_CHARS = (
    "\t\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"
)
# Zero-width spaces, soft hyphen, word joiner, BOM, bidi marks/embeddings/isolates, invisible operators.
_DROP_CHARS = (
    "\xad\u180e\u200b\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064"
    "\u2066\u2067\u2068\u2069\ufeff\ufff9\ufffa\ufffb"
)
_CONTROL_CHARS = "".join(
    chr(c) for c in [*range(0x09), *range(0x0E, 0x1C), 0x1F, *range(0x7F, 0x85), *range(0x86, 0xA0)]
)

_TABLE = str.maketrans(
    {
        **dict.fromkeys(map(ord, _NEWLINE_CHARS), "\n"),
        **dict.fromkeys(map(ord, _SPACE_CHARS), " "),
        **dict.fromkeys(map(ord, _DROP_CHARS + _CONTROL_CHARS), None),
        # single quotes and apostrophes
        0x2018: "'",
        0x2019: "'",
        0x201A: "'",
        0x201B: "'",
        0xFF07: "'",
        # double quotes
        0x201C: '"',
        0x201D: '"',
        0x201E: '"',
        0x201F: '"',
        0xFF02: '"',
        # hyphens, figure dash, minus sign
        0x2010: "-",
        0x2011: "-",
        0x2012: "-",
        0x2212: "-",
        0xFE63: "-",
        0xFF0D: "-",
        # dashes used as punctuation
        0x2013: "\u2014",
        0x2015: "\u2014",
        0xFE58: "\u2014",
        0x2026: "...",
    }
)

# Signs that UTF-8 bytes were decoded as Windows-1252/Latin-1: a lead-byte
# character followed by a continuation-byte character.
_DROP_TABLE = dict.fromkeys(map(ord, _DROP_CHARS + _CONTROL_CHARS))
_DROP_RE = re.compile("[" + re.escape(_DROP_CHARS + _CONTROL_CHARS) + "]")
# str.translate with this table is slow (a dictionary lookup per character): replace what a text holds.
_TABLE_STR = {chr(k): (v if v is not None else "") for k, v in _TABLE.items()}
_TABLE_RE = re.compile("[" + re.escape("".join(_TABLE_STR)) + "]")
_ASCII_SPECIAL = re.compile("[" + re.escape("".join(chr(c) for c in _TABLE if c < 128)) + "]")

# Punctuation (ASCII, and what normalisation leaves of the rest) becomes a space in comparison keys.
_KEY_TABLE = str.maketrans(
    dict.fromkeys(
        map(
            ord,
            "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~\u2014\u00ab\u00bb\u2039\u203a\u00a1\u00bf\u00b7\u2022\u00b4\u2032\u2033",
        ),
        " ",
    )
)

_ASCII_PUNCT = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_KEY_BYTES = bytes.maketrans(_ASCII_PUNCT, b" " * len(_ASCII_PUNCT))

_MOJIBAKE = re.compile(
    "[\xc2-\xf4][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_COMPAT = re.compile("[\ufb00-\ufb06\uff01-\uff5e]+")
_EN_DASH_JOIN = re.compile(r"(?<=\w)\u2013(?=\w)")
_TEX_QUOTES = re.compile(r"``|''")
_ACUTE_APOSTROPHE = re.compile(r"(?<=[^\W\d_])\u00b4(?=[^\W\d_])")
_SPACES = re.compile(r" {2,}")


def _fix_encoding(text: str) -> str:
    """Repair mojibake with ftfy; only called when ``_MOJIBAKE`` matches, so clean text costs nothing."""
    try:
        import ftfy
    except ImportError:  # pragma: no cover - ftfy is a dependency; without it, text stays as it is
        return text
    return ftfy.fix_encoding(text)


def _unescape(text: str) -> str:
    """Decode HTML entities, including double-escaped ones (``&amp;amp;``), so the result is stable."""
    for _ in range(4):
        new = _ENTITY.sub(lambda m: html.unescape(m.group()), text)
        if new == text:
            break
        text = new
    return text


def _chars(text: str) -> str:
    """Character-level normalisation; keeps line breaks as single ``\\n``.

    Entities first, then mojibake (line by line, so that a line repairs the same way
    wherever it stands), then invisible characters, quotes, dashes and spaces. Each step
    first checks cheaply whether it has anything to do: most text is clean.
    """
    if "&" in text:
        text = _unescape(text)
    if text.isascii():
        if _ASCII_SPECIAL.search(text):
            text = text.translate(_TABLE)
    else:
        if _MOJIBAKE.search(text):
            text = "\n".join(_fix_encoding(x) if _MOJIBAKE.search(x) else x for x in text.split("\n"))
        if _DROP_RE.search(text):
            text = text.translate(_DROP_TABLE)
        if "\u2013" in text:
            text = _EN_DASH_JOIN.sub("-", text)
        for ch in set(_TABLE_RE.findall(text)):
            text = text.replace(ch, _TABLE_STR[ch])
        if _COMPAT.search(text):
            text = _COMPAT.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)
        text = unicodedata.normalize("NFC", text)
        if "\u00b4" in text:
            text = _ACUTE_APOSTROPHE.sub("'", text)
    if "``" in text or "''" in text:
        text = _TEX_QUOTES.sub('"', text)
    return text


def _pass(text: str) -> list[str]:
    """One round of normalisation: non-empty lines, spaces collapsed."""
    text = _chars(text)
    if "  " in text:
        text = _SPACES.sub(" ", text)
    return [line for line in (raw.strip(" ") for raw in text.split("\n")) if line]


def _unsettled(line: str) -> bool:
    """A line that a second round could still change: a repair or an entity can reveal another."""
    return bool(_MOJIBAKE.search(line) or ("&" in line and _ENTITY.search(line)))


def _lines(text: str) -> list[str]:
    """Normalised non-empty lines (paragraphs) of ``text``.

    A repaired (or unescaped) line can hold a sequence that only now looks like mojibake or an
    entity; such lines are normalised again until they stop changing, which keeps
    :func:`normalise` idempotent.
    """
    lines = _pass(text)
    if not _unsettled("\n".join(lines)):
        return lines
    out: list[str] = []
    todo = lines[::-1]
    budget = 4 * len(lines)
    while todo:
        line = todo.pop()
        if budget > 0 and _unsettled(line):
            again = _pass(line)
            if again != [line]:
                budget -= 1
                todo.extend(again[::-1])
                continue
        out.append(line)
    return out


def normalise(text: str) -> str:
    """Normalise ``text``: one paragraph per line, paragraphs joined by ``"\\n\\n"`` (see module doc)."""
    return "\n\n".join(_lines(text))


def normalise_line(text: str) -> str:
    """Normalise ``text`` to a single line (for titles and other one-line fields)."""
    return " ".join(_lines(text))


def line_keys(lines: list[str]) -> list[str]:
    """:func:`line_key` of lines that are normalised already, all at once (this is hot)."""
    text = "\n".join(lines)
    if text.isascii():
        text = text.encode("ascii").lower().translate(_KEY_BYTES).decode("ascii")
    else:
        text = text.casefold().translate(_KEY_TABLE)
    return [" ".join(k.split()) for k in text.split("\n")]


def _key(line: str) -> str:
    """:func:`line_key` of a line that is normalised already."""
    return line_keys([line])[0]


def line_key(text: str) -> str:
    """Comparison key of ``text`` as one line: normalised, case-folded, punctuation and spacing ignored."""
    return line_keys([normalise_line(text)])[0]
