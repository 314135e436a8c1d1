"""The fitted reuse grader: a multinomial logistic regression over the evidence the grade rules use.

:func:`storyline.provenance.story.analyse_story` measures, for every article against the
article it is compared with (its in-story parent, else its closest peer), the shares of
its text that render that article over the whole text and over the span the two texts
have in common, the spin signals, credits and datelines, page furniture, shared rare
forms, what its other peers share with it, and what the hand-written rules would grade
it (:data:`FEATURES`). This module turns those features into a probability for each of
the four grades. The parent and the source are chosen as before; the grade is the most
probable one, and a grade whose probability is below :data:`LOW_CONFIDENCE` (or the
level stored with the parameters) is marked ``grade_low_confidence`` in the provenance
JSON.

The parameters live in ``grader.json`` beside this file (plain numbers, no pickle),
written by ``bench/fit_grader.py`` from generated stories (bench/bench_provenance.py,
even ECB+ topics, plain and ``--web``) and the hand-labelled real pages
(bench/realdata/recipe.json), together with the leave-one-event-out models that score the
real pages left out. Without that file, or inside ``using(None)``, the rules alone grade
and no probability is given. docs/provenance.md ("The grade") has the method and figures.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

GRADES = ("verbatim", "light-rewrite", "spun", "independent")
PARAMS_FILE = Path(__file__).with_name("grader.json")
LOW_CONFIDENCE = 0.6  # below this probability a grade is marked low-confidence (grader.json may set its own)

# The evidence, in the order the parameters expect it. "ref" is the article compared with: the in-story
# parent, else the closest peer (the one whose text this one renders most closely).
FEATURES = (
    # what the rules would grade it (one-hot)
    "rule_verbatim", "rule_light_rewrite", "rule_spun", "rule_independent",
    # where it sits in the story
    "has_parent", "has_children", "outlet_is_wire", "no_ref", "direction",
    # shares of its text rendering the ref, over the whole text
    "reuse", "verbatim", "edited", "paraphrase", "loose", "covered", "verbatim_of_reuse",
    # ... and over the span the two texts have in common (first to last linked sentence on each side)
    "span_reuse", "span_verbatim", "span_covered", "span_verbatim_of_reuse", "span_links",
    # the best any peer offers (copies of one absent source share its sentences word for word)
    "peer_max_verbatim", "peer_max_span_verbatim", "peer_max_reuse", "peer_max_loose", "peer_max_spin",
    "peers_reusing",
    # spin signals against the ref
    "spin_score", "spin_back_score", "spin_drift", "spin_rarer", "spin_swaps", "spin_odd", "spin_fancy",
    "spin_garbled", "spin_reworded", "spin_kept_rare",
    # credits, datelines, furniture, size
    "credit", "credit_formal", "credit_lede", "credit_photo", "credits_story_wire", "brief", "words",
    "boilerplate", "shared_odd", "wire_peer_reuse",
    # against the union of its story's other articles (copies of one absent source share its word runs with
    # many siblings, each of which may carry another excerpt): share of its words in a word 3-, 5- and 8-gram
    # some other article has, the 5-gram share over the span of its shared sentences, the share of its
    # sentences found nearly whole among those found at all, their mean share, how many siblings share
    # an 8-word run with it, the share of its names and numbers the others carry
    "union_3", "union_5", "union_8", "union_span", "union_whole", "union_depth", "union_run_peers",
    "union_names",
    # the order its linked sentences keep in the ref; a dateline of any kind opening it (a wire's style)
    "ref_order", "dateline",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Grader:
    """A fitted multinomial logistic regression over :data:`FEATURES`."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    low_confidence: float = LOW_CONFIDENCE

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Grader:
        if d.get("model") != "multinomial-logistic-regression":
            raise ValueError(f"unknown grader model {d.get('model')!r}")
        feats = tuple(d["features"])
        coef = tuple(tuple(float(x) for x in row) for row in d["coef"])
        if any(len(row) != len(feats) for row in coef) or len(d["mean"]) != len(feats):
            raise ValueError("grader parameters do not match their feature list")
        return cls(
            features=feats,
            classes=tuple(d["classes"]),
            mean=tuple(float(x) for x in d["mean"]),
            scale=tuple(float(x) or 1.0 for x in d["scale"]),
            coef=coef,
            intercept=tuple(float(x) for x in d["intercept"]),
            low_confidence=float(d.get("low_confidence", LOW_CONFIDENCE)),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "model": "multinomial-logistic-regression",
            "features": list(self.features),
            "classes": list(self.classes),
            "mean": list(self.mean),
            "scale": list(self.scale),
            "coef": [list(r) for r in self.coef],
            "intercept": list(self.intercept),
            "low_confidence": self.low_confidence,
        }

    def probabilities(self, feats: Mapping[str, float]) -> dict[str, float]:
        """Probability of each grade given the features (a feature left out counts as 0)."""
        x = [(float(feats.get(f, 0.0)) - m) / s for f, m, s in zip(self.features, self.mean, self.scale)]
        z = [b + sum(w * v for w, v in zip(row, x)) for row, b in zip(self.coef, self.intercept)]
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return {c: v / total for c, v in zip(self.classes, e)}


@lru_cache(maxsize=4)
def _load(path: str) -> Grader | None:
    p = Path(path)
    if not p.exists():
        return None
    return Grader.from_json(json.loads(p.read_text(encoding="utf-8")))


_override: list[Grader | None] = []


def active() -> Grader | None:
    """The grader in force: the innermost :func:`using`, else the shipped parameters (None: rules only)."""
    if _override:
        return _override[-1]
    return _load(str(PARAMS_FILE))


@contextlib.contextmanager
def using(grader: Grader | Mapping[str, Any] | None) -> Iterator[None]:
    """Grade with ``grader`` (a :class:`Grader` or its JSON) inside the block; ``None``: the rules alone."""
    g = Grader.from_json(grader) if isinstance(grader, Mapping) else grader
    _override.append(g)
    try:
        yield
    finally:
        _override.pop()


def decide(
    feats: Mapping[str, float], rule_grade: str, allowed: tuple[str, ...] | None = None
) -> tuple[str, dict[str, float] | None, bool]:
    """(grade, probabilities, low confidence) for one article; the rule's grade when no grader is in force.
    ``allowed``: the grades possible for this article (the probabilities renormalised over them)."""
    g = active()
    if g is None:
        return rule_grade, None, False
    probs = g.probabilities(feats)
    if allowed is not None:
        total = sum(probs[c] for c in allowed)
        probs = {c: (probs[c] / total if c in allowed else 0.0) for c in probs}
    grade = max(probs, key=lambda c: (probs[c], c == rule_grade))
    return grade, probs, probs[grade] < g.low_confidence
