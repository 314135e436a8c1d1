"""Boilerplate that can be recognised in a single article (English).

Learning recurring lines needs several articles of an outlet; these patterns
catch the classes of scraped page furniture that show up even in one article:
app and newsletter promotions, comment prompts, share buttons and counters,
navigation, image placeholders, ads, author-bio headings, copyright and
syndication notes.

The patterns are written to spare real sentences. Most match a *whole short
line* (a button, a heading, a counter). Patterns that may match inside a longer
line need the shape of an address to the reader: an imperative at the start of
a sentence ("Download the app", "Sign up for our newsletter", "Stay on top of
the latest...") or a fixed formula ("Your email address will not be
published"). A news sentence that mentions an app, a newsletter or comments
("The spokesman declined to comment", "Users can download the app from...")
does not have that shape, and every line-level pattern has a word limit.
"""

from __future__ import annotations

import dataclasses
import re

__all__ = ["REASONS", "classify", "is_bio_heading", "is_prose", "is_sentence"]

_F = re.IGNORECASE

# -- whole-line patterns (the line must be short: see _WHOLE_MAX_WORDS) ---------------------------------
_NAV = (
    r"(?:next|previous|prev)(?: (?:story|article|post|page|slide|photo|image|gallery|item))?"
    r"|read (?:next|more|also|full story|the full (?:story|article))(?: (?:here|below|at \S+))?"
    r"|(?:also|must) read|see also|don'?t miss|you (?:may|might) (?:also )?like|recommended(?: for you|"
    r" stories)?"
    r"|related(?: (?:articles?|stories|story|news|posts?|coverage|topics|content|links|reading))?"
    r"|more (?:news|stories|articles)(?: (?:from|on|like this)\b.{0,40})?"
    r"|trending(?: (?:now|stories|news|topics))?|most (?:read|popular|viewed|shared|commented)"
    r"|top (?:stories|news|headlines)|latest(?: (?:news|stories|headlines|updates))?|up next|what'?s next"
    r"|back to (?:top|home|homepage)|skip to (?:main )?(?:content|navigation)|(?:main )?menu|home(?:page)?"
    r"|search|sections?|(?:log|sign) ?(?:in|out)|register|subscribe(?: now)?|continue reading|keep reading"
    r"|show (?:more|less)|load more|view (?:more|all)|see (?:more|all)|expand|collapse|close|open"
    r"|click here|tap here|send push|(?:allow|enable|turn on|get) (?:push )?notifications?"
    r"|jump to|go to (?:top|home)|breadcrumbs?|table of contents|contents"
)
_SHARE_STRONG = (
    r"share|shares|shared|tweet|email|e-mail|print|facebook|twitter|linkedin|whatsapp|telegram|reddit"
    r"|pinterest|messenger|flipboard"
)
_SHARE_WORD = _SHARE_STRONG + r"|mail|x|pin|pocket|sms|copy|link|url|this|article|story|page|on|via|it"
_WHOLE = [
    ("navigation", rf"(?:{_NAV})\W*"),
    ("navigation", r"home(?: ?[>/»|›] ?[\w' &-]{1,30}){1,5}"),  # breadcrumb
    (
        "share-counter",
        r"[\d.,\s]*\d[\d.,\s]*[km]?(?: (?:shares?|views?|comments?|likes?|reads?|reactions?))?",
    ),
    (
        "advertisement",
        (
            r"(?:advertisement|advertisements|advert|ad|ads|sponsored(?: content| post)?|promoted"
            r"|paid (?:content|post)|(?:story|article) continues (?:below|after)(?: (?:this )?advert\w*)?"
            r"|(?:continue reading|scroll) (?:below|to continue)(?: with content)?|ad feedback)\W*"
        ),
    ),
    (
        "image-placeholder",
        (
            r"[\[(]?(?:post|featured|lead|hero|main|header|cover|article|top|inline)?[ _-]?"
            r"(?:image|img|photo|picture|pic|thumbnail|graphic|illustration)s?(?: ?\d+)?"
            r"(?: (?:placeholder|unavailable|not available))?[\])]?"
        ),
    ),
    ("image-placeholder", r"(?:image|photo|picture|illustration|graphic)s? \d+ of \d+"),
    (
        "image-placeholder",
        (
            r"[\[(]?(?:(?:image|photo|picture|pic|illustration|graphic|video)s?"
            r"(?: (?:credit|courtesy|source))?|file (?:photo|image|picture)"
            r"|representa(?:tive|tional) (?:image|photo|picture)|credit)\s*[:|/-]\s*[^.!?]{0,80}"
        ),
    ),
    ("image-placeholder", r"[\[(]?(?:photo|image|picture)s? by [^.!?]{0,80}[\])]?"),
    (
        "image-placeholder",
        (
            r"(?:getty images|shutterstock|istock(?:photo)?|file photo|representative image"
            r"|representational image|ap photo|reuters photo)\W*"
        ),
    ),
    (
        "media-placeholder",
        (
            r"(?:listen to (?:this|the) (?:article|story)|watch(?: the)? video|play video"
            r"|video|audio|watch|listen|play)(?: ?\(?\d+:\d+\)?)?\W*"
        ),
    ),
    (
        "comment-prompt",
        (
            r"(?:add|leave|post|write|submit|view|show|hide|load|read|see|open|close|join)"
            r"(?: (?:a|your|all|the|more|\d+))? (?:comments?|reply|replies|responses?"
            r"|discussion|conversation)(?: \(?\d+\)?)?\W*"
        ),
    ),
    ("comment-prompt", r"comments?(?: \(?\d+\)?)?\W*"),
    (
        "comment-prompt",
        (
            r"(?:be the first to (?:comment|reply|review)|no comments yet|comments are (?:closed|moderated)"
            r"|(?:log|sign) ?in to (?:comment|reply)|cancel reply|reply)\W*"
        ),
    ),
    (
        "author-bio",
        (
            r"(?:about (?:the )?(?:authors?|writers?|reporters?|contributors?)|author(?:'s)? (?:profile|bio"
            r"|biography|information|info|details|description)|meet the authors?|more by (?:this|the) author"
            r"|(?:view|see) (?:full )?(?:author )?profile|written by|posted by)\W*"
        ),
    ),
    ("newsletter", r"(?:newsletters?|sign up|signup|subscribe to our newsletter|get our newsletter)\W*"),
    (
        "copyright",
        (
            r"(?:©|\(c\)|copyright\s*(?:©|\(c\))?\s*\d{4})\s*(?:[-—]\s*\d{4})?[^.]{0,80}\.?"
            r"(?:\s*all rights reserved\.?)?"
        ),
    ),
    ("copyright", r"all rights reserved\W*"),
    # Last, because ``classify`` checks that one of the words is a strong share word.
    ("share-button", rf"(?:(?:{_SHARE_WORD})\b\W*){{1,8}}"),
]
_SHARE_STRONG_WORDS = frozenset(_SHARE_STRONG.split("|"))
_WHOLE_MAX_WORDS = 12
# One alternation, one call per line; the name of the group that matched gives the reason.
_WHOLE_REASONS = [reason for reason, _ in _WHOLE]
_WHOLE_RE = re.compile("|".join(f"(?P<g{i}>{pat})" for i, (_, pat) in enumerate(_WHOLE)), _F)

# -- patterns inside a (short) line -------------------------------------------------------------------
# Each rule: (reason, first words, needed words, pattern, max words of the line).
# "first words": the pattern is matched at each sentence start whose first word is one of them
# (addresses to the reader open a sentence with an imperative: "Download the app", "Sign up for...");
# None: the pattern is searched anywhere (fixed formulas). "needed words": the line must hold one of
# them as a word; this cheap set test skips the regular expressions for nearly every line of news.
_NETWORKS = "twitter facebook instagram x telegram whatsapp google linkedin youtube threads bluesky tiktok"
_RULES: list[tuple[str, str | None, str, str, int]] = [
    (
        "site-promo",
        "discover explore find get catch read check browse see watch follow",
        "latest best top breaking biggest important",
        (
            r"(?:discover|explore|find|get|catch|read|check out|browse|see|watch|follow)(?: all)?"
            r"(?: the)? (?:latest|best|top|breaking|biggest|most important)\b"
        ),
        40,
    ),
    ("site-promo", "catch", "catch", r"catch all the (?:[\w'&-]+ ){0,4}(?:news|updates|stories)\b", 40),
    (
        "site-promo",
        "follow like join",
        _NETWORKS,
        (
            r"(?:follow|like|join) (?:us|(?:the )?[\w'&.-]+(?: [\w'&.-]+){0,3}) on (?:[\w'&.-]+,? (?:and|&|or) )?"
            r"(?:twitter|facebook|instagram|x|telegram|whatsapp|google news|linkedin|youtube|threads|bluesky"
            r"|tiktok)\b"
        ),
        25,
    ),
    (
        # an outlet asking for tips: "Have a news tip? Email newsdesk@... or message us on 0800 ..."
        "site-promo",
        "have got know send email e-mail contact",
        "tip tips newsdesk story stories",
        (
            r"(?:(?:have|got) (?:a|any) (?:news )?(?:tip|story)s?\b|know (?:a|of a) story\b"
            r"|send (?:us )?(?:your )?(?:news )?(?:tips|stories)\b"
            r"|(?:email|e-mail|contact) (?:the )?newsdesk\b)"
        ),
        30,
    ),
    (
        "site-promo",
        "click tap go head",
        "here link",
        r"(?:click|tap|go|head) (?:here|this link|the link below)\b",
        25,
    ),
    (
        "site-promo",
        None,
        "visit follow download subscribe click log",
        (
            r"\bfor (?:more|the latest|all the latest) (?:[\w'&-]+ ){0,4}(?:news|updates|stories"
            r"|coverage)\b.{0,60}"
            r"\b(?:visit|follow|download|subscribe|click|log on|log onto|go to)\b"
        ),
        40,
    ),
    (
        "app-promo",
        "download get install try grab",
        "app apps",
        r"(?:download|get|install|try|grab)(?: the| our| a)?(?: free| new| official)?(?: [\w'&.-]+){0,3}"
        r" apps?\b",
        40,
    ),
    ("app-promo", "loving enjoying", "loving enjoying", r"(?:loving|enjoying) [\w'&. -]{1,40}\? ", 30),
    (
        "app-promo",
        None,
        "app apps",
        (
            r"\b(?:download|install|get) (?:the|our) (?:free )?(?:[\w'&.-]+ ){0,3}apps? (?:now|today|for free"
            r"|here)\b"
            r"|\bapps? to stay (?:updated|informed)\b|\b(?:read|continue|better|best) (?:it |this )?(?:in|on)"
            r" (?:the|our) app\b"
        ),
        40,
    ),
    (
        "app-promo",
        None,
        "store play",
        (
            r"(?:available|download(?: it)?|get it) (?:now )?(?:on|from|in) (?:the )?(?:app store|google play"
            r"|play store|apple app store)"
        ),
        14,
    ),
    (
        "comment-prompt",
        None,
        "published required",
        r"your email address will not be published|required fields are marked",
        30,
    ),
    (
        "comment-prompt",
        "please leave add post share drop write",
        "comment reply thoughts thought views view feedback",
        (
            r"(?:please )?(?:leave|add|post|share|drop|write) (?:a|your|us a) (?:comment|reply|thoughts?"
            r"|views?"
            r"|feedback)\b"
        ),
        30,
    ),
    (
        "comment-prompt",
        "read see view join",
        "comment comments conversation discussion debate",
        (
            r"(?:(?:read|see|view) (?:our )?comments? (?:policy|guidelines)|join the (?:conversation"
            r"|discussion"
            r"|debate))\b"
        ),
        25,
    ),
    (
        "comment-prompt",
        None,
        "comment comments below think",
        r"\b(?:let us know|tell us|share your (?:thoughts|views|opinions?))\b.{0,40}\b(?:comments?|below"
        r"|think)\b",
        25,
    ),
    (
        "comment-prompt",
        None,
        "appreciate value welcome love",
        r"\bwe (?:appreciate|value|welcome|love) (?:your|reader) (?:thoughts|comments|feedback|views"
        r"|opinions)\b",
        25,
    ),
    (
        "newsletter",
        "sign signup subscribe register",
        "newsletter newsletters briefing briefings digest digests alert alerts mailing email emails updates",
        (
            r"(?:sign up|signup|subscribe|register)(?: now| today| here)?(?: for| to)(?: (?:our|the|a|my"
            r"|this))?"
            r"(?: free)?(?: [\w'&-]+){0,4} (?:newsletters?|briefings?|digests?|alerts?|mailing list|emails?"
            r"|updates)\b"
        ),
        40,
    ),
    (
        "newsletter",
        "get receive",
        "newsletter newsletters briefing briefings digest digests",
        r"(?:get|receive)(?: (?:our|the))?(?: free)?(?: [\w'&-]+){0,3} (?:newsletters?|briefings?"
        r"|digests?)\b",
        40,
    ),
    (
        "newsletter",
        "stay keep",
        "latest news updates trends headlines stories",
        (
            r"(?:stay|keep) (?:on top of|up to date|up-to-date|updated|informed|ahead|in the loop|abreast"
            r"|in the know)\b.{0,80}\b(?:latest|news|updates|trends|headlines|stories)\b"
        ),
        30,
    ),
    (
        "newsletter",
        None,
        "inbox",
        r"\b(?:delivered|sent|straight|directly|right) (?:to|into) your inbox\b",
        40,
    ),
    (
        "newsletter",
        None,
        "subscribing signing",
        r"\bthanks? (?:you )?for (?:subscribing|signing up)\b|\bby (?:signing up|subscribing),? you agree",
        40,
    ),
    (
        "newsletter",
        None,
        "curated",
        r"\b(?:specially|hand-?picked|personally|carefully)? ?curated (?:just )?for you\b",
        30,
    ),
    (
        "syndication-note",
        None,
        "edited syndicated feed",
        (
            r"\b(?:has not been|was not|is not) edited by\b.{0,80}\b(?:staff|team)\b"
            r"|\bauto-?generated from a syndicated feed\b|\bpublished from a (?:wire|syndicated) (?:agency"
            r" )?feed\b"
        ),
        50,
    ),
    # the footer blogging platforms add to every feed item: "The post <title> appeared first on <site>."
    ("syndication-note", "the", "appeared", r"^the post .{1,300}? appeared first on [^.,;:!?]{1,60}\.?$", 80),
    ("author-bio", None, "author", r"^(?:about (?:the )?author|author profile|author bio)\s*[:—-]\s", 120),
    (
        "author-bio",
        "follow email contact",
        "him her them author me",
        r"(?:follow|email|contact) (?:him|her|them|the author|me) (?:on|at)\b",
        25,
    ),
    ("author-bio", None, "reached", r"\bcan be reached at \S+@\S+", 25),
]


@dataclasses.dataclass(frozen=True, slots=True)
class _Rule:
    reason: str
    first: frozenset[str] | None
    need: frozenset[str]
    rx: re.Pattern[str]
    limit: int


_RULES_C = [
    _Rule(
        reason,
        frozenset(first.split()) if first else None,
        frozenset(need.split()),
        re.compile(pat, _F),
        limit,
    )
    for reason, first, need, pat, limit in _RULES
]
_ALL_NEED = frozenset().union(*(r.need for r in _RULES_C))
_INLINE_MAX_WORDS = max(r.limit for r in _RULES_C)
_SENTENCE_START = re.compile(r"[.!?:;|•—-] \"?")
_FIRST_WORD = re.compile(r"[A-Za-z]+")
_WORD = re.compile(r"\w+")

_BIO_HEADING = re.compile(
    r"(?:about (?:the )?(?:authors?|writers?|reporters?|contributors?)|author(?:'s)? (?:profile|bio|biography"
    r"|information|info|details|description)|meet the authors?)\W*",
    _F,
)
REASONS = (
    "recurring-line:outlet",
    "recurring-line:corpus",
    "recurring-title-suffix",
    "repeated-headline",
    "repeated-lede",
    "repeated-paragraph",
    "pattern:app-promo",
    "pattern:comment-prompt",
    "pattern:share-counter",
    "pattern:share-button",
    "pattern:newsletter",
    "pattern:site-promo",
    "pattern:author-bio",
    "pattern:image-placeholder",
    "pattern:media-placeholder",
    "pattern:navigation",
    "pattern:advertisement",
    "pattern:copyright",
    "pattern:syndication-note",
    "pattern:outlet-name",
    "pattern:edge-word",
    "pattern:separator",
)


def is_sentence(line: str, nwords: int | None = None) -> bool:
    """A line of two or more words ending like a sentence ('.', '!', '?', maybe then a quote)."""
    n = len(line.split()) if nwords is None else nwords
    return n >= 2 and line.rstrip("\"')]").endswith((".", "!", "?"))


def is_prose(line: str, nwords: int | None = None) -> bool:
    """Article body rather than page furniture: a sentence, or eight words or more."""
    n = len(line.split()) if nwords is None else nwords
    return n >= 8 or is_sentence(line, n)


def is_bio_heading(line: str) -> bool:
    """A heading that introduces an author biography ("Author profile", "About the author")."""
    return _BIO_HEADING.fullmatch(line) is not None


def classify(
    line: str, nwords: int | None = None, whole_only: bool = False, key: str | None = None
) -> str | None:
    """The boilerplate class of a normalised line (``"pattern:<class>"``), or None for body text.

    ``whole_only`` keeps to the patterns that must match the whole line (for titles, where an
    imperative such as "Download the app now, police urge" can be a real headline). ``key`` is the
    line's :func:`~storyline.clean.textnorm.line_key` when the caller has it already.
    """
    n = len(line.split()) if nwords is None else nwords
    if n <= _WHOLE_MAX_WORDS:
        if not (key if key is not None else _WORD.search(line)):
            return "pattern:separator"
        m = _WHOLE_RE.fullmatch(line)
        if m is not None:
            reason = _WHOLE_REASONS[int(m.lastgroup[1:])]
            if reason != "share-button" or not _SHARE_STRONG_WORDS.isdisjoint(_WORD.findall(line.lower())):
                return "pattern:" + reason
    # A quotation mark means reported speech: page furniture does not quote anyone.
    if whole_only or n > _INLINE_MAX_WORDS or '"' in line:
        return None
    words = set((key if key is not None else " ".join(_WORD.findall(line.casefold()))).split())
    if words.isdisjoint(_ALL_NEED):
        return None
    starts: list[tuple[int, str]] | None = None
    for rule in _RULES_C:
        if n > rule.limit or words.isdisjoint(rule.need):
            continue
        if rule.first is None:
            if rule.rx.search(line):
                return "pattern:" + rule.reason
            continue
        if words.isdisjoint(rule.first):
            continue
        if starts is None:
            starts = []
            for pos in (0, *(m.end() for m in _SENTENCE_START.finditer(line))):
                fw = _FIRST_WORD.match(line, pos)
                if fw is not None:
                    starts.append((pos, fw.group().lower()))
        for pos, first in starts:
            if first in rule.first and rule.rx.match(line, pos):
                return "pattern:" + rule.reason
    return None
