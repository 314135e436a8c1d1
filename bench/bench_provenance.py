"""Generated provenance benchmark: derived copies of real ECB+ articles, with known parents.

    python bench/bench_provenance.py                  # all stories, report by transformation
    python bench/bench_provenance.py --stories 10     # a quick subset
    python bench/bench_provenance.py --split even     # only stories of even topics (odd: the other half)
    python bench/bench_provenance.py --absent         # stories as real events come (every report absent)
    python bench/bench_provenance.py --versions       # wire reports in several versions, each copied

For each ECB+ story (subtopic) one article is the original. From it we derive
copies by trimming, light edits, sentence reordering, machine-style synonym
spinning, boilerplate insertion and a translation-like paraphrase, plus a
chain (original -> light edit -> trimmed copy of the edit). Other real
articles of the same story join as independent reports. Publish times follow
the derivations but are sometimes missing or wrong. In some stories the
original is a wire story left out of the corpus, its copies crediting the
wire: their expected parent is then ``wire:<name>``. With ``--absent`` every story
is built as the real pages of an event come instead: two or three reports, none in
the story, each reached only through a few copies (of one of its versions), cut short
in page furniture, beside independent reports. With ``--versions`` every story is one or two
wire reports in several versions (a first take, one or two write-throughs that move the figures on,
rewrite the lead, add and move sentences), each version reached through copies of its own (verbatim
ones cut short in furniture, light rewrites reworded all along, spun copies), so that a verbatim copy is compared with
copies of another version, as real wire copies are. The ECB+ texts are read
from ../shared/data/ecbplus at run time and never stored in the repository.

The last line printed is JSON: grade macro-F1, parent accuracy, and both by
transformation.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from storyline.model import Article
from storyline.provenance import analyse_story
from storyline.provenance.encoding import encode_sentences
from storyline.provenance.sentences import split_sentences

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ecbplus" / "docs.jsonl"

# A spinner's thesaurus: common words -> rarer synonyms (written for this benchmark).
SPIN = {
    "said": ["stated", "declared", "remarked", "asserted"], "says": ["states", "declares", "remarks"],
    "told": ["informed", "apprised"], "big": ["sizeable", "hefty"], "large": ["sizeable", "substantial"],
    "small": ["diminutive", "modest"], "help": ["assist", "aid"], "start": ["commence", "initiate"],
    "started": ["commenced", "initiated"], "begin": ["commence"], "began": ["commenced"],
    "end": ["conclude", "terminate"], "ended": ["concluded", "terminated"], "show": ["demonstrate", "exhibit"],
    "showed": ["demonstrated", "exhibited"], "try": ["endeavour", "attempt"], "tried": ["endeavoured"],
    "use": ["utilise", "employ"], "used": ["utilised", "employed"], "buy": ["purchase", "procure"],
    "bought": ["purchased", "procured"], "get": ["obtain", "acquire"], "got": ["obtained", "acquired"],
    "need": ["require", "necessitate"], "needed": ["required"], "want": ["desire", "wish"],
    "wanted": ["desired", "wished"], "ask": ["enquire", "request"], "asked": ["enquired", "requested"],
    "hit": ["struck", "smashed"], "killed": ["slain", "slaughtered"], "died": ["perished", "expired"],
    "dead": ["deceased", "lifeless"], "hurt": ["harmed", "wounded"], "injured": ["wounded", "harmed"],
    "fire": ["blaze", "inferno"], "house": ["dwelling", "residence"], "home": ["residence", "abode"],
    "car": ["automobile", "vehicle"], "man": ["gentleman", "male"], "woman": ["lady", "female"],
    "people": ["individuals", "persons"], "children": ["youngsters", "offspring"], "police": ["constabulary", "cops"],
    "officers": ["officials", "constables"], "attack": ["assault", "onslaught"], "attacks": ["assaults", "onslaughts"],
    "fight": ["combat", "battle"], "fighting": ["combat", "hostilities"], "war": ["conflict", "warfare"],
    "talks": ["negotiations", "discussions"], "deal": ["accord", "pact"], "agreement": ["accord", "pact"],
    "plan": ["scheme", "blueprint"], "plans": ["schemes", "blueprints"], "job": ["occupation", "post"],
    "jobs": ["occupations", "posts"], "company": ["firm", "enterprise"], "money": ["funds", "capital"],
    "quickly": ["speedily", "swiftly"], "fast": ["speedy", "swift"], "slow": ["sluggish", "leisurely"],
    "happy": ["joyous", "elated"], "sad": ["sorrowful", "melancholy"], "angry": ["irate", "incensed"],
    "good": ["favourable", "commendable"], "bad": ["dire", "unfavourable"], "important": ["momentous", "pivotal"],
    "new": ["novel", "fresh"], "old": ["aged", "elderly"], "first": ["initial", "inaugural"],
    "last": ["final", "concluding"], "near": ["adjacent to", "close to"], "about": ["approximately", "roughly"],
    "around": ["approximately", "roughly"], "more": ["additional", "further"], "many": ["numerous", "myriad"],
    "also": ["additionally", "likewise"], "but": ["however", "nevertheless"], "because": ["since", "as"],
    "after": ["following", "subsequent to"], "before": ["prior to", "ahead of"], "during": ["amid", "throughout"],
    "week": ["seven days", "sennight"], "area": ["vicinity", "locale"], "city": ["metropolis", "municipality"],
    "town": ["township", "municipality"], "country": ["nation", "land"], "leader": ["chief", "head honcho"],
    "leaders": ["chiefs", "heads"], "official": ["functionary", "authority"], "officials": ["functionaries", "authorities"],
    "report": ["account", "dispatch"], "reported": ["recounted", "relayed"], "news": ["tidings", "intelligence"],
    "court": ["tribunal", "bench"], "judge": ["magistrate", "adjudicator"], "charged": ["indicted", "accused"],
    "arrested": ["apprehended", "detained"], "jail": ["gaol", "lockup"], "prison": ["penitentiary", "gaol"],
    "hospital": ["infirmary", "medical centre"], "doctor": ["physician", "medic"], "doctors": ["physicians", "medics"],
    "treatment": ["therapy", "remedy"], "found": ["discovered", "uncovered"], "find": ["discover", "uncover"],
    "left": ["departed", "exited"], "leave": ["depart", "exit"], "came": ["arrived", "emerged"],
    "come": ["arrive", "emerge"], "went": ["proceeded", "travelled"], "go": ["proceed", "travel"],
    "made": ["fashioned", "crafted"], "make": ["fashion", "craft"], "took": ["seized", "grabbed"],
    "take": ["seize", "grab"], "gave": ["bestowed", "furnished"], "give": ["bestow", "furnish"],
    "think": ["reckon", "surmise"], "believe": ["reckon", "surmise"], "know": ["realise", "comprehend"],
    "see": ["observe", "witness"], "saw": ["observed", "witnessed"], "keep": ["retain", "preserve"],
    "open": ["amenable", "receptive"], "clear": ["definitive", "unambiguous"], "response": ["rejoinder", "riposte"],
    "expected": ["anticipated", "envisaged"], "expect": ["anticipate", "envisage"], "win": ["triumph", "prevail"],
    "won": ["triumphed", "prevailed"], "lost": ["forfeited", "misplaced"], "game": ["match", "contest"],
    "team": ["squad", "outfit"], "player": ["participant", "competitor"], "star": ["luminary", "celebrity"],
    "film": ["motion picture", "picture"], "movie": ["motion picture", "flick"], "song": ["ditty", "tune"],
    "show ": ["programme"], "earthquake": ["tremor", "quake"], "storm": ["tempest", "gale"],
    "strong": ["robust", "potent"], "weak": ["feeble", "frail"], "high": ["lofty", "elevated"],
    "low": ["meagre", "diminished"], "early": ["premature", "untimely"], "late": ["belated", "tardy"],
    "hard": ["arduous", "strenuous"], "easy": ["effortless", "facile"], "serious": ["grave", "severe"],
    "hope": ["aspire", "wish"], "hoped": ["aspired", "wished"], "optimistic": ["upbeat", "sanguine"],
    "cheerfully": ["upbeatly", "sanguinely"], "happily": ["joyously", "elatedly"], "angrily": ["irately", "incensedly"],
    "sharply": ["steeply", "acutely"], "strongly": ["robustly", "stoutly"], "briefly": ["fleetingly", "concisely"],
}  # fmt: skip
# Neutral swaps for human edits and translation-like paraphrase, used in both directions.
NEUTRAL = [
    ("big", "large"), ("started", "began"), ("killed", "left dead"), ("nearly", "almost"), ("also", "as well"),
    ("house", "home"), ("help", "support"), ("because", "since"), ("week", "seven days"), ("children", "kids"),
    ("man", "person"), ("city", "town"), ("choose", "pick"), ("wounded", "injured"), ("whole", "entire"),
    ("officials", "authorities"), ("maybe", "perhaps"), ("talk", "speak"), ("later", "afterwards"),
    ("said", "told"), ("says", "tells"), ("said", "added"), ("added", "said"), ("shot", "fired at"),
]  # fmt: skip
BOILERPLATE = [
    "Download our app for the latest news", "Subscribe to our newsletter", "Add a Comment",
    "Your email address will not be published.", "Follow us on social media", "Read more:", "Share this article",
    "Advertisement", "Click here to sign up for breaking news alerts", "0", "12", "© All rights reserved.",
]  # fmt: skip
OWN_LINES = [
    "The {paper} could not independently verify the report.", "Further details were not immediately available to the {paper}.",
    "Officials did not respond to requests for comment from the {paper} on {day} evening.",
    "This story was updated on {day} with additional reporting by {name}.", "{name} contributed to this report.",
]  # fmt: skip
PAPERS = ["Courier", "Herald", "Gazette", "Tribune", "Chronicle", "Sentinel", "Observer", "Examiner", "Ledger", "Post"]
NAMES = ["Ana Ruiz", "Tom Hale", "Mei Chen", "Omar Said", "Lena Vogt", "Raj Patel", "Ines Costa", "Kofi Mensah"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def own_line(rng: random.Random) -> str:
    """A sentence a republisher adds (varied, so that two copies rarely add the same one)."""
    return rng.choice(OWN_LINES).format(paper=rng.choice(PAPERS), name=rng.choice(NAMES), day=rng.choice(DAYS))
WIRE_CREDITS = {
    "reuters": ["({wire}) - ", "", "\n\n(Reporting by staff; Editing by desk) ({wire})"],
    "ap": ["({wire}) — ", "\n\n— {wire}"],
    "afp": ["({wire}) - ", "\n\n(With inputs from {wire})"],
    "pti": ["\n\n(With inputs from {wire})"],
}
WIRE_NAMES = {"reuters": "Reuters", "ap": "AP", "afp": "AFP", "pti": "PTI"}
NUMBERS = {"2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven", "8": "eight", "9": "nine"}
_TOKEN = re.compile(r"[A-Za-z]+|[^A-Za-z]+")


def normalise(text: str) -> str:
    """Undo ECB+'s detokenisation artifacts so the originals read like news text."""
    t = text.replace("``", "“").replace("''", "”")
    t = re.sub(r"\s+([,.;:!?’”)])", r"\1", t)
    t = re.sub(r"([“(])\s+", r"\1", t)
    t = re.sub(r"(\w)\s+-\s+(\w)", r"\1-\2", t)
    t = re.sub(r"\s+’\s*s\b", "’s", t)
    return t


def _case(src: str, new: str) -> str:
    if src[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def swap_words(sentence: str, table: dict[str, list[str]], rate: float, rng: random.Random) -> str:
    out = []
    for tok in _TOKEN.findall(sentence):
        low = tok.lower()
        if low in table and rng.random() < rate:
            out.append(_case(tok, rng.choice(table[low])))
        else:
            out.append(tok)
    return "".join(out)


def neutral_swap(sentence: str, rate: float, rng: random.Random) -> str:
    table: dict[str, list[str]] = defaultdict(list)
    for a, b in NEUTRAL:
        table[a].append(b)
        table[b].append(a)
    return swap_words(sentence, table, rate, rng)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n") if p.strip()]


def sentences_of(text: str) -> list[str]:
    return [s for p in paragraphs(text) for s in split_sentences(p)]


def t_trim(text: str, rng: random.Random) -> str:
    sents = sentences_of(text)
    keep = max(3, int(len(sents) * rng.uniform(0.55, 0.85)))
    out = sents[:keep]
    if len(out) > 5 and rng.random() < 0.5:
        out.pop(rng.randrange(2, len(out)))
    return "\n".join(out)


def _edit(s: str, rng: random.Random) -> str:
    """One copy-editor change that really changes the sentence (if any applies)."""
    options = [
        lambda x: neutral_swap(x, 0.7, rng),
        lambda x: x.rsplit(",", 1)[0].rstrip() + "." if x.count(",") and len(x.rsplit(",", 1)[1].split()) >= 4 else x,
        lambda x: re.sub(r"\b([2-9])\b", lambda m: NUMBERS[m.group(1)], x),
        lambda x: re.sub(r"\bsaid\b", "said on Monday", x, count=1),
        lambda x: re.sub(r" (is|was|has|had|will) ", r" \1 also ", x, count=1),
        lambda x: re.sub(r"\.$", " on Monday.", x, count=1),
    ]
    rng.shuffle(options)
    for fn in options:
        y = fn(s)
        if y != s:
            return y
    return s


def t_light(text: str, rng: random.Random) -> str:
    sents = sentences_of(text)
    out = []
    for k, s in enumerate(sents):
        if k and rng.random() < 0.6:
            s = _edit(s, rng)
        out.append(s)
    if len(out) > 4 and rng.random() < 0.6:
        out.pop()
    if rng.random() < 0.5:
        out.insert(rng.randrange(min(2, len(out)), len(out) + 1), own_line(rng))
    return "\n".join(out)


def t_reorder(text: str, rng: random.Random) -> str:
    sents = sentences_of(text)
    head, rest = sents[:1], sents[1:]
    rng.shuffle(rest)
    return "\n".join(head + rest)


def t_spin(text: str, rng: random.Random) -> str:
    out = []
    for s in sentences_of(text):
        s = swap_words(s, SPIN, 0.7, rng)
        if rng.random() < 0.15 and ", " in s:
            a, b = s.split(", ", 1)
            if len(a.split()) >= 3 and len(b.split()) >= 3:
                s = _case(b.rstrip("."), b.rstrip(".")) + ", " + a[:1].lower() + a[1:] + "."
        out.append(s)
    return "\n".join(out)


def t_boiler(text: str, rng: random.Random) -> str:
    sents = sentences_of(text)
    for _ in range(rng.randint(2, 4)):
        sents.insert(rng.randrange(1, len(sents) + 1), rng.choice(BOILERPLATE))
    return "\n".join(sents)


_ATTR = re.compile(r"^(?P<body>.+?),?[”\"]?\s+(?P<who>(?:he|she|they|[A-Z][a-z]+(?: [A-Z][a-z]+)?)) said\.$")


def t_translate(text: str, rng: random.Random) -> str:
    """Translation-like: attributions moved, clauses swapped, neutral synonyms, numbers spelled."""
    out = []
    for s in sentences_of(text):
        m = _ATTR.match(s)
        if m and not any(q in s for q in "“”\""):
            s = f"According to {m.group('who')}, {m.group('body')[0].lower()}{m.group('body')[1:].rstrip(',')}."
        elif ", " in s and rng.random() < 0.5:
            a, b = s.rstrip(".").split(", ", 1)
            if len(a.split()) >= 3 and len(b.split()) >= 3:
                s = f"{b[0].upper()}{b[1:]}, {a[0].lower() if not a.split()[0].isupper() else a[0]}{a[1:]}."
        s = neutral_swap(s, 0.6, rng)
        s = re.sub(r"\bthe (\w+) of\b", lambda mm: f"the {mm.group(1)} belonging to", s, count=1)
        s = re.sub(r"\b([2-9])\b", lambda mm: NUMBERS[mm.group(1)], s)
        out.append(s)
    return "\n".join(out)


TRANSFORMS = {
    "trim": (t_trim, "verbatim"),
    "light-edit": (t_light, "light-rewrite"),
    "reorder": (t_reorder, "verbatim"),
    "spin": (t_spin, "spun"),
    "boilerplate": (t_boiler, "verbatim"),
    "translate": (t_translate, "light-rewrite"),
}


def _shingles(text: str, n: int = 5) -> set[tuple[str, ...]]:
    w = re.findall(r"\w+", text.lower())
    return {tuple(w[i : i + n]) for i in range(max(0, len(w) - n + 1))}


HEADERS = [
    "This article was added by the user. The site is not responsible for the content of the platform.",
    "Win tickets to the summer music festival", "- Advertisement -", "Sponsored", "Homepage",
    "Chevron icon Opens a menu of the section, or the previous and next pages.",
    "Read the full story in our app", "Most read", "See our live coverage here.",
]  # fmt: skip
CAPTIONS = ["(Alamy/PA)", "People gather at the scene on Monday. (Kyodo News via AP)", "(Photo: Handout/Telegram)",
            "A view of the site on Tuesday. (Getty Images)", "File photo"]  # fmt: skip
COMMON = ["Green", "Young", "Brown", "Field", "Rose", "Hall", "Long", "Stone"]  # a garbled name's stand-ins
_NAMEPAIR = re.compile(r"\b([A-Z][a-z]+) ([A-Z][a-z]{3,})\b")


def t_machine(text: str, rng: random.Random) -> str:
    """A machine rewrite: restructured like a translation, words swapped for rarer ones, a name garbled."""
    out = swap_words(t_translate(text, rng), SPIN, 0.5, rng)
    names = sorted({m.group(2) for m in _NAMEPAIR.finditer(out)})
    if names:
        out = re.sub(rf"\b{re.escape(rng.choice(names))}\b", rng.choice(COMMON), out)
    return out


def t_brief(text: str, wire: str, rng: random.Random) -> str:
    """A short brief of a wire's report: its first sentences cut down, the news given as the wire's."""
    out = []
    for s in sentences_of(text)[: rng.choice((2, 3))]:
        head = s.split(", ", 1)[0].rstrip(".")
        out.append((head if len(head.split()) >= 6 else s.rstrip(".")) + ".")
    out[0] = out[0][:-1] + rng.choice((f", {wire} reported.", f", reported {wire}.", f", according to {wire}."))
    return " ".join(out)


def webify(arts: list[Article], truth: dict, rng: random.Random) -> list[Article]:
    """The story's pages as a search index stores them: most cut short (the first 900-2,000 characters,
    often mid-word), some under a headline and page furniture, some with photo captions inside; half the
    spun copies are machine rewrites (restructured, swapped and garbled) rather than synonym swaps."""
    out = []
    for a in arts:
        text = a.text
        if truth[a.id][0] == "spin" and rng.random() < 0.5:
            head = text.split(") - ", 1)[0] + ") - " if ") - " in text[:40] else ""
            text = head + t_machine(text[len(head):], rng)  # fmt: skip
        paras = paragraphs(text)
        if len(paras) > 3 and rng.random() < 0.3:
            paras.insert(rng.randrange(2, len(paras)), rng.choice(CAPTIONS))
        if rng.random() < 0.4:
            paras = [rng.choice(HEADERS)] * (rng.random() < 0.5) + [paras[0].split(",")[0].rstrip(".")] + paras
        if rng.random() < 0.3:
            paras.append(rng.choice(HEADERS))
        text = "\n\n".join(paras)
        if rng.random() < 0.7:
            cut = rng.randint(900, 2000)
            if len(text) > cut:
                text = text[:cut]
        out.append(Article(id=a.id, text=text, outlet=a.outlet, published=a.published))
    return out


def build_story(docs: list[dict], rng: random.Random, wire_missing: bool, wire_outlet: bool):
    """Articles and expected labels for one story: (articles, {id: (transform, grade, parent)}, original)."""
    docs = sorted(docs, key=lambda d: d["doc_id"])
    rng.shuffle(docs)
    usable = [d for d in docs if len(sentences_of(d["text"])) >= 5 and len(d["text"].split()) >= MIN_WORDS]
    orig = max(usable[:3], key=lambda d: min(len(d["text"].split()), 400))
    base = normalise(orig["text"])
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(300), hours=rng.randrange(24))
    sid = orig["subtopic"]
    arts: list[Article] = []
    truth: dict[str, tuple[str, str, str | None]] = {}
    wire = rng.choice(sorted(WIRE_CREDITS))

    def stamp(parent_time: datetime) -> tuple[str | None, datetime]:
        t = parent_time + timedelta(hours=rng.uniform(0.2, 8))
        r = rng.random()
        if r < 0.15:
            return None, t
        if r < 0.25:
            return (parent_time - timedelta(hours=rng.uniform(1, 5))).isoformat(), t
        return t.isoformat(), t

    def credit(text: str) -> str:
        fmt = rng.choice([f for f in WIRE_CREDITS[wire] if f])
        line = fmt.format(wire=WIRE_NAMES[wire])
        return line + text if not line.startswith("\n") else text + line

    oid = f"{sid}:orig"
    o_outlet = WIRE_NAMES[wire] if wire_outlet else "Original Times"
    if not wire_missing:
        arts.append(Article(id=oid, text=base, outlet=o_outlet, published=t0.isoformat()))
        truth[oid] = ("original", "independent", None)
    expected_parent = f"wire:{wire}" if wire_missing else oid
    for name, (fn, grade) in TRANSFORMS.items():
        aid = f"{sid}:{name}"
        text = fn(base, rng)
        if wire_missing or wire_outlet:
            text = credit(text)
        pub, _t = stamp(t0)
        arts.append(Article(id=aid, text=text, outlet=f"Outlet {name}", published=pub))
        truth[aid] = (name, grade, expected_parent)
    if not wire_missing:
        bid, cid = f"{sid}:chain-b", f"{sid}:chain-c"
        btext = t_light(base, rng)
        pub_b, tb = stamp(t0)
        ctext = t_trim(btext, rng)
        pub_c, _tc = stamp(tb)
        arts.append(Article(id=bid, text=btext, outlet="Chain B", published=pub_b))
        arts.append(Article(id=cid, text=ctext, outlet="Chain C", published=pub_c))
        truth[bid] = ("chain-b", "light-rewrite", oid)
        truth[cid] = ("chain-c", "verbatim", bid)
    _add_independents(docs, lambda d: d is orig, [_shingles(base)], 2, sid, t0, rng, arts, truth)
    original = f"wire:{wire}" if wire_missing else oid
    return arts, truth, original


# The transforms a copy in an absent-source story is made by, weighted as the real pages' grades come
# (about half verbatim, a fifth light rewrites, an eighth spun; bench/realdata): "excerpt" is a verbatim
# copy of a later part of the report (the page starts further in, or the report was updated at its head).
ABSENT_MIX = (("trim", 3), ("boilerplate", 2), ("reorder", 1), ("excerpt", 3), ("light-edit", 2),
              ("translate", 1), ("spin", 2))  # fmt: skip


def t_excerpt(text: str, rng: random.Random) -> str:
    """A verbatim copy of the report from a later sentence on (the first one to four left out)."""
    sents = sentences_of(text)
    start = rng.randint(1, max(1, min(4, len(sents) - 3)))
    return "\n".join(sents[start:])


def t_update(text: str, extra: list[str], rng: random.Random) -> str:
    """The wire's update of its report: the lede reworded, the figures moved on, a sentence or two of news
    (``extra``, from another report of the story) put in near the top, the tail cut. Copies of one version
    render another only in part, as the real pages of one wire's story do."""
    sents = sentences_of(text)

    def bump(m: re.Match) -> str:  # a count moves on; a year stays
        return str(int(m.group(0)) + rng.randint(1, 5)) if len(m.group(0)) < 5 else m.group(0)

    out = [re.sub(r"\b\d+\b", bump, neutral_swap(sents[0], 0.9, rng))]
    for s in sents[1:]:
        out.append(re.sub(r"\b\d+\b", bump, s) if rng.random() < 0.5 else s)
    for x in rng.sample(extra, min(len(extra), rng.randint(1, 2))):
        out.insert(rng.randint(1, min(3, len(out))), x)
    if len(out) > 6:
        out = out[: len(out) - rng.randint(1, 3)]
    return "\n".join(out)


def _reports(docs: list[dict], rng: random.Random, min_sentences: int, counts: tuple[int, ...]):
    """The reports a story is built from: (its documents shuffled, story id, start time, reports, their
    shingle sets). As many reports as ``rng.choice(counts)``, each of ``min_sentences`` or more and sharing
    little with those before it."""
    docs = sorted(docs, key=lambda d: d["doc_id"])
    rng.shuffle(docs)
    usable = [d for d in docs if len(sentences_of(d["text"])) >= min_sentences and len(d["text"].split()) >= MIN_WORDS]
    sid = docs[0]["subtopic"]
    t0 = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randrange(300), hours=rng.randrange(24))
    taken: list[set] = []
    sources: list[dict] = []
    for d in usable:
        if len(sources) >= rng.choice(counts):
            break
        sh = _shingles(d["text"])
        if any(len(t & sh) / max(1, min(len(t), len(sh))) > 0.2 for t in taken):
            continue
        taken.append(sh)
        sources.append(d)
    return docs, sid, t0, sources, taken


def build_absent_story(docs: list[dict], rng: random.Random):
    """A story as the real pages of an event come: two or three reports (ECB+ articles of the story), each
    from a wire left out of the story and reached only through one to four copies (some crediting the
    wire, some not; a lone copy is sometimes a short brief), beside one to three independent reports.
    :func:`webify` then cuts them short and wraps them in page furniture. Same return as :func:`build_story`
    (the original is ``None``: there are several, all absent)."""
    docs, sid, t0, sources, taken = _reports(docs, rng, 5, (2, 3))
    arts: list[Article] = []
    truth: dict[str, tuple[str, str, str | None]] = {}
    wires = rng.sample(sorted(WIRE_CREDITS), len(sources))
    names, weights = zip(*ABSENT_MIX)
    extra = [x for d in docs if d not in sources for x in sentences_of(normalise(d["text"]))[1:6]
             if len(x.split()) >= 8]  # fmt: skip
    for k, (d, wire) in enumerate(zip(sources, wires)):
        first = normalise(d["text"])
        versions = [first, t_update(first, extra, rng)] if extra and rng.random() < 0.5 else [first]
        n = rng.choice((1, 2, 3, 3, 4))
        for j in range(n):
            base = rng.choice(versions)
            aid = f"{sid}:s{k}:{j}"
            if n == 1 and rng.random() < 0.4:
                name, grade, text = "brief", "light-rewrite", t_brief(base, WIRE_NAMES[wire], rng)
            else:
                name = rng.choices(names, weights)[0]
                grade = "verbatim" if name == "excerpt" else TRANSFORMS[name][1]
                text = t_excerpt(base, rng) if name == "excerpt" else TRANSFORMS[name][0](base, rng)
                if rng.random() < 0.6:
                    fmt = rng.choice([f for f in WIRE_CREDITS[wire] if f])
                    line = fmt.format(wire=WIRE_NAMES[wire])
                    text = line + text if not line.startswith("\n") else text + line
            pub = (t0 + timedelta(hours=rng.uniform(0.2, 12))).isoformat() if rng.random() > 0.15 else None
            arts.append(Article(id=aid, text=text, outlet=f"Outlet {k}-{j}", published=pub))
            truth[aid] = (name, grade, f"wire:{wire}")
    want = rng.choice((1, 2, 2, 3))
    _add_independents(docs, lambda d: d in sources, taken, want, sid, t0, rng, arts, truth)
    return arts, truth, None


# Datelines a wire's report opens with (its copies keep them, an outlet's own rewrite seldom does).
DATELINE_PLACES = ["LONDON", "NEW YORK", "LOS ANGELES", "WASHINGTON", "MUMBAI", "PARIS", "SYDNEY", "CHICAGO",
                   "NEW DELHI", "BERLIN", "MADRID", "TORONTO"]  # fmt: skip
# What reaches a story from one version of a wire report (``--versions``), weighted as the real pages'
# grades come: verbatim copies of the version (whole, trimmed, in boilerplate, from a later sentence on),
# light rewrites (an outlet's rewrite of the wire copy, a translation), spun copies.
VERSION_MIX = (("copy", 3), ("trim", 2), ("boilerplate", 1), ("excerpt", 2), ("rewrite", 2), ("translate", 1),
               ("spin", 1))  # fmt: skip
# Page furniture around a copy on a news site (menus, links to other stories), none of it the report's.
FURNITURE = ["Home", "News", "World", "Business", "Sport", "Opinion", "Latest Stories", "Trending Now",
             "Sign in", "Related Coverage", "Recommended for you", "More from this section", "Privacy Policy",
             "Terms of Use", "Contact Us", "Weather: 21°C, partly cloudy", "Markets close higher on Friday",
             "Five things to know before you travel this summer", "Local council approves new budget plan",
             "Watch: highlights from last night's game", "Photos: the week in pictures"]  # fmt: skip


_SMALL = re.compile(r"(?<=\w )(?:the|a|that|also|then) (?=\w)")


def _reword(s: str, strength: float, rng: random.Random) -> str:
    """A desk's rewording of a sentence that leaves its facts: neutral swaps, small words dropped all
    along it (so that few of its 5-word runs survive, as on real rewritten pages), the clauses about a
    comma swapped, now and then a copy-editor change (``strength``: how much of it, 0-1)."""
    s = neutral_swap(s, 0.9, rng)
    s = _SMALL.sub(lambda m: "" if rng.random() < strength * 0.8 else m.group(0), s)
    if rng.random() < strength * 0.5 and ", " in s:
        a, b = s.split(", ", 1)
        if len(a.split()) >= 3 and len(b.split()) >= 3:
            s = b.rstrip(".")[:1].upper() + b.rstrip(".")[1:] + ", " + a[:1].lower() + a[1:] + "."
    return _edit(s, rng) if rng.random() < 0.5 else s


def t_rewrite(text: str, rng: random.Random) -> str:
    """An outlet's rewrite of a wire copy: nearly every sentence edited (one or two changes), now and then
    two sentences run together, a few left out, a line of its own added."""
    out = []
    for s in sentences_of(text):
        if rng.random() < 0.15 and len(out) > 2:
            continue
        if rng.random() < 0.9:
            s = _reword(s, 1.0, rng)
        if out and rng.random() < 0.15:
            out[-1] = out[-1].rstrip(".") + ", and " + s[:1].lower() + s[1:]
        else:
            out.append(s)
    if rng.random() < 0.6:
        out.insert(rng.randrange(min(2, len(out)), len(out) + 1), own_line(rng))
    return "\n".join(out)


def in_page(text: str, rng: random.Random) -> str:
    """A copy as its site's page gives it: lines of menus and links to other stories before and after."""
    before = rng.sample(FURNITURE, rng.randint(0, 4))
    after = rng.sample(FURNITURE, rng.randint(1, 5))
    return "\n".join([*before, text, *after])


def t_writethrough(text: str, extra: list[str], rng: random.Random) -> str:
    """A wire's write-through of its report (the next version): the lead rewritten with the new figures
    ("146 killed in a stampede" becomes "149 killed in a crush"), every count moved on the same way,
    sentences near the top edited by the desk more often than those further down, one to three sentences
    of new reporting (``extra``) put in near the top, a block of sentences moved, a few dropped. Copies of
    two versions then share most of their text edited rather than whole, as the real pages of one wire's
    story do, while each copy renders its own version verbatim."""
    sents = sentences_of(text)
    moved: dict[str, str] = {}

    def bump(m: re.Match) -> str:  # a count moves on (the same way wherever it is given); a year stays
        v = m.group(0)
        if len(v) >= 4:
            return v
        if v not in moved:
            moved[v] = str(int(v) + rng.randint(1, 6))
        return moved[v]

    head = ""
    m = _ANY_DATELINE_HEAD.match(sents[0]) if sents else None
    if m:
        head, sents[0] = sents[0][: m.end()], sents[0][m.end() :]
    lead = re.sub(r"\b\d+\b", bump, _reword(_edit(sents[0], rng), 1.0, rng))
    body = []
    for k, s in enumerate(sents[1:]):
        s = re.sub(r"\b\d+\b", bump, s)
        if rng.random() < (0.8 if k < 5 else 0.4):
            s = _reword(s, 0.8 if k < 5 else 0.4, rng)
        body.append(s)
    if len(body) > 4 and rng.random() < 0.6:  # a block of sentences moved
        i = rng.randrange(1, len(body) - 2)
        block = body[i : i + rng.randint(1, 3)]
        del body[i : i + len(block)]
        j = rng.randrange(0, len(body) + 1)
        body[j:j] = block
    for _ in range(rng.randint(0, 2)):
        if len(body) > 5:
            body.pop(rng.randrange(2, len(body)))
    new = rng.sample(extra, min(len(extra), rng.randint(1, 3)))
    for x in new:
        body.insert(rng.randint(0, min(3, len(body))), x)
    if rng.random() < 0.4:  # the old lead kept further down, as the wires do
        body.insert(rng.randint(1, min(4, len(body))), re.sub(r"\b\d+\b", bump, sents[0]))
    return "\n".join([head + lead, *body])


_ANY_DATELINE_HEAD = re.compile(r"^[A-Z][A-Z .]+ \([A-Za-z]+\) [-—] ")


def build_versions_story(docs: list[dict], rng: random.Random):
    """A story of one or two wire reports in several versions (``--versions``): each report (an ECB+ article
    of the story, under a dateline, from a wire left out of the story) comes as a first take and one or two
    write-throughs (:func:`t_writethrough`), each version reached through one to three copies: verbatim ones
    of *that* version (whole, trimmed, in boilerplate or from a later sentence on, the credit line sometimes
    missing), light rewrites, spun copies; one to three independent reports beside them. :func:`webify` then
    cuts them short and wraps them in page furniture. A verbatim copy of a write-through is thus compared
    with copies of another version, as on the real pages. Same return as :func:`build_story`."""
    docs, sid, t0, sources, taken = _reports(docs, rng, 6, (1, 1, 2))
    arts: list[Article] = []
    truth: dict[str, tuple[str, str, str | None]] = {}
    wires = rng.sample(sorted(WIRE_CREDITS), len(sources))
    names, weights = zip(*VERSION_MIX)
    independents: list[Article] = []
    _add_independents(docs, lambda d: d in sources, taken, rng.choice((1, 2, 2, 3)), sid, t0, rng, independents, truth)
    own = {a.text for a in independents}  # the write-throughs' new sentences come from neither
    extra = [x for d in docs if d not in sources and normalise(d["text"]) not in own
             for x in sentences_of(normalise(d["text"]))[1:8] if len(x.split()) >= 8]  # fmt: skip
    for k, (d, wire) in enumerate(zip(sources, wires)):
        w = WIRE_NAMES[wire]
        dateline = f"{rng.choice(DATELINE_PLACES)} ({w}) {rng.choice(('-', '—'))} " if rng.random() < 0.5 else ""
        versions = [dateline + normalise(d["text"])]
        for _ in range(rng.choice((1, 2, 2))):
            versions.append(t_writethrough(versions[-1], extra, rng))
        for v, version in enumerate(versions):
            for j in range(rng.choice((1, 1, 1, 2))):
                aid = f"{sid}:s{k}:v{v}:{j}"
                name = rng.choices(names, weights)[0]
                base = version
                if name not in ("copy", "trim", "boilerplate", "excerpt") and rng.random() < 0.8:
                    base = _ANY_DATELINE_HEAD.sub("", base, count=1)  # an outlet's rewrite drops the dateline
                if name == "copy":
                    grade, text = "verbatim", "\n".join(sentences_of(base))
                elif name == "excerpt":
                    grade, text = "verbatim", t_excerpt(base, rng)
                elif name == "rewrite":
                    grade, text = "light-rewrite", t_rewrite(base, rng)
                else:
                    fn, grade = TRANSFORMS[name]
                    text = fn(base, rng)
                if rng.random() < 0.55 and not text.startswith(dateline or "\0"):
                    fmt = rng.choice([f for f in WIRE_CREDITS[wire] if f])
                    line = fmt.format(wire=w)
                    text = line + text if not line.startswith("\n") else text + line
                if rng.random() < 0.5:
                    text = in_page(text, rng)
                pub = (t0 + timedelta(hours=v * 3 + rng.uniform(0.2, 6))).isoformat() if rng.random() > 0.15 else None
                arts.append(Article(id=aid, text=text, outlet=f"Outlet {k}-{v}-{j}", published=pub))
                truth[aid] = (name, grade, f"wire:{wire}")
    return arts + independents, truth, None


def _add_independents(docs, skip, taken, want, sid, t0, rng, arts, truth) -> None:
    """Up to ``want`` of the topic's other reports, each its own (sharing under 20% of its shingles with
    any text in ``taken``, at least 60 words; ``skip`` leaves the story's sources out), as independent reports."""
    n_ind = 0
    for d in docs:
        if skip(d) or n_ind >= want:
            continue
        sh = _shingles(d["text"])
        if len(d["text"].split()) < 60 or any(len(t & sh) / max(1, min(len(t), len(sh))) > 0.2 for t in taken):
            continue
        taken.append(sh)
        aid = f"{sid}:independent-{n_ind}"
        pub = (t0 + timedelta(hours=rng.uniform(-6, 12))).isoformat() if rng.random() > 0.15 else None
        arts.append(Article(id=aid, text=normalise(d["text"]), outlet=f"Independent {n_ind}", published=pub))
        truth[aid] = ("independent", "independent", None)
        n_ind += 1


def macro_f1(pairs: list[tuple[str, str]], labels: tuple[str, ...]) -> float:
    f1s = []
    for lab in labels:
        tp = sum(1 for t, p in pairs if t == lab and p == lab)
        fp = sum(1 for t, p in pairs if t != lab and p == lab)
        fn = sum(1 for t, p in pairs if t == lab and p != lab)
        if tp + fp + fn == 0:
            continue
        f1s.append(2 * tp / (2 * tp + fp + fn))
    return sum(f1s) / len(f1s) if f1s else 0.0


MIN_WORDS = 120  # an original shorter than this is a snippet, not an article


def load_stories(split: str) -> dict[str, list[dict]]:
    if not DATA.exists():
        raise SystemExit(f"{DATA} not found (the benchmark reads ECB+ from ../shared/data/ecbplus)")
    by: dict[str, list[dict]] = defaultdict(list)
    with open(DATA, encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if split == "even" and d["topic"] % 2:
                continue
            if split == "odd" and not d["topic"] % 2:
                continue
            by[d["subtopic"]].append(d)
    return {
        k: v
        for k, v in sorted(by.items())
        if len(v) >= 2 and any(len(d["text"].split()) >= MIN_WORDS and len(sentences_of(d["text"])) >= 5 for d in v)
    }


def run(
    n_stories: int | None, seed: int, split: str, verbose: bool, rules: bool = False, web: bool = False,
    absent: bool = False, versions: bool = False,
) -> dict:
    """Score the grades and parents; ``rules``: the hand-written grade rules alone (no fitted grader);
    ``web``: the stories as web pages come (see :func:`webify`); ``absent``: every story as the real pages
    of an event come, several reports each reached only through copies (:func:`build_absent_story`),
    as web pages; ``versions``: every story as one or two wire reports in several versions, each reached
    through its own copies (:func:`build_versions_story`), as web pages."""
    import contextlib

    from storyline.provenance import grader

    with grader.using(None) if rules else contextlib.nullcontext():
        return _run(n_stories, seed, split, verbose, web or absent or versions, absent, versions)


def _run(
    n_stories: int | None, seed: int, split: str, verbose: bool, web: bool, absent: bool = False,
    versions: bool = False,
) -> dict:
    rng = random.Random(seed)
    stories = load_stories(split)
    keys = list(stories)
    if n_stories:
        keys = sorted(random.Random(seed).sample(keys, min(n_stories, len(keys))))
    rows = []
    dump: list[dict] = []
    originals = []
    t_total = 0.0
    for k, key in enumerate(keys):
        if versions:
            arts, truth, original = build_versions_story(stories[key], rng)
            arts = webify(arts, truth, random.Random(f"{seed}:{key}:versions"))
        elif absent:
            arts, truth, original = build_absent_story(stories[key], rng)
            arts = webify(arts, truth, random.Random(f"{seed}:{key}:absent"))
        else:
            arts, truth, original = build_story(stories[key], rng, wire_missing=k % 4 == 3, wire_outlet=k % 4 == 1)
        if web and not absent and not versions:
            wrng = random.Random(f"{seed}:{key}")
            arts = webify(arts, truth, wrng)
            if k % 4 in (1, 3):  # the wire's story, briefly, in another outlet
                orig = next((a for a in arts if truth[a.id][0] == "original"), None)
                wire = WIRE_NAMES[original[5:]] if original.startswith("wire:") else orig.outlet
                bid = f"{key}:brief"
                base = orig.text if orig is not None else next(a.text for a in arts if truth[a.id][0] == "reorder")
                arts.append(Article(id=bid, text=t_brief(base, wire, wrng), outlet="Brief"))
                truth[bid] = ("brief", "light-rewrite", original)
        encode_sentences(sorted({s for a in arts for s in split_sentences(a.text)}))  # timed apart
        t = time.perf_counter()
        prov = analyse_story(arts)
        t_total += time.perf_counter() - t
        originals.append((original, prov.original))
        for ap in prov.articles:
            transform, grade, parent = truth[ap.article_id]
            rows.append((transform, grade, ap.grade, parent, ap.parent))
            dump.append(
                {
                    "id": ap.article_id,
                    "story": key,
                    "transform": transform,
                    "rule_grade": ap.rule_grade,
                    "predicted": ap.grade,
                    "features": ap.features,
                    "truth": grade,
                    "reuse": ap.reused_share,
                    "closest": ap.parent is None or ap.parent.startswith("wire:"),
                    "source": ap.source_of_others,
                    "spin": (ap.spin or {}).get("score", 0.0),
                    **ap.shares,
                }
            )
            if verbose and (grade != ap.grade or parent != ap.parent):
                print(f"  {ap.article_id}: grade {grade}->{ap.grade} parent {parent}->{ap.parent}", file=sys.stderr)
    grades = ("verbatim", "light-rewrite", "spun", "independent")
    by_t: dict[str, Counter] = defaultdict(Counter)
    for transform, g, pg, p, pp in rows:
        by_t[transform]["n"] += 1
        by_t[transform]["grade_ok"] += g == pg
        by_t[transform]["parent_ok"] += p == pp
    derived = [r for r in rows if r[0] not in ("original", "independent")]
    return {
        "stories": len(keys),
        "articles": len(rows),
        "grade_macro_f1": round(macro_f1([(r[1], r[2]) for r in rows], grades), 4),
        "parent_accuracy": round(sum(r[3] == r[4] for r in rows) / max(1, len(rows)), 4),
        "parent_accuracy_derived": round(sum(r[3] == r[4] for r in derived) / max(1, len(derived)), 4),
        "original_accuracy": round(sum(a == b for a, b in originals) / max(1, len(originals)), 4),
        "by_transformation": {
            t: {
                "n": c["n"],
                "grade_accuracy": round(c["grade_ok"] / c["n"], 3),
                "parent_accuracy": round(c["parent_ok"] / c["n"], 3),
            }
            for t, c in sorted(by_t.items())
        },
        "confusion": {f"{g}->{pg}": n for (g, pg), n in sorted(Counter((r[1], r[2]) for r in rows).items())},
        "analyse_seconds": round(t_total, 2),
        "split": split,
        "seed": seed,
        "web": web,
        "_dump": dump,
    }


def fit_grades(dump: list[dict]) -> dict:
    """Grid-search the grade thresholds on per-article measurements (parents held fixed)."""
    from storyline.provenance import story as st

    grades = ("verbatim", "light-rewrite", "spun", "independent")
    best = (-1.0, {})
    for reuse_min in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5):
        for vshare in (0.6, 0.7, 0.8, 0.9):
            for vmin in (0.3, 0.45, 0.6):
                for sthr in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
                    pairs = []
                    for d in dump:
                        if d["source"]:
                            pred = "independent"
                        else:
                            pred = _grade_with(d, reuse_min, vshare, vmin, sthr, st.SPUN_MIN if d["closest"] else None)
                        pairs.append((d["truth"], pred))
                    f = macro_f1(pairs, grades)
                    if f > best[0] + 1e-9:
                        best = (f, {"REUSE_MIN": reuse_min, "VERBATIM_SHARE": vshare, "VERBATIM_MIN": vmin,
                                    "SPIN_THRESHOLD": sthr})  # fmt: skip
    return {"macro_f1": round(best[0], 4), **best[1]}


def _grade_with(d: dict, reuse_min: float, vshare: float, vmin: float, sthr: float, spun_min: float | None) -> str:
    """The grade rule of storyline.provenance.story._grade with explicit thresholds."""
    spun_floor = reuse_min if spun_min is None else spun_min
    if d["reuse"] >= spun_floor and d.get("verbatim", 0.0) < vmin and d["spin"] >= sthr:
        return "spun"
    if d["reuse"] < reuse_min:
        return "independent"
    if d.get("verbatim", 0.0) >= vmin and d.get("verbatim", 0.0) >= vshare * d["reuse"]:
        return "verbatim"
    return "light-rewrite"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--stories", type=int, default=None, help="number of stories (default: all)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--split", choices=("all", "even", "odd"), default="all", help="ECB+ topics to use")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--fit", action="store_true", help="also grid-search the grade thresholds on this split")
    ap.add_argument("--dump", type=Path, help="write per-article measurements (JSON) here")
    ap.add_argument("--rules", action="store_true", help="grade with the hand-written rules alone (no fitted grader)")
    ap.add_argument("--web", action="store_true", help="stories as web pages come: cut short, in page furniture")
    ap.add_argument("--absent", action="store_true",
                    help="stories as real events come: several reports, each absent, reached through copies")
    ap.add_argument("--versions", action="store_true",
                    help="stories of wire reports in several versions (first take, write-throughs), each version "
                         "reached through its own copies")
    args = ap.parse_args(argv)
    res = run(args.stories, args.seed, args.split, args.verbose, rules=args.rules, web=args.web, absent=args.absent,
              versions=args.versions)
    dump = res.pop("_dump")
    if args.dump:
        args.dump.write_text(json.dumps(dump))
    if args.fit:
        res["fitted_thresholds"] = fit_grades(dump)
    for t, v in res["by_transformation"].items():
        print(f"{t:>14}: n={v['n']:4d}  grade {v['grade_accuracy']:.3f}  parent {v['parent_accuracy']:.3f}")
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
