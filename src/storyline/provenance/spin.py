"""Signs of machine "spinning" (automatic synonym substitution).

A spinner keeps a sentence's skeleton and swaps words for thesaurus entries.
Thesaurus entries are on average rarer than the words they replace ("open" ->
"amenable", "said" -> "stated", "attacks" -> "assaults"), and some swaps
produce forms no writer uses ("upbeatly"). A human rewrite changes words in
both directions. So, against the article a text was aligned with, we look at
the word substitutions inside linked sentences and ask whether they drift
towards rarer words; and in the text itself, for word forms that (almost)
never occur in English and for the reporting verb "said" being avoided.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

import numpy as np

from storyline.provenance.align import Alignment
from storyline.provenance.lexical import zipf
from storyline.provenance.sentences import STOPWORDS, is_number, words

# Reporting verbs a spinner puts where news prose says "said".
FANCY_SAYS = frozenset(("stated", "remarked", "asserted", "articulated", "uttered"))
PLAIN_SAYS = frozenset(("said", "says"))
ODD_ZIPF = 1.0  # below this, a lowercase word is (almost) never seen in English text


@dataclass(slots=True)
class SpinEvidence:
    substitutions: int  # single-word swaps inside linked sentences
    drift: float  # mean Zipf(new word) - Zipf(old word): negative = towards rarer words
    rarer_share: float  # share of swaps at least half a Zipf point rarer
    odd_words: list[str]  # word forms (almost) unseen in English, absent from the source
    fancy_says: float  # share of "stated/declared/..." among reporting verbs
    score: float

    def to_json(self) -> dict[str, object]:
        return {
            "substitutions": self.substitutions,
            "drift": round(self.drift, 3),
            "rarer_share": round(self.rarer_share, 3),
            "odd_words": self.odd_words,
            "fancy_says": round(self.fancy_says, 3),
            "score": round(self.score, 3),
        }


def substitutions(alignment: Alignment) -> tuple[list[tuple[str, str]], int]:
    """(source word, new word) swaps of one or two words inside linked sentence pairs (B relative to A),
    and the number of B's words in linked sentences (verbatim ones included)."""
    out: list[tuple[str, str]] = []
    seen = 0
    for link in alignment.links:
        if link.weak:
            continue
        wb = [w for j in link.b for w in words(alignment.b_sentences[j])]
        seen += len(wb)
        if link.kind == "verbatim":
            continue
        wa = [w for i in link.a for w in words(alignment.a_sentences[i])]
        sm = SequenceMatcher(None, wa, wb, autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > 2:
                continue
            for x, y in zip(wa[i1:i2], wb[j1:j2]):
                if x in STOPWORDS or y in STOPWORDS or is_number(x) or is_number(y) or x[:4] == y[:4]:
                    continue
                if zipf(x) == 0.0 or zipf(y) == 0.0:  # names and typos: not a thesaurus swap
                    continue
                out.append((x, y))
    return out, seen


def odd_words(text_words: list[str], raw: str, source_vocab: set[str]) -> list[str]:
    """Lowercase word forms of the text that English (almost) never uses and the source lacks."""
    lower_raw = set()
    for tok in raw.split():
        t = tok.strip("\"'“”‘’()[],.;:!?")
        if t and t[0].islower() and t.isalpha():
            lower_raw.add(t)
    out = sorted({w for w in text_words if w in lower_raw and w not in source_vocab and zipf(w) < ODD_ZIPF})
    return out


def fancy_says_share(text_words: list[str]) -> float:
    fancy = sum(w in FANCY_SAYS for w in text_words)
    plain = sum(w in PLAIN_SAYS for w in text_words)
    return fancy / (fancy + plain) if fancy + plain >= 3 else 0.0


# The weights below are set by hand; the threshold was fitted on the generated provenance
# benchmark (bench/bench_provenance.py --split even --fit) and checked on the other half.
SPIN_THRESHOLD = 0.35
SWAP_DENSITY = 8.0


def spin_evidence(alignment: Alignment, b_text: str) -> SpinEvidence:
    """Spin evidence for article B of ``alignment`` relative to article A."""
    subs, seen = substitutions(alignment)
    deltas = np.clip(np.array([zipf(y) - zipf(x) for x, y in subs]), -3, 3) if subs else np.zeros(0)
    drift = float(deltas.mean()) if len(deltas) else 0.0
    rarer = float((deltas <= -0.5).mean()) if len(deltas) else 0.0
    b_words = [w for s in alignment.b_sentences for w in words(s)]
    a_vocab = {w for s in alignment.a_sentences for w in words(s)}
    odd = odd_words(b_words, b_text, a_vocab)
    fancy = fancy_says_share(b_words)
    n = len(subs)
    # Evidence grows with the density of swaps: a spinner swaps words in every sentence, an editor
    # in a few. Full weight at SWAP_DENSITY swaps per 100 linked words.
    weight = min(1.0, n / max(1.0, seen / 100.0) / SWAP_DENSITY) if n >= 3 else 0.0
    z = -1.6 + weight * (-2.2 * drift + 2.0 * (rarer - 0.3)) + 1.2 * min(2, len(odd)) + 1.8 * fancy
    score = float(1 / (1 + np.exp(-z)))
    return SpinEvidence(n, drift, rarer, odd, fancy, score)
