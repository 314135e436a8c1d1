"""Deterministic synthetic news corpora with known stories and known reuse.

    python bench/generate.py --n 10000 --out corpus.jsonl [--seed 1]

Every story is one fictional event (an earthquake, a rate decision, a strike...) with
its own places, people, dates, numbers and quotes; several events of each kind exist
so that lexically similar but different stories are there to be confused. Each story
has one original report and, depending on its size, syndicated copies (verbatim,
sometimes trimmed), lightly edited copies, rewrites (reordered, rephrased, sentences
dropped and added), spun copies (synonyms swapped, entities and numbers kept) and
independent reports of the same event. Outlets add their own boilerplate. Story sizes
are heavy-tailed: many single-article stories, a few large ones.

Output: one JSON object a line with ``id``, ``url``, ``outlet``, ``title``, ``text``,
``published`` (ISO 8601 or null), ``story`` (the label), ``kind`` and ``parent``.
Generation streams story by story, and story ``i`` depends only on (seed, i), so a
smaller corpus is a prefix of a larger one with the same seed (and the default span;
with ``--per-day`` the span, and so the dates, depend on ``--n``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def _words(s: str) -> list[str]:
    return s.split()


ARTICLE_KINDS = ("original", "syndicated", "edited", "rewrite", "spun", "independent")

# --------------------------------------------------------------------------- word lists

FIRST = _words(
    "Anna Marek Lena Tomas Sofia Pavel Irina Jonas Elena Viktor Clara Oskar Maja Emil Nora Felix Ida Lukas "
    "Vera Milan Hana Adrian Petra Igor Selma Rafael Dana Bruno Alma Kasimir Rosa Anton Greta Dmitri Lea "
    "Samuel Ines Matteo Olga Hugo Eva Nikola Zara Leon Mira Teodor Lucia Arvid Julia Stefan Amira Henrik "
    "Nadia Karim Yara Omar Leila Tariq Sana Daniel Aisha Ruben Nina Kofi Ama Kwame Efua Jorge Camila Diego "
    "Valentina Mateo Lucas Martina Hiroshi Yuki Kenji Aiko Wei Lin Jun Mei Arjun Priya Ravi Ananya Vikram "
    "Meera Sipho Thandi Femi Ngozi Chidi Grace Patrick Siobhan Declan Aoife Morgan Rhys Carys Bjorn Astrid"
)
LAST = _words(
    "Novak Halvorsen Castellan Dvorak Marquez Okafor Lindqvist Petrov Baranski Moreau Tanaka Ferreira "
    "Albrecht Kowal Sorensen Vasquez Mensah Ibarra Kuznets Holloway Quint Varga Osei Nakamura Rahimi "
    "Delacroix Brennan Szabo Jovanovic Haddad Okonkwo Valdez Krause Lindgren Moretti Fischer Aydin Costa "
    "Rinaldi Yilmaz Bauer Eriksen Nowicki Santoro Keller Pereira Mwangi Achterberg Dunmore Calloway "
    "Thorne Whitlock Ashby Farrow Pemberton Rasmussen Obradovic Ilic Karlsson Marchetti Bianchi Ortega "
    "Salazar Mbeki Adeyemi Chaudhry Banerjee Iyer Kapoor Suzuki Watanabe Ishikawa Zhang Liang Huang "
    "Rojas Navarro Fuentes Lozano Barros Teixeira Sato Hoffmann Vogel Brandt Weber Hartmann Lang Roth "
    "Quinlan Gallagher Fitzroy Mercer Sinclair Blackwood Harrow Ellery Vance Corwin Stroud Maddox"
)
SYL_A = _words("Vel Kar Mor Tal Bren Ost Lun Dra Sel Ham Cor Val Mir Tor Zan Fen Gal Ris Bel Nor Ash Kel Dun Har")
SYL_B = ["a", "o", "e", "i", "ar", "en", "or", "", "", "u"]
SYL_C = _words(
    "mar ova dale ston ville burg ford grad heim port mouth wick haven field ria sk lin ton mere bridge "
    "vik by holm gate"
)
COUNTRIES = _words(
    "Ostravia Keldonia Marovia Valdoria Selvania Drakmar Lunaria Corvenia Tavaris Brennland Halvora "
    "Zemlya Norvania Galdaro Fenmark Risolia Belmora Ashkar Kestria Durovia Moravel Talveria Vostrana "
    "Sunmark Eldoria Carrowen Pellinor Tirana Veldmark Quorin"
)
COUNTRIES = [c for c in COUNTRIES if c != "Tirana"]
RIVERS = _words("Veld Ostra Marrow Lune Karsk Tamber Silva Drava Hollin Esk Brenna Coldwater")
BRAND_A = _words("Vel Kor Zen Tru Nov Ax Lum Quan Sol Ori Pyx Dex Hal Ter Vox Mar Cyr Eon Nex Ul")
BRAND_B = _words("tek ora ix gen ova ian ara um io yn ex a on is")
INDUSTRY = _words(
    "Motors Foods Pharma Bank Energy Airlines Telecom Appliances Logistics Mining Retail Insurance "
    "Steel Chemicals Software Semiconductors Shipping Brewing Textiles Media"
)
TEAM_NOUNS = _words("Rovers United Athletic Wanderers Lions Falcons Rangers City Dynamo Harbour Miners Eagles")
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]

OUTLET_A = _words(
    "Daily Morning Evening Northern Southern Coastal Metro Valley City National Global Harbour Capital "
    "Central Western Eastern Highland Lakeside River Union Frontier Summit"
)
OUTLET_B = _words(
    "Herald Gazette Courier Post Chronicle Tribune Ledger Observer Dispatch Times Record Sentinel Journal "
    "Bulletin Beacon Wire Express Monitor Review Standard"
)
TLDS = ["com", "com", "com", "net", "news", "org", "info", "co"]
SECTIONS = ["news", "world", "business", "politics", "sport", "local", "economy", "national"]

BOILERPLATE = [
    "Download the {name} app for breaking news alerts.",
    "Loving {short}? Download the app now.",
    "Sign up for the {short} newsletter and get the day's top stories in your inbox.",
    "Share this article: {shares} shares",
    "{shares}",
    "Advertisement",
    "Follow {name} on social media for the latest updates.",
    "\u00a9 {year} {name}. All rights reserved.",
    "Add a Comment",
    "Your email address will not be published. Required fields are marked *",
    "Subscribe for unlimited access from {price} a month.",
    "PostImage",
    "Image: {name} / File photo",
    "Read more top stories from the {section} desk at {domain}.",
    "Get the latest {section} news delivered to your phone with the {short} app.",
    "Support independent journalism: become a {short} member today.",
    "Comments are moderated and may take some time to appear.",
    "Listen to this article (3 min)",
]

# Common words and their stand-ins, for spun copies (entities and numbers are left alone).
SYNONYMS = {
    "said": ["stated", "remarked", "declared", "noted"], "says": ["states", "remarks", "notes"],
    "told": ["informed", "advised"], "people": ["individuals", "persons", "residents"],
    "killed": ["left dead", "claimed the lives of"], "large": ["big", "sizeable", "huge"],
    "big": ["large", "major", "huge"], "small": ["little", "minor", "modest"],
    "country": ["nation", "state"], "city": ["town", "metropolis"], "government": ["administration"],
    "officials": ["authorities", "functionaries"], "official": ["functionary", "authority figure"],
    "increase": ["rise", "hike", "boost"], "decrease": ["decline", "drop", "fall"],
    "rose": ["climbed", "went up", "increased"], "fell": ["dropped", "declined", "went down"],
    "announced": ["revealed", "declared", "made public"], "expected": ["anticipated", "predicted"],
    "decision": ["choice", "determination", "ruling"], "meeting": ["session", "gathering"],
    "week": ["seven days"], "year": ["twelve months"], "month": ["four weeks"],
    "began": ["started", "commenced"], "start": ["begin", "commence"], "started": ["began", "commenced"],
    "help": ["aid", "assist", "support"], "helped": ["aided", "assisted"], "quickly": ["rapidly", "swiftly"],
    "important": ["significant", "crucial", "key"], "major": ["big", "significant", "primary"],
    "area": ["zone", "region", "district"], "areas": ["zones", "regions", "districts"],
    "homes": ["houses", "residences", "dwellings"], "house": ["home", "residence"],
    "many": ["numerous", "a lot of", "plenty of"], "several": ["a number of", "various", "multiple"],
    "workers": ["employees", "staff", "labourers"], "company": ["firm", "business", "corporation"],
    "companies": ["firms", "businesses"], "leader": ["head", "chief"], "head": ["chief", "leader"],
    "agreed": ["consented", "accepted"], "plan": ["scheme", "proposal"], "plans": ["schemes", "proposals"],
    "problem": ["issue", "difficulty"], "problems": ["issues", "difficulties"], "also": ["additionally"],
    "however": ["nevertheless", "still", "yet"], "but": ["yet", "though"], "after": ["following"],
    "before": ["prior to", "ahead of"], "during": ["throughout", "in the course of"],
    "about": ["around", "roughly", "approximately"], "nearly": ["almost", "close to"],
    "more": ["additional", "further"], "than": ["compared with"], "strong": ["powerful", "intense"],
    "damage": ["destruction", "harm"], "damaged": ["harmed", "wrecked"], "destroyed": ["wrecked", "ruined"],
    "residents": ["inhabitants", "locals", "dwellers"], "emergency": ["crisis", "urgent"],
    "rescue": ["relief", "recovery"], "hit": ["struck", "battered"], "struck": ["hit", "jolted"],
    "warned": ["cautioned", "alerted"], "called": ["urged", "demanded"], "added": ["continued", "went on"],
    "result": ["outcome", "consequence"], "results": ["outcomes"], "vote": ["ballot", "poll"],
    "votes": ["ballots"], "win": ["victory", "triumph"], "won": ["secured", "clinched"],
    "team": ["side", "squad"], "game": ["match", "contest"], "match": ["game", "fixture"],
    "final": ["decider", "showpiece"], "court": ["tribunal", "bench"], "judge": ["justice", "magistrate"],
    "law": ["legislation", "statute"], "deal": ["agreement", "transaction", "pact"],
    "shares": ["stock", "equity"], "price": ["cost", "value"], "prices": ["costs", "values"],
    "rate": ["level", "figure"], "rates": ["levels"], "inflation": ["price growth"],
    "economy": ["economic system"], "growth": ["expansion"], "fire": ["blaze", "inferno"],
    "flood": ["deluge", "inundation"], "water": ["floodwater"], "rain": ["rainfall", "downpour"],
    "storm": ["tempest"], "product": ["item", "goods"], "products": ["items", "goods"],
    "customers": ["buyers", "consumers", "clients"], "safety": ["security"], "risk": ["danger", "hazard"],
    "strike": ["walkout", "industrial action"], "union": ["labour group"], "pay": ["wages", "salary"],
    "talks": ["negotiations", "discussions"], "statement": ["declaration", "release"],
    "reported": ["stated", "indicated"], "according": ["as per"], "thousands": ["many thousands"],
    "hundreds": ["scores"], "today": ["this day"], "later": ["subsequently", "afterwards"],
    "early": ["initial", "premature"], "new": ["fresh", "novel"], "old": ["former", "previous"],
}

# Sentences any report may carry, whatever the event.
GENERIC = [
    "Officials said more details would be released later in the day.",
    "The situation was still developing on {weekday} evening.",
    "It was not immediately clear how the decision would affect neighbouring {country} regions.",
    "Local media broadcast images of the scene throughout the day.",
    "Further updates are expected in the coming days.",
    "The story has drawn wide attention across {country}.",
    "Reporters gathered outside the building for several hours.",
    "Analysts said the coming weeks would be decisive.",
    "A full statement was published on the official website.",
    "Opposition figures were quick to comment on the news.",
    "Residents of {city} followed the events closely.",
    "Several international observers were in {city} at the time.",
    "The news dominated conversations in cafes and on public transport in {city}.",
    "Television channels in {country} interrupted their regular programmes to cover the events.",
    "Government spokespeople declined to give further details when contacted on {weekday}.",
    "Social media users shared photos and videos from {city} within minutes.",
    "The events of {weekday} are likely to be debated in parliament next week.",
    "Community leaders in {city} called for calm and patience.",
    "Questions remain about how prepared the authorities were.",
    "Several newspapers in {country} devoted their front pages to the story.",
    "Experts interviewed by local broadcasters offered differing views on what comes next.",
    "The mayor's office in {city} set up a telephone line for questions from the public.",
    "It is the latest in a series of difficult weeks for the government of {country}.",
    "People in {city} described a day of confusion and uncertainty.",
    "Neighbouring countries said they were following the situation in {country} closely.",
    "Businesses in the centre of {city} closed early on {weekday}.",
    "Officials promised a full review once the immediate situation was under control.",
    "Opposition lawmakers demanded a detailed account from the government.",
    "Further information is expected to be published on {weekday} evening.",
    "Markets in {country} were calm in early trading.",
]

# --------------------------------------------------------------------------- event kinds
# A kind gives facts (slot values) and templates: titles, lede, body slots, quotes and a
# background pool. A body slot is a list of phrasings of the same fact; a quote slot is a
# list of paraphrases of the same remark by one speaker role. Placeholders name facts.

Facts = dict[str, Any]


def _num(n: int) -> str:
    return f"{n:,}"


def _person(r: random.Random) -> tuple[str, str]:
    first, last = r.choice(FIRST), r.choice(LAST)
    return f"{first} {last}", last


def _place(r: random.Random) -> str:
    return r.choice(SYL_A) + r.choice(SYL_B) + r.choice(SYL_C)


def _company(r: random.Random) -> str:
    return r.choice(BRAND_A) + r.choice(BRAND_B) + " " + r.choice(INDUSTRY)


def _people(r: random.Random, f: Facts, roles: list[str]) -> None:
    for role in roles:
        name, last = _person(r)
        f[role] = name
        f[role + "_last"] = last


def _facts_earthquake(r: random.Random, f: Facts) -> None:
    f["magnitude"] = f"{r.uniform(4.8, 7.9):.1f}"
    f["depth"] = r.randint(5, 70)
    f["deaths"] = min(5000, int(r.paretovariate(0.9)))
    f["injured"] = _num(f["deaths"] * r.randint(2, 9) + r.randint(3, 40))
    f["dist"] = r.randint(8, 90)
    f["aftershocks"] = r.randint(3, 60)
    f["buildings"] = _num(r.randint(4, 900))
    f["deaths_s"] = _num(f["deaths"])
    f["agency"] = f"the {f['country']} Seismological Institute"
    _people(r, f, ["minister", "seismologist", "resident", "mayor"])


def _facts_rate(r: random.Random, f: Facts) -> None:
    old = r.choice([1.0, 1.25, 1.5, 2.0, 2.25, 2.5, 3.0, 3.25, 3.5, 3.75, 4.0, 4.25, 4.5, 5.0, 5.25])
    move = r.choice([-0.5, -0.25, -0.25, 0.25, 0.25, 0.5])
    f["old_rate"], f["new_rate"] = f"{old:.2f}", f"{old + move:.2f}"
    f["move_bp"] = int(abs(move) * 100)
    f["direction"] = "raised" if move > 0 else "cut"
    f["direction_n"] = "increase" if move > 0 else "cut"
    f["inflation"] = f"{r.uniform(1.2, 9.5):.1f}"
    f["target"] = r.choice(["2", "2.5", "3"])
    yes = r.randint(5, 9)
    f["vote"] = f"{yes}-{r.randint(0, 9 - yes)}"
    f["bank"] = r.choice([f"the {f['country']} Central Bank", f"the Bank of {f['country']}"])
    f["lender"] = _company(r).split()[0] + " Bank"
    f["next_month"] = MONTHS[(f["month_i"] + r.randint(1, 3)) % 12]
    f["growth"] = f"{r.uniform(-1.5, 4.5):.1f}"
    _people(r, f, ["governor", "economist", "finance_minister"])


def _facts_election(r: random.Random, f: Facts) -> None:
    f["office"] = r.choice(["president", "mayor", "governor", "prime minister"])
    parties = ["Unity Party", "Progress Alliance", "People's Front", "Civic Movement", "Green League",
               "National Renewal", "Labour Union Party", "Liberty Bloc", "Democratic Centre"]
    p1, p2 = r.sample(parties, 2)
    f["party"], f["rival_party"] = p1, p2
    share = r.uniform(40.5, 68.0)
    f["share"], f["rival_share"] = f"{share:.1f}", f"{r.uniform(20.0, 100 - share - 2):.1f}"
    f["turnout"] = f"{r.uniform(38.0, 82.0):.1f}"
    f["seats"] = r.randint(35, 220)
    f["votes"] = _num(r.randint(80_000, 9_000_000))
    f["round"] = r.choice(["first", "second", "final"])
    _people(r, f, ["winner", "rival", "commissioner", "analyst"])


def _facts_strike(r: random.Random, f: Facts) -> None:
    sector = r.choice(["rail", "port", "hospital", "teachers'", "airport", "bus", "postal", "refinery"])
    f["sector"] = sector
    f["union"] = r.choice(["Workers", "Employees", "Staff"]) + f" Union of {f['country']}"
    f["workers"] = _num(r.randint(800, 120_000))
    f["days"] = r.randint(1, 14)
    f["demand"] = r.randint(4, 18)
    f["offer"] = r.randint(1, 5)
    f["employer"] = r.choice([f"the {f['country']} transport ministry", _company(r), f"{f['city']} city council"])
    f["affected"] = _num(r.randint(5_000, 900_000))
    _people(r, f, ["union_leader", "spokesperson", "commuter", "minister"])


def _facts_recall(r: random.Random, f: Facts) -> None:
    f["company"] = _company(r)
    item = r.choice(["pressure cooker", "electric scooter", "baby monitor", "space heater", "laptop charger",
                     "car seat", "blender", "e-bike battery", "smoke alarm", "hair dryer", "dishwasher"])
    f["product"] = f"{r.choice(BRAND_A)}{r.choice(BRAND_B)} {r.choice('XKTSP')}{r.randint(2, 90)} {item}"
    f["units"] = _num(r.randint(2_000, 2_500_000))
    f["defect"] = r.choice(["can overheat and catch fire", "may give electric shocks", "has a faulty latch",
                            "can crack under normal use", "may fail to switch off", "contains a loose part"])
    f["injuries"] = r.randint(0, 60)
    f["agency"] = f"the {f['country']} Consumer Safety Agency"
    f["refund"] = _num(r.randint(20, 900))
    f["years"] = f"{f['year'] - r.randint(1, 4)} and {f['year']}"
    _people(r, f, ["spokesperson", "regulator", "customer", "engineer"])


def _facts_final(r: random.Random, f: Facts) -> None:
    c2 = _place(r)
    f["team"] = f"{f['city']} {r.choice(TEAM_NOUNS)}"
    f["opponent"] = f"{c2} {r.choice(TEAM_NOUNS)}"
    a = r.randint(1, 5)
    f["score"] = f"{a}-{r.randint(0, a - 1)}"
    f["competition"] = r.choice([f"{f['country']} Cup", "Continental Championship", f"{f['country']} League"])
    f["venue"] = f"{_place(r)} Arena"
    f["attendance"] = _num(r.randint(12_000, 85_000))
    f["minute"] = r.randint(3, 90)
    f["titles"] = r.randint(1, 12)
    _people(r, f, ["scorer", "coach", "rival_coach", "fan"])


def _facts_wildfire(r: random.Random, f: Facts) -> None:
    f["hectares"] = _num(r.randint(300, 90_000))
    f["homes"] = _num(r.randint(0, 1_500))
    f["evacuated"] = _num(r.randint(200, 60_000))
    f["firefighters"] = _num(r.randint(80, 4_000))
    f["contained"] = r.randint(0, 85)
    f["wind"] = r.randint(20, 110)
    f["aircraft"] = r.randint(2, 40)
    f["deaths"] = r.choice([0, 0, 0, 1, 2, 3, 5, 11])
    f["forest"] = f"{_place(r)} forest"
    _people(r, f, ["fire_chief", "governor", "resident", "meteorologist"])


def _facts_merger(r: random.Random, f: Facts) -> None:
    f["buyer"], f["target"] = _company(r), _company(r)
    f["value"] = f"{r.uniform(0.4, 48.0):.1f}"
    f["per_share"] = f"{r.uniform(8.0, 240.0):.2f}"
    f["premium"] = r.randint(8, 65)
    f["employees"] = _num(r.randint(900, 140_000))
    f["quarter"] = r.choice(["first", "second", "third", "fourth"])
    f["close_year"] = f["year"] + r.choice([0, 1])
    f["regulator"] = f"the {f['country']} Competition Authority"
    f["savings"] = r.randint(50, 1_900)
    _people(r, f, ["buyer_ceo", "target_ceo", "analyst", "union_rep"])


def _facts_court(r: random.Random, f: Facts) -> None:
    f["court"] = r.choice([f"the {f['country']} Supreme Court", f"the High Court in {f['city']}",
                           f"the {f['country']} Constitutional Court"])
    f["subject"] = r.choice(["a data-retention law", "a mining permit", "a ban on street protests",
                             "a disputed land transfer", "a tax on foreign streaming services",
                             "the closure of a coal plant", "a municipal housing plan"])
    f["plaintiff"] = r.choice([f"the {_place(r)} Residents' Association", _company(r),
                               f"the {f['country']} Bar Council", "a coalition of environmental groups"])
    yes = r.randint(3, 9)
    f["split"] = f"{yes}-{r.randint(0, yes - 1)}"
    f["fine"] = _num(r.randint(10, 900) * 1000)
    f["weeks"] = r.randint(2, 12)
    f["filed_year"] = f["year"] - r.randint(1, 5)
    _people(r, f, ["judge", "lawyer", "minister", "professor"])


def _facts_flood(r: random.Random, f: Facts) -> None:
    f["river"] = f"{r.choice(RIVERS)} River"
    f["rain"] = r.randint(80, 480)
    f["hours"] = r.choice([12, 24, 36, 48, 72])
    f["deaths"] = r.randint(1, 90)
    f["deaths_s"] = _num(f["deaths"])
    f["displaced"] = _num(r.randint(300, 250_000))
    f["villages"] = r.randint(3, 140)
    f["teams"] = r.randint(5, 120)
    f["level"] = f"{r.uniform(2.5, 11.0):.1f}"
    f["agency"] = f"the {f['country']} Meteorological Office"
    _people(r, f, ["minister", "mayor", "resident", "forecaster"])


@dataclass
class Kind:
    name: str
    section: str
    facts: Callable[[random.Random, Facts], None]
    titles: list[str]
    lede: list[str]
    body: list[list[str]]
    quotes: list[tuple[str, list[str]]]  # (speaker role, paraphrases)
    background: list[str]


KINDS: list[Kind] = [
    Kind(
        "earthquake", "world", _facts_earthquake,
        titles=[
            "Magnitude {magnitude} earthquake strikes {city}, {deaths_s} dead",
            "Strong quake hits {country}'s {city}",
            "Earthquake of magnitude {magnitude} shakes {city} region",
            "{city} quake: rescuers search rubble as death toll rises",
        ],
        lede=[
            ("A magnitude {magnitude} earthquake struck near {city} in {country} on {weekday}, killing at least "
             "{deaths_s} people and injuring {injured}, officials said."),
            ("At least {deaths_s} people were killed when a strong earthquake of magnitude {magnitude} hit the "
             "area around {city} on {weekday}, according to {agency}."),
            ("A powerful earthquake shook {city} and surrounding villages on {weekday}, leaving {deaths_s} dead "
             "and {injured} injured."),
            ("Rescuers in {country} were digging through rubble on {weekday} after a magnitude {magnitude} quake "
             "struck close to {city}."),
        ],
        body=[
            ["The quake hit at a depth of {depth} kilometres, about {dist} kilometres from {city}, {agency} said.",
             "{agency} measured the quake at a depth of {depth} km, with its epicentre {dist} km from the city.",
             "Its epicentre was located {dist} kilometres outside {city} at a shallow depth of {depth} km."],
            ["At least {buildings} buildings collapsed or were badly damaged.",
             "Officials counted {buildings} damaged or destroyed buildings by the evening.",
             "Some {buildings} buildings were reported damaged across the region."],
            ["More than {aftershocks} aftershocks were recorded in the hours that followed.",
             "Seismologists registered {aftershocks} aftershocks by nightfall.",
             "The main shock was followed by {aftershocks} aftershocks, some of them strong."],
            ["Hospitals in {city} were treating {injured} injured people, many with broken bones.",
             "The {injured} injured were taken to hospitals in {city} and nearby towns.",
             "Local hospitals said they had admitted {injured} people hurt in the quake."],
            ["Schools in the region were closed and residents were told to stay out of damaged homes.",
             "Authorities ordered schools shut and urged families not to return to cracked buildings.",
             "Classes were suspended across the province while engineers inspected buildings."],
            ["Emergency teams and army units were sent to the worst-hit villages.",
             "The government deployed soldiers and rescue teams to remote villages cut off by landslides.",
             "Rescue crews, backed by the army, headed for mountain villages where roads were blocked."],
            ["Power and water supplies were cut in parts of {city}.",
             "Parts of the city were left without electricity or running water.",
             "Electricity and water were down in several districts of {city} on {weekday} night."],
        ],
        quotes=[
            ("minister", ["We are doing everything we can to reach the people still trapped under the rubble",
                          "Every available team is working to reach those still trapped under collapsed buildings",
                          "All our teams are working to get to the people who remain trapped"]),
            ("seismologist", ["This was a shallow quake, which is why the shaking was so destructive",
                              "Because the quake was shallow, the shaking at the surface was very strong",
                              "The shallow depth explains why the damage was so severe"]),
            ("resident", ["The whole house was shaking and we ran into the street with the children",
                          "Everything shook, and we grabbed the kids and ran outside",
                          "We ran out with the children while the walls were still shaking"]),
            ("mayor", ["We need tents, blankets and clean water for the families who lost their homes",
                       "Families who lost their homes urgently need tents, blankets and water",
                       "Our priority is shelter and water for everyone left homeless"]),
        ],
        background=[
            "{country} lies on several active fault lines and is frequently hit by earthquakes.",
            "The region around {city} was last struck by a major quake more than two decades ago.",
            "Building codes in {country} were tightened after a deadly earthquake in the 1990s.",
            "Experts have long warned that many older buildings in the region are not quake-resistant.",
            "Neighbouring countries offered to send search and rescue teams.",
            "The quake was felt as far away as the capital, residents said on social media.",
        ],
    ),
    Kind(
        "rate_decision", "business", _facts_rate,
        titles=[
            "{bank_t} {direction} rates to {new_rate}%",
            "Central bank {direction} key rate by {move_bp} basis points",
            "{country} interest rate {direction_n} as inflation stands at {inflation}%",
            "{governor_last}: rate {direction_n} needed to steer economy",
        ],
        lede=[
            ("{bank_t} {direction} its main interest rate by {move_bp} basis points to {new_rate}% on {weekday}, "
             "citing inflation of {inflation}%."),
            ("The central bank of {country} {direction} borrowing costs on {weekday}, moving its benchmark rate "
             "from {old_rate}% to {new_rate}%."),
            ("Policymakers at {bank} voted {vote} on {weekday} to take the key rate to {new_rate}%, a "
             "{move_bp}-basis-point {direction_n}."),
            ("Borrowing costs in {country} changed on {weekday} as {bank} announced a {move_bp}-point rate "
             "{direction_n}."),
        ],
        body=[
            ["The decision was taken by a vote of {vote}, the bank said in a statement.",
             "The rate-setting committee split {vote} on the move.",
             "Members of the monetary policy committee voted {vote} in favour."],
            ["Annual inflation stood at {inflation}% last month, against the bank's target of {target}%.",
             "Consumer prices rose {inflation}% from a year earlier, well away from the {target}% goal.",
             "Inflation, at {inflation}%, remains off the bank's {target}% target."],
            ["The economy grew {growth}% in the last quarter, official figures show.",
             "Official data put economic growth at {growth}% in the latest quarter.",
             "Growth came in at {growth}% in the previous three months."],
            ["The currency moved sharply after the announcement.",
             "Markets reacted quickly, with the currency swinging in the minutes after the decision.",
             "The currency jumped and bond yields moved as traders digested the news."],
            ["The next policy meeting is scheduled for {next_month}.",
             "The committee will meet again in {next_month}.",
             "Rate-setters next gather in {next_month}, when new forecasts are due."],
            ["Mortgage holders and businesses will feel the change within weeks.",
             "Banks are expected to pass the change on to mortgage and loan customers soon.",
             "Lenders said they would review their mortgage rates in light of the decision."],
        ],
        quotes=[
            ("governor", ["We will do what is necessary to bring inflation back to target",
                          "We stand ready to do whatever it takes to return inflation to our target",
                          "Bringing inflation back to target remains our priority"]),
            ("economist", ["The move was widely expected, but the tone of the statement matters more",
                           "Markets had priced this in; what matters now is the guidance",
                           "Few were surprised by the decision, so the guidance is what investors will watch"]),
            ("finance_minister", ["The government respects the independence of the central bank",
                                  "We fully respect the bank's independence on monetary policy",
                                  "The bank is independent and the government respects its decisions"]),
        ],
        background=[
            "{bank_t} has changed rates several times over the past year.",
            "Households in {country} have struggled with high food and energy prices.",
            "Most economists polled before the meeting had predicted the move.",
            "The bank publishes its quarterly economic forecasts alongside some decisions.",
            "Critics argue that rate changes take many months to affect prices.",
        ],
    ),
    Kind(
        "election", "politics", _facts_election,
        titles=[
            "{winner} wins {country} {office} race",
            "{party} claims victory as {winner_last} takes {share}% of vote",
            "{winner_last} elected {office} of {country}",
            "Election in {country}: {winner} defeats {rival}",
        ],
        lede=[
            ("{winner} of the {party} has won the {round} round of the {office} election in {country} with "
             "{share}% of the vote, the electoral commission said on {weekday}."),
            ("Voters in {country} elected {winner} as {office}, giving the {party} candidate {share}% against "
             "{rival_share}% for {rival}."),
            ("{winner} claimed victory on {weekday} in {country}'s {office} election after official results "
             "gave {winner_last} {share}% of ballots cast."),
            "The {party} candidate {winner} won {country}'s {office} vote, beating {rival} of the {rival_party}.",
        ],
        body=[
            ["Turnout was {turnout}%, according to the electoral commission.",
             "Some {turnout}% of registered voters took part, officials said.",
             "Participation reached {turnout}% of the electorate."],
            ["{rival} of the {rival_party} took {rival_share}% and conceded defeat late on {weekday}.",
             "The runner-up, {rival}, won {rival_share}% and accepted the result.",
             "{rival_last}, who finished second with {rival_share}%, conceded in a short speech."],
            ["In total {votes} votes were counted.",
             "Officials counted {votes} ballots across the country.",
             "The commission said {votes} valid votes had been cast."],
            ["The {party} also won {seats} seats in the parallel legislative vote.",
             "In the parliamentary race held the same day, the {party} secured {seats} seats.",
             "{seats} seats went to the {party} in the legislative ballot."],
            ["International observers said the vote was largely orderly.",
             "Election monitors reported only minor irregularities.",
             "Observers described the election as calm and well organised."],
            ["Supporters celebrated in the streets of {city} until late at night.",
             "Crowds gathered in central {city} to celebrate the result.",
             "Thousands of supporters danced and waved flags in {city}."],
        ],
        quotes=[
            ("winner", ["Tonight the people of {country} chose hope over fear",
                        "The people of {country} have chosen hope instead of fear tonight",
                        "Today voters picked hope, not fear"]),
            ("rival", ["I congratulate my opponent and I accept the will of the voters",
                       "I accept the voters' decision and congratulate the winner",
                       "The voters have spoken and I congratulate my rival"]),
            ("commissioner", ["The count was carried out transparently in every district",
                              "Every district counted the ballots in full transparency",
                              "Counting in all districts was transparent"]),
            ("analyst", ["This result reshapes the political map of {country}",
                         "The political map of {country} has been redrawn by this vote",
                         "This vote changes the political landscape of the country"]),
        ],
        background=[
            "The campaign was dominated by the cost of living and corruption.",
            "{winner_last} previously served as a regional governor.",
            "Polls before the vote had suggested a much closer race.",
            "The new {office} is expected to be sworn in next month.",
            "The {rival_party} had held power for most of the past decade.",
        ],
    ),
    Kind(
        "strike", "national", _facts_strike,
        titles=[
            "{sector} workers strike in {country} over pay",
            "{workers} {sector} staff walk out as talks collapse",
            "Strike hits {city}: {sector} services halted for {days} days",
            "{union} launches {days}-day {sector} strike",
        ],
        lede=[
            ("About {workers} {sector} workers in {country} went on strike on {weekday}, demanding a {demand}% "
             "pay rise, the {union} said."),
            ("A {days}-day strike by {sector} staff began on {weekday}, disrupting services for some {affected} "
             "people in and around {city}."),
            ("{sector} services across {country} were halted on {weekday} as {workers} members of the {union} "
             "walked out."),
            ("The {union} called out {workers} {sector} workers on {weekday} after talks with {employer} broke "
             "down."),
        ],
        body=[
            ["The union is demanding a {demand}% pay increase, while {employer} has offered {offer}%.",
             "Management has offered {offer}%, far below the {demand}% the union wants.",
             "Talks stalled over the gap between a {offer}% offer and the union's {demand}% demand."],
            ["The walkout is set to last {days} days.",
             "The strike is planned to run for {days} days unless a deal is reached.",
             "Union leaders said the action would continue for {days} days."],
            ["Around {affected} people were affected on the first day.",
             "Some {affected} people faced disruption, officials estimated.",
             "The disruption affected an estimated {affected} people."],
            ["Picket lines formed outside main sites in {city} early in the morning.",
             "Striking workers gathered at dawn outside sites in {city}.",
             "Pickets assembled before sunrise in {city}."],
            ["Minimum services were maintained for emergencies.",
             "A skeleton service was kept running for urgent cases.",
             "Emergency services were exempt from the action."],
            ["Both sides said they were open to further talks.",
             "Negotiators from both sides said the door to talks remained open.",
             "Neither side ruled out a return to the negotiating table."],
        ],
        quotes=[
            ("union_leader", ["Our members have lost a decade of pay to inflation and they will not accept less",
                              "After ten years of falling real wages, our members will not settle for less",
                              "Our members have seen their pay eroded for a decade and will not back down"]),
            ("spokesperson", ["The offer on the table is fair and affordable",
                              "What we have offered is both fair and affordable",
                              "Our offer is a fair one that we can afford"]),
            ("commuter", ["I have no idea how I am going to get to work this week",
                          "I do not know how I will get to my job this week",
                          "Getting to work this week is going to be impossible"]),
            ("minister", ["I urge both sides to return to talks as soon as possible",
                          "Both parties must get back to the table quickly",
                          "I call on everyone involved to resume negotiations without delay"]),
        ],
        background=[
            "It is the largest {sector} strike in {country} in years.",
            "Living costs in {country} have risen sharply over the past two years.",
            "A previous round of talks failed in the spring.",
            "Other unions have threatened to join the action.",
            "Business groups warned that the strike would hurt the economy.",
        ],
    ),
    Kind(
        "product_recall", "business", _facts_recall,
        titles=[
            "{company} recalls {units} {product_short}",
            "Recall: {product} {defect}",
            "{units} {product_short} units recalled over safety fears",
            "{agency_t} orders recall of {company} {product_short}",
        ],
        lede=[
            ("{company} is recalling {units} units of its {product} because the device {defect}, {agency} said "
             "on {weekday}."),
            ("About {units} {product} units sold in {country} are being recalled after reports that the product "
             "{defect}."),
            "{agency_t} announced on {weekday} the recall of {units} {product} units made by {company}.",
            ("Owners of the {product} have been told to stop using it immediately after {company} found that "
             "it {defect}."),
        ],
        body=[
            ["The affected units were sold between {years}.",
             "The recall covers units sold from {years}.",
             "Units sold between {years} are affected."],
            ["{injuries} injuries have been reported so far.",
             "The company said it had received {injuries} reports of injuries.",
             "So far {injuries} people have reported being hurt."],
            ["Customers can return the product for a full refund of up to {refund}.",
             "Buyers are entitled to a refund of as much as {refund}.",
             "Refunds of up to {refund} are being offered."],
            ["The model number is printed on the bottom of the product.",
             "Owners can find the model number on a label underneath the unit.",
             "A label on the base shows whether a unit is affected."],
            ["The product was sold in major retail chains and online.",
             "It was on sale in large stores and through online shops.",
             "The item was available in supermarkets, electronics chains and online."],
            ["Shares in {company} fell after the announcement.",
             "{company} shares dropped in afternoon trading.",
             "The news sent {company} stock lower."],
        ],
        quotes=[
            ("spokesperson", ["The safety of our customers is our absolute priority",
                              "Nothing matters more to us than our customers' safety",
                              "Customer safety comes first for us"]),
            ("regulator", ["Anyone who owns one should unplug it and stop using it now",
                           "Owners should disconnect the product and stop using it at once",
                           "If you own one, unplug it and stop using it immediately"]),
            ("customer", ["It started smoking on the kitchen counter while I was cooking",
                          "While I was cooking it began to smoke on the counter",
                          "It began smoking right there on my counter"]),
            ("engineer", ["The fault appears to come from a cheaper component introduced last year",
                          "A lower-cost part used since last year seems to be the cause",
                          "The problem seems linked to a cheaper part introduced last year"]),
        ],
        background=[
            "It is the second recall involving {company} products in two years.",
            "Recalls of household appliances have risen in {country} this year.",
            "Consumer groups have called for stricter testing of imported electronics.",
            "{agency_t} publishes a list of recalled products on its website.",
        ],
    ),
    Kind(
        "sports_final", "sport", _facts_final,
        titles=[
            "{team} win {competition} final",
            "{team} beat {opponent} {score} to lift {competition}",
            "{scorer_last} strikes as {team} claim {competition} title",
            "{competition} final: {team} {score} {opponent}",
        ],
        lede=[
            "{team} won the {competition} on {weekday}, beating {opponent} {score} in the final at {venue}.",
            "{scorer} scored as {team} defeated {opponent} {score} to win the {competition} final.",
            ("A {minute}th-minute goal from {scorer} helped {team} beat {opponent} {score} and lift the "
             "{competition}."),
            "{team} are {competition} champions after a {score} win over {opponent} on {weekday}.",
        ],
        body=[
            ["A crowd of {attendance} watched the match at {venue}.",
             "{attendance} fans packed into {venue} for the final.",
             "The final drew {attendance} spectators to {venue}."],
            ["{scorer} opened the scoring in the {minute}th minute.",
             "The decisive moment came in the {minute}th minute, when {scorer_last} found the net.",
             "{scorer_last} struck in the {minute}th minute."],
            ["It is the club's {titles}th major title.",
             "The win gives {team} their {titles}th major trophy.",
             "{team} have now won {titles} major titles."],
            ["{opponent} had the better of the opening half but could not find a way through.",
             "{opponent} dominated early possession without scoring.",
             "The losing side controlled the first half but lacked a finish."],
            ["Fans celebrated late into the night in {city}.",
             "Celebrations went on into the early hours in {city}.",
             "Supporters filled the streets of {city} after the final whistle."],
            ["Coach {coach} was lifted into the air by his players at the final whistle.",
             "The players threw coach {coach_last} into the air after the match.",
             "At full time the squad hoisted {coach_last} onto their shoulders."],
        ],
        quotes=[
            ("coach", ["This group of players never stopped believing, not even for a minute",
                       "These players believed until the very end",
                       "The players never stopped believing for a single minute"]),
            ("scorer", ["I have dreamed of scoring in a final since I was a child",
                        "Ever since I was a kid I dreamed of a goal in a final",
                        "Scoring in a final is a childhood dream come true"]),
            ("rival_coach", ["We gave everything but the small details went against us",
                             "We left everything on the pitch, but the details did not go our way",
                             "The details decided it and they went against us"]),
            ("fan", ["I have waited twenty years for a night like this",
                     "Twenty years I have waited for this night",
                     "This is the night I have been waiting twenty years for"]),
        ],
        background=[
            "{opponent} had won the competition the previous season.",
            "{team} reached the final without losing a match.",
            "The {competition} is one of the oldest competitions in {country}.",
            "Ticket prices for the final drew criticism from supporters' groups.",
        ],
    ),
    Kind(
        "wildfire", "national", _facts_wildfire,
        titles=[
            "Wildfire near {city} forces {evacuated} to flee",
            "{hectares} hectares burned as fire rages in {country}",
            "Firefighters battle blaze in {forest}",
            "Wildfire: {homes} homes destroyed near {city}",
        ],
        lede=[
            ("A wildfire near {city} in {country} has burned {hectares} hectares and forced {evacuated} people "
             "from their homes, officials said on {weekday}."),
            ("Some {firefighters} firefighters were battling a fast-moving blaze in {forest} on {weekday}, "
             "fanned by winds of up to {wind} km/h."),
            ("Authorities in {country} ordered the evacuation of {evacuated} residents on {weekday} as a wildfire "
             "spread towards {city}."),
            "A wildfire raging in {forest} near {city} has destroyed {homes} homes.",
        ],
        body=[
            ["The fire was {contained}% contained by {weekday} evening.",
             "Crews had contained {contained}% of the blaze by nightfall.",
             "Officials said {contained}% of the fire perimeter was under control."],
            ["{aircraft} water-bombing aircraft joined the effort.",
             "Firefighters were supported by {aircraft} aircraft dropping water.",
             "A fleet of {aircraft} planes and helicopters dropped water on the flames."],
            ["Winds of up to {wind} km/h pushed the flames across dry scrubland.",
             "Gusts reaching {wind} km/h drove the fire through parched land.",
             "Strong winds, up to {wind} km/h, fanned the flames."],
            ["{homes} homes have been destroyed so far.",
             "At least {homes} houses burned down.",
             "Officials counted {homes} destroyed homes."],
            ["Roads around {city} were closed and schools were shut.",
             "Several roads near {city} were closed, and schools did not open.",
             "Road closures and school shutdowns followed across the area."],
            ["The cause of the fire is under investigation.",
             "Investigators have not yet determined what started the blaze.",
             "It is not yet known how the fire began."],
        ],
        quotes=[
            ("fire_chief", ["The next 48 hours will be critical because the wind is expected to pick up",
                            "With stronger wind forecast, the coming two days are critical",
                            "The wind is set to strengthen, which makes the next two days decisive"]),
            ("governor", ["Please follow evacuation orders, property can be replaced but lives cannot",
                          "Houses can be rebuilt, lives cannot, so leave when told to",
                          "Obey the evacuation orders: property is replaceable, people are not"]),
            ("resident", ["We had ten minutes to grab what we could and leave",
                          "We only had ten minutes to take a few things and go",
                          "In ten minutes we packed what we could and left"]),
            ("meteorologist", ["Months without rain have left the vegetation extremely dry",
                               "After months with no rain the vegetation is tinder-dry",
                               "The long dry spell has made the vegetation highly flammable"]),
        ],
        background=[
            "{country} has suffered a series of severe fire seasons in recent years.",
            "Scientists link longer fire seasons to rising temperatures.",
            "The region had recorded almost no rain for three months.",
            "Emergency shelters were opened in schools and sports halls.",
        ],
    ),
    Kind(
        "merger", "business", _facts_merger,
        titles=[
            "{buyer} to buy {target} for {value} billion",
            "{buyer} agrees {value}bn takeover of {target}",
            "{target} shares jump on {buyer} deal",
            "{buyer}-{target} merger creates industry giant",
        ],
        lede=[
            "{buyer} has agreed to buy {target} for {value} billion, the companies said on {weekday}.",
            "{buyer} will acquire rival {target} in a deal worth {value} billion, or {per_share} per share.",
            "Shares in {target} jumped on {weekday} after {buyer} agreed to buy the company for {value} billion.",
            "In one of the biggest deals of the year, {buyer} said on {weekday} it would take over {target}.",
        ],
        body=[
            ["The offer of {per_share} per share represents a premium of {premium}% to the last closing price.",
             "At {per_share} a share, the price is {premium}% above where the stock last closed.",
             "The {per_share}-per-share offer values {target} at a {premium}% premium."],
            ["The deal is expected to close in the {quarter} quarter of {close_year}.",
             "Completion is targeted for the {quarter} quarter of {close_year}.",
             "The companies expect to complete the transaction in the {quarter} quarter of {close_year}."],
            ["It still needs approval from {regulator}.",
             "{regulator_t} must clear the deal.",
             "The takeover is subject to review by {regulator}."],
            ["The combined company will employ about {employees} people.",
             "Together the two firms have around {employees} staff.",
             "The merged group will have some {employees} employees."],
            ["The companies expect annual cost savings of {savings} million.",
             "Management promised {savings} million in yearly savings.",
             "Savings of {savings} million a year are planned."],
            ["The boards of both companies have approved the deal.",
             "Both boards unanimously backed the transaction.",
             "Directors at both firms have signed off on the agreement."],
        ],
        quotes=[
            ("buyer_ceo", ["Together we will be stronger, faster and better placed to serve our customers",
                           "Combined, we will serve customers better and move faster",
                           "This deal makes us stronger and faster for our customers"]),
            ("target_ceo", ["This is a great outcome for our shareholders and our employees",
                            "Our shareholders and staff both win with this deal",
                            "It is an excellent result for shareholders and employees alike"]),
            ("analyst", ["The price is steep, but the strategic logic is hard to argue with",
                         "It is an expensive deal, yet the strategy makes sense",
                         "They are paying a lot, but the logic is sound"]),
            ("union_rep", ["We want guarantees that there will be no job losses",
                           "We are seeking assurances that nobody will lose their job",
                           "Our members need a guarantee of no redundancies"]),
        ],
        background=[
            "Deal-making in the sector has picked up this year.",
            "{target} had been the subject of takeover speculation for months.",
            "{buyer} has made several smaller acquisitions in recent years.",
            "Competition regulators have blocked similar deals in the past.",
        ],
    ),
    Kind(
        "court_ruling", "national", _facts_court,
        titles=[
            "Court rules against {subject}",
            "{court_t} strikes down {subject}",
            "Judges side with {plaintiff} in landmark case",
            "Landmark ruling on {subject} in {country}",
        ],
        lede=[
            "{court_t} ruled on {weekday} that {subject} was unlawful, in a case brought by {plaintiff}.",
            "In a {split} decision, {court} sided with {plaintiff} over {subject}.",
            "{plaintiff} won its challenge to {subject} on {weekday}, after {court} found in its favour.",
            "Judges at {court} struck down {subject} on {weekday}, a ruling with wide consequences for {country}.",
        ],
        body=[
            ["The judges were split {split}.",
             "The ruling was decided by a {split} majority.",
             "A majority of {split} backed the decision."],
            ["The case was first filed in {filed_year}.",
             "{plaintiff} first brought the case in {filed_year}.",
             "The legal battle began in {filed_year}."],
            ["The court ordered the government to pay costs of {fine}.",
             "Costs of {fine} were awarded against the state.",
             "The state was told to cover {fine} in legal costs."],
            ["The government has {weeks} weeks to respond.",
             "Authorities were given {weeks} weeks to comply.",
             "Officials have {weeks} weeks to present a new plan."],
            ["Presiding judge {judge} read the ruling in a packed courtroom.",
             "The ruling was read out by judge {judge}.",
             "Judge {judge_last} delivered the decision to a full courtroom."],
            ["Campaigners outside the court cheered when the verdict was announced.",
             "There were cheers outside the courthouse as news of the ruling spread.",
             "Supporters gathered outside celebrated the decision."],
        ],
        quotes=[
            ("lawyer", ["This ruling shows that nobody is above the law",
                        "Today's decision proves that no one stands above the law",
                        "The ruling confirms no one is above the law"]),
            ("minister", ["We respect the court and will study the judgment carefully",
                          "The government respects the court and will read the ruling closely",
                          "We will examine the judgment carefully, out of respect for the court"]),
            ("professor", ["The decision will shape how similar cases are decided for years",
                           "For years to come this judgment will guide similar cases",
                           "Courts will follow this ruling in similar cases for a long time"]),
            ("judge", ["The law as written cannot be reconciled with the constitution",
                       "As drafted, the law is incompatible with the constitution",
                       "The text of the law conflicts with the constitution"]),
        ],
        background=[
            "The case drew wide public attention in {country}.",
            "Similar challenges are pending in lower courts.",
            "The government had argued the measure was in the public interest.",
            "Legal experts had expected a narrower ruling.",
        ],
    ),
    Kind(
        "flood", "world", _facts_flood,
        titles=[
            "Floods in {country} kill {deaths_s}",
            "{river} bursts its banks, {displaced} displaced",
            "Heavy rain floods {city}",
            "Flooding: {villages} villages cut off in {country}",
        ],
        lede=[
            ("Floods caused by torrential rain have killed at least {deaths_s} people in {country} and displaced "
             "{displaced}, officials said on {weekday}."),
            ("The {river} burst its banks on {weekday} after {rain} mm of rain fell in {hours} hours, flooding "
             "parts of {city}."),
            "Thousands of people fled their homes around {city} on {weekday} as floodwaters rose.",
            ("Rescue teams in {country} used boats on {weekday} to reach villages cut off by flooding along the "
             "{river}."),
        ],
        body=[
            ["{agency_t} said {rain} mm of rain fell in {hours} hours.",
             "In {hours} hours, {rain} millimetres of rain were recorded, {agency} said.",
             "Rainfall reached {rain} mm over {hours} hours."],
            ["The {river} reached a level of {level} metres.",
             "Water levels on the {river} peaked at {level} metres.",
             "The river rose to {level} m, well above the alert level."],
            ["{villages} villages were cut off.",
             "Floodwater isolated {villages} villages.",
             "Access to {villages} villages was blocked by water."],
            ["{teams} rescue teams were deployed.",
             "Authorities sent {teams} rescue teams to the area.",
             "{teams} teams, some with boats, were working in the area."],
            ["About {displaced} people were moved to temporary shelters.",
             "Shelters took in {displaced} displaced people.",
             "Some {displaced} people were evacuated to shelters."],
            ["More rain is forecast for the coming days.",
             "Forecasters expect further heavy rain.",
             "The rain is expected to continue."],
        ],
        quotes=[
            ("minister", ["We are mobilising every resource to help the affected families",
                          "Every resource is being used to support those affected",
                          "All available resources are going to the families hit by the floods"]),
            ("mayor", ["The water came so fast that many people had no time to leave",
                       "Many residents had no time to get out, the water rose so quickly",
                       "People could not leave in time because the water came so fast"]),
            ("resident", ["We lost everything, the water reached the ceiling",
                          "The water rose to the ceiling and we lost everything",
                          "Everything is gone, the water was up to the ceiling"]),
            ("forecaster", ["The ground is saturated, so even moderate rain can cause new floods",
                            "With the soil saturated, further floods are possible even with light rain",
                            "Saturated ground means any more rain could bring new flooding"]),
        ],
        background=[
            "{country} has faced increasingly severe floods in recent years.",
            "Critics say flood defences along the {river} have been neglected.",
            "The last major flood in the region was six years ago.",
            "Aid organisations have launched an appeal for the victims.",
        ],
    ),
]

ATTRIBUTIONS = [
    '"{q}," said {name}, {role}.',
    '"{q}," {name}, {role}, said.',
    '{name}, {role}, said: "{q}."',
    '"{q}," {last} told reporters.',
    '{last} said: "{q}."',
    '"{q}," {last} said in a statement.',
]
ROLE_TITLES = {
    "minister": "a government minister", "seismologist": "a seismologist at {agency}",
    "resident": "a local resident", "mayor": "the mayor of {city}", "governor": "the governor",
    "economist": "chief economist at {lender}", "finance_minister": "the finance minister",
    "winner": "the winner", "rival": "the defeated candidate", "commissioner": "head of the electoral commission",
    "analyst": "an analyst", "union_leader": "leader of the {union}", "spokesperson": "a spokesperson",
    "commuter": "a commuter in {city}", "regulator": "an official at {agency}", "customer": "a customer",
    "engineer": "an independent engineer", "coach": "the coach", "scorer": "the goalscorer",
    "rival_coach": "the losing coach", "fan": "a supporter", "fire_chief": "the regional fire chief",
    "meteorologist": "a meteorologist", "buyer_ceo": "chief executive of {buyer}",
    "target_ceo": "chief executive of {target}", "union_rep": "a union representative", "lawyer": "a lawyer",
    "professor": "a law professor", "judge": "the presiding judge", "forecaster": "a forecaster",
}

# --------------------------------------------------------------------------- stories


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] if s else s


@dataclass
class Unit:
    """One sentence of an article: where it comes from, which phrasing, and its text."""

    slot: str  # "lede", "b3", "q1", "bg2", "g5", "extra"
    variant: int
    text: str


@dataclass
class Article:
    id: str
    kind: str
    parent: str | None
    title: str
    paragraphs: list[list[Unit]]
    outlet: int
    published: dt.datetime | None


@dataclass
class Story:
    label: str
    kind: Kind
    facts: Facts
    when: dt.datetime
    articles: list[Article] = field(default_factory=list)


class _Fmt(dict):
    def __missing__(self, key: str) -> str:  # pragma: no cover - a template bug
        raise KeyError(f"template names an unknown fact: {key}")


def _facts(kind: Kind, r: random.Random, when: dt.datetime) -> Facts:
    f: Facts = {
        "city": _place(r), "country": r.choice(COUNTRIES), "weekday": WEEKDAYS[when.weekday()],
        "year": when.year, "month_i": when.month - 1, "month": MONTHS[when.month - 1],
    }
    kind.facts(r, f)
    for key in ("bank", "agency", "regulator", "court"):
        if key in f:
            f[key + "_t"] = _cap(f[key])
    if "product" in f:
        f["product_short"] = f["product"].split(" ", 1)[1]
    return f


def _render(template: str, facts: Facts) -> str:
    return _cap(template.format_map(_Fmt(facts)))


def _quote(kind: Kind, qi: int, variant: int, attr: int, facts: Facts) -> str:
    role, texts = kind.quotes[qi]
    q = texts[variant % len(texts)].format_map(_Fmt(facts))
    role_title = ROLE_TITLES.get(role, "an official").format_map(_Fmt(facts))
    return ATTRIBUTIONS[attr].format(q=q, name=facts[role], last=facts[role + "_last"], role=role_title)


def _write(kind: Kind, facts: Facts, r: random.Random, avoid: dict[str, int] | None = None,
           quotes: list[int] | None = None) -> tuple[str, list[list[Unit]]]:
    """A fresh report: a phrasing per slot (a different one from ``avoid`` where possible)."""
    avoid = avoid or {}

    def pick(slot: str, n: int) -> int:
        v = r.randrange(n)
        if slot in avoid and n > 1 and v == avoid[slot]:
            v = (v + r.randrange(1, n)) % n
        return v

    tv = pick("title", len(kind.titles))
    title = _render(kind.titles[tv], facts)
    lv = pick("lede", len(kind.lede))
    units = [Unit("lede", lv, _render(kind.lede[lv], facts))]
    n_body = len(kind.body)
    body_idx = sorted(r.sample(range(n_body), r.randint(max(3, n_body - 2), n_body)))
    body = []
    for i in body_idx:
        v = pick(f"b{i}", len(kind.body[i]))
        body.append(Unit(f"b{i}", v, _render(kind.body[i][v], facts)))
    if quotes is None:
        quotes = r.sample(range(len(kind.quotes)), r.randint(2, len(kind.quotes)))
    qs = []
    for qi in quotes:
        v = pick(f"q{qi}", 3)
        qs.append(Unit(f"q{qi}", v, _quote(kind, qi, v, r.randrange(len(ATTRIBUTIONS)), facts)))
    # interleave quotes with the body after the second body sentence
    for j, q in enumerate(qs):
        body.insert(min(len(body), 2 + 2 * j), q)
    bg = [Unit(f"bg{i}", 0, _render(kind.background[i], facts))
          for i in r.sample(range(len(kind.background)), r.randint(2, len(kind.background)))]
    gen = [Unit(f"g{i}", 0, _render(GENERIC[i], facts)) for i in r.sample(range(len(GENERIC)), r.randint(3, 8))]
    tail = bg + gen
    r.shuffle(tail)
    units += body + tail
    return title, _paragraphs(units, r)


def _paragraphs(units: list[Unit], r: random.Random) -> list[list[Unit]]:
    paras, i = [], 0
    while i < len(units):
        n = 1 if i == 0 else r.choice((1, 1, 2, 2, 3))
        paras.append(units[i : i + n])
        i += n
    return paras


_WORD_RE = re.compile(r"[A-Za-z]+")


def _spin(text: str, r: random.Random, p: float) -> str:
    """Swap common lowercase words for synonyms with probability p; names and numbers stay."""

    def sub(m: re.Match[str]) -> str:
        w = m.group(0)
        alts = SYNONYMS.get(w)
        if alts is None or r.random() >= p:
            return w
        return r.choice(alts)

    return _WORD_RE.sub(sub, text)


def _flat(paras: list[list[Unit]]) -> list[Unit]:
    return [u for p in paras for u in p]


def _derive(kind_name: str, parent: Article, story: Story, r: random.Random) -> tuple[str, list[list[Unit]]]:
    kind, facts = story.kind, story.facts
    if kind_name == "syndicated":
        paras = [list(p) for p in parent.paragraphs]
        if len(paras) > 4 and r.random() < 0.35:
            paras = paras[: len(paras) - r.randint(1, min(3, len(paras) - 3))]
        return parent.title, paras
    if kind_name == "edited":
        units = [Unit(u.slot, u.variant, _spin(u.text, r, 0.04)) for u in _flat(parent.paragraphs)]
        if len(units) > 6:
            del units[r.randrange(2, len(units))]
        if r.random() < 0.5:
            units.append(Unit("extra", 0, r.choice([
                "This article has been updated with new information.",
                f"Additional reporting by {_person(r)[0]}.",
                "An earlier version of this story misstated a figure.",
                f"This story was first published on {facts['weekday']}.",
            ])))
        title = parent.title if r.random() < 0.6 else _render(r.choice(kind.titles), facts)
        return title, _paragraphs(units, r)
    if kind_name == "spun":
        units = [Unit(u.slot, u.variant, _spin(u.text, r, 0.85)) for u in _flat(parent.paragraphs)]
        if len(units) > 3 and r.random() < 0.5:  # clumsy reordering of two body sentences
            i = r.randrange(1, len(units) - 1)
            units[i], units[i + 1] = units[i + 1], units[i]
        return _spin(parent.title, r, 0.85), _paragraphs(units, r)
    if kind_name == "rewrite":
        old = _flat(parent.paragraphs)
        new: list[Unit] = []
        for u in old:
            if u.slot != "lede" and r.random() < 0.25:
                continue  # dropped
            if u.slot == "lede":
                v = (u.variant + r.randrange(1, len(kind.lede))) % len(kind.lede)
                new.append(Unit("lede", v, _render(kind.lede[v], facts)))
            elif u.slot.startswith("b") and not u.slot.startswith("bg"):
                i = int(u.slot[1:])
                alts = kind.body[i]
                v = (u.variant + r.randrange(1, len(alts))) % len(alts)
                new.append(Unit(u.slot, v, _render(alts[v], facts)))
            elif u.slot.startswith("q"):
                qi = int(u.slot[1:])
                v = (u.variant + r.randrange(1, 3)) % 3
                new.append(Unit(u.slot, v, _quote(kind, qi, v, r.randrange(len(ATTRIBUTIONS)), facts)))
            else:
                new.append(u)
        have = {u.slot for u in new}
        extra = [i for i in range(len(kind.background)) if f"bg{i}" not in have]
        for i in r.sample(extra, min(len(extra), r.randint(1, 2))):
            new.append(Unit(f"bg{i}", 0, _render(kind.background[i], facts)))
        head, rest = new[:1], new[1:]
        r.shuffle(rest)
        tv = r.randrange(len(kind.titles))
        return _render(kind.titles[tv], facts), _paragraphs(head + rest, r)
    if kind_name == "independent":
        avoid = {u.slot: u.variant for u in _flat(parent.paragraphs)}
        used_q = {int(u.slot[1:]) for u in _flat(parent.paragraphs) if u.slot.startswith("q")}
        other_q = [i for i in range(len(kind.quotes)) if i not in used_q] or list(range(len(kind.quotes)))
        quotes = r.sample(other_q, min(len(other_q), r.randint(1, 3)))
        return _write(kind, facts, r, avoid=avoid, quotes=quotes)
    raise ValueError(kind_name)


def _story_size(r: random.Random) -> int:
    """Heavy-tailed: about half the stories are single articles, a few run to the hundreds."""
    return min(400, int(r.paretovariate(1.1)))


_PLAN = (("syndicated", 0.30), ("edited", 0.15), ("rewrite", 0.20), ("spun", 0.10), ("independent", 0.25))


def _article_kinds(size: int, r: random.Random) -> list[str]:
    kinds = ["original"]
    names = [k for k, _ in _PLAN]
    weights = [w for _, w in _PLAN]
    kinds += r.choices(names, weights=weights, k=size - 1)
    return kinds


def make_story(seed: int, index: int, n_outlets: int = 300, start: str = "2024-01-01", span_days: int = 730) -> Story:
    """Story ``index`` of the corpus with this seed: the same whatever else is generated (and the
    same story, at another date, under another ``span_days``)."""
    r = random.Random(f"{seed}:{index}")
    kind = KINDS[r.randrange(len(KINDS))]
    base = dt.datetime.fromisoformat(start).replace(tzinfo=dt.timezone.utc)
    when = base + dt.timedelta(days=r.randrange(span_days), minutes=r.randrange(24 * 60))
    facts = _facts(kind, r, when)
    story = Story(f"{kind.name}-{seed}-{index:07d}", kind, facts, when)
    size = _story_size(r)
    writers: list[Article] = []  # originals and independents: what others derive from
    for j, ak in enumerate(_article_kinds(size, r)):
        aid = f"{seed}-{index:07d}-{j:03d}"
        if ak == "original":
            title, paras = _write(kind, facts, r)
            parent = None
            t = when + dt.timedelta(minutes=r.randint(20, 360))
        else:
            src = r.choice(writers) if ak in ("rewrite", "independent", "syndicated") else r.choice(
                story.articles)
            title, paras = _derive(ak, src, story, r)
            parent = None if ak == "independent" else src.id
            # most coverage comes within a day of the event, a tail within four; a copy follows its source
            hours = min(96.0, r.expovariate(1 / 10))
            t = when + dt.timedelta(hours=hours)
            if src.published is not None:
                t = max(t, src.published + dt.timedelta(minutes=r.randint(5, 240)))
        art = Article(aid, ak, parent, title, paras, r.randrange(n_outlets), t if r.random() > 0.05 else None)
        story.articles.append(art)
        if ak in ("original", "independent"):
            writers.append(art)
    return story


# --------------------------------------------------------------------------- outlets


@dataclass
class Outlet:
    name: str
    short: str
    domain: str
    top: list[str]
    bottom: list[str]
    middle: list[str]
    tz: dt.timezone


def make_outlets(seed: int, n: int = 300) -> list[Outlet]:
    """n distinct fictional outlets, each with its own boilerplate and time zone."""
    r = random.Random(f"{seed}:outlets")
    combos = [(a, b) for a in OUTLET_A for b in OUTLET_B]
    r.shuffle(combos)
    out = []
    for i in range(n):
        a, b = combos[i % len(combos)]
        suffix = "" if i < len(combos) else str(i // len(combos) + 1)
        short = f"{a} {b}{(' ' + suffix) if suffix else ''}"
        name = f"The {short}"
        domain = f"{a}{b}{suffix}".lower() + "." + r.choice(TLDS)
        lines = r.sample(BOILERPLATE, r.randint(1, 5))
        top, bottom, middle = [], [], []
        for line in lines:
            x = r.random()
            (top if x < 0.3 else middle if x < 0.45 else bottom).append(line)
        tz = dt.timezone(dt.timedelta(hours=r.choice([0, 0, 0, 1, 2, -5, 3, 8])))
        out.append(Outlet(name, short, domain, top, bottom, middle, tz))
    return out


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:70]


def _boiler(lines: list[str], outlet: Outlet, story: Story, r: random.Random) -> list[str]:
    vals = {
        "name": outlet.name, "short": outlet.short, "domain": outlet.domain, "year": story.when.year,
        "shares": str(int(r.paretovariate(1.0)) - 1), "price": f"{r.choice([1, 2, 3, 5, 9])}.99",
        "section": story.kind.section,
    }
    return [line.format(**vals) for line in lines]


def render(story: Story, outlets: list[Outlet], seed: int) -> Iterator[dict[str, Any]]:
    """The JSON records of one story's articles, boilerplate and all."""
    for art in story.articles:
        outlet = outlets[art.outlet]
        r = random.Random(f"{seed}:{art.id}:render")
        paras = [" ".join(u.text for u in p) for p in art.paragraphs]
        if outlet.middle and len(paras) > 3:
            paras[2:2] = _boiler(outlet.middle, outlet, story, r)
        paras = _boiler(outlet.top, outlet, story, r) + paras + _boiler(outlet.bottom, outlet, story, r)
        when = art.published.astimezone(outlet.tz) if art.published else None
        d = when or story.when
        section = story.kind.section if r.random() < 0.7 else r.choice(SECTIONS)
        yield {
            "id": art.id,
            "url": f"https://{outlet.domain}/{section}/{d:%Y/%m/%d}/{_slug(art.title)}-{art.id}",
            "outlet": outlet.domain,
            "title": art.title,
            "text": "\n\n".join(paras),
            "published": when.isoformat(timespec="seconds") if when else None,
            "story": story.label,
            "kind": art.kind,
            "parent": art.parent,
        }


def generate(n: int, seed: int = 1, n_outlets: int = 300, per_day: float | None = None) -> Iterator[dict[str, Any]]:
    """Exactly n article records, story after story (the last story may be cut short).

    Events fall on the 730 days from 2024-01-01, or, with ``per_day``, on as many days as
    give about that many articles a day (at least one): a longer feed at the same density,
    rather than a denser one, as n grows."""
    span = 730 if per_day is None else max(1, round(n / per_day))
    outlets = make_outlets(seed, n_outlets)
    produced, index = 0, 0
    while produced < n:
        story = make_story(seed, index, n_outlets, span_days=span)
        for rec in render(story, outlets, seed):
            if produced >= n:
                return
            yield rec
            produced += 1
        index += 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="number of articles")
    ap.add_argument("--out", type=Path, required=True, help="output JSONL file")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--outlets", type=int, default=300)
    ap.add_argument("--per-day", type=float, default=None,
                    help="articles a day: the span grows with --n (default: 730 days whatever --n)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    with open(a.out, "w", encoding="utf-8") as fh:
        for rec in generate(a.n, a.seed, a.outlets, a.per_day):
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    print(f"wrote {a.n} articles to {a.out} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
