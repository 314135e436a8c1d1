"""Pair features for the same-story decision.

Two events of the same kind (two earthquakes, two rate decisions) share most of
their vocabulary; they differ in who, where, when and how many. So besides the
overall similarity of two articles (MiniLM cosine, TF-IDF cosine) the features
compare their named entities, numbers and years.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

BASE_FEATURES = ("cosine", "tfidf", "entities", "year_conflict", "year_shared", "numbers", "log_min_words",
                 "weekday_conflict", "weekday_shared", "month_conflict", "month_shared",
                 "figures_conflict", "figures_shared")

_CAP = re.compile(
    r"\b[A-Z][\w'\-]*[A-Za-z](?:\s+(?:of|de|del|la|the|van|von|al|bin|da)?\s*[A-Z][\w'\-]*[A-Za-z])*"
)
_NOT_ENTITY = frozenset(
    """The A An In On At He She It They We I You But And Or If As By For From With This That These Those
    Its His Her Their Our Police Officials Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    January February March April May June July August September October November December Mr Mrs Ms Dr
    There Here When What Who Why How After Before While During Since Until About Over Under Some Many
    Most All Both Each Other Another One Two Three Four Five Six Seven Eight Nine Ten""".split()
)
_NUM = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?![\w])")
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")


def entities(text: str) -> list[str]:
    """Capitalised spans that are not sentence openers or calendar words, lowercased."""
    out = []
    for m in _CAP.finditer(text):
        s = m.group(0)
        if s in _NOT_ENTITY:
            continue
        out.append(s.lower())
    return out


def numbers(text: str) -> frozenset[str]:
    """Numbers other than years, with thousands separators removed."""
    vals = set()
    for x in _NUM.findall(text):
        if _YEAR.fullmatch(x):
            continue
        vals.add(x.replace(",", ""))
    return frozenset(vals)


def years(text: str) -> frozenset[str]:
    return frozenset(_YEAR.findall(text))


_WEEKDAY = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b(?!s)")
_MONTH = re.compile(
    r"\b(January|February|March|April|June|July|August|September|October|November|December)\b"
    r"|\b(Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.(?=\s*\d)"
    # "May" is a month beside a day or year number, or after a preposition; else it is the verb
    r"|\b(May)(?=\s+(?:\d{1,2}|(?:19|20)\d\d)\b)"
    r"|\b(?:[Ii]n|[Oo]f|[Oo]n|[Ss]ince|[Uu]ntil|[Bb]y|[Ll]ast|[Ee]arly|[Ll]ate|mid-) ?(May)\b"
)
_ABBREV = {"Jan": "January", "Feb": "February", "Aug": "August", "Sep": "September", "Sept": "September",
           "Oct": "October", "Nov": "November", "Dec": "December"}


def calendar(title: str, text: str) -> tuple[frozenset[str], frozenset[str]]:
    """The weekdays and months the headline and lede name (:func:`head_text`).

    The lede says when its event happened ("on Tuesday", "in March"): two reports of
    one event name the same day, a follow-up or a same-topic story of another week
    another one. The rest of the body recalls earlier days too often to count.
    """
    head = head_text(title, text)
    days = frozenset(_WEEKDAY.findall(head))
    months = set()
    for m in _MONTH.finditer(head):
        word = next(g for g in m.groups() if g)
        months.add(_ABBREV.get(word, word))
    return days, frozenset(months)


# Event-defining figures of the headline and lede, in any of the languages news is written in:
# "50 basis points" = "half a percentage point" = "0,5 Prozentpunkte"; "4.75%" = "4,75 %".
_FIG = re.compile(r"(?<![\w.,])(\d{1,3}(?:[ \u00a0\u202f.,]\d{3})+|\d+)(?:([.,])(\d{1,2})(?!\d))?(?:(?![\w])|(?=bps?\b))")
_BP = re.compile(r"\s*(?:-|\u2011)?\s*(?:basis[- ]points?|bps?\b|Basispunkte?n?|points? de base|puntos? b[aá]sicos?"
                 r"|punti (?:base|percentuali)|pontos?[- ]base|базисн\w* пункт\w*|baz puan|ベーシスポイント|基点|個基點)",
                 re.IGNORECASE)
_FRACTION = (
    (re.compile(r"\bhalf[- ](?:a[- ])?(?:percentage[- ])?point|\bhalben Prozentpunkt|\bdemi[- ]point|\bmedio punto"
                r"|\bmezzo punto|\bmeio ponto|\bполпроцент\w*|\bполовину процент\w*", re.IGNORECASE), "0.5"),
    (re.compile(r"\bquarter[- ](?:of[- ]a[- ])?(?:percentage[- ])?point|\bViertelprozentpunkt|\bquart de point"
                r"|\bcuarto de punto|\bquarto di punto", re.IGNORECASE), "0.25"),
    (re.compile(r"\bthree[- ]quarters?[- ](?:of[- ]a[- ])?(?:percentage[- ])?point|\bDreiviertelprozentpunkt"
                r"|\btrois quarts de point|\btres cuartos de punto|\btre quarti di punto", re.IGNORECASE), "0.75"),
)
_MONTH_STEM = (r"(?:jan|feb|f[eé]v|m[aä]r|apr|avr|abr|ma[iy]|magg|jun|juin|giu|jul|juil|lug|aug|ago|ao[uû]|sep|set"
               r"|o[ck]t|ott|nov|de[czc]|d[eé]c|dic|ene|gen|янв|фев|мар|апр|ма[яй]|июн|июл|авг|сен|окт|ноя|дек"
               r"|oca|şub|nis|haz|tem|ağu|eyl|eki|kas|ara)")
_DAY_BEFORE = re.compile(_MONTH_STEM + r"\w*\.?\s*$", re.IGNORECASE)
_DAY_AFTER = re.compile(r"\s*(?:\.|º|°|th\b|st\b|nd\b|rd\b)?\s*(?:de |di |d'|of )?\s*(?:" + _MONTH_STEM[3:-1]
                        + r")|\s*[月日]", re.IGNORECASE)


def _canon(whole: str, dec: str | None) -> str:
    digits = re.sub(r"[ \u00a0\u202f.,]", "", whole)
    v = f"{int(digits)}.{dec}" if dec else str(int(digits))
    return v.rstrip("0").rstrip(".") if "." in v else v


def figures(title: str, text: str) -> frozenset[str]:
    """The figures the headline and lede give (:func:`head_text`), written one way whatever the language.

    Rates, tolls, magnitudes and counts tell two events of one kind apart (a 50 and a 75 basis-point
    rise; a toll of 1,500 and one of 41,000). Decimal commas and thousands separators of any
    convention are read; basis points are also given as percentage points (``75`` and ``0.75``), and
    "half a percentage point" in several languages as ``0.5`` and ``50``. Years and the day numbers
    of dates ("18 September", "Sept. 18") are left out: the calendar features see dates.
    """
    head = head_text(title, text)
    out: set[str] = set()
    for m in _FIG.finditer(head):
        whole, dec = m.group(1), m.group(3)
        try:
            v = _canon(whole, dec)
        except ValueError:  # pragma: no cover - the pattern gives digits
            continue
        if not dec and _YEAR.fullmatch(v):
            continue
        if not dec and len(v) <= 2 and (_DAY_BEFORE.search(head[max(0, m.start() - 12):m.start()])
                                         or _DAY_AFTER.match(head, m.end())):
            continue  # a day of the month
        out.add(v)
        if _BP.match(head, m.end()):
            out.add(_canon(str(int(float(v) // 100)), f"{round(float(v) % 100):02d}") if float(v) >= 1 else v)
    for rx, v in _FRACTION:
        if rx.search(head):
            out.update((v, str(int(float(v) * 100))))
    return frozenset(out)


PERCENT_WORDS = 120  # words of the lede read for the percentages it states
_PCT_NUM = r"(\d{1,3}(?:[.,]\d{1,3})?)"
_PCT_UNIT = (r"(?:%|\uff05|per ?cent|percent|prozent|por ?ciento|pour ?cent|per ?cento|por ?cento|procent\w*"
             r"|процент\w*|відсот\w*|odstot\w*|la sut[aă]|τοις εκατό)(?!\w*punkt|\w* ?points?|\w* ?puntos?|\w* ?pontos?)")
_PCT_AFTER = re.compile(_PCT_NUM + r"\s?" + _PCT_UNIT, re.IGNORECASE)
_PCT_RANGE = re.compile(_PCT_NUM + r"\s?%?\s?(?:bis|to|a|à|y|e|und|and|и|ve|-|–|—|~|至)\s?(?:%|yüzde)?\s?" + _PCT_NUM
                        + r"\s?" + _PCT_UNIT, re.IGNORECASE)
_PCT_BEFORE = re.compile(r"(?:%|\uff05|yüzde)\s?" + _PCT_NUM, re.IGNORECASE)


def _percent_head(title: str, text: str) -> str:
    return " ".join([title or "", *(text or "").split()[:PERCENT_WORDS]])


def _number(x: str) -> float:
    return round(float(x.replace(",", ".")), 2)


def percentages(title: str, text: str) -> frozenset[float]:
    """The percentages the headline and lede state, in any of the ways news writes them ("3,25 %",
    "3.00%-3.25%", "1,5 bis 1,75 Prozent", "yüzde 3,75", "50,9 por ciento"); percentage points
    ("0,75 Prozentpunkte") are steps, not levels, and are left to :func:`figures`.

    A rate's new level, a vote share, an inflation figure: two reports of one decision or one count
    give the same ones; a decision or a round of another week gives others.
    """
    head = _percent_head(title, text)
    found: set[str] = set()
    for rx in (_PCT_RANGE, _PCT_AFTER, _PCT_BEFORE):
        for m in rx.finditer(head):
            found.update(g for g in m.groups() if g)
    out = set()
    for x in found:
        try:
            out.add(_number(x))
        except ValueError:  # pragma: no cover - the pattern gives digits
            continue
    return frozenset(out)


def to_days(published: str | None) -> float:
    """Days since the epoch for an ISO date, NaN when unknown or unparseable."""
    if not published:
        return float("nan")
    try:
        dt = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return float("nan")
    if dt.tzinfo is not None:
        return dt.timestamp() / 86400.0
    return (dt - datetime(1970, 1, 1)).total_seconds() / 86400.0


@dataclass
class Representation:
    """What the verifier needs about every article of a run, row-aligned with the articles."""

    vectors: np.ndarray  # (n, d), L2-normalised
    tfidf: sp.csr_matrix  # (n, V), L2-normalised rows
    ents: sp.csr_matrix  # (n, E), L2-normalised rows
    years: list[frozenset[str]]
    numbers: list[frozenset[str]]
    words: np.ndarray  # word count per article
    days: np.ndarray  # publication time in days, NaN if unknown
    terms: list[tuple[list[str], list[str]]] | None = None  # key_terms() per article (event features)
    calendar: list[tuple[frozenset[str], frozenset[str]]] | None = None  # calendar() per article
    figures: list[frozenset[str]] | None = None  # figures() per article
    published: np.ndarray | None = None  # publication time alone in days, NaN if none (the story-length limit)

    def __len__(self) -> int:
        return len(self.words)


_WORD_FEATURES = 1 << 20
_ENTITY_FEATURES = 1 << 18


def hashed_counts(texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Word/bigram and entity-span counts in hashed feature spaces.

    Hashing keeps the step shardable: any shard can be vectorised alone, and
    only the document frequencies (a vector) are summed across shards.
    """
    from sklearn.feature_extraction.text import HashingVectorizer

    word = HashingVectorizer(
        n_features=_WORD_FEATURES, ngram_range=(1, 2), stop_words="english", alternate_sign=False, norm=None,
        dtype=np.float32,
    )
    ent = HashingVectorizer(
        n_features=_ENTITY_FEATURES, analyzer=entities, alternate_sign=False, norm=None, dtype=np.float32
    )
    if len(texts) == 0:
        return (sp.csr_matrix((0, _WORD_FEATURES), dtype=np.float32), sp.csr_matrix((0, _ENTITY_FEATURES), dtype=np.float32))
    return word.transform(texts).tocsr(), ent.transform(texts).tocsr()


def document_frequency(counts: sp.csr_matrix) -> np.ndarray:
    return np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float64)


def tfidf_weight(counts: sp.csr_matrix, df: np.ndarray, n_docs: int) -> sp.csr_matrix:
    """Sublinear TF times smoothed IDF (as scikit-learn's TfidfVectorizer), rows L2-normalised."""
    X = counts.copy().astype(np.float32)
    X.data = 1.0 + np.log(X.data)
    idf = (np.log((1.0 + n_docs) / (1.0 + df)) + 1.0).astype(np.float32)
    X = X.multiply(idf[np.newaxis, :]).tocsr()
    norms = np.sqrt(np.asarray(X.multiply(X).sum(axis=1)).ravel())
    return (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ X).astype(np.float32).tocsr()


def lexical_matrices(texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """TF-IDF over words and bigrams, and over entity spans, with the run's own document frequencies."""
    W, E = hashed_counts(texts)
    n = len(texts)
    return tfidf_weight(W, document_frequency(W), n), tfidf_weight(E, document_frequency(E), n)


def rowwise_dot(X: sp.csr_matrix, a: np.ndarray, b: np.ndarray, chunk: int = 200_000) -> np.ndarray:
    out = np.empty(len(a), dtype=np.float32)
    for s in range(0, len(a), chunk):
        out[s : s + chunk] = np.asarray(X[a[s : s + chunk]].multiply(X[b[s : s + chunk]]).sum(axis=1)).ravel()
    return out


def pair_features(rep: Representation, pairs: np.ndarray) -> np.ndarray:
    """One row of :data:`BASE_FEATURES` per pair (i, j): what the two articles alone say."""
    if len(pairs) == 0:
        return np.zeros((0, len(BASE_FEATURES)), dtype=np.float32)
    a, b = pairs[:, 0], pairs[:, 1]
    F = np.zeros((len(pairs), len(BASE_FEATURES)), dtype=np.float32)
    F[:, 0] = np.einsum("ij,ij->i", rep.vectors[a], rep.vectors[b])
    F[:, 1] = rowwise_dot(rep.tfidf, a, b)
    F[:, 2] = rowwise_dot(rep.ents, a, b)
    for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
        yi, yj = rep.years[i], rep.years[j]
        if yi and yj:
            shared = bool(yi & yj)
            F[r, 3] = 0.0 if shared else 1.0
            F[r, 4] = 1.0 if shared else 0.0
        ni, nj = rep.numbers[i], rep.numbers[j]
        if ni and nj:
            F[r, 5] = len(ni & nj) / min(len(ni), len(nj))
    F[:, 6] = np.log1p(np.minimum(rep.words[a], rep.words[b]))
    if rep.calendar is not None:
        cal = rep.calendar
        for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
            for col, x, y in ((7, cal[i][0], cal[j][0]), (9, cal[i][1], cal[j][1])):
                if x and y:
                    shared = bool(x & y)
                    F[r, col] = 0.0 if shared else 1.0
                    F[r, col + 1] = 1.0 if shared else 0.0
    if rep.figures is not None:
        fig = rep.figures
        for r, (i, j) in enumerate(zip(a.tolist(), b.tolist())):
            x, y = fig[i], fig[j]
            if x and y:
                both = len(x & y)
                F[r, 11] = 0.0 if both else 1.0
                F[r, 12] = both / min(len(x), len(y))
    return F


# -- what sets an event apart from the other articles of its days ------------------------------------

HEAD_WORDS = 40  # words of the lede counted with the headline
RARITY_WINDOW = 3.0  # days either side in which a term's rarity is counted
_TERM_SPACE = 1 << 22
_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+|\d[\d,.]*")


def head_text(title: str, text: str) -> str:
    """The headline and the lede: the title and the body's first ``HEAD_WORDS`` words."""
    lede = " ".join(text.split()[:HEAD_WORDS])
    return f"{title}\n{lede}" if title else lede


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | {"said", "says", "new", "year", "years", "week", "day", "just"}


def key_terms(title: str, text: str) -> tuple[list[str], list[str]]:
    """An article's distinctive-term candidates: (headline and lede words, entities and numbers of the whole text).

    Terms are lowercased; the headline set keeps content words of three letters or more.
    """
    stop = _stop_words()
    head = sorted({w for w in (m.group(0).lower().strip("'-") for m in _WORD.finditer(head_text(title, text)))
                   if len(w) >= 3 and w not in stop and not w[0].isdigit()})
    full = f"{title}\n{text}" if title else text
    facts = sorted({"e:" + e for e in entities(full)} | {"n:" + x for x in numbers(full)})
    return head, facts


def _term_ids(terms: Sequence[str]) -> np.ndarray:
    from sklearn.utils import murmurhash3_32

    return np.array([murmurhash3_32(t, seed=0, positive=True) % _TERM_SPACE for t in terms], dtype=np.int64)


def window_weights(term_lists: Sequence[Sequence[str]], days: np.ndarray, window: float = RARITY_WINDOW,
                   ) -> sp.csr_matrix:
    """Rows of term weights, L2-normalised: each term weighted by how rare it is around the article's day.

    For an article placed in time (``days`` not NaN) a term's weight is
    ``log((1 + N) / df)`` with N the articles placed within ``window`` days
    of it and df those among them that have the term: a name every article of the
    week carries weighs little, one only this event's reports carry weighs much.
    An article not placed in time is weighed against the whole corpus.
    """
    n = len(term_lists)
    lengths = np.array([len(t) for t in term_lists], dtype=np.int64)
    ids = _term_ids([t for ts in term_lists for t in ts]) if lengths.sum() else np.zeros(0, np.int64)
    rows = np.repeat(np.arange(n), lengths)
    # one entry per (article, term): hashing collisions inside one article count once
    if len(ids):
        both = np.unique(rows * _TERM_SPACE + ids)
        rows, ids = both // _TERM_SPACE, both % _TERM_SPACE
    days = np.asarray(days, dtype=np.float64)
    dated = ~np.isnan(days)
    weights = np.zeros(len(ids), dtype=np.float64)
    # corpus-wide rarity for the articles not placed in time
    _, inv, df_all = np.unique(ids, return_inverse=True, return_counts=True)
    flat = ~dated[rows]
    weights[flat] = np.log((1.0 + n) / df_all[inv.ravel()][flat])
    if dated.any():
        d0 = float(np.nanmin(days))
        span = float(np.nanmax(days)) - d0 + 2 * window + 1
        sel = dated[rows]
        t, d = ids[sel], days[rows[sel]] - d0 + window  # >= window
        keys = np.sort(t.astype(np.float64) * span + d)
        all_days = np.sort(days[dated])
        n_win = (np.searchsorted(all_days, days[rows[sel]] + window, side="right")
                 - np.searchsorted(all_days, days[rows[sel]] - window, side="left"))
        df_win = (np.searchsorted(keys, t * span + d + window, side="right")
                  - np.searchsorted(keys, t * span + d - window, side="left"))
        weights[sel] = np.log((1.0 + n_win) / np.maximum(df_win, 1))
    W = sp.csr_matrix((weights.astype(np.float32), (rows, ids)), shape=(n, _TERM_SPACE))
    norms = np.sqrt(np.asarray(W.multiply(W).sum(axis=1)).ravel())
    return (sp.diags(1.0 / np.maximum(norms, 1e-12)) @ W).astype(np.float32).tocsr()


def neighbour_days(days: np.ndarray, pairs: np.ndarray, similarity: np.ndarray, min_similarity: float = 0.5,
                   ) -> np.ndarray:
    """Days for the articles nothing else dates: the day of their most similar dated candidate.

    Returns the filled days (NaN where no dated candidate is at least
    ``min_similarity`` alike); ties go to the lower article index, so the result
    depends on the set of articles only.
    """
    days = np.asarray(days, dtype=np.float64)
    out = days.copy()
    if len(pairs) == 0:
        return out
    a, b = pairs[:, 0], pairs[:, 1]
    sim = np.asarray(similarity, dtype=np.float64)
    src = np.concatenate([a, b])
    dst = np.concatenate([b, a])
    s = np.concatenate([sim, sim])
    ok = np.isnan(days[src]) & ~np.isnan(days[dst]) & (s >= min_similarity)
    src, dst, s = src[ok], dst[ok], s[ok]
    if len(src) == 0:
        return out
    order = np.lexsort((dst, -s, src))
    src, dst = src[order], dst[order]
    first = np.concatenate(([True], src[1:] != src[:-1]))
    out[src[first]] = days[dst[first]]
    return out


EVENT_FEATURES = ("head_window", "facts_window", "day_gap", "both_dated", "none_dated")
# How a pair's similarity stands among each side's other candidates: of two same-topic stories of one
# week, an article's own story is what it is *most* alike, however alike the rest of the week is.
RANKED = ("cosine", "tfidf", "head_window", "facts_window")
RANK_FEATURES = tuple(f"{c}_{r}" for c in RANKED for r in ("rank_min", "rank_max", "below_best"))
FEATURES = BASE_FEATURES + EVENT_FEATURES + RANK_FEATURES


@dataclass
class EventRep:
    """Per-article evidence of what sets an event apart, row-aligned with the articles."""

    head: sp.csr_matrix  # headline and lede words, weighted by rarity around the article's day
    facts: sp.csr_matrix  # entities and numbers, weighted the same way
    dated: np.ndarray  # the article has its own date (publication time or URL date)
    days: np.ndarray  # its own date, else its neighbours' (NaN: nothing dates it)


def event_representation(terms: Sequence[tuple[list[str], list[str]]], days: np.ndarray, pairs: np.ndarray,
                         similarity: np.ndarray, window: float = RARITY_WINDOW) -> EventRep:
    """The event evidence of a run: ``terms`` (:func:`key_terms` per article), own days (NaN: none),
    and the candidate pairs with their similarity, from which undated articles borrow a day.

    A regroup point: a term's rarity is counted over every article of its days.
    """
    days = np.asarray(days, dtype=np.float64)
    placed = neighbour_days(days, pairs, similarity)
    return EventRep(
        head=window_weights([h for h, _ in terms], placed, window),
        facts=window_weights([f for _, f in terms], placed, window),
        dated=~np.isnan(days),
        days=placed,
    )


def date_source(published: str | None, dated: bool, day: float, own: str = "") -> str:
    """Where an article's place in time came from: what the page says (``own``: ``field``, ``meta``,
    ``url``, ``dateline``, ``text``; see :mod:`storyline.ingest.dates`), ``url`` (its URL's date),
    ``neighbours`` (its most similar dated candidate's day, used for rarity only) or ``none``
    (nothing dates it: its pairs are decided on text alone)."""
    if published and to_days(published) == to_days(published):
        return own if own and own not in ("none", "neighbours") else "field"
    if dated:
        return "url"
    return "neighbours" if day == day else "none"


def event_features(ev: EventRep, pairs: np.ndarray) -> np.ndarray:
    """One row of :data:`EVENT_FEATURES` per pair: rarity-weighted overlaps and the time between the two.

    The day gap counts only when both articles have their own date; a day borrowed
    from neighbours only picks the window in which rarity is counted.
    """
    F = np.zeros((len(pairs), len(EVENT_FEATURES)), dtype=np.float32)
    if len(pairs) == 0:
        return F
    a, b = pairs[:, 0], pairs[:, 1]
    F[:, 0] = rowwise_dot(ev.head, a, b)
    F[:, 1] = rowwise_dot(ev.facts, a, b)
    both = ev.dated[a] & ev.dated[b]
    gap = np.abs(ev.days[a] - ev.days[b])
    F[:, 2] = np.where(both, np.log1p(np.nan_to_num(gap)), 0.0)
    F[:, 3] = both
    F[:, 4] = ~ev.dated[a] & ~ev.dated[b]
    return F


def rank_features(n: int, pairs: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """One row of :data:`RANK_FEATURES` per pair, from the :data:`RANKED` columns of its features.

    For each column and each side of a pair: the rank of the pair's value among
    that article's candidate pairs (the number of its candidates strictly more
    alike, so ties and input order cannot matter). A pair gets ``log1p`` of the
    smaller and of the larger of its two ranks, and how far its value lies below
    the better of the two articles' best candidates (0 for a mutual best match).
    A regroup point: it needs every candidate pair of the run.
    """
    m = len(pairs)
    F = np.zeros((m, len(RANK_FEATURES)), dtype=np.float32)
    if m == 0:
        return F
    src = np.concatenate([pairs[:, 0], pairs[:, 1]]).astype(np.int64)
    for j in range(columns.shape[1]):
        val = np.concatenate([columns[:, j], columns[:, j]]).astype(np.float32)
        uniq, code = np.unique(val, return_inverse=True)
        code = code.ravel().astype(np.int64)
        span = len(uniq) + 1
        key = src * span + code
        ordered = np.sort(key)
        greater = np.searchsorted(ordered, src * span + len(uniq), side="right") - np.searchsorted(
            ordered, key, side="right")
        best = np.full(n, -np.inf, dtype=np.float64)
        np.maximum.at(best, src, val.astype(np.float64))
        ra, rb = greater[:m], greater[m:]
        F[:, 3 * j] = np.log1p(np.minimum(ra, rb))
        F[:, 3 * j + 1] = np.log1p(np.maximum(ra, rb))
        F[:, 3 * j + 2] = columns[:, j] - np.maximum(best[pairs[:, 0]], best[pairs[:, 1]])
    return F
