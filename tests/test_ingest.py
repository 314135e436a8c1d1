"""Readers: every input format, ids, determinism (fixtures are written here, in tmp_path)."""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.clean import normalise_line
from storyline.errors import InputError
from storyline.ingest import (
    extract_html,
    fragment_text,
    normalise_date,
    outlet_from_url,
    read_inputs,
    read_jsonl_records,
)
from storyline.model import Article, Skipped

PARAS = [
    "The harbour authority of Port Selwyn said on Tuesday that the old grain pier will close for repairs "
    "after inspectors found deep cracks in three of its concrete pillars.",
    "Ships that normally unload at the pier will be sent to the container terminal on the east side of the "
    "bay, which the authority said has enough spare capacity for the next six months.",
    "\"We are not taking any risks with a structure that is almost ninety years old,\" harbour master "
    "Lena Okafor told reporters at a briefing on the quay.",
    "Repairs are expected to cost about 14 million dollars and should be finished before the autumn "
    "harvest, when grain traffic through the port usually doubles.",
]

PAGE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>Port Selwyn closes grain pier for repairs | The Bay Courier</title>
<meta property="og:site_name" content="The Bay Courier">
<meta name="author" content="Mara Lindqvist">
<meta property="article:published_time" content="2025-04-22T09:30:00+02:00">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/weather">Weather</a></li></ul></nav></header>
<main><article>
<h1>Port Selwyn closes grain pier for repairs</h1>
<p class="byline">By Mara Lindqvist</p>
{paras}
</article>
<aside class="related"><h3>Related stories</h3><ul><li><a href="/a">Ferry fares rise again</a></li>
<li><a href="/b">New lighthouse keeper named</a></li></ul></aside>
</main>
<footer><p>Copyright 2025 The Bay Courier. All rights reserved.</p>
<p>Subscribe to our newsletter for daily updates.</p></footer>
</body></html>
""".replace("{paras}", "\n".join(f"<p>{p}</p>" for p in PARAS))

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Valley Gazette</title><link>https://valleygazette.example/</link><language>en-us</language>
<item><title>Flood barrier tested</title><link>https://www.ValleyGazette.example/news/flood-barrier</link>
<guid isPermaLink="false">vg-1001</guid><pubDate>Mon, 21 Apr 2025 10:15:00 +0000</pubDate>
<description>Short teaser only.</description>
<content:encoded><![CDATA[<p>The new flood barrier on the Arden river was raised for the first time.</p>
<p>Engineers said the test <b>went well</b>.</p><script>alert(1)</script>]]></content:encoded>
<category>Weather</category></item>
<item><title>Library reopens</title><link>https://valleygazette.example/news/library</link>
<pubDate>Tue, 22 Apr 2025 08:00:00 GMT</pubDate>
<description>&lt;p&gt;The town library reopened after a two-year renovation.&lt;/p&gt;</description></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hill Post</title><id>urn:hillpost</id>
<updated>2025-04-21T12:00:00Z</updated>
<entry><title>Road closed after landslide</title><id>urn:hillpost:77</id>
<link href="https://hillpost.example/landslide"/><published>2025-04-21T11:00:00+01:00</published>
<author><name>Ines Varga</name></author>
<content type="html">&lt;p&gt;A landslide blocked the pass road overnight.&lt;/p&gt;&lt;p&gt;Crews expect to reopen it by Friday.&lt;/p&gt;</content>
</entry></feed>
"""


def _articles(items: list[Article | Skipped]) -> list[Article]:
    return [a for a in items if isinstance(a, Article)]


def _skipped(items: list[Article | Skipped]) -> list[Skipped]:
    return [s for s in items if isinstance(s, Skipped)]


def make_corpus(root: Path) -> Path:
    """One file of every format under ``root/corpus``."""
    d = root / "corpus"
    (d / "sub").mkdir(parents=True)
    (d / "story.txt").write_text("\nPier closes for repairs\n\n" + "\n".join(PARAS) + "\n", encoding="utf-8")
    (d / "story.json").write_text(json.dumps({"url": "https://www.BayCourier.example/pier", "id": "bc-1",
                                              "published": "22 April 2025", "desk": "city"}), encoding="utf-8")
    (d / "plain.txt").write_text("Title line\nBody line one.\nBody line two.\n", encoding="utf-8")
    (d / "page.html").write_text(PAGE, encoding="utf-8")
    with gzip.open(d / "sub" / "page2.html.gz", "wt", encoding="utf-8") as f:
        f.write(PAGE.replace("grain pier", "ferry ramp"))
    (d / "feed.rss").write_text(RSS, encoding="utf-8")
    (d / "sub" / "hill.atom").write_text(ATOM, encoding="utf-8")
    rows = [
        {"guid": "r1", "headline": "Bridge opens", "article_body": "The bridge opened today.", "subtopic": "s1",
         "date": "2025-04-20"},
        {"headline": "Mayor resigns", "article_body": "The mayor resigned on Friday.", "subtopic": "s2",
         "outlet": "Town Crier", "pubDate": "Fri, 18 Apr 2025 17:45:00 +0200"},
    ]
    (d / "records.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    (d / "array.json").write_text(json.dumps({"articles": [
        {"doc_id": "A-1", "title": "One", "content": "First record.", "url": "http://news.example.org/1"},
        {"title": "Two", "html": "<html><body><p>Second record, given as HTML.</p></body></html>"},
    ]}), encoding="utf-8")
    make_warc(d / "sub" / "crawl.warc.gz")
    return d


def make_warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=True)
        body = PAGE.replace("grain pier", "coal jetty").encode("utf-8")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.baycourier.example/coal-jetty", "response", payload=io.BytesIO(body),
            http_headers=http, warc_headers_dict={"WARC-Date": "2025-04-23T08:00:00Z"}))
        img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.baycourier.example/logo.png", "response", payload=io.BytesIO(b"\x89PNG\r\n\x1a\n..."),
            http_headers=img))
        nodate = PAGE.replace("grain pier", "salt quay").replace(
            '<meta property="article:published_time" content="2025-04-22T09:30:00+02:00">', "")
        writer.write_record(writer.create_warc_record(
            "https://news.example.net/salt", "response", payload=io.BytesIO(nodate.encode("utf-8")),
            http_headers=http, warc_headers_dict={"WARC-Date": "2025-04-24T07:00:00Z"}))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return make_corpus(tmp_path)


def _by_id(items: list[Article | Skipped]) -> dict[str, Article]:
    return {a.id: a for a in _articles(items)}


FIELDS = {"text": "article_body", "id": "guid"}


def test_every_format(corpus: Path) -> None:
    items = list(read_inputs([corpus], fields=FIELDS))
    assert _skipped(items) == []
    arts = _by_id(items)
    assert sorted(arts) == sorted([
        "bc-1", "corpus/plain", "corpus/page", "corpus/sub/page2", "vg-1001",
        "corpus/feed#2", "urn:hillpost:77", "r1", "corpus/records#2", "A-1",
        "corpus/array#2", "corpus/sub/crawl#1", "corpus/sub/crawl#3",
    ])

    txt = arts["bc-1"]  # sidecar: id, url, date; title from the first line
    assert txt.title == "Pier closes for repairs"
    assert txt.text.splitlines() == PARAS
    assert txt.url == "https://www.BayCourier.example/pier" and txt.outlet == "baycourier.example"
    assert txt.published == "2025-04-22" and txt.meta["desk"] == "city"
    assert txt.source.endswith("story.txt")
    assert arts["corpus/plain"].title == "Title line" and arts["corpus/plain"].text == "Body line one.\nBody line two."

    page = arts["corpus/page"]
    assert page.title.startswith("Port Selwyn closes grain pier")
    assert all(p in page.text for p in PARAS)
    for junk in ("Related stories", "Subscribe to our newsletter", "All rights reserved", "Weather"):
        assert junk not in page.text
    assert page.author == "Mara Lindqvist" and page.published == "2025-04-22" and page.lang == "en"
    assert page.outlet == "The Bay Courier"  # no URL: the site name
    assert "ferry ramp" in arts["corpus/sub/page2"].text

    rss = arts["vg-1001"]
    assert rss.title == "Flood barrier tested" and rss.outlet == "valleygazette.example"
    assert rss.text == "The new flood barrier on the Arden river was raised for the first time.\n" \
                       "Engineers said the test went well."
    assert rss.published == "2025-04-21T10:15:00+00:00" and rss.lang == "en"
    assert rss.meta == {"feed": "Valley Gazette", "tags": ["Weather"]}
    assert rss.source.endswith("feed.rss#1")
    lib = arts["corpus/feed#2"]  # no guid: the path-derived id
    assert lib.text == "The town library reopened after a two-year renovation."
    atom = arts["urn:hillpost:77"]
    assert atom.author == "Ines Varga" and atom.published == "2025-04-21T11:00:00+01:00"
    assert atom.text.splitlines() == ["A landslide blocked the pass road overnight.",
                                      "Crews expect to reopen it by Friday."]

    r1, r2 = arts["r1"], arts["corpus/records#2"]
    assert (r1.title, r1.text, r1.published, r1.meta) == ("Bridge opens", "The bridge opened today.", "2025-04-20",
                                                          {"subtopic": "s1"})
    assert r2.outlet == "Town Crier" and r2.published == "2025-04-18T17:45:00+02:00"
    assert r2.source.endswith("records.jsonl:2") and r2.meta == {"subtopic": "s2"}

    assert arts["A-1"].text == "First record." and arts["A-1"].outlet == "news.example.org"
    assert arts["corpus/array#2"].text == "Second record, given as HTML."
    assert arts["corpus/array#2"].source.endswith("array.json#2")

    w1, w3 = arts["corpus/sub/crawl#1"], arts["corpus/sub/crawl#3"]
    assert "coal jetty" in w1.text and w1.url == "https://www.baycourier.example/coal-jetty"
    assert w1.outlet == "baycourier.example" and w1.published == "2025-04-22"  # the page's date
    assert w3.published == "2025-04-24T07:00:00+00:00"  # no date in the page: the WARC-Date
    assert "warc_record_id" in w3.meta


def test_extract_html_drops_boilerplate_and_keeps_metadata() -> None:
    ex = extract_html(PAGE.encode("utf-8"), url="https://www.baycourier.example/pier")
    assert ex.text.splitlines()[-len(PARAS):] == PARAS
    assert "Home" not in ex.text and "Copyright" not in ex.text
    assert ex.author == "Mara Lindqvist" and ex.date == "2025-04-22" and ex.sitename == "The Bay Courier"
    assert ex.method in ("precision", "recall", "readability")
    single = extract_html(PAGE, ensemble=False)
    assert single.method == "precision" and all(p in single.text for p in PARAS)


def test_extract_html_tables_and_lists_have_no_markup() -> None:
    html = ("<html><body><article><h1>Results</h1>" + "".join(f"<p>{p}</p>" for p in PARAS)
            + "<ul><li>first point</li><li>second point</li></ul>"
            + "<table><tr><th>Team</th><th>Score</th></tr><tr><td>Reds</td><td>3</td></tr></table>"
            + "</article></body></html>")
    text = extract_html(html).text
    assert "first point" in text and "Reds 3" in text
    assert "|" not in text and "- first" not in text and "#" not in text


def test_fragment_text() -> None:
    assert fragment_text("<p>One <i>two</i></p><p>three</p>") == "One two\nthree"
    assert fragment_text("plain   text") == "plain text"
    assert fragment_text("<p>unclosed <b>bold") == "unclosed bold"


def test_ids_do_not_depend_on_location_or_argument_order(tmp_path: Path) -> None:
    a = make_corpus(tmp_path / "one")
    other = tmp_path / "two" / "deeper"
    other.mkdir(parents=True)
    b = other / "corpus"
    shutil.copytree(a, b)
    extra = tmp_path / "extra.jsonl"
    extra.write_text(json.dumps({"text": "An extra record."}) + "\n", encoding="utf-8")

    def key(items: list[Article | Skipped]) -> list[tuple[str, str, str]]:
        return sorted((x.id, x.title, x.text) for x in _articles(items))

    first = key(list(read_inputs([a, extra], fields=FIELDS)))
    moved = key(list(read_inputs([extra, b], fields=FIELDS)))
    assert first == moved
    assert ("extra#1", "An extra record", "An extra record.") in first  # untitled: titled by its first sentence


def test_reading_twice_gives_identical_records(corpus: Path) -> None:
    one = [x.to_json() for x in read_inputs([corpus], fields=FIELDS)]
    two = [x.to_json() for x in read_inputs([str(corpus)], fields=FIELDS)]
    assert one == two and len(one) == 13


def test_duplicate_ids_are_kept_and_renamed(tmp_path: Path) -> None:
    f = tmp_path / "dups.jsonl"
    f.write_text("\n".join(json.dumps({"id": "x", "text": f"text {i}"}) for i in range(3)) + "\n",
                 encoding="utf-8")
    g = tmp_path / "more.json"
    g.write_text(json.dumps([{"id": "x~2", "text": "a record already named x~2"}]), encoding="utf-8")
    arts = _articles(list(read_inputs([f, g])))
    assert [a.id for a in arts] == ["x", "x~2", "x~3", "x~2~2"]
    assert arts[1].meta["_ingest"]["duplicate_of"] == "x"
    assert arts[3].text == "a record already named x~2"


def test_same_file_twice_is_read_once(corpus: Path) -> None:
    items = list(read_inputs([corpus, corpus / "plain.txt", corpus]))
    assert sum(isinstance(x, Article) and x.text == "Body line one.\nBody line two." for x in items) == 1
    assert any(isinstance(x, Skipped) and x.code == "E114" for x in items)


def test_unknown_field_in_map_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        read_inputs([tmp_path], fields={"body": "x"})
    assert err.value.code == "E116"


def test_dotted_field_names_reach_nested_objects(tmp_path: Path) -> None:
    f = tmp_path / "nested.jsonl"
    f.write_text(json.dumps({"data": {"body": "Nested text."}, "label": 3}) + "\n", encoding="utf-8")
    (art,) = list(read_jsonl_records(f, fields={"text": "data.body"}))
    assert isinstance(art, Article) and art.text == "Nested text." and art.meta["label"] == 3


@pytest.mark.parametrize(("given", "iso"), [
    ("2025-04-21", "2025-04-21"),
    ("2025-04-21T10:15:00Z", "2025-04-21T10:15:00+00:00"),
    ("2025-04-21 10:15", "2025-04-21T10:15:00"),
    ("Mon, 21 Apr 2025 10:15:00 GMT", "2025-04-21T10:15:00+00:00"),
    ("21 April 2025", "2025-04-21"),
    ("April 21, 2025 3:05 PM", "2025-04-21T15:05:00"),
    (1745230500, "2025-04-21T10:15:00+00:00"),
    ("1745230500000", "2025-04-21T10:15:00+00:00"),
    ("April 2025", None),
    ("not a date", None),
    ("", None),
    (None, None),
])
def test_normalise_date(given: object, iso: str | None) -> None:
    assert normalise_date(given) == iso


def test_outlet_from_url() -> None:
    assert outlet_from_url("https://WWW.Example.co.uk:8080/a?b") == "example.co.uk"
    assert outlet_from_url("not a url") == ""


def test_unparsed_date_is_kept_aside(tmp_path: Path) -> None:
    f = tmp_path / "d.jsonl"
    f.write_text(json.dumps({"text": "x", "date": "sometime soon"}) + "\n", encoding="utf-8")
    (art,) = list(read_inputs([f]))
    assert art.published is None and art.meta["_ingest"]["unparsed_published"] == "sometime soon"


_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)
_record = st.fixed_dictionaries(
    {"id": st.text(st.characters(blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=12),
     "title": _text, "text": _text.filter(lambda s: re.search(r"\w", re.sub(r"&(?:amp;)*#?[A-Za-z0-9_]+;?", " ", s))
                                          is not None),  # words: a text of none is skipped (E109)
     "label": st.one_of(st.integers(), _text, st.lists(st.integers(), max_size=3))},
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_record, min_size=1, max_size=5, unique_by=lambda r: r["id"]))
def test_jsonl_round_trip(tmp_path: Path, records: list[dict]) -> None:
    f = tmp_path / "rt.jsonl"
    f.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    arts = list(read_jsonl_records(f))
    assert all(isinstance(a, Article) for a in arts)
    assert [(a.id, a.text, a.meta["label"]) for a in arts] == [
        (r["id"].strip(), r["text"], r["label"]) for r in records]
    for a, r in zip(arts, records):
        given = " ".join(r["title"].split())
        if a.meta.get("_ingest", {}).get("furniture_title"):  # "0", "Share": cleaning would drop it too
            assert a.meta["_ingest"]["furniture_title"] == given
        elif given:  # spelt as cleaning spells it, so that every command shows the same title
            assert a.title == normalise_line(given) and "title_derived" not in a.meta
        else:
            assert a.title and a.meta["title_derived"] is True
    again = [Article.from_json(json.loads(json.dumps(a.to_json()))) for a in arts]
    assert again == arts


def test_storylineignore_leaves_out_what_it_names(tmp_path):
    (tmp_path / "a.txt").write_text("Headline A\n\nBody of article A with words.\n")
    (tmp_path / "README.md").write_text("# not an article\n")
    sub = tmp_path / "drafts"
    sub.mkdir()
    (sub / "b.txt").write_text("Headline B\n\nBody of article B.\n")
    (tmp_path / "keep").mkdir()
    (tmp_path / "keep" / "c.txt").write_text("Headline C\n\nBody of article C.\n")
    (tmp_path / ".storylineignore").write_text("# docs\nREADME.md\ndrafts\n")
    recs = list(read_inputs([tmp_path]))
    assert all(isinstance(r, Article) for r in recs), recs
    assert sorted(r.title for r in recs) == ["Headline A", "Headline C"]


def test_a_first_line_that_reads_as_a_lede_stays_in_the_text(tmp_path):
    lede = (
        "In a potential shift in tone, the harbour authority has proposed holding direct talks with the "
        "dock workers' union, the first such offer since the strike began three weeks ago, officials said."
    )
    (tmp_path / "x.txt").write_text(lede + "\n\nSecond paragraph.\n")
    (art,) = list(read_inputs([tmp_path / "x.txt"]))
    assert art.text.startswith("In a potential shift in tone")
    # the title is made from the first sentence, cut short before a preposition, and marked as derived
    assert art.title == "In a potential shift in tone, the harbour authority has proposed holding direct talks"
    assert art.meta["title_derived"] is True
    assert art.text.startswith(art.title)  # a headline and lede that overlap, never a line repeated


def test_url_dates_place_undated_articles_in_time() -> None:
    import math

    from storyline.ingest.fields import url_date
    from storyline.pipeline import article_days

    assert url_date("https://news.example/world/2024/05/08/quake-strikes-123") == "2024-05-08"
    assert url_date("https://news.example/2024-5-8-quake") == "2024-05-08"
    for no in ("https://news.example/2024/02/30/x", "https://news.example/story/20245", "", None,
               "https://news.example/1984/01/01/x", "https://news.example/" + "9" * 10_000):
        assert url_date(no) is None, no
    dated = Article(id="a", text="t", url="https://n.example/2024/05/09/x", published="2024-05-08T10:00:00+00:00")
    undated = Article(id="b", text="t", url="https://n.example/2024/05/08/x")
    unknown = Article(id="c", text="t", url="https://n.example/x")
    # the publication time wins; the URL's date stands in at midnight UTC; else unknown
    assert article_days(dated) == pytest.approx(19851 + 10 / 24)
    assert article_days(undated) == 19851.0
    assert math.isnan(article_days(unknown)) and math.isnan(article_days(undated, url_dates=False))


def test_every_reader_places_an_article_in_time_and_says_from_what(tmp_path: Path) -> None:
    """``published`` and ``date_source`` from the input's field, the HTML's metadata, the URL, a dateline,
    the top line or the lede; unknown stays unknown (never the time of reading)."""
    import storyline

    recs = [
        {"id": "field", "title": "Rates rise", "text": "The bank raised rates on Wednesday.", "published": "2022-09-21"},
        {"id": "url", "url": "https://www.theguardian.com/business/2024/dec/18/fed-cuts-rates", "title": "Fed cuts",
         "text": "The Federal Reserve cut rates by a quarter point."},
        {"id": "dateline", "url": "https://example.com/world/2025/04/kremlin-talks", "title": "Talks end",
         "text": "MOSCOW, April 21 (Reuters) - The Kremlin said on Monday that talks were possible."},
        {"id": "top", "title": "Quake toll rises", "text": " date 2023-02-20\nThe toll rose again on Monday."},
        {"id": "lede", "title": "Séisme", "text": "Le 20 février 2023, un séisme de magnitude 6,4 a frappé Hatay."},
        {"id": "none", "title": "Markets", "text": "Shares rose on Monday as investors weighed the outlook."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    (tmp_path / "page.html").write_text(
        "<html><head><title>Storm hits coast</title>"
        '<meta property="article:published_time" content="2022-09-28T10:00:00Z"></head>'
        "<body><article><h1>Storm hits coast</h1><p>" + "The storm made landfall with winds of 150 mph. " * 8
        + "</p></article></body></html>", encoding="utf-8")
    out = tmp_path / "out"
    storyline.run([src, tmp_path / "page.html"], out=out, extras=False, semantic=False)
    rows = {r["id"]: r for r in map(json.loads, (out / "articles.jsonl").read_text(encoding="utf-8").splitlines())}
    got = {k: (r["published"] and r["published"][:10], r["date_source"]) for k, r in rows.items()}
    assert got["field"] == ("2022-09-21", "field")
    assert got["url"] == ("2024-12-18", "url")
    assert got["dateline"] == ("2025-04-21", "dateline")
    assert got["top"] == ("2023-02-20", "text")
    assert got["lede"] == ("2023-02-20", "text")
    assert got["none"][0] is None and got["none"][1] in ("none", "neighbours")
    page = next(r for k, r in rows.items() if k not in got or k.endswith("page"))
    assert (page["published"][:10], page["date_source"]) == ("2022-09-28", "meta")
    assert all(r["date_source"] for r in rows.values())


# -- one reading of an input, whatever the command -----------------------------------------------------------

MENU_TXT = ("Next Story\nNewszop\n\nHarbour authority offers talks to striking dock workers\n\nSend Push\n"
            + "\n\n".join(PARAS) + "\n")
LEDE_TXT = "\n\n".join(PARAS) + "\n"  # no headline: the text opens with its lede
ARTICLE_RECORD = Article(
    id="j2", text=PARAS[1], title="Ships sent to the container terminal", outlet="Bay Courier",
    url="https://baycourier.example/2025/04/22/ships", published="2025-04-22", date_source="url",
    source="elsewhere/ships.html", meta={"desk": "port"},
).to_json()
FEED_ONE = RSS.replace("<link>https://www.ValleyGazette.example/news/flood-barrier</link>", "")

#: One folder of every kind of input: id -> (title, outlet, date_source, title derived), as every command reads it.
ONE_READING: dict[str, tuple[str, str, str | None, bool]] = {
    "in/plain": ("Pier closes for repairs", "", "none", False),  # txt, no sidecar
    "bc-1": ("Pier closes for repairs", "baycourier.example", "field", False),  # txt with a sidecar
    "in/menu": ("Harbour authority offers talks to striking dock workers", "", "none", False),  # menu line first
    "in/lede": ("The harbour authority of Port Selwyn said on Tuesday that the old grain pier will close for "
                "repairs", "", None, True),  # titled by the opening words of its first sentence
    "in/page": ("Port Selwyn closes grain pier for repairs", "The Bay Courier", "meta", False),  # HTML, site name
    "j1": ("Bridge opens", "news.example.org", "field", False),  # JSON lines: outlet from the URL
    "j2": ("Ships sent to the container terminal", "Bay Courier", "url", False),  # an articles.jsonl record
    "j3": ("Ferry fares rise again", "", None, False),  # a furniture title gives way to the headline
    "vg-1001": ("Flood barrier tested", "Valley Gazette", "field", False),  # a feed item without a link
    "in/feed#2": ("Library reopens", "valleygazette.example", "field", False),
}


def _one_reading_inputs(root: Path) -> Path:
    d = root / "in"
    d.mkdir(parents=True)
    (d / "plain.txt").write_text("Pier closes for repairs\n\n" + "\n".join(PARAS) + "\n", encoding="utf-8")
    (d / "story.txt").write_text("Pier closes for repairs\n\n" + "\n".join(PARAS) + "\n", encoding="utf-8")
    (d / "story.json").write_text(json.dumps({"url": "https://www.BayCourier.example/pier", "id": "bc-1",
                                              "published": "22 April 2025"}), encoding="utf-8")
    (d / "menu.txt").write_text(MENU_TXT, encoding="utf-8")
    (d / "lede.txt").write_text(LEDE_TXT, encoding="utf-8")
    (d / "page.html").write_text(PAGE, encoding="utf-8")
    rows = [
        {"id": "j1", "headline": "Bridge opens", "body": "The bridge over the Arden opened today after two years.",
         "url": "https://news.example.org/bridge", "date": "2025-04-20"},
        {**ARTICLE_RECORD, "story_id": "st_000000000000"},
        {"id": "j3", "title": "Share", "text": "Ferry fares rise again\n\nThe ferry company raised its fares by a "
         "tenth on Monday, the second rise this year."},
    ]
    (d / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    (d / "feed.rss").write_text(FEED_ONE, encoding="utf-8")
    return d


def _reading(a: Article | dict) -> tuple:
    d = a.to_json() if isinstance(a, Article) else a
    return (d["id"], d["title"], d["outlet"], d["published"], d["date_source"], d["text"],
            bool((d.get("meta") or {}).get("title_derived")))


def test_run_and_ingest_read_every_input_the_same_way(tmp_path: Path) -> None:
    from storyline.ingest import record_to_article
    from storyline.ingest.stage import load
    from storyline.store import AssignConfig, Store
    from storyline.store.ingest import ingest
    from storyline.store.ingest import read_inputs as store_inputs

    d = _one_reading_inputs(tmp_path)
    run_articles, run_skipped = load([d])  # what `storyline run` reads (planned, sharded reading)
    assert run_skipped == []
    by_run = {a.id: _reading(a) for a in run_articles}
    assert set(ONE_READING) <= set(by_run)

    skipped: list[Skipped] = []
    with Store(tmp_path / "s.db") as store:  # what `storyline ingest` stores
        ingest(store, store_inputs([d], skipped), config=AssignConfig(embed=False), settle=False, analyse=False)
        by_store = {i: _reading(store.get_article(i)) for i in by_run}
    assert skipped == []
    assert by_store == by_run

    for aid, (title, outlet, date_source, derived) in ONE_READING.items():
        _, got_title, got_outlet, published, got_source, text, got_derived = by_run[aid]
        assert (got_title, got_outlet, got_derived) == (title, outlet, derived), aid
        if date_source is not None:
            assert got_source == date_source, aid
        assert got_source == "none" or published, aid  # a date with its source, never the ingest time
        assert text.strip()
    menu = by_run["in/menu"][5]
    assert menu.startswith("Next Story") and "Harbour authority offers talks" not in menu  # furniture: cleaning's
    assert by_run["j2"][3] == "2025-04-22" and by_run["in/page"][3] == "2025-04-22"

    # `storyline watch` reads a fetched page as a record with its HTML: the same as the HTML file
    page = record_to_article({"id": "in/page", "html": PAGE}, source="page", default_id="in/page")
    assert _reading(page) == by_run["in/page"]


def test_run_output_and_store_agree_on_titles_outlets_and_dates(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from storyline.cli import app
    from storyline.store import Store

    d = _one_reading_inputs(tmp_path)
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(d), "--out", str(tmp_path / "out"), "--no-semantic", "--no-extras", "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["ingest", str(d), "--store", str(tmp_path / "s.db"), "--no-embed", "--no-settle",
                              "--no-analyse"])
    assert res.exit_code == 0, res.output
    with (tmp_path / "out" / "articles.jsonl").open(encoding="utf-8") as f:
        ran = {r["id"]: r for r in map(json.loads, f)}
    with Store(tmp_path / "s.db") as store:
        for aid, r in ran.items():
            stored = store.get_article(aid)
            # a run also says which undated articles it placed by their neighbours (for matching only)
            want = (r["title"], r["outlet"], r["published"], r["date_source"].replace("neighbours", "none"))
            assert (stored["title"], stored["outlet"], stored["published"], stored["date_source"]) == want, aid
    assert ran["in/menu"]["title"] == "Harbour authority offers talks to striking dock workers"
    assert ran["in/lede"]["meta"]["title_derived"] is True
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")  # counts in words, outlets named or not
    assert "(s)" not in report and not re.search(r"\b(1 articles|1 stories|1 outlets|0 outlets)\b", report)
    assert re.search(r"\| outlet unknown \|", report) and re.search(r"`st_\w+` · 1 article · 1 outlet\b", report)
