"""The calibrated pair decision: a logistic model over :data:`FEATURES`.

Its weights are fitted by ``bench/fit_matching.py`` on labeled data (ECB+
topics 1-25) and stored in ``pair_model.json`` beside this file, with the data
and command that produced them. Nothing here is tuned by hand.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from storyline.verify.features import FEATURES

MODEL_FILE = Path(__file__).with_name("pair_model.json")
MODEL_ENV = "STORYLINE_PAIR_MODEL"  # another fitted model file (e.g. one fitted at other max_tokens)


@dataclass(frozen=True)
class PairModel:
    name: str
    features: tuple[str, ...]
    coef: tuple[float, ...]
    intercept: float
    cluster: dict[str, Any] = field(default_factory=dict)  # clustering settings fitted with this model

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        z = X.astype(np.float64) @ np.asarray(self.coef) + self.intercept
        # Capped below 1: certainty is kept for copies found by hashing and containment.
        return np.clip(1.0 / (1.0 + np.exp(-z)), 0.0, 0.999).astype(np.float32)


def model_file(path: str | Path | None = None) -> Path:
    """The pair model file: ``path``, else ``$STORYLINE_PAIR_MODEL``, else the shipped one."""
    return Path(path or os.environ.get(MODEL_ENV) or MODEL_FILE)


def load(kind: str = "semantic", path: str | Path | None = None) -> PairModel:
    """``kind`` is ``semantic`` (MiniLM cosine as first feature) or ``lexical`` (LSA cosine instead)."""
    return _load(kind, str(model_file(path)))


@lru_cache(maxsize=4)
def _load(kind: str, path: str) -> PairModel:
    data = json.loads(Path(path).read_text())
    m = data["models"][kind]
    if tuple(m["features"]) != FEATURES:
        raise ValueError(f"pair model {kind!r} was fitted on other features: {m['features']}")
    return PairModel(
        kind, tuple(m["features"]), tuple(m["coef"]), float(m["intercept"]), m.get("cluster", {})
    )
