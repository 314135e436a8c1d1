"""Names and numbers compared across scripts and spellings.

The English pair features read capitalised spans and ASCII digits; across
languages the same name is written Пригожин, Prigoschin, Prigojine and
Prigozhin, and the same number 300.000, 300 000 or ٣٠٠٠٠٠. Here a name becomes a
*key*: transliterated to Latin (Cyrillic and Greek), accents stripped, spelling
variants folded (sch/sh/ch/zh/j, ou/u, w/v, ...), then its first letters; a number
becomes its digits in ASCII with group separators removed.
"""

from __future__ import annotations

import re
import unicodedata

_CYR = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўђјљњћџѓќѕ",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "i", "yi", "ye", "g", "u",
     "dj", "j", "lj", "nj", "c", "dz", "gj", "kj", "dz"]))
_GRK = dict(zip(
    "αβγδεζηθικλμνξοπρσςτυφχψωάέήίόύώϊϋΐΰ",
    ["a", "v", "g", "d", "e", "z", "i", "th", "i", "k", "l", "m", "n", "x", "o", "p", "r", "s", "s", "t",
     "i", "f", "ch", "ps", "o", "a", "e", "i", "i", "o", "i", "o", "i", "i", "i", "i"]))
_TRANS = str.maketrans({**_CYR, **_GRK})

# spelling variants of one sound across European transliterations, longest first
_FOLD = [("shch", "s"), ("tsch", "c"), ("sch", "s"), ("zh", "z"), ("kh", "h"), ("sh", "s"), ("ch", "s"),
         ("ts", "c"), ("tz", "c"), ("ph", "f"), ("th", "t"), ("ou", "u"), ("oe", "o"), ("ue", "u"),
         ("ae", "a"), ("j", "i"), ("y", "i"), ("w", "v"), ("q", "k"), ("ck", "k"), ("x", "ks")]
KEY_LETTERS = 4

_WORD = re.compile(r"[^\W\d_][^\W_]*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[ .,\u00a0\u202f']\d{3})+(?![\d])|\d+(?:[.,]\d+)?")


_GRK_PAIRS = [("ου", "ou"), ("ού", "ou"), ("αι", "e"), ("αί", "e"), ("ει", "i"), ("εί", "i"), ("οι", "i"),
              ("οί", "i"), ("αυ", "av"), ("ευ", "ev"), ("μπ", "b"), ("ντ", "d"), ("γκ", "g")]


def to_latin(text: str) -> str:
    """Cyrillic and Greek letters to Latin, accents stripped, lowercased."""
    s = text.lower()
    if any("\u0370" <= c <= "\u03ff" for c in s):
        for a, b in _GRK_PAIRS:
            s = s.replace(a, b)
    s = s.translate(_TRANS)
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))


def fold(word: str) -> str:
    """One spelling for the variants of a transliterated name, doubled letters single."""
    w = to_latin(word)
    for a, b in _FOLD:
        w = w.replace(a, b)
    w = re.sub(r"^i(?=[aeiou])", "", w)  # Yevgeny, Jewgeni, Evgueni
    return re.sub(r"(.)\1+", r"\1", w)


def name_keys(text: str) -> frozenset[str]:
    """Keys of the capitalised words of ``text`` (not the first word of a sentence), any script."""
    keys = set()
    prev_end = "."
    for m in _WORD.finditer(text):
        w = m.group(0)
        gap = text[max(0, m.start() - 3) : m.start()]
        opener = prev_end == "." or any(c in gap for c in ".!?\n«\"„“")
        prev_end = ""
        if w[0].isupper() and not opener and len(w) >= KEY_LETTERS:
            k = fold(w)
            if len(k) >= KEY_LETTERS:
                keys.add(k[:KEY_LETTERS])
    return frozenset(keys)


def ascii_digits(text: str) -> str:
    """Digits of any script (٣, ३, ３) as ASCII."""
    return "".join(str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text)


def numbers(text: str) -> frozenset[str]:
    """Numbers of 10 and more (years included), group separators removed: 300.000, 300,000 and 300 000 agree."""
    out = set()
    for m in _NUMBER.finditer(ascii_digits(text)):
        s = m.group(0)
        if re.fullmatch(r"\d+(?:[ .,\u00a0\u202f']\d{3})+", s):
            s = re.sub(r"\D", "", s)
        else:
            s = s.replace(",", ".")
        try:
            v = float(s)
        except ValueError:
            continue
        if v >= 10:
            out.add(f"{v:g}")
    return frozenset(out)
