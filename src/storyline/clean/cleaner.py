"""Boilerplate removal: learned recurring lines, single-article patterns, repeats.

Lines that recur across articles are learned by :meth:`Cleaner.fit`. Recurrence
alone is not evidence of boilerplate: syndicated copies of one wire story share
all their sentences, rewrites of one story share its headline and quotes, and
short formulas ("He was 75.") recur in unrelated articles. So a line is learned
only when

* it occurs in at least ``min_repeats`` articles **whose other content differs**.
  An article holding the line is set aside as a copy when ``max_shared`` or more
  of its remaining text (in characters) also occurs in the other articles holding
  it; the rest are grouped when the vocabulary of their unshared text overlaps
  (word Jaccard >= ``related_jaccard``: the same story told twice), and each group
  counts once. A footer shares only itself with the rest of each article;
* at the outlet level, a line that reads like a sentence or carries a number
  must also be in at least ``weak_share`` of the outlet's articles (a footer is
  on every page; "He was 75." is not);
* at the corpus level (several outlets), the line must be short and formulaic:
  at most ``corpus_max_words`` words, not a sentence, no digits, no quotes, in
  articles of at least ``min_outlets`` outlets.

Counting hashes of normalised lines keeps fitting linear; the "other content"
check reads no more than ``sample_size`` articles per candidate line, chosen by
content hash, so the result does not depend on the order of the corpus.

Then :meth:`Cleaner.transform` removes, line by line: learned lines, lines equal
to the title (``repeated-headline``), lines naming the outlet, the
single-article patterns of :mod:`storyline.clean.patterns`, the paragraph after
an author-bio heading, later copies of a prose paragraph (``repeated-lede``,
``repeated-paragraph``) and one-word lines above the first or below the last
prose line (site names, section labels). Every removal is listed in
``Article.removed`` with its reason.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import numpy as np
import xxhash

from storyline.clean.patterns import classify, is_bio_heading, is_prose, is_sentence
from storyline.clean.textnorm import _key, _lines, line_keys, normalise_line
from storyline.model import Article, Removed

__all__ = [
    "Candidate",
    "CleanRecords",
    "Cleaner",
    "FitCounts",
    "LineRows",
    "doc_lines",
    "outlet_code",
    "outlet_key",
    "sample_lines",
]

_TITLE_SEP = re.compile(r"\s+[|\-—·•»:]{1,2}\s+")
_EDGE_WORD = re.compile(r"[^\W\d_][\w.'&-]*")
_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W_]")
_TLD = re.compile(r"\.(?:com|net|org|co|in|uk|us|news|info|io|tv|me|ru|de|fr|au|ca)(?:\.[a-z]{2})?$")
_BIO_MAX_WORDS = 200
_TITLE_FURNITURE_WORDS = 4
_DEDUPE_MIN_WORDS = 20


def _hash(key: str) -> int:
    return xxhash.xxh64_intdigest(key.encode("utf-8", "surrogatepass"))


def outlet_key(article: Article) -> str:
    """The outlet an article is learned under: its ``outlet``, else the host of its ``url``, else ``""``."""
    name = article.outlet.strip().casefold()
    if not name and article.url:
        name = (urlsplit(article.url).hostname or "").casefold()
        for prefix in ("www.", "m.", "amp.", "mobile."):
            if name.startswith(prefix):
                name = name[len(prefix) :]
                break
    return name


@functools.lru_cache(maxsize=4096)
def _name_forms(outlet: str) -> frozenset[str]:
    """Spellings of an outlet name as a line would show it, without spaces or punctuation."""
    if not outlet:
        return frozenset()
    forms = {outlet, _TLD.sub("", outlet)}
    forms |= {f[4:] for f in forms if f.startswith("the ")}
    return frozenset(k for k in (_key(f).replace(" ", "") for f in forms) if k)


# Frequent English words left out when comparing the vocabulary of two articles.
_STOP_WORDS = """
    that with said have from their they this were been will would there which when about after also into
    more than other some could what them only over says like just year years last first time people told
    while where before being because these those then most many such even back much very made make since
    under between during against through does your week according still including added another around
"""
_STOP = frozenset(_STOP_WORDS.split())


def _content_words(keys: list[str]) -> set[str]:
    """Distinctive words of some lines (their keys): four letters or more, common words left out."""
    words = set(" ".join(keys).split())
    words -= _STOP
    return {w for w in words if len(w) > 3 and w.isalpha()}


def _components(nodes: np.ndarray, related: np.ndarray) -> int:
    """Number of connected groups among ``nodes`` (indices into the square ``related`` matrix)."""
    parent = {int(i): int(i) for i in nodes}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in parent:
        for j in parent:
            if i < j and related[i, j]:
                parent[find(i)] = find(j)
    return len({find(i) for i in parent})


def _formulaic(line: str) -> bool:
    """Could be corpus-wide page furniture: not a sentence, no number, no quotation."""
    return not is_sentence(line) and '"' not in line and _DIGIT.search(line) is None


class _Found(NamedTuple):
    count: float  # about how many different articles hold the line
    variants: set[str]  # how the line is written in the sampled articles


def outlet_code(outlet: str) -> int:
    """A non-zero 64-bit code for an outlet key; 0 for an unknown outlet."""
    return _hash("\0outlet\0" + outlet) | 1 if outlet else 0


@dataclasses.dataclass
class LineRows:
    """The fit's view of some articles: one row per unique line of each article, as hashes.

    Rows of several shards concatenate, and split by line hash, so that a task can find every
    recurring line of its part of the hashes without seeing any article's text.
    """

    h: np.ndarray  # uint64 hash of the line's comparison key
    length: np.ndarray  # int64 length in characters of its first occurrence in the article
    short: np.ndarray  # bool: short and formulaic (could be corpus-wide furniture)
    doc: np.ndarray  # int64 number of the article in the corpus
    outlet: np.ndarray  # uint64 outlet code of the article (0: unknown)
    content: np.ndarray  # uint64 hash of the article's outlet and lines (orders samples)

    def __len__(self) -> int:
        return len(self.h)

    @classmethod
    def concat(cls, parts: Sequence[LineRows]) -> LineRows:
        fields = [f.name for f in dataclasses.fields(cls)]
        if not parts:
            return cls(*(np.zeros(0, t) for t in (np.uint64, np.int64, bool, np.int64, np.uint64, np.uint64)))
        return cls(**{f: np.concatenate([getattr(p, f) for p in parts]) for f in fields})

    def split(self, n: int) -> list[LineRows]:
        """``n`` parts by line hash, rows kept in order within each part."""
        part = (self.h % np.uint64(n)).astype(np.int64)
        return [self._take(np.flatnonzero(part == t)) for t in range(n)]

    def _take(self, idx: np.ndarray) -> LineRows:
        return LineRows(**{f.name: getattr(self, f.name)[idx] for f in dataclasses.fields(self)})


@dataclasses.dataclass
class FitCounts:
    """The small, summable part of the fit's view: outlets, their article counts, title suffixes."""

    n_docs: int = 0
    outlets: dict[int, str] = dataclasses.field(default_factory=dict)  # outlet code -> outlet key
    docs_per_outlet: Counter[int] = dataclasses.field(default_factory=Counter)
    suffix_heads: dict[tuple[str, str], set[str]] = dataclasses.field(default_factory=dict)

    @classmethod
    def merge(cls, parts: Iterable[FitCounts]) -> FitCounts:
        out = cls()
        for p in parts:
            out.n_docs += p.n_docs
            out.outlets.update(p.outlets)
            out.docs_per_outlet.update(p.docs_per_outlet)
            for key, heads in p.suffix_heads.items():
                out.suffix_heads.setdefault(key, set()).update(heads)
        return out


class Candidate(NamedTuple):
    """A line recurring in enough articles to be checked, with the articles it is checked on."""

    outlet: int | None  # outlet code at the outlet level, None at the corpus level
    h: int  # the line's hash
    length: int  # its shortest length in characters
    n_docs: int  # how many articles hold it (in the outlet, or in the corpus)
    sample: tuple[int, ...]  # up to ``sample_size`` of them, smallest content hash first
    sample_outlets: tuple[int, ...]  # their outlet codes


def doc_lines(text: str) -> dict[int, tuple[int, str, str]]:
    """An article's unique lines: hash -> (length, comparison key, text) of the first occurrence."""
    lines = _lines(text)
    got: dict[int, tuple[int, str, str]] = {}
    for line, key in zip(lines, line_keys(lines)):
        if key:
            got.setdefault(_hash(key), (len(line), key, line))
    return got


def sample_lines(articles: Sequence[Article], wanted: Iterable[int], start: int = 0) -> dict[int, dict]:
    """:func:`doc_lines` of the articles numbered ``wanted`` (``articles`` are numbered from ``start``)."""
    return {int(d): doc_lines(articles[int(d) - start].text) for d in wanted}


@dataclasses.dataclass
class _FitState:
    """Working data of :meth:`Cleaner.outlet_lines` and :meth:`Cleaner.corpus_lines`."""

    lines: Mapping[int, dict[int, tuple[int, str, str]]]  # sampled article -> its unique lines
    outlet: dict[int, int] = dataclasses.field(default_factory=dict)  # sampled article -> outlet code
    cache: dict[tuple[int, ...], Any] = dataclasses.field(default_factory=dict)


_Row = tuple[str, str, int]  # a normalised line, its comparison key, its number of words


def _prepare(text: str) -> list[_Row]:
    """(line, key, number of words) for each normalised line of ``text``."""
    lines = _lines(text)
    return [(line, key, line.count(" ") + 1) for line, key in zip(lines, line_keys(lines))]


class Cleaner:
    """Learn an outlet's and the corpus's recurring lines, then strip boilerplate from articles.

    Parameters are stored as given (scikit-learn style); :meth:`fit` sets the
    learned state in attributes ending in ``_``. An unfitted cleaner applies
    the single-article rules only.
    """

    def __init__(
        self,
        min_repeats: int = 3,
        min_outlets: int = 2,
        max_shared: float = 0.5,
        weak_share: float = 0.5,
        corpus_max_words: int = 8,
        related_jaccard: float = 0.07,
        sample_size: int = 16,
        patterns: bool = True,
    ) -> None:
        self.min_repeats = min_repeats
        self.min_outlets = min_outlets
        self.max_shared = max_shared
        self.weak_share = weak_share
        self.corpus_max_words = corpus_max_words
        self.related_jaccard = related_jaccard
        self.sample_size = sample_size
        self.patterns = patterns

    # ------------------------------------------------------------------ fit
    def fit(self, articles: Iterable[Article]) -> Cleaner:
        """Learn recurring lines per outlet and across the corpus (linear in the corpus size).

        The steps a sharded run spreads over tasks, done in one process: :meth:`line_rows` (per
        shard), :meth:`candidates` (per partition of the rows by line hash), :meth:`outlet_lines`
        and then :meth:`corpus_lines` (per group of candidates, on their sampled articles' lines)
        and :meth:`set_fit`.
        """
        articles = list(articles)
        rows, counts = self.line_rows(articles)
        found = self.candidates(rows)
        lines = sample_lines(articles, {d for c in found for d in c.sample})
        outlet = self.outlet_lines(found, lines, counts.docs_per_outlet)
        corpus = self.corpus_lines(found, lines, {code: set(got) for code, got in outlet.items()})
        return self.set_fit(outlet, corpus, counts)

    def line_rows(self, articles: Iterable[Article], start: int = 0) -> tuple[LineRows, FitCounts]:
        """The fit's view of some articles (numbered from ``start``): a row per unique line, and counts."""
        hashes: list[int] = []
        lengths: list[int] = []
        short: list[bool] = []
        docs: list[int] = []
        row_outlet: list[int] = []
        row_content: list[int] = []
        counts = FitCounts()
        for d, art in enumerate(articles, start):
            counts.n_docs += 1
            outlet = outlet_key(art)
            code = outlet_code(outlet)
            if outlet:
                counts.outlets[code] = outlet
                counts.docs_per_outlet[code] += 1
            lines = _lines(art.text)
            keys = line_keys(lines)
            # First occurrence of each line (reversed, so that the first one is written last).
            uniq = dict(zip([_hash(k) if k else 0 for k in reversed(keys)], reversed(lines)))
            uniq.pop(0, None)
            content = _hash(outlet + "\0" + "\n".join(keys))
            hashes.extend(uniq)
            lengths.extend(map(len, uniq.values()))
            short.extend(t.count(" ") < self.corpus_max_words and _formulaic(t) for t in uniq.values())
            docs.extend([d] * len(uniq))
            row_outlet.extend([code] * len(uniq))
            row_content.extend([content] * len(uniq))
            if outlet and art.title:
                head, suffix = self._split_title(normalise_line(art.title))
                if suffix:
                    heads = counts.suffix_heads.setdefault((outlet, _key(suffix)), set())
                    if len(heads) < self.min_repeats:
                        heads.add(_key(head))
        rows = LineRows(
            h=np.asarray(hashes, dtype=np.uint64),
            length=np.asarray(lengths, dtype=np.int64),
            short=np.asarray(short, dtype=bool),
            doc=np.asarray(docs, dtype=np.int64),
            outlet=np.asarray(row_outlet, dtype=np.uint64),
            content=np.asarray(row_content, dtype=np.uint64),
        )
        return rows, counts

    def candidates(self, rows: LineRows) -> list[Candidate]:
        """The lines that recur often enough to be checked, each with its sample of articles.

        ``rows`` must hold every row of each line hash it holds (a partition by hash), and rows of
        one article must come in the order :meth:`line_rows` gives them.
        """
        found: list[Candidate] = []
        # Outlet level: runs of one line in one outlet's articles.
        known = np.flatnonzero(rows.outlet != 0)
        for run in self._runs(known, rows.outlet[known], rows.h[known], self.min_repeats):
            found.append(self._candidate(rows, run, int(rows.outlet[run[0]])))
        # Corpus level: short lines in articles of several outlets.
        short = np.flatnonzero(rows.short)
        for run in self._runs(short, np.zeros(len(short), np.uint64), rows.h[short], self.min_repeats):
            if len(np.unique(rows.outlet[run])) >= self.min_outlets:
                found.append(self._candidate(rows, run, None))
        return found

    def _candidate(self, rows: LineRows, run: np.ndarray, outlet: int | None) -> Candidate:
        """A run of rows of one line as a candidate: its smallest-content-hash articles are the sample."""
        run = run[np.lexsort((rows.doc[run], rows.content[run]))]
        sample = run[: self.sample_size]
        return Candidate(
            outlet=outlet,
            h=int(rows.h[run[0]]),
            length=int(rows.length[run].min()),
            n_docs=len(run),
            sample=tuple(int(d) for d in rows.doc[sample]),
            sample_outlets=tuple(int(o) for o in rows.outlet[sample]),
        )

    def outlet_lines(
        self,
        candidates: Iterable[Candidate],
        lines: Mapping[int, dict[int, tuple[int, str, str]]],
        docs_per_outlet: Mapping[int, int],
    ) -> dict[int, dict[int, str]]:
        """The outlet-level candidates that are boilerplate: outlet code -> {line hash: line}.

        ``lines`` holds the unique lines (:func:`doc_lines`) of every article of their samples;
        ``docs_per_outlet`` counts all the corpus's articles by outlet code.
        """
        state = _FitState(lines)
        learned: dict[int, dict[int, str]] = {}
        for c in candidates:
            if c.outlet is None:
                continue
            found = self._independent(state, c)
            needed = float(self.min_repeats)
            if any(_DIGIT.search(t) or is_sentence(t) for t in found.variants):
                # A sentence or a number must be on most of the outlet's pages, like a footer.
                needed = max(needed, self.weak_share * docs_per_outlet.get(c.outlet, 0))
            if found.count >= needed:
                learned.setdefault(c.outlet, {})[c.h] = min(found.variants)
        return learned

    def corpus_lines(
        self,
        candidates: Iterable[Candidate],
        lines: Mapping[int, dict[int, tuple[int, str, str]]],
        learned: Mapping[int, Collection[int]],
    ) -> dict[int, str]:
        """The corpus-level candidates that are page furniture: {line hash: line}.

        ``learned``: the outlet-level lines (outlet code -> line hashes), left out when articles
        are compared.
        """
        state = _FitState(lines)
        found_lines: dict[int, str] = {}
        for c in candidates:
            if c.outlet is not None:
                continue
            state.outlet.update(zip(c.sample, c.sample_outlets))
            found = self._independent(state, c, learned)
            if found.count >= self.min_repeats and all(_formulaic(t) for t in found.variants):
                found_lines[c.h] = min(found.variants)
        return found_lines

    def set_fit(
        self, outlet_lines: Mapping[int, dict[int, str]], corpus_lines: dict[int, str], counts: FitCounts
    ) -> Cleaner:
        """Set the learned state from the decided lines (outlet lines by outlet code) and the counts."""
        self.outlet_lines_ = {counts.outlets[code]: dict(found) for code, found in outlet_lines.items()}
        self.corpus_lines_ = dict(corpus_lines)
        self.title_suffixes_: dict[str, set[str]] = {}
        for (outlet, suffix), heads in counts.suffix_heads.items():
            if len(heads) >= self.min_repeats:
                self.title_suffixes_.setdefault(outlet, set()).add(suffix)
        self.n_articles_ = counts.n_docs
        self.n_outlets_ = len(counts.outlets)
        return self

    @staticmethod
    def _runs(rows: np.ndarray, group: np.ndarray, h: np.ndarray, min_size: int) -> Iterator[np.ndarray]:
        """Runs of at least ``min_size`` rows with equal (group, hash)."""
        if len(rows) == 0:
            return
        order = np.lexsort((h, group))
        g, hh = group[order], h[order]
        cut = np.flatnonzero((g[1:] != g[:-1]) | (hh[1:] != hh[:-1])) + 1
        bounds = np.concatenate(([0], cut, [len(order)]))
        for i in np.flatnonzero(np.diff(bounds) >= max(2, min_size)):
            yield rows[order[bounds[i] : bounds[i + 1]]]

    def _independent(
        self,
        state: _FitState,
        c: Candidate,
        learned: Mapping[int, Collection[int]] | None = None,
    ) -> _Found:
        """About how many of the candidate's articles are different articles that happen to share its line.

        Looks at its sample (up to ``sample_size`` articles, smallest content hash first). A document
        is left out when ``max_shared`` or more of its other text also occurs in another sampled
        document (a syndicated copy). The rest are linked when the words of their unshared text
        overlap (word Jaccard >= ``related_jaccard``: rewrites of one story); each linked group
        counts once. The count is scaled from the sample to all the candidate's articles. Also
        returns how the line is written in the sample. ``learned`` (corpus level): each outlet's
        learned lines, left out of its articles when they are compared.
        """
        sample = c.sample
        cached = state.cache.get(sample)
        if cached is None:
            cached = state.cache[sample] = self._compare(state, sample, learned)
        totals, shared, related = cached
        variants = {state.lines[d][c.h][2] for d in sample if c.h in state.lines[d]}
        rest = totals - c.length
        share = np.where(rest > 0, (shared - c.length) / np.maximum(rest, 1), 1.0)
        n_groups = _components(np.flatnonzero(share < self.max_shared), related)
        if n_groups < min(self.min_repeats, len(sample)):
            return _Found(0.0, variants)
        return _Found(n_groups * c.n_docs / len(sample), variants)

    def _compare(
        self, state: _FitState, sample: tuple[int, ...], learned: Mapping[int, Collection[int]] | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per sampled document: its text length, its shared length, and which others it is related to."""
        lines = []
        counts: Counter[int] = Counter()
        for d in sample:
            skip = learned.get(state.outlet[d], ()) if learned else ()
            doc = [(h, n, key) for h, (n, key, _) in state.lines[d].items() if h not in skip]
            lines.append(doc)
            counts.update(x[0] for x in doc)
        totals = np.zeros(len(sample))
        shared = np.zeros(len(sample))
        words: list[set[str]] = []
        for i, doc in enumerate(lines):
            own = []
            for h, n, line_key in doc:
                totals[i] += n
                if counts[h] >= 2:
                    shared[i] += n
                else:
                    own.append(line_key)
            words.append(_content_words(own))
        related = np.zeros((len(sample), len(sample)), dtype=bool)
        for i in range(len(sample)):
            for j in range(i + 1, len(sample)):
                a, b = words[i], words[j]
                inter = len(a & b)
                if inter and inter >= self.related_jaccard * (len(a) + len(b) - inter):
                    related[i, j] = related[j, i] = True
        return totals, shared, related

    # ------------------------------------------------------------ transform
    @staticmethod
    def _split_title(title: str) -> tuple[str, str]:
        """Split 'Headline | Outlet' into head and suffix ('' when there is no separator)."""
        parts = list(_TITLE_SEP.finditer(title))
        if not parts:
            return title, ""
        last = parts[-1]
        head, suffix = title[: last.start()], title[last.end() :]
        if not _WORD.search(head) or not _WORD.search(suffix) or len(suffix.split()) > 6:
            return title, ""
        return head, suffix

    def _clean_title(self, title: str, outlet: str, names: frozenset[str]) -> tuple[str, list[Removed]]:
        if not title:
            return "", []
        key = _key(title)
        if names and key.replace(" ", "") in names:
            return "", [Removed(title, "pattern:outlet-name")]
        if self.patterns and title.count(" ") < _TITLE_FURNITURE_WORDS:
            # Only short titles can be page furniture ("Next Story"); "Video: Police chase ..." is a headline.
            reason = classify(title, whole_only=True)
            if reason:
                return "", [Removed(title, reason)]
        head, suffix = self._split_title(title)
        if suffix:
            sk = _key(suffix)
            if names and sk.replace(" ", "") in names:
                return head, [Removed(title[len(head) :], "pattern:outlet-name")]
            if sk in getattr(self, "title_suffixes_", {}).get(outlet, ()):
                return head, [Removed(title[len(head) :], "recurring-title-suffix")]
        return title, []

    def transform(self, article: Article) -> Article:
        """A new Article with normalised title and text, boilerplate removed and listed in ``removed``."""
        outlet = outlet_key(article)
        names = _name_forms(outlet)
        raw_title = normalise_line(article.title)
        title, removed = self._clean_title(raw_title, outlet, names)
        # a title made from the first sentence is that sentence: the text keeps it
        title_keys = {k for k in (_key(raw_title), _key(title)) if k} if article.headline else set()
        learned_outlet = getattr(self, "outlet_lines_", {}).get(outlet, {})
        learned_corpus = getattr(self, "corpus_lines_", {})

        lines = _prepare(article.text)
        reasons: list[str | None] = [None] * len(lines)
        for i, (text, key, nwords) in enumerate(lines):
            if not key:
                reasons[i] = "pattern:separator" if self.patterns else None
                continue
            h = _hash(key)
            if h in learned_outlet:
                reasons[i] = "recurring-line:outlet"
            elif h in learned_corpus:
                reasons[i] = "recurring-line:corpus"
            elif key in title_keys:
                reasons[i] = "repeated-headline"
            elif names and key.replace(" ", "") in names:
                reasons[i] = "pattern:outlet-name"
            elif self.patterns:
                reasons[i] = classify(text, nwords=nwords, key=key)
        if self.patterns:
            self._author_bios(lines, reasons)
        self._repeats(lines, reasons)
        if self.patterns:
            self._edge_words(lines, reasons)

        kept = []
        for (text, _, _), reason in zip(lines, reasons):
            if reason is None:
                kept.append(text)
            else:
                removed.append(Removed(text, reason))
        meta = dict(article.meta)
        if raw_title and not title and len(kept) > 1 and _reads_as_headline(kept[0]):
            # The title was page furniture ("Next Story") and the text opens with the real headline.
            title = kept.pop(0)
            meta["_clean"] = {**meta.get("_clean", {}), "title_from_text": True}
            again = [t for t in kept if _key(t) == _key(title)]
            kept = [t for t in kept if _key(t) != _key(title)]
            removed.extend(Removed(t, "repeated-headline") for t in again)
        return dataclasses.replace(
            article,
            title=title,
            text="\n\n".join(kept),
            removed=[*article.removed, *removed],
            meta=meta,
        )

    @staticmethod
    def _author_bios(lines: list[_Row], reasons: list[str | None]) -> None:
        """Drop the paragraph that follows an author-bio heading ("Author profile", "About the author")."""
        for i, (text, _, nwords) in enumerate(lines):
            if nwords > 6 or not is_bio_heading(text):
                continue
            reasons[i] = "pattern:author-bio"
            for j in range(i + 1, len(lines)):
                if reasons[j] is None:
                    if lines[j][2] <= _BIO_MAX_WORDS:
                        reasons[j] = "pattern:author-bio"
                    break

    @staticmethod
    def _repeats(lines: list[_Row], reasons: list[str | None]) -> None:
        """Keep the first copy of a prose paragraph repeated verbatim; the lede's copies are 'repeated-lede'.

        Only paragraphs of ``_DEDUPE_MIN_WORDS`` words or more that end like a statement count: list
        items, table headers, recipe lines and interview questions legitimately repeat.
        """
        seen: dict[str, int] = {}
        lede = next((i for i, (t, _, n) in enumerate(lines) if reasons[i] is None and is_prose(t, n)), -1)
        for i, (text, key, nwords) in enumerate(lines):
            if (
                reasons[i] is not None
                or nwords < _DEDUPE_MIN_WORDS
                or not text.rstrip("\"')]").endswith((".", "!"))
            ):
                continue
            first = seen.setdefault(key, i)
            if first != i:
                reasons[i] = "repeated-lede" if first == lede else "repeated-paragraph"

    @staticmethod
    def _edge_words(lines: list[_Row], reasons: list[str | None]) -> None:
        """Drop one-word lines (site names, section labels) above the first or below the last prose line."""
        prose = [i for i, (t, _, n) in enumerate(lines) if reasons[i] is None and is_prose(t, n)]
        if not prose:
            return
        first, last = prose[0], prose[-1]
        for i, (text, _, nwords) in enumerate(lines):
            if reasons[i] is None and (i < first or i > last) and nwords == 1 and _EDGE_WORD.fullmatch(text):
                reasons[i] = "pattern:edge-word"

    def fit_transform(self, articles: Sequence[Article]) -> list[Article]:
        """Fit on ``articles`` and clean each of them."""
        articles = list(articles)
        self.fit(articles)
        return [self.transform(a) for a in articles]

    def get_params(self) -> dict[str, Any]:
        """The constructor parameters (scikit-learn style)."""
        return {
            "min_repeats": self.min_repeats,
            "min_outlets": self.min_outlets,
            "max_shared": self.max_shared,
            "weak_share": self.weak_share,
            "corpus_max_words": self.corpus_max_words,
            "related_jaccard": self.related_jaccard,
            "sample_size": self.sample_size,
            "patterns": self.patterns,
        }


class CleanRecords:
    """A stream of records cleaned in one process: fit a :class:`Cleaner` on all articles, then clean each one.

    Records other than :class:`Article` pass through. Articles left with no text
    are dropped (counted with a reason in ``stats``) unless ``keep_empty``. (The
    batch run cleans through :class:`storyline.clean.stage.CleanStage` instead.)
    """

    def __init__(self, cleaner: Cleaner | None = None, keep_empty: bool = False) -> None:
        self.stats: Counter[str] = Counter()
        self.cleaner = cleaner if cleaner is not None else Cleaner()
        self.keep_empty = keep_empty

    def drop(self, reason: str) -> None:
        self.stats[f"dropped: {reason}"] += 1

    def run(self, items: Iterable[Any]) -> Iterator[Any]:
        records = list(items)
        self.cleaner.fit(r for r in records if isinstance(r, Article))
        for rec in records:
            if not isinstance(rec, Article):
                yield rec
                continue
            out = self.cleaner.transform(rec)
            for r in out.removed[len(rec.removed) :]:
                self.stats[f"removed: {r.reason}"] += 1
            self.stats["articles"] += 1
            if not out.text and not self.keep_empty:
                self.drop("no text left after cleaning")
                continue
            yield out


def _reads_as_headline(line: str) -> bool:
    """Short, and not closed like a sentence of running text."""
    words = len(line.split())
    return 3 <= words <= 22 and not line.rstrip().endswith((".", ",", ";", ":"))
