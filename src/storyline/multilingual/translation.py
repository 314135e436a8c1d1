"""Translated copies: the fifth reuse grade, ``translation``, and sentences aligned across languages.

Two reports of one event in two languages share facts and names; a translation
also keeps its source's sentences, one for one and in order. So each sentence of
the later article is aligned with its most similar sentence of the candidate
source by multilingual-e5-small cosine, and the alignments kept are the
confident ones (cosine >= :data:`SENTENCE_MIN`, numbers not contradicting) that
run in the source's order (longest increasing chain). An article whose kept
alignments (at least :data:`MIN_ALIGNED`) cover at least :data:`TRANSLATION_SHARE`
of its words, and of its source's, is graded ``translation`` of it.

The same alignments serve the digest: a story's sentences not in English shown
beside their English counterparts (:func:`english_counterparts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storyline.model import Article
from storyline.multilingual import embed
from storyline.multilingual.lang import is_english
from storyline.multilingual.scripts import numbers

GRADE = "translation"
SENTENCE_MIN = 0.88  # e5 cosine of a sentence and its translation; two sentences on one event score lower
TRANSLATION_SHARE = 0.7  # share of the words (each side) in kept alignments
MIN_ALIGNED = 4  # fewer sentences than this prove nothing: briefs of one event say the same few things
COUNTERPART_MIN = 0.85  # looser, for showing an English sentence beside one in another language
MAX_SENTENCES = 80


@dataclass
class Aligned:
    """Sentence i of article a with sentence j of article b, their cosine."""

    a: int
    b: int
    cosine: float


@dataclass
class TranslationEvidence:
    source: str
    target: str
    share_target: float  # words of the target in kept alignments
    share_source: float
    pairs: list[Aligned] = field(default_factory=list)

    @property
    def is_translation(self) -> bool:
        return len(self.pairs) >= MIN_ALIGNED and min(self.share_target, self.share_source) >= TRANSLATION_SHARE

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "share_target": round(self.share_target, 3),
                "share_source": round(self.share_source, 3), "aligned": len(self.pairs)}


def _sentences(a: Article) -> list[str]:
    from storyline.provenance.sentences import split_sentences

    sents = ([a.title] if a.title else []) + split_sentences(a.text)
    return [s for s in sents if s.strip()][:MAX_SENTENCES]


def _chain(cands: list[Aligned]) -> list[Aligned]:
    """The longest run of alignments increasing in both articles (kept in the target's order)."""
    if not cands:
        return []
    cands = sorted(cands, key=lambda x: x.a)
    best = [1] * len(cands)
    back = [-1] * len(cands)
    for i, x in enumerate(cands):
        for j in range(i):
            if cands[j].b < x.b and cands[j].a < x.a and best[j] + 1 > best[i]:
                best[i], back[i] = best[j] + 1, j
    i = int(np.argmax(best))
    out = []
    while i >= 0:
        out.append(cands[i])
        i = back[i]
    return out[::-1]


def align(sa: list[str], sb: list[str], va: np.ndarray, vb: np.ndarray, minimum: float) -> list[Aligned]:
    """Sentence i of A to its best sentence of B, where confident and numbers agree, in order."""
    if not len(sa) or not len(sb):
        return []
    S = va @ vb.T
    cands = []
    for i in range(len(sa)):
        j = int(np.argmax(S[i]))
        if S[i, j] < minimum:
            continue
        na, nb = numbers(sa[i]), numbers(sb[j])
        if na and nb and not (na & nb):
            continue
        cands.append(Aligned(i, j, float(S[i, j])))
    return _chain(cands)


def _words(s: str) -> int:
    return max(1, len(s.split()))


def evidence(source: Article, target: Article, vectors: dict[str, np.ndarray] | None = None) -> TranslationEvidence:
    """How much of ``target`` is ``source``'s sentences translated (alignment from target to source)."""
    st, ss = _sentences(target), _sentences(source)
    vt, vs = _vectors(st, vectors), _vectors(ss, vectors)
    kept = align(st, ss, vt, vs, SENTENCE_MIN)
    wt = sum(_words(s) for s in st) or 1
    ws = sum(_words(s) for s in ss) or 1
    return TranslationEvidence(source.id, target.id, sum(_words(st[x.a]) for x in kept) / wt,
                               sum(_words(ss[x.b]) for x in kept) / ws, kept)


def _vectors(sents: list[str], cache: dict[str, np.ndarray] | None) -> np.ndarray:
    if cache is None:
        return embed.encode(sents)
    need = [s for s in sents if s not in cache]
    if need:
        cache.update(zip(need, embed.encode(need)))
    return np.stack([cache[s] for s in sents]) if sents else np.zeros((0, embed.DIM), dtype=np.float32)


def _time(a: Article) -> str:
    return a.published or ""


def find_translations(articles: Sequence[Article]) -> dict[str, TranslationEvidence]:
    """Per article of the story that is a translation of another one in it: the evidence.

    The source is the earlier article (undated ones may be either) in another
    language with the most aligned words; an article in the story's only language
    has none. Without the multilingual extra nothing is found.
    """
    langs = {a.id: (a.lang or "en").split("-")[0] for a in articles}
    if len(set(langs.values())) < 2 or not embed.available():
        return {}
    cache: dict[str, np.ndarray] = {}
    out: dict[str, TranslationEvidence] = {}
    for t in articles:
        best = None
        for s in articles:
            if s.id == t.id or langs[s.id] == langs[t.id]:
                continue
            if _time(s) and _time(t) and _time(s) > _time(t):
                continue
            ev = evidence(s, t, cache)
            if ev.is_translation and (best is None or ev.share_target > best.share_target):
                best = ev
        if best is not None:
            out[t.id] = best
    # two undated copies of each other: one direction only, the English one (else the lower id) the source
    for tid in sorted(out):
        ev = out.get(tid)
        back = out.get(ev.source) if ev is not None else None
        if back is not None and back.source == tid:
            source_first = is_english(langs[ev.source]) or (not is_english(langs[tid]) and ev.source < tid)
            out.pop(ev.source if source_first else tid)
    return out


def regrade(prov: Any, articles: Sequence[Article]) -> Any:
    """Grade each translated copy ``translation`` of its source in a story's provenance (in place)."""
    found = find_translations(articles)
    if not found:
        return prov
    for ap in prov.articles:
        ev = found.get(ap.article_id)
        if ev is None:
            continue
        ap.grade = GRADE
        ap.parent = ev.source
        ap.parents = [{"id": ev.source, "confidence": round(ev.share_target, 3)}]
        ap.confidence = round(ev.share_target, 3)
        ap.reused_share = ev.share_target
        ap.own_share = 1.0 - ev.share_target
        ap.evidence = [{"kind": GRADE, "detail": f"translation of {ev.source}: {len(ev.pairs)} sentences "
                        f"aligned in order ({ev.share_target:.0%} of its words)"}, *ap.evidence]
        if hasattr(ap, "source"):  # the root it derives from: its source's root, else its source
            src = next((x for x in prov.articles if x.article_id == ev.source), None)
            ap.source = src.source if src is not None and getattr(src, "source", "own") != "own" else ev.source
    edges = [e for e in prov.edges if e.get("target") not in found]
    edges += [{"source": ev.source, "target": tid, "grade": GRADE, "confidence": round(ev.share_target, 3)}
              for tid, ev in sorted(found.items())]
    prov.edges = edges
    return prov


def english_counterparts(articles: Sequence[Article], limit: int = 40) -> list[dict[str, Any]]:
    """Sentences of the story not in English, each with its closest English sentence in the story."""
    eng = [a for a in articles if is_english(a.lang)]
    other = [a for a in articles if not is_english(a.lang)]
    if not eng or not other or not embed.available():
        return []
    es = [(a.id, s) for a in eng for s in _sentences(a)]
    os_ = [(a.id, a.lang, s) for a in other for s in _sentences(a)]
    cache: dict[str, np.ndarray] = {}
    ve = _vectors([s for _, s in es], cache)
    vo = _vectors([s for _, _, s in os_], cache)
    S = vo @ ve.T
    out = []
    for i in np.argsort(-S.max(axis=1)).tolist():
        j = int(np.argmax(S[i]))
        if S[i, j] < COUNTERPART_MIN or len(out) >= limit:
            break
        aid, lang, s = os_[i]
        out.append({"article_id": aid, "lang": lang, "text": s, "english": es[j][1],
                    "english_article_id": es[j][0], "cosine": round(float(S[i, j]), 3)})
    return out
