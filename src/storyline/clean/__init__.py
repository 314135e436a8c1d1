"""Cleaning: normalise text and remove boilerplate (see :mod:`storyline.clean.cleaner`)."""

from storyline.clean.cleaner import Cleaner, CleanRecords, outlet_key
from storyline.clean.patterns import REASONS, classify
from storyline.clean.textnorm import line_key, normalise, normalise_line

__all__ = [
    "REASONS",
    "CleanRecords",
    "Cleaner",
    "classify",
    "line_key",
    "normalise",
    "normalise_line",
    "outlet_key",
]
