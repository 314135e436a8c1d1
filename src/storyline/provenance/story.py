"""Provenance inside a story: reuse grades, the likely original and the derivation graph.

Every pair of articles is aligned once. For each ordered pair (A, B) we know
how much of B renders A and how (verbatim, edited, paraphrased), how much of A
B leaves out, whether B's word swaps look like a spinner's, and the outside
evidence: publish times, wire credits, outlets. A derivation edge A -> B needs
B to reuse enough of A *and* the evidence to point from A to B; each article
gets the best-supported parent that keeps the graph acyclic. Articles with no
parent in the story but a wire credit (their own, or their close peers') get
the wire as parent; the story's original is the root most others descend from,
or the credited wire when that root is itself a rewrite of it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np

from storyline.model import Article
from storyline.provenance import credits as cr
from storyline.provenance import grader as grader_mod
from storyline.provenance import spin as spin_mod
from storyline.provenance.align import Alignment, Doc, align_docs, prepare
from storyline.provenance.sentences import split_sentences
from storyline.provenance.spin import SpinEvidence, spin_evidence

GRADES = ("verbatim", "light-rewrite", "spun", "independent")

# Grade thresholds, fitted on the generated provenance benchmark (bench/bench_provenance.py).
REUSE_MIN = 0.40  # below this share of reused text an article is its own reporting
VERBATIM_SHARE = 0.80  # share of the reused text that must be verbatim for a "verbatim" grade
VERBATIM_MIN = 0.60  # a text this verbatim is never graded spun (the verbatim grade needs VERBATIM_SHARE only)
PARENT_MIN = REUSE_MIN  # reuse needed for an in-story parent
SPUN_MIN = 0.15  # a spun rewrite of a source missing from the story shares less with its peers
LEXICAL_MIN = 0.15  # share of verbatim or edited text a copy keeps: paraphrases alone are what independent reports share
PEER_WIRE_MIN = 0.30  # text shared with articles going back to a wire, to name that wire as probable source
BRIEF_WORDS = 100  # a text this short that credits a wire in its lede is a summary of the wire's report
QUOTE_WEIGHT = 0.3  # weight of a quoted word in every share
ALL_PAIRS_UP_TO = 8  # above this many articles, each is aligned with its likeliest sources only
NEAREST = 4
# Above this many articles each one is ranked against its CANDIDATES likeliest sources as whole texts, not
# against every other article: time and memory grow linearly with the story (880 articles: 11 CPU s and
# 3 MB where ranking against all took 30 s and 1.4 GB; bench/bench_bigstory.py, docs/benchmarks.md)
RANKED_ALL_UP_TO = 64
CANDIDATES = 16

_BOILER = re.compile(
    r"\b(?:download|subscribe|newsletter|sign up|log in|click|follow us|app\b|comments?\b|share (?:this|on)|"
    r"advertisement|cookie|all rights reserved|©|copyright|read more|also read|watch:|email address)",
    re.IGNORECASE,
)


def looks_like_boilerplate(sentence: str) -> bool:
    """Short promotional or navigational lines (kept out of the own-text share)."""
    n = len(sentence.split())
    if n <= 3 and not sentence.rstrip().endswith((".", "!", "?", '"', "”")):
        return True
    return n <= 20 and bool(_BOILER.search(sentence))


@dataclass(slots=True)
class ArticleProvenance:
    """How one article relates to the rest of its story."""

    article_id: str
    grade: str
    reused_share: float
    own_share: float
    parent: str | None
    parents: list[dict[str, Any]] = field(default_factory=list)
    confidence: float = 0.0
    evidence: list[dict[str, str]] = field(default_factory=list)
    spin: dict[str, Any] | None = None
    credits: dict[str, float] = field(default_factory=dict)
    shares: dict[str, float] = field(default_factory=dict)  # reused text by kind of link
    source_of_others: bool = False
    source: str = "own"  # the root it derives from: an article id, "wire:<name>", "unknown-absent" or "own"
    grade_probabilities: dict[str, float] | None = None  # the fitted grader's (None: graded by the rules alone)
    low_confidence: bool = False  # the grade's probability is below the grader's low-confidence level
    rule_grade: str | None = None  # what the hand-written grade rules say (one of the grader's features)
    features: dict[str, float] | None = None  # the grader's evidence (not written to JSON)

    @property
    def grade_probability(self) -> float | None:
        """Probability of the grade given (None when no grader graded it, or for another grade such as
        ``translation``, which cross-language alignment decides)."""
        if self.grade_probabilities is None or self.grade not in self.grade_probabilities:
            return None
        return self.grade_probabilities[self.grade]

    def to_json(self) -> dict[str, Any]:
        p = self.grade_probability
        d: dict[str, Any] = {
            "article_id": self.article_id,
            "grade": self.grade,
            "grade_probability": None if p is None else round(p, 3),
            "grade_low_confidence": bool(self.low_confidence and p is not None),
            "source": self.source,
            "reused_share": round(self.reused_share, 3),
            "own_share": round(1.0 - round(self.reused_share, 3), 3),
            "parent": self.parent,
            "parents": self.parents,
            "confidence": round(self.confidence, 3),
            "evidence": self.evidence,
        }
        if self.shares:
            d["shares"] = {k: round(v, 3) for k, v in self.shares.items()}
        if self.spin is not None:
            d["spin"] = self.spin
        if self.credits:
            d["credits"] = {k: round(v, 2) for k, v in self.credits.items()}
        if self.grade_probabilities is not None and p is not None:
            d["grade_probabilities"] = {k: round(v, 3) for k, v in self.grade_probabilities.items()}
        return d


@dataclass(slots=True)
class StoryProvenance:
    """Provenance of a whole story; ``to_json`` is the ``provenance`` field of stories.jsonl."""

    original: str | None
    original_in_corpus: bool
    wires: list[dict[str, Any]]
    articles: list[ArticleProvenance]
    edges: list[dict[str, Any]]
    alignments: list[Alignment]
    roles: dict[tuple[str, str], str] = field(default_factory=dict)

    def article(self, article_id: str) -> ArticleProvenance:
        for a in self.articles:
            if a.article_id == article_id:
                return a
        raise KeyError(article_id)

    def sources(self) -> list[dict[str, Any]]:
        """The story's distinct roots: each wire, each article of own reporting that others copy or
        that stands alone, and each family whose source is unknown (counted once per family)."""
        groups: dict[str, list[str]] = {}
        for a in self.articles:
            key = a.article_id if a.source == "own" else a.source
            if key == "unknown-absent":
                key = f"unknown-absent:{_root(a, self)}"
            groups.setdefault(key, []).append(a.article_id)
        out = []
        for key, members in sorted(groups.items()):
            if key.startswith("wire:"):
                kind, name = "wire", cr.display(key[5:])
            elif key.startswith("unknown-absent:"):
                kind, name = "unknown", None
            else:
                kind, name = "article", key
            out.append({"source": key.split(":")[0] if kind == "unknown" else key, "kind": kind, "name": name,
                        "articles": sorted(members)})  # fmt: skip
        return out

    def to_json(self) -> dict[str, Any]:
        sources = self.sources()
        return {
            "original": self.original,
            "original_in_corpus": self.original_in_corpus,
            "source_count": len(sources),
            "sources": sources,
            "wires": self.wires,
            "articles": [a.to_json() for a in self.articles],
            "edges": self.edges,
            "alignments": [
                {**al.to_json(sentences=False), "role": self.roles.get((al.a_id, al.b_id), "parent")}
                for al in self.alignments
            ],
        }


@dataclass(slots=True)
class _Rel:
    """B relative to A (A the candidate source)."""

    al: Alignment
    reuse: float  # share of B's (non-boilerplate) words linked to A
    verbatim: float
    edited: float
    paraphrase: float
    covered: float  # share of A's words linked to B
    own_a: float  # share of A's non-boilerplate words that B lacks
    own_b: float
    closeness: float = 0.0
    loose: float = 0.0  # share of B's words in any link, weak ones included (loose rewrites of one source)
    spin: SpinEvidence | None = None


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    v = value.strip().replace("Z", "+00:00")
    try:
        t = datetime.fromisoformat(v)
    except ValueError:
        try:
            t = datetime.fromisoformat(v[:19])
        except ValueError:
            return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return t


def _weights(doc: Doc) -> np.ndarray:
    """Word counts per sentence, quoted words discounted: independent reports share quotes."""
    return doc.sizes * (1.0 - (1.0 - QUOTE_WEIGHT) * doc.quoted)


def _shares(al: Alignment, da: Doc, db: Doc, boiler_a: set[int], boiler_b: set[int]) -> _Rel:
    wa, wb = _weights(da), _weights(db)

    def side(w: np.ndarray, boiler: set[int], kinds: tuple[str, ...], which: str, weak: bool = False) -> float:
        linked: set[int] = set()
        for lk in al.links:
            if lk.kind in kinds and (weak or not lk.weak):
                linked.update(lk.a if which == "a" else lk.b)
        total = sum(float(w[i]) for i in range(len(w)) if i not in boiler or i in linked)
        if not total:
            return 0.0
        return sum(float(w[i]) for i in linked) / total

    allk = ("verbatim", "edited", "paraphrase")
    reuse = side(wb, boiler_b, allk, "b")
    covered = side(wa, boiler_a, allk, "a")
    verb = side(wb, boiler_b, ("verbatim",), "b")
    edit = side(wb, boiler_b, ("edited",), "b")
    par = side(wb, boiler_b, ("paraphrase",), "b")
    rel = _Rel(al, reuse, verb, edit, par, covered, 1 - covered, 1 - reuse)
    rel.closeness = verb + 0.6 * edit + 0.4 * par  # copying keeps words: verbatim weighs most
    rel.loose = side(wb, boiler_b, allk, "b", weak=True)
    return rel


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def _fmt_hours(h: float) -> str:
    if abs(h) < 1:
        return f"{abs(h) * 60:.0f} min"
    if abs(h) < 48:
        return f"{abs(h):.1f} h"
    return f"{abs(h) / 24:.1f} days"


def analyse_story(
    articles: Sequence[Article],
    vectors: dict[str, np.ndarray] | None = None,
    semantic: bool | None = None,
) -> StoryProvenance:
    """Grade every article of a story against its closest source and build the derivation graph.

    ``vectors`` (article id -> article embedding) only narrows which pairs are
    aligned in very large stories. ``semantic=None`` uses the embedder when it
    is installed. The result does not depend on the order of ``articles``.
    """
    arts = sorted(articles, key=lambda a: a.id)
    ids = [a.id for a in arts]
    if semantic is None:
        from storyline.embed import available

        semantic = available()
    sents = {a.id: split_sentences(a.text) for a in arts}
    if semantic:
        from storyline.provenance.encoding import encode_sentences

        encode_sentences(sorted({s for v in sents.values() for s in v}))
    docs = {a.id: prepare(a.id, sents[a.id], semantic) for a in arts}
    boiler = {a.id: {i for i, s in enumerate(docs[a.id].sentences) if looks_like_boilerplate(s)} for a in arts}
    found = {
        a.id: cr.mentions(([a.title] if a.title else []) + docs[a.id].sentences, f"{a.title}\n{a.text}")
        for a in arts
    }
    credit = {a.id: cr.credited(found[a.id]) for a in arts}
    formal = {a.id: cr.formal(found[a.id]) & set(credit[a.id]) for a in arts}
    photo = {a.id: cr.photo(found[a.id]) for a in arts}
    outlet_wire = {a.id: cr.wire_of_outlet(a.outlet) for a in arts}
    times = {a.id: _parse_time(a.published) for a in arts}
    texts = {a.id: a.text for a in arts}
    odd = _odd_forms(arts)
    union = _union_evidence(ids, docs, boiler)
    for a in arts:
        union[a.id]["dateline"] = float(cr.opens_with_dateline(a.text))

    pairs = _pairs_to_align(ids, docs, vectors)
    rel: dict[tuple[str, str], _Rel] = {}
    for (x, y), blocks in pairs.items():
        al = align_docs(docs[x], docs[y], blocks)
        rel[(x, y)] = _shares(al, docs[x], docs[y], boiler[x], boiler[y])
        mal = al.mirrored()
        rel[(y, x)] = _shares(mal, docs[y], docs[x], boiler[y], boiler[x])

    def spin_of(src: str, dst: str) -> SpinEvidence:
        r = rel[(src, dst)]
        if r.spin is None:
            r.spin = spin_evidence(r.al, texts[dst])
        return r.spin

    # Direction evidence for every candidate edge src -> dst.
    direction: dict[tuple[str, str], tuple[float, list[dict[str, str]]]] = {}
    n_boiler = {i: len(boiler[i]) for i in ids}
    cent = _centrality(ids, rel)
    for (src, dst), r in rel.items():
        if r.reuse < PARENT_MIN or _wire_siblings(src, dst, credit, outlet_wire):
            continue
        if _wire_copy_of_its_own(src, dst, formal, credit, outlet_wire):
            continue
        if r.verbatim + r.edited < LEXICAL_MIN and spin_of(src, dst).score < spin_mod.SPIN_THRESHOLD:
            continue
        direction[(src, dst)] = _direction(src, dst, r, times, credit, outlet_wire, spin_of, n_boiler, cent)

    # Greedy maximum-weight forest: strongest supported edges first, no cycles, one parent each.
    cand = []
    for (src, dst), (p, _ev) in direction.items():
        if p < 0.5:
            continue
        bonus = 0.05 * min(3, len(_shared_odd(src, dst, odd)))  # shared errors: a strong sign of copying
        cand.append(((rel[(src, dst)].closeness + bonus) * (0.5 + p), src, dst))
    cand.sort(key=lambda t: (-round(t[0], 9), t[1], t[2]))
    parent: dict[str, str] = {}
    for _w, src, dst in cand:
        if dst in parent or _reaches(parent, src, dst):
            continue
        parent[dst] = src

    wires = _story_wires(ids, credit, found, outlet_wire)
    top_wire = wires[0]["wire"] if wires else None

    drafts: list[_Draft] = []
    alignments: list[Alignment] = []
    roles: dict[tuple[str, str], str] = {}
    for a in arts:
        aid = a.id
        ev: list[dict[str, str]] = []
        for w, _s in sorted(credit[aid].items(), key=lambda kv: (-kv[1], kv[0])):
            m = next(m for m in found[aid] if m.wire == w and m.kind != "quote")
            ev.append({"kind": "credit", "detail": f"credits {cr.display(w)} ({m.kind}): {_clip(m.text)}"})
        peers = sorted(((rel[(s, aid)].closeness, s) for s in ids if s != aid and (s, aid) in rel), reverse=True)
        if aid in parent:
            src = parent[aid]
            r = rel[(src, aid)]
            p, dev = direction[(src, aid)]
            grade, spin = _grade(r, spin_of(src, aid))
            conf = round(p * min(1.0, 0.4 + r.closeness), 3)
            alts = sorted(
                (
                    (rel[(s, aid)].closeness * direction[(s, aid)][0], s)
                    for s in ids
                    if s != aid and (s, aid) in direction and s != src and direction[(s, aid)][0] >= 0.5
                ),
                reverse=True,
            )
            parents = [{"id": src, "confidence": conf}] + [
                {"id": s, "confidence": round(w, 3)} for w, s in alts[:2] if w > 0.2
            ]
            ev = [_reuse_evidence(src, r), *dev, *ev]
            shared = _shared_odd(src, aid, odd)
            if shared:
                ev.append({"kind": "shared_errors", "detail": f"shares rare or misspelt forms only with {src}: "
                           + ", ".join(shared[:5])})  # fmt: skip
            alignments.append(r.al)
            roles[(r.al.a_id, r.al.b_id)] = "parent"
            drafts.append(_Draft(aid, grade, src, conf, parents, ev, spin, r.reuse, _kinds(r), False, src, p))
            continue
        # No parent in the story. The wire's own article, and a source of others that nothing ties to
        # a wire, are own reporting. Otherwise the article is a copy of a source missing from the story:
        # a credited wire (its own credit, its tree's, or that of the copies whose text it shares), or
        # an unknown one; the closest peer stands in for the missing source when grading.
        has_children = aid in parent.values()
        grade, spin, reuse, kinds = "independent", None, 0.0, {}
        par: str | None = None
        conf = 0.0
        parents: list[dict[str, Any]] = []
        own_wire = max(credit[aid].items(), key=lambda kv: (kv[1], kv[0]))[0] if credit[aid] else None
        if outlet_wire[aid]:
            ev.append({"kind": "outlet", "detail": f"published by {cr.display(outlet_wire[aid])} itself"})
            if has_children:
                ev.append({"kind": "source", "detail": f"source of {', '.join(_kids(aid, parent))} in this story"})
        elif has_children:
            ev.append({"kind": "source", "detail": f"source of {', '.join(_kids(aid, parent))} in this story"})
            wire, why = _tree_wire(aid, ids, parent, credit, formal, outlet_wire, rel, photo)
            if wire:
                grade, spin, reuse, kinds = _root_grade(aid, ids, rel, parent, spin_of, formal)
                par, conf = f"wire:{wire}", round(0.6 + 0.3 * min(1.0, credit[aid].get(wire, 0.6)), 3)
                ev.append({"kind": "credit" if wire == own_wire else "peers", "detail": why})
        elif peers:
            closest = peers[0][1]
            r = rel[(closest, aid)]
            kinds = _kinds(r)
            reuse = r.reuse
            grade, spin = _grade(r, spin_of(closest, aid), spun_min=SPUN_MIN)
            if grade != "spun" and r.verbatim + r.edited < LEXICAL_MIN and not credit[aid]:
                grade = "independent"  # the same facts in other words, uncredited: what independent reports share
            elif grade == "light-rewrite" and _verbatim_with_a_peer(aid, ids, rel):
                grade = "verbatim"  # its closest peer edits the missing source; another carries it as sent
            if r.al.links:
                alignments.append(r.al)
                roles[(r.al.a_id, r.al.b_id)] = "closest"
            why = "a copy of the same wire story" if _wire_siblings(closest, aid, credit, outlet_wire) else (
                "nothing points to it as the source"
            )
            ev.append(
                {
                    "kind": "closest",
                    "detail": f"closest article in the story: {closest} ({r.reuse:.0%} of this text renders it; {why})",
                }
            )
        if not outlet_wire[aid] and not has_children:
            credited_copy = own_wire and grade == "independent" and reuse >= PEER_WIRE_MIN
            words = int(sum(docs[aid].sizes[i] for i in range(len(docs[aid].sizes)) if i not in boiler[aid]))
            brief = (
                own_wire
                and grade == "independent"
                and words <= BRIEF_WORDS
                and any(m.wire == own_wire and m.kind == "lede" for m in found[aid])
            )
            if brief and own_wire not in formal[aid]:
                ev.append({"kind": "credit", "detail": f"a {words}-word brief whose lede gives the news as "
                           f"{cr.display(own_wire)}'s report"})  # fmt: skip
            if own_wire and (grade != "independent" or own_wire in formal[aid] or credited_copy or brief):
                par, conf = f"wire:{own_wire}", round(0.6 + 0.3 * credit[aid][own_wire], 3)
                if grade == "independent" and own_wire in formal[aid]:  # the wire's text, not own reporting
                    grade = "spun" if spin is not None and spin.score >= spin_mod.SPIN_THRESHOLD else "verbatim"
                    ev.append({"kind": "credit", "detail": f"carries {cr.display(own_wire)}'s credit line or dateline"})
                elif grade == "independent":  # a brief of the wire, or retells what its credited peers carry
                    grade = "light-rewrite"
                    if not brief:
                        ev.append({"kind": "credit", "detail": f"credits {cr.display(own_wire)} and shares {reuse:.0%} "
                                   "of its text with the story's other copies"})  # fmt: skip
            elif top_wire and peers:
                par, conf, grade = _peer_wire(aid, grade, top_wire, ids, rel, credit, parent, ev, par, conf)
        if par:
            parents = [{"id": par, "confidence": conf}]
        ref = peers[0][1] if peers else None
        drafts.append(_Draft(aid, grade, par, conf, parents, ev, spin, reuse, kinds, has_children, ref, 0.0))

    # The grade: the fitted grader's (storyline.provenance.grader) over the evidence the rules use, the
    # rules' own when no grader is in force. The parent and source are chosen as above; a copy the rules
    # left without one goes back to the story's wire as they would have sent it, and own reporting has none.
    out: list[ArticleProvenance] = []
    edges: list[dict[str, Any]] = []
    forest = dict(parent)
    evidence = [
        _features(d, ids, rel, docs, boiler, credit, formal, photo, found, outlet_wire, top_wire, forest, odd, spin_of,
                  union)
        for d in drafts
    ]
    for d, feats in zip(drafts, evidence):
        aid = d.aid
        if outlet_wire[aid]:
            grade, probs, low = d.grade, None, False  # the wire's own page: own reporting by what it is
        else:
            # The source of others that nothing ties to a wire looks like a copy of its own copies: only
            # spin (which has a direction) can tell that it is itself someone's text.
            allowed = ("independent", "spun") if d.has_children and d.par is None else None
            grade, probs, low = grader_mod.decide(feats, d.grade, allowed)
        spin = d.spin
        if d.ref is not None and d.ref != aid and spin is None and grade == "spun":
            spin = spin_of(d.ref, aid)
        if probs is not None:
            note = f"{grade} with probability {probs[grade]:.0%}"
            if low:
                note += " (low confidence)"
            if grade != d.grade:
                note += f"; the grade rules alone say {d.grade}"
            d.ev.append({"kind": "grade", "detail": note})
        if grade == "independent" and d.par is not None and d.grade != "independent":
            if d.in_story:
                roles[(d.par, aid)] = "closest"
                parent.pop(aid, None)
            d.par, d.conf, d.parents = None, 0.0, []
        elif grade != "independent" and d.par is None:
            own_wire = max(credit[aid].items(), key=lambda kv: (kv[1], kv[0]))[0] if credit[aid] else None
            if own_wire:
                d.par, d.conf = f"wire:{own_wire}", round(0.6 + 0.3 * credit[aid][own_wire], 3)
            elif top_wire and d.ref is not None:
                d.par, d.conf, grade = _peer_wire(aid, grade, top_wire, ids, rel, credit, forest, d.ev, None, 0.0,
                                                  keep_grade=True)  # fmt: skip
            if d.par:
                d.parents = [{"id": d.par, "confidence": d.conf}]
        if spin is not None and grade == "spun":
            d.ev.append(_spin_detail(spin))
        ap = ArticleProvenance(
            aid,
            grade,
            d.reuse,
            1 - d.reuse,
            d.par,
            d.parents,
            d.conf,
            d.ev,
            spin.to_json() if spin else None,
            credit[aid],
            d.kinds,
            d.has_children,
        )
        ap.rule_grade = d.grade
        ap.features = feats
        if probs is not None:
            ap.grade_probabilities = probs
            ap.low_confidence = low
        out.append(ap)
        if d.par:
            edges.append({"source": d.par, "target": aid, "grade": grade, "confidence": d.conf})
    _set_sources(out)
    original, in_corpus = _original(ids, parent, credit, outlet_wire, top_wire, times)
    return StoryProvenance(original, in_corpus, wires, out, edges, alignments, roles)


@dataclass(slots=True)
class _Draft:
    """One article as the rules see it, before the grader decides its grade."""

    aid: str
    grade: str  # the rules' grade
    par: str | None
    conf: float
    parents: list[dict[str, Any]]
    ev: list[dict[str, str]]
    spin: SpinEvidence | None
    reuse: float
    kinds: dict[str, float]
    has_children: bool
    ref: str | None  # the article it was compared with: its in-story parent, else its closest peer
    direction: float  # probability that the parent is its source (in-story parents only)

    @property
    def in_story(self) -> bool:
        return self.par is not None and not self.par.startswith("wire:")


def _peer_wire(aid, grade, wire, ids, rel, credit, parent, ev, par, conf, keep_grade=False):
    """An uncredited copy goes back to the story's wire through the peer whose text it shares (or, for
    a loose rewrite, whose story it retells in order): (parent, confidence, grade)."""
    floor = SPUN_MIN if grade == "spun" else PEER_WIRE_MIN  # a spun text is always someone's text
    peer, best = _wire_peer(aid, wire, ids, rel, credit, parent, floor)
    if peer is None and (grade == "independent" or keep_grade):
        peer, best = _rewrite_peer(aid, wire, ids, rel, credit, parent)
        if peer is not None and not keep_grade:
            grade = "light-rewrite"
    if peer is not None:
        par, conf = f"wire:{wire}", round(0.3 + 0.4 * min(1.0, best), 3)
        ev.append(
            {
                "kind": "peers",
                "detail": f"no credit of its own, but {best:.0%} of its text renders {peer}, which goes "
                f"back to {cr.display(wire)}",
            }
        )
    return par, conf, grade


def _span(r: _Rel, da: Doc, db: Doc, boiler_a: set[int], boiler_b: set[int]) -> tuple[float, float, float, int]:
    """Reuse judged on the span the two texts have in common: B's share (all kinds, verbatim) of its text
    from its first to its last linked sentence, A's covered share of its own such span, and the number
    of firm links. A copy cut short, or wrapped in page furniture, is judged on what it carries."""
    firm = [lk for lk in r.al.links if not lk.weak]
    if not firm:
        return 0.0, 0.0, 0.0, 0
    wa, wb = _weights(da), _weights(db)
    bl = {j for lk in firm for j in lk.b}
    bv = {j for lk in firm if lk.kind == "verbatim" for j in lk.b}
    la = {i for lk in firm for i in lk.a}
    tot_b = sum(float(wb[j]) for j in range(min(bl), max(bl) + 1) if j not in boiler_b or j in bl)
    tot_a = sum(float(wa[i]) for i in range(min(la), max(la) + 1) if i not in boiler_a or i in la)
    reuse = sum(float(wb[j]) for j in bl) / max(1e-9, tot_b)
    verb = sum(float(wb[j]) for j in bv) / max(1e-9, tot_b)
    cov = sum(float(wa[i]) for i in la) / max(1e-9, tot_a)
    return min(1.0, reuse), min(1.0, verb), min(1.0, cov), len(firm)


def _features(d: _Draft, ids, rel, docs, boiler, credit, formal, photo, found, outlet_wire, top_wire, parent, odd,
              spin_of, union) -> dict[str, float]:  # fmt: skip
    """The grader's evidence for one article (storyline.provenance.grader.FEATURES)."""
    aid = d.aid
    f: dict[str, float] = dict.fromkeys(grader_mod.FEATURES, 0.0)
    f.update(union[aid])
    f["rule_" + d.grade.replace("-", "_")] = 1.0
    f["has_parent"] = float(d.in_story)
    f["has_children"] = float(d.has_children)
    f["outlet_is_wire"] = float(bool(outlet_wire[aid]))
    f["direction"] = d.direction
    n_sent = len(docs[aid].sentences)
    words = int(sum(docs[aid].sizes[i] for i in range(n_sent) if i not in boiler[aid]))
    f["words"] = math.log1p(words)
    f["boilerplate"] = len(boiler[aid]) / max(1, n_sent)
    if credit[aid]:
        own = max(credit[aid].items(), key=lambda kv: (kv[1], kv[0]))[0]
        f["credit"] = float(credit[aid][own])
        f["credit_lede"] = float(any(m.wire == own and m.kind == "lede" for m in found[aid]))
        f["brief"] = float(words <= BRIEF_WORDS and f["credit_lede"] > 0)
    f["credit_formal"] = float(bool(formal[aid]))
    f["credit_photo"] = float(bool(photo[aid]))
    f["credits_story_wire"] = float(bool(top_wire) and top_wire in credit[aid])
    if d.ref is None or (d.ref, aid) not in rel:
        f["no_ref"] = 1.0
        return f
    r = rel[(d.ref, aid)]
    f.update(reuse=r.reuse, verbatim=r.verbatim, edited=r.edited, paraphrase=r.paraphrase, loose=r.loose,
             covered=r.covered, verbatim_of_reuse=r.verbatim / r.reuse if r.reuse else 0.0)  # fmt: skip

    def spanned(src: str) -> tuple[float, float, float, int]:
        q = rel[(src, aid)]
        sr, sv, sc, n = _span(q, docs[src], docs[aid], boiler[src], boiler[aid])
        w = min(1.0, n / 4)  # a span of one or two links says little: lean on the whole-text shares
        return w * sr + (1 - w) * q.reuse, w * sv + (1 - w) * q.verbatim, w * sc + (1 - w) * q.covered, n

    sr, sv, sc, n = spanned(d.ref)
    f.update(span_reuse=sr, span_verbatim=sv, span_covered=sc, span_verbatim_of_reuse=sv / sr if sr else 0.0,
             span_links=min(10, n) / 10)  # fmt: skip
    sp = spin_of(d.ref, aid)
    back = spin_of(aid, d.ref) if (aid, d.ref) in rel else None
    firm = sum(not lk.weak for lk in r.al.links)
    f.update(spin_score=sp.score, spin_back_score=back.score if back else 0.0, spin_drift=sp.drift,
             spin_rarer=sp.rarer_share, spin_swaps=min(3.0, sp.substitutions / max(1, firm)),
             spin_odd=min(2, len(sp.odd_words)) / 2, spin_fancy=sp.fancy_says, spin_garbled=min(2, len(sp.garbled)) / 2,
             spin_reworded=sp.reworded, spin_kept_rare=sp.kept_rare)  # fmt: skip
    f["ref_order"] = _order(r.al)
    f["shared_odd"] = min(3, len(_shared_odd(d.ref, aid, odd))) / 3
    others = [s for s in ids if s != aid and (s, aid) in rel]
    f["peer_max_verbatim"] = max(rel[(s, aid)].verbatim for s in others)
    f["peer_max_reuse"] = max(rel[(s, aid)].reuse for s in others)
    f["peer_max_loose"] = max(rel[(s, aid)].loose for s in others)
    f["peers_reusing"] = min(3, sum(rel[(s, aid)].reuse >= PARENT_MIN for s in others)) / 3
    f["peer_max_span_verbatim"] = max(spanned(s)[1] for s in others)
    spun = [spin_of(s, aid).score for s in others if rel[(s, aid)].reuse >= SPUN_MIN]
    f["peer_max_spin"] = max(spun, default=0.0)
    if top_wire:
        f["wire_peer_reuse"] = _wire_peer(aid, top_wire, ids, rel, credit, parent, 0.0)[1]
    return f


UNION_GRAMS = (3, 5, 8)  # word n-grams looked up in the union of a story's other articles
UNION_WHOLE = 0.8  # a sentence this much of whose words sit in 5-grams other articles have is found nearly whole
UNION_FOUND = 0.15  # ... and found at all from this share on
_NAME = re.compile(r"(?<![\w])(?:[A-Z][\w'’-]*[a-z][\w'’-]*|[A-Z]{2,}|\d[\d,.]*\d|\d)(?![\w])")


def _names(sentence: str) -> set[str]:
    """Names, acronyms and numbers of a sentence (its capitalised first word left out unless an acronym
    or a number): what a spun copy keeps while it changes the words around them."""
    toks = _NAME.findall(sentence)
    head = sentence.lstrip("\"“‘'( ")
    out = set()
    for k, t in enumerate(toks):
        if k == 0 and head.startswith(t) and not t[0].isdigit() and not t.isupper():
            continue
        out.add(t.lower().replace(",", ""))
    return out


def _union_evidence(ids: list[str], docs: dict[str, Doc], boiler: dict[str, set[int]]) -> dict[str, dict[str, float]]:
    """Each article against the union of the story's other articles (grader features ``union_*``).

    Copies of one source missing from the story are excerpts cut at different places and wrapped in
    different furniture: no single sibling renders all of a copy, but together they carry its word runs.
    Word n-grams (over the whole text, per sentence weighed as every share is) are counted once per
    article in one hashed table per story, so the cost is linear in the story's words, not in its pairs."""
    seqs: dict[str, tuple[tuple[str, ...], np.ndarray]] = {}
    own: dict[str, dict[int, list[int]]] = {}  # each article's n-gram hashes in text order, per n
    df: dict[int, dict[int, int]] = {m: {} for m in UNION_GRAMS}
    ndf: dict[str, int] = {}
    names: dict[str, set[str]] = {}
    for i in ids:
        d = docs[i]
        toks = tuple(w for ws in d.words for w in ws)
        sid = np.repeat(np.arange(len(d.words)), [len(ws) for ws in d.words]).astype(np.int64)
        seqs[i] = (toks, sid)
        own[i] = {}
        for m in UNION_GRAMS:
            grams = [hash(toks[k : k + m]) for k in range(len(toks) - m + 1)]
            own[i][m] = grams
            cnt = df[m]
            for h in set(grams):
                cnt[h] = cnt.get(h, 0) + 1
        names[i] = set().union(*(_names(x) for x in d.sentences)) if d.sentences else set()
        for t in names[i]:
            ndf[t] = ndf.get(t, 0) + 1
    out: dict[str, dict[str, float]] = {}
    for i in ids:
        d = docs[i]
        toks, sid = seqs[i]
        n_sent = len(d.sentences)
        w = _weights(d)
        f: dict[str, float] = {}
        share5 = np.zeros(n_sent)
        keep = np.ones(n_sent, bool)
        for m in sorted(UNION_GRAMS, key=lambda m: m != 5):  # the 5-grams first: they set the furniture mask
            cnt = df[m]
            cov = np.zeros(len(toks), bool)
            for k, h in enumerate(own[i][m]):
                if cnt[h] > 1:
                    cov[k : k + m] = True
            per = np.bincount(sid, weights=cov.astype(float), minlength=n_sent)[:n_sent] if len(toks) else np.zeros(n_sent)
            share = per / np.maximum(d.sizes, 1)
            if m == 5:
                share5 = share
                keep = np.array([k not in boiler[i] or share[k] > 0.5 for k in range(n_sent)], bool)
            tot = float((w * keep).sum())
            f[f"union_{m}"] = float((w * share * keep).sum() / tot) if tot else 0.0
        found = keep & (share5 >= UNION_FOUND)
        whole = keep & (share5 >= UNION_WHOLE)
        if found.any():
            a, b = np.nonzero(found)[0][[0, -1]]
            span = keep.copy()
            span[:a] = False
            span[b + 1 :] = False
            f["union_span"] = float((w * share5 * span).sum() / max(1e-9, (w * span).sum()))
            f["union_whole"] = float((w * whole).sum() / max(1e-9, (w * found).sum()))
            f["union_depth"] = float((w * share5 * found).sum() / max(1e-9, (w * found).sum()))
        else:
            f["union_span"] = f["union_whole"] = f["union_depth"] = 0.0
        peers = max((df[8][h] - 1 for h in own[i][8]), default=0)
        f["union_run_peers"] = min(3, peers) / 3
        nm = names[i]
        f["union_names"] = sum(ndf[t] > 1 for t in nm) / len(nm) if nm else 0.0
        out[i] = f
    return out


def _root(a: ArticleProvenance, prov: StoryProvenance) -> str:
    """The topmost in-story ancestor of ``a`` (``a`` itself without an in-story parent)."""
    node, seen = a, {a.article_id}
    while node.parent and not node.parent.startswith("wire:") and node.parent not in seen:
        seen.add(node.parent)
        node = prov.article(node.parent)
    return node.article_id


def _set_sources(out: list[ArticleProvenance]) -> None:
    """Each article's root: the wire at the top of its chain, the in-story article of own reporting
    it descends from, ``unknown-absent`` for a copy whose source is nowhere named, or ``own``."""
    by = {a.article_id: a for a in out}
    for a in out:
        node, seen = a, {a.article_id}
        while node.parent and not node.parent.startswith("wire:") and node.parent not in seen and node.parent in by:
            seen.add(node.parent)
            node = by[node.parent]
        if node.parent and node.parent.startswith("wire:"):
            a.source = node.parent
        elif node.grade != "independent":
            a.source = "unknown-absent"
        else:
            a.source = "own" if node is a else node.article_id


def _kids(aid: str, parent: dict[str, str]) -> list[str]:
    return sorted(k for k, v in parent.items() if v == aid)


def _wire_copy_of_its_own(src, dst, formal, credit, outlet_wire) -> bool:
    """``dst`` carries a wire's dateline or credit line that ``src`` neither carries nor is: it came
    from the wire, not from ``src``."""
    return any(w not in credit[src] and outlet_wire[src] != w for w in formal[dst])


def _tree_wire(aid, ids, parent, credit, formal, outlet_wire, rel, photo) -> tuple[str | None, str]:
    """The wire an in-story source of others goes back to: its own credit, else the credit its copies
    carry (a copy crediting a wire the source does not name still names the source's source), else
    that of articles crediting a wire that share its text, else the one wire its pictures come from
    (a family of copies that nobody credits is still someone's text; the wire whose photos the
    source of the family runs is the likeliest)."""
    if credit[aid]:
        w = max(credit[aid].items(), key=lambda kv: (kv[1], kv[0]))[0]
        return w, f"credits {cr.display(w)}"
    below: dict[str, float] = {}
    for k in ids:
        if k != aid and _reaches(parent, k, aid):
            for w, s in credit[k].items():
                if outlet_wire[k] != w:
                    below[w] = below.get(w, 0.0) + s + (1.0 if w in formal[k] else 0.0)
    if below:
        w = max(below.items(), key=lambda kv: (kv[1], kv[0]))[0]
        return w, f"no credit of its own, but its copies in this story credit {cr.display(w)}"
    near = [
        (max(rel[(k, aid)].reuse, rel[(aid, k)].reuse), w, k)
        for k in ids
        if k != aid and (k, aid) in rel and not outlet_wire[k]
        for w in formal[k]
    ]
    near = [t for t in near if t[0] >= PEER_WIRE_MIN]
    if not near:
        pics = photo[aid]
        if len(pics) == 1 and not outlet_wire[aid]:
            w = next(iter(pics))
            return w, f"no credit in the text; its copies' source runs {cr.display(w)}'s pictures"
        return None, ""
    share, w, k = max(near)
    return w, f"no credit of its own, but it shares {share:.0%} of its text with {k}, which carries {cr.display(w)}'s credit"


def _root_grade(aid, ids, rel, parent, spin_of, formal):
    """Grade of a source of others that is itself a copy of a missing wire. Its copies are closer to it
    than to each other, so it is the best stand-in for the wire's text: verbatim, unless its words
    drift from its closest copy's the way a spinner's do."""
    kids = [k for k in ids if parent.get(k) == aid]
    closest = max(kids, key=lambda k: (rel[(k, aid)].closeness, k))
    r = rel[(closest, aid)]
    spin = spin_of(closest, aid)
    grade = "spun" if spin.score >= spin_mod.SPIN_THRESHOLD and r.verbatim < VERBATIM_MIN else "verbatim"
    return grade, spin, rel[(aid, closest)].reuse, _kinds(rel[(aid, closest)])


def _verbatim_with_a_peer(aid, ids, rel) -> bool:
    """Whether the text ``aid`` shares with some peer is nearly all verbatim (two copies of a missing
    source as sent share its sentences word for word)."""
    return any(
        r.verbatim >= max(SPUN_MIN, VERBATIM_SHARE * r.reuse)
        for r in (rel[(s, aid)] for s in ids if s != aid and (s, aid) in rel)
    )


REWRITE_LOOSE = 0.35  # a rewrite of a peer's source: this much of its text in (weak or firm) links ...
REWRITE_RUN = 5  # ... that follow the peer's order for at least this many sentences


def _in_order(al: Alignment) -> int:
    """The longest run of links (weak ones too) that keeps A's sentence order in B's."""
    import bisect

    tails: list[int] = []
    for x in [min(lk.a) for lk in sorted(al.links, key=lambda lk: min(lk.b))]:
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
        else:
            tails[k] = x
    return len(tails)


def _rewrite_peer(aid, wire, ids, rel, credit, parent) -> tuple[str | None, float]:
    """A loose rewrite of the wire story a peer goes back to: it tells the peer's story in the peer's
    order (many weak links in sequence), though few of its sentences pass the paraphrase decision."""
    cands = []
    for s in ids:
        if s == aid or (s, aid) not in rel or not (wire in credit[s] or _wire_peer(s, wire, ids, rel, credit, parent,
                                                                                  PEER_WIRE_MIN)[0]):
            continue
        r = rel[(s, aid)]
        if r.loose >= REWRITE_LOOSE and _in_order(r.al) >= REWRITE_RUN:
            cands.append((r.loose, s))
    if not cands:
        return None, 0.0
    best, peer = max(cands)
    return peer, best


def _wire_peer(aid, wire, ids, rel, credit, parent, floor) -> tuple[str | None, float]:
    """The article through which ``aid`` most plausibly goes back to ``wire``: one that credits it,
    or (transitively, over shared text) one that shares text with such an article."""
    reached = {s: 1.0 for s in ids if wire in credit[s] and s not in parent}
    frontier = list(reached)
    while frontier:  # articles sharing enough text with a wire-attributed article are attributed too
        nxt = []
        for s in ids:
            if s in reached or s == aid or s in parent:
                continue
            if any((f, s) in rel and rel[(f, s)].reuse >= PEER_WIRE_MIN for f in frontier):
                reached[s] = 1.0
                nxt.append(s)
        frontier = nxt
    cands = [(rel[(s, aid)].reuse, s) for s in sorted(reached) if s != aid and (s, aid) in rel]
    cands = [c for c in cands if c[0] >= floor]
    if not cands:
        return None, 0.0
    best, peer = max(cands)
    return peer, best


def _odd_forms(arts: Sequence[Article]) -> dict[str, set[str]]:
    """Per article, lowercase word forms English (almost) never uses: typos, odd coinages."""
    from storyline.provenance.lexical import zipf

    out = {}
    for a in arts:
        toks = {t.strip("\"'“”‘’()[],.;:!?") for t in a.text.split()}
        out[a.id] = {t for t in toks if len(t) > 3 and t.isalpha() and t.islower() and zipf(t) < 1.0}
    return out


def _shared_odd(src: str, dst: str, odd: dict[str, set[str]]) -> list[str]:
    """Odd forms that ``src`` and ``dst`` share and no other article of the story has."""
    both = odd[src] & odd[dst]
    if not both:
        return []
    others = set().union(*(v for k, v in odd.items() if k not in (src, dst)))
    return sorted(both - others)


def _clip(text: str, n: int = 90) -> str:
    t = " ".join(text.split())
    return t if len(t) <= n else t[: n - 1] + "…"


def _reaches(parent: dict[str, str], start: str, target: str) -> bool:
    """Whether ``target`` is an ancestor of ``start`` (or ``start`` itself)."""
    node: str | None = start
    seen = set()
    while node is not None and node not in seen:
        if node == target:
            return True
        seen.add(node)
        node = parent.get(node)
    return False


def _sentence_matrix(ids: list[str], docs: dict[str, Doc]):
    """One row of stems per sentence of the story; each article's first row; the stem counts per row."""
    from scipy import sparse

    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    start: dict[str, int] = {}
    n = 0
    for i in ids:
        start[i] = n
        for st in docs[i].stems:
            for s in sorted(st):
                rows.append(n)
                cols.append(vocab.setdefault(s, len(vocab)))
            n += 1
    mat = sparse.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n, max(1, len(vocab))))
    return mat, start, np.asarray(mat.sum(1)).ravel()


def _story_blocks(ids: list[str], docs: dict[str, Doc], pairs=None, matrix=None) -> dict[tuple[str, str], tuple]:
    """Sentence cosine, stem Dice and stem containment for article pairs (every pair, or ``pairs``:
    ``(x, y)`` with ``x < y``), from one sparse product per article against the articles it is paired with
    (``matrix``: the story's :func:`_sentence_matrix`, when already built)."""
    mat, start, size = matrix or _sentence_matrix(ids, docs)
    semantic = all(docs[i].vectors is not None for i in ids)
    if pairs is None:
        pairs = list(itertools.combinations(ids, 2))
    partners: dict[str, list[str]] = {}
    for x, y in pairs:
        partners.setdefault(x, []).append(y)

    out = {}
    mat_t = mat.T.tocsc()
    for x, ys in partners.items():
        rx = slice(start[x], start[x] + len(docs[x].sentences))
        ry = np.concatenate([np.arange(start[y], start[y] + len(docs[y].sentences)) for y in ys])
        ov_all = (mat[rx] @ mat_t[:, ry]).toarray()
        cos_all = docs[x].vectors @ np.concatenate([docs[y].vectors for y in ys]).T if semantic else None
        la = size[rx][:, None]
        k = 0
        for y in ys:
            m = len(docs[y].sentences)
            ov = ov_all[:, k : k + m]
            lb = size[ry[k : k + m]][None, :]
            dice = 2 * ov / np.maximum(la + lb, 1)
            cover = ov / np.maximum(np.minimum(la, lb), 1)
            cos = cos_all[:, k : k + m] if cos_all is not None else np.zeros(ov.shape, np.float32)
            out[(x, y)] = (cos, dice, cover)
            k += m
    return out


def _vector_nearest(ids: list[str], vectors: dict[str, np.ndarray] | None, k: int = 2) -> set[tuple[str, str]]:
    """Each article with its ``k`` nearest by article vector, as ``(x, y)`` pairs with ``x < y`` (none
    without vectors for all)."""
    if not vectors or not all(i in vectors for i in ids):
        return set()
    mat = np.stack([vectors[i] / max(1e-9, float(np.linalg.norm(vectors[i]))) for i in ids])
    sim = mat @ mat.T
    out = set()
    for a, y in enumerate(ids):
        for j in [j for j in np.argsort(-sim[a], kind="stable") if j != a][:k]:
            x = ids[int(j)]
            out.add((min(x, y), max(x, y)))
    return out


def _likely_pairs(ids: list[str], docs: dict[str, Doc], vectors: dict[str, np.ndarray] | None,
                  matrix=None) -> list[tuple[str, str]]:
    """For each article of a large story, the ``CANDIDATES`` others most like it as a whole (stem cosine
    of the whole text, or the cosine of its mean sentence vector, whichever is higher), and its two
    nearest by article vector: the likely sources it is then ranked against, sentence by sentence.
    Linear in the story's size where comparing every pair's sentences is quadratic."""
    from scipy import sparse

    mat, _start, _size = matrix or _sentence_matrix(ids, docs)
    n = len(ids)
    owner = np.repeat(np.arange(n), [len(docs[i].sentences) for i in ids])
    agg = sparse.csr_matrix((np.ones(len(owner), np.float32), (owner, np.arange(len(owner)))),
                            shape=(n, mat.shape[0])) @ mat
    agg = agg.tocsr()
    agg.data = np.log1p(agg.data)
    norms = np.sqrt(np.asarray(agg.multiply(agg).sum(1)).ravel())
    agg = sparse.diags(1.0 / np.maximum(norms, 1e-9)) @ agg
    sim = (agg @ agg.T).toarray()
    if all(docs[i].vectors is not None and len(docs[i].vectors) for i in ids):
        means = np.stack([docs[i].vectors.mean(0) for i in ids])
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-9)
        sim = np.maximum(sim, means @ means.T)
    np.fill_diagonal(sim, 0.0)
    central = sim.sum(1)  # among equal candidates (copies of one text), the one closest to all others first
    np.fill_diagonal(sim, -np.inf)
    keep: set[tuple[str, str]] = set()
    for k in range(n):
        order = np.lexsort((np.arange(n), -central, -np.round(sim[k], 2)))
        for j in order[: min(CANDIDATES, n - 1)]:
            keep.add((ids[min(k, int(j))], ids[max(k, int(j))]))
    return sorted(keep | _vector_nearest(ids, vectors))


def _pairs_to_align(ids: list[str], docs: dict[str, Doc], vectors: dict[str, np.ndarray] | None):
    """Article pairs to align, with their precomputed overlap blocks.

    Small stories: every pair. Larger ones: for each article, the few others
    most of whose sentences it matches closely (sentence cosine or stem
    overlap), plus the nearest by article vector when given; in stories of more
    than ``RANKED_ALL_UP_TO`` articles, only among its likeliest sources as
    whole texts (:func:`_likely_pairs`).
    """
    if len(ids) <= ALL_PAIRS_UP_TO:
        return _story_blocks(ids, docs)
    matrix = _sentence_matrix(ids, docs)
    likely = _likely_pairs(ids, docs, vectors, matrix) if len(ids) > RANKED_ALL_UP_TO else None
    blocks = _story_blocks(ids, docs, likely, matrix)
    if likely is None:
        likely = sorted(blocks)
    quick: dict[tuple[str, str], float] = {}
    for (x, y), (cos, dice, _cover) in blocks.items():
        pre = np.maximum(cos, dice)
        if pre.size == 0:
            quick[(x, y)] = quick[(y, x)] = 0.0
            continue
        wx, wy = _weights(docs[x]), _weights(docs[y])
        quick[(x, y)] = float((pre.max(0) * wy).sum() / max(1e-9, wy.sum()))  # y's sentences found in x
        quick[(y, x)] = float((pre.max(1) * wx).sum() / max(1e-9, wx.sum()))
    keep: set[tuple[str, str]] = set()
    others: dict[str, list[str]] = {}
    for x, y in likely:
        others.setdefault(x, []).append(y)
        others.setdefault(y, []).append(x)
    central = {x: sum(quick[(x, y)] for y in others.get(x, ())) for x in ids}  # breaks ties among copies
    for y in ids:
        ranked = sorted(others.get(y, ()), key=lambda x: (-round(quick[(x, y)], 2), -central[x], x))
        for x in ranked[:NEAREST]:
            keep.add((min(x, y), max(x, y)))
    keep |= _vector_nearest(ids, vectors)
    return {p: blocks[p] for p in sorted(keep)}


def _wire_siblings(src: str, dst: str, credit, outlet_wire) -> bool:
    """Both credit the same wire and neither is that wire: copies of it, not of each other."""
    shared = set(credit[src]) & set(credit[dst])
    return bool(shared) and not ({outlet_wire[src], outlet_wire[dst]} & shared)


def _order(al: Alignment) -> float:
    """Share of consecutive links (in B's order) that keep A's order: 1 for an unshuffled copy."""
    seq = [min(lk.a) for lk in sorted(al.links, key=lambda lk: min(lk.b)) if not lk.weak]
    if len(seq) < 2:
        return 1.0
    return sum(x < y for x, y in itertools.pairwise(seq)) / (len(seq) - 1)


def _centrality(ids: list[str], rel: dict[tuple[str, str], _Rel]) -> dict[str, float]:
    """How well each article explains the others: the common source of many copies explains
    each of them better than any one copy does (copies' own edits and orders are not shared)."""
    out = {}
    for x in ids:
        vals = [
            rel[(x, y)].closeness * (0.5 + 0.5 * _order(rel[(x, y)].al))
            for y in ids
            if y != x and (x, y) in rel and rel[(x, y)].reuse >= PARENT_MIN
        ]
        out[x] = sum(vals) / max(1, len(ids) - 1)
    return out


def _direction(src, dst, r: _Rel, times, credit, outlet_wire, spin_of, n_boiler, cent):
    """Probability that ``src`` is the source of ``dst`` (rather than the reverse), with evidence."""
    z = 0.0
    ev: list[dict[str, str]] = []
    dc = cent[src] - cent[dst]
    z += 10.0 * dc
    if dc >= 0.05:
        ev.append({"kind": "centrality", "detail": f"{src} is closer than this one to the other copies"})
    # Republishers wrap copies in their own page furniture.
    extra = max(-2, min(2, n_boiler[dst] - n_boiler[src]))
    z += 0.6 * extra
    if extra > 0:
        ev.append({"kind": "boilerplate", "detail": f"carries {n_boiler[dst]} lines of page furniture, {src} {n_boiler[src]}"})
    ta, tb = times[src], times[dst]
    if ta and tb:
        hours = (tb - ta).total_seconds() / 3600
        if abs(hours) >= 1 / 60:
            z += 1.4 * math.tanh(hours * 2)
            word = "after" if hours > 0 else "before"
            ev.append({"kind": "time", "detail": f"published {_fmt_hours(hours)} {word} {src}"})
    elif ta and not tb:
        ev.append({"kind": "time", "detail": "no publish time"})
    # Completeness: a copy rarely holds text its source lacks.
    comp = r.own_a - r.own_b
    z += 5.0 * comp
    if abs(comp) >= 0.1:
        if comp > 0:
            ev.append({"kind": "completeness", "detail": f"{src} has {r.own_a:.0%} more text that this one lacks"})
        else:
            ev.append({"kind": "completeness", "detail": f"adds {r.own_b:.0%} of text absent from {src}"})
    # Spinning goes one way: towards rarer words.
    if r.reuse >= REUSE_MIN and r.verbatim < 0.9:
        s_fwd, s_back = spin_of(src, dst), spin_of(dst, src)
        z += 4.0 * (s_fwd.score - s_back.score)
        if s_fwd.score - s_back.score >= 0.3 and s_fwd.score >= spin_mod.SPIN_THRESHOLD:
            ev.append({"kind": "spin", "detail": f"word swaps drift to rarer words relative to {src}"})
    w_src = outlet_wire[src]
    if w_src and w_src in credit[dst]:
        z += 4.0
        ev.append({"kind": "credit", "detail": f"credits {cr.display(w_src)}, the outlet of {src}"})
    w_dst = outlet_wire[dst]
    if w_dst and w_dst in credit[src]:
        z -= 4.0
    return _sigmoid(z), ev


def _grade(r: _Rel, spin: SpinEvidence, spun_min: float = REUSE_MIN) -> tuple[str, SpinEvidence]:
    if r.reuse >= spun_min and r.verbatim < VERBATIM_MIN and spin.score >= spin_mod.SPIN_THRESHOLD:
        return "spun", spin
    if r.reuse < REUSE_MIN:
        return "independent", spin
    if r.verbatim >= VERBATIM_SHARE * max(r.reuse, REUSE_MIN):
        return "verbatim", spin
    return "light-rewrite", spin


def _kinds(r: _Rel) -> dict[str, float]:
    return {"verbatim": r.verbatim, "edited": r.edited, "paraphrase": r.paraphrase}


def _reuse_evidence(src: str, r: _Rel) -> dict[str, str]:
    parts = [f"{r.verbatim:.0%} verbatim"]
    if r.edited >= 0.01:
        parts.append(f"{r.edited:.0%} edited")
    if r.paraphrase >= 0.01:
        parts.append(f"{r.paraphrase:.0%} paraphrased")
    return {
        "kind": "reuse",
        "detail": f"{r.reuse:.0%} of its text renders {src} ({', '.join(parts)}); covers {r.covered:.0%} of {src}",
    }


def _spin_detail(spin: SpinEvidence) -> dict[str, str]:
    bits = []
    if spin.substitutions:
        bits.append(
            f"{spin.substitutions} word swaps in matching sentences, {spin.rarer_share:.0%} towards rarer "
            f"words (mean {spin.drift:+.2f} Zipf)"
        )
    if spin.odd_words:
        bits.append("odd word forms: " + ", ".join(spin.odd_words[:5]))
    if spin.fancy_says >= 0.3:
        bits.append(f"'said' avoided ({spin.fancy_says:.0%} of reporting verbs are 'stated'-style)")
    return {"kind": "spin", "detail": "; ".join(bits) or "spin features above threshold"}


def _story_wires(ids, credit, found, outlet_wire) -> list[dict[str, Any]]:
    score: dict[str, float] = {}
    by: dict[str, list[str]] = {}
    for i in ids:
        for w, s in credit[i].items():
            score[w] = score.get(w, 0.0) + s
            by.setdefault(w, []).append(i)
        if outlet_wire[i]:
            score[outlet_wire[i]] = score.get(outlet_wire[i], 0.0) + 1.0
            by.setdefault(outlet_wire[i], []).append(i)
    out = [
        {"wire": w, "name": cr.display(w), "credited_by": sorted(set(by[w])), "score": round(s, 3)}
        for w, s in score.items()
    ]
    out.sort(key=lambda d: (-d["score"], d["wire"]))
    return out


def _original(ids, parent, credit, outlet_wire, top_wire, times) -> tuple[str | None, bool]:
    children: dict[str, int] = {}
    for i in ids:
        node = parent.get(i)
        seen = set()
        while node is not None and node not in seen:
            children[node] = children.get(node, 0) + 1
            seen.add(node)
            node = parent.get(node)
    roots = [i for i in ids if i not in parent and children.get(i, 0) > 0]
    if roots:
        far = datetime.max.replace(tzinfo=timezone.utc)
        best = min(roots, key=lambda i: (-children[i], times[i] or far, i))
        if outlet_wire[best] or not credit[best]:
            return best, True
        return f"wire:{max(credit[best].items(), key=lambda kv: (kv[1], kv[0]))[0]}", False
    for i in ids:
        if outlet_wire[i]:
            return i, True
    if top_wire:
        return f"wire:{top_wire}", False
    return None, False

