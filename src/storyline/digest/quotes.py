"""Quotes, who said them, and the story's quote ledger.

Direct quotes are found between quotation marks; the speaker comes from the
attribution around them ("..., Peskov told reporters", "Peskov said: ...",
"... , said Peskov", "according to Peskov"), from the sentence before a colon,
from the previous quote of a run, or, for "he said", from the person the
article last spoke about. The medium ("via": Interfax, Reuters) and the person
spoken to ("told Pavel Zarubin") are kept apart from the speaker.

:func:`ledger` matches quotes across outlets by wording (containment of one in
the other, or a close paraphrase), shows each wording with its outlets, flags
changed wording, another speaker, or a cut that drops a negation or condition,
and groups the quotes by speaker: one entry per person, however the outlets
spell or title them.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from storyline.digest.context import Ctx, embed_texts
from storyline.digest.entities import EntityIndex, Mention, similar_word
from storyline.digest.text import clip, containment, content, fold, norm_quote, words

QUOTE_SIM = 0.80  # two quotes this close in meaning, sharing wording, are one quote
REPORTED_SIM = 0.80  # an unquoted sentence this close to a quote reports it
NEGATIONS = frozenset(
    """not no never n't without unless except only if but however nor neither none cannot won't don't didn't
    isn't aren't wasn't weren't hardly barely nothing nobody""".split()
)

CUES = frozenset(
    """said says say told tells tell added adds stated states wrote writes posted tweeted explained noted
    warned insisted argued claimed declared responded replied asked urged stressed emphasized emphasised
    continued concluded announced reiterated confirmed clarified remarked acknowledged admitted suggested
    cautioned commented predicted promised vowed pledged telling saying writing stating adding posting
    insisting warning noting stressing explaining claiming declaring announcing confirming suggesting""".split()
)
_AUX = frozenset(
    """had has have was is were are also further later then again earlier today yesterday tonight once
    previously separately repeatedly already would will has've has'd monday tuesday wednesday thursday
    friday saturday sunday on""".split()
)
_PRONOUNS = frozenset({"he", "she"})
_VIA_LEAD = re.compile(
    r"\b(?:according to|as quoted by|as cited by|as reported by|quoted by|cited by|reported by|reports|"
    r"told|telling|via)\s+(?:the\s+|news agency\s+)?$",
    re.I,
)
_AUDIENCE_LEAD = re.compile(
    r"\b(?:told|telling|speaking to|spoke to|talking to|talked to|said to|interview with|in an interview with)\b",
    re.I,
)
_TOKEN = re.compile(r"[A-Za-z][A-Za-z’'\-]*|\d[\d,.]*|[,:;.!?—–]")
_PAIRS = (
    re.compile(r"“([^“”]+)”"),
    re.compile(r"``([^`']+(?:'(?!')[^`']*)*)''"),
    re.compile(r"\"([^\"]+)\""),
    re.compile(r"‘([^‘’]{12,})’"),
)


@dataclass(slots=True)
class Tok:
    kind: str  # Q quote, N name, R pronoun, C cue, A auxiliary, P punctuation, W word
    text: str
    start: int
    end: int
    mention: Mention | None = None
    quote: int = -1


@dataclass
class QuoteMention:
    """One quotation (or reported paraphrase of one) in one article."""

    art: int
    unit: int
    start: int
    end: int
    text: str
    quoted: bool = True
    speaker: int | None = None  # entity id
    speaker_as_written: str = ""
    cue: str = ""
    via: list[str] = field(default_factory=list)
    to: int | None = None
    how: str = ""  # which rule found the speaker

    @property
    def n_words(self) -> int:
        return len(words(self.text))


def find_quotes(text: str) -> list[tuple[int, int, str]]:
    """Quotation spans in a unit: (start, end, inner text); an unclosed quote runs to the end."""
    spans: list[tuple[int, int, str]] = []
    taken = [False] * (len(text) + 1)
    for pat in _PAIRS:
        for m in pat.finditer(text):
            if any(taken[m.start() : m.end()]):
                continue
            spans.append((m.start(), m.end(), m.group(1)))
            for i in range(m.start(), m.end()):
                taken[i] = True
    i = text.find("“")
    if i >= 0 and not taken[i] and "”" not in text[i:]:
        spans.append((i, len(text), text[i + 1 :]))
    spans.sort()
    out = []
    for s, e, inner in spans:
        inner = inner.strip().strip(",;:").strip()
        if len(words(inner)) >= 2 and not _is_title(inner):
            out.append((s, e, inner))
    return out


def _is_title(inner: str) -> bool:
    """A quoted title or name ("American Pie", "The Big Lebowski"), not speech."""
    ws = re.findall(r"[A-Za-z][\w'’-]*", inner)
    if not ws or len(ws) > 10:
        return False
    small = {"a", "an", "the", "of", "in", "on", "and", "for", "to", "at", "with", "from"}
    return all(w[0].isupper() or w.lower() in small for w in ws) and ws[0][0].isupper() and len(ws) > 1


def tokens(text: str, quotes: list[tuple[int, int, str]], mentions: list[Mention]) -> list[Tok]:
    """The unit as a token sequence: quotes and names are single tokens."""
    blocks: list[tuple[int, int, str, object]] = [(s, e, "Q", qi) for qi, (s, e, _) in enumerate(quotes)]
    for m in mentions:
        if not any(s <= m.start < e for s, e, _, _ in blocks if _ == "Q"):
            blocks.append((m.start, m.end, "N", m))
    blocks.sort(key=lambda b: b[0])
    out: list[Tok] = []
    pos = 0

    def plain(seg_start: int, seg_end: int) -> None:
        for m in _TOKEN.finditer(text, seg_start, seg_end):
            w = m.group(0)
            low = fold(w)
            if low in _PRONOUNS:
                kind = "R"
            elif low in CUES:
                kind = "C"
            elif low in _AUX or (low.endswith("ly") and len(low) > 4):
                kind = "A"
            elif not w[0].isalnum():
                kind = "P"
            else:
                kind = "W"
            out.append(Tok(kind, w, m.start(), m.end()))

    for s, e, kind, obj in blocks:
        if s < pos:
            continue
        plain(pos, s)
        if kind == "Q":
            out.append(Tok("Q", text[s:e], s, e, quote=int(obj)))  # type: ignore[arg-type]
        else:
            out.append(Tok("N", text[s:e], s, e, mention=obj))  # type: ignore[arg-type]
        pos = e
    plain(pos, len(text))
    return out


def _subject(toks: list[Tok], i: int) -> Tok | None:
    """The name or pronoun right before token ``i`` (a cue), skipping auxiliaries and adverbs."""
    j = i - 1
    while j >= 0 and toks[j].kind == "A":
        j -= 1
    if j >= 0 and toks[j].kind in "NR" and not (toks[j].mention and toks[j].mention.possessive):
        return toks[j]
    return None


def _cue_text(toks: list[Tok], i: int) -> str:
    """The cue verb and the words that belong to it ("told reporters", "said on X", "wrote on Telegram")."""
    parts = [toks[i].text]
    nxt = toks[i + 1 : i + 4]
    if nxt and fold(nxt[0].text) in ("reporters", "journalists"):
        parts.append(nxt[0].text)
    elif len(nxt) >= 2 and fold(nxt[0].text) in ("on", "in", "to") and nxt[1].kind in "WN":
        if fold(nxt[1].text) in ("a", "an", "the", "his", "her") and len(nxt) == 3:
            parts += [nxt[0].text, nxt[1].text, nxt[2].text]
        else:
            parts += [nxt[0].text, nxt[1].text]
    return " ".join(parts)


def attribute(toks: list[Tok], qi: int) -> tuple[Tok | None, str, str]:
    """Speaker token, cue and rule name for quote ``qi`` in a unit's token list."""
    qpos = next(k for k, t in enumerate(toks) if t.kind == "Q" and t.quote == qi)
    # After the quote: '..., Peskov told reporters' / '..., said Peskov'.
    k = qpos + 1
    while k < len(toks) and toks[k].kind == "P" and toks[k].text in ",—–":
        k += 1
    # '..., KDHWU general secretary Jonas Brekke told reporters', '..., the actress's rep Jack Ketsoyan
    # told People': a role before the name (the name must then be followed by a cue).
    j = k
    while j < len(toks) and j - k < 7 and toks[j].kind in "WA":
        j += 1
    if j > k and j < len(toks) and toks[j].kind == "N":
        k = j
    if k < len(toks):
        if toks[k].kind in "NR" and not (toks[k].mention and toks[k].mention.possessive):
            j = k + 1
            while j < len(toks) and toks[j].kind == "A":
                j += 1
            if j < len(toks) and toks[j].kind == "C":
                return toks[k], _cue_text(toks, j), "after"
        if toks[k].kind == "C" and k + 1 < len(toks) and toks[k + 1].kind == "N":
            return toks[k + 1], _cue_text(toks, k), "after-inverted"
    # Before the quote: 'Peskov said: ...', 'Zelenskiy also said that ... "..."'.
    prev_q = max((k for k in range(qpos) if toks[k].kind == "Q"), default=-1)
    left = range(prev_q + 1, qpos)
    for k in left:
        if toks[k].kind == "C":
            subj = _subject(toks, k)
            if subj is not None:
                return subj, _cue_text(toks, k), "before"
    if any(toks[k].kind == "C" for k in left):
        for k in left:
            possessive = bool(toks[k].mention and toks[k].mention.possessive)
            if toks[k].kind in "NR" and not possessive and not _is_via(toks, k):
                cue = next(toks[c] for c in left if toks[c].kind == "C")
                return toks[k], cue.text, "before-subject"
    # Anywhere in the unit: '..., according to Peskov'.
    for k, t in enumerate(toks):
        if (
            t.kind == "N"
            and k >= 2
            and fold(toks[k - 1].text) == "to"
            and fold(toks[k - 2].text) == "according"
        ):
            return t, "according to", "according-to"
    return None, "", ""


def _is_via(toks: list[Tok], k: int) -> bool:
    """Whether the name at ``k`` is a medium ("according to Interfax", "the Interfax news agency")."""
    before = " ".join(t.text for t in toks[max(0, k - 4) : k]) + " "
    after = " ".join(t.text for t in toks[k + 1 : k + 3])
    return bool(_VIA_LEAD.search(before)) or fold(after).startswith(("news agency", "agency", "news"))


def vias(toks: list[Tok], speaker: Tok | None) -> list[str]:
    """Media the quote came through: names after 'according to', 'as quoted by', '... news agency'."""
    out: list[str] = []
    for k, t in enumerate(toks):
        if t.kind != "N" or t is speaker:
            continue
        if _is_via(toks, k):
            if (
                t.mention
                and (speaker is None or speaker.mention is None or t.mention.entity != speaker.mention.entity)
                and not t.mention.titled
                and fold(t.text) not in ("x",)
            ):
                out.append(t.text)
        elif (
            k >= 2 and fold(toks[k - 1].text) == "and" and toks[k - 2].kind == "N" and toks[k - 2].text in out
        ):
            out.append(t.text)
    return out


def audience(text: str, mentions: list[Mention], speaker: int | None, persons: set[int]) -> int | None:
    """The person a quote was said to ("told Pavel Zarubin", "speaking to ... reporter Pavel Zarubin")."""
    for m in _AUDIENCE_LEAD.finditer(text):
        for men in mentions:
            if men.start >= m.end() and men.start - m.end() <= 45 and men.entity in persons:
                if men.entity != speaker:
                    return men.entity
                break
    return None


def extract(
    docs: list[list[str]], index: EntityIndex, reported: dict[tuple[int, int], int] | None = None
) -> list[QuoteMention]:
    """Every direct quote of every article, attributed.

    ``reported``, when given, is filled with the speaker of each sentence that
    reports speech without quoting it ("He said his government had always...").
    """
    persons = {e.id for e in index.entities if e.person}
    nonpersons = {e.id for e in index.entities if not e.person}
    out: list[QuoteMention] = []
    for a, units in enumerate(docs):
        last_speaker: tuple[int, int | None, str] | None = None  # (unit, entity, as written)
        recent_person: list[tuple[int, int]] = []  # (unit, entity): subjects of recent sentences
        for u, text in enumerate(units):
            ments = index.mentions(a, u)
            quotes = find_quotes(text)
            toks = tokens(text, quotes, ments) if quotes else []
            found: list[QuoteMention] = []
            for qi, (s, e, inner) in enumerate(quotes):
                spk, cue, how = attribute(toks, qi)
                qm = QuoteMention(a, u, s, e, inner, cue=cue, how=how)
                if spk is not None and spk.kind == "N" and spk.mention is not None:
                    qm.speaker, qm.speaker_as_written = spk.mention.entity, spk.text
                elif spk is not None and spk.kind == "R":
                    qm.speaker, qm.speaker_as_written = (
                        _resolve_pronoun(u, last_speaker, recent_person),
                        spk.text,
                    )
                    qm.how += "+pronoun"
                qm.via = [
                    v for v in vias(toks, spk) if (ent := index.lookup(v)) is None or ent.id in nonpersons
                ]
                found.append(qm)
            # Unattributed quotes: a colon-introduced quote, or the run of the last speaker.
            for qm in found:
                if qm.speaker is None and not qm.cue:
                    prev = units[u - 1] if u > 0 else ""
                    if text.lstrip().startswith(("“", '"')) and prev.rstrip().endswith(":"):
                        pm = index.mentions(a, u - 1)
                        ptoks = tokens(prev + " “x x”", [(len(prev) + 1, len(prev) + 6, "x x")], pm)
                        spk, cue, how = attribute(ptoks, 0)
                        if spk is not None:
                            if spk.kind == "N" and spk.mention is not None:
                                qm.speaker, qm.speaker_as_written = spk.mention.entity, spk.text
                            else:
                                qm.speaker = _resolve_pronoun(u - 1, last_speaker, recent_person)
                                qm.speaker_as_written = spk.text
                            qm.cue, qm.how = cue, "colon"
                            qm.via = vias(ptoks, spk)
                            if qm.to is None:
                                qm.to = audience(prev, pm, qm.speaker, persons)
                    if qm.speaker is None:
                        same = [o for o in found if o.speaker is not None]
                        if same:
                            qm.speaker, qm.speaker_as_written, qm.how = same[0].speaker, "", "same-sentence"
                        elif last_speaker is not None and last_speaker[0] >= u - 1:
                            qm.speaker, qm.how = last_speaker[1], "run"
            for qm in found:
                if qm.to is None:
                    qm.to = audience(text, ments, qm.speaker, persons)
                if qm.to is None and u > 0 and qm.speaker is not None:
                    prev_ments = index.mentions(a, u - 1)
                    if any(m.entity == qm.speaker for m in prev_ments):
                        qm.to = audience(units[u - 1], prev_ments, qm.speaker, persons)
            out.extend(found)
            spoken = [q for q in found if q.speaker is not None and q.speaker in persons]  # "he" is a person
            if spoken:
                last_speaker = (u, spoken[-1].speaker, spoken[-1].speaker_as_written)
            if reported is not None and not quotes and text:
                spk = _reporting_subject(text, ments)
                if spk is not None:
                    who = spk.mention.entity if spk.mention is not None else None
                    if spk.kind == "R":
                        who = _resolve_pronoun(u, last_speaker, recent_person)
                    if who is not None:
                        reported[(a, u)] = who
            subj = _sentence_subject(text, ments, persons)
            if subj is not None:
                recent_person.append((u, subj))
    return out


def _reporting_subject(text: str, ments: list[Mention]) -> Tok | None:
    """The subject of the first speech verb of a sentence ("Dragan said ...", "He said ...")."""
    toks = tokens(text, [], ments)
    for k, t in enumerate(toks):
        if t.kind == "C":
            return _subject(toks, k)
    return None


def _sentence_subject(text: str, ments: list[Mention], persons: set[int]) -> int | None:
    """The person a sentence is about: the subject of a speech verb, else its first person."""
    toks = tokens(text, find_quotes(text), ments)
    for k, t in enumerate(toks):
        if t.kind == "C":
            s = _subject(toks, k)
            if s is not None and s.mention is not None and s.mention.entity in persons:
                return s.mention.entity
    for m in ments:
        if m.entity in persons and not m.possessive:
            return m.entity
    return None


def _resolve_pronoun(
    u: int, last_speaker: tuple[int, int | None, str] | None, recent: list[tuple[int, int]]
) -> int | None:
    """'he said': whoever the article spoke about last, a quote's speaker or a sentence's subject."""
    cands: list[tuple[int, int]] = []
    if last_speaker is not None and last_speaker[0] >= u - 2 and last_speaker[1] is not None:
        cands.append((last_speaker[0], last_speaker[1]))
    if recent and recent[-1][0] >= u - 3:
        cands.append(recent[-1])
    if not cands:
        return None
    return max(cands, key=lambda c: c[0])[1]


# ----------------------------------------------------------------------------- the ledger


@dataclass
class Ledger:
    """A story's quote ledger.

    ``quotes`` are the digest's ``quotes[]`` in ledger order (by speaker, see :func:`_by_speaker`),
    ``speakers`` its ``speakers[]`` (one per person, with the ids of their quotes); ``of_unit`` maps an
    (article, unit) to the quotes (indices into ``quotes``) it carries, ``speaker_of_unit`` to who
    speaks in it, ``units`` each quote to the units carrying it.
    """

    quotes: list[dict[str, Any]]
    speakers: list[dict[str, Any]]
    of_unit: dict[tuple[int, int], list[int]]
    speaker_of_unit: dict[tuple[int, int], str]
    units: list[list[tuple[int, int]]]


def ledger(ctx: Ctx) -> Ledger:
    """The story's quote ledger: quotes matched across outlets by wording, grouped by speaker."""
    docs = [[t if (a, u) in ctx.pos else "" for u, t in enumerate(us)] for a, us in enumerate(ctx.docs)]
    reported: dict[tuple[int, int], int] = {}
    ments = [m for m in extract(docs, ctx.index, reported) if m.n_words >= 2]
    merged = _one_speaker_per_person(ctx.index, ments, reported)
    speaker_of_unit = {  # who speaks in a sentence, for the summary (fragments like "about 3,900" do not count)
        (m.art, m.unit): m.speaker for m in ments if m.speaker is not None and m.n_words >= 4
    }
    if not ments:
        return _by_speaker(ctx, [], speaker_of_unit, merged)
    qtexts = [m.text for m in ments]
    qsem = embed_texts(qtexts, ctx.enc, ctx.cache)
    n = len(ments)
    cs = [content(t) for t in qtexts]
    norms = [norm_quote(t) for t in qtexts]
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(n):
        for j in range(i + 1, n):
            if _same_quote(ments[i], ments[j], cs[i], cs[j], norms[i], norms[j], qsem, i, j):
                parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)

    out: list[dict[str, Any]] = []
    for idx in sorted(groups.values(), key=lambda g: (-len({ments[i].art for i in g}), g[0])):
        group = [ments[i] for i in idx]
        entry = _ledger_entry(ctx, group, [norms[i] for i in idx], [cs[i] for i in idx], qsem, idx)
        if entry is not None and is_utterance(entry["text"]):  # not a quoted phrase ("this week")
            out.append(entry)
    _add_reported(ctx, out, ments, reported)
    return _by_speaker(ctx, out, speaker_of_unit, merged)


def is_utterance(text: str) -> bool:
    """A quote the ledger shows: three words or more, or a whole sentence of two ("We agree.").

    Two quoted words inside a reporter's sentence ("hopefully" reached a deal "this week",
    progress "within days.") are a phrase the outlet borrowed, not something a speaker said.
    """
    if len(words(text)) >= 3:
        return True
    t = text.strip().strip("“”‘’\"'").strip()
    return len(words(t)) == 2 and t[:1].isupper() and t.endswith((".", "!", "?"))


def _same_quote(a: QuoteMention, b: QuoteMention, ca, cb, na: str, nb: str, qsem, i: int, j: int) -> bool:
    if na == nb:
        return True
    small = min(len(ca), len(cb))
    cont = containment(ca, cb)
    sem = float(qsem[i] @ qsem[j]) if qsem is not None else 0.0
    if a.art == b.art and a.unit == b.unit:
        return False
    same_speaker = a.speaker is None or b.speaker is None or a.speaker == b.speaker
    known_same = a.speaker is not None and a.speaker == b.speaker
    if (na in nb or nb in na) and (small >= 3 or (small >= 2 and known_same)):
        return same_speaker or small >= 4
    if small >= 3 and cont >= 0.7:
        return same_speaker or cont >= 0.9
    if small >= 3 and sem >= QUOTE_SIM and cont >= 0.4:
        return same_speaker or sem >= 0.9
    return False


def _ledger_entry(ctx: Ctx, group: list[QuoteMention], norms, cs, qsem, idx) -> dict[str, Any] | None:
    index = ctx.index
    speakers = Counter(m.speaker for m in group if m.speaker is not None)
    speaker = speakers.most_common(1)[0][0] if speakers else None
    tos = Counter(m.to for m in group if m.to is not None)
    to = tos.most_common(1)[0][0] if tos else None
    variants: dict[str, dict[str, Any]] = {}
    for m, nq in zip(group, norms):
        v = variants.setdefault(nq, {"text": m.text, "quoted": True, "mentions": []})
        v["mentions"].append(m)
    canon_key = max(
        variants, key=lambda k: (len({m.art for m in variants[k]["mentions"]}), len(k.split()), -len(k))
    )
    # The canonical wording is the longest one that the most carried wording sits in.
    longer = [k for k in variants if canon_key in k and k != canon_key]
    if longer:
        canon_key = max(longer, key=lambda k: (len({m.art for m in variants[k]["mentions"]}), len(k)))
    alterations: list[dict[str, Any]] = []
    vlist = []
    for k, v in variants.items():
        arts = {m.art for m in v["mentions"]}
        if k == canon_key:
            rel = "canonical"
        elif k in canon_key:
            rel = "cut"
        elif canon_key in k:
            rel = "extended"
        elif any(k in other for other in variants if other != k):
            rel = "cut"
        else:
            rel = "reworded"
        spk = Counter(m.speaker for m in v["mentions"] if m.speaker is not None)
        vs = spk.most_common(1)[0][0] if spk else None
        m0 = v["mentions"][0]
        vlist.append(
            {
                "text": v["text"],
                "quoted": True,
                "relation": rel,
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[a].id for a in arts),
                "first": ctx.first(arts),
                "speaker": index.entities[vs].name if vs is not None else None,
                "speaker_as_written": sorted(
                    {m.speaker_as_written for m in v["mentions"] if m.speaker_as_written}
                ),
                "cue": sorted({m.cue for m in v["mentions"] if m.cue}),
                "via": sorted({x for m in v["mentions"] for x in m.via}),
                "context": clip(ctx.docs[m0.art][m0.unit], 300),
            }
        )
        if rel == "reworded":
            alterations.append(
                {
                    "kind": "wording",
                    "outlets": ctx.outlets_of(arts),
                    "detail": "wording inside the quotation marks differs",
                }
            )
        if rel == "cut":
            dropped = _cut_drops(k, canon_key)
            if dropped:
                alterations.append(
                    {
                        "kind": "cut",
                        "outlets": ctx.outlets_of(arts),
                        "detail": f"the cut drops {', '.join(repr(w) for w in dropped)}",
                    }
                )
        if speaker is not None and vs is not None and vs != speaker:
            alterations.append(
                {
                    "kind": "speaker",
                    "outlets": ctx.outlets_of({m.art for m in v["mentions"] if m.speaker == vs}),
                    "detail": f"attributed to {index.entities[vs].name}",
                }
            )
    order = {"canonical": 0, "extended": 1, "cut": 2, "reworded": 3}
    vlist.sort(key=lambda v: (order[v["relation"]], -len(v["outlets"]), v["text"]))
    arts = {m.art for m in group}
    names = Counter(
        m.speaker_as_written
        for m in group
        if m.speaker_as_written and m.speaker_as_written.lower() not in ("he", "she")
    )
    return {
        "speaker": index.entities[speaker].name if speaker is not None else None,
        "speaker_names": sorted(names),
        "to": index.entities[to].name if to is not None else None,
        "text": variants[canon_key]["text"],
        "outlets": ctx.outlets_of(arts),
        "articles": sorted(ctx.arts[a].id for a in arts),
        "reports": ctx.reports_of(arts),
        "label": ctx.label(arts),
        "first": ctx.first(arts),
        "altered": bool(alterations),
        "alterations": alterations,
        "variants": vlist,
        "_arts": arts,
        "_units": sorted({(m.art, m.unit) for m in group}),
        "_vecs": None if qsem is None else qsem[idx],
        "_speaker_id": speaker,
        "_content": frozenset().union(*cs),
    }


def _cut_drops(short: str, full: str) -> list[str]:
    """Negations or conditions next to where a quote was cut: a cut that can flip the meaning."""
    i = full.find(short)
    if i < 0:
        return []
    before = full[:i].split()[-3:]
    after = full[i + len(short) :].split()[:3]
    return [w for w in before + after if w in NEGATIONS]


def _add_reported(
    ctx: Ctx, out: list[dict[str, Any]], ments: list[QuoteMention], reported: dict[tuple[int, int], int]
) -> None:
    """Unquoted sentences that render a quote become its variants.

    A close rendering with the quote's words ("paraphrase": a spinner dropped
    the quotation marks), or indirect speech by the same speaker that shares the
    quote's words ("reported": "He said his government had always welcomed...").
    """
    if ctx.sem is None:
        return
    quoted_units = {(m.art, m.unit) for m in ments}
    for entry in out:
        if entry["_vecs"] is None or len(entry["_content"]) < 4:
            continue
        hits: dict[str, set[int]] = defaultdict(set)
        kind: dict[str, str] = {}
        for i, (a, u) in enumerate(ctx.cand):
            if (a, u) in quoted_units:
                continue
            c = content(ctx.texts[i])
            cont = containment(c, entry["_content"])
            if len(c) < 5 or cont < 0.4:
                continue
            sem = float((entry["_vecs"] @ ctx.sem[i]).max())
            if sem >= REPORTED_SIM and cont >= 0.5:
                hits[ctx.texts[i]].add(a)
                kind[ctx.texts[i]] = "paraphrase"
            elif (
                sem >= 0.45
                and entry["_speaker_id"] is not None
                and reported.get((a, u)) == entry["_speaker_id"]
            ):
                hits[ctx.texts[i]].add(a)
                kind[ctx.texts[i]] = "reported"
        for text, arts in hits.items():
            entry["variants"].append(
                {
                    "text": text,
                    "quoted": False,
                    "relation": kind[text],
                    "outlets": ctx.outlets_of(arts),
                    "articles": sorted(ctx.arts[a].id for a in arts),
                    "first": ctx.first(arts),
                    "speaker": entry["speaker"],
                    "speaker_as_written": [],
                    "cue": [],
                    "via": [],
                    "context": clip(text, 300),
                }
            )
            entry["_arts"] |= arts
            entry["outlets"] = ctx.outlets_of(entry["_arts"])
            entry["articles"] = sorted(ctx.arts[a].id for a in entry["_arts"])
            entry["reports"] = ctx.reports_of(entry["_arts"])
            entry["label"] = ctx.label(entry["_arts"])
            entry["first"] = ctx.first(entry["_arts"])


# ----------------------------------------------------------------------------- by speaker


def _one_speaker_per_person(
    index: EntityIndex, ments: list[QuoteMention], reported: dict[tuple[int, int], int]
) -> dict[int, list[int]]:
    """Speakers who are one person become one speaker.

    The name index keeps a bare surname apart when it matches several full names of the story
    ("Felt": Mark Felt, Joan Felt). A speaker so named is the person the story is about when one of
    those full names dominates it (three times the mentions of any other): "Felt said" is Mark Felt.
    """
    ids = {m.speaker for m in ments if m.speaker is not None} | set(reported.values())
    same: dict[int, int] = {}
    for i in ids:
        name = index.entities[i].name
        if len(name.split()) != 1:
            continue
        hits = sorted(
            (
                (len(e.mentions), e.id)
                for e in index.entities
                if len(e.name.split()) >= 2 and similar_word(name, e.name.split()[-1])
            ),
            reverse=True,
        )
        if hits and (len(hits) == 1 or hits[0][0] >= 3 * hits[1][0]):
            same[i] = hits[0][1]
    for m in ments:
        if m.speaker is not None:
            m.speaker = same.get(m.speaker, m.speaker)
    for k, v in reported.items():
        reported[k] = same.get(v, v)
    merged: dict[int, list[int]] = defaultdict(list)
    for i, j in same.items():
        merged[j].append(i)
    return merged


def _by_speaker(
    ctx: Ctx,
    entries: list[dict[str, Any]],
    speaker_of_unit: dict[tuple[int, int], int],
    merged: dict[int, list[int]],
) -> Ledger:
    """The ledger in reading order: speakers by how many outlets quote them (ties: name; unattributed
    quotes last), each speaker's quotes by how many outlets carry them, then where they first appear."""
    index = ctx.index
    by: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    for e in entries:
        by[e["_speaker_id"]].append(e)
    outlets = {k: {o for e in es for o in e["outlets"]} for k, es in by.items()}

    def speaker_order(k: int | None) -> tuple:
        return (k is None, -len(outlets[k]), "" if k is None else fold(index.entities[k].name))

    quotes: list[dict[str, Any]] = []
    speakers: list[dict[str, Any]] = []
    units: list[list[tuple[int, int]]] = []
    of_unit: dict[tuple[int, int], list[int]] = defaultdict(list)
    for k in sorted(by, key=speaker_order):
        first, arts = len(quotes), set()
        for e in sorted(by[k], key=lambda e: (-len(e["outlets"]), min(e["_units"]), e["text"])):
            for u in e["_units"]:
                of_unit[u].append(len(quotes))
            units.append(e["_units"])
            arts |= e["_arts"]
            quotes.append(
                {"id": f"q{len(quotes) + 1}", **{f: v for f, v in e.items() if not f.startswith("_")}}
            )
        mine = quotes[first:]
        names: Counter = Counter()
        people = [] if k is None else [k, *merged.get(k, [])]
        for e in people:
            names.update(index.entities[e].variants)
        speakers.append(
            {
                "speaker": None if k is None else index.entities[k].name,
                "names": [n for n, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))],
                "roles": [r["role"] for r in ctx.roles(*people)][:3],
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[a].id for a in arts),
                "reports": ctx.reports_of(arts),
                "label": ctx.label(arts),
                "first": ctx.first(arts),
                "altered": any(q["altered"] for q in mine),
                "quotes": [q["id"] for q in mine],
            }
        )
    names_of_unit = {u: index.entities[k].name for u, k in speaker_of_unit.items()}
    return Ledger(quotes, speakers, dict(of_unit), names_of_unit, units)
