"""Provenance: sentence splitting, alignment, reuse grades, parents, wire credits.

The fixture texts below were written for these tests (a fictional warehouse
fire); the seed-story checks read ../shared/data and skip when it is absent.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from storyline.model import Article
from storyline.provenance import align, analyse_story, paraphrase_score, render_alignment, split_sentences
from storyline.provenance import credits as cr
from storyline.provenance.lexical import lcs_len

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

ORIGINAL = """\
A fire tore through a chemical warehouse in the port city of Halvik on Tuesday night, forcing the evacuation of nearly 2,000 residents from nearby streets.
Firefighters battled the blaze for more than six hours before bringing it under control early on Wednesday, the city's fire chief, Marta Lindqvist, said.
"We were lucky the wind turned towards the sea," Lindqvist told reporters at the scene. "Otherwise the smoke would have covered the whole old town."
Three workers were taken to hospital with burns, and one of them remains in a serious condition, according to the regional health authority.
The warehouse, owned by the logistics firm Nordhamn Freight, stored solvents and cleaning products for ships using the harbour.
The company said in a statement that it was cooperating fully with investigators and that all of its safety inspections were up to date.
Police have not ruled out arson and have sealed off the site while forensic teams examine the remains of the building.
Residents were allowed to return to their homes on Wednesday afternoon after air quality tests showed no lasting danger.
The mayor, Jonas Ekberg, promised an independent inquiry into how hazardous goods are stored so close to houses.
It was the second major fire at the harbour this year, after a blaze destroyed a fishing trawler in March.
"""

TRIMMED = "\n".join(ORIGINAL.splitlines()[:6])

LIGHT = """\
A fire ripped through a chemical warehouse in the port city of Halvik late on Tuesday, forcing nearly 2,000 residents out of nearby streets.
Firefighters fought the blaze for over six hours before bringing it under control early on Wednesday, fire chief Marta Lindqvist said.
"We were lucky the wind turned towards the sea," Lindqvist told reporters at the scene. "Otherwise the smoke would have covered the whole old town."
Three workers were taken to hospital with burns, and one remains in a serious condition, the regional health authority said.
The warehouse, which belongs to the logistics firm Nordhamn Freight, stored solvents and cleaning products for ships.
Nordhamn Freight said it was cooperating fully with investigators and that its safety inspections were up to date.
Police have not ruled out arson and have sealed off the site.
Residents were allowed back into their homes on Wednesday afternoon after air quality tests showed no lasting danger.
Mayor Jonas Ekberg promised an independent inquiry into how hazardous goods are stored close to houses.
"""

SPUN = """\
A blaze tore through a chemical storehouse in the harbour metropolis of Halvik on Tuesday evening, compelling the evacuation of approximately 2,000 denizens from adjacent thoroughfares.
Firefighters combated the inferno for in excess of six hours prior to bringing it under control early on Wednesday, the municipality's fire chieftain, Marta Lindqvist, stated.
"We were fortunate the breeze turned towards the ocean," Lindqvist apprised journalists at the scene. "Otherwise the fumes would have blanketed the entire antiquated town."
Three labourers were conveyed to infirmary with scalds, and one of them remains in a grave condition, according to the regional wellness authority.
The depot, possessed by the logistics enterprise Nordhamn Freight, warehoused solvents and purifying commodities for vessels utilising the harbour.
The firm stated in a declaration that it was collaborating completely with investigators and that all of its safety examinations were current.
Police have not excluded arson and have cordoned off the site while forensic squads scrutinise the vestiges of the edifice.
Residents were permitted to go back to their abodes on Wednesday afternoon after atmosphere quality examinations demonstrated no enduring peril.
The mayor, Jonas Ekberg, pledged an autonomous enquiry into how perilous goods are warehoused so adjacent to dwellings.
Speaking gloomily-wisely, it was the second principal blaze at the harbour this annum.
"""

INDEPENDENT = """\
Halvik's harbour district was quiet on Wednesday morning, hours after flames lit up the night sky above the container terminal.
Anna Berg, who runs a bakery two streets from the burnt-out building, said she packed her children into the car at midnight.
"You could smell it everywhere, a sweet chemical smell," she said, standing outside her shop.
Local councillors have long complained about trucks carrying dangerous loads through the narrow lanes of the old town.
A spokesman for the port authority declined to say how many similar storage sites operate in the area.
Insurance experts estimate the damage could run into tens of millions of crowns.
"""

WIRE_A = """\
HALVIK, Norway (Reuters) - A fire tore through a chemical warehouse in the port city of Halvik on Tuesday night, forcing the evacuation of nearly 2,000 residents.
Firefighters battled the blaze for more than six hours before bringing it under control early on Wednesday, the city's fire chief said.
Three workers were taken to hospital with burns, according to the regional health authority.
Police have not ruled out arson and have sealed off the site.
"""

WIRE_B = """\
A fire tore through a chemical warehouse in Halvik on Tuesday night, forcing nearly 2,000 residents from their homes, Reuters reported.
Firefighters battled the blaze for more than six hours before bringing it under control on Wednesday, the fire chief said.
Three workers were taken to hospital with burns, according to the regional health authority.
Police have not ruled out arson and have sealed off the site while forensic teams examine the remains.
(With inputs from Reuters)
"""


def art(aid: str, text: str, published: str | None = None, outlet: str = "") -> Article:
    return Article(id=aid, text=text, published=published, outlet=outlet)


# --- sentences -----------------------------------------------------------------------------


def test_split_sentences_handles_abbreviations_initials_and_quotes():
    text = (
        'The U.S. Senate voted on Monday. Mr. Smith, aged 54, left at 10 a.m. sharp. John F. Kennedy said "Go." '
        '"It is over," he said. He said: "No!" U.S. officials agreed.\n\nA new paragraph starts here'
    )
    assert split_sentences(text) == [
        "The U.S. Senate voted on Monday.",
        "Mr. Smith, aged 54, left at 10 a.m. sharp.",
        'John F. Kennedy said "Go."',
        '"It is over," he said.',
        'He said: "No!"',
        "U.S. officials agreed.",
        "A new paragraph starts here",
    ]


def test_split_sentences_rejoins_a_quote_broken_before_its_attribution():
    text = "“We hope they will feel the same way,”\nPutin said.\nHe left."
    assert split_sentences(text) == ["“We hope they will feel the same way,” Putin said.", "He left."]


def test_split_sentences_after_acronym_before_a_sentence_opener():
    assert split_sentences("He flew to the U.S. The talks began.") == ["He flew to the U.S.", "The talks began."]


def test_lcs_matches_dynamic_programming():
    rng = random.Random(3)
    for _ in range(200):
        a = [rng.choice("abcde") for _ in range(rng.randrange(0, 12))]
        b = [rng.choice("abcde") for _ in range(rng.randrange(0, 12))]
        dp = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                dp[i + 1][j + 1] = dp[i][j] + 1 if x == y else max(dp[i][j + 1], dp[i + 1][j])
        assert lcs_len(a, b) == dp[-1][-1]


# --- credits -------------------------------------------------------------------------------


def _credited(text: str) -> dict[str, float]:
    return cr.credited(cr.mentions(split_sentences(text), text))


def test_wire_credits_and_quote_attributions():
    assert set(_credited(WIRE_A)) == {"reuters"}
    assert set(_credited(WIRE_B)) == {"reuters"}
    assert set(_credited("KYIV (AP) — Something happened today in the capital city of the country.")) == {"ap"}
    quote_only = (
        "Officials met on Monday to discuss the plan in detail. Nothing was agreed in the end.\n"
        'According to Interfax news agency, spokesman Dmitry Peskov said, "We remain open."'
    )
    assert _credited(quote_only) == {}
    bio = "He has 25 years of copy editing experience at Thomson West, a subsidiary of Thomson Reuters."
    assert _credited(bio) == {}


# --- alignment -----------------------------------------------------------------------------


def test_align_trimmed_copy_is_verbatim_and_reordering_does_not_matter():
    a = art("a", ORIGINAL)
    lines = ORIGINAL.splitlines()
    shuffled = "\n".join([lines[0], *reversed(lines[1:])])
    al = align(a, art("b", shuffled))
    assert al.share("b", ("verbatim",)) > 0.95
    al = align(a, art("t", TRIMMED))
    assert al.share("b", ("verbatim",)) > 0.95
    assert al.share("a") < 0.75  # the copy lacks the second half
    assert json.loads(json.dumps(al.to_json()))["links"]


def test_align_links_spun_and_edited_sentences_to_their_counterparts():
    al = align(art("a", ORIGINAL), art("s", SPUN))
    counterpart = {tuple(lk.b): lk.a for lk in al.links if not lk.weak}
    # "Firefighters combated the inferno ..." renders "Firefighters battled the blaze ..."
    assert counterpart.get((1,)) == [1]
    # the chieftain sentence, the evacuation sentence and the inquiry sentence are all found
    assert al.share("b") > 0.7
    light = align(art("a", ORIGINAL), art("l", LIGHT))
    kinds = {lk.kind for lk in light.links}
    assert "edited" in kinds and "verbatim" in kinds


def test_paraphrase_score_separates_paraphrases_from_related_sentences():
    s1 = ["The company said it was cooperating fully with investigators.", "Three workers were hurt in the blaze."]
    s2 = ["The firm said it was fully cooperating with the investigation.", "Shares of the company fell 3% on Friday."]
    p = paraphrase_score(s1, s2)
    assert p[0] > 0.5 > p[1]


# --- story analysis ------------------------------------------------------------------------


def _story() -> list[Article]:
    b_text = LIGHT
    c_text = "\n".join(b_text.splitlines()[:5])
    return [
        art("orig", ORIGINAL, "2024-05-07T22:10:00+00:00"),
        art("trim", TRIMMED, "2024-05-08T01:00:00+00:00"),
        art("light", b_text, "2024-05-08T03:00:00+00:00"),
        art("copy-of-light", c_text, None),  # no timestamp: text alone must place it
        art("spun", SPUN, "2024-05-08T06:00:00+00:00"),
        art("indep", INDEPENDENT, "2024-05-08T08:00:00+00:00"),
    ]


@pytest.fixture(scope="module")
def story_prov():
    return analyse_story(_story())


def test_grades_and_parents_of_the_fixture_story(story_prov):
    got = {a.article_id: (a.grade, a.parent) for a in story_prov.articles}
    assert got["orig"] == ("independent", None)
    assert got["trim"] == ("verbatim", "orig")
    assert got["light"] == ("light-rewrite", "orig")
    assert got["copy-of-light"] == ("verbatim", "light")  # A -> B -> C: C copies B, not A
    assert got["spun"] == ("spun", "orig")
    assert got["indep"][0] == "independent" and got["indep"][1] is None
    assert story_prov.original == "orig" and story_prov.original_in_corpus
    trim = story_prov.article("trim")
    assert trim.reused_share > 0.9 and trim.own_share < 0.1
    spun = story_prov.article("spun")
    assert any(e["kind"] == "spin" for e in spun.evidence)


def test_story_json_is_serialisable_and_complete(story_prov):
    d = json.loads(json.dumps(story_prov.to_json()))
    assert set(d) >= {"original", "original_in_corpus", "wires", "articles", "edges", "alignments"}
    for a in d["articles"]:
        assert set(a) >= {"article_id", "grade", "reused_share", "own_share", "parent", "confidence", "evidence"}
        assert a["grade"] in ("verbatim", "light-rewrite", "spun", "independent")
        assert abs(a["reused_share"] + a["own_share"] - 1) < 1e-6
    assert {(e["source"], e["target"]) for e in d["edges"]} >= {("orig", "trim"), ("light", "copy-of-light")}
    assert all(al["links"] for al in d["alignments"])


def test_analyse_story_does_not_depend_on_input_order(story_prov):
    arts = _story()
    random.Random(5).shuffle(arts)
    assert analyse_story(arts).to_json() == story_prov.to_json()


def test_credited_wire_missing_from_the_story_is_named_as_source():
    prov = analyse_story([art("x", WIRE_A), art("y", WIRE_B), art("z", INDEPENDENT)])
    assert prov.original == "wire:reuters" and not prov.original_in_corpus
    got = {a.article_id: a.parent for a in prov.articles}
    assert got["x"] == "wire:reuters" and got["y"] == "wire:reuters"  # siblings, not copies of each other
    assert got["z"] is None
    assert prov.wires[0]["wire"] == "reuters"


def test_the_wire_itself_in_the_story_is_the_parent_of_its_copies():
    prov = analyse_story([art("wire", ORIGINAL, outlet="Reuters"), art("copy", TRIMMED + "\n(With inputs from Reuters)")])
    assert prov.article("copy").parent == "wire"
    assert prov.original == "wire" and prov.original_in_corpus


def test_first_copy_of_a_credited_wire_is_a_copy_not_independent():
    # The fuller copy has no credit of its own; the trimmed one carries AP's dateline. Neither is AP's
    # own page, so both go back to the wire, and the first in the corpus is no "independent" report.
    fuller = art("full", ORIGINAL, "2024-05-01T08:00:00+00:00")
    dated = art("dated", "HALVIK, Norway (AP) — " + TRIMMED, "2024-05-01T09:00:00+00:00")
    prov = analyse_story([fuller, dated, art("own", INDEPENDENT, "2024-05-01T10:00:00+00:00")])
    got = {a.article_id: (a.grade, a.parent, a.source) for a in prov.articles}
    assert got["dated"] == ("verbatim", "wire:ap", "wire:ap")  # the dateline: straight from the wire
    assert got["full"][0] != "independent" and got["full"][2] == "wire:ap"
    assert got["own"] == ("independent", None, "own")
    assert prov.to_json()["source_count"] == 2  # AP, and the own report


def test_sources_are_roots_and_uncredited_families_are_unknown_absent():
    from storyline.provenance.story import ArticleProvenance, StoryProvenance, _set_sources

    def ap(aid, grade, parent):
        return ArticleProvenance(aid, grade, 0.5, 0.5, parent)

    arts = [
        ap("orig", "independent", None), ap("copy", "verbatim", "orig"), ap("copy2", "light-rewrite", "copy"),
        ap("lost", "spun", None), ap("lost-copy", "verbatim", "lost"),  # no source in the story, none named
        ap("wired", "verbatim", "wire:afp"), ap("wired-copy", "light-rewrite", "wired"),
    ]  # fmt: skip
    _set_sources(arts)
    got = {a.article_id: a.source for a in arts}
    assert got == {"orig": "own", "copy": "orig", "copy2": "orig", "lost": "unknown-absent",
                   "lost-copy": "unknown-absent", "wired": "wire:afp", "wired-copy": "wire:afp"}  # fmt: skip
    prov = StoryProvenance(None, False, [], arts, [], [])
    roots = {(s["source"], s["kind"]): s["articles"] for s in prov.to_json()["sources"]}
    assert roots == {("orig", "article"): ["copy", "copy2", "orig"], ("unknown-absent", "unknown"): ["lost", "lost-copy"],
                     ("wire:afp", "wire"): ["wired", "wired-copy"]}  # fmt: skip
    assert prov.to_json()["source_count"] == 3


def test_datelines_are_credits_and_do_not_break_verbatim():
    text = "LONDON (AP) — Queen Elizabeth II died Thursday.\nShe was 96."
    found = cr.mentions(split_sentences(text), text)
    assert cr.formal(found) == {"ap"}
    assert cr.strip_dateline("LONDON (AP) — Queen Elizabeth II died.") == "Queen Elizabeth II died."
    assert cr.strip_dateline("LONDON — Queen Elizabeth II died.") == "Queen Elizabeth II died."
    assert cr.strip_dateline("He told CNN — in an interview — that") == "He told CNN — in an interview — that"
    assert cr.formal(cr.mentions(["READ MORE: https://apnews.com/article/x"], "READ MORE: https://apnews.com/article/x")) == {"ap"}
    assert cr.formal(cr.mentions(["CNN —", "The Coast Guard said."], "CNN —\nThe Coast Guard said.")) == {"cnn"}
    al = align(art("p", "LONDON (AP) — " + TRIMMED), art("q", TRIMMED))
    assert {lk.kind for lk in al.links} == {"verbatim"}


def test_garbled_names_are_spin_evidence():
    from storyline.provenance.spin import garbled_names

    a = art("a", "Hawaii Gov. Josh Green told The Associated Press that more than 1,000 structures burned.")
    b = art("b", "Hawaii Gov. Josh Inexperienced advised The Related Press that greater than 1,000 constructions burned.")
    got = garbled_names(align(a, b))
    assert "Green->Inexperienced" in got and "Associated->Related" in got
    c = art("c", "Hawaii Governor Josh Green told The Associated Press that more than 1,000 buildings burned.")
    assert garbled_names(align(a, c)) == []  # an abbreviation spelt out is an edit, not a garble


def test_render_alignment_escapes_article_text():
    from rich.console import Console

    a = art("a", "The [bold red]mayor[/] spoke on Monday about the fire.\nNothing else happened that day at all.")
    b = art("b", "The [bold red]mayor[/] spoke on Monday about the fire.\nSomething else entirely was said later.")
    console = Console(record=True, width=140)
    render_alignment(align(a, b), console)
    out = console.export_text()
    assert "[bold red]mayor[/]" in out
    assert "verbatim" in out


# --- the seed story ------------------------------------------------------------------------


def _seeds() -> list[Article]:
    folder = SHARED / "seed-story"
    if not folder.exists():
        pytest.skip("seed story: ../shared/data not found")
    arts = []
    for f in sorted(folder.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.strip())
        arts.append(Article(id=f.stem.split("_")[0], title=lines[k].strip(), text="\n".join(lines[k + 1 :])))
    try:
        from storyline.clean import Cleaner
    except ImportError:
        return arts
    return Cleaner().fit_transform(arts)


@pytest.fixture(scope="module")
def seed_prov():
    arts = _seeds()
    return arts, analyse_story(arts)


def test_seed_spun_copy_and_no_verbatim(seed_prov):
    _arts, prov = seed_prov
    grades = {a.article_id: a.grade for a in prov.articles}
    assert grades["002"] == "spun"
    assert "verbatim" not in grades.values()
    assert "independent" not in grades.values()  # all five rewrite one Reuters story
    assert sum(g == "light-rewrite" for g in grades.values()) == 4


def test_seed_names_reuters_as_probable_source(seed_prov):
    _arts, prov = seed_prov
    assert prov.original == "wire:reuters" and prov.original_in_corpus is False
    assert prov.wires[0]["wire"] == "reuters"
    assert "interfax" not in {w["wire"] for w in prov.wires}  # quoted, never credited
    assert prov.article("002").parent in ("wire:reuters", "000", "001", "003", "004")
    assert all(a.parent is None or a.parent == "wire:reuters" for a in prov.articles)
    assert prov.article("000").parent == "wire:reuters" and prov.article("003").parent == "wire:reuters"
    assert {a.source for a in prov.articles} == {"wire:reuters"}
    js = prov.to_json()
    assert js["source_count"] == 1 and js["sources"][0]["source"] == "wire:reuters"
    assert js["sources"][0]["name"] == "Reuters" and len(js["sources"][0]["articles"]) == 5


def test_seed_alignment_links_spun_sentences(seed_prov):
    arts, _prov = seed_prov
    by = {a.id: a for a in arts}
    al = align(by["000"], by["002"])
    pairs = {(" ".join(al.a_sentences[i] for i in lk.a), " ".join(al.b_sentences[j] for j in lk.b)) for lk in al.links}
    assert any(b.startswith("The opposing side was accused") and "accused each other" in a for a, b in pairs)
    assert any("upbeatly" in b and "hopefully" in a for a, b in pairs)


def test_lexical_mode_without_the_embedder_still_finds_copies():
    prov = analyse_story(_story(), semantic=False)
    got = {a.article_id: (a.grade, a.parent) for a in prov.articles}
    assert got["trim"] == ("verbatim", "orig")
    assert got["copy-of-light"] == ("verbatim", "light")


def test_identical_copies_without_evidence_get_a_coin_flip_confidence():
    prov = analyse_story([art("x", TRIMMED), art("y", TRIMMED)])
    child = next(a for a in prov.articles if a.parent is not None)
    assert child.grade == "verbatim"
    assert child.confidence <= 0.6


# --- the generated provenance benchmark (ECB+ originals, known parents) -------------------------------


@pytest.mark.parametrize("split", ["odd", "even"])
def test_generated_provenance_benchmark_meets_floors(split):
    import sys as _sys

    bench = Path(__file__).resolve().parents[1] / "bench"
    if not (SHARED / "ecbplus" / "docs.jsonl").exists():
        pytest.skip("ECB+: ../shared/data not found")
    _sys.path.insert(0, str(bench))
    try:
        import bench_provenance
    finally:
        _sys.path.pop(0)
    floors = json.loads((Path(__file__).parent / "floors" / "provenance.json").read_text())
    res = bench_provenance.run(None, 13, split, False)
    assert res["grade_macro_f1"] >= floors[f"generated_{split}_grade_macro_f1"], res
    assert res["parent_accuracy"] >= floors[f"generated_{split}_parent_accuracy"], res
    # every transformation is there and none collapses
    assert {"spin", "trim", "translate", "chain-c", "independent"} <= set(res["by_transformation"])
    assert min(v["grade_accuracy"] for v in res["by_transformation"].values()) >= 0.8, res


def test_wire_presence_is_a_credit_and_photo_credits_are_not():
    text = "The fire destroyed the town.\nAssociated Press journalists witnessed the devastation on Front Street."
    found = cr.mentions(split_sentences(text), text)
    assert cr.formal(found) == {"ap"} and cr.credited(found) == {"ap": 1.0}
    for caption, wire in [
        ("Firefighters work in the ruins on Friday. (AP Photo/Jane Doe)", "ap"),
        ("People react in the square. (Kyodo News via AP)", "ap"),
        ("photo_camera AFP/JOHN SMITH - The queen waves to the crowd from the balcony of the palace.", "afp"),
        ("The pope arrives in the square. (Source: Associated Press)", "ap"),
    ]:
        text = caption + "\nThe council met on Monday and agreed to rebuild the harbour wall."
        found = cr.mentions(split_sentences(text), text)
        assert cr.credited(found) == {} and cr.photo(found) == {wire}, caption


def test_wire_conventions_that_credit_the_whole_text():
    body = "The river burst its banks overnight.\nHundreds of homes were flooded in the lower town.\n"
    for extra, wire in [
        ("Officials put the toll at 40. Reuters could not immediately verify the figure.", "reuters"),
        ("source: AP News", "ap"),
        ("Source: Reuters.", "reuters"),
        ("AFP", "afp"),  # the wire's name alone on a line: a byline
        ("The Associated Press", "ap"),
        ("CNN's Jane Roe and John Doe contributed to this report.", "cnn"),
        ("Copyright 2023 The Associated Press. All rights reserved.", "ap"),
        ("© 2022 Cable News Network, Inc. All rights reserved.", "cnn"),
    ]:
        text = body + extra + "\n"
        found = cr.mentions(split_sentences(text), text)
        assert cr.formal(found) == {wire} and cr.credited(found) == {wire: 1.0}, extra
    for extra in [
        "The mayor told Reuters he could not confirm the figure.",  # a quote attribution
        "© REUTERS",  # a picture's credit: no year
        "Credit: Reuters",
        "Reuters reporters could not be reached for comment, the mayor said, and AP Photo archives show the bank.",
    ]:
        text = body + extra + "\n"
        found = cr.mentions(split_sentences(text), text)
        assert cr.formal(found) <= {"ap"} and "reuters" not in cr.formal(found), extra


def test_a_family_whose_source_runs_a_wires_pictures_goes_back_to_that_wire():
    def story(caption: str) -> list[Article]:
        return [
            art("root", caption + ORIGINAL, None),
            art("trim", TRIMMED, None),
            art("light", LIGHT, None),
            art("indep", INDEPENDENT, None),
        ]

    prov = analyse_story(story("The harbour at dawn. (Source: Associated Press)\n\n"), semantic=False)
    root = prov.article("root")
    assert root.parent == "wire:ap" and root.grade == "verbatim" and root.source == "wire:ap"
    assert prov.article("trim").source == "wire:ap" and prov.article("indep").source == "own"
    bare = analyse_story(story(""), semantic=False)  # nothing names a wire: the root is own reporting
    assert bare.article("root").parent is None and bare.article("trim").source == "root"


def test_a_short_brief_giving_the_news_as_a_wires_report_is_its_light_rewrite():
    brief = (
        "The harbour authority closed the port of Eastmouth on Tuesday after a fuel spill, reported Reuters, "
        "quoting the port's director. Two tankers were held offshore. Cleanup crews were at work by noon."
    )
    found = cr.mentions(split_sentences(brief), brief)
    assert cr.credited(found) == {"reuters": 0.8}
    prov = analyse_story([art("brief", brief, None), art("indep", INDEPENDENT, None)], semantic=False)
    a = prov.article("brief")
    assert (a.grade, a.parent, a.source) == ("light-rewrite", "wire:reuters", "wire:reuters")
    quoted = "The port director told Reuters the spill was contained. " + INDEPENDENT  # a quote, long text
    prov = analyse_story([art("q", quoted, None), art("brief", brief, None)], semantic=False)
    assert prov.article("q").grade == "independent"


# --- the fitted grader (storyline.provenance.grader, bench/fit_grader.py) ---------------------------


def test_grader_parameters_ship_as_json_and_read_the_evidence_by_name():
    from storyline.provenance import grader

    raw = json.loads(grader.PARAMS_FILE.read_text(encoding="utf-8"))  # plain JSON, no pickle
    g = grader.Grader.from_json(raw)
    assert set(g.classes) == set(grader.GRADES)
    assert set(g.features) <= set(grader.FEATURES)
    assert 0.25 < g.low_confidence < 1.0
    assert grader.Grader.from_json(g.to_json()) == g
    # each left-out model (leave-one-event-out over the real pages) is a grader of its own
    folds = raw["leave_one_event_out"]
    assert len(folds) >= 8 and all(grader.Grader.from_json(v).classes for v in folds.values())
    probs = g.probabilities(dict.fromkeys(grader.FEATURES, 0.0))
    assert abs(sum(probs.values()) - 1) < 1e-9 and min(probs.values()) > 0
    with pytest.raises(ValueError):
        grader.Grader.from_json({**raw, "model": "pickle"})


def test_every_grade_carries_its_probability_and_low_confidence_mark(story_prov):
    from storyline.provenance import grader

    level = grader.active().low_confidence
    for a in story_prov.to_json()["articles"]:
        p = a["grade_probability"]
        assert 0.0 < p <= 1.0
        assert a["grade_probabilities"][a["grade"]] == p
        assert p == max(a["grade_probabilities"].values())
        assert abs(sum(a["grade_probabilities"].values()) - 1) < 0.01
        assert a["grade_low_confidence"] == (p < level)
    assert all(e["kind"] != "grade" or "probability" in e["detail"] for a in story_prov.articles for e in a.evidence)


def test_rules_alone_when_no_grader_is_in_force():
    from storyline.provenance import grader

    with grader.using(None):
        prov = analyse_story(_story(), semantic=False)
    for a in prov.to_json()["articles"]:
        assert a["grade_probability"] is None and a["grade_low_confidence"] is False
        assert "grade_probabilities" not in a
    assert all(a.grade == a.rule_grade for a in prov.articles)
    assert prov.article("trim").grade == "verbatim" and prov.article("spun").grade == "spun"


def test_a_grader_decides_the_grade_and_own_reporting_keeps_no_parent():
    from storyline.provenance import grader

    def always(grade: str) -> grader.Grader:
        coef = tuple(tuple(0.0 for _ in grader.FEATURES) for _ in grader.GRADES)
        return grader.Grader(tuple(grader.FEATURES), grader.GRADES, (0.0,) * len(grader.FEATURES),
                             (1.0,) * len(grader.FEATURES), coef,
                             tuple(3.0 if g == grade else 0.0 for g in grader.GRADES), 0.9)  # fmt: skip

    with grader.using(always("independent")):
        prov = analyse_story(_story(), semantic=False)
    assert {a.grade for a in prov.articles} == {"independent"}
    assert all(a.parent is None and a.source == "own" for a in prov.articles)
    # p = e^3 / (e^3 + 3) = 0.87 < 0.9; a source of others that nothing ties to a wire can only be own
    # reporting or spun (a copy of its own copies is not told by shares): p = e^3 / (e^3 + 1) = 0.95
    assert all(a.low_confidence != a.source_of_others for a in prov.articles)
    assert prov.article("orig").source_of_others and prov.article("orig").grade_probabilities["verbatim"] == 0.0
    with grader.using(always("spun").to_json()):
        prov = analyse_story([art("x", WIRE_A), art("y", WIRE_B), art("z", INDEPENDENT)], semantic=False)
    assert {a.grade for a in prov.articles} == {"spun"}
    assert prov.article("x").parent == "wire:reuters" and prov.article("y").parent == "wire:reuters"
    assert prov.article("z").source == "unknown-absent"  # a copy whose source nothing names


def test_common_span_judges_a_copy_cut_short_or_wrapped_in_furniture():
    furniture = "Win tickets to the summer festival\n\nMost read\n\n"
    cut = furniture + "\n".join(ORIGINAL.splitlines()[:3]) + "\n\nSign up for our newsletter\n\nAdd a Comment"
    prov = analyse_story([art("orig", ORIGINAL, "2024-05-07T22:00:00+00:00"),
                          art("cut", cut, "2024-05-08T01:00:00+00:00")], semantic=False)  # fmt: skip
    f = prov.article("cut").features
    assert f["span_verbatim"] >= 0.9 and f["span_covered"] >= 0.9
    assert f["span_verbatim"] > f["verbatim"]
    assert prov.article("cut").grade == "verbatim" and prov.article("cut").parent == "orig"
