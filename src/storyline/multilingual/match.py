"""Candidates and the pair decision for pairs that involve an article not in English.

The English matcher (MiniLM, English TF-IDF and entity rules, a pair model fitted
on ECB+) keeps every pair of two English articles. A pair with an article in
another language is decided here instead:

* candidates: each such article's nearest neighbours among all articles by
  multilingual-e5-small cosine (title and lede), plus the English cascade's own
  candidates that involve it, minus pairs published more than ``window_days``
  apart;
* features (:data:`FEATURES`): the e5 cosine, whether both are in one language
  (e5 cosines within a language run higher than across), names shared across
  scripts (:func:`storyline.multilingual.scripts.name_keys`), numbers shared in
  any script, the days between them, and whether the headlines' and ledes'
  figures agree or conflict (:func:`storyline.verify.features.figures`: "50 basis
  points" = "0,5 Prozentpunkte"), and the names the two share or one's headline
  has that the other's head lacks, each weighed by how rare it is in the run
  (:func:`rarity`: a storm's or a town's name tells two same-kind events apart);
* a logistic decision whose weights are fitted on labelled multilingual coverage
  (``bench/fit_crosslang.py --write``, stored in ``pair_model.json``), its log-odds
  scaled and shifted to suit the clustering (a scale below 1: whom each article
  ranks first among its candidates decides more than the probabilities' level;
  ``calibration_scale`` and ``calibration_shift`` there, folded into the weights).

Pairs the English cascade found to be copies (probability 1.0: identical text or
shingle containment) stay certain.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from storyline.model import Article
from storyline.multilingual import embed
from storyline.multilingual.lang import is_english
from storyline.multilingual.scripts import name_keys, numbers
from storyline.verify.features import figures, percentages

log = logging.getLogger(__name__)

FEATURES = ("cosine", "same_language", "cosine_same_language", "names", "numbers", "day_gap", "dated",
            "figures_conflict", "figures_shared", "percent_conflict", "percent_shared", "relative_cosine",
            "relative_cosine_min", "rare_names", "headline_names_missing")
MODEL_PATH = Path(__file__).with_name("pair_model.json")
NEIGHBOURS = 50  # e5 neighbours per article (10 found 67% of the same-story pairs of the same-kind set; docs/benchmarks.md)
MIN_COSINE = 0.78
HEAD_CHARS = 600
MAX_GAP = 7.0  # days; the feature saturates here (the window drops pairs further apart)


def head(a: Article) -> str:
    return f"{a.headline}\n{a.text[:HEAD_CHARS]}" if a.headline else a.text[:HEAD_CHARS]


def routed(articles: Sequence[Article]) -> np.ndarray:
    """Which articles the English matcher does not decide for: those in another language."""
    return np.array([not is_english(a.lang) for a in articles], dtype=bool)


@dataclass
class Signals:
    """What the features read, per article."""

    vectors: np.ndarray
    langs: list[str]
    names: list[frozenset[str]]
    numbers: list[frozenset[str]]
    days: np.ndarray  # the day each is placed on (NaN: not on a day; read from ``window``)
    figures: list[frozenset[str]]  # the headline's and lede's figures, one writing in any language
    percents: list[frozenset[float]]  # the percentages of the headline and lede
    nearest: np.ndarray  # (n, languages) each article's highest cosine among each language's others
    lang_index: np.ndarray  # each article's language as a column of ``nearest``
    window: np.ndarray  # (n, 2) earliest and latest day each can be from (a month when undated)
    title_names: list[frozenset[str]]  # the names of the headline alone (the text's start if none)
    rarity: dict[str, float]  # each name's inverse document frequency among the run's heads


NEAREST_CHUNK = 2048  # rows of the cosine matrix held at once


def nearest_by_language(vectors: np.ndarray, langs: Sequence[str], mask: np.ndarray | None = None,
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Each article's highest cosine to another article of each language, and each article's language
    as a column index.

    Cosines between two languages run lower than within one, and lower still across scripts; how a
    pair's cosine stands against the best each article finds in the other's language does not
    depend on the pair of languages (:data:`FEATURES` ``relative_cosine``). Only what the decision
    reads is computed (every pair here involves a ``mask`` article): the ``mask`` articles' rows in
    full, the others' in the ``mask`` articles' languages; the rest stays -1. The cost is that of the
    candidate search, ``mask`` articles x all articles.
    """
    names, index = np.unique(np.asarray(langs, dtype=object).astype(str), return_inverse=True)
    index = index.astype(np.int64).ravel()
    n = len(vectors)
    mask = np.ones(n, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    out = np.full((n, len(names)), -1.0, dtype=np.float32)
    rows = np.flatnonzero(mask)
    for s in range(0, len(rows), NEAREST_CHUNK):
        part = rows[s : s + NEAREST_CHUNK]
        S = vectors[part] @ vectors.T  # (part, n)
        S[np.arange(len(part)), part] = -1.0
        for k in range(len(names)):
            cols = index == k
            if cols.any():
                out[part, k] = S[:, cols].max(axis=1)
        # the other articles' best among these rows' languages
        for k in np.unique(index[part]).tolist():
            sel = index[part] == k
            out[~mask, k] = np.maximum(out[~mask, k], S[sel][:, ~mask].max(axis=0))
    return out, index


def signals(articles: Sequence[Article], url_dates: bool = True) -> Signals:
    from storyline.represent.stage import time_windows

    heads = [head(a) for a in articles]
    vectors = embed.encode(heads)
    langs = [(a.lang or "en").split("-")[0].lower() for a in articles]
    nearest, lang_index = nearest_by_language(vectors, langs, routed(articles))
    window = time_windows(articles, url_dates)
    names = [name_keys(h) for h in heads]
    return Signals(
        vectors=vectors,
        nearest=nearest,
        lang_index=lang_index,
        langs=langs,
        names=names,
        title_names=[name_keys(a.headline or a.text[:TITLE_CHARS]) for a in articles],
        rarity=rarity(names),
        numbers=[numbers(h) for h in heads],
        days=np.where(window[:, 0] == window[:, 1], window[:, 0], np.nan),  # placed on a day (not a month)
        figures=[figures(a.headline, a.text) for a in articles],
        window=window,
        percents=[percentages(a.headline, a.text) for a in articles],
    )


TITLE_CHARS = 200  # an untitled article's headline stands in its first characters


def rarity(names: Sequence[frozenset[str]]) -> dict[str, float]:
    """Each name's inverse document frequency among the run's articles, ``log((n + 1) / (df + 1))``.

    A name few articles of the run carry (a storm's, a town's, a bank's) tells one event from
    another of its kind; the names every article of a topic carries (the Fed, Erdogan) do not.
    """
    df = Counter(k for ks in names for k in ks)
    n = len(names)
    return {k: float(np.log((n + 1) / (c + 1))) for k, c in df.items()}


def gaps(sig: Signals, pairs: np.ndarray) -> np.ndarray:
    """Days between the two articles of each pair: between their days, or their windows (a month
    when undated, :func:`storyline.represent.stage.time_window`); NaN when either is unknown."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    from storyline.represent.stage import window_gap

    return window_gap(sig.window, pairs[:, 0], pairs[:, 1])


def candidates(sig: Signals, mask: np.ndarray, extra: np.ndarray, window_days: float,
               k: int = NEIGHBOURS, min_cosine: float = MIN_COSINE) -> np.ndarray:
    """(m, 2) pairs i < j with at least one routed article: e5 neighbours and ``extra``, within the window."""
    n = len(mask)
    rows = np.flatnonzero(mask)
    found = [np.asarray(extra, dtype=np.int64).reshape(-1, 2)]
    if len(rows) and n > 1:
        S = sig.vectors[rows] @ sig.vectors.T
        S[np.arange(len(rows)), rows] = -1.0
        kk = min(k, n - 1)
        top = np.argpartition(-S, kk - 1, axis=1)[:, :kk]
        keep = np.take_along_axis(S, top, axis=1) >= min_cosine
        found.append(np.stack([np.repeat(rows, kk)[keep.ravel()], top.ravel()[keep.ravel()]], axis=1))
        # English articles reach their nearest routed articles too (the search above is one-sided)
        eng = np.flatnonzero(~mask)
        if len(eng):
            T = sig.vectors[eng] @ sig.vectors[rows].T
            kr = min(k, len(rows))
            top = np.argpartition(-T, kr - 1, axis=1)[:, :kr]
            keep = np.take_along_axis(T, top, axis=1) >= min_cosine
            found.append(np.stack([np.repeat(eng, kr)[keep.ravel()], rows[top.ravel()[keep.ravel()]]], axis=1))
    pairs = np.concatenate(found)
    pairs = np.sort(pairs, axis=1)
    pairs = pairs[(pairs[:, 0] != pairs[:, 1]) & (mask[pairs[:, 0]] | mask[pairs[:, 1]])]
    pairs = np.unique(pairs, axis=0)
    with np.errstate(invalid="ignore"):
        far = gaps(sig, pairs) > window_days  # NaN (either unknown) compares False
    return pairs[~far]


def features(sig: Signals, pairs: np.ndarray) -> np.ndarray:
    F = np.zeros((len(pairs), len(FEATURES)), dtype=np.float64)
    gap_of = gaps(sig, pairs)
    for r, (i, j) in enumerate(pairs.tolist()):
        cos = float(sig.vectors[i] @ sig.vectors[j])
        same = float(sig.langs[i] == sig.langs[j])
        ni, nj = sig.names[i], sig.names[j]
        names = len(ni & nj) / max(1, min(len(ni), len(nj)))
        nums = min(3, len(sig.numbers[i] & sig.numbers[j]))
        gap = float(gap_of[r])
        dated = float(not np.isnan(sig.days[i] - sig.days[j]))  # both placed on a day
        fi, fj = sig.figures[i], sig.figures[j]
        shared = len(fi & fj) if fi and fj else 0
        conflict = float(bool(fi and fj) and not shared)
        fshared = shared / min(len(fi), len(fj)) if fi and fj else 0.0
        pi, pj = sig.percents[i], sig.percents[j]
        pboth = bool(pi and pj)
        pconflict = float(pboth and not (pi & pj))
        pshared = len(pi & pj) / len(pi | pj) if pboth else 0.0
        ri = cos - float(sig.nearest[i, sig.lang_index[j]])
        rj = cos - float(sig.nearest[j, sig.lang_index[i]])
        w = sig.rarity
        rare = sum(w.get(k, 0.0) for k in ni & nj)
        missing = max(sum(w.get(k, 0.0) for k in sig.title_names[i] - nj),
                      sum(w.get(k, 0.0) for k in sig.title_names[j] - ni))
        F[r] = (cos, same, cos * same, names, nums, 0.0 if np.isnan(gap) else min(gap, MAX_GAP), dated, conflict, fshared,
                pconflict, pshared, (ri + rj) / 2, min(ri, rj), rare, missing)
    return F


@dataclass
class CrossModel:
    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    meta: dict[str, Any]

    def predict_proba(self, F: np.ndarray) -> np.ndarray:
        if not len(F):
            return np.zeros(0)
        z = ((F - self.mean) / self.scale) @ self.weights + self.bias
        return np.clip(1.0 / (1.0 + np.exp(-z)), 0.0, 0.999)

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "weights": self.weights.round(6).tolist(), "bias": round(self.bias, 6),
                "mean": self.mean.round(6).tolist(), "scale": self.scale.round(6).tolist(), **self.meta}


def fit(F: np.ndarray, y: np.ndarray, meta: dict[str, Any] | None = None, C: float = 1.0) -> CrossModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = F.mean(axis=0), F.std(axis=0)
    scale[scale == 0] = 1.0
    lr = LogisticRegression(C=C, max_iter=1000).fit((F - mean) / scale, y)
    return CrossModel(lr.coef_[0].astype(np.float64), float(lr.intercept_[0]), mean, scale, meta or {})


@lru_cache(maxsize=1)
def load_model(path: Path = MODEL_PATH) -> CrossModel:
    d = json.loads(Path(path).read_text())
    if d.get("features") != list(FEATURES):
        raise ValueError(f"{path}: fitted on features {d.get('features')}, expected {list(FEATURES)}")
    meta = {k: v for k, v in d.items() if k not in {"features", "weights", "bias", "mean", "scale"}}
    return CrossModel(np.array(d["weights"]), float(d["bias"]), np.array(d["mean"]), np.array(d["scale"]), meta)


def decide(articles: Sequence[Article], pairs: np.ndarray, probs: np.ndarray, window_days: float,
           url_dates: bool = True, model: CrossModel | None = None) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """The English matching's (pairs, probs) with every pair that involves a routed article decided here.

    Returns the new pairs (sorted, i < j), their probabilities and counts. A corpus
    all in English, or a run without the multilingual extra, gets its input back.
    """
    mask = routed(articles)
    counts = {"routed_articles": int(mask.sum()), "cross_pairs": 0}
    if not mask.any():
        return pairs, probs, counts
    if not embed.available():
        log.warning("%d articles not in English are matched by the English matcher only: %s",
                    int(mask.sum()), embed.INSTALL_HINT)
        return pairs, probs, counts
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    probs = np.asarray(probs, dtype=np.float64)
    involved = mask[pairs[:, 0]] | mask[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)
    sig = signals(articles, url_dates)
    cand = candidates(sig, mask, pairs[involved], window_days)
    model = model or load_model()
    mine = model.predict_proba(features(sig, cand))
    # copies the English cascade was certain of stay certain
    certain = {tuple(p) for p in pairs[involved & (probs >= 1.0)].tolist()}
    if certain:
        mine[[tuple(p) in certain for p in cand.tolist()]] = 1.0
    out_pairs = np.concatenate([pairs[~involved], cand])
    out_probs = np.concatenate([probs[~involved], mine])
    order = np.lexsort((out_pairs[:, 1], out_pairs[:, 0]))
    counts["cross_pairs"] = len(cand)
    counts["cross_same"] = int((mine >= 0.5).sum())
    return out_pairs[order], out_probs[order], counts
