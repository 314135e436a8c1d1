"""Numbers with units, and dates, as comparable values; the story's fact table.

"30-hour" and "one-day" become 30 h and 24 h; "nearly 3,000 violations" a count
of 3000 violations (qualifier "nearly"); "$2.5 billion" 2.5e9 USD; "earlier on
Monday" the Monday on or before the article's publication date (or, with no
date, the weekday itself, which still compares with another outlet's
"Saturday").

:func:`table` holds what a reader can check: numbers and dates matched across
outlets by their masked context (one value: an agreement; different values: a
conflict, or an update when they follow each other in time), and the names the
story gives a role ("Kremlin spokesman Dmitry Peskov"). A name mentioned
without a role is no fact.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from storyline.digest.context import Ctx, clusters, embed_texts, lexical, similarity
from storyline.digest.quotes import CUES, Ledger, find_quotes
from storyline.digest.text import STOPWORDS, clip, fold, stem

FACT_AGREE = 0.45  # masked contexts this close, same value: the same fact reported alike
FACT_AGREE_DATE = 0.6  # dates are common and generic: agreeing on one needs closer contexts
FACT_CONFLICT = 0.80  # masked contexts this close, different values: the same fact in conflict

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


# ----------------------------------------------------------------------------- the fact table


def table(ctx: Ctx, ledger: Ledger) -> list[dict[str, Any]]:
    """The fact table: numbers and dates (conflicts, updates, agreements, then single reports), then
    people in their roles; ids ``f1``, ``f2``, ... in that order."""
    out = _number_facts(ctx, ledger.quotes, ledger.of_unit) + _people_in_roles(ctx)
    for k, fact in enumerate(out):
        fact["id"] = f"f{k + 1}"
    return out


def _number_facts(ctx: Ctx, quotes: list[dict[str, Any]], quote_of_unit) -> list[dict[str, Any]]:
    """Numbers and dates matched across outlets by their masked context, and compared."""
    ments: list[FactMention] = []
    windows: list[str] = []
    attached: list[int | None] = []  # the quote a date belongs to ("when it was said")
    for a, u in ctx.cand:
        text = ctx.docs[a][u]
        qspans = [(s, e) for s, e, _ in find_quotes(text)]
        for s, e, kind, value, unit, qual, anchor in numbers(text):
            ments.append(FactMention(a, u, s, e, kind, text[s:e], value, unit, qual, anchor))
            windows.append(_window(text, s, e, kind))
            attached.append(None)
        for s, e, written, norm in dates(text, ctx.pubs[a]):
            if any(qs <= s < qe for qs, qe in qspans):
                continue
            ments.append(FactMention(a, u, s, e, "date", written, norm, "", "", ""))
            windows.append(_window(text, s, e, "date"))
            qs = quote_of_unit.get((a, u), [])
            attached.append(qs[0] if len(qs) == 1 else None)
    if not ments:
        return []
    # A window's vector only counts against a mention it could be the same fact as, in another sentence
    # (_fact_similarity zeroes every other pair): the rest are not encoded.
    pos = np.array([ctx.pos[(m.art, m.unit)] for m in ments])
    need = np.flatnonzero((_compatible_matrix(ments) & (pos[:, None] != pos[None, :])).any(1))
    wsem = embed_texts([windows[i] for i in need], ctx.enc, ctx.cache)
    if wsem is not None:
        full = np.zeros((len(ments), wsem.shape[1]), dtype=np.float32)
        full[need] = wsem
        wsem = full
    wlex = lexical(windows)
    sim = similarity(wsem, wlex)
    # A date belongs to the verb next to it: "declared on Saturday" is not "said on Monday".
    events = [
        _event_word(ctx.docs[m.art][m.unit], m.start, m.end) if m.kind == "date" else None for m in ments
    ]
    ev = np.array([e or "" for e in events], dtype=object)
    apart = (ev[:, None] != ev[None, :]) & (ev != "")[:, None] & (ev != "")[None, :]
    sim[apart] = np.minimum(sim[apart], 0.3)
    sim = _fact_similarity(ctx, ments, attached, sim)
    norms = [m.key() for m in ments]
    # 1. Mentions of the same value about the same thing: an agreement needs modest evidence.
    by_value: dict[tuple, list[int]] = defaultdict(list)
    for i, k in enumerate(norms):
        by_value[k].append(i)
    groups: list[list[int]] = []
    for (kind, _, _), idx in by_value.items():
        labels = clusters(sim[np.ix_(idx, idx)], FACT_AGREE_DATE if kind == "date" else FACT_AGREE)
        parts: dict[int, list[int]] = defaultdict(list)
        for i, lab in zip(idx, labels):
            parts[lab].append(i)
        groups.extend(parts.values())
    # 2. Different values joined into one fact: a conflict needs strong evidence (and no incompatible pair).
    group_of = np.empty(len(ments), dtype=int)
    for gi, g in enumerate(groups):
        group_of[g] = gi
    order = np.argsort(group_of, kind="stable")
    starts = np.flatnonzero(np.r_[True, np.diff(group_of[order]) != 0])
    parent = list(range(len(groups)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # A story is one event: its counts of dead and injured are its toll, however each outlet words them.
    toll = np.array(
        [ments[g[0]].kind == "count" and ments[g[0]].unit_name in ("dead", "injured") for g in groups]
    )
    for gi, g in enumerate(groups):
        rows = sim[g][:, order]
        gmax = np.maximum.reduceat(rows.max(0), starts)
        gmin = np.minimum.reduceat(rows.min(0), starts)
        need = np.where(toll & toll[gi], FACT_AGREE, FACT_CONFLICT)
        for gj in np.flatnonzero((gmax >= need) & (gmin > 0.0)):
            if gj > gi:
                parent[find(gi)] = find(int(gj))
    facts: dict[int, list[int]] = defaultdict(list)
    for gi, g in enumerate(groups):
        facts[find(gi)].extend(g)
    out = []
    for idx in facts.values():
        out.append(_fact_entry(ctx, [ments[i] for i in idx], quotes, [attached[i] for i in idx]))
    out.sort(
        key=lambda f: ({"conflict": 0, "update": 1, "agree": 2, "single": 3}[f["status"]], -len(f["outlets"]))
    )
    return out


def _fact_similarity(
    ctx: Ctx, ments: list[FactMention], attached: list[int | None], sim: np.ndarray
) -> np.ndarray:
    """Context similarity of fact mentions, with what is known about them folded in.

    A date said of the same quote is the same fact; a date said of a quote is not
    the date of anything else; mentions in sentences that say the same thing
    are close; the same value said of the same name agrees; two values in one
    sentence, or of different kinds or magnitudes, are never one fact.
    """
    sim = sim.copy()
    label_of = {c: ctx.labels[i] for i, c in enumerate(ctx.cand)}
    unit = np.array([ctx.pos[(m.art, m.unit)] for m in ments])
    label = np.array([label_of[(m.art, m.unit)] for m in ments])
    is_date = np.array([m.kind == "date" for m in ments])
    att = np.array([-1 if a is None else a for a in attached])
    key = [m.key() for m in ments]
    code = {k: c for c, k in enumerate(dict.fromkeys(key))}
    codes = np.array([code[k] for k in key], dtype=np.int64)
    same_key = codes[:, None] == codes[None, :]
    ents = [
        frozenset(
            x.entity
            for x in ctx.index.mentions(m.art, m.unit)
            if len(ctx.index.entities[x.entity].articles) > 1
        )
        for m in ments
    ]
    for i in np.flatnonzero(~is_date):
        for j in np.flatnonzero(same_key[i] & ~is_date):
            if ents[i] & ents[j]:
                sim[i, j] = max(sim[i, j], FACT_AGREE)  # the same value said of the same name
    both_dates = is_date[:, None] & is_date[None, :]
    same_quote = both_dates & (att[:, None] >= 0) & (att[:, None] == att[None, :])
    one_quote = both_dates & ((att[:, None] >= 0) | (att[None, :] >= 0)) & ~same_quote
    same_sentence = (label[:, None] == label[None, :]) & ~both_dates & (sim >= 0.6)
    sim = np.where(same_sentence, np.maximum(sim, 0.8), sim)
    sim = np.where(one_quote, np.minimum(sim, 0.79), sim)
    sim = np.where(same_quote, 1.0, sim)
    # A date is when someone did something: dates of sentences about different people are different facts.
    people = [
        frozenset(x.entity for x in ctx.index.mentions(m.art, m.unit) if ctx.index.entities[x.entity].person)
        for m in ments
    ]
    for i in np.flatnonzero(is_date):
        for j in np.flatnonzero(is_date):
            if people[i] and people[j] and not people[i] & people[j]:
                sim[i, j] = 0.0
    # Two numbers in one sentence are two facts.
    ok = _compatible_matrix(ments) & (unit[:, None] != unit[None, :])
    sim = np.where(ok, sim, 0.0)
    np.fill_diagonal(sim, 1.0)
    return sim


_VERB_LIKE = re.compile(r"^[a-z]+(?:ed|ied)$")
_IRREGULAR = frozenset(
    """said told met began begun spoke took left struck hit won lost fell rose came went made gave held sent
    broke ran saw found thought became kept brought wrote flew shot fought sold bought paid""".split()
)


def _event_word(text: str, s: int, e: int) -> str | None:
    """The verb a date belongs to: the nearest before it (4 words), else after it (4 words).

    Speech verbs are one event ("said" = "stated"), other verbs are their stem.
    """
    speech = CUES - {"declared", "announced", "declaring", "announcing", "promised", "pledged", "vowed"}

    before = re.findall(r"[A-Za-z]+", text[max(0, s - 60) : s])[-4:]
    after = re.findall(r"[A-Za-z]+", re.split(r"[.;]", text[e : e + 60])[0])[:4]
    for w in list(reversed(before)) + after:
        low = w.lower()
        if low in speech:
            return "say"
        if w[0].islower() and (low in _IRREGULAR or _VERB_LIKE.match(low)) and low not in ("need", "indeed"):
            return stem(low)
    return None


def _window(text: str, s: int, e: int, kind: str, span: int = 8) -> str:
    left = text[:s].split()[-span:]
    right = text[e:].split()[:span]
    return " ".join([*left, f"[{kind}]", *right])


def _compatible_matrix(ments: list[FactMention]) -> np.ndarray:
    """Which pairs of values could be about the same thing.

    Same kind; dates of the same granularity (weekday with weekday); counts of
    the same noun; and a difference within a factor of 3 (a conflict is "30 h
    vs 24 h", not "30 hours vs 30 days").
    """
    kinds = np.array([m.kind for m in ments])
    ok = kinds[:, None] == kinds[None, :]
    is_date = kinds == "date"
    gran = np.array([granularity(str(m.value)) if m.kind == "date" else "" for m in ments])
    ok &= ~(is_date[:, None] & (gran[:, None] != gran[None, :]))
    nouns = np.array([stem(m.unit_name) if m.kind in ("count", "money", "rate") else "" for m in ments])
    ok &= ~((nouns[:, None] != "") & (nouns[None, :] != "") & (nouns[:, None] != nouns[None, :]))
    vals = np.array([abs(float(m.value)) if m.kind != "date" else 1.0 for m in ments])
    lo, hi = np.minimum(vals[:, None], vals[None, :]), np.maximum(vals[:, None], vals[None, :])
    close = (lo == hi) | ((lo > 0) & (hi <= 3.0 * lo))
    return ok & (is_date[:, None] | close)


def _fact_entry(ctx: Ctx, group: list[FactMention], quotes, attached) -> dict[str, Any]:
    kind = group[0].kind
    as_unit = smallest_unit([m.unit_name for m in group]) if kind in ("duration", "age") else None
    values: dict[str, dict[str, Any]] = {}
    for m in group:
        norm = fmt_value(kind, m.value, m.unit_name, as_unit)
        v = values.setdefault(
            norm, {"normalised": norm, "written": Counter(), "arts": set(), "quals": set(), "ctx": []}
        )
        v["written"][m.text] += 1
        v["arts"].add(m.art)
        if m.qualifier:
            v["quals"].add(m.qualifier)
        v["ctx"].append(clip(ctx.docs[m.art][m.unit], 240))
        v.setdefault("quote", [])
        qs = find_quotes(ctx.docs[m.art][m.unit])
        if qs:
            v["quote"].append(qs[0][2])
    arts = {m.art for m in group}
    if len(values) == 1:
        status = "agree" if len({ctx.outlets[a] for a in arts}) > 1 else "single"
    else:
        # Quantities can grow as news comes in (a toll); when something happened cannot.
        evolving = kind in ("count", "money", "percent", "rate", "magnitude")
        status = "update" if evolving and _is_update(ctx, values) else "conflict"
    qid = next((q for q in attached if q is not None), None)
    if kind == "date" and qid is not None and qid < len(quotes):
        q = quotes[qid]
        said = next((v["quote"][0] for v in values.values() if v["quote"]), q["text"])
        about = f"when {q['speaker'] or 'someone'} said “{clip(said, 60)}”"
    else:
        anchors = Counter(m.anchor for m in group if m.anchor)
        about = anchors.most_common(1)[0][0] if anchors else clip(ctx.docs[group[0].art][group[0].unit], 60)
    vals = []

    def order(kv: tuple[str, dict[str, Any]]) -> tuple:
        if status == "update":  # in the order the values were published
            return (min(instant(ctx.arts[a].published) or 0.0 for a in kv[1]["arts"]), kv[0])
        return (-len(kv[1]["arts"]), kv[0])

    for norm, v in sorted(values.items(), key=order):
        vals.append(
            {
                "value": v["written"].most_common(1)[0][0],
                "written": sorted(v["written"]),
                "normalised": norm,
                "qualifiers": sorted(v["quals"]),
                "outlets": ctx.outlets_of(v["arts"]),
                "articles": sorted(ctx.arts[a].id for a in v["arts"]),
                "first": ctx.first(v["arts"]),
                "context": v["ctx"][0],
            }
        )
    return {
        "kind": kind,
        "about": about,
        "status": status,
        "values": vals,
        "outlets": ctx.outlets_of(arts),
        "articles": sorted(ctx.arts[a].id for a in arts),
    }


def instant(published: str | None) -> float | None:
    """A publication time as a UTC timestamp (a bare date counts as its midnight, UTC)."""
    if not published:
        return None
    try:
        t = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.timestamp()


def _is_update(ctx: Ctx, values: dict[str, dict[str, Any]]) -> bool:
    """Different values that follow each other in time (every report of one before every report of the next)."""
    spans = []
    for v in values.values():
        times = [instant(ctx.arts[a].published) for a in v["arts"]]
        if any(t is None for t in times):
            return False
        spans.append((min(times), max(times)))  # type: ignore[type-var]
    spans.sort()
    return all(a[1] < b[0] for a, b in itertools.pairwise(spans))


def _people_in_roles(ctx: Ctx) -> list[dict[str, Any]]:
    """Names the story gives a role ("Kremlin spokesman Dmitry Peskov"): a claim a reader can check.
    A name mentioned without one (a place, a company, a bare "Facebook") is not a fact."""
    out = []
    for ent in ctx.index.entities:
        ms = [m for m in ent.mentions if (m.art, m.unit) in ctx.pos]
        roles = ctx.roles(ent.id) if ms else []
        if not roles:
            continue
        arts = {m.art for m in ms}
        by_name: dict[str, set[int]] = defaultdict(set)
        for m in ms:
            by_name[m.name].add(m.art)
        titles = Counter(m.title for m in ms if m.title)
        out.append(
            {
                "kind": "person",
                "about": ent.name,
                "status": "agree" if len({ctx.outlets[a] for a in arts}) > 1 else "single",
                "role": roles[0]["role"],
                "roles": [
                    {
                        "role": r["role"],
                        "written": r["written"],
                        "outlets": ctx.outlets_of(r["arts"]),
                        "articles": sorted(ctx.arts[a].id for a in r["arts"]),
                        "first": ctx.first(r["arts"]),
                        "context": clip(r["context"], 240),
                    }
                    for r in roles
                ],
                "values": [
                    {
                        "value": name,
                        "written": [name],
                        "normalised": ent.name,
                        "qualifiers": [],
                        "outlets": ctx.outlets_of(a_s),
                        "articles": sorted(ctx.arts[a].id for a in a_s),
                        "first": ctx.first(a_s),
                        "context": "",
                    }
                    for name, a_s in sorted(by_name.items(), key=lambda kv: (-len(kv[1]), kv[0]))
                ],
                "titles": [t for t, _ in titles.most_common(3)],
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[a].id for a in arts),
                "mentions": len(ms),
            }
        )
    out.sort(key=lambda f: (-len(f["outlets"]), -f["mentions"], f["about"]))
    return out
