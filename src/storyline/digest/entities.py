"""Named entities without a model: capitalised spans, titles, and name-variant merging.

No small English NER model can be installed offline from PyPI, and news prose
introduces people in a regular way ("Kremlin spokesman Dmitry Peskov",
"Russian President Vladimir Putin"), so rules do well here. Spelling variants
of one name (Zelenskiy / Zelenskyy / Zelensky) are merged by surname edit
distance after transliteration folding, and a bare surname joins the one full
name it matches.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from storyline.digest.text import STOPWORDS, fold, levenshtein

TITLES = frozenset(
    """president vice prime minister secretary spokesman spokeswoman spokesperson chancellor senator sen
    governor gov mayor general gen king queen prince princess pope chief director ambassador reporter
    correspondent judge justice commissioner chairman chairwoman chair ceo commander colonel col captain
    capt lieutenant lt sergeant sgt mr mrs ms dr prof professor rep representative premier foreign deputy
    former presidential sheriff inspector detective officer coach actor actress singer star rapper
    lawyer attorney bishop cardinal sheikh emir crown duke duchess lord lady sir dame leader head manager executive
    seismologist scientist expert professor researcher doctor nurse teacher student farmer resident owner
    founder analyst economist minister's spokesperson's official envoy negotiator aide adviser advisor
    counsel host anchor editor journalist producer director-general secretary-general""".split()
)
_STARTERS = frozenset(
    """earlier later meanwhile speaking asked following despite according during after before last next
    this that these those in on at as if while when with without for from it its we our you your he she
    they there here what why how who both however still also yet but and so then now once since although
    though even instead indeed unlike like amid among under over until upon whether whatever please
    add read watch click download subscribe sign follow share discover obtain find stay get neither either
    each every another none nobody several many""".split()
)
_CALENDAR = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december""".split()
)
_NOT_NAMES = frozenset({"tv", "am", "pm", "ok", "ad", "bc", "ce", "i"})
_CAP = r"(?:[A-Z]\.(?:[A-Z]\.)+|[A-Z][A-Za-z'’\-]*[a-z][A-Za-z'’\-]*|[A-Z]{2,}|[A-Z]['’][A-Z][a-z]+)"
_SPAN = re.compile(rf"{_CAP}(?:\s+(?:(?:of|de|da|del|van|von|bin|al|la|le|du)\s+)?{_CAP})*")
_QUOTE_OPEN = "\"'“‘«(["
_DEMONYM = re.compile(r"(?:ian|ean|ern|ese|ish|ican)$")


def titled_before(before: str) -> bool:
    """Whether the words just before a name are a title or role ("spokesman Dmitry Peskov")."""
    prev = re.findall(r"[A-Za-z]+", before[-30:])
    return bool(prev) and fold(prev[-1]) in TITLES


def titled_after(after: str) -> bool:
    """Whether a role follows the name as an apposition ("Petra Lindqvist, chief executive of ...")."""
    m = re.match(
        r",\s+(?:the\s+|a\s+|an\s+|its\s+|his\s+|her\s+)?((?:[A-Za-z-]+\s+){0,2}?[A-Za-z-]+)\b", after
    )
    return bool(m) and any(fold(w) in TITLES for w in m.group(1).split())


HONORIFICS = frozenset("mr mrs ms miss dr sir dame lord lady".split())
# Words that name what a person is: the titles above that are nouns, and roles that are not titles.
ROLE_HEADS = (
    TITLES - HONORIFICS - frozenset("vice prime foreign deputy former presidential crown".split())
) | frozenset(
    """master grandmaster pupil mother father son daughter wife husband brother sister grandmother
    grandfather widow widower uncle aunt cousin organiser organizer winner champion skipper striker
    goalkeeper midfielder defender player councillor councilor lawmaker legislator activist campaigner
    witness survivor engineer worker firefighter paramedic pilot priest rabbi imam historian author
    writer novelist poet artist photographer architect designer investor trader banker strategist
    principal dean rector treasurer referee umpire volunteer mp mep trustee""".split()
)
# Lower-case words that belong to a role written before a name ("state television reporter").
_ROLE_MODIFIERS = frozenset(
    """former acting interim outgoing incoming then late senior junior chief deputy vice assistant associate
    executive managing general international national regional local city county federal state provincial
    presidential government party union club team tournament press foreign defence defense finance
    health interior justice police army military naval television tv top""".split()
)
# A name ending in one of these is a place or an institution ("Northgate General Hospital"), not a person.
_PLACE_NOUNS = frozenset(
    """hospital square street road avenue lane bridge park school university college academy church
    cathedral mosque temple station airport harbour harbor port court hall house palace centre center
    museum stadium arena bank council agency ministry department office committee commission authority
    union association company group club league institute foundation party army navy""".split()
)
_NOT_ROLE = _CALENDAR | frozenset("yesterday today tonight tomorrow".split())
_ROLE_WORD = re.compile(r"[A-Za-z][A-Za-z.'’\-]*|[,;:.!?()“”\"—–]")
_APPOSITION_END = re.compile(r"[,;.)]|\s[—–]\s|$")


def _role_head(word: str) -> bool:
    return fold(word).rstrip(".") in ROLE_HEADS


def role_of(text: str, m: Mention) -> str:
    """The role a sentence gives a name, as written: "Kremlin spokesman" (Dmitry Peskov), "Ukrainian
    President" (Volodymyr Zelenskiy), "chief executive of Lindqvist Shipping" (", chief executive of
    ..." after the name), "her mother" ("her mother, Amira Lindahl"); "" when it gives none.

    A role ends in a word that names what a person is (:data:`ROLE_HEADS`); honorifics (Mr, Dr)
    are not roles. Words before it belong to it when capitalised ("Kremlin", "U.S.") or when they
    are role modifiers ("former", "state", "television").
    """
    if fold(m.name.split()[-1]) in _PLACE_NOUNS:
        return ""
    before = text[: m.start]
    title = m.title.split()
    if title and before.rstrip().endswith(m.title):
        before = before.rstrip()[: -len(m.title)]
    elif title:
        title = []
    toks = _ROLE_WORD.findall(before[-80:])
    if title and not any(_role_head(w) for w in title):  # "Mr", "Dr": honorifics, not roles
        title = []
    if title or (toks and toks[-1][:1].isalpha() and _role_head(toks[-1])):
        # "Russian state TV reporter Pavel Zarubin", "former U.S. President Donald Trump"
        parts = list(title) if title else [toks.pop()]
        while toks and len(parts) < 5:
            w = toks[-1]
            low = fold(w).rstrip(".")
            if not w[:1].isalpha() or low in STOPWORDS or low in _STARTERS or low in _NOT_ROLE:
                break
            if not (w[0].isupper() or low in _ROLE_MODIFIERS or (not title and _role_head(w))):
                break
            parts.insert(0, toks.pop())
        return " ".join(parts)
    # After the name: "Petra Lindqvist, chief executive of Lindqvist Shipping, said ..."
    after = text[m.end :]
    if m.possessive:
        return ""
    am = re.match(r",\s+(?:(?:the|a|an)\s+)?", after)
    if am:
        rest = after[am.end() :]
        end = _APPOSITION_END.search(rest)
        phrase = rest[: end.start()].strip() if end else ""
        ws = phrase.split()
        verbs = ("who", "which", "said", "says", "told", "was", "is", "has", "had")
        if 0 < len(ws) <= 7 and any(_role_head(w) for w in ws[:3]) and not any(fold(w) in verbs for w in ws):
            return phrase
    # Before the name, set off by commas, with a possessive: "her mother, Amira Lindahl, said".
    bm = re.search(r"\b(his|her|their|its)\s+((?:[A-Za-z][\w\-]*\s+){0,2}?[A-Za-z][\w\-]*),\s*$", before)
    if bm and after.startswith(",") and _role_head(bm.group(2).split()[-1]):
        return f"{bm.group(1)} {bm.group(2)}"
    return ""


def role_key(role: str) -> str:
    """A role for comparison: folded, without dots and a leading article ("U.S. President" = "US president")."""
    k = fold(role).replace(".", "")
    return re.sub(r"^(?:the|a|an)\s+", "", " ".join(k.split()))


def is_title_case(text: str) -> bool:
    """A headline or subhead in Title Case or CAPITALS (no closing period): not a sentence to mine for names."""
    if text.rstrip().endswith((".", "”", '"', "'")):
        return False
    ws = [w for w in re.findall(r"[A-Za-z][A-Za-z'’\-]*", text) if len(w) > 3]
    if len(ws) < 3:
        return False
    return sum(w[0].isupper() for w in ws) / len(ws) >= 0.7


@dataclass(slots=True)
class Mention:
    """One occurrence of a name in a unit (sentence) of an article."""

    art: int
    unit: int
    start: int
    end: int
    name: str  # the name part, titles removed, as written
    title: str = ""
    possessive: bool = False
    titled: bool = False  # introduced with a role or title: evidence of a person
    entity: int = -1


@dataclass
class Entity:
    id: int
    name: str
    variants: Counter = field(default_factory=Counter)
    person: bool = False
    titles: Counter = field(default_factory=Counter)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def articles(self) -> set[int]:
        return {m.art for m in self.mentions}


@lru_cache(maxsize=65536)
def translit_key(name: str) -> str:
    """Fold transliteration variants of a word (Zelenskiy / Zelenskyy / Zelensky -> zelensky)."""
    k = fold(name).replace("'", "").replace("-", "").replace(".", "")
    k = re.sub(r"(?:iy|yy|ii|ij|yi|y|i)$", "y", k)
    k = k.replace("kh", "h").replace("ck", "k").replace("w", "v")
    return k


def similar_word(a: str, b: str) -> bool:
    """Whether two surnames are spelling variants (Zelenskiy / Zelensky, Castellan / Castelan).

    An added ending is not a variant ("Russia" / "Russian"): one word must not
    simply extend the other.
    """
    ka, kb = translit_key(a), translit_key(b)
    if ka == kb:
        return True
    n = min(len(ka), len(kb))
    if n < 6 or ka.startswith(kb) or kb.startswith(ka) or abs(len(ka) - len(kb)) > 2 or ka[0] != kb[0]:
        return False
    return levenshtein(ka, kb) <= (1 if n < 9 else 2)


def similar_first(a: str, b: str) -> bool:
    """Whether two first names can be one person's (Pavol / Pavel, Karel / Karl, J. / John)."""
    ka, kb = translit_key(a), translit_key(b)
    if ka == kb:
        return True
    if not ka or not kb or ka[0] != kb[0]:
        return False
    if len(ka) == 1 or len(kb) == 1:
        return True
    return min(len(ka), len(kb)) >= 3 and levenshtein(ka, kb) <= 1


def _clean_tokens(tokens: list[str], at_start: bool, lower_vocab: set[str]) -> list[str]:
    while tokens and at_start:
        low = fold(tokens[0])
        if (
            low in STOPWORDS
            or low in _STARTERS
            or low in lower_vocab
            or (low.endswith(("ly", "ing")) and len(low) > 5 and len(tokens) == 1)
        ):
            tokens = tokens[1:]
        at_start = False
    return tokens


def find_names(text: str, lower_vocab: set[str] | frozenset[str] = frozenset()) -> list[tuple]:
    """Names in a sentence: (start, end, name, title, possessive, titled).

    ``lower_vocab`` holds words the story also writes in lower case: such a
    word opening a sentence is not a name ("Speaking to ...").
    """
    out: list[tuple] = []
    if is_title_case(text):
        return out
    for m in _SPAN.finditer(text):
        raw = m.group(0)
        start, end = m.start(), m.end()
        possessive = False
        if raw.endswith(("’s", "'s")):
            raw, end, possessive = raw[:-2], end - 2, True
        elif raw.endswith(("’", "'")):
            raw, end = raw[:-1], end - 1
        tokens = raw.split()
        before = text[:start].rstrip()
        at_start = not before or before[-1] in _QUOTE_OPEN + ".:;!?—–-"
        n0 = len(tokens)
        tokens = _clean_tokens(tokens, at_start, lower_vocab)
        if len(tokens) < n0:
            start = end - len(" ".join(tokens))
        # Split titles off the front: the name is what follows the last title word.
        low = [fold(t).rstrip(".") for t in tokens]
        last_title = -1
        for i, w in enumerate(low):
            if w in TITLES or (w == "state" and i >= 2 and low[i - 2 : i] == ["secretary", "of"]):
                last_title = i
        title_tokens, name_tokens = tokens[: last_title + 1], tokens[last_title + 1 :]
        # Shouting (subheads) and single letters are not names.
        name_tokens = [t for t in name_tokens if not (t.isupper() and len(t) >= 4 and "." not in t)]
        while name_tokens and (len(name_tokens[0]) == 1 or fold(name_tokens[0]) in ("of", "de", "the")):
            name_tokens = name_tokens[1:]
        if not name_tokens:
            continue
        name = " ".join(name_tokens)
        if fold(name).rstrip(".") in _NOT_NAMES or all(fold(t) in _CALENDAR for t in name_tokens):
            continue
        if len(name_tokens) == 1 and (fold(name) in STOPWORDS or fold(name) in _STARTERS):
            continue
        if len(name_tokens) == 1 and _DEMONYM.search(name) and not titled_before(before):
            continue
        titled = bool(title_tokens) or titled_before(before) or titled_after(text[end : end + 40])
        nstart = end - len(name)
        out.append((nstart, end, name, " ".join(title_tokens), possessive, titled))
    return out


class EntityIndex:
    """All names of a story, merged into entities, with their mentions per unit."""

    def __init__(self, docs: list[list[str]]):
        lower_vocab: set[str] = set()
        for units in docs:
            for u in units:
                for w in re.findall(r"(?<![.!?:“\"]\s)(?<!^)\b([a-z][a-z'’\-]+)\b", u):
                    lower_vocab.add(fold(w))
        self.lower_vocab = lower_vocab
        self.by_unit: dict[tuple[int, int], list[Mention]] = {}
        mentions: list[Mention] = []
        for a, units in enumerate(docs):
            for u, text in enumerate(units):
                ms = [Mention(a, u, s, e, n, t, p, tt) for s, e, n, t, p, tt in find_names(text, lower_vocab)]
                self.by_unit[(a, u)] = ms
                mentions.extend(ms)
        self.entities = self._cluster(mentions)
        self._by_variant: dict[str, int] = {}
        for ent in self.entities:
            for v in ent.variants:
                self._by_variant.setdefault(fold(v), ent.id)

    @staticmethod
    def _cluster(mentions: list[Mention]) -> list[Entity]:
        names = Counter(m.name for m in mentions)
        titled = {m.name for m in mentions if m.titled}
        full = sorted((n for n in names if len(n.split()) >= 2), key=lambda n: -names[n])
        single = sorted((n for n in names if len(n.split()) == 1), key=lambda n: -names[n])
        groups: list[list[str]] = []
        for n in full:  # full names: same surname (fuzzy) and compatible first names
            t = n.split()
            for g in groups:
                h = g[0].split()
                if (
                    similar_word(t[-1], h[-1])
                    and similar_first(t[0], h[0])
                    and (len(t) == len(h) or t[0] == h[0])
                ):
                    g.append(n)
                    break
            else:
                groups.append([n])
        for n in single:  # a bare surname joins the one full name it matches
            full_hits = [g for g in groups if len(g[0].split()) >= 2 and similar_word(n, g[0].split()[-1])]
            if len(full_hits) == 1:
                full_hits[0].append(n)
                continue
            single_hits = [g for g in groups if len(g[0].split()) == 1 and similar_word(n, g[0])]
            if not full_hits and single_hits:
                single_hits[0].append(n)
            else:
                groups.append([n])
        index = {n: i for i, g in enumerate(groups) for n in g}
        entities = []
        for i, g in enumerate(groups):
            ent = Entity(id=i, name=g[0])
            entities.append(ent)
        for m in mentions:
            ent = entities[index[m.name]]
            m.entity = ent.id
            ent.mentions.append(m)
            ent.variants[m.name] += 1
            if m.title:
                ent.titles[m.title] += 1
        for ent, g in zip(entities, groups):
            ent.person = any(n in titled for n in g)
            ent.name = _canonical(ent.variants)
        return entities

    def mentions(self, art: int, unit: int) -> list[Mention]:
        return self.by_unit.get((art, unit), [])

    def lookup(self, name: str) -> Entity | None:
        i = self._by_variant.get(fold(name))
        return None if i is None else self.entities[i]


def _canonical(variants: Counter) -> str:
    """The display name: the most used spelling of the surname, with the most used full form."""
    surnames: Counter = Counter()
    for v, c in variants.items():
        surnames[v.split()[-1]] += c
    best_surname = max(surnames, key=lambda s: (surnames[s], len(s)))
    full = [(c, v) for v, c in variants.items() if len(v.split()) >= 2]
    if not full:
        return best_surname
    firsts: Counter = Counter()
    for c, v in full:
        firsts[" ".join(v.split()[:-1])] += c
    first = max(firsts, key=lambda f: (firsts[f], len(f)))
    return f"{first} {best_surname}"
