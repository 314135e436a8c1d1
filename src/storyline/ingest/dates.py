"""Each article's date from everything its page says, in any language, with where it came from.

:func:`infer_date` trusts, in this order: the input's own field (``given``), the page's
metadata (``meta``, found by htmldate elsewhere), the URL (:func:`url_date`), a wire
dateline (:func:`dateline_date`), a date line at the top of the text
(:func:`top_line_date`), a date the text states as its own ("published 22 July 2022"),
and an explicit date in the headline or lede (:func:`lede_date`). :func:`resolve_relative` reads "on Monday", "gestern", "вчера"
against a date known from elsewhere.

Month, weekday and relative-day words come from dateparser's language data (the
maintained multilingual tables that ship with the package), loaded once per language
set. Text is never handed whole to a parser: cheap regular expressions find short
spans (a number next to a word, CJK 年月日, numeric dates) and the words are looked up
in those tables, which keeps it at thousands of articles a second.

Every function is total: any ``str`` (empty, huge, binary junk) gives a result or
None, never an exception, and only the first few thousand characters are read.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache, lru_cache
from typing import NamedTuple

__all__ = [
    "SOURCES",
    "Dated",
    "dateline_date",
    "infer_date",
    "lede_date",
    "month_and_source",
    "month_of",
    "resolve_relative",
    "top_line_date",
    "url_date",
]

SOURCES = ("field", "meta", "url", "dateline", "text", "neighbours", "none")


@dataclass(frozen=True, slots=True)
class Dated:
    """A date (ISO ``YYYY-MM-DD``, or the full ISO datetime an input gave) and its source (one of SOURCES)."""

    date: str | None
    source: str


_MIN_YEAR, _MAX_YEAR = 1990, 2039
_TEXT_CAP = 2000  # characters of the body ever read
_TITLE_CAP = 400
_URL_CAP = 2048
_DATELINE_SPAN = 300  # a dateline starts within the first characters of the text
_TOP_CAP, _TOP_LINES = 400, 8
_LEDE_CAP, _LEDE_SENTENCES = 700, 2

# -- small helpers ---------------------------------------------------------------------------


def _str(value: object, cap: int) -> str:
    return value[:cap] if isinstance(value, str) else ""


def _today_cap() -> date:
    """No article is dated after tomorrow (clocks and time zones differ by a day at most)."""
    return date.today() + timedelta(days=1)


def _mk(y: int, m: int, d: int, cap: date | None = None) -> date | None:
    """A real calendar date in 1990-2039 (and not after ``cap``), else None."""
    if not (_MIN_YEAR <= y <= _MAX_YEAR and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    try:
        out = date(y, m, d)
    except ValueError:
        return None
    if cap is not None and out > cap:
        return None
    return out


def _int(s: str | None) -> int:
    """int() of a digit string in any script (full-width, Arabic-Indic); -1 when it is not one."""
    if not s:
        return -1
    try:
        return int(s)
    except ValueError:
        return -1


def _fold(word: str) -> str:
    """Lookup key of a word: case-folded, without a final dot."""
    return word.casefold().rstrip(".")


def _strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _iso_date(value: str | None) -> date | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


# -- language tables (from dateparser's data) ------------------------------------------------

#: Languages read when the article's language is not known (their words that clash are dropped).
_DEFAULT_LANGS = (
    "en", "fr", "de", "es", "it", "pt", "nl", "ru", "uk", "pl", "cs", "sk", "tr", "ro", "hu", "sv",
    "da", "nb", "fi", "el", "bg", "sr", "hr", "sl", "mk", "ca", "id", "ar", "fa", "he", "lt", "lv",
    "et", "sq", "be", "az", "vi", "ms",
)  # fmt: skip
_MONTH_KEYS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_RELATIVE_KEYS = {"0 day ago": 0, "1 day ago": 1, "2 day ago": 2, "1 week ago": 7}
_ROMAN = re.compile(r"^[ivxlc]+$")
#: Weekday words that are also everyday words ("segunda" is "second", "pazar" a market).
_WEEKDAY_STOP = frozenset({"segunda", "terça", "terca", "quarta", "quinta", "sexta", "pazar", "minggu", "cuma"})
#: Relative words that mean something else in another language (French "hier" is German "here").
_RELATIVE_STOP_UNION = frozenset({"hier", "dün"})
#: Relative words the tables lack.
_RELATIVE_EXTRA = {
    "en": {"last night": 1, "tonight": 0, "this morning": 0, "earlier today": 0, "overnight": 1},
    "fr": {"hier soir": 1, "la nuit dernière": 1, "ce matin": 0, "cette semaine": -1},
    "de": {"in der nacht": -1, "heute morgen": 0, "vergangene woche": 7, "vorige woche": 7},
    "es": {"anoche": 1, "esta mañana": 0, "la semana pasada": 7},
    "it": {"ieri sera": 1, "stamattina": 0, "la settimana scorsa": 7},
    "pt": {"ontem à noite": 1, "na semana passada": 7},
    "ru": {"накануне": 1, "на прошлой неделе": 7, "сегодня утром": 0},
    "uk": {"напередодні": 1, "минулого тижня": 7},
}
#: Inflected weekday forms ("в среду", "у п'ятницю") the tables lack.
_WEEKDAY_EXTRA = {
    "ru": {"понедельник": 0, "вторник": 1, "среду": 2, "четверг": 3, "пятницу": 4, "субботу": 5, "воскресенье": 6},
    "uk": {"понеділок": 0, "вівторок": 1, "середу": 2, "четвер": 3, "п'ятницю": 4, "п’ятницю": 4, "суботу": 5, "неділю": 6},
    "cs": {"pondělí": 0, "úterý": 1, "středu": 2, "čtvrtek": 3, "pátek": 4, "sobotu": 5, "neděli": 6},
    "pl": {"środę": 2, "sobotę": 5, "niedzielę": 6},
    "pt": {"segunda-feira": 0, "terça-feira": 1, "quarta-feira": 2, "quinta-feira": 3, "sexta-feira": 4},
    "ja": {"月曜日": 0, "火曜日": 1, "水曜日": 2, "木曜日": 3, "金曜日": 4, "土曜日": 5, "日曜日": 6},
    "zh": {"星期一": 0, "星期二": 1, "星期三": 2, "星期四": 3, "星期五": 4, "星期六": 5, "星期日": 6, "星期天": 6,
           "周一": 0, "周二": 1, "周三": 2, "周四": 3, "周五": 4, "周六": 5, "周日": 6},
}  # fmt: skip
_CJK_RELATIVE = {"昨日": 1, "昨天": 1, "今日": 0, "今天": 0, "本日": 0, "前日": 2, "前天": 2, "어제": 1, "오늘": 0}
#: German and Dutch glue a part of the day to the weekday ("Donnerstagabend").
_DAYPART = r"(?:abend|morgen|nachmittag|vormittag|nacht|früh|mittag|avond|ochtend|middag)?"
#: English month words that are also everyday words: read only when capitalised.
_LOWER_AMBIGUOUS = frozenset({"may", "march"})


class _Tables(NamedTuple):
    months: dict[str, int]  # folded word -> month number
    abbrev: frozenset[str]  # the short forms among them (read only with a year or in a dateline)
    weekdays: dict[str, int]  # folded word -> 0..6
    relative: dict[str, int]  # folded phrase -> days back (-1: none)
    rel_re: re.Pattern[str] | None  # weekdays and relative words


@cache
def _lang_info(code: str) -> dict | None:
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return None
    try:
        import importlib

        info = importlib.import_module(f"dateparser.data.date_translation_data.{code}").info
    except Exception:  # not a language dateparser knows, or dateparser missing
        return None
    return info if isinstance(info, dict) else None


_EN_FALLBACK = {
    "january": ["jan", "january"], "february": ["feb", "february"], "march": ["mar", "march"],
    "april": ["apr", "april"], "may": ["may"], "june": ["jun", "june"], "july": ["jul", "july"],
    "august": ["aug", "august"], "september": ["sep", "sept", "september"],
    "october": ["oct", "october"], "november": ["nov", "november"], "december": ["dec", "december"],
    "monday": ["monday"], "tuesday": ["tuesday"], "wednesday": ["wednesday"], "thursday": ["thursday"],
    "friday": ["friday"], "saturday": ["saturday"], "sunday": ["sunday"],
    "relative-type": {"0 day ago": ["today"], "1 day ago": ["yesterday"], "1 week ago": ["last week"]},
}  # fmt: skip


def _langs_for(lang: str | None) -> tuple[str, ...]:
    if isinstance(lang, str) and lang:
        base = re.split(r"[-_]", lang.strip().lower(), maxsplit=1)[0]
        if base in ("zh", "ja", "ko"):
            return ("en",)  # CJK dates are read by their own patterns
        if _lang_info(base) is not None:
            return (base,) if base == "en" else (base, "en")
    return _DEFAULT_LANGS


def _add(table: dict[str, set[int]], word: str, value: int) -> None:
    key = _fold(word)
    table.setdefault(key, set()).add(value)
    bare = _strip_accents(key)
    if bare != key:
        table.setdefault(bare, set()).add(value)


@lru_cache(maxsize=64)
def _tables(langs: tuple[str, ...], loose: bool = False) -> _Tables:
    """Word tables of ``langs``; ``loose`` keeps every language's short month forms (for datelines and date lines)."""
    many = len(langs) > 2
    union = many and not loose
    months: dict[str, set[int]] = {}
    short: set[str] = set()
    weekdays: dict[str, set[int]] = {}
    relative: dict[str, set[int]] = {}
    for code in langs:
        info = _lang_info(code) or (_EN_FALLBACK if code == "en" else None)
        if info is None:
            continue
        for i, key in enumerate(_MONTH_KEYS, start=1):
            for word in info.get(key, ()):
                if not isinstance(word, str) or " " in word or any(c.isdigit() for c in word):
                    continue
                w = _fold(word)
                if len(w) < 3 or _ROMAN.match(w):
                    continue
                if len(w) <= 3 and union and code != "en":
                    continue  # "set", "out", "des": everyday words somewhere else
                _add(months, w, i)
                if len(w) <= 4 and w not in ("may", "mai", "maj", "mei", "mayo", "maio", "june", "july", "juni", "juli"):
                    short.add(w)
                    short.add(_strip_accents(w))
        for i, key in enumerate(_WEEKDAY_KEYS):
            for word in info.get(key, ()):
                w = _fold(word) if isinstance(word, str) else ""
                if len(w) >= 4 and w not in _WEEKDAY_STOP:
                    _add(weekdays, w, i)
        for word, i in _WEEKDAY_EXTRA.get(code, {}).items():
            _add(weekdays, word, i)
        rel = info.get("relative-type", {})
        for key, back in _RELATIVE_KEYS.items():
            for word in rel.get(key, ()) if isinstance(rel, dict) else ():
                w = _fold(word) if isinstance(word, str) else ""
                if len(w) >= 3 and not (many and w in _RELATIVE_STOP_UNION):
                    _add(relative, w, back)
        for word, back in _RELATIVE_EXTRA.get(code, {}).items():
            _add(relative, word, back)
    if many or "en" in langs:
        for extra in ("ja", "zh"):
            for word, i in _WEEKDAY_EXTRA[extra].items():
                _add(weekdays, word, i)
        for word, back in _CJK_RELATIVE.items():
            _add(relative, word, back)
    # a word read two ways (Polish "listopad" is November, Croatian "listopad" October) is dropped
    m = {w: next(iter(v)) for w, v in months.items() if len(v) == 1}
    wd = {w: next(iter(v)) for w, v in weekdays.items() if len(v) == 1}
    rl = {w: next(iter(v)) for w, v in relative.items() if len(v) == 1 and w not in wd}
    words = sorted(set(wd) | set(rl), key=len, reverse=True)
    rel_re = None
    if words:
        alt = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
        rel_re = re.compile(rf"(?<![^\W_])({alt}){_DAYPART}(?![^\W_])", re.IGNORECASE)
    return _Tables(m, frozenset(short & set(m)), wd, rl, rel_re)


# -- finding dates in text -------------------------------------------------------------------

_WORD = r"([^\W\d_]{3,15})"
_DMY_WORD = re.compile(
    r"(?<![\w.,])(\d{1,2})(?!\d)(?:(?:er|ème|st|nd|rd|th)(?![^\W\d_])|\.|º|°|ª)?\s{0,3}"
    r"(?:(?:de|of)\s+|d['’]\s?)?" + _WORD + r"(\.?)(?:[\s,.]{0,3}(?:(?:de|del)\s+)?(\d{4})(?![\d]))?"
)
_MDY_WORD = re.compile(
    r"(?<![^\W\d_])" + _WORD + r"(\.?),?\s{1,3}(\d{1,2})(?!\d)(?:st|nd|rd|th)?(?![^\W\d_])"
    r"(?:,?\s{0,3}(\d{4})(?!\d))?"
)
_YMD_WORD = re.compile(r"(?<![\d.])(\d{4})\.?\s{1,3}(?:m\.\s{1,3})?" + _WORD + r"\.?\s{1,3}(\d{1,2})(?!\d)\.?")
_NUM_YMD = re.compile(r"(?<![\d.])(\d{4})([-/.])(?:(?<=\.) )?(\d{1,2})\2(?:(?<=\.) )?(\d{1,2})(?!\d)")  # "2022. 10. 20" too
_NUM_DMY = re.compile(r"(?<![\d./-])(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?!\d)")
_NUM_DM = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{1,2})\.(?!\d)")  # "18.09." (datelines only)
_CJK_YMD = re.compile(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_CJK_MD = re.compile(r"(?<!\d)(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]")
_VI_DMY = re.compile(r"ngày\s+(\d{1,2})\s*tháng\s*(\d{1,2})(?:[\s,]*năm\s*(\d{4}))?", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_YEAR = re.compile(r"(?<![\d.,])(199\d|20[0-3]\d)(?![\d])")


class _Cand(NamedTuple):
    start: int
    end: int
    year: int  # -1 when the text gave none
    month: int
    day: int


def _month(word: str, dot: str, tables: _Tables, has_year: bool, strict: bool) -> int:
    key = _fold(word)
    m = tables.months.get(key) or tables.months.get(_strip_accents(key))
    if not m:
        return 0
    if key in _LOWER_AMBIGUOUS and word[:1].islower():
        return 0
    if strict and not has_year and key in tables.abbrev and not dot:
        return 0  # a bare abbreviation with no year ("5 out", "set 3") is read only in a dateline
    return m


def _find(text: str, tables: _Tables, *, lang: str | None = None, strict: bool = True, dm: bool = False) -> list[_Cand]:
    """Date spans in ``text``, earliest first, overlaps resolved to the longest span."""
    found: list[_Cand] = []
    if not text:
        return found
    if not _DIGIT.search(text):
        return found
    for mt in _DMY_WORD.finditer(text):
        y = _int(mt.group(4)) if mt.group(4) else -1
        m = _month(mt.group(2), mt.group(3), tables, y > 0, strict)
        if m:
            found.append(_Cand(mt.start(), mt.end() if y > 0 else mt.end(3), y, m, _int(mt.group(1))))
    for mt in _MDY_WORD.finditer(text):
        y = _int(mt.group(4)) if mt.group(4) else -1
        m = _month(mt.group(1), mt.group(2), tables, y > 0, strict)
        if m:
            found.append(_Cand(mt.start(), mt.end(), y, m, _int(mt.group(3))))
    for mt in _YMD_WORD.finditer(text):
        m = _month(mt.group(2), "", tables, True, strict)
        if m:
            found.append(_Cand(mt.start(), mt.end(), _int(mt.group(1)), m, _int(mt.group(3))))
    for mt in _NUM_YMD.finditer(text):
        found.append(_Cand(mt.start(), mt.end(), _int(mt.group(1)), _int(mt.group(3)), _int(mt.group(4))))
    for mt in _NUM_DMY.finditer(text):
        a, b, sep = _int(mt.group(1)), _int(mt.group(3)), mt.group(2)
        day, month = a, b
        if b > 12 or (sep == "/" and (lang or "en").lower().startswith("en") and a <= 12):
            day, month = b, a  # 09/18/2024, and English slashes read month first
        found.append(_Cand(mt.start(), mt.end(), _int(mt.group(4)), month, day))
    for mt in _CJK_YMD.finditer(text):
        found.append(_Cand(mt.start(), mt.end(), _int(mt.group(1)), _int(mt.group(2)), _int(mt.group(3))))
    for mt in _CJK_MD.finditer(text):
        found.append(_Cand(mt.start(), mt.end(), -1, _int(mt.group(1)), _int(mt.group(2))))
    for mt in _VI_DMY.finditer(text):
        y = _int(mt.group(3)) if mt.group(3) else -1
        found.append(_Cand(mt.start(), mt.end(), y, _int(mt.group(2)), _int(mt.group(1))))
    if dm:
        for mt in _NUM_DM.finditer(text):
            found.append(_Cand(mt.start(), mt.end(), -1, _int(mt.group(2)), _int(mt.group(1))))
    good = [c for c in found if 1 <= c.month <= 12 and 1 <= c.day <= 31 and (c.year < 0 or _MIN_YEAR <= c.year <= _MAX_YEAR)]
    # longest first, then keep those that overlap nothing kept
    good.sort(key=lambda c: (-(c.end - c.start), c.start))
    kept: list[_Cand] = []
    for c in good:
        if all(c.end <= k.start or c.start >= k.end for k in kept):
            kept.append(c)
    kept.sort(key=lambda c: c.start)
    return kept


#: A year after "since" names the past, never the article's own year ("highest since 2008", "dal 2011").
_SINCE = re.compile(
    r"(?:\b(?:since|seit|depuis|desde|dal|dall['’]|dai|dalla|sinds|sedan|siden|od|from|ab|à partir de)|"
    r"(?<![^\W\d_])(?:с|со|з|із|від|от|од))\s+(?:[^\W\d_]+\s+){0,3}$"
    r"|\b(?:between|zwischen|entre|tra|fra|между|між)\s+(?:[^\W\d_]+\s+){0,2}$"
    r"|\d{4}\s*(?:-|–|—|/|to|till|until|and|bis|und|à|au|et|a|al|y|e|en|и|до|і)\s*(?:[^\W\d_]+\s+){0,2}$",
    re.IGNORECASE,
)
_SINCE_AFTER = re.compile(
    r"^(?:['’]?(?:den|dan|ten|tan)\s+(?:beri|bu\s+yana|itibaren)|\s*год[ау]?\s+(?:и|до)"
    r"|\s*[年년]?\s*(?:\d{1,2}\s*[月월]\s*(?:\d{1,2}\s*[日일])?)?\s*(?:以来|以來|以降|以後|以后|이래|이후))",
    re.IGNORECASE,
)


_MONTH_BEFORE_YEAR = re.compile(r"([^\W\d_]{3,15})\.?,?\s{1,3}(?:\d{1,2}(?:st|nd|rd|th)?\.?,?\s{1,3})?(?:(?:de|del|of)\s+)?$")
_NUM_BEFORE_YEAR = re.compile(r"\d{1,2}[./-]\d{1,2}[./-]$")
_NUM_AFTER_YEAR = re.compile(r"^(?:[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)|\s*[年년]\s*\d{1,2}\s*[月월])")


def _in_date(text: str, start: int, end: int) -> bool:
    """Whether the year at ``text[start:end]`` is part of a date ("18 September 2024", "Sept. 2024", "2024-09-18")."""
    before = text[max(0, start - 30) : start]
    if _NUM_BEFORE_YEAR.search(before) or _NUM_AFTER_YEAR.match(text[end : end + 8]):
        return True
    mt = _MONTH_BEFORE_YEAR.search(before)
    if not mt:
        return False
    key = _fold(mt.group(1))
    months = _tables(_DEFAULT_LANGS, loose=True).months
    return key in months or _strip_accents(key) in months


def _years(text: str, cap: date) -> Counter[int]:
    """Years the text names inside dates, less those of the past ("since 2008", "2003 to 2010") or future ("will ... 2023")."""
    out: Counter[int] = Counter()
    for mt in _YEAR.finditer(text):
        y = int(mt.group(1))
        if y > cap.year or not _in_date(text, mt.start(), mt.end()):
            continue
        if _SINCE.search(text[max(0, mt.start() - 40) : mt.start()]) or _SINCE_AFTER.match(text[mt.end() : mt.end() + 20]):
            continue
        if _FUTURE_BEFORE.search(text[max(0, mt.start() - 80) : mt.start()]):
            continue  # "will serve a term beginning on January 1, 2023"
        out[y] += 1
    return out


def _common_year(text: str, cap: date, *, strict: bool) -> int | None:
    """The year the text's dates name most (``strict``: only when it clearly dominates); None on a tie."""
    counts = _years(text, cap).most_common()
    if not counts:
        return None
    if len(counts) == 1:
        return counts[0][0]
    (y1, n1), (_, n2) = counts[0], counts[1]
    if strict:
        return y1 if n1 >= 2 * n2 and n1 >= 2 else None
    return y1 if n1 > n2 else None


def _resolve(c: _Cand, year: int | None, cap: date) -> date | None:
    y = c.year if c.year > 0 else year
    if y is None:
        return None
    out = _mk(y, c.month, c.day, cap)
    if out is None and c.year < 0 and year is not None:
        # "December 30" named in a January text: the previous year
        prev = _mk(year - 1, c.month, c.day, cap)
        if prev is not None and (cap - prev).days < 60:
            return prev
    return out


# -- URL -------------------------------------------------------------------------------------

_Y = r"(199\d|20[0-3]\d)"
_URL_COMPACT = re.compile(rf"(?<!\d){_Y}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")
_URL_STAMP = re.compile(rf"(?<!\d){_Y}(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[01]\d|2[0-3])[0-5]\d(?:[0-5]\d)?(?!\d)")
_URL_Y_MMDD = re.compile(rf"/{_Y}/(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=/)")
_URL_Y_WORD_D = re.compile(rf"(?<!\d){_Y}[/_-]([a-z]{{3,10}})[/_-](\d{{1,2}})(?!\d)", re.IGNORECASE)
_URL_D_WORD_Y = re.compile(rf"(?<![\da-z])(\d{{1,2}})[/_-]([a-z]{{3,10}})[/_-]{_Y}(?!\d)", re.IGNORECASE)
_URL_WORD_D_Y = re.compile(rf"(?<![a-z])([a-z]{{3,10}})[/_-](\d{{1,2}})(?:st|nd|rd|th)?[/_-]{_Y}(?!\d)", re.IGNORECASE)
_URL_D_M_Y = re.compile(rf"(?<![\d.])(\d{{1,2}})([/_.-])(\d{{1,2}})\2{_Y}(?![\d])")
_URL_YM = re.compile(rf"(?<!\d){_Y}[/_-](0?[1-9]|1[0-2])(?=/|$|\.s?html?|[?#])")
_URL_Y = re.compile(rf"/{_Y}/")


def _url_month(word: str) -> int:
    key = _strip_accents(_fold(word))
    m = _tables(("en",)).months.get(key)
    if m:
        return m
    u = _tables(_DEFAULT_LANGS)
    return u.months.get(key, 0) if len(key) >= 4 else 0


def url_date(url: str | None) -> str | None:
    """The calendar date a news URL carries, as ``YYYY-MM-DD``; None if it carries none.

    htmldate's rule (``/2024/09/18/``, ``/2024-09-18/``, ``?date=2024-09-18``, ``-2024-09-18``)
    first, then the forms it misses: ``/20240918/`` and ``n20240918`` in the path,
    ``/2024/0918/``, ``/2024/dec/18/``, ``19-Apr-2025``, ``april-19-2025``, ``/18/09/2024/``.
    Years 1990-2039, a real calendar date, not after tomorrow; article ids
    (``/article/123456789.html``) give nothing.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    url = url.strip()[:_URL_CAP]
    cap = _today_cap()
    try:
        from storyline.ingest.fields import url_date as htmldate_url_date

        found = htmldate_url_date(url)
    except Exception:  # htmldate missing or failing on odd input: the rules below still run
        found = None
    d = _iso_date(found)
    if d is not None and _mk(d.year, d.month, d.day, cap):
        return d.isoformat()
    try:
        path = re.split(r"[?#]", url.split("://", 1)[-1], maxsplit=1)[0]
        path = path[path.find("/") :] if "/" in path else ""
    except Exception:
        path = ""
    for rx in (_URL_Y_MMDD, _URL_COMPACT, _URL_STAMP):
        for mt in rx.finditer(path):
            d = _mk(int(mt.group(1)), int(mt.group(2)), int(mt.group(3)), cap)
            if d:
                return d.isoformat()
    for mt in _URL_Y_WORD_D.finditer(url):
        m = _url_month(mt.group(2))
        d = _mk(int(mt.group(1)), m, int(mt.group(3)), cap) if m else None
        if d:
            return d.isoformat()
    for mt in _URL_D_WORD_Y.finditer(url):
        m = _url_month(mt.group(2))
        d = _mk(int(mt.group(3)), m, int(mt.group(1)), cap) if m else None
        if d:
            return d.isoformat()
    for mt in _URL_WORD_D_Y.finditer(url):
        m = _url_month(mt.group(1))
        d = _mk(int(mt.group(3)), m, int(mt.group(2)), cap) if m else None
        if d:
            return d.isoformat()
    month_first = _month_first_host(url)
    for mt in _URL_D_M_Y.finditer(path):
        a, b, y = int(mt.group(1)), int(mt.group(3)), int(mt.group(4))
        first, second = (_mk(y, a, b, cap), _mk(y, b, a, cap))
        d = (first or second) if month_first else (second or first)
        if d:
            return d.isoformat()
    return None


#: Hosts under these top-level domains write numeric dates month first (the US convention) when both
#: readings are dates ("/05-06-2021-" on a .com is May 6); country domains write the day first.
_MONTH_FIRST_TLDS = frozenset({"com", "org", "net", "us", "gov", "edu", "mil", "info", "news"})


def _month_first_host(url: str) -> bool:
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE).split("/", 1)[0].split(":", 1)[0]
    return host.rsplit(".", 1)[-1].lower() in _MONTH_FIRST_TLDS


def _url_partial(url: str | None) -> tuple[int | None, int | None]:
    """Year and month a URL names without a day (``/2022/09/slug``, ``-2023-6``), else (year, None) or (None, None)."""
    if not isinstance(url, str) or not url:
        return None, None
    url = url[:_URL_CAP]
    mt = _URL_YM.search(url)
    if mt:
        return int(mt.group(1)), int(mt.group(2))
    mt = _URL_Y.search(url)
    if mt:
        return int(mt.group(1)), None
    return None, None


def month_of(text: str | None, url: str | None = None) -> tuple[int, int] | None:
    """The year and month a page names for itself without a day, or None: its URL (``/2022/09/slug``)
    or a leading ``date YYYY-MM`` line. It places an undated article within a month, a window that
    keeps it out of stories of other months (:func:`storyline.represent.stage.time_window`)."""
    got = month_and_source(text, url)
    return None if got is None else got[0]


def month_and_source(text: str | None, url: str | None = None) -> tuple[tuple[int, int], str] | None:
    """:func:`month_of` and where it came from: ``url`` or ``text`` (the leading date line)."""
    year, month = _url_partial(url)
    source = "url"
    if year is None or month is None:
        my, mm, _ = _marker(text or "")
        if _MIN_YEAR <= my <= _MAX_YEAR and 1 <= mm <= 12:
            year, month, source = my, mm, "text"
    if year is None or month is None or not _MIN_YEAR <= year <= _MAX_YEAR:
        return None
    cap = _today_cap()
    if (year, month) > (cap.year, cap.month):
        return None
    return (year, month), source


# -- dateline --------------------------------------------------------------------------------

_DL_PREFIX = re.compile(r"^\s*(?:\([^()\n]{2,25}\)\s*[-–—]\s*)?")
_DL_HEAD = re.compile(
    r"^(?P<place>[^\W\d_][\w'’.\-]*(?:[ /,]{1,2}[^\W\d_][\w'’.\-]*){0,5})"
    r"(?P<sep>\s*\((?P<agency>[^()\n]{1,30})\)\s*[-–—,]?\s*|\.\s+|,?\s+)"
    r"(?:(?:le|den|am|el|il|o)\s+)?$"
)
_DL_TAIL = re.compile(r"^\s*(?:[,.]\s*)?(?:\((?P<agency>[^()\n]{1,30})\)\s*(?P<d1>[-–—:.]|\.-)?|(?P<d2>[-–—:]|\.-))")
_DL_BARE = re.compile(r"^ [A-ZÀ-ÞА-ЯЁ][^\W\d_]+ [^\W\d_]")
_DL_INTERFAX = re.compile(r"^\.?\s+[A-ZА-ЯЁ][A-ZА-ЯЁ\-]{2,}(?:\s[A-ZА-ЯЁ][A-ZА-ЯЁ\-]{1,})?\s*[-–—]")
_DL_CONNECT = frozenset("de da do del della di la le el al am an upon on sur sul du des dos das im in of".split())
_DL_CJK = re.compile(r"(?:(\d{4})\s*年\s*)?(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*(?:电|電|讯|訊)")


def _place_ok(place: str, tables: _Tables) -> bool:
    """A dateline's place: one to six capitalised words ("KYIV, Ukraine", "Rio de Janeiro"), none a day or month name."""
    if len(place) > 60:
        return False
    words = [w for w in re.split(r"[ /,]+", place) if w]
    if not words or len(words) > 6:
        return False
    named = 0
    for w in words:
        key = _fold(w)
        if key in _DL_CONNECT:
            continue
        if not w[:1].isupper() or key in tables.weekdays or key in tables.relative or key in tables.months:
            return False
        named += 1
    return named > 0


def dateline_date(text: str, year_hint: int | None = None) -> str | None:
    """The date of a wire dateline near the top of ``text``, as ``YYYY-MM-DD``; None if there is none.

    "WASHINGTON, Sept 18 (Reuters) -", "MOSCOW, 21 April (Reuters) -", "BERLIN (dpa) 18.09.2024 -",
    "Paris, 18 septembre (AFP) -", "PARIS, le 18 septembre 2024 (AFP)", "(ANSA) - MOSCA, 21 SET -",
    "新华社莫斯科9月21日电". The year comes from the dateline, else ``year_hint``, else the year
    the text names most, else there is no date.
    """
    text = _str(text, _TEXT_CAP)
    if not text:
        return None
    cap = _today_cap()
    head = text[: _DATELINE_SPAN + 120]
    hint = year_hint if isinstance(year_hint, int) and _MIN_YEAR <= year_hint <= _MAX_YEAR else None
    tables = _tables(_DEFAULT_LANGS, loose=True)
    pos = 0
    for line in head.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if start > _DATELINE_SPAN:
            break
        line = line[:200]
        pre = _DL_PREFIX.match(line)
        body = line[pre.end() :] if pre else line
        cands = _find(body[:120], tables, strict=False, dm=True)
        if not cands:
            continue
        c = cands[0]
        head_m = _DL_HEAD.match(body[: c.start])
        if not head_m or not _place_ok(head_m.group("place").strip(" ,"), tables):
            continue
        rest = body[c.end :]
        tail = _DL_TAIL.match(rest)
        agency = head_m.group("agency") or (tail.group("agency") if tail else None)
        if tail and (agency or tail.group("d2")):
            if head_m.group("agency") and not (tail.group("d1") or tail.group("d2")):
                continue  # "BERLIN (dpa) 18.09.2024" needs its dash
        elif not _DL_INTERFAX.match(rest) and not (
            # "Brasilia, Oct 31 Former Brazilian President ..." (agency dropped by the copier)
            head_m.group("sep").strip() == ","
            and len(head_m.group("place").split()) <= 3
            and _DL_BARE.match(rest)
        ):
            continue
        year = c.year if c.year > 0 else (hint or _common_year(text, cap, strict=False))
        d = _resolve(c, year, cap)
        if d:
            return d.isoformat()
    mt = _DL_CJK.search(text[:_DATELINE_SPAN])
    if mt:
        year = _int(mt.group(1)) if mt.group(1) else (hint or _common_year(text, cap, strict=False))
        if year:
            d = _mk(year, _int(mt.group(2)), _int(mt.group(3)), cap)
            if d:
                return d.isoformat()
    return None


# -- date line at the top --------------------------------------------------------------------

_TOP_SPLIT = re.compile(r"\s[|•·]\s|\s\|\s?|\n")
_TOP_LABEL = re.compile(
    r"^\W*(?:date|dated|published|publish(?:ed)? (?:on|at)|first published|updated|last updated|posted|"
    r"modified|created|publié|publié le|mis à jour|mis à jour le|le|veröffentlicht|veröffentlicht am|"
    r"aktualisiert|aktualisiert am|stand|am|erstellt|publicado|publicado el|actualizado|actualizado el|"
    r"pubblicato|pubblicato il|aggiornato|aggiornato il|publicado em|atualizado|atualizado em|"
    r"опубликовано|обновлено|дата публикации|gepubliceerd|bijgewerkt|geplaatst|opublikowano|"
    r"aktualizacja|yayınlanma|yayın tarihi|güncelleme|güncellenme|publikováno|aktualizováno|"
    r"publicerad|uppdaterad|udgivet|opdateret|publisert|oppdatert|julkaistu|päivitetty|"
    r"发布时间|發佈時間|更新时间|公開日|更新日|작성|입력|수정)\b\s*(?:on|at|am|le|el|il|em)?\s*[:：]?\s*",
    re.IGNORECASE,
)
_TOP_NOISE = re.compile(
    r"\d{1,2}[:.h]\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:a\.?m\.?|p\.?m\.?|uhr|h|ч|Uhr)?|[+-]\d{2}:?\d{2}|"
    r"\b(?:[A-Z]{2,5}|GMT|UTC|MEZ|MESZ|CET|CEST|ET|PT|BST|IST|MSK)\b|\b(?:kl|klo|г|года|r|god)\b\.?|"
    r"\b(?:updated|update|published|posted|am|um|à|at|le|den|o|в|at)\b",
    re.IGNORECASE,
)


_TIME_ANY = re.compile(r"\d[:.h]\d{2}(?!\d)")
_YEAR_ANY = re.compile(r"(?:19|20)\d\d")
_TIME_AFTER = re.compile(r"^[\s,|·•-]{0,4}(?:(?:at|um|à|a las|alle|в|saat|kl\.?)\s*)?\d{1,2}[:.h]\d{2}(?!\d)", re.IGNORECASE)
#: "This article was published Friday, 22 July, 2022", "Publié le 21/07/2022", "(Reuters, 27.7.2022)".
_STATED = re.compile(
    r"\b(?:published|posted|publié|publiée|mis en ligne|veröffentlicht|publicado|publicada|pubblicato|"
    r"pubblicata|опубликовано|gepubliceerd|opublikowano|yayınlanma|publikováno|publicerad)\b[^\n\d]{0,30}?(?=\d|[^\W\d_]+\.?\s+\d)"
    r"|\(\s*[^\W\d_][^()\n,]{1,30},\s*(?=\d)",
    re.IGNORECASE,
)


def _stated_date(text: str) -> str | None:
    """A date the text states as the article's own: after "published"/"publié"/... or in a "(Agency, date)" credit."""
    text = _str(text, _TEXT_CAP)
    if not text or not _DIGIT.search(text):
        return None
    cap = _today_cap()
    tables = _tables(_DEFAULT_LANGS, loose=True)
    for mt in _STATED.finditer(text):
        span = text[mt.end() : mt.end() + 40]
        cands = _find(span, tables, strict=False)
        if cands and cands[0].start <= 2 and cands[0].year > 0:
            c = cands[0]
            d = _mk(c.year, c.month, c.day, cap)
            if d:
                return d.isoformat()
    for line in text.split("\n"):  # a timestamp line further down: "29.03.2022 | Stand 29.03.2022, 19:15 Uhr"
        if len(line) <= 80 and _TIME_ANY.search(line) and _YEAR_ANY.search(line):
            for seg in _TOP_SPLIT.split(line):
                d = _line_date(seg, tables, cap, timed_only=True)
                if d:
                    return d.isoformat()
    return None


def _letters(s: str) -> int:
    return sum(1 for c in s if c.isalpha())


_MARKER = re.compile(r"^\s*date\s+(\d{4})-(\d{2})(?:-(\d{2}))?(?!\d)")


def _marker(text: str) -> tuple[int, int, int]:
    """The page corpus's leading ``date YYYY-MM[-DD]`` marker as (year, month, day or 0); zeros when absent."""
    mt = _MARKER.match(text[:40]) if isinstance(text, str) else None
    if not mt:
        return 0, 0, 0
    return int(mt.group(1)), int(mt.group(2)), int(mt.group(3) or 0)


def top_line_date(text: str) -> str | None:
    """The date of a leading line that is, or mainly holds, a date, as ``YYYY-MM-DD``; None if none.

    " date 2025-04-22", "2022-06-15", "Updated: June 15, 2022", "15 June 2022 | ...",
    "Published 18 September 2024 10:02 BST", "18.09.2024, 14:05 Uhr", "2024年9月18日 10:00",
    "18 сентября 2024, 12:30", within the first 8 non-empty lines and 400 characters. When several
    lines hold one, the earliest date (published comes before updated).
    """
    text = _str(text, _TEXT_CAP)
    if not text:
        return None
    cap = _today_cap()
    y, m, d = _marker(text)
    if d:
        found = _mk(y, m, d, cap)
        if found:
            return found.isoformat()
    lines = [line for line in text[:_TOP_CAP].split("\n") if line.strip()][:_TOP_LINES]
    tables = _tables(_DEFAULT_LANGS, loose=True)
    best: date | None = None
    for seg in _TOP_SPLIT.split("\n".join(lines)):
        found = _line_date(seg, tables, cap)
        if found and (best is None or found < best):
            best = found
    return best.isoformat() if best else None


def _line_date(seg: str, tables: _Tables, cap: date, *, timed_only: bool = False) -> date | None:
    """The date of a line (or ``|`` segment) that is, or mainly holds, a full date; ``timed_only``: one with its time."""
    seg = seg.strip()
    if not seg or len(seg) > 160 or not _DIGIT.search(seg):
        return None
    label = _TOP_LABEL.match(seg)
    body = seg[label.end() :] if label else seg
    cands = [c for c in _find(body, tables, strict=False) if c.year > 0]
    if not cands:
        return None
    c = cands[0]
    timed = bool(_TIME_AFTER.match(body[c.end :]))  # a date with its time of day is a timestamp
    if timed_only and not timed:
        return None
    rest = body[: c.start] + " " + body[c.end :]
    rest = _TOP_NOISE.sub(" ", rest)
    for w in re.findall(r"[^\W\d_]+", rest):
        if _fold(w) in tables.weekdays:
            rest = rest.replace(w, " ", 1)
    n = _letters(rest)
    if n > (30 if label or timed else 12) or (not (label or timed) and n > (c.end - c.start)):
        return None
    return _mk(c.year, c.month, c.day, cap)


# -- headline and lede -----------------------------------------------------------------------

_SENT_END = re.compile(r"[。！？]|[.!?](?:[\"”»’)\]]*)(?=\s|$)|(?<=[^\W\d_]{2})[.!?](?=[A-ZÀ-ÞА-ЯЁ])|\n")
_LAST_TOKEN = re.compile(r"(\S+)$")
_CJK_CHAR = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
#: A date near these words dates a photograph, not the news.
_CAPTION = re.compile(r"\b(?:file\s+photo|photo\s*:|archive\s+photo|foto\s+d['’]archivio|archivfoto|archivbild)", re.IGNORECASE)
#: A short line crediting a picture; the line before it is the picture's caption.
_CREDIT = re.compile(
    r"©|\(c\)|\b(?:getty|zuma|shutterstock|imago|picture[- ]alliance|photo|photos|foto|fotó|bild|images?|credit|"
    r"keystone|anadolu)\b|/\s*(?:reuters|ap|afp|epa|dpa|ansa|efe|tns|bloomberg|tass)\b|\b(?:reuters|ap|afp|epa|dpa)\s*/",
    re.IGNORECASE,
)
#: Words that make a date an earlier (or later) one than the article's own: "since", "el pasado 6 de febrero",
#: "vom 6. Februar", "le 5 septembre dernier", "with effect from November 2", "until".
_RECAP_BEFORE = re.compile(
    r"(?:\b(?:since|from|until|till|through|last|past|previous|earlier|seit|vom|ab|bis|vergangenen|letzten|"
    r"depuis|jusqu['’]|dès|desde|hasta|pasado|passado|scorso|scorsa|dal|dall['’]|dallo|fino|sinds|tot|sedan|"
    r"siden|od|do|aż)|(?<![^\W\d_])(?:с|со|з|із|від|до|по|от|од))\s+(?:(?:the|dem|le|la|el|il|lo|al|au|del|"
    r"zum|am|den)\s+)?$",
    re.IGNORECASE,
)
#: A date in the same clause after these words is one the news looks ahead to ("will go to a runoff on 30 October").
_FUTURE_BEFORE = re.compile(
    r"\b(?:will|shall|to be held|scheduled|set for|due|expected|planned|until|wird|werden|soll|sollen|"
    r"sera|seront|aura|auront|prévu|prévue|será|serán|prevista|previsto|sarà|saranno|dovrà|zal|zullen|"
    r"kommer att|vil|będzie|bude|состоится|пройдет|пройдёт|будет|буде|відбудеться)\b[^.;!?\n]{0,60}$",
    re.IGNORECASE,
)
_RECAP_AFTER = re.compile(
    r"^\s*(?:dernier|dernière|scorso|scorsa|pasado|passado|prochain|prochaine|próximo|prossimo|prossima|"
    r"ultimo|passato)\b",
    re.IGNORECASE,
)


def _abbrev(before: str) -> bool:
    """Whether a full stop after ``before`` ends an abbreviation ("Sept.", "U.S.", German "18.") rather than a sentence."""
    mt = _LAST_TOKEN.search(before)
    if not mt:
        return False
    tok = mt.group(1).lstrip("\"“„«(")
    if re.fullmatch(r"\d{1,2}", tok):
        return True
    if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]", tok):
        return True
    return bool(re.fullmatch(r"[^\W\d_]{1,4}", tok)) and tok[:1].isupper()


def _uncaption(body: str) -> str:
    """``body`` without picture credits ("ZUMA Press/TNS", "Photo: AP") and the caption line before each."""
    lines = body.split("\n")
    drop: set[int] = set()
    for i, line in enumerate(lines):
        if len(line.strip()) <= 80 and _CREDIT.search(line):
            drop.add(i)
            j = i - 1
            while j >= 0 and not lines[j].strip():
                j -= 1
            if j >= 0 and len(lines[j]) <= 300:
                drop.add(j)
    if not drop:
        return body
    return "\n".join("" if i in drop else line for i, line in enumerate(lines))


def _lede(title: str, text: str) -> str:
    """The headline and the first sentences of the body (short lines ride along, picture captions do not)."""
    body = _uncaption(text[:_LEDE_CAP])
    out_end, sentences, pos = len(body), 0, 0
    for mt in _SENT_END.finditer(body):
        if mt.group(0) == "." and _abbrev(body[max(0, mt.start() - 20) : mt.start()]):
            continue
        piece = body[pos : mt.end()].strip()
        if len(piece) >= 60 or len(_CJK_CHAR.findall(piece)) >= 15:
            sentences += 1
        pos = mt.end()
        if sentences >= _LEDE_SENTENCES:
            out_end = pos
            break
    return title + "\n" + body[:out_end]


def _lede_dates(title: str, text: str, lang: str | None, year_hint: int | None, cap: date) -> list[date]:
    lede = _lede(title, text)
    tables = _tables(_langs_for(lang))
    cands = _find(lede, tables, lang=lang, strict=True)
    if not cands:
        return []
    year = year_hint
    if year is None and any(c.year < 0 for c in cands):
        year = _common_year(title + "\n" + text, cap, strict=True)
    out = []
    for c in cands:
        before, after = lede[max(0, c.start - 40) : c.start], lede[c.end : c.end + 40]
        if _CAPTION.search(before + " " + after) or re.search(r"\bIn this\s*$", before):
            continue
        if _RECAP_BEFORE.search(before) or _RECAP_AFTER.match(after):
            continue
        if _FUTURE_BEFORE.search(lede[max(0, c.start - 80) : c.start]):
            continue
        d = _resolve(c, year, cap)
        if d:
            out.append(d)
    return out


def lede_date(
    title: str,
    text: str,
    lang: str | None = None,
    *,
    not_after: str | None = None,
    year_hint: int | None = None,
    month_hint: int | None = None,
) -> str | None:
    """An explicit date in the headline or the first two sentences, as ``YYYY-MM-DD``; None if none.

    Any language: "on Wednesday, September 18, 2024", "18. September 2024", "18 septembre 2024",
    "18 de septiembre de 2024", "2024年9月18日", "18 сентября 2024 года", "18 Eylül 2024"; a day
    and month alone take the year from ``year_hint`` or, when one year clearly dominates, the
    text. Of several dates the latest not after ``not_after`` (a date from a more trusted
    source; always not after tomorrow) wins: ledes recap earlier events. ``month_hint`` (with
    ``year_hint``, from a URL like ``/2022/09/``) keeps only dates of that month.
    """
    title, text = _str(title, _TITLE_CAP), _str(text, _TEXT_CAP)
    if not title and not text:
        return None
    cap = _today_cap()
    bound = _iso_date(not_after)
    if bound is not None and bound < cap:
        cap = bound
    hint = year_hint if isinstance(year_hint, int) and _MIN_YEAR <= year_hint <= _MAX_YEAR else None
    dates = _lede_dates(title, text, lang, hint, cap)
    if hint is not None:
        dates = [d for d in dates if d.year == hint and (not month_hint or d.month == month_hint)]
    return max(dates).isoformat() if dates else None


# -- relative words --------------------------------------------------------------------------


def resolve_relative(title: str, text: str, ref: str, lang: str | None = None) -> str | None:
    """The day that a weekday or relative word in the headline or lede means, given the known date ``ref``.

    "on Monday" (the latest Monday on or before ``ref``), "yesterday"/"gestern"/"hier"/"вчера"/"昨日"
    (``ref`` - 1), "today"/"heute"/"hoy"/"сегодня" (``ref``), "last week" (``ref`` - 7), "am Mittwoch",
    "mercredi", "el miércoles", "в среду". The first such word in the headline, then the lede, counts.
    Returns ``YYYY-MM-DD`` or None.
    """
    base = _iso_date(ref)
    if base is None:
        return None
    title, text = _str(title, _TITLE_CAP), _str(text, _TEXT_CAP)
    tables = _tables(_langs_for(lang))
    if tables.rel_re is None:
        return None
    for part in (title, _lede("", text)):
        for mt in tables.rel_re.finditer(part):
            word = re.sub(r"\s+", " ", mt.group(1)).casefold().rstrip(".")
            if word in tables.relative:
                back = tables.relative[word]
                if back < 0:
                    continue
                return (base - timedelta(days=back)).isoformat()
            wd = tables.weekdays.get(word, tables.weekdays.get(_strip_accents(word)))
            if wd is None:
                continue
            return (base - timedelta(days=(base.weekday() - wd) % 7)).isoformat()
    return None


# -- all together ----------------------------------------------------------------------------

_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _meta(meta: object) -> str | None:
    if not isinstance(meta, str) or not meta.strip():
        return None
    s = meta.strip()[:64]
    if _ISO_LIKE.match(s) and _iso_date(s):
        return s
    try:
        from storyline.ingest.fields import normalise_date

        return normalise_date(s)
    except Exception:
        return None


def infer_date(
    title: str,
    text: str,
    url: str | None = None,
    given: str | None = None,
    meta: str | None = None,
    lang: str | None = None,
) -> Dated:
    """The article's date from everything its page says, and where it came from.

    Trust order: ``given`` ("field", kept as is), ``meta`` ("meta"), the URL ("url"), a
    dateline ("dateline"), then, all "text": a date line at the top of the text, a date the
    text states as its own further down ("This article was published 22 July 2022", a
    timestamp line "29.03.2022, 19:15 Uhr", a "(Reuters, 27.7.2022)" credit), an explicit
    date in the headline or lede. ``Dated(None, "none")`` when nothing dates it. A URL that
    names only a year and month (``/2022/09/``), or else the page corpus's leading
    ``date YYYY-MM`` marker, supplies the year of a dateline or lede that lacks one and
    rules out text dates of other months.
    """
    if isinstance(given, str) and given.strip():
        return Dated(given.strip(), "field")
    m = _meta(meta)
    if m:
        return Dated(m, "meta")
    u = url_date(url)
    if u:
        return Dated(u, "url")
    year, month = _url_partial(url)
    my, mm, _ = _marker(text)
    if year is None and _MIN_YEAR <= my <= _MAX_YEAR and 1 <= mm <= 12:
        year, month = my, mm

    def fits(iso: str | None) -> bool:
        d = _iso_date(iso)
        return d is not None and (year is None or (d.year == year and (month is None or d.month == month)))

    d = dateline_date(text, year)
    if fits(d):
        return Dated(d, "dateline")
    d = top_line_date(text)
    if fits(d):
        return Dated(d, "text")
    d = _stated_date(text)
    if fits(d):
        return Dated(d, "text")
    d = lede_date(title, text, lang, year_hint=year, month_hint=month)
    if fits(d):
        return Dated(d, "text")
    return Dated(None, "none")
