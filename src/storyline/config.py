"""Frozen settings, one object per stage; a TOML file can override any of them.

Numbers marked *fitted* come from ``bench/fit_matching.py`` on ECB+ topics 1-25
(held-out topics 26-35 are reported separately); the others are engineering
limits.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import tomllib


@dataclass(frozen=True)
class LexicalConfig:
    num_perm: int = 128
    ngram: int = 5
    threshold: float = 0.5  # Jaccard at which LSH should propose a pair
    seed: int = 1
    max_bucket: int = 1000


@dataclass(frozen=True)
class SemanticConfig:
    enabled: bool = True  # falls back to a TF-IDF/LSA vector when the embed extra is missing
    max_tokens: int = 128  # title + lede; longer costs time for little gain (docs/architecture.md)
    neighbours: int = 30  # candidates per article from the vector index
    min_cosine: float = 0.25  # vector neighbours below this are not candidates
    device: str = "cpu"  # where MiniLM runs: cpu, cuda (onnxruntime-gpu) or auto (CUDA when available)
    gpus_per_task: float = 1.0  # with device cuda on Ray: GPUs each embedding task asks for


@dataclass(frozen=True)
class MatchConfig:
    window_days: float = 7.0  # pairs further apart in time (both dates known) are never linked
    url_dates: bool = True  # an article without a publication time is placed in time by its URL's date, if any
    near_duplicate_containment: float = 0.8  # shingle containment that alone makes a pair the same story
    collapse_copies: bool = True  # cluster copy families (pairs >= copy_probability) as one node
    copy_probability: float = 1.0  # only exact copies and contained near-copies reach it


@dataclass(frozen=True)
class ClusterConfig:
    # None: the value fitted with the pair model in use (verify/pair_model.json)
    k: int | None = None  # neighbours per article in the shared-neighbour graph (the most, with k_min)
    k_min: int | None = None  # the fewest neighbours per article (= k: every article keeps k)
    k_sure: float | None = None  # an article keeps as many neighbours as it has pairs this likely, in [k_min, k]
    gate: float | None = None  # minimum pair probability for two articles to be linked at all
    threshold: float | None = None  # average-linkage cut on shared-neighbour similarity
    core: float | None = None  # pairs at least this sure always share a story (1.0: off)
    power: float | None = None  # neighbour rows hold probability ** power (above 1: the surest neighbours dominate)
    max_component: int = 8000  # larger components are split with a stricter cut first
    # articles published further apart than this many days never share a story (inf: no limit); a story is
    # one event of a few days, later developments are linked stories (measured: docs/benchmarks.md)
    max_days: float | None = 7.0
    # ... unless their own shared-neighbour similarity is at least this (strong direct evidence; above 1: never)
    bridge: float = 0.5


@dataclass(frozen=True)
class Config:
    lexical: LexicalConfig = field(default_factory=LexicalConfig)
    semantic: SemanticConfig = field(default_factory=SemanticConfig)
    match: MatchConfig = field(default_factory=MatchConfig)
    cluster: ClusterConfig = field(default_factory=ClusterConfig)

    def resolved_cluster(self, fitted: dict[str, Any]) -> ClusterConfig:
        """The cluster settings with every unset value taken from the fitted pair model."""
        c = self.cluster
        k = c.k if c.k is not None else int(fitted["k"])
        return replace(
            c,
            k=k,
            k_min=min(k, c.k_min if c.k_min is not None else int(fitted.get("k_min", k))),
            k_sure=c.k_sure if c.k_sure is not None else float(fitted.get("k_sure", 1.0)),
            gate=c.gate if c.gate is not None else float(fitted["gate"]),
            threshold=c.threshold if c.threshold is not None else float(fitted["threshold"]),
            core=c.core if c.core is not None else float(fitted.get("core", 1.0)),
            power=c.power if c.power is not None else float(fitted.get("power", 1.0)),
        )

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        return cls().override(data)

    def override(self, data: dict[str, Any]) -> Config:
        """Return a copy with ``{"section": {"key": value}}`` applied; unknown keys are errors."""
        from storyline.errors import StorylineError

        out = self
        names = {f.name for f in fields(self)}
        for section, values in data.items():
            if section not in names:
                raise StorylineError(f"unknown config section {section!r}; known: {sorted(names)}", "E010")
            current = getattr(out, section)
            known = {f.name for f in fields(current)}
            bad = set(values) - known
            if bad:
                raise StorylineError(
                    f"unknown keys in [{section}]: {sorted(bad)}; known: {sorted(known)}", "E011"
                )
            out = replace(out, **{section: replace(current, **values)})
        return out
