"""Same-kind events kept apart by what each page says: the month an undated page names, and the
percentages its headline and lede state (storyline.ingest.dates.month_of,
storyline.represent.stage.time_window, storyline.cluster, storyline.verify.features.percentages,
storyline.multilingual.match).

The sentences are written here in the style of news reports; the URLs follow the forms of real news sites.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from storyline.cluster import cluster, windows_apart, with_windows
from storyline.config import ClusterConfig
from storyline.ingest.dates import month_of
from storyline.model import Article
from storyline.represent.stage import time_window, time_windows, window_gap
from storyline.verify.features import percentages, to_days

# -- the month a page names ------------------------------------------------------------------

MONTHS = [
    ("", "https://www.example-news.com/2022/09/central-bank-raises-rates", (2022, 9)),
    ("", "https://www.example-news.com/world/2023-2/quake-toll-rises.html", (2023, 2)),
    (" date 2022-10 The runoff ended late on Sunday.", "https://www.example-news.com/politics/runoff", (2022, 10)),
    ("date 2022-06\nThe Federal Reserve raised rates on Wednesday.", "", (2022, 6)),
    ("The central bank raised rates on Wednesday.", "https://www.example-news.com/politics/rates", None),
    ("Published in 2022-10 issue of the magazine.", "", None),  # not a leading date line
    (" date 2099-01 A page from the future.", "", None),
    (" date 2022-13 Not a month.", "", None),
]


@pytest.mark.parametrize(("text", "url", "expected"), MONTHS)
def test_month_of(text, url, expected):
    assert month_of(text, url) == expected


def test_month_of_never_raises_on_bad_input():
    for bad in (None, "", "\x00" * 50, "date " + "9" * 5000):
        assert month_of(bad, bad) is None


def test_time_window_a_day_a_month_or_unknown():
    day = Article(id="a", text="The bank raised rates.", published="2022-09-21")
    assert time_window(day) == (to_days("2022-09-21"), to_days("2022-09-21"))
    month = Article(id="b", text=" date 2022-09 The bank raised rates on Wednesday.")
    lo, hi = time_window(month)
    assert lo == to_days("2022-09-01T00:00:00+00:00") and hi == to_days("2022-10-01T00:00:00+00:00")
    december = Article(id="c", text="x", url="https://www.example-news.com/2022/12/the-year-in-review")
    assert time_window(december)[1] == to_days("2023-01-01T00:00:00+00:00")
    assert all(math.isnan(x) for x in time_window(Article(id="d", text="The bank raised rates.")))


def test_window_gap_counts_days_between_windows():
    w = time_windows([
        Article(id="sep", text=" date 2022-09 The bank raised rates."),
        Article(id="nov2", text="The bank raised rates.", published="2022-11-02"),
        Article(id="sep21", text="The bank raised rates.", published="2022-09-21"),
        Article(id="none", text="The bank raised rates."),
    ])
    gap = window_gap(w, np.array([0, 0, 1, 3]), np.array([1, 2, 2, 0]))
    assert gap[0] == pytest.approx(32.0)  # 1 October to 2 November
    assert gap[1] == 0.0  # 21 September lies in September
    assert gap[2] == pytest.approx(42.0)
    assert math.isnan(gap[3])


# -- clustering respects the windows ---------------------------------------------------------

CFG = ClusterConfig(k=8, gate=0.2, threshold=0.35, max_days=7.0, bridge=0.5)


def _pairs(edges):
    pairs = np.array([(min(a, b), max(a, b)) for a, b, _ in edges], dtype=np.int64).reshape(-1, 2)
    return pairs, np.array([p for _, _, p in edges], dtype=np.float32)


def test_articles_of_months_apart_never_share_a_story():
    # 0-2: a decision of June, 3-5: one of September; every pair looks alike, none has a day, 0 and 3
    # name their month
    edges = [(a, b, 0.9) for a in range(6) for b in range(a + 1, 6)]
    june, september = to_days("2022-06-01T00:00:00+00:00"), to_days("2022-09-01T00:00:00+00:00")
    window = np.full((6, 2), np.nan)
    window[0] = (june, june + 30)
    window[3] = (september, september + 30)
    together = cluster(6, *_pairs(edges), CFG)
    assert len(set(together.tolist())) == 1  # without the windows: one story
    days = with_windows(np.full(6, np.nan), window, 6)
    apart = cluster(6, *_pairs(edges), CFG, days=days)
    assert apart[0] != apart[3]


def test_windows_that_meet_or_are_unknown_do_not_part():
    sep = to_days("2022-09-01T00:00:00+00:00")
    span = with_windows(None, np.array([[sep, sep + 30], [sep + 29, sep + 29], [np.nan, np.nan]]), 3)
    assert not windows_apart(span, np.array([0, 0, 1]), np.array([1, 2, 2]), 7.0).any()
    assert not windows_apart(np.zeros((3, 2)), np.array([0]), np.array([1]), 7.0).any()  # no windows given


# -- percentages of the headline and lede ----------------------------------------------------

PERCENTS = [
    ("Der Zins liegt jetzt in einer Spanne von 1,5 bis 1,75 Prozent.", {1.5, 1.75}),
    ("The Fed raised its target range to 3.00%-3.25% on Wednesday.", {3.0, 3.25}),
    ("Fed, politika faizini yüzde 3,75 - yüzde 4 aralığına yükseltti.", {3.75, 4.0}),
    ("美联储宣布将基准利率上调75个基点至3.00%-3.25%区间", {3.0, 3.25}),
    ("Lula lag bei 50,9 Prozent, Bolsonaro bei 49,1 Prozent.", {50.9, 49.1}),
    ("Lula obteve 48,4 por cento dos votos válidos.", {48.4}),
    ("Le taux de dépôt passe à 0,75 pour cent.", {0.75}),
    ("Инфляция в стране составила 8,6 процента.", {8.6}),
    ("Die EZB hebt den Leitzins um 0,75 Prozentpunkte an.", set()),  # a step, not a level
    ("The bank raised rates by half a percentage point.", set()),
    ("Forty people died in the storm.", set()),
]


@pytest.mark.parametrize(("text", "expected"), PERCENTS)
def test_percentages(text, expected):
    assert percentages("", text) == frozenset(expected)


def test_percentages_read_the_headline_and_lede_only():
    lede = "The bank raised its rate to 4.5%. " + "More words follow here. " * 60 + "Back in 2019 it was 2.5%."
    assert percentages("", lede) == frozenset({4.5})
    assert percentages("Rate at 4.5%", "") == frozenset({4.5})


def test_cross_language_pairs_with_other_percentages_are_less_likely():
    from storyline.multilingual import match

    model = match.load_model()
    typical = {"cosine": 0.9, "names": 0.5, "numbers": 1.0, "figures_shared": 0.5, "relative_cosine": -0.02,
               "relative_cosine_min": -0.04}
    base = np.array([[typical.get(f, 0.0) for f in match.FEATURES]])
    agree, conflict = base.copy(), base.copy()
    agree[0, match.FEATURES.index("percent_shared")] = 1.0
    conflict[0, match.FEATURES.index("percent_conflict")] = 1.0
    p_agree, p_none, p_conflict = (float(model.predict_proba(x)[0]) for x in (agree, base, conflict))
    assert p_agree > p_none > p_conflict


def test_nearest_by_language_computes_what_the_decision_reads():
    from storyline.multilingual.match import nearest_by_language

    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(120, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    langs = rng.choice(["en", "de", "fr", "ru"], size=120, p=[0.5, 0.2, 0.2, 0.1]).tolist()
    routed = np.array([lang != "en" for lang in langs])
    full, index = nearest_by_language(vectors, langs)
    part, index2 = nearest_by_language(vectors, langs, routed)
    assert (index == index2).all()
    english = sorted(set(langs)).index("en")
    needed = np.ones_like(full, dtype=bool)
    needed[~routed, english] = False  # an English article is only ever paired with a routed one
    # the same products over fewer rows: equal up to the BLAS kernel's rounding for that shape
    assert np.allclose(full[needed], part[needed], atol=1e-6)
    S = vectors @ vectors.T
    np.fill_diagonal(S, -1.0)
    de = np.array([lang == "de" for lang in langs])
    assert np.allclose(full[:, sorted(set(langs)).index("de")], S[:, de].max(axis=1), atol=1e-6)


def test_articles_jsonl_gives_an_undated_page_its_month(tmp_path):
    import json

    import storyline

    rows = [
        {"id": "a", "url": "https://www.example-news.com/2022/09/central-bank-raises-rates",
         "text": "The central bank raised its main rate by three quarters of a point on Thursday, its "
                 "largest step since the currency was launched, and said more rises would follow."},
        {"id": "b", "text": " date 2022-10 The central bank raised its main rate again on Thursday, by "
                            "three quarters of a point, and warned that a recession was now more likely."},
        {"id": "c", "published": "2022-10-27", "text": "The central bank raised its main rate on Thursday."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    storyline.run([src], out=tmp_path / "out", extras=False, semantic=False)
    got = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "articles.jsonl").read_text().splitlines())}
    assert (got["a"]["published_month"], got["a"]["month_source"]) == ("2022-09", "url")
    assert (got["b"]["published_month"], got["b"]["month_source"]) == ("2022-10", "text")
    assert "published_month" not in got["c"] and got["c"]["published"] == "2022-10-27"
    assert got["a"]["story_id"] != got["b"]["story_id"]
    # a run that does not read URL dates does not show a month from the URL either
    from storyline.config import Config

    cfg = Config().override({"match": {"url_dates": False}})
    storyline.run([src], out=tmp_path / "no-url", extras=False, semantic=False, config=cfg)
    got = {r["id"]: r for r in map(json.loads, (tmp_path / "no-url" / "articles.jsonl").read_text().splitlines())}
    assert "published_month" not in got["a"] and got["b"]["published_month"] == "2022-10"
