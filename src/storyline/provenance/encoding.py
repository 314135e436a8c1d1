"""Sentence and word vectors from one MiniLM pass, cached per sentence.

The sentence vector is the same mean-pooled, L2-normalised vector as
:func:`storyline.embed.encode`. The word vectors (contextual token states,
word pieces averaged, content words only) let the paraphrase decision see
*which* words of a sentence have no counterpart in the other one: that, more
than the overall cosine, is what separates "same statement" from "same topic
plus one extra fact".
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from storyline.provenance.lexical import rarity
from storyline.provenance.sentences import STOPWORDS

DIM = 384
MAX_TOKENS = 64


@dataclass(slots=True, frozen=True)
class Encoded:
    """One sentence: its vector and its content words' vectors and rarity weights."""

    vector: np.ndarray  # (DIM,)
    words: tuple[str, ...]
    word_vectors: np.ndarray  # (len(words), DIM), rows L2-normalised
    rarity: np.ndarray  # (len(words),)


_CACHE: dict[str, Encoded] = {}
_LOCK = threading.Lock()
_CACHE_MAX = 100_000


def _empty() -> Encoded:
    return Encoded(np.zeros(DIM, np.float32), (), np.zeros((0, DIM), np.float32), np.zeros(0))


def _run(sentences: list[str], batch_size: int = 32) -> list[Encoded]:
    from storyline import embed

    tok, sess = embed._model(embed.default_device())
    with embed._LOCK:  # the tokenizer's truncation settings are shared state
        tok.enable_truncation(MAX_TOKENS)
        tok.no_padding()
        encs = tok.encode_batch([s if s else " " for s in sentences])
    out: list[Encoded | None] = [None] * len(sentences)
    order = np.argsort([len(e.ids) for e in encs], kind="stable")
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            e = encs[i].ids
            ids[row, : len(e)] = e
            mask[row, : len(e)] = 1
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        for row, i in enumerate(idx):
            n = int(mask[row].sum())
            h = hidden[row, :n].astype(np.float32)
            vec = h.mean(0)
            vec /= max(float(np.linalg.norm(vec)), 1e-12)
            out[i] = _words(encs[i].tokens[1 : n - 1], h[1 : n - 1], vec)
    return [o if o is not None else _empty() for o in out]


def _words(pieces: list[str], states: np.ndarray, vec: np.ndarray) -> Encoded:
    """Join word pieces into words, keep content words, average their states."""
    ws: list[str] = []
    groups: list[list[int]] = []
    for k, p in enumerate(pieces):
        if p.startswith("##") and ws:
            ws[-1] += p[2:]
            groups[-1].append(k)
        else:
            ws.append(p)
            groups.append([k])
    keep = [k for k, w in enumerate(ws) if w.isalnum() and w not in STOPWORDS]
    if not keep:
        return Encoded(vec, (), np.zeros((0, DIM), np.float32), np.zeros(0))
    wv = np.stack([states[groups[k]].mean(0) for k in keep])
    wv /= np.maximum(np.linalg.norm(wv, axis=1, keepdims=True), 1e-12)
    words = tuple(ws[k] for k in keep)
    return Encoded(vec, words, wv.astype(np.float32), np.array([rarity(w) for w in words]))


def encode_sentences(sentences: Sequence[str]) -> list[Encoded]:
    """Encode sentences (cached per text). Unseen ones are encoded in sorted order, so
    results never depend on the order or company in which sentences arrive."""
    with _LOCK:
        missing = sorted({s for s in sentences if s not in _CACHE})
    if missing:
        done = _run(missing)
        with _LOCK:
            if len(_CACHE) + len(missing) > _CACHE_MAX:
                _CACHE.clear()
            _CACHE.update(zip(missing, done))
    with _LOCK:
        return [_CACHE[s] for s in sentences]


def sentence_vectors(sentences: Sequence[str]) -> np.ndarray:
    """(n, DIM) matrix of sentence vectors."""
    if not sentences:
        return np.zeros((0, DIM), np.float32)
    return np.stack([e.vector for e in encode_sentences(sentences)])
