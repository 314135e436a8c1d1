"""Article dates from URL, dateline, top line, lede and relative words (storyline.ingest.dates).

The sentences are written here in the style of news reports; the URLs follow the
forms of real news sites.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.ingest.dates import (
    SOURCES,
    Dated,
    dateline_date,
    infer_date,
    lede_date,
    resolve_relative,
    top_line_date,
    url_date,
)

# -- URLs -----------------------------------------------------------------------------------

URLS = [
    ("https://www.reuters.com/world/europe/2024/09/18/eu-leaders-meet/", "2024-09-18"),
    ("https://apnews.com/article/2024-09-18-fed-rate-cut", "2024-09-18"),
    ("https://www.dispatch.com/story/news/crime/2021/04/20/one-person-killed/7309088002/", "2021-04-20"),
    ("https://sputniknews.com/20220615/russia-says-talks-stalled-1096351635.html", "2022-06-15"),
    ("https://sputniknews.in/amp/20230624/attempted-armed-mutiny-in-russia-2661452.html", "2023-06-24"),
    ("https://nextdraft.com/archives/n20230310/deposit-box/", "2023-03-10"),
    ("https://www.theguardian.com/world/2024/dec/18/syria-aid-convoy", "2024-12-18"),
    ("https://www.washingtontimes.com/news/2021/May/27/senate-gop-proposes/", "2021-05-27"),
    ("https://www.columbian.com/news/2023/jun/21/what-we-know-about-the-missing-submersible/", "2023-06-21"),
    ("https://www.example-news.com/politics/pm-resigns-19-Apr-2025", "2025-04-19"),
    ("https://www.example-news.co.uk/politics/pm-resigns-19-april-2025.html", "2025-04-19"),
    ("https://www.foxbusiness.com/economy/jobless-claims-coronavirus-pandemic-may-1-2021", "2021-05-01"),
    ("https://www.lemonde.fr/international/18/09/2024/la-reforme/", "2024-09-18"),
    ("https://www.news.example/article?id=5&date=2024-09-18", "2024-09-18"),
    ("https://www.reuters.com/world/us/senate-democrats-rush-infrastructure-bill-2021-07-13/", "2021-07-13"),
    ("https://www.wsj.com/articles/weekly-jobless-claims-06-17-2021-11623895321", "2021-06-17"),
    ("https://www.wsj.com/articles/weekly-jobless-claims-05-06-2021-11620247798", "2021-05-06"),
    ("https://www.bfmtv.com/economie/la-bce-remonte-ses-taux_AD-202207210349.html", "2022-07-21"),
    ("http://world.people.com.cn/n1/2023/0624/c1002-40020483.html", "2023-06-24"),
    ("http://www.xinhuanet.com/world/2023-06/24/c_1129715525.htm", "2023-06-24"),
    ("https://www.nydailynews.com/news/politics/ny-cuomo-covid-20210519-ryn7xgtd7ncclowul7aahj4lkq-story.html", "2021-05-19"),
    ("https://www.vox.com/2021/4/28/22407813/supreme-court-cheerleader", "2021-04-28"),
]


@pytest.mark.parametrize(("url", "expected"), URLS)
def test_url_date(url, expected):
    assert url_date(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/article/123456789.html",  # an article id, not a date
        "https://sputniknews.com/1096351635.html",
        "https://www.stern.de/news/putin-kuendigt-teilmobilmachung-an-32746076.html",
        "https://www.kyivpost.com/post/20863",
        "https://www.irishexaminer.com/world/arid-41038667.html",
        "https://exbulletin.com/?p=2036585",
        "https://www.example.com/2024/13/45/not-a-date",  # no such month or day
        "https://www.example.com/1985/05/08/too-old",  # before 1990
        "https://www.example.com/2039/12/30/future",  # after tomorrow
        "https://www.example.com/news/20241399/bad",
        "https://www.businessinsider.com/wagner-boss-prigozhin-2023-6",  # year and month only
        "",
        "not a url at all",
        None,
    ],
)
def test_url_date_none(url):
    assert url_date(url) is None


# -- datelines ------------------------------------------------------------------------------

DATELINES = [
    ("WASHINGTON, Sept 18 (Reuters) - The Federal Reserve cut interest rates by half a point.", 2024, "2024-09-18"),
    ("KYIV, Ukraine, April 19 (AP) — Russian drones struck energy sites overnight.", 2025, "2025-04-19"),
    ("MOSCOW, 21 April (Reuters) - The Kremlin said on Monday talks were possible.", 2025, "2025-04-21"),
    ("BERLIN (dpa) 18.09.2024 - Die Bundesregierung hat ein neues Paket beschlossen.", None, "2024-09-18"),
    ("Paris, 18 septembre (AFP) - Le gouvernement a présenté son budget.", 2024, "2024-09-18"),
    ("PARIS, le 18 septembre 2024 (AFP) Le gouvernement a présenté son budget.", None, "2024-09-18"),
    ("(ANSA) - MOSCA, 21 SET - Il presidente russo ha annunciato una mobilitazione parziale.", 2022, "2022-09-21"),
    ("MADRID, 18 Sep. (EUROPA PRESS) - El Gobierno ha aprobado el anteproyecto.", 2024, "2024-09-18"),
    ("NEW DELHI, Sept 18 (PTI) The government on Wednesday approved the plan.", 2024, "2024-09-18"),
    ("Москва. 18 сентября. ИНТЕРФАКС - Президент подписал указ.", 2024, "2024-09-18"),
    ("新华社莫斯科9月21日电（记者 王明）俄罗斯总统21日宣布局部动员。", 2022, "2022-09-21"),
    ("Roma, 21 lug. – (Adnkronos) – Il Consiglio direttivo della Bce ha alzato i tassi.", 2022, "2022-07-21"),
]


@pytest.mark.parametrize(("text", "hint", "expected"), DATELINES)
def test_dateline_date(text, hint, expected):
    assert dateline_date(text, hint) == expected


def test_dateline_year_from_text_dates():
    text = (
        "WASHINGTON, Sept 18 (Reuters) - The Federal Reserve cut rates on Wednesday, its first cut since "
        "March 2020, after holding them steady since July 26, 2023. Officials meet again on November 7, 2024.\n"
        "Markets had priced in the move by September 16, 2024."
    )
    # 2020 ("since"), 2023 ("since") and the future meeting do not count; 2024 is left
    assert dateline_date(text) == "2024-09-18"


@pytest.mark.parametrize(
    "text",
    [
        "Today, February 6, in the morning a powerful earthquake struck southern Turkey.",
        "On September 21, the Kremlin leader ordered reservists called up by decree.",
        "LONDON (Reuters) - Queen Elizabeth died on Thursday at Balmoral.",  # no date
        "WASHINGTON, Sept 18 (Reuters) - No year anywhere in this text.",  # no year: no date
        "The minister said 21 April (Reuters) was wrong.",  # not at a line start with a place
    ],
)
def test_dateline_none(text):
    assert dateline_date(text) is None


# -- date lines at the top ------------------------------------------------------------------

TOP_LINES = [
    (" date 2025-04-22\nParliament passes the budget\n\nThe lower house voted ...", "2025-04-22"),
    ("2022-06-15\nRates rise again\nThe central bank ...", "2022-06-15"),
    ("Updated: June 15, 2022\nRates rise again", "2022-06-15"),
    ("15 June 2022 | Politics | Rates rise again", "2022-06-15"),
    ("Rates rise again\nPublished 18 September 2024 10:02 BST\nThe Bank of England ...", "2024-09-18"),
    ("18.09.2024, 14:05 Uhr\nDie EZB senkt den Leitzins", "2024-09-18"),
    ("2024年9月18日 10:00\n日本銀行は金融政策決定会合を開いた。", "2024-09-18"),
    ("18 сентября 2024, 12:30\nЦентробанк снизил ставку", "2024-09-18"),
    ("Mercenary chief killed in plane crash\n\nAugust 23, 2023, Wednesday\nSofia: the head of the group ...", "2023-08-23"),
    ("Sunak becomes prime minister\nHanna Voss\nTuesday 25 October 2022 05:41 BST\nComments", "2022-10-25"),
    ("Publié le 21/07/2022 à 14h32\nLa BCE relève ses taux", "2022-07-21"),
    ("Putin announces mobilisation | 21 Sept 2022 | Russian President Vladimir Putin has ...", "2022-09-21"),
]


@pytest.mark.parametrize(("text", "expected"), TOP_LINES)
def test_top_line_date(text, expected):
    assert top_line_date(text) == expected


def test_top_line_prefers_published_over_updated():
    text = "Published 18 September 2024\nUpdated 19 September 2024 08:00\nThe bank ..."
    assert top_line_date(text) == "2024-09-18"


@pytest.mark.parametrize(
    "text",
    [
        "The summit of 18 September 2024 was a failure for the ruling party and its leaders in the capital.\nMore",
        "Headline\n" + "\n".join(f"paragraph {i} with text" for i in range(10)) + "\n18 September 2024",
        "No date at all\nJust words.",
    ],
)
def test_top_line_none(text):
    assert top_line_date(text) is None


# -- headline and lede, in many languages ---------------------------------------------------

LEDES = [
    ("Fed cuts rates", "The Federal Reserve on Wednesday, September 18, 2024, cut rates by half a point.", "en", "2024-09-18"),
    ("EZB senkt Zinsen", "Die Europäische Zentralbank hat am 18. September 2024 die Leitzinsen gesenkt.", "de", "2024-09-18"),
    ("", "Le gouvernement a présenté le 18 septembre 2024 un budget de rigueur.", "fr", "2024-09-18"),
    ("", "El Gobierno aprobó el 18 de septiembre de 2024 la reforma de las pensiones.", "es", "2024-09-18"),
    ("", "Il governo ha approvato il 18 settembre 2024 la legge di bilancio.", "it", "2024-09-18"),
    ("", "O governo anunciou em 18 de setembro de 2024 a reforma tributária.", "pt", "2024-09-18"),
    ("", "日本銀行は2024年9月18日、金融政策決定会合で利上げを決めた。", "ja", "2024-09-18"),
    ("", "Президент подписал указ 18 сентября 2024 года, сообщила пресс-служба.", "ru", "2024-09-18"),
    ("", "Merkez Bankası 18 Eylül 2024 tarihinde politika faizini indirdi.", "tr", "2024-09-18"),
    ("", "Rząd ogłosił 18 września 2024 r. nowy program mieszkaniowy.", "pl", "2024-09-18"),
    ("", "De regering presenteerde op 18 september 2024 de miljoenennota.", "nl", "2024-09-18"),
    ("Ο πρωθυπουργός μίλησε στις 18 Σεπτεμβρίου 2024", "Ο πρωθυπουργός μίλησε στη Βουλή.", "el", "2024-09-18"),
    ("Kongress 18.09.2024", "Der Parteitag begann in Berlin.", "de", "2024-09-18"),
    ("", "首相宣布辭職 圖/法新社 【2024. 9. 18 倫敦】 首相在官邸外向媒體說明辭意。", "zh", "2024-09-18"),
    ("", "기사입력 2024. 09. 18. 오전 9:10 총리가 사임을 발표했다.", "ko", "2024-09-18"),
    # the same, the language unknown
    ("", "Le gouvernement a présenté le 18 septembre 2024 un budget de rigueur.", None, "2024-09-18"),
    ("", "Президент подписал указ 18 сентября 2024 года.", None, "2024-09-18"),
]


@pytest.mark.parametrize(("title", "text", "lang", "expected"), LEDES)
def test_lede_date(title, text, lang, expected):
    assert lede_date(title, text, lang) == expected


def test_lede_prefers_the_latest_date():
    text = "The deal, first agreed on 5 March 2024, was renewed on 18 September 2024 in Istanbul."
    assert lede_date("", text, "en") == "2024-09-18"


def test_lede_latest_not_after_a_trusted_date():
    text = "The deal, first agreed on 5 March 2024, was renewed on 18 September 2024 in Istanbul."
    assert lede_date("", text, "en", not_after="2024-06-01") == "2024-03-05"


def test_lede_day_and_month_take_the_year_of_the_text():
    text = (
        "On September 21, the Kremlin leader signed an order calling up reservists.\n"
        "The call-up follows referendums announced on 20 September 2022 in occupied regions."
    )
    assert lede_date("", text, "en") == "2022-09-21"


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("", "Putin signed the decree on Wednesday, the Kremlin said."),  # only a weekday
        ("", "Five out of 10 people said the economy was getting worse."),  # "5 out" is no date
        ("", "Turkey was hit on February 6, the worst quake since 1999."),  # no year for the date
        ("", "The runoff will be held on 30 October 2022, the electoral court said."),  # a date ahead
        ("", "Inflation has been rising since 18 September 2024, the bank said."),  # a date behind
        ("Queen dies", "The Queen at the opening of a hospice on July 15, 2022.\n\nZUMA Press/TNS\n\nThe Queen died."),
        ("", "In this July 8, 2021 file photo the Queen visits the set of a television series."),
    ],
)
def test_lede_none(title, text):
    assert lede_date(title, text, "en") is None


# -- relative words -------------------------------------------------------------------------

REF = "2022-09-22"  # a Thursday
RELATIVE = [
    ("Putin announced the mobilisation on Wednesday.", None, "2022-09-21"),
    ("The toll from Monday's quake rose past 2,300 dead.", "en", "2022-09-19"),
    ("The talks ended on Thursday without a deal.", "en", "2022-09-22"),  # the day itself
    ("The president said yesterday that the war would go on.", None, "2022-09-21"),
    ("Last week the central bank raised rates again.", "en", "2022-09-15"),
    ("Putin hat am Mittwoch eine Teilmobilmachung angekündigt.", "de", "2022-09-21"),
    ("Das teilte der Palast am Donnerstagabend mit.", "de", "2022-09-22"),
    ("Gestern sagte der Präsident, der Krieg gehe weiter.", "de", "2022-09-21"),
    ("Heute hat die Regierung beraten.", "de", "2022-09-22"),
    ("Le président a annoncé mercredi une mobilisation partielle.", "fr", "2022-09-21"),
    ("Hier, le président a annoncé une mobilisation.", "fr", "2022-09-21"),
    ("Aujourd'hui le gouvernement présente son budget.", "fr", "2022-09-22"),
    ("El presidente anunció el miércoles una movilización parcial.", "es", "2022-09-21"),
    ("Ayer el presidente anunció la movilización.", "es", "2022-09-21"),
    ("Hoy el Gobierno presenta los presupuestos.", "es", "2022-09-22"),
    ("Ieri il presidente ha annunciato la mobilitazione.", "it", "2022-09-21"),
    ("Президент в среду объявил частичную мобилизацию.", "ru", "2022-09-21"),
    ("Вчера президент объявил мобилизацию.", "ru", "2022-09-21"),
    ("Сегодня правительство обсудит бюджет.", "ru", "2022-09-22"),
    ("W środę prezydent podpisał ustawę.", "pl", "2022-09-21"),
    ("昨日、首相は記者会見を開いた。", "ja", "2022-09-21"),
]


@pytest.mark.parametrize(("text", "lang", "expected"), RELATIVE)
def test_resolve_relative(text, lang, expected):
    assert resolve_relative("", text, REF, lang) == expected


def test_resolve_relative_headline_first():
    assert resolve_relative("Quake hits Turkey on Monday", "Rescuers worked through Tuesday night.", REF) == "2022-09-19"


@pytest.mark.parametrize(
    ("text", "ref", "lang"),
    [
        ("Nothing here is relative.", REF, None),
        ("Hier ist nichts passiert.", REF, None),  # German "hier" (here) is not French "hier" (yesterday)
        ("He resigned on Monday.", "not a date", None),
        ("He resigned on Monday.", "", None),
    ],
)
def test_resolve_relative_none(text, ref, lang):
    assert resolve_relative("", text, ref, lang) is None


# -- order of trust -------------------------------------------------------------------------

DATELINED = "WASHINGTON, Sept 17 (Reuters) - The Federal Reserve began its meeting on 17 September 2024."


def test_trust_field_first():
    got = infer_date("t", DATELINED, "https://x.com/2024/09/19/a", given="2024-09-20T10:00:00+00:00", meta="2024-09-21")
    assert got == Dated("2024-09-20T10:00:00+00:00", "field")


def test_trust_meta_before_url():
    assert infer_date("t", DATELINED, "https://x.com/2024/09/19/a", meta="2024-09-21") == Dated("2024-09-21", "meta")


def test_trust_url_before_dateline():
    assert infer_date("t", DATELINED, "https://x.com/2024/09/19/a") == Dated("2024-09-19", "url")


def test_trust_dateline_before_text():
    text = "Fed meets\n\n" + DATELINED.replace("began its meeting", "met")
    assert infer_date("Fed meets", "Updated 16 September 2024\n" + text) == Dated("2024-09-17", "dateline")


def test_trust_top_line_before_lede():
    text = "16 September 2024\nThe Federal Reserve will meet on 17 September 2024."
    assert infer_date("Fed meets", text) == Dated("2024-09-16", "text")


def test_trust_lede_last():
    text = "The Federal Reserve met on 17 September 2024 and left rates unchanged."
    assert infer_date("Fed holds", text, "https://x.com/news/fed-holds") == Dated("2024-09-17", "text")


def test_trust_none():
    assert infer_date("Fed holds", "The Federal Reserve left rates unchanged on Wednesday.") == Dated(None, "none")


def test_url_year_month_supplies_the_year_and_rules_out_other_months():
    text = "On September 21, the Kremlin leader signed an order calling up reservists."
    got = infer_date("", text, "http://mirperemen.net/2022/09/putin-podpisal-ukaz")
    assert got == Dated("2022-09-21", "text")
    got = infer_date("", text, "http://mirperemen.net/2022/10/putin-podpisal-ukaz")
    assert got == Dated(None, "none")


def test_corpus_month_marker_supplies_the_year():
    text = " date 2022-09 Putin hat am 21. September eine Teilmobilmachung angekündigt."
    assert infer_date("", text, lang="de") == Dated("2022-09-21", "text")


def test_sources_constant():
    assert SOURCES == ("field", "meta", "url", "dateline", "text", "neighbours", "none")
    assert all(infer_date("", "", u).source in SOURCES for u in ("", "https://x.com/2024/09/18/a"))


# -- total on any input ---------------------------------------------------------------------

JUNK = [
    "",
    " ",
    "\x00\x01\x02\ufffd\ud800" * 50,
    bytes(range(256)).decode("latin-1") * 20,
    "(" * 5000,
    "WASHINGTON, " * 2000,
    "1." * 5000,
    "18 " * 10000,
    "年月日" * 3000,
    "date " * 2000,
]


@pytest.mark.parametrize("junk", JUNK)
def test_junk_never_raises(junk):
    assert infer_date(junk, junk, junk, None, None, junk).date is None
    assert url_date(junk) is None
    assert dateline_date(junk, 2024) is None
    assert top_line_date(junk) is None
    assert lede_date(junk, junk, junk) is None
    assert resolve_relative(junk, junk, "2024-01-01", junk) is None


@pytest.mark.parametrize("bad", [None, 12, 3.5, b"2024-09-18", ["2024-09-18"], {"a": 1}])
def test_non_strings_never_raise(bad):
    assert infer_date(bad, bad, bad, bad, bad, bad) == Dated(None, "none")
    assert url_date(bad) is None
    assert dateline_date(bad, bad) is None
    assert top_line_date(bad) is None
    assert lede_date(bad, bad, bad) is None
    assert resolve_relative(bad, bad, bad, bad) is None


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=600), st.text(max_size=200), st.one_of(st.none(), st.text(max_size=10)))
def test_any_text_is_total(text, title, lang):
    got = infer_date(title, text, text, None, None, lang)
    assert got.source in SOURCES and (got.date is None) == (got.source == "none")
    url_date(text)
    dateline_date(text, 2024)
    top_line_date(text)
    lede_date(title, text, lang)
    resolve_relative(title, text, "2024-09-18", lang)


def test_five_megabytes_is_fast():
    huge = ("The minister spoke on Monday about the 18 reforms. " * 100_000)[:5_000_000]
    start = time.perf_counter()
    got = infer_date(huge, huge, "https://x.com/" + huge, None, None, "en")
    assert resolve_relative(huge, huge, "2024-09-18", "en") == "2024-09-16"
    assert url_date(huge) is None
    assert time.perf_counter() - start < 2.0
    assert got == Dated(None, "none")


def test_a_date_past_the_read_limit_is_not_read():
    text = "x " * 5000 + "18 September 2024"
    assert infer_date("", text) == Dated(None, "none")


def test_speed():
    text = (
        "Parliament passes the budget\n\nThe lower house voted on Wednesday, 18 September 2024, to pass the "
        "budget after a week of debate. The opposition said it would appeal.\n" * 10
    )
    infer_date("t", text)
    start = time.perf_counter()
    for _ in range(200):
        infer_date("Parliament passes the budget", text, "https://example.com/news/parliament-budget", lang="en")
    assert (time.perf_counter() - start) / 200 < 0.01  # well under 10 ms an article
