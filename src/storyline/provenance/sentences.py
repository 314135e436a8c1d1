"""News sentence splitting and the word-level views the alignment works on.

A rule-based splitter: news prose is regular enough (paragraph per line, quotes,
datelines, "U.S."-style acronyms, initials) that rules beat a general model on
speed and are easy to reason about when an alignment looks wrong.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Abbreviations after which a period does not end a sentence (lowercased, without the final dot).
_ABBREV_WORDS = (
    """mr mrs ms dr prof gen col lt sgt capt cmdr adm gov sen rep rev st jr sr inc co corp ltd
    no nos vs etc approx dept est fig jan feb mar apr jun jul aug sep sept oct nov dec
    mt ft pres supt insp det hon messrs mme mlle ave blvd rd"""
)
_ABBREV = frozenset(_ABBREV_WORDS.split())
# Words that commonly open a sentence: after an ambiguous "U.S." they signal a boundary.
_STARTER_WORDS = (
    """the a an he she it they we i you his her its their our this that these those there
    but and so yet however meanwhile in on at after before when while if as for since
    some many most all both one two three other another such earlier later still also"""
)
_STARTERS = frozenset(_STARTER_WORDS.split())
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_BOUNDARY = re.compile(r"(\.\.\.|…|[.!?]+)([" + re.escape(_CLOSERS) + r"]*)(\s+)")
_DOTTED = re.compile(r"(?:\b[A-Za-z]\.){2,}$")  # U.S. / a.m. / U.N.
_INITIAL = re.compile(r"(?:^|[\s(])[A-Z]$")  # John F. Kennedy
_LAST_WORD = re.compile(r"([A-Za-z]+)$")


def _ends_sentence(para: str, m: re.Match[str]) -> bool:
    """Decide whether the punctuation run matched at ``m`` closes a sentence."""
    nxt = para[m.end() : m.end() + 1]
    if not nxt:
        return True
    punct, closers = m.group(1), m.group(2)
    if nxt.islower():
        return False
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    if punct != ".":
        return punct not in ("...", "…") or nxt.isupper() or nxt in _OPENERS
    if closers:  # a period inside a closing quote or bracket
        return True
    head = para[: m.start()]
    if _DOTTED.search(head + "."):
        word = re.match(r"[\"'“‘(\[]*([A-Za-z]+)", para[m.end() :])
        return bool(word) and word.group(1).lower() in _STARTERS
    if _INITIAL.search(head):
        return False
    last = _LAST_WORD.search(head)
    return not (last and last.group(1).lower() in _ABBREV)


def _paragraphs(text: str) -> list[str]:
    """Join wrapped lines back into paragraphs; keep one-line paragraphs (news bodies) apart."""
    out: list[str] = []
    cur = ""
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = " ".join(raw.split())
        if not line:
            if cur:
                out.append(cur)
            cur = ""
            continue
        if cur:
            tail = cur.rstrip(_CLOSERS)
            join = (
                cur.endswith((",", ";", "—", "–", "-"))
                or tail.endswith(",")
                or line[:1].islower()
            )
            if join:
                cur = f"{cur} {line}"
                continue
            out.append(cur)
        cur = line
    if cur:
        out.append(cur)
    return out


def split_sentences(text: str) -> list[str]:
    """Split news text into sentences, in order, whitespace-normalised.

    Paragraph and line breaks are boundaries (unless a line is visibly wrapped);
    inside a paragraph a period ends a sentence unless it follows an
    abbreviation ("Mr.", "Jan."), an initial ("John F. Kennedy") or an acronym
    ("U.S.") that is not followed by a typical sentence opener. Quotes stay
    with their sentence: ``"... now," he said.`` is one sentence.
    """
    out: list[str] = []
    for para in _paragraphs(text):
        start = 0
        for m in _BOUNDARY.finditer(para):
            if _ends_sentence(para, m):
                piece = para[start : m.end()].strip()
                if piece:
                    out.append(piece)
                start = m.end()
        piece = para[start:].strip()
        if piece:
            out.append(piece)
    return out


_WORD = re.compile(r"\w+(?:[’'.,]\w+)*")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)*$")

_STOP_WORDS = (
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves s t don said says say told according also would could may
    might must shall one two"""
)
STOPWORDS = frozenset(_STOP_WORDS.split())


def fold(text: str) -> str:
    """Lowercase and fold typographic quotes and accents, so copies compare equal."""
    text = text.translate(_FOLD).lower()
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


_FOLD = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "—": "-", "–": "-", "\u00a0": " "})


@lru_cache(maxsize=65536)
def words(sentence: str) -> tuple[str, ...]:
    """Lowercased word tokens; numbers lose their thousands separators ("3,000" -> "3000")."""
    out = []
    for w in _WORD.findall(fold(sentence)):
        out.append(w.replace(",", "") if _NUMBER.match(w) else w.replace("’", "'").strip(".,"))
    return tuple(out)


def stem(word: str) -> str:
    """A crude but fast stem: inflection endings off, then a 6-letter prefix."""
    if len(word) > 4:
        for suf in ("ing", "ed", "es", "s", "ly"):
            if word.endswith(suf) and len(word) - len(suf) >= 3:
                word = word[: -len(suf)]
                break
    return word[:6]


def is_number(word: str) -> bool:
    return bool(_NUMBER.match(word))
