"""Numbers with units, and dates, as comparable values.

"30-hour" and "one-day" become 30 h and 24 h; "nearly 3,000 violations" a count
of 3000 violations (qualifier "nearly"); "$2.5 billion" 2.5e9 USD; "earlier on
Monday" the Monday on or before the article's publication date (or, with no
date, the weekday itself, which still compares with another outlet's
"Saturday"). Matching mentions across outlets happens in ``digest.build``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from storyline.digest.text import STOPWORDS, fold

_SMALL = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "dozen": 12,
}  # fmt: skip
_MULT = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
         "b": 1e9, "trillion": 1e12, "tn": 1e12, "hundred": 1e2}  # fmt: skip
_DUR = {"second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800, "month": 2629800,
        "year": 31557600, "decade": 315576000}  # fmt: skip
_DUR_SHORT = {"second": "s", "minute": "min", "hour": "h", "day": "d", "week": "wk", "month": "mo", "year": "yr",
              "decade": "decades"}  # fmt: skip
_CUR = {"$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "€": "EUR", "eur": "EUR", "euro": "EUR",
        "£": "GBP", "gbp": "GBP", "pound": "GBP", "¥": "JPY", "yen": "JPY", "yuan": "CNY", "rs": "INR",
        "rupee": "INR", "inr": "INR"}  # fmt: skip
_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]  # fmt: skip

_WORDNUM = (
    r"(?:" + "|".join(sorted((k for k in _SMALL if k not in ("a", "an")), key=len, reverse=True)) + r")"
)
_NUM = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|{_WORDNUM}(?:[- ]{_WORDNUM})?)"
_QUAL = (r"(?:nearly|almost|about|around|roughly|approximately|some|more than|over|at least|up to|"
         r"less than|fewer than|under|just|only|at most|as many as|as much as|close to)")  # fmt: skip
_UNITS = r"(?:second|minute|hour|day|week|month|year|decade)s?"
NUMBER = re.compile(
    rf"(?<![\w.,-])(?:(?P<qual>{_QUAL})\s+)?"
    rf"(?P<cur>US\$|\$|€|£|¥|Rs\.?\s?|USD\s|EUR\s|GBP\s)?"
    rf"(?P<num>{_NUM})"
    rf"(?:\s?(?P<mult>thousand|million|billion|trillion|bn|mn|tn|k|m|b)\b)?"
    rf"(?:(?P<pct>\s?%|\s(?:percent|per cent)\b)"
    rf"|[- ](?P<dur>{_UNITS})(?P<old>-old)?\b"
    rf"|[- ](?P<mag>magnitude)\b"
    rf"|\s(?P<bp>basis points?|bps?)\b"
    rf"|\s(?P<curw>dollars?|euros?|pounds?|rupees?|yuan|yen)\b"
    rf"|(?P<count>\s+(?:[a-z][a-z\-]+\s){{0,1}}[a-z][a-z\-]+))?",
    re.I,
)
_MAG_BEFORE = re.compile(r"magnitude[- ](\d+(?:\.\d+)?)", re.I)
_WD = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_MON = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
DATE = re.compile(
    rf"\b(?:(?P<rel>(?i:earlier|later|late|early|last|next|this|past|since|until|by))\s+)?(?i:on\s+)?"
    rf"(?P<wd>{_WD})(?:\s+(?:morning|afternoon|evening|night))?\b"
    rf"|\b(?P<mon>{_MON})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<year>\d{{4}}))?\b"
    rf"|\b(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MON})(?:,?\s+(?P<year2>\d{{4}}))?\b"
    rf"|\b(?P<mon3>{_MON})\s+(?P<year3>\d{{4}})\b"
    rf"|\b(?P<relp>(?i:last|this|next|past))\s+(?P<per>week|month|year|weekend)\b"
    rf"|\b(?P<wkend>(?i:over the weekend))\b"
    rf"|\b(?P<dayword>(?i:yesterday|today|tonight|tomorrow))\b"
)
_FUTURE = re.compile(
    r"\b(?:will|would|shall|scheduled|to be held|upcoming|plans? to|(?:is|are) set to|(?:is|are) due|"
    r"(?:is|are) expected|to travel|to attend)\b",
    re.I,
)
_PAST_CUE = re.compile(r"\b(?:said|told|announced|declared|stated|added|asked|was|were|had)\b", re.I)
_COUNT_STOP = frozenset(
    STOPWORDS
    | {"percent", "per", "cent", "around", "near", "including", "nearly", "almost", "across", "along"}
)


@dataclass
class FactMention:
    """One number or date in one sentence of one article."""

    art: int
    unit: int
    start: int
    end: int
    kind: str  # duration, count, money, percent, magnitude, rate, date
    text: str
    value: float | str  # base units (seconds, currency units, ...) or an ISO date / weekday
    unit_name: str = ""
    qualifier: str = ""
    anchor: str = ""

    def key(self) -> tuple:
        from storyline.digest.text import stem

        return (self.kind, stem(self.unit_name), self.value)


def parse_number(tok: str) -> float | None:
    """'3,000' -> 3000, 'thirty-five' -> 35, 'one' -> 1."""
    t = fold(tok).strip()
    if t and t[0].isdigit():
        try:
            return float(t.replace(",", ""))
        except ValueError:
            return None
    total = 0.0
    for part in re.split(r"[- ]", t):
        if part not in _SMALL:
            return None
        v = _SMALL[part]
        total = total * v if v == 100 and total else total + v
    return total


def _anchor_after(text: str, end: int) -> str:
    ws = re.findall(r"[A-Za-z][A-Za-z\-]*", text[end : end + 40])
    out = []
    for w in ws[:3]:
        if fold(w) in STOPWORDS:
            break
        out.append(w)
    return " ".join(out[:2])


def _anchor_before(text: str, start: int) -> str:
    ws = re.findall(r"[A-Za-z][A-Za-z\-]*", text[max(0, start - 50) : start])
    out = [w for w in ws[-5:] if fold(w) not in STOPWORDS and not fold(w).endswith(("ed", "ing"))]
    return " ".join(out[-2:])


_NOUN_TOKEN = re.compile(r"[A-Za-z][\w\-]*|\d[\d,.]*|,")


_UNIT_WORDS = frozenset("km kg mi m cm mm ft lb lbs t mph kph kmh km/h sq acres hectares tonnes tons".split())
_CASUALTY_WORDS = {"dead": "dead", "deaths": "dead", "fatalities": "dead", "killed": "dead", "bodies": "dead",
                   "injured": "injured", "wounded": "injured", "hurt": "injured", "missing": "missing"}  # fmt: skip
_PEOPLE = frozenset("people persons civilians residents children adults villagers passengers workers".split())
_TOLL = re.compile(
    rf"\b(?:death|casualty)?\s?toll\b[^.;]{{0,40}}?\b(?:to|at|of|reached|is|was|stands at|stood at)\s+"
    rf"(?:(?P<qual>{_QUAL})\s+)?(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)\b",
    re.I,
)


def _count_noun(text: str, pos: int) -> tuple[str, int] | None:
    """The noun a count is of: '23 Somali and Yemeni pirates' -> pirates, '13 nautical miles' -> miles."""
    found: tuple[str, int, int] | None = None
    toks = list(_NOUN_TOKEN.finditer(text, pos))
    for k, m in enumerate(toks):
        w = m.group(0)
        low = fold(w)
        if found is not None:
            # a compound noun goes on ("drone attacks"); a participle does not ("people killed")
            if (
                w[0].islower()
                and low not in _COUNT_STOP
                and k <= found[2] + 2
                and not low.endswith(("ed", "ing"))
            ):
                found = (w, m.end(), found[2])
                continue
            break
        if k >= 6:
            return None
        nxt = toks[k + 1].group(0) if k + 1 < len(toks) else ""
        if w[0].isupper() or w[0].isdigit() or (w in (",", "and", "or") and nxt[:1].isupper()):
            continue
        if low in _COUNT_STOP or not w[0].isalpha():
            return None
        if low.endswith("ed") and low not in _CASUALTY_WORDS:
            return None
        found = (w, m.end(), k)
        if low in _UNIT_WORDS or low in _CASUALTY_WORDS:
            break
    return None if found is None else (found[0], found[1])


def _casualty(text: str, s: int, end: int, noun: str) -> str:
    """Counts of people killed or hurt share one unit ("29 people" killed = "37 dead")."""
    if noun in _CASUALTY_WORDS:
        return _CASUALTY_WORDS[noun]
    if noun not in _PEOPLE:
        return noun
    before, after = fold(text[max(0, s - 30) : s]), fold(text[end : end + 35])
    after = re.split(r"\d|[.;]", after)[0]  # up to the next number or clause end
    if re.search(r"\bkill|\bdead\b|\bdeath|\bdied\b|\bdie\b", before) or re.search(
        r"\b(?:killed|dead|died)\b", after
    ):
        return "dead"
    if re.search(r"\binjur|\bwound|\bhurt\b", before) or re.search(r"\b(?:injured|wounded|hurt)\b", after):
        return "injured"
    return noun


def numbers(text: str) -> list[tuple[int, int, str, float, str, str, str]]:
    """Numbers with units in a sentence: (start, end, kind, value, unit, qualifier, anchor)."""
    out = []
    for m in _MAG_BEFORE.finditer(text):
        out.append(
            (m.start(), m.end(), "magnitude", float(m.group(1)), "M", "", _anchor_after(text, m.end()))
        )
    for m in NUMBER.finditer(text):
        num = m.group("num")
        if any(s <= m.start() < e for s, e, *_ in out):
            continue
        low = fold(num)
        n = parse_number(num)
        if n is None:
            continue
        if low in ("hundred", "dozen", "thousand") and re.search(
            r"\b(?:several|few|many)\s+$", text[: m.start()]
        ):
            continue  # vague: "several hundred"
        mult = _MULT.get(fold(m.group("mult") or ""), 1.0)
        qual = fold(m.group("qual") or "")
        if qual in ("just", "only"):
            qual = ""
        cur = m.group("cur") or m.group("curw")
        s, e = m.start(), m.end()
        if m.group("dur"):
            u = fold(m.group("dur")).rstrip("s")
            if low in ("a", "an") and not m.group("old") and text[e : e + 1] != "-":
                pass
            kind = "age" if m.group("old") else "duration"
            out.append((s, e, kind, n * _DUR[u], u, qual, _anchor_after(text, e) or _anchor_before(text, s)))
        elif m.group("pct"):
            out.append((s, e, "percent", n, "%", qual, _anchor_before(text, s) or _anchor_after(text, e)))
        elif m.group("mag"):
            out.append((s, e, "magnitude", n, "M", qual, _anchor_after(text, e)))
        elif m.group("bp"):
            out.append((s, e, "rate", n, "bp", qual, _anchor_before(text, s)))
        elif cur:
            code = _CUR.get(fold(cur).strip().rstrip(".").rstrip("s"), "USD")
            out.append(
                (s, e, "money", n * mult, code, qual, _anchor_after(text, e) or _anchor_before(text, s))
            )
        elif low in ("a", "an"):
            continue
        elif re.fullmatch(r"(?:19|20)\d\d", num) and not m.group("mult"):
            continue  # a year: dates handle it
        elif m.group("count"):
            if text[m.start("num") - 1 : m.start("num")] == "-" or (num[0].isalpha() and n <= 2 and not qual):
                continue
            noun = _count_noun(text, m.start("count"))
            if noun is None or fold(noun[0]) in _MONTHS:
                continue
            word, end = noun
            unit = _casualty(text, s, end, fold(word))
            out.append((s, end, "count", n * mult, unit, qual, text[m.start("count") : end].strip()))
    for m in _TOLL.finditer(text):
        if not any(a <= m.start("num") < b for a, b, *_ in out):
            n = float(m.group("num").replace(",", ""))
            qual = fold(m.group("qual") or "")
            out.append((m.start("num"), m.end("num"), "count", n, "dead", qual, "death toll"))
    return sorted(out)


def parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return datetime.fromisoformat(published.replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(published[:10])
        except ValueError:
            return None


def dates(text: str, published: date | None) -> list[tuple[int, int, str, str]]:
    """Dates in a sentence: (start, end, as written, normalised).

    Normalised is an ISO date ("2025-04-21"), week ("2025-W16"), month ("2025-03")
    when the publication date is known, else the weekday or phrase itself.
    Weekdays look back from the publication date unless the sentence speaks of
    the future ("will", "scheduled"), then forward.
    """
    out = []
    for m in DATE.finditer(text):
        s, e = m.start(), m.end()
        # Future when the clause leading to the date speaks of it ("will travel ... on Thursday").
        clause = re.split(r"[,;:]\s", text[max(0, s - 80) : s])[-1]
        fut = _FUTURE.search(clause)
        future = bool(fut) and not _PAST_CUE.search(clause[fut.end() :])
        if m.group("wd"):
            wd = _WEEKDAYS.index(fold(m.group("wd")))
            rel = fold(m.group("rel") or "")
            norm = m.group("wd").capitalize()
            if published is not None:
                delta = (published.weekday() - wd) % 7
                if rel == "last" and delta == 0:
                    delta = 7
                d = published - timedelta(days=delta)
                if (future and rel not in ("earlier", "last", "past", "since")) or rel == "next":
                    d = published + timedelta(days=(wd - published.weekday()) % 7 or 7)
                norm = d.isoformat()
            out.append((s, e, m.group(0), norm))
        elif m.group("mon") or m.group("mon2") or m.group("mon3"):
            mon_name = m.group("mon") or m.group("mon2") or m.group("mon3")
            mon = _MONTHS.index(fold(mon_name)) + 1
            day = m.group("day") or m.group("day2")
            year = m.group("year") or m.group("year2") or m.group("year3")
            if year is None and published is not None:
                year = published.year - (1 if (mon, int(day or 1)) > (published.month, published.day) else 0)
            if day and year:
                try:
                    norm = date(int(year), mon, int(day)).isoformat()
                except ValueError:
                    continue
            elif year:
                norm = f"{int(year):04d}-{mon:02d}"
            else:
                norm = f"{mon_name.capitalize()} {int(day)}"
            out.append((s, e, m.group(0), norm))
        elif m.group("per") or m.group("wkend"):
            rel = fold(m.group("relp") or "this")
            per = fold(m.group("per") or "weekend")
            norm = f"{rel} {per}" if not m.group("wkend") else "weekend"
            if published is not None:
                step = {"last": -1, "past": -1, "this": 0, "next": 1}[rel] if not m.group("wkend") else 0
                if per in ("week", "weekend"):
                    ref = published + timedelta(weeks=step)
                    if per == "weekend" and m.group("wkend"):
                        sat = published - timedelta(days=(published.weekday() - 5) % 7)
                        ref = sat
                    y, w, _ = ref.isocalendar()
                    norm = f"{y}-W{w:02d}" + ("-weekend" if per == "weekend" else "")
                elif per == "month":
                    y, mo = published.year, published.month + step
                    y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
                    norm = f"{y:04d}-{mo:02d}"
                else:
                    norm = f"{published.year + step:04d}"
            out.append((s, e, m.group(0), norm))
        elif m.group("dayword"):
            w = fold(m.group("dayword"))
            norm = w
            if published is not None:
                off = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}[w]
                norm = (published + timedelta(days=off)).isoformat()
            out.append((s, e, m.group(0), norm))
    return out


def granularity(norm: str) -> str:
    """What a normalised date names: a day, a weekday, a week, a month, a year, or a relative phrase."""
    if re.fullmatch(r"\d{4}-\d\d-\d\d", norm):
        return "day"
    if re.fullmatch(r"\d{4}-W\d\d", norm):
        return "week"
    if re.fullmatch(r"\d{4}-\d\d", norm):
        return "month"
    if re.fullmatch(r"\d{4}", norm):
        return "year"
    if fold(norm) in _WEEKDAYS:
        return "weekday"
    return norm


def fmt_value(kind: str, value: float | str, unit: str, as_unit: str | None = None) -> str:
    """A normalised value for display: '30 h', '24 h', '3000 violation', '2.5e9 USD', '3.5 %'."""
    if isinstance(value, str):
        return value
    if kind in ("duration", "age"):
        u = as_unit or unit
        v = value / _DUR.get(u, 1)
        return f"{_num(v)} {_DUR_SHORT.get(u, u)}"
    if kind == "money":
        return f"{_num(value)} {unit}"
    if kind == "percent":
        return f"{_num(value)} %"
    return f"{_num(value)} {unit}".strip()


def _num(v: float) -> str:
    if abs(v - round(v)) < 1e-9:
        return f"{round(v):,}".replace(",", "\u2009") if abs(v) >= 10000 else str(round(v))
    return f"{v:.6g}"


def smallest_unit(units: list[str]) -> str:
    """The finest duration unit among values, so '30-hour' and 'one-day' compare as 30 h vs 24 h."""
    return min(units, key=lambda u: _DUR.get(u, 1))
