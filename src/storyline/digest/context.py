"""What every part of a digest works on: a story's sentence units, their vectors and clusters, its names.

:func:`prepare` reads a story once: it splits the articles into units (sentences,
a multi-sentence quotation kept whole), drops units that are not about the story
(boilerplate, author notes, promotions the cleaner missed: far from the story
centroid), embeds the rest (MiniLM when installed, TF-IDF always), groups units
that say the same thing into sentence clusters, indexes the names, and counts
each article with the source it derives from (copies graded verbatim /
light-rewrite / spun by provenance count with their original). The summary,
quote ledger, fact table and only-in sections all read the :class:`Ctx` it returns.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from storyline.counts import UNKNOWN_OUTLET
from storyline.digest.entities import EntityIndex, is_title_case, role_key, role_of
from storyline.digest.text import content, fold, units, words
from storyline.model import Article

COPY_GRADES = frozenset({"verbatim", "light-rewrite", "spun"})
MIN_WORDS = 6  # shorter units are share counters, bylines, captions
RELEVANCE = 0.30  # cosine to the story centroid below which a unit is not about the story
SENT_SIM = 0.72  # units at least this similar (average linkage) say the same thing
Encoder = Callable[[Sequence[str]], np.ndarray]


def encoder(vectors: Any) -> tuple[Encoder | None, dict[str, np.ndarray]]:
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


def embed_texts(texts: list[str], enc: Encoder | None, cache: dict[str, np.ndarray]) -> np.ndarray | None:
    if enc is None:
        return None
    todo = sorted({t for t in texts if t not in cache})
    if todo:
        for t, v in zip(todo, enc(todo)):
            cache[t] = np.asarray(v, dtype=np.float32)
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.stack([cache[t] for t in texts])


def lexical(texts: list[str]) -> Any:
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


DENSE_UNITS = 4000  # a story's units up to this many are compared as one matrix; more, row blocks when asked
ROW_BLOCK = 1024  # rows of the similarity computed at once


def similarity(sem: np.ndarray | None, lex: Any) -> np.ndarray:
    s = np.asarray((lex @ lex.T).toarray(), dtype=np.float32)
    if sem is not None:
        s = np.maximum(s, sem @ sem.T)
    return np.clip(s, 0.0, 1.0)


class UnitSimilarity:
    """:func:`similarity` without its m x m matrix, for stories of many thousand units: ``sim[i]`` is a
    row, ``sim[i, j]`` one value, :meth:`rows` some rows, each computed when asked (memory grows with
    the story, not with its square)."""

    def __init__(self, sem: np.ndarray | None, lex: Any):
        self.sem, self.lex = sem, lex
        self.shape = (lex.shape[0], lex.shape[0])

    def __len__(self) -> int:
        return self.shape[0]

    def rows(self, idx: Any) -> np.ndarray:
        idx = np.asarray(idx, dtype=np.int64).ravel()
        s = np.asarray((self.lex[idx] @ self.lex.T).toarray(), dtype=np.float32)
        if self.sem is not None:
            s = np.maximum(s, self.sem[idx] @ self.sem.T)
        return np.clip(s, 0.0, 1.0)

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, tuple):
            i, j = key
            return self.rows([i])[0, j]
        return self.rows([key])[0]


def unit_similarity(sem: np.ndarray | None, lex: Any) -> np.ndarray | UnitSimilarity:
    """The units' pairwise similarity: one matrix up to :data:`DENSE_UNITS` units, else computed by rows."""
    return similarity(sem, lex) if lex.shape[0] <= DENSE_UNITS else UnitSimilarity(sem, lex)


def block(sim: np.ndarray | UnitSimilarity, idx: Any) -> np.ndarray:
    """The square of ``sim`` over ``idx``."""
    idx = np.asarray(idx, dtype=np.int64).ravel()
    return sim[np.ix_(idx, idx)] if isinstance(sim, np.ndarray) else sim.rows(idx)[:, idx]


def clusters(sim: np.ndarray | UnitSimilarity, threshold: float, cannot: np.ndarray | None = None) -> list[int]:
    """Average-linkage clusters of items whose similarity is at least ``threshold``.

    Computed by rows (a :class:`UnitSimilarity`), the linkage runs on each connected component of the
    pairs at least ``threshold`` similar, one at a time: the same clusters (an average-linkage merge
    at that level needs one such pair between its two sides), numbered by first member.
    """
    if isinstance(sim, UnitSimilarity):
        return _clusters_by_component(sim, threshold)
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


def _clusters_by_component(sim: UnitSimilarity, threshold: float) -> list[int]:
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    m = len(sim)
    rs, cs = [], []
    for s in range(0, m, ROW_BLOCK):
        rows = sim.rows(np.arange(s, min(m, s + ROW_BLOCK)))
        i, j = np.nonzero(rows >= threshold)
        keep = j > i + s
        rs.append(i[keep] + s)
        cs.append(j[keep])
    r, c = np.concatenate(rs), np.concatenate(cs)
    _, comp = connected_components(sp.csr_matrix((np.ones(len(r), np.int8), (r, c)), shape=(m, m)), directed=False)
    labels = np.full(m, -1, dtype=np.int64)
    nxt = 0
    order = np.argsort(comp, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(comp[order])) + 1)
    for members in sorted(groups, key=lambda g: int(g[0])):  # components by first member
        local = np.asarray(clusters(block(sim, members), threshold)) if len(members) > 1 else np.zeros(1, np.int64)
        _, local = np.unique(local, return_inverse=True)
        # number the component's clusters by their first member
        first = {}
        for x in local.ravel().tolist():
            first.setdefault(x, len(first))
        labels[members] = nxt + np.array([first[x] for x in local.ravel().tolist()])
        nxt += len(first)
    return labels.tolist()


# ----------------------------------------------------------------------------- sources


def reports(articles: Sequence[Article], provenance: dict | None) -> tuple[list[str], list[str]]:
    """Each article's source (the root it derives from: ``wire:<name>``, the id of the article of own
    reporting it copies, or ``unknown-absent:<id>`` for a family whose source is nowhere named) and
    each article's grade. Without provenance each outlet counts as one source."""
    n = len(articles)
    grades = [""] * n
    if not provenance:
        by_outlet: dict[str, str] = {}
        return [by_outlet.setdefault(outlet(a), a.id) for a in articles], grades
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
    """ "Reuters", "AP, Reuters and 1 own report": the wires by name, the rest counted."""
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


def roots(arts: Sequence[Article], report: list[str]) -> list[dict[str, Any]]:
    from storyline.provenance.credits import display

    out: dict[str, list[str]] = {}
    for a, k in zip(arts, report):
        out.setdefault(k, []).append(a.id)
    return [
        {
            "source": k.split(":")[0] if k.startswith("unknown-absent:") else k,
            "kind": "wire"
            if k.startswith("wire:")
            else "unknown"
            if k.startswith("unknown-absent:")
            else "article",
            "name": display(k[5:]) if k.startswith("wire:") else None,
            "articles": sorted(v),
        }
        for k, v in sorted(out.items())
    ]


def outlet(a: Article) -> str:
    """The outlet an article is shown under: its own, else "outlet unknown" with the start of its title
    (or its id when it has none), so that a reader can tell which article it is and never takes a file
    id for an outlet. Renderers count names starting "outlet unknown" as articles, not as outlets."""
    if a.outlet:
        return a.outlet
    ws = a.title.replace(",", " ").split()  # no comma: outlets are listed joined by ", "
    short = " ".join(ws[:7]).rstrip(".:;?!") + ("…" if len(ws) > 7 else "")
    return f"{UNKNOWN_OUTLET} (“{short}”)" if short else f"{UNKNOWN_OUTLET} (article {a.id})"


class Ctx:
    """One story, read once.

    ``arts``, ``outlets``, ``report`` (the source each article counts with), ``grades`` and ``pubs``
    (publication dates) are per article; ``docs`` holds each article's units; ``cand`` the
    (article, unit) pairs worth reading, with their ``texts``, vectors (``sem``: MiniLM or None,
    ``lex``: TF-IDF rows), pairwise ``sim`` and sentence-cluster ``labels``; ``index`` the names;
    ``enc`` / ``cache`` embed more text the same way.
    """

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
        return label(len({self.outlets[a] for a in art_ids}), keys if any(self.grades) else len(keys))

    def roles(self, *entities: int) -> list[dict[str, Any]]:
        """The roles the story gives a name ("Kremlin spokesman" for Dmitry Peskov), most carried first:
        ``role`` (the most used wording), ``written`` (every wording), ``arts``, ``context``."""
        found: dict[str, dict[str, Any]] = {}
        for m in (m for e in entities for m in self.index.entities[e].mentions):
            if (m.art, m.unit) not in self.pos:
                continue
            text = self.docs[m.art][m.unit]
            r = role_of(text, m)
            if not r:
                continue
            x = found.setdefault(role_key(r), {"written": Counter(), "arts": set(), "context": text})
            x["written"][r] += 1
            x["arts"].add(m.art)
        out = [
            {
                "role": max(x["written"], key=lambda w: (x["written"][w], w)),
                "written": sorted(x["written"]),
                "arts": x["arts"],
                "context": x["context"],
            }
            for x in found.values()
        ]
        out.sort(
            key=lambda r: (-len(r["arts"]), -sum(found[role_key(r["role"])]["written"].values()), r["role"])
        )
        return out

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


def label(n_outlets: int, sources: set[str] | int) -> str:
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


def prepare(articles: Sequence[Article], provenance: dict | None = None, vectors: Any = None) -> Ctx:
    """Read a story: its units worth reading (long enough, not a headline, not repeated within the
    article, about the story), their vectors and sentence clusters, its names and its sources."""
    from storyline.digest.facts import parse_published

    arts = list(articles)
    # One article has no other wording to match: its units, quotes and figures are compared by their words.
    enc, cache = encoder(vectors if len(arts) > 1 else False)
    report, grades = reports(arts, provenance)
    outlets = [outlet(a) for a in arts]
    pubs = [parse_published(a.published) for a in arts]
    docs = [units(a.text) for a in arts]

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
    sem = embed_texts(texts, enc, cache)
    lex = lexical(texts)
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
    sim = unit_similarity(sem, lex)
    labels = clusters(sim, SENT_SIM)
    return Ctx(
        arts, outlets, report, grades, pubs, docs, cand, texts, sem, lex, sim, labels, index, enc, cache
    )
