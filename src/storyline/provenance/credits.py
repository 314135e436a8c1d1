"""Wire-agency credits in article text: "(Reuters) -", "according to Reuters", "— AP",
"with inputs from PTI", and the like.

A credit is a claim about where the whole article comes from; a quote
attribution ("Peskov told the Interfax news agency") only says where one
quote comes from. Both name an agency, so each mention is weighed by where
and how it appears: a dateline or credit line counts fully, a mention in the
lede without a quotation counts nearly fully, a mention inside a quoted or
attributed sentence counts little. An agency becomes a probable source of the
article only through credits, never through quote attributions alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# canonical name -> spellings (regex fragments, matched case-sensitively unless noted)
WIRES: dict[str, tuple[str, ...]] = {
    "reuters": (r"(?<!Thomson )Reuters",),
    "ap": (r"Associated Press", r"\bAP\b(?! Photo)(?!-)", r"\bthe AP\b"),
    "afp": (r"\bAFP\b", r"Agence France[- ]Presse"),
    "bloomberg": (r"Bloomberg(?: News)?",),
    "dpa": (r"\bdpa\b", r"\bDPA\b", r"Deutsche Presse-Agentur"),
    "pti": (r"\bPTI\b", r"Press Trust of India"),
    "ani": (r"\bANI\b", r"Asian News International"),
    "ians": (r"\bIANS\b",),
    "uni": (r"\bUNI\b", r"United News of India"),
    "xinhua": (r"Xinhua",),
    "kyodo": (r"Kyodo(?: News)?",),
    "yonhap": (r"Yonhap",),
    "interfax": (r"Interfax",),
    "tass": (r"\bTASS\b", r"\bTass\b"),
    "ria": (r"RIA(?: Novosti)?\b",),
    "efe": (r"\bEFE\b",),
    "ansa": (r"\bANSA\b",),
    "anadolu": (r"Anadolu(?: Agency)?",),
    "upi": (r"\bUPI\b", r"United Press International"),
    "pa": (r"\bPA Media\b", r"Press Association", r"\(PA\)"),
    "cp": (r"Canadian Press", r"\(CP\)"),
    "aap": (r"\bAAP\b", r"Australian Associated Press"),
    "bernama": (r"Bernama",),
    "antara": (r"\bAntara\b",),
    "dow-jones": (r"Dow Jones Newswires",),
    "cnn": (r"\bCNN\b", r"Cable News Network"),  # syndicated to affiliates and partner sites with its "CNN —" dateline
}
DISPLAY = {
    "reuters": "Reuters", "ap": "AP", "afp": "AFP", "bloomberg": "Bloomberg", "dpa": "dpa", "pti": "PTI",
    "ani": "ANI", "ians": "IANS", "uni": "UNI", "xinhua": "Xinhua", "kyodo": "Kyodo", "yonhap": "Yonhap",
    "interfax": "Interfax", "tass": "TASS", "ria": "RIA Novosti", "efe": "EFE", "ansa": "ANSA",
    "anadolu": "Anadolu", "upi": "UPI", "pa": "PA Media", "cp": "Canadian Press", "aap": "AAP",
    "bernama": "Bernama", "antara": "Antara", "dow-jones": "Dow Jones", "cnn": "CNN",
}  # fmt: skip

_NAME = "|".join(f"(?P<{k.replace('-', '_')}>{'|'.join(v)})" for k, v in WIRES.items())
_NAME_RE = re.compile(_NAME)
_Q = "\"“”«»"
# Formal credits: dateline "(Reuters) -", a credit line "— AP" or "source: AP News", a line that is the
# wire's name alone (a byline), "with inputs from PTI", "CNN's Jane Doe contributed to this report", the wire's
# copyright notice with its year ("Copyright 2023 The Associated Press", "© 2022 Cable News Network").
_FORMAL = [
    re.compile(r"\(\s*(?:" + _NAME + r")\s*\)"),
    re.compile(r"^[ \t]*(?:[-—–]{1,2}|©|Copyright|(?i:source)[ \t]*:)[ \t]*(?:the[ \t]+)?(?:" + _NAME
               + r")(?:[ \t]+News)?[ \t]*\.?[ \t]*$", re.MULTILINE),
    re.compile(r"^[ \t]*(?:The[ \t]+)?(?:" + _NAME + r")[ \t]*$", re.MULTILINE),
    re.compile(r"(?i:with (?:inputs|input|agency inputs|additional reporting) from)\s+(?:" + _NAME + r")"),
    re.compile(r"(?:" + _NAME + r")(?:(?:'s|’s)\s+[A-Z][^.\n]{0,150}?)?\s+(?i:contributed to this report)"),
    re.compile(r"(?:©|(?i:copyright))[ \t]*(?:19|20)\d\d,?[ \t]+(?:The[ \t]+)?(?:" + _NAME + r")"),
]
# A dateline opening the text: "LONDON (AP) —", "CNN —", "ADANA, Turkey/Damascus (Reuters) –".
_ANY_NAME = "|".join(f"(?:{'|'.join(v)})" for v in WIRES.values())
_DATELINE = re.compile(
    r"^[ \t]*(?:[A-Z][A-Z.'-]+(?:[ ,/]+[A-Za-z.'-]+){0,5}?\s*)?(?:\(\s*(?:" + _ANY_NAME + r")\s*\)|(?:" + _ANY_NAME + r"))"
    r"[ \t]*[-—–]{1,2}[ \t]*"
)
# A link to the wire's own page as the source: "READ MORE: https://apnews.com/...", "Source: reuters.com".
WIRE_DOMAINS = {"apnews.com": "ap", "reuters.com": "reuters", "afp.com": "afp", "cnn.com": "cnn", "upi.com": "upi"}
_LINK = re.compile(
    r"(?i:read more|source|originally published (?:at|on|by)|via|full story)\s*:?\s*(?:https?://)?(?:www\.|edition\.)?"
    r"(" + "|".join(re.escape(d) for d in WIRE_DOMAINS) + r")\b"
)
# The wire's own people in the narration ("Associated Press journalists witnessed the devastation",
# "a Reuters witness saw"): only the wire's text speaks of its reporters so; a copy carries it.
_PRESENCE = re.compile(
    r"(?:" + _NAME + r")\s+(?:(?:journalists?|reporters?|photographers?|correspondents?|witness(?:es)?|"
    r"videographers?|staff(?:ers)?)\s+(?:who\s+)?(?:saw|witnessed|observed|counted|found|visited|reached|watched|"
    r"heard|were|was|have|has|had|spoke|interviewed)\b"
    # ... and the wire's own caveat on a figure: "Reuters could not immediately verify the reports"
    r"|(?:could not|was unable to|has not been able to|cannot)\s+(?:immediately\s+|independently\s+)*"
    r"(?:verify|confirm)\b)"
)
# Photo credits name where a picture comes from, not the text: "(AP Photo/Jeff Chiu)", "(Kyodo News via AP)",
# "Tiffany Kidder Winn through AP", "(Source: Associated Press)" under a caption, "Photo: AP", "AFP/FRANK AUGSTEIN".
_PHOTO = [
    re.compile(r"(?:via|through)\s+(?:" + _NAME + r")(?=\s*\)|[ \t]*$)", re.MULTILINE),
    re.compile(r"\(\s*(?i:source|photo|image|picture)\s*:\s*(?:" + _NAME + r")\s*\)"),
    re.compile(r"(?i:photo|image|picture|photo_camera)\s*:?\s*(?:" + _NAME + r")\b"),
    re.compile(r"(?:" + _NAME + r")\s*(?:File\s+)?Photo\b"),
    re.compile(r"(?:" + _NAME + r")/(?=[A-Z])"),
]
_AP_PHOTO = re.compile(r"\bAP (?:File )?Photo\b")  # the AP pattern of WIRES leaves "AP Photo" out
_REUTERS_SIGNOFF = re.compile(r"\((?:Reporting|Writing) by [^)]*(?:Editing by)[^)]*\)")
_QUOTE_VERBS = re.compile(
    r"\b(?:told|telling|tells|quoted|quoting|cited|citing|interview(?:ed)?|as reported by)\b", re.IGNORECASE
)
# "..., Reuters reported", "reported Reuters, quoting NHK", "according to AP": the wire as the teller of
# the whole sentence's news (a quote verb later in it names the wire's own source).
_REPORTED_BY = re.compile(r"(?i:\b(?:reported|reports|according to)\s+(?:the\s+)?)$")
_REPORTS = re.compile(r"\s*(?:news agency\s+)?(?i:reported|reports)\b")
PROSE_WORDS = 8  # sentences shorter than this (headlines, captions, menus) do not count towards the lede
LEDE_SENTENCES = 3


@dataclass(slots=True, frozen=True)
class Mention:
    wire: str
    kind: str  # formal | lede | body | quote
    weight: float
    text: str

    def to_json(self) -> dict[str, object]:
        return {"wire": self.wire, "kind": self.kind, "weight": self.weight, "text": self.text}


def _wire_of(m: re.Match[str]) -> str:
    for k, v in m.groupdict().items():
        if v:
            return k.replace("_", "-")
    return ""


def wire_of_outlet(outlet: str) -> str | None:
    """The wire an outlet name denotes ("Reuters", "The Associated Press"), if any."""
    m = _NAME_RE.search(outlet or "")
    return _wire_of(m) if m else None


def mentions(sentences: list[str], text: str) -> list[Mention]:
    """Every agency mention in an article, with its kind and weight."""
    found: list[Mention] = []
    names = {m.group(0) for m in _NAME_RE.finditer(text)}
    if not names and not _LINK.search(text) and not _AP_PHOTO.search(text):
        return found
    formal_spans: set[str] = set()
    for rx in _FORMAL:
        for m in rx.finditer(text):
            wire = _wire_of(m)
            if wire:
                found.append(Mention(wire, "formal", 1.0, m.group(0).strip()))
                formal_spans.add(wire)
    for m in _LINK.finditer(text):
        found.append(Mention(WIRE_DOMAINS[m.group(1).lower()], "formal", 1.0, m.group(0).strip()))
    for line in text.splitlines()[:12]:  # a dateline opens the body, under a headline or a caption or two
        wire = _dateline_wire(line)
        if wire and wire not in formal_spans:
            found.append(Mention(wire, "formal", 1.0, _DATELINE.match(line).group(0).strip()))
            formal_spans.add(wire)
            break
    for m in _PRESENCE.finditer(text):
        wire = _wire_of(m)
        if wire and wire not in formal_spans:
            found.append(Mention(wire, "presence", 1.0, m.group(0).strip()))
            formal_spans.add(wire)
    photo_spans = []
    for rx in _PHOTO:
        for m in rx.finditer(text):
            wire = _wire_of(m)
            if wire:
                found.append(Mention(wire, "photo", 0.0, m.group(0).strip()))
                photo_spans.append(m.group(0))
    for m in _AP_PHOTO.finditer(text):
        found.append(Mention("ap", "photo", 0.0, m.group(0)))
    if _REUTERS_SIGNOFF.search(text):
        found.append(Mention("reuters", "formal", 0.9, _REUTERS_SIGNOFF.search(text).group(0)))
    prose = 0
    for k, s in enumerate(sentences):
        long_enough = len(s.split()) >= PROSE_WORDS
        if not any(nm in s for nm in names):
            prose += long_enough
            continue
        for m in _NAME_RE.finditer(s):
            wire = _wire_of(m)
            if not wire or f"({m.group(0)})" in s or _in_photo_credit(s, m, photo_spans):
                continue
            nxt = sentences[k + 1].lstrip() if k + 1 < len(sentences) else ""
            reported = bool(_REPORTED_BY.search(s[: m.start()]) or _REPORTS.match(s[m.end():]))
            quoted = (
                any(c in s for c in _Q)
                or (bool(_QUOTE_VERBS.search(s)) and not reported)
                or s.rstrip().endswith(":")
                or nxt[:1] in _Q
            )
            if prose < LEDE_SENTENCES and long_enough and not quoted:
                found.append(Mention(wire, "lede", 0.8, s))
            elif quoted:
                found.append(Mention(wire, "quote", 0.25, s))
            else:
                found.append(Mention(wire, "body", 0.4, s))
        prose += long_enough
    return found


def _in_photo_credit(sentence: str, m: re.Match[str], spans: list[str]) -> bool:
    """Whether the name ``m`` found in ``sentence`` is part of a photo credit."""
    return any(m.group(0) in sp and sp in sentence for sp in spans)


def photo(found: list[Mention]) -> set[str]:
    """Wires named only as the source of a picture (a weak hint for a family of copies with no credit)."""
    return {m.wire for m in found if m.kind == "photo"}


def credit_scores(found: list[Mention]) -> dict[str, float]:
    """Per wire, how strongly the article credits it (0..1); quote attributions alone stay below 0.6."""
    scores: dict[str, float] = {}
    found = [m for m in found if m.kind != "photo"]
    for m in found:
        scores[m.wire] = min(1.0, scores.get(m.wire, 0.0) + m.weight)
    for wire in list(scores):
        if all(m.kind == "quote" for m in found if m.wire == wire):
            scores[wire] = min(scores[wire], 0.5)
    return scores


CREDIT_MIN = 0.6


def credited(found: list[Mention]) -> dict[str, float]:
    """The wires an article credits as its source, with strength."""
    return {w: s for w, s in credit_scores(found).items() if s >= CREDIT_MIN}


def formal(found: list[Mention]) -> set[str]:
    """Wires credited by a dateline, a credit line or a source link (not only in prose)."""
    return {m.wire for m in found if m.kind in ("formal", "presence")}


def _dateline_wire(line: str) -> str | None:
    m = _DATELINE.match(line)
    if not m:
        return None
    names = list(_NAME_RE.finditer(m.group(0)))
    return _wire_of(names[-1]) if names else None


_PLACE_DATELINE = re.compile(r"^[ \t]*[A-Z][A-Z.'-]+(?:[ ,/]+[A-Za-z.'-]+){0,5}?[ \t]+[-—–]{1,2}[ \t]+(?=\S)")


def strip_dateline(sentence: str) -> str:
    """A sentence without the dateline it opens with ("LONDON (AP) — Queen ..." and "LONDON — Queen ..."
    -> "Queen ...")."""
    m = _DATELINE.match(sentence)
    if m and _dateline_wire(sentence):
        return sentence[m.end():]
    m = _PLACE_DATELINE.match(sentence)
    return sentence[m.end():] if m else sentence


# A dateline of any kind opening the body ("SEOUL -", "SEOUL, South Korea (AP) —", "SEOUL:"; after a date
# stamp, as some pages give the publication date first), with a wire's name or none: the wires' style,
# which their copies keep and an outlet's own report rarely has.
_ANY_DATELINE = re.compile(
    r"^[ \t]*(?:(?:date\s+)?\d{4}-\d\d-\d\d\s+)?"
    r"(?:[A-Z][A-Z.'-]{2,}(?:[ ,/]+[A-Za-z.'-]+){0,5}?(?:\s*\([A-Za-z. ]+\))?|\([A-Za-z. ]+\))\s*[-—–:]{1,2}\s"
)


def opens_with_dateline(text: str) -> bool:
    """Whether a dateline opens the body (under a headline or a caption or two)."""
    return any(_ANY_DATELINE.match(line) for line in text.splitlines()[:12])


def display(wire: str) -> str:
    return DISPLAY.get(wire, wire)
