"""Text helpers for the digest: sentence units, word views, string similarity.

Sentence splitting goes through :func:`split_sentences` only, so the splitter
can be swapped in one place. The shared news splitter in
``storyline.provenance.sentences`` is used when it is importable; a small local
splitter keeps the digest working without it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_FOLD = str.maketrans(
    {"’": "'", "‘": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "—": "-", "–": "-", "\u00a0": " "}
)
_WORD = re.compile(r"[^\W_]+(?:['.,][^\W_]+)*")
_LOCAL_BOUNDARY = re.compile(r"(?<=[.!?])([\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_LOCAL_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Rev|St|Jr|Sr|Inc|Co|Corp|Ltd|No|vs|etc|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)|\b[A-Z]|(?:\b[A-Za-z]\.){1,}[A-Za-z])\.$"
)

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t said says say told according may might must shall
    upon via amid among within without across since still yet however""".split()
)


def _split_local(text: str) -> list[str]:
    """A plain rule splitter: lines are boundaries, and so are [.!?] before a capital."""
    out: list[str] = []
    for line in text.replace("\r", "\n").split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        start = 0
        for m in _LOCAL_BOUNDARY.finditer(line):
            head = line[start : m.start()]
            if _LOCAL_ABBREV.search(head):
                continue
            out.append(line[start : m.start() + len(m.group(1))].strip())
            start = m.end()
        if line[start:].strip():
            out.append(line[start:].strip())
    return out


def split_sentences(text: str) -> list[str]:
    """Split an article body into sentences (the one place the splitter is chosen)."""
    try:
        from storyline.provenance.sentences import split_sentences as shared
    except ImportError:  # pragma: no cover - depends on which modules are installed
        return _split_local(text)
    return shared(text)


def _quote_balance(sentence: str, open_: bool) -> bool:
    """Whether a quotation is still open after ``sentence`` (curly quotes, then straight ones)."""
    sentence = sentence.replace("``", "“").replace("''", "”")
    for ch in sentence:
        if ch == "“":
            open_ = True
        elif ch == "”":
            open_ = False
        elif ch == '"':
            open_ = not open_
    return open_


def units(text: str, max_join: int = 6) -> list[str]:
    """Sentences, with a quotation that runs over several sentences kept in one unit.

    A quote cut in two by the splitter would otherwise lose its attribution
    ("... targets." / "And we ...," he said.).
    """
    out: list[str] = []
    buf: list[str] = []
    open_ = False
    for s in split_sentences(text):
        buf.append(s)
        open_ = _quote_balance(s, open_)
        if not open_ or len(buf) >= max_join:
            out.append(" ".join(buf))
            buf, open_ = [], False
    if buf:
        out.append(" ".join(buf))
    return out


@lru_cache(maxsize=131072)
def fold(text: str) -> str:
    """Lowercase, typographic quotes and dashes folded, accents removed: copies compare equal."""
    text = text.translate(_FOLD).lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def words(text: str) -> tuple[str, ...]:
    """Folded word tokens; numbers lose thousands separators ("3,000" -> "3000")."""
    out = []
    for w in _WORD.findall(fold(text)):
        if w[0].isdigit():
            w = w.replace(",", "")
        out.append(w.strip(".,'"))
    return tuple(w for w in out if w)


@lru_cache(maxsize=131072)
def stem(word: str) -> str:
    """A crude stem, enough to match inflections (excluding / exclude, seriously / serious, study / studied)."""
    if len(word) > 5 and word.endswith("ly"):
        word = word[:-2]
    for suf in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suf) and len(word) - len(suf) >= 3:
            word = word[: -len(suf)]
            break
    if word.endswith("y") and len(word) > 3:
        word = word[:-1] + "i"
    if word.endswith(("c", "s")) and len(word) > 4:  # defence / defense
        word = word[:-1]
    return word[:6]


@lru_cache(maxsize=65536)
def content(text: str) -> frozenset[str]:
    """Stemmed content words of a text."""
    return frozenset(stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1)


def containment(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller set found in the larger one."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def levenshtein(a: str, b: str) -> int:
    """Edit distance (small strings: names)."""
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def norm_quote(text: str) -> str:
    """A quote's wording for comparison: folded words only (case and punctuation ignored)."""
    return " ".join(words(text))


def clip(text: str, limit: int = 160) -> str:
    """Shorten a text for a table cell, on a word boundary."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0] + "…"
