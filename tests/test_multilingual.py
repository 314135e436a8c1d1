"""Stories across languages: language ID, names and numbers across scripts, the routed pair decision."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import numpy as np
import pytest

from storyline.model import Article
from storyline.multilingual import detect, embed, identify, is_english, match
from storyline.multilingual.scripts import ascii_digits, fold, name_keys, numbers

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "tests" / "floors" / "multilingual.json").read_text())
needs_model = pytest.mark.skipif(not embed.available(), reason=f"multilingual extra not installed: {embed.INSTALL_HINT}")


@pytest.mark.parametrize("text,lang", [
    ("Russian President Vladimir Putin announced a partial mobilisation on Wednesday.", "en"),
    ("Президент России Владимир Путин объявил о частичной мобилизации.", "ru"),
    ("Ο Πούτιν ανακοίνωσε μερική επιστράτευση των εφέδρων.", "el"),
    ("Der russische Präsident hat eine Teilmobilmachung angekündigt.", "de"),
    ("Il presidente russo ha annunciato una mobilitazione parziale.", "it"),
])
def test_detect(text, lang):
    assert detect(text) == lang


def test_detect_too_short_and_declared_kept():
    assert detect("12 34 ok") == ""
    arts = [Article(id="a", text="Президент России объявил о частичной мобилизации в стране."),
            Article(id="b", text="Президент России объявил о частичной мобилизации в стране.", lang="bg")]
    identify(arts)
    assert [a.lang for a in arts] == ["ru", "bg"]
    assert is_english("") and is_english("en-GB") and not is_english("ru")


def test_names_across_scripts():
    spellings = ["Пригожин", "Prigoschin", "Prigojine", "Prigozhin"]
    assert len({fold(s)[:4] for s in spellings}) == 1
    assert name_keys("Ο Πούτιν στη Λάρισα") == name_keys("Then Putin in Larissa") == {"puti", "lari"}
    assert name_keys("Шойгу и Schoigu") == {"soig"}
    assert "prig" not in name_keys("Prigozhin said.")  # a sentence's first word is no name


def test_numbers_in_any_script():
    assert ascii_digits("٣٠٠ ३०० ３００") == "300 300 300"
    got = numbers("300.000 Reservisten; 300 000 réservistes; 300,000 reservists; ٣٠٠٠٠٠")
    assert got == {"300000"}
    assert numbers("magnitude 7,8 and 7.8") == frozenset()  # under 10: too common to tell events apart
    assert numbers("1.037 Tote; 1,037 dead; 1 037 morts") == {"1037"}


def test_english_corpus_untouched(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("the multilingual path ran on an English corpus")

    monkeypatch.setattr(match, "signals", boom)
    arts = [Article(id=str(i), text="x", lang=lang) for i, lang in enumerate(["en", "", "en-US"])]
    pairs, probs = np.array([[0, 1], [1, 2]]), np.array([0.9, 0.2])
    p2, q2, counts = match.decide(arts, pairs, probs, 7.0)
    assert p2 is pairs and q2 is probs and counts["routed_articles"] == 0


def test_without_the_extra_everything_else_works(monkeypatch, caplog):
    monkeypatch.setattr(embed, "available", lambda: False)
    arts = [Article(id="0", text="x", lang="en"), Article(id="1", text="y", lang="ru")]
    pairs, probs = np.array([[0, 1]]), np.array([0.4])
    with caplog.at_level(logging.WARNING):
        p2, q2, _ = match.decide(arts, pairs, probs, 7.0)
    assert p2 is pairs and q2 is probs
    assert "storyline[multilingual]" in caplog.text


@needs_model
def test_cross_language_cosine():
    V = embed.encode(["Putin announced a partial mobilisation of reservists.",
                      "Путин объявил частичную мобилизацию резервистов.",
                      "An earthquake struck Morocco south of Marrakech."])
    assert V.shape == (3, embed.DIM)
    assert np.allclose(np.linalg.norm(V, axis=1), 1.0, atol=1e-3)
    assert V[0] @ V[1] > V[0] @ V[2] + 0.05


@needs_model
def test_decide_links_a_translation_keeps_english_pairs():
    arts = [Article(id="0", title="Putin orders partial mobilisation", text="Russian President Vladimir Putin "
                    "ordered a partial mobilisation of 300,000 reservists on Wednesday.", lang="en"),
            Article(id="1", title="Putin ordnet Teilmobilmachung an", text="Der russische Präsident Wladimir "
                    "Putin hat am Mittwoch die Teilmobilmachung von 300.000 Reservisten angeordnet.", lang="de"),
            Article(id="2", title="Waitrose fire in Wellington", text="A fire broke out at a Waitrose store "
                    "in Wellington on Tuesday night.", lang="en")]
    pairs, probs = np.array([[0, 2]]), np.array([0.1])
    p2, q2, counts = match.decide(arts, pairs, probs, 7.0)
    got = {tuple(p): q for p, q in zip(p2.tolist(), q2.tolist())}
    assert got[(0, 2)] == 0.1  # English pair: the English matcher's decision
    assert got[(0, 1)] >= 0.5
    assert counts["routed_articles"] == 1


@pytest.mark.slow
@needs_model
def test_multilingual_set_floors():
    sys.path.insert(0, str(ROOT / "bench"))
    import eval_multilingual

    path = eval_multilingual.data_file()
    if not path.exists():
        pytest.skip(f"no multilingual set at {path} (recipe: bench/realdata/multilingual.json)")
    out = eval_multilingual.run(path)
    ml, en = out["multilingual"], out["english"]
    assert ml["cross_language"]["f1"] >= FLOORS["cross_language_f1"]
    assert ml["cross_language_held_out"]["f1"] >= FLOORS["cross_language_held_out_f1"]
    assert ml["within_english"]["f1"] >= en["within_english"]["f1"]
    assert out["language_id"]["accuracy"] >= FLOORS["language_id_accuracy"]


def test_store_keeps_detected_language(tmp_path):
    from storyline.store import Assigner, Store

    s = Store(tmp_path / "s.db")
    arts = [Article(id="ru1", title="Путин объявил частичную мобилизацию",
                    text="Президент России Владимир Путин объявил о частичной мобилизации в стране."),
            Article(id="de1", title="Putin kündigt Teilmobilisierung an", lang="de",
                    text="Der russische Präsident Wladimir Putin hat eine Teilmobilisierung angekündigt.")]
    Assigner(s).assign_detailed(arts, refresh=False)
    assert s.get_article("ru1")["lang"] == "ru"
    assert s.get_article("de1")["lang"] == "de"
    story = s.get_story(s.get_article("ru1")["story_id"])
    assert {a["id"]: a["lang"] for a in story["articles"]}["ru1"] == "ru"
    assert "ru" in story["languages"]


# A short report and its translations, written for these tests, and an independent report of the same event.
_EN = Article(id="en", lang="en", published="2024-03-04T08:00:00",
              title="Harbour bridge in Tallinn closed after crane collapse",
              text="A construction crane collapsed onto the old harbour bridge in Tallinn on Monday morning. "
                   "Two workers were injured and taken to hospital, the city's rescue service said. "
                   "The bridge will stay closed to traffic for at least 14 days while engineers inspect it. "
                   "Mayor Mihhail Kõlvart said the city would review safety rules for all building sites near the port.")
_DE = Article(id="de", lang="de", published="2024-03-04T11:00:00",
              title="Hafenbrücke in Tallinn nach Kraneinsturz gesperrt",
              text="Ein Baukran ist am Montagmorgen auf die alte Hafenbrücke in Tallinn gestürzt. "
                   "Zwei Arbeiter wurden verletzt und ins Krankenhaus gebracht, teilte der Rettungsdienst der Stadt mit. "
                   "Die Brücke bleibt mindestens 14 Tage für den Verkehr gesperrt, während Ingenieure sie prüfen. "
                   "Bürgermeister Mihhail Kõlvart sagte, die Stadt werde die Sicherheitsregeln für alle Baustellen "
                   "am Hafen überprüfen.")
_FR = Article(id="fr", lang="fr", published="2024-03-04T12:00:00",
              title="Tallinn : le pont du port fermé après l'effondrement d'une grue",
              text="Une grue de chantier s'est effondrée lundi matin sur le vieux pont du port de Tallinn. "
                   "Deux ouvriers ont été blessés et hospitalisés, a indiqué le service de secours de la ville. "
                   "Le pont restera fermé à la circulation pendant au moins 14 jours, le temps que des ingénieurs "
                   "l'inspectent. Le maire Mihhail Kõlvart a déclaré que la ville allait revoir les règles de sécurité "
                   "de tous les chantiers proches du port.")
_DE2 = Article(id="de2", lang="de", published="2024-03-04T13:00:00", title="Kran stürzt in Tallinn auf Brücke",
               text="In der estnischen Hauptstadt hat ein Unfall auf einer Baustelle den Verkehr am Hafen lahmgelegt. "
                    "Augenzeugen berichteten von einem lauten Knall, als der Ausleger auf die Fahrbahn fiel. "
                    "Die Polizei leitete Autos über die Umgehungsstraße um; Busse fahren vorerst nicht zum Fährterminal. "
                    "Die Baufirma äußerte sich zunächst nicht zu der Ursache.")


@needs_model
def test_translations_found_independent_report_not():
    from storyline.multilingual.translation import find_translations

    found = find_translations([_EN, _DE, _FR, _DE2])
    assert sorted(found) == ["de", "fr"]
    assert found["de"].source == "en" and found["fr"].source == "en"
    assert [(x.a, x.b) for x in found["de"].pairs] == [(i, i) for i in range(5)]  # title and 4 sentences, in order


@needs_model
def test_regrade_and_counterparts():
    from storyline.multilingual.translation import GRADE, english_counterparts, regrade
    from storyline.provenance import analyse_story

    arts = [_EN, _DE, _DE2]
    prov = regrade(analyse_story(arts), arts)
    by = {a.article_id: a for a in prov.articles}
    assert by["de"].grade == GRADE and by["de"].parent == "en"
    assert by["de2"].grade != GRADE
    assert {"source": "en", "target": "de", "grade": GRADE} .items() <= next(
        e for e in prov.edges if e["target"] == "de").items()
    pairs = english_counterparts(arts)
    assert pairs and all(p["lang"] == "de" for p in pairs)
    assert any(p["text"].startswith("Zwei Arbeiter") and p["english"].startswith("Two workers") for p in pairs)


@needs_model
def test_digest_lists_languages_and_counterparts():
    from storyline.digest import build_digest
    from storyline.provenance import GRADES, analyse_story

    assert "translation" in GRADES
    arts = [_EN, _DE, _DE2]
    prov = analyse_story(arts).to_json()
    d = build_digest("st_x", arts, prov)
    assert d.data["languages"] == ["de", "en"]
    assert d.data["across_languages"]
    assert "## Across languages" in d.to_markdown()
    html = d.to_html()
    assert "<h2>Across languages</h2>" in html and 'lang="de"' in html
    one = build_digest("st_y", [_EN], None)
    assert one.data["languages"] == ["en"] and one.data["across_languages"] == []
    assert "Across languages" not in one.to_markdown()


def test_digest_section_escapes():
    from storyline.multilingual.digest import html_section, markdown_section

    data = {"languages": ["de", "en"], "across_languages": [
        {"article_id": "a", "lang": "de", "text": "<script>x</script> | *b*", "english": "<b>y</b>",
         "english_article_id": "b", "cosine": 0.9}]}
    h = "".join(html_section(data))
    assert "<script>" not in h and "&lt;script&gt;" in h and "<b>y" not in h
    m = "\n".join(markdown_section(data))
    assert "<script>" not in m and "\\|" in m
