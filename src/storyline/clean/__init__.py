"""Cleaning: normalise text and remove boilerplate (see :mod:`storyline.clean.cleaner`)."""

from storyline.clean.cleaner import Cleaner, CleanStage, outlet_key
from storyline.clean.patterns import REASONS, classify
from storyline.clean.textnorm import line_key, normalise, normalise_line

__all__ = [
    "REASONS",
    "CleanStage",
    "Cleaner",
    "classify",
    "line_key",
    "normalise",
    "normalise_line",
    "outlet_key",
]
