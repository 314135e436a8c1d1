"""Sentence alignment between two articles.

Which sentence of B renders which sentence of A: verbatim, edited (same words
in the same order with changes) or paraphrased; robust to reordering (links
are found by content, not position), to splitting and merging (an unlinked
sentence joins a link when its words are contained in the other side of it)
and to synonym substitution (contextual word vectors and sentence cosine).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from storyline.model import Article
from storyline.provenance import paraphrase as para
from storyline.provenance.credits import strip_dateline
from storyline.provenance.encoding import DIM, Encoded, encode_sentences
from storyline.provenance.lexical import content, lcs_len
from storyline.provenance.sentences import split_sentences, stem, words

KINDS = ("verbatim", "edited", "paraphrase")

# A pair is linked when the paraphrase decision says so, or when one sentence is
# (lexically or, through word vectors, semantically) contained in the other:
# a trimmed or split sentence is reuse even though MRPC would not call it a paraphrase.
CONTAIN_LEXICAL = 0.75
CONTAIN_SOFT = 0.80
CONTAIN_MIN_WORDS = 4
CANDIDATES_PER_SENTENCE = 2
MUTUAL_COSINE = 0.55  # mutual best matches at least this close (and sharing content words) are linked
MUTUAL_DICE = 0.2
VERBATIM_LCS = 0.97  # of the longer side: tokenisation noise only
EDITED_LCS = 0.5


@dataclass(slots=True)
class Doc:
    """An article prepared for alignment: sentences and their word-level views."""

    id: str
    sentences: list[str]
    words: list[tuple[str, ...]]
    stems: list[frozenset[str]]
    keys: list[str]
    sizes: np.ndarray  # words per sentence: the unit of every share
    quoted: np.ndarray  # share of each sentence's words inside quotation marks
    enc: list[Encoded] | None = None
    vectors: np.ndarray | None = None

    @property
    def total(self) -> int:
        return int(self.sizes.sum())


def prepare(article_id: str, sentences: Sequence[str], semantic: bool = True) -> Doc:
    """Build the alignment view of a list of sentences (encodes them when ``semantic``)."""
    sents = [s for s in sentences if s.strip()]
    ws = [words(strip_dateline(s)) for s in sents]  # "LONDON (AP) — " is the copy's, not the text's
    doc = Doc(
        id=article_id,
        sentences=sents,
        words=ws,
        stems=[frozenset(stem(w) for w in content(x)) for x in ws],
        keys=[" ".join(x) for x in ws],
        sizes=np.array([max(1, len(x)) for x in ws], dtype=np.int64),
        quoted=quoted_shares(sents),
    )
    if semantic:
        doc.enc = encode_sentences(sents)
        doc.vectors = np.stack([e.vector for e in doc.enc]) if sents else np.zeros((0, DIM), np.float32)
    return doc


_OPEN, _CLOSE, _BOTH = "“«", "”»", '"'


def quoted_shares(sentences: Sequence[str]) -> np.ndarray:
    """Share of each sentence's characters that sit inside quotation marks.

    Quotes run across sentences (a quote opened in one sentence and closed two
    sentences later), so the state is carried from sentence to sentence; a
    paragraph break is not seen here, so an unclosed quote ends with the
    sentence that has no closing mark and starts with no opening one.
    """
    out = np.zeros(len(sentences))
    inside = False
    for k, s in enumerate(sentences):
        if inside and not _closes_soon(sentences, k):
            inside = False  # an unclosed quote: do not let it swallow the article
        if not inside and any(c in s for c in _CLOSE) and not any(c in s for c in _OPEN):
            inside = True  # a quote continued from before: it closes in this sentence
        q = n = 0
        for c in s:
            if c in _OPEN or (c == _BOTH and not inside):
                inside = True
                continue
            if c in _CLOSE or (c == _BOTH and inside):
                inside = False
                continue
            if not c.isspace():
                n += 1
                q += inside
        out[k] = q / n if n else 0.0
    return out


def _closes_soon(sentences: Sequence[str], k: int, window: int = 3) -> bool:
    """Whether a closing quotation mark comes (before any opening one) within a few sentences."""
    for s in sentences[k : k + window]:
        for c in s:
            if c in _CLOSE or c == _BOTH:
                return True
            if c in _OPEN:
                return False
    return False


def article_sentences(article: Article) -> list[str]:
    return split_sentences(article.text)


@dataclass(slots=True)
class Link:
    """Sentences ``a`` of article A and ``b`` of article B that say the same thing."""

    a: list[int]
    b: list[int]
    kind: str
    score: float
    weak: bool = False  # a mutual best match below the paraphrase decision: shown, not counted as reuse

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"a": self.a, "b": self.b, "kind": self.kind, "score": round(float(self.score), 3)}
        if self.weak:
            d["weak"] = True
        return d


@dataclass(slots=True)
class Alignment:
    """The sentence links between two articles, and the sentences they index."""

    a_id: str
    b_id: str
    a_sentences: list[str]
    b_sentences: list[str]
    links: list[Link] = field(default_factory=list)
    a_sizes: list[int] = field(default_factory=list)
    b_sizes: list[int] = field(default_factory=list)

    def share(self, side: str = "b", kinds: Sequence[str] = KINDS, weak: bool = False) -> float:
        """Share of one side's words (``"a"`` or ``"b"``) in links of the given kinds
        (weak links only when ``weak``)."""
        sizes = self.b_sizes if side == "b" else self.a_sizes
        total = sum(sizes)
        if not total:
            return 0.0
        seen: set[int] = set()
        for link in self.links:
            if link.kind in kinds and (weak or not link.weak):
                seen.update(link.b if side == "b" else link.a)
        return sum(sizes[i] for i in seen) / total

    def mirrored(self) -> Alignment:
        """The same alignment seen from B."""
        return Alignment(
            self.b_id,
            self.a_id,
            self.b_sentences,
            self.a_sentences,
            [Link(lk.b, lk.a, lk.kind, lk.score, lk.weak) for lk in self.links],
            self.b_sizes,
            self.a_sizes,
        )

    def to_json(self, sentences: bool = True) -> dict[str, Any]:
        d: dict[str, Any] = {"a": self.a_id, "b": self.b_id, "links": [lk.to_json() for lk in self.links]}
        if sentences:
            d["a_sentences"] = self.a_sentences
            d["b_sentences"] = self.b_sentences
        return d


def _link_kind(wa: Sequence[str], wb: Sequence[str]) -> str:
    """verbatim: the same words (up to tokenisation noise); edited: mostly the same words in the
    same order, some changed, added or cut; paraphrase: the rest."""
    lcs = lcs_len(wa, wb)
    long_ = max(len(wa), len(wb))
    if long_ and lcs >= VERBATIM_LCS * long_:
        return "verbatim"
    if long_ and lcs >= EDITED_LCS * long_:
        return "edited"
    return "paraphrase"


def _cover(small: frozenset[str], big: frozenset[str]) -> float:
    return len(small & big) / len(small) if small else 0.0


def _soft_cover(e_small: Encoded, e_big: Encoded) -> float:
    """Rarity-weighted share of ``e_small``'s content words that have a close counterpart in ``e_big``."""
    if not e_small.words or not e_big.words:
        return 0.0
    best = (e_small.word_vectors @ e_big.word_vectors.T).max(1)
    return float((e_small.rarity * (best >= 0.7)).sum() / e_small.rarity.sum())


def overlap_blocks(da: Doc, db: Doc) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentence cosine, stem Dice and stem containment (of the smaller set) for all pairs."""
    n, m = len(da.sentences), len(db.sentences)
    vocab: dict[str, int] = {}
    for st in da.stems + db.stems:
        for s in st:
            vocab.setdefault(s, len(vocab))
    ma = np.zeros((n, max(1, len(vocab))), np.float32)
    mb = np.zeros((m, max(1, len(vocab))), np.float32)
    for i, st in enumerate(da.stems):
        ma[i, [vocab[s] for s in st]] = 1
    for j, st in enumerate(db.stems):
        mb[j, [vocab[s] for s in st]] = 1
    overlap = ma @ mb.T
    la, lb = ma.sum(1)[:, None], mb.sum(1)[None, :]
    dice = 2 * overlap / np.maximum(la + lb, 1)
    cover = overlap / np.maximum(np.minimum(la, lb), 1)
    if da.vectors is not None and db.vectors is not None and n and m:
        cos = da.vectors @ db.vectors.T
    else:
        cos = np.zeros((n, m), np.float32)
    return cos, dice, cover


def _candidates(
    cos: np.ndarray, dice: np.ndarray, cover: np.ndarray, done_a: set[int], done_b: set[int]
) -> list[tuple[int, int]]:
    """Sentence pairs worth scoring: each open sentence's best few by cosine plus overlap."""
    n, m = cos.shape
    pre = cos + dice
    if done_a:
        pre[sorted(done_a), :] = -9
    if done_b:
        pre[:, sorted(done_b)] = -9
    keep = np.zeros((n, m), bool)
    k = CANDIDATES_PER_SENTENCE
    top = np.argsort(-pre, axis=1, kind="stable")[:, :k]
    keep[np.arange(n)[:, None], top] = True
    top = np.argsort(-pre, axis=0, kind="stable")[:k, :]
    keep[top, np.arange(m)[None, :]] = True
    keep &= pre > -1
    keep &= (cos >= 0.5) | (dice >= 0.3) | (cover >= 0.5)
    return [(int(i), int(j)) for i, j in zip(*np.nonzero(keep))]


def align_docs(
    da: Doc, db: Doc, blocks: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
) -> Alignment:
    """Align two prepared articles (see :func:`align`); ``blocks`` may carry precomputed
    :func:`overlap_blocks`."""
    al = Alignment(da.id, db.id, da.sentences, db.sentences, [], da.sizes.tolist(), db.sizes.tolist())
    n, m = len(da.sentences), len(db.sentences)
    if not n or not m:
        return al
    semantic = da.enc is not None and db.enc is not None
    prob: dict[tuple[int, int], float] = {}
    index: dict[str, list[int]] = {}
    for i, key in enumerate(da.keys):
        index.setdefault(key, []).append(i)
    used_a: set[int] = set()
    used_b: set[int] = set()
    for j, key in enumerate(db.keys):
        for i in index.get(key, ()):
            if i not in used_a:
                prob[(i, j)] = 1.0
                used_a.add(i)
                used_b.add(j)
                break
    cos, dice, cover = blocks if blocks is not None else overlap_blocks(da, db)
    pairs = _candidates(cos, dice, cover, used_a, used_b)
    contained: set[tuple[int, int]] = set()
    if pairs and semantic:
        x = para.feature_matrix(
            [da.sentences[i] for i, _ in pairs],
            [db.sentences[j] for _, j in pairs],
            [da.enc[i] for i, _ in pairs],
            [db.enc[j] for _, j in pairs],
        )
        for (i, j), p in zip(pairs, para.score_features(x)):
            prob[(i, j)] = float(p)
    for i, j in pairs:
        wa, wb = da.words[i], db.words[j]
        short = min(len(da.stems[i]), len(db.stems[j]))
        if short < CONTAIN_MIN_WORDS:
            continue
        lex = lcs_len(wa, wb) / max(1, min(len(wa), len(wb)))
        soft = 0.0
        if semantic and cos[i, j] >= 0.5 and lex < CONTAIN_LEXICAL:
            small, big = (da.enc[i], db.enc[j]) if len(da.stems[i]) <= len(db.stems[j]) else (db.enc[j], da.enc[i])
            soft = _soft_cover(small, big)
        if lex >= CONTAIN_LEXICAL or soft >= CONTAIN_SOFT:
            contained.add((i, j))
            prob[(i, j)] = max(prob.get((i, j), 0.0), 0.5 + 0.49 * max(lex, soft))
        elif not semantic:
            prob[(i, j)] = max(prob.get((i, j), 0.0), 0.9 * lex)
    thr = para.PARAPHRASE_THRESHOLD
    order = sorted(prob.items(), key=lambda kv: (-kv[1], kv[0]))
    a_link: dict[int, int] = {}
    b_link: dict[int, int] = {}
    groups: list[tuple[list[int], list[int], float, bool]] = []  # a side, b side, score, weak
    for (i, j), p in order:
        if p < thr and (i, j) not in contained:
            continue
        if i in a_link or j in b_link:
            continue
        a_link[i] = b_link[j] = len(groups)
        groups.append(([i], [j], p, False))
    # Mutual nearest neighbours that share content: heavy rewrites (spinning, garbled syntax) that
    # the paraphrase decision misses but that no other sentence explains better.
    if semantic:
        best_a = np.argmax(cos, axis=0)  # for each j, the best i
        best_b = np.argmax(cos, axis=1)
        for j in range(m):
            i = int(best_a[j])
            if (
                j in b_link
                or i in a_link
                or int(best_b[i]) != j
                or cos[i, j] < MUTUAL_COSINE
                or dice[i, j] < MUTUAL_DICE
            ):
                continue
            a_link[i] = b_link[j] = len(groups)
            groups.append(([i], [j], prob.get((i, j), 0.0), True))
    # Splits and merges: an unlinked sentence whose words sit inside a linked one joins its link.
    for j in range(m):
        if j in b_link or len(db.stems[j]) < CONTAIN_MIN_WORDS:
            continue
        best = max(((cover[i, j], i) for i in a_link), default=(0.0, -1))
        if best[0] >= CONTAIN_LEXICAL and _cover(db.stems[j], da.stems[best[1]]) >= CONTAIN_LEXICAL:
            g = a_link[best[1]]
            groups[g][1].append(j)
            b_link[j] = g
    for i in range(n):
        if i in a_link or len(da.stems[i]) < CONTAIN_MIN_WORDS:
            continue
        best = max(((cover[i, j], j) for j in b_link), default=(0.0, -1))
        if best[0] >= CONTAIN_LEXICAL and _cover(da.stems[i], db.stems[best[1]]) >= CONTAIN_LEXICAL:
            g = b_link[best[1]]
            groups[g][0].append(i)
            a_link[i] = g
    for ia, jb, p, weak in groups:
        base = _link_kind(da.words[ia[0]], db.words[jb[0]])  # the pair first linked, before any joined
        ia, jb = sorted(ia), sorted(jb)
        wa = [w for i in ia for w in da.words[i]]
        wb = [w for j in jb for w in db.words[j]]
        # a joined piece (a split sentence, or a caption line inside it) cannot make the pair less alike
        kind = min(base, _link_kind(wa, wb), key=KINDS.index)
        al.links.append(Link(ia, jb, "paraphrase" if weak else kind, p, weak))
    al.links.sort(key=lambda lk: (lk.b[0], lk.a[0]))
    return al


def align(a: Article, b: Article, semantic: bool = True) -> Alignment:
    """Align the sentences of two articles.

    ``Alignment.links`` lists ``{a: [sentence idx...], b: [...], kind, score}``
    with kind ``verbatim``, ``edited`` or ``paraphrase``; shares of either side
    come from :meth:`Alignment.share`. ``semantic=False`` skips the embedder
    (verbatim and edited links only).
    """
    return align_docs(
        prepare(a.id, article_sentences(a), semantic), prepare(b.id, article_sentences(b), semantic)
    )

