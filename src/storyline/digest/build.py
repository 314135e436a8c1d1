"""Build one digest for one story: summary, quote ledger, fact table, only-in.

Everything is computed over *units* (sentences, a multi-sentence quotation
kept whole) of the story's articles:

1. Units that are not about the story (boilerplate, author notes, promotions
   the cleaner missed) are dropped by their similarity to the story centroid.
2. Units that say the same thing in different words are grouped into sentence
   clusters (MiniLM cosine or TF-IDF cosine, average linkage). A cluster's
   support is the number of *independent reports* carrying it: copies graded
   verbatim / light-rewrite / spun by provenance count with their original.
3. The summary is chosen by PageRank over the clusters (personalised by their
   support), then maximal marginal relevance to avoid repeating itself.
4. Quotes are matched across outlets by wording (containment of one in the
   other, or a close paraphrase); the ledger shows each wording with its
   outlets and flags changed wording, another speaker, or a cut that drops
   a negation or condition.
5. Numbers and dates are matched by their masked context and compared.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from storyline.digest import facts as F
from storyline.digest.entities import EntityIndex, is_title_case
from storyline.digest.quotes import QuoteMention, extract, find_quotes
from storyline.digest.text import (
    clip,
    containment,
    content,
    fold,
    norm_quote,
    units,
    words,
)
from storyline.model import Article

SCHEMA = "storyline.digest/1"
COPY_GRADES = frozenset({"verbatim", "light-rewrite", "spun"})
MIN_WORDS = 6  # shorter units are share counters, bylines, captions
RELEVANCE = 0.30  # cosine to the story centroid below which a unit is not about the story
SENT_SIM = 0.72  # units at least this similar (average linkage) say the same thing
ONLY_IN_SIM = 0.62  # a sentence this close to another outlet's is carried there too, in other words
QUOTE_SIM = 0.80  # two quotes this close in meaning, sharing wording, are one quote
REPORTED_SIM = 0.80  # an unquoted sentence this close to a quote reports it
FACT_AGREE = 0.45
FACT_AGREE_DATE = 0.6  # dates are common and generic: agreeing on one needs closer contexts  # masked contexts this close, same value: the same fact reported alike
FACT_CONFLICT = 0.80  # masked contexts this close, different values: the same fact in conflict
NEGATIONS = frozenset(
    """not no never n't without unless except only if but however nor neither none cannot won't don't didn't
    isn't aren't wasn't weren't hardly barely nothing nobody""".split()
)
Encoder = Callable[[Sequence[str]], np.ndarray]


class Digest:
    """One story's digest; its JSON form is the contract (``schema``: storyline.digest/1)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @property
    def story_id(self) -> str:
        return str(self.data["story_id"])

    def to_json(self) -> dict[str, Any]:
        return self.data

    def to_markdown(self) -> str:
        from storyline.digest.render import markdown

        return markdown(self.data)

    def to_html(self) -> str:
        from storyline.digest.render import html

        return html(self.data)


# ----------------------------------------------------------------------------- vectors


def _encoder(vectors: Any) -> tuple[Encoder | None, dict[str, np.ndarray]]:
    """An encoder and a cache from the ``vectors`` argument.

    ``vectors`` may be a mapping from text to a unit vector (reused, the rest
    encoded), a callable ``texts -> array``, ``False`` (lexical only) or None:
    MiniLM when installed (through the provenance stage's per-sentence cache
    when that module is present, so sentences it already embedded cost nothing),
    else lexical only.
    """
    cache: dict[str, np.ndarray] = {}
    if vectors is False:
        return None, cache
    if callable(vectors):
        return vectors, cache
    if isinstance(vectors, Mapping):
        cache.update({k: np.asarray(v, dtype=np.float32) for k, v in vectors.items()})
    from storyline import embed

    if not embed.available():
        return None, cache
    shared = _shared_sentence_vectors()
    if shared is not None:
        return shared, cache
    return (lambda texts: embed.encode(texts, max_tokens=64)), cache


def _shared_sentence_vectors() -> Encoder | None:
    """The provenance stage's cached sentence encoder (same model, same pooling), when present."""
    import importlib

    for name in ("storyline.provenance.encoding", "storyline.provenance.paraphrase"):
        try:
            fn = getattr(importlib.import_module(name), "sentence_vectors", None)
        except ImportError:
            continue
        if callable(fn):
            return fn
    return None


def _embed(texts: list[str], enc: Encoder | None, cache: dict[str, np.ndarray]) -> np.ndarray | None:
    if enc is None:
        return None
    todo = sorted({t for t in texts if t not in cache})
    if todo:
        for t, v in zip(todo, enc(todo)):
            cache[t] = np.asarray(v, dtype=np.float32)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([cache[t] for t in texts])


def _lexical(texts: list[str]) -> Any:
    """TF-IDF rows (sparse, L2-normalised) over stemmed content words and word bigrams."""
    from scipy import sparse
    from sklearn.feature_extraction.text import TfidfVectorizer

    def analyse(t: str) -> list[str]:
        ws = [w for w in words(t) if w not in ("the", "a", "an", "of", "to", "and", "in", "on")]
        grams = sorted(content(t))
        return grams + [f"{a}_{b}" for a, b in itertools.pairwise(ws)]

    if not texts:
        return sparse.csr_matrix((0, 1), dtype=np.float32)
    vec = TfidfVectorizer(analyzer=analyse, sublinear_tf=True, dtype=np.float32)
    try:
        return vec.fit_transform(texts).tocsr()
    except ValueError:  # nothing but stop words
        return sparse.csr_matrix((len(texts), 1), dtype=np.float32)


def _sim(sem: np.ndarray | None, lex: Any) -> np.ndarray:
    s = np.asarray((lex @ lex.T).toarray(), dtype=np.float32)
    if sem is not None:
        s = np.maximum(s, sem @ sem.T)
    return np.clip(s, 0.0, 1.0)


def _clusters(sim: np.ndarray, threshold: float, cannot: np.ndarray | None = None) -> list[int]:
    """Average-linkage clusters of items whose similarity is at least ``threshold``."""
    n = len(sim)
    if n == 0:
        return []
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = 1.0 - sim
    if cannot is not None:
        dist = np.where(cannot, 1.0, dist)
    np.fill_diagonal(dist, 0.0)
    dist = (dist + dist.T) / 2
    z = linkage(squareform(np.clip(dist, 0, 1), checks=False), method="average")
    labels = fcluster(z, t=1.0 - threshold, criterion="distance")
    return [int(x) - 1 for x in labels]


# ----------------------------------------------------------------------------- sources


def _reports(articles: Sequence[Article], provenance: dict | None) -> tuple[list[str], list[str]]:
    """Each article's source (the root it derives from: ``wire:<name>``, the id of the article of own
    reporting it copies, or ``unknown-absent:<id>`` for a family whose source is nowhere named) and
    each article's grade. Without provenance each outlet counts as one source."""
    n = len(articles)
    grades = [""] * n
    if not provenance:
        by_outlet: dict[str, str] = {}
        return [by_outlet.setdefault(_outlet(a), a.id) for a in articles], grades
    idx = {a.id: i for i, a in enumerate(articles)}
    parent: dict[int, int] = {}
    given: dict[int, str] = {}
    for rec in provenance.get("articles", []):
        i = idx.get(rec.get("article_id"))
        if i is None:
            continue
        grades[i] = rec.get("grade", "") or ""
        p = idx.get(rec.get("parent")) if rec.get("parent") is not None else None
        if grades[i] in COPY_GRADES and p is not None and p != i:
            parent[i] = p
        if rec.get("source"):
            given[i] = rec["source"]
    report = []
    for i in range(n):
        j, seen = i, {i}
        while j in parent and parent[j] not in seen:
            j = parent[j]
            seen.add(j)
        src = given.get(i)
        if src is None or src == "own":  # older provenance without sources: the in-story root
            report.append(articles[j].id)
        elif src == "unknown-absent":
            report.append(f"unknown-absent:{articles[j].id}")
        elif src.startswith("wire:") or src in idx:
            report.append(src)
        else:
            report.append(articles[j].id)
    return report, grades


def _source_names(keys: set[str]) -> str:
    """"Reuters", "AP, Reuters and 1 own report": the wires by name, the rest counted."""
    from storyline.provenance.credits import display

    wires = sorted(display(k[5:]) for k in keys if k.startswith("wire:"))
    unknown = sum(k.startswith("unknown-absent:") for k in keys)
    own = len(keys) - len(wires) - unknown
    parts = list(wires)
    if own:
        parts.append(f"{own} own report" + ("s" if own != 1 else ""))
    if unknown:
        parts.append(f"{unknown} unnamed source" + ("s" if unknown != 1 else ""))
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _roots(arts: Sequence[Article], report: list[str]) -> list[dict[str, Any]]:
    from storyline.provenance.credits import display

    out: dict[str, list[str]] = {}
    for a, k in zip(arts, report):
        out.setdefault(k, []).append(a.id)
    return [
        {
            "source": k.split(":")[0] if k.startswith("unknown-absent:") else k,
            "kind": "wire" if k.startswith("wire:") else "unknown" if k.startswith("unknown-absent:") else "article",
            "name": display(k[5:]) if k.startswith("wire:") else None,
            "articles": sorted(v),
        }
        for k, v in sorted(out.items())
    ]


def _outlet(a: Article) -> str:
    return a.outlet or a.id


# ----------------------------------------------------------------------------- build


def build_digest(
    story_id: str,
    articles: Sequence[Article],
    provenance: dict | None = None,
    vectors: Any = None,
) -> Digest:
    """The consolidated digest of one story.

    ``provenance`` is ``storyline.provenance`` output (``{"articles": [{"article_id",
    "grade", "parent"}]}``): copies are counted with their original. Without it
    every outlet counts as a source. ``vectors``: see :func:`_encoder`.
    """
    arts = list(articles)
    enc, cache = _encoder(vectors)
    report, grades = _reports(arts, provenance)
    outlets = [_outlet(a) for a in arts]
    pubs = [F.parse_published(a.published) for a in arts]
    docs = [units(a.text) for a in arts]

    # Units worth reading: long enough, not a headline, not repeated within the article.
    cand: list[tuple[int, int]] = []
    for ai, us in enumerate(docs):
        seen: set[str] = set()
        for ui, t in enumerate(us):
            key = " ".join(words(t))
            if (
                len(words(t)) < MIN_WORDS
                or is_title_case(t)
                or key in seen
                or fold(t) == fold(arts[ai].title)
            ):
                continue
            seen.add(key)
            cand.append((ai, ui))
    texts = [docs[a][u] for a, u in cand]
    sem = _embed(texts, enc, cache)
    lex = _lexical(texts)
    keep = _relevant(cand, sem, lex)
    cand = [c for c, k in zip(cand, keep) if k]
    sel = np.flatnonzero(keep)
    sem = sem[sel] if sem is not None else None
    lex = lex[sel]
    texts = [texts[i] for i in sel]
    usable = set(cand)

    index = EntityIndex(
        [[t if (a, u) in usable else "" for u, t in enumerate(us)] for a, us in enumerate(docs)]
    )
    sim = _sim(sem, lex)
    labels = _clusters(sim, SENT_SIM)
    ctx = _Ctx(
        arts, outlets, report, grades, pubs, docs, cand, texts, sem, lex, sim, labels, index, enc, cache
    )

    quotes, quote_of_unit, speaker_of_unit = _quotes(ctx)
    summary, cluster_info = _summary(ctx, speaker_of_unit)
    fact_list = _facts(ctx, quotes, quote_of_unit) + _entity_facts(ctx)
    for k, f in enumerate(fact_list):
        f["id"] = f"f{k + 1}"
    only_in = _only_in(ctx, cluster_info, quotes, fact_list)

    n_reports = len(set(report))
    title = _title(ctx) or _fallback_title(summary)
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "story_id": story_id,
        "title": title,
        "sources": {
            "articles": len(arts),
            "outlets": sorted(set(outlets)),
            "independent_reports": n_reports,
            "roots": _roots(arts, report),
            "provenance": bool(provenance),
            "label": _label(len(set(outlets)), set(report) if provenance else len(set(report))),
        },
        "articles": [
            {
                "id": a.id,
                "outlet": outlets[i],
                "title": a.title,
                "url": a.url,
                "published": a.published,
                "grade": grades[i] or None,
                "report": report[i],
            }
            for i, a in enumerate(arts)
        ],
        "summary": summary,
        "quotes": quotes,
        "facts": fact_list,
        "only_in": only_in,
    }
    return Digest(data)


class _Ctx:
    def __init__(
        self, arts, outlets, report, grades, pubs, docs, cand, texts, sem, lex, sim, labels, index, enc, cache
    ):
        self.arts, self.outlets, self.report, self.grades, self.pubs = arts, outlets, report, grades, pubs
        self.docs, self.cand, self.texts, self.sem, self.lex, self.sim = docs, cand, texts, sem, lex, sim
        self.labels, self.index, self.enc, self.cache = labels, index, enc, cache
        self.pos = {c: i for i, c in enumerate(cand)}

    def vec(self, i: int) -> np.ndarray:
        return self.sem[i] if self.sem is not None else self.lex[i].toarray()[0]

    def outlets_of(self, art_ids: set[int]) -> list[str]:
        return sorted({self.outlets[a] for a in art_ids})

    def reports_of(self, art_ids: set[int]) -> int:
        return len({self.report[a] for a in art_ids})

    def label(self, art_ids: set[int]) -> str:
        """ "3 outlets, 1 source (Reuters)" for these articles (outlets counted without provenance)."""
        keys = {self.report[a] for a in art_ids}
        return _label(len({self.outlets[a] for a in art_ids}), keys if any(self.grades) else len(keys))

    def first(self, art_ids: set[int]) -> dict[str, Any] | None:
        """The first outlet to carry something: by publication date, else the provenance original."""
        dated = [(self.pubs[a].isoformat(), self.arts[a].published or "", a) for a in art_ids if self.pubs[a]]
        if dated:
            _, _, a = min(dated)
            return {"outlet": self.outlets[a], "article_id": self.arts[a].id, "basis": "published"}
        originals = [a for a in art_ids if self.report[a] == self.arts[a].id and self.grades[a]]
        roots = {self.report[a] for a in art_ids}
        if len(roots) == 1 and originals:
            a = originals[0]
            return {"outlet": self.outlets[a], "article_id": self.arts[a].id, "basis": "provenance"}
        return None


def _label(n_outlets: int, sources: set[str] | int) -> str:
    """ "5 outlets, 1 source (Reuters)"; without provenance (a count) "5 outlets, 5 independent reports"."""
    o = f"{n_outlets} outlet" + ("s" if n_outlets != 1 else "")
    if isinstance(sources, int):
        return f"{o}, {sources} independent report" + ("s" if sources != 1 else "")
    n = len(sources)
    return f"{o}, {n} source" + ("s" if n != 1 else "") + f" ({_source_names(sources)})"


def _relevant(cand: list[tuple[int, int]], sem: np.ndarray | None, lex: Any) -> np.ndarray:
    """Which units are about the story: cosine to the centroid of the articles' mean vectors."""
    if not cand:
        return np.zeros(0, dtype=bool)
    rows = np.array([a for a, _ in cand])
    arts = sorted(set(rows.tolist()))
    if len(arts) < 2:
        return np.ones(len(cand), dtype=bool)
    if sem is not None:
        means = np.stack([sem[rows == a].mean(0) for a in arts])
    else:
        means = np.stack([np.asarray(lex[np.flatnonzero(rows == a)].mean(0)).ravel() for a in arts])
    centroid = means.mean(0)
    centroid /= max(float(np.linalg.norm(centroid)), 1e-9)
    rel = sem @ centroid if sem is not None else np.asarray(lex @ centroid).ravel()
    threshold = RELEVANCE if sem is not None else 0.08
    return rel >= threshold


def _title(ctx: _Ctx) -> str:
    """The title of the article closest to the story's centre (headlines of copies are alike)."""
    best, score = "", -1.0
    if not ctx.cand:
        return next((a.title for a in ctx.arts if a.title), "")
    centroid = np.mean([ctx.vec(i) for i in range(len(ctx.cand))], axis=0)
    for ai, a in enumerate(ctx.arts):
        rows = [i for i, (x, _) in enumerate(ctx.cand) if x == ai]
        if not a.title or not rows or len(words(a.title)) < 4:
            continue
        s = float(np.mean([ctx.vec(i) @ centroid for i in rows]))
        if s > score:
            best, score = a.title, s
    return best or next((a.title for a in ctx.arts if a.title), "")


def _fallback_title(summary: list[dict[str, Any]]) -> str:
    """Articles without titles (plain text): the first summary sentence stands in."""
    return clip(summary[0]["text"], 110) if summary else ""


# ----------------------------------------------------------------------------- summary


def _summary(ctx: _Ctx, speaker_of_unit: dict[tuple[int, int], str]) -> tuple[list[dict[str, Any]], dict]:
    members: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(ctx.labels):
        members[lab].append(i)
    info: dict[int, dict[str, Any]] = {}
    for lab, idx in members.items():
        arts = {ctx.cand[i][0] for i in idx}
        info[lab] = {"members": idx, "arts": arts, "reports": ctx.reports_of(arts)}
    if not members:
        return [], info
    labs = sorted(members)
    cent = np.stack([np.mean([ctx.vec(i) for i in members[lab]], axis=0) for lab in labs])
    cent /= np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-9)
    w = np.clip(cent @ cent.T, 0, 1)
    np.fill_diagonal(w, 0)
    w[w < 0.3] = 0
    support = np.array([info[lab]["reports"] for lab in labs], dtype=float)
    pers = support / support.sum()
    rank = _pagerank(w, pers)
    # Quotations have their own ledger: a summary made only of them would not narrate.
    quoted = np.array([np.mean([_quoted_share(ctx.texts[i]) for i in members[lab]]) for lab in labs])
    score = rank * np.log1p(support) * (1.0 - 0.3 * (quoted > 0.6))
    n_arts = len({a for a, _ in ctx.cand})
    k = int(min(10, max(5, 4 + n_arts // 2), len(labs)))
    chosen: list[int] = []
    smax = float(score.max()) or 1.0
    cand = [j for j in range(len(labs)) if _representative(ctx, members[labs[j]]) is not None]
    while len(chosen) < k and cand:
        best = max(
            cand,
            key=lambda j: (
                0.7 * score[j] / smax - 0.3 * max((float(cent[j] @ cent[c]) for c in chosen), default=0.0)
            ),
        )
        cand.remove(best)
        if chosen and max(float(cent[best] @ cent[c]) for c in chosen) > 0.85:
            continue
        chosen.append(best)

    # Narrative order: where the sentences sit in their articles.
    def position(j: int) -> float:
        ps = []
        for i in members[labs[j]]:
            a, u = ctx.cand[i]
            ps.append(u / max(len(ctx.docs[a]), 1))
        return float(np.mean(ps))

    out = []
    for j in sorted(chosen, key=position):
        lab = labs[j]
        rep = _representative(ctx, members[lab])
        assert rep is not None
        arts = info[lab]["arts"]
        a, u = ctx.cand[rep]
        n_rep = info[lab]["reports"]
        info[lab]["summary"] = True
        out.append(
            {
                "text": ctx.texts[rep],
                "article_id": ctx.arts[a].id,
                "outlet": ctx.outlets[a],
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[x].id for x in arts),
                "reports": n_rep,
                "label": ctx.label(arts),
                "variants": sorted({ctx.texts[i] for i in members[lab]} - {ctx.texts[rep]}),
                "speaker": speaker_of_unit.get((a, u)),
            }
        )
    return out, info


def _quoted_share(text: str) -> float:
    """How much of a unit is inside quotation marks."""
    inside = sum(e - s for s, e, _ in find_quotes(text))
    return inside / max(len(text), 1)


def _pagerank(w: np.ndarray, pers: np.ndarray, d: float = 0.85, iters: int = 60) -> np.ndarray:
    n = len(w)
    deg = w.sum(1, keepdims=True)
    p = np.where(deg > 0, w / np.maximum(deg, 1e-12), 1.0 / n)
    r = np.full(n, 1.0 / n)
    for _ in range(iters):
        r = (1 - d) * pers + d * (p.T @ r)
    return r


def _representative(ctx: _Ctx, idx: list[int]) -> int | None:
    """The wording to show: an original's (not a spun copy's), central, with balanced quotes."""
    best, score = None, -1e9
    for i in idx:
        a, _ = ctx.cand[i]
        t = ctx.texts[i]
        if len(words(t)) < 8 or t.rstrip()[-1:] not in ".!?”\"’'":
            continue
        s = float(np.mean([ctx.sim[i, j] for j in idx])) if len(idx) > 1 else 0.0
        if ctx.grades[a] == "spun":
            s -= 1.0
        if (t.count("“") != t.count("”")) or t.count('"') % 2:
            s -= 0.5
        if ctx.report[a] == ctx.arts[a].id:
            s += 0.05
        if s > score:
            best, score = i, s
    return best


# ----------------------------------------------------------------------------- quotes


def _quotes(
    ctx: _Ctx,
) -> tuple[list[dict[str, Any]], dict[tuple[int, int], list[int]], dict[tuple[int, int], str]]:
    docs = [[t if (a, u) in ctx.pos else "" for u, t in enumerate(us)] for a, us in enumerate(ctx.docs)]
    reported: dict[tuple[int, int], int] = {}
    ments = [m for m in extract(docs, ctx.index, reported) if m.n_words >= 2]
    speaker_of_unit = {  # who speaks in a sentence, for the summary (fragments like "about 3,900" do not count)
        (m.art, m.unit): ctx.index.entities[m.speaker].name
        for m in ments
        if m.speaker is not None and m.n_words >= 4
    }
    if not ments:
        return [], {}, speaker_of_unit
    qtexts = [m.text for m in ments]
    qsem = _embed(qtexts, ctx.enc, ctx.cache)
    n = len(ments)
    cs = [content(t) for t in qtexts]
    norms = [norm_quote(t) for t in qtexts]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(n):
        for j in range(i + 1, n):
            if _same_quote(ments[i], ments[j], cs[i], cs[j], norms[i], norms[j], qsem, i, j):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)

    out: list[dict[str, Any]] = []
    quote_of_unit: dict[tuple[int, int], list[int]] = defaultdict(list)
    for _gi, idx in enumerate(sorted(groups.values(), key=lambda g: (-len({ments[i].art for i in g}), g[0]))):
        group = [ments[i] for i in idx]
        entry = _ledger_entry(ctx, group, [norms[i] for i in idx], [cs[i] for i in idx], qsem, idx)
        if entry is None:
            continue
        entry["id"] = f"q{len(out) + 1}"
        for m in group:
            quote_of_unit[(m.art, m.unit)].append(len(out))
        out.append(entry)
    _add_reported(ctx, out, ments, reported)
    return out, quote_of_unit, speaker_of_unit


def _same_quote(a: QuoteMention, b: QuoteMention, ca, cb, na: str, nb: str, qsem, i: int, j: int) -> bool:
    if na == nb:
        return True
    small = min(len(ca), len(cb))
    cont = containment(ca, cb)
    sem = float(qsem[i] @ qsem[j]) if qsem is not None else 0.0
    if a.art == b.art and a.unit == b.unit:
        return False
    same_speaker = a.speaker is None or b.speaker is None or a.speaker == b.speaker
    known_same = a.speaker is not None and a.speaker == b.speaker
    if (na in nb or nb in na) and (small >= 3 or (small >= 2 and known_same)):
        return same_speaker or small >= 4
    if small >= 3 and cont >= 0.7:
        return same_speaker or cont >= 0.9
    if small >= 3 and sem >= QUOTE_SIM and cont >= 0.4:
        return same_speaker or sem >= 0.9
    return False


def _ledger_entry(ctx: _Ctx, group: list[QuoteMention], norms, cs, qsem, idx) -> dict[str, Any] | None:
    index = ctx.index
    speakers = Counter(m.speaker for m in group if m.speaker is not None)
    speaker = speakers.most_common(1)[0][0] if speakers else None
    tos = Counter(m.to for m in group if m.to is not None)
    to = tos.most_common(1)[0][0] if tos else None
    variants: dict[str, dict[str, Any]] = {}
    for m, nq in zip(group, norms):
        v = variants.setdefault(nq, {"text": m.text, "quoted": True, "mentions": []})
        v["mentions"].append(m)
    canon_key = max(
        variants, key=lambda k: (len({m.art for m in variants[k]["mentions"]}), len(k.split()), -len(k))
    )
    # The canonical wording is the longest one that the most carried wording sits in.
    longer = [k for k in variants if canon_key in k and k != canon_key]
    if longer:
        canon_key = max(longer, key=lambda k: (len({m.art for m in variants[k]["mentions"]}), len(k)))
    alterations: list[dict[str, Any]] = []
    vlist = []
    for k, v in variants.items():
        arts = {m.art for m in v["mentions"]}
        if k == canon_key:
            rel = "canonical"
        elif k in canon_key:
            rel = "cut"
        elif canon_key in k:
            rel = "extended"
        elif any(k in other for other in variants if other != k):
            rel = "cut"
        else:
            rel = "reworded"
        spk = Counter(m.speaker for m in v["mentions"] if m.speaker is not None)
        vs = spk.most_common(1)[0][0] if spk else None
        m0 = v["mentions"][0]
        vlist.append(
            {
                "text": v["text"],
                "quoted": True,
                "relation": rel,
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[a].id for a in arts),
                "first": ctx.first(arts),
                "speaker": index.entities[vs].name if vs is not None else None,
                "speaker_as_written": sorted(
                    {m.speaker_as_written for m in v["mentions"] if m.speaker_as_written}
                ),
                "cue": sorted({m.cue for m in v["mentions"] if m.cue}),
                "via": sorted({x for m in v["mentions"] for x in m.via}),
                "context": clip(ctx.docs[m0.art][m0.unit], 300),
            }
        )
        if rel == "reworded":
            alterations.append(
                {
                    "kind": "wording",
                    "outlets": ctx.outlets_of(arts),
                    "detail": "wording inside the quotation marks differs",
                }
            )
        if rel == "cut":
            dropped = _cut_drops(k, canon_key)
            if dropped:
                alterations.append(
                    {
                        "kind": "cut",
                        "outlets": ctx.outlets_of(arts),
                        "detail": f"the cut drops {', '.join(repr(w) for w in dropped)}",
                    }
                )
        if speaker is not None and vs is not None and vs != speaker:
            alterations.append(
                {
                    "kind": "speaker",
                    "outlets": ctx.outlets_of({m.art for m in v["mentions"] if m.speaker == vs}),
                    "detail": f"attributed to {index.entities[vs].name}",
                }
            )
    order = {"canonical": 0, "extended": 1, "cut": 2, "reworded": 3}
    vlist.sort(key=lambda v: (order[v["relation"]], -len(v["outlets"]), v["text"]))
    arts = {m.art for m in group}
    names = Counter(
        m.speaker_as_written
        for m in group
        if m.speaker_as_written and m.speaker_as_written.lower() not in ("he", "she")
    )
    return {
        "speaker": index.entities[speaker].name if speaker is not None else None,
        "speaker_names": sorted(names),
        "to": index.entities[to].name if to is not None else None,
        "text": variants[canon_key]["text"],
        "outlets": ctx.outlets_of(arts),
        "articles": sorted(ctx.arts[a].id for a in arts),
        "reports": ctx.reports_of(arts),
        "label": ctx.label(arts),
        "first": ctx.first(arts),
        "altered": bool(alterations),
        "alterations": alterations,
        "variants": vlist,
        "_arts": arts,
        "_units": sorted({(m.art, m.unit) for m in group}),
        "_vecs": None if qsem is None else qsem[idx],
        "_speaker_id": speaker,
        "_content": frozenset().union(*cs),
    }


def _cut_drops(short: str, full: str) -> list[str]:
    """Negations or conditions next to where a quote was cut: a cut that can flip the meaning."""
    i = full.find(short)
    if i < 0:
        return []
    before = full[:i].split()[-3:]
    after = full[i + len(short) :].split()[:3]
    return [w for w in before + after if w in NEGATIONS]


def _add_reported(
    ctx: _Ctx, out: list[dict[str, Any]], ments: list[QuoteMention], reported: dict[tuple[int, int], int]
) -> None:
    """Unquoted sentences that render a quote become its variants.

    A close rendering with the quote's words ("paraphrase": a spinner dropped
    the quotation marks), or indirect speech by the same speaker that shares the
    quote's words ("reported": "He said his government had always welcomed...").
    """
    if ctx.sem is None:
        return
    quoted_units = {(m.art, m.unit) for m in ments}
    for entry in out:
        if entry["_vecs"] is None or len(entry["_content"]) < 4:
            continue
        hits: dict[str, set[int]] = defaultdict(set)
        kind: dict[str, str] = {}
        for i, (a, u) in enumerate(ctx.cand):
            if (a, u) in quoted_units:
                continue
            c = content(ctx.texts[i])
            cont = containment(c, entry["_content"])
            if len(c) < 5 or cont < 0.4:
                continue
            sem = float((entry["_vecs"] @ ctx.sem[i]).max())
            if sem >= REPORTED_SIM and cont >= 0.5:
                hits[ctx.texts[i]].add(a)
                kind[ctx.texts[i]] = "paraphrase"
            elif (
                sem >= 0.45
                and entry["_speaker_id"] is not None
                and reported.get((a, u)) == entry["_speaker_id"]
            ):
                hits[ctx.texts[i]].add(a)
                kind[ctx.texts[i]] = "reported"
        for text, arts in hits.items():
            entry["variants"].append(
                {
                    "text": text,
                    "quoted": False,
                    "relation": kind[text],
                    "outlets": ctx.outlets_of(arts),
                    "articles": sorted(ctx.arts[a].id for a in arts),
                    "first": ctx.first(arts),
                    "speaker": entry["speaker"],
                    "speaker_as_written": [],
                    "cue": [],
                    "via": [],
                    "context": clip(text, 300),
                }
            )
            entry["_arts"] |= arts
            entry["outlets"] = ctx.outlets_of(entry["_arts"])
            entry["articles"] = sorted(ctx.arts[a].id for a in entry["_arts"])
            entry["reports"] = ctx.reports_of(entry["_arts"])
            entry["label"] = ctx.label(entry["_arts"])
            entry["first"] = ctx.first(entry["_arts"])


# ----------------------------------------------------------------------------- facts


def _facts(ctx: _Ctx, quotes: list[dict[str, Any]], quote_of_unit) -> list[dict[str, Any]]:
    ments: list[F.FactMention] = []
    windows: list[str] = []
    attached: list[int | None] = []  # the quote a date belongs to ("when it was said")
    for a, u in ctx.cand:
        text = ctx.docs[a][u]
        qspans = [(s, e) for s, e, _ in find_quotes(text)]
        for s, e, kind, value, unit, qual, anchor in F.numbers(text):
            ments.append(F.FactMention(a, u, s, e, kind, text[s:e], value, unit, qual, anchor))
            windows.append(_window(text, s, e, kind))
            attached.append(None)
        for s, e, written, norm in F.dates(text, ctx.pubs[a]):
            if any(qs <= s < qe for qs, qe in qspans):
                continue
            ments.append(F.FactMention(a, u, s, e, "date", written, norm, "", "", ""))
            windows.append(_window(text, s, e, "date"))
            qs = quote_of_unit.get((a, u), [])
            attached.append(qs[0] if len(qs) == 1 else None)
    if not ments:
        return []
    wsem = _embed(windows, ctx.enc, ctx.cache)
    wlex = _lexical(windows)
    sim = _sim(wsem, wlex)
    # A date belongs to the verb next to it: "declared on Saturday" is not "said on Monday".
    events = [
        _event_word(ctx.docs[m.art][m.unit], m.start, m.end) if m.kind == "date" else None for m in ments
    ]
    for i, ei in enumerate(events):
        for j, ej in enumerate(events):
            if ei and ej and ei != ej:
                sim[i, j] = min(sim[i, j], 0.3)
    sim = _fact_similarity(ctx, ments, attached, sim)
    norms = [m.key() for m in ments]
    # 1. Mentions of the same value about the same thing: an agreement needs modest evidence.
    by_value: dict[tuple, list[int]] = defaultdict(list)
    for i, k in enumerate(norms):
        by_value[k].append(i)
    groups: list[list[int]] = []
    for (kind, _, _), idx in by_value.items():
        labels = _clusters(sim[np.ix_(idx, idx)], FACT_AGREE_DATE if kind == "date" else FACT_AGREE)
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
    for k, f in enumerate(out):
        f["id"] = f"f{k + 1}"
    return out


def _fact_similarity(
    ctx: _Ctx, ments: list[F.FactMention], attached: list[int | None], sim: np.ndarray
) -> np.ndarray:
    """Context similarity of fact mentions, with what is known about them folded in.

    A date said of the same quote is the same fact; a date said of a quote is not
    the date of anything else; mentions in sentences that say the same thing
    are close; the same value said of the same name agrees; two values in one
    sentence, or of different kinds or magnitudes, are never one fact.
    """
    n = len(ments)
    sim = sim.copy()
    label_of = {c: ctx.labels[i] for i, c in enumerate(ctx.cand)}
    unit = np.array([ctx.pos[(m.art, m.unit)] for m in ments])
    label = np.array([label_of[(m.art, m.unit)] for m in ments])
    is_date = np.array([m.kind == "date" for m in ments])
    att = np.array([-1 if a is None else a for a in attached])
    key = [m.key() for m in ments]
    same_key = (
        np.array([[key[i] == key[j] for j in range(n)] for i in range(n)]) if n else np.zeros((0, 0), bool)
    )
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
    from storyline.digest.quotes import CUES
    from storyline.digest.text import stem

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


def _compatible_matrix(ments: list[F.FactMention]) -> np.ndarray:
    """Which pairs of values could be about the same thing.

    Same kind; dates of the same granularity (weekday with weekday); counts of
    the same noun; and a difference within a factor of 3 (a conflict is "30 h
    vs 24 h", not "30 hours vs 30 days").
    """
    from storyline.digest.text import stem

    kinds = np.array([m.kind for m in ments])
    ok = kinds[:, None] == kinds[None, :]
    is_date = kinds == "date"
    gran = np.array([F.granularity(str(m.value)) if m.kind == "date" else "" for m in ments])
    ok &= ~(is_date[:, None] & (gran[:, None] != gran[None, :]))
    nouns = np.array([stem(m.unit_name) if m.kind in ("count", "money", "rate") else "" for m in ments])
    ok &= ~((nouns[:, None] != "") & (nouns[None, :] != "") & (nouns[:, None] != nouns[None, :]))
    vals = np.array([abs(float(m.value)) if m.kind != "date" else 1.0 for m in ments])
    lo, hi = np.minimum(vals[:, None], vals[None, :]), np.maximum(vals[:, None], vals[None, :])
    close = (lo == hi) | ((lo > 0) & (hi <= 3.0 * lo))
    return ok & (is_date[:, None] | close)


def _fact_entry(ctx: _Ctx, group: list[F.FactMention], quotes, attached) -> dict[str, Any]:
    kind = group[0].kind
    as_unit = F.smallest_unit([m.unit_name for m in group]) if kind in ("duration", "age") else None
    values: dict[str, dict[str, Any]] = {}
    for m in group:
        norm = F.fmt_value(kind, m.value, m.unit_name, as_unit)
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
            return (min(_instant(ctx.arts[a].published) or 0.0 for a in kv[1]["arts"]), kv[0])
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


def _instant(published: str | None) -> float | None:
    """A publication time as a UTC timestamp (a bare date counts as its midnight, UTC)."""
    from datetime import datetime, timezone

    if not published:
        return None
    try:
        t = datetime.fromisoformat(published.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t.timestamp()


def _is_update(ctx: _Ctx, values: dict[str, dict[str, Any]]) -> bool:
    """Different values that follow each other in time (every report of one before every report of the next)."""
    spans = []
    for v in values.values():
        times = [_instant(ctx.arts[a].published) for a in v["arts"]]
        if any(t is None for t in times):
            return False
        spans.append((min(times), max(times)))  # type: ignore[type-var]
    spans.sort()
    return all(a[1] < b[0] for a, b in itertools.pairwise(spans))


def _entity_facts(ctx: _Ctx) -> list[dict[str, Any]]:
    out = []
    for ent in ctx.index.entities:
        ms = [m for m in ent.mentions if (m.art, m.unit) in ctx.pos]
        if not ms:
            continue
        arts = {m.art for m in ms}
        by_name: dict[str, set[int]] = defaultdict(set)
        for m in ms:
            by_name[m.name].add(m.art)
        titles = Counter(m.title for m in ms if m.title)
        out.append(
            {
                "kind": "person" if ent.person else "entity",
                "about": ent.name,
                "status": "agree" if len({ctx.outlets[a] for a in arts}) > 1 else "single",
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


# ----------------------------------------------------------------------------- only in


def _only_in(ctx: _Ctx, info: dict[int, dict[str, Any]], quotes, fact_list) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {
        o: {"sentences": [], "quotes": [], "facts": []} for o in sorted(set(ctx.outlets))
    }
    quoted_units = {u for q in quotes for u in q["_units"]}
    outlet_of = np.array([ctx.outlets[a] for a, _ in ctx.cand])
    picked: list[tuple[tuple[int, int], str, str]] = []
    for _lab, inf in info.items():
        outs = {ctx.outlets[a] for a in inf["arts"]}
        if len(outs) != 1:
            continue
        o = next(iter(outs))
        for i in sorted(inf["members"], key=lambda i: ctx.cand[i]):
            if ctx.cand[i] in quoted_units and len(words(ctx.texts[i])) < 8:
                continue
            # not even a loose rendering elsewhere: the cluster threshold is strict, this one is not
            others = ctx.sim[i][outlet_of != o]
            if others.size and float(others.max()) >= ONLY_IN_SIM:
                continue
            picked.append((ctx.cand[i], o, ctx.texts[i]))
            break
    for _, o, text in sorted(picked):  # in the order of the article
        out[o]["sentences"].append(text)
    for q in quotes:
        if len(q["outlets"]) == 1:
            out[q["outlets"][0]]["quotes"].append({"id": q["id"], "speaker": q["speaker"], "text": q["text"]})
    carried: dict[tuple[str, str], set[str]] = defaultdict(set)  # a value anywhere in the story
    for f in fact_list:
        for v in f["values"]:
            carried[(f["kind"], v["normalised"])].update(v["outlets"])
    for f in fact_list:
        for v in f["values"]:
            if len(v["outlets"]) != 1:
                continue
            if f["status"] == "single" and len(carried[(f["kind"], v["normalised"])]) != 1:
                continue  # the same value is reported elsewhere, in words the matcher did not pair
            if f["status"] not in ("single", "conflict", "update"):
                continue
            out[v["outlets"][0]]["facts"].append(
                {
                    "id": f.get("id"),
                    "kind": f["kind"],
                    "about": f["about"],
                    "value": v["value"],
                    "normalised": v["normalised"],
                    "status": f["status"],
                }
            )
    for q in quotes:
        for k in ("_arts", "_units", "_vecs", "_content", "_speaker_id"):
            q.pop(k, None)
    return out
