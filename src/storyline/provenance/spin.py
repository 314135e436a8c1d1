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

import re
from dataclasses import dataclass, field
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
    garbled: list[str] = field(default_factory=list)  # names swapped one for one ("Mauger" -> "Mager")
    reworded: float = 0.0  # share of the source's common content words changed in edited links ...
    kept_rare: float = 0.0  # ... while its rare words and numbers are kept

    def to_json(self) -> dict[str, object]:
        return {
            "substitutions": self.substitutions,
            "drift": round(self.drift, 3),
            "rarer_share": round(self.rarer_share, 3),
            "odd_words": self.odd_words,
            "fancy_says": round(self.fancy_says, 3),
            "garbled": self.garbled,
            "reworded": round(self.reworded, 3),
            "kept_rare": round(self.kept_rare, 3),
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


_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d[\d,.]*")


def garbled_names(alignment: Alignment) -> list[str]:
    """Names of A that B's linked sentence replaces one for one with another word: spinners and
    translation engines garble names ("Josh Green" -> "Josh Inexperienced"); editors keep them."""
    out = []
    for link in alignment.links:
        if link.weak or link.kind == "verbatim":
            continue
        ta = [t for i in link.a for t in _TOKEN.findall(alignment.a_sentences[i])]
        tb = [t for j in link.b for t in _TOKEN.findall(alignment.b_sentences[j])]
        names_b = {t for t in tb if t[:1].isupper()}
        sm = SequenceMatcher(None, ta, tb, autojunk=False)
        for op, i1, i2, j1, j2 in sm.get_opcodes():
            if op != "replace" or i2 - i1 != j2 - j1 or i2 - i1 > 2:
                continue
            for k in range(i1, i2):
                x, y = ta[k], tb[j1 + k - i1]
                near = (ta[k - 1] if k else "", ta[k + 1] if k + 1 < len(ta) else "")
                if y not in ta and _garbled(x, y, near, k, names_b):
                    out.append(f"{x}->{y}")
    return out


def _garbled(x: str, y: str, near: tuple[str, str], k: int, names_b: set[str]) -> bool:
    """``x``, part of a name (next to another capitalised word, not the sentence's first word), turned
    into a different word ``y``."""
    in_name = k > 0 and ((near[0][:1].isupper() and k > 1) or near[1][:1].isupper())
    return bool(
        in_name
        and x[:1].isupper()
        and x[1:].islower()
        and len(x) > 2
        and x not in names_b
        and x[:3].lower() != y[:3].lower()
        and not _abbreviates(x.lower(), y.lower())
        and (y[:1].isupper() or zipf(y.lower()) >= 3.0)
    )


def _abbreviates(x: str, y: str) -> bool:
    """One word a short abbreviation of the other ("Cmdr" and "Commander", "Lt" and "Lieutenant")."""
    short, long_ = sorted((x, y), key=len)
    if len(short) > 4 or short[0] != long_[0]:
        return False
    it = iter(long_)
    return all(c in it for c in short)


def rewording(alignment: Alignment) -> tuple[float, float, int]:
    """Over B's edited and paraphrased links: the share of A's common content words B changed, the
    share of A's rare words and numbers B kept, and the number of A words seen."""
    common = changed = rare = kept = 0
    for link in alignment.links:
        if link.weak or link.kind == "verbatim":
            continue
        wa = [w for i in link.a for w in words(alignment.a_sentences[i])]
        wb = set(w for j in link.b for w in words(alignment.b_sentences[j]))
        for w in wa:
            if w in STOPWORDS:
                continue
            if is_number(w) or zipf(w) < 3.0:
                rare += 1
                kept += w in wb
            elif zipf(w) >= 4.0:
                common += 1
                changed += w not in wb
    return changed / max(1, common), kept / max(1, rare), common


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
GARBLED_WEIGHT = 0.9
REWORDED_MIN = 0.25
KEPT_RARE_MIN = 0.75
REWORDED_WEIGHT = 0.0


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
    garbled = garbled_names(alignment)
    reworded, kept_rare, n_common = rewording(alignment)
    n = len(subs)
    # Evidence grows with the density of swaps: a spinner swaps words in every sentence, an editor
    # in a few. Full weight at SWAP_DENSITY swaps per 100 linked words.
    weight = min(1.0, n / max(1.0, seen / 100.0) / SWAP_DENSITY) if n >= 3 else 0.0
    # A spinner rewords the common words and keeps the rare ones (names, numbers, terms): both at once,
    # over enough text, is what tells it from an editor's few changes or another reporter's own words.
    machine = max(0.0, reworded - REWORDED_MIN) * (kept_rare >= KEPT_RARE_MIN) * min(1.0, n_common / 40)
    z = (
        -1.6
        + weight * (-2.2 * drift + 2.0 * (rarer - 0.3))
        + 1.2 * min(2, len(odd))
        + 1.8 * fancy
        + GARBLED_WEIGHT * min(2, len(garbled))
        + REWORDED_WEIGHT * machine
    )
    score = float(1 / (1 + np.exp(-z)))
    return SpinEvidence(n, drift, rarer, odd, fancy, score, garbled, reworded, kept_rare)
