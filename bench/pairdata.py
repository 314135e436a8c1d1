"""Labeled corpora as the cascade sees them: articles, candidate pairs, features, gold labels.

Shared by ``bench/fit_matching.py`` and ``bench/eval_stories.py --cv``. MiniLM
vectors are kept in ``bench/results/vectors.npz`` (git-ignored) by text, so a
refit does not embed again.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
DATA = BENCH.parent.parent / "shared" / "data"
ECB = DATA / "ecbplus" / "docs.jsonl"
ALLSIDES = DATA / "allsides-dev" / "docs.jsonl"
CACHE = BENCH / "results" / "vectors.npz"


class FileVectorCache:
    """A lasting vector cache in one .npz file (keys: ``embed.cache_key``)."""

    def __init__(self, path: Path = CACHE) -> None:
        self.path = path
        self.items: dict[bytes, np.ndarray] = {}
        self.dirty = False
        if path.exists():
            with np.load(path) as z:
                keys, vecs = z["keys"], z["vecs"]
            self.items = {bytes(k): v for k, v in zip(keys, vecs)}

    def get_vectors(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        return {k: self.items[k] for k in keys if k in self.items}

    def put_vectors(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        for k, v in items:
            self.items[k] = np.asarray(v, np.float32)
        self.dirty = bool(items) or self.dirty

    def save(self) -> None:
        if not self.dirty:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self.items), dtype="S16")
        vecs = np.stack(list(self.items.values())) if self.items else np.zeros((0, 384), np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vecs=vecs)
        tmp.replace(self.path)
        self.dirty = False


@dataclass
class Corpus:
    """One labeled corpus after the cascade (candidate pairs with their features)."""

    name: str
    articles: list
    gold: np.ndarray  # story label per article (str)
    groups: np.ndarray  # CV group per article: whole stories (ECB+: whole topics)
    pairs: np.ndarray
    features: np.ndarray
    forced: np.ndarray  # pairs that copy evidence decided (probability 1.0)
    kind: str
    train: np.ndarray  # articles that may be fitted on (ECB+: topics 1-25)
    published: np.ndarray | None = None  # publication time per article in days (NaN: none)


def build(name: str, path: Path, label: str, kind: str = "semantic", group: str | None = None,
          train_field: tuple[str, float, float] | None = None, max_tokens: int | None = None) -> Corpus:
    """Run the cascade on a JSONL corpus (a placeholder pair model; candidates do not depend on it).
    ``max_tokens``: MiniLM's input length (default ``[semantic] max_tokens``)."""
    import dataclasses

    from storyline import embed
    from storyline.config import Config
    from storyline.pipeline import clean, load, match, represent
    from storyline.verify.features import FEATURES
    from storyline.verify.model import PairModel

    arts, skipped = load([path])
    if skipped:
        print(f"{name}: {len(skipped)} records skipped", file=sys.stderr)
    arts = [a for a in arts if label in a.meta]
    cfg = Config()
    if max_tokens is not None:
        cfg = dataclasses.replace(cfg, semantic=dataclasses.replace(cfg.semantic, max_tokens=max_tokens))
    arts = clean(arts)
    cache = FileVectorCache()
    with embed.lasting_cache(cache):
        rep, hashes, sigs, kind = represent(arts, cfg, semantic=kind == "semantic")
    cache.save()
    placeholder = PairModel(kind, FEATURES, tuple([1.0] + [0.0] * (len(FEATURES) - 1)), 0.0)
    m = match(arts, rep, hashes, sigs, cfg, kind, model=placeholder)
    gold = np.array([str(a.meta[label]) for a in arts])
    groups = np.array([str(a.meta[group]) for a in arts]) if group else gold
    train = np.ones(len(arts), bool)
    if train_field:
        f, lo, hi = train_field
        train = np.array([lo <= float(a.meta.get(f, "nan")) <= hi for a in arts])
    return Corpus(name, arts, gold, groups, m.pairs, m.features, m.probs >= 1.0, kind, train, m.published)


def write_generated(n: int, seed: int, per_day: float | None, out: Path) -> Path:
    """A generated corpus (``bench/generate.py``) written once to ``out``."""
    if not out.exists():
        sys.path.insert(0, str(BENCH))
        from common import load_generator

        gen = load_generator()
        out.parent.mkdir(parents=True, exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for rec in gen.generate(n, seed=seed, per_day=per_day):
                fh.write(json.dumps(rec) + "\n")
    return out
