"""Bad input: every broken file is skipped with its reason and stable code, nothing else is lost."""

from __future__ import annotations

import gzip
import io
import json
import random
from pathlib import Path

import pytest

from storyline.ingest import read_inputs, read_jsonl_records
from storyline.ingest.readers import CODES
from storyline.model import Article, Skipped

GOOD_TEXT = "Council approves new budget\nThe town council approved the budget on Monday after a long debate."
LONG_PAGE = (
    "<html><head><title>Dam inspection finds no damage</title></head><body><nav><a href='/'>Home</a></nav>"
    "<article><h1>Dam inspection finds no damage</h1>"
    + "".join(
        f"<p>Inspectors walked the full length of the northern dam wall on day {i} and reported that the "
        f"concrete, the spillway gates and the drainage tunnels were all in good order.</p>"
        for i in range(1, 6)
    )
    + "</article><footer>Contact us</footer></body></html>"
)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def build_batch(d: Path) -> dict[str, str | None]:
    """Good and bad files side by side; the value is the code expected for the file (None: read)."""
    expect: dict[str, str | None] = {}

    def add(name: str, data: bytes | str, code: str | None) -> None:
        _write(d / name, data)
        expect[name] = code

    add("good.txt", GOOD_TEXT, None)
    add("good.html", LONG_PAGE, None)
    add("empty.txt", b"", "E101")
    add("blank.html", b"  \n\t\n", "E101")
    add("image.txt", PNG + bytes(range(256)), "E102")
    gz = gzip.compress(LONG_PAGE.encode("utf-8"))
    add("truncated.html.gz", gz[: len(gz) // 2], "E104")
    add("notgzip.txt.gz", b"plain text pretending to be gzip", "E104")
    add("latin1.txt", "Café in Zürich\nThe café’s owner said “no” – again.".encode("cp1252"), None)
    add("broken.html", "<html><body><div><p>Just one unclosed paragraph about the harbour <b>and its boats",
        None)
    add("nothing.html", "<html><head><title></title></head><body><div><span></span></div></body></html>",
        "E109")
    add("cut.json", '{"articles": [{"text": "one"}, {"text": ', "E107")
    add("scalar.json", "42", "E113")
    add("notafeed.xml", "this is not xml {{{ at all", "E108")
    add("notes.docx", b"PK\x03\x04 whatever", "E106")
    add("README", "no extension", "E106")
    add(".hidden.txt", "hidden files are ignored", "ignored")
    add(".git/config", "[core]", "ignored")
    with open(d / "huge.txt", "wb") as f:  # 50 MB, sparse: costs no disk
        f.truncate(50_000_000)
    expect["huge.txt"] = "E105"
    return expect


def test_mixed_batch(tmp_path: Path) -> None:
    expect = build_batch(tmp_path / "in")
    items = list(read_inputs([tmp_path / "in"]))
    arts = {Path(a.source).name: a for a in items if isinstance(a, Article)}
    skips = {Path(s.source).name: s for s in items if isinstance(s, Skipped)}
    for name, code in expect.items():
        if code is None:
            assert name in arts, f"{name} should have been read: {skips.get(name)}"
        elif code == "ignored":
            assert name not in arts and name not in skips
        else:
            assert name in skips, f"{name} should have been skipped"
            assert skips[name].code == code, skips[name]
            assert skips[name].reason
    assert set(arts) | set(skips) == {n for n, c in expect.items() if c != "ignored"}
    assert {s.code for s in skips.values()} <= set(CODES)

    assert arts["good.txt"].title == "Council approves new budget"
    assert "northern dam wall on day 5" in arts["good.html"].text and "Contact us" not in arts["good.html"].text
    latin = arts["latin1.txt"]
    assert latin.title == "Café in Zürich" and "“no” – again" in latin.text
    assert latin.meta["_ingest"]["encoding"]  # the guess is recorded
    assert "unclosed paragraph about the harbour and its boats" in arts["broken.html"].text
    assert "larger than max_doc_bytes" in skips["huge.txt"].reason
    assert "PNG" in skips["image.txt"].reason
    assert skips["notes.docx"].reason.startswith("unsupported format")


def test_undecodable_garbage_is_skipped(tmp_path: Path) -> None:
    rng = random.Random(7)
    _write(tmp_path / "noise.txt", bytes(rng.randrange(256) for _ in range(4000)))
    _write(tmp_path / "ok.txt", GOOD_TEXT)
    items = list(read_inputs([tmp_path]))
    (skip,) = [s for s in items if isinstance(s, Skipped)]
    assert skip.code in ("E102", "E103") and skip.source.endswith("noise.txt")
    assert [a.title for a in items if isinstance(a, Article)] == ["Council approves new budget"]


def test_bad_jsonl_lines_lose_nothing_else(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": "first"}),
        '{"id": "b", "text": "unterminated',
        "",
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "c"}),  # no text, no title
        json.dumps({"id": "d", "text": {"nested": "object"}}),
        json.dumps({"id": "e", "text": "last", "title": "Kept"}),
    ]
    raw = ("\n".join(lines) + "\n").encode("utf-8").replace(b"last", b"l\xe9st")  # one line not UTF-8
    f = _write(tmp_path / "mixed.jsonl", raw)
    items = list(read_inputs([f]))
    assert [a.id for a in items if isinstance(a, Article)] == ["a", "e"]
    skips = {s.source.rsplit(":", 1)[1]: s for s in items if isinstance(s, Skipped)}
    assert {k: s.code for k, s in skips.items()} == {"2": "E107", "4": "E113", "5": "E109", "6": "E113"}
    assert "malformed JSON" in skips["2"].reason
    assert items[-1].text == "lést" and items[-1].meta["_ingest"]["encoding"]


def test_truncated_gzip_stream_keeps_records_before_the_cut(tmp_path: Path) -> None:
    body = "".join(json.dumps({"id": f"r{i}", "text": f"record number {i} " * 20}) + "\n" for i in range(400))
    gz = gzip.compress(body.encode("utf-8"))
    f = _write(tmp_path / "cut.jsonl.gz", gz[: int(len(gz) * 0.6)])
    items = list(read_inputs([f]))
    arts = [a for a in items if isinstance(a, Article)]
    assert 50 < len(arts) < 400 and [a.id for a in arts] == [f"r{i}" for i in range(len(arts))]
    assert isinstance(items[-1], Skipped) and items[-1].code == "E104"


def test_streams_are_not_limited_by_max_doc_bytes(tmp_path: Path) -> None:
    rows = [json.dumps({"id": f"r{i}", "text": "x" * 500}) for i in range(100)]
    rows.insert(50, json.dumps({"id": "big", "text": "y" * 5000}))
    f = _write(tmp_path / "stream.jsonl", "\n".join(rows) + "\n")
    assert f.stat().st_size > 20 * 2000
    items = list(read_jsonl_records(f, max_doc_bytes=2000))
    assert sum(isinstance(a, Article) for a in items) == 100
    (skip,) = [s for s in items if isinstance(s, Skipped)]
    assert skip.code == "E105" and skip.source.endswith(":51")


def test_malformed_feed_keeps_its_items(tmp_path: Path) -> None:
    feed = """<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>
<item><title>First item</title><link>https://b.example/1</link><description>Kept despite the error.</description>
</item><item><title>Second</title><description>Unescaped & ampersand <b>and an unclosed tag</description></item>
</channel>"""
    f = _write(tmp_path / "broken.rss", feed)
    items = list(read_inputs([f]))
    arts = [a for a in items if isinstance(a, Article)]
    assert [a.title for a in arts] == ["First item", "Second"]
    assert arts[0].text == "Kept despite the error." and arts[0].outlet == "b.example"
    assert any(isinstance(s, Skipped) and s.code == "E108" and "kept the 2 items" in s.reason for s in items)


def test_bad_warc_keeps_records_before_the_damage(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    for i in range(3):
        page = LONG_PAGE.replace("northern", f"section-{i}")
        writer.write_record(writer.create_warc_record(f"https://dams.example/{i}", "response",
                                                      payload=io.BytesIO(page.encode()), http_headers=http))
    data = buf.getvalue()
    f = _write(tmp_path / "damaged.warc.gz", data + b"\x1f\x8b\x08\x00garbage that is not a record")
    items = list(read_inputs([f]))
    assert [a.id for a in items if isinstance(a, Article)] == ["damaged#1", "damaged#2", "damaged#3"]
    assert isinstance(items[-1], Skipped) and items[-1].code == "E110"

    g = _write(tmp_path / "empty.warc", b"")
    h = _write(tmp_path / "fake.warc", PNG)
    skips = [s for s in read_inputs([g, h]) if isinstance(s, Skipped)]
    assert sorted(s.code for s in skips) == ["E101", "E102"]


def test_missing_path_and_sidecar_errors(tmp_path: Path) -> None:
    _write(tmp_path / "a.txt", GOOD_TEXT)
    _write(tmp_path / "a.json", "{not json")
    items = list(read_inputs([tmp_path / "a.txt", tmp_path / "missing.txt"]))
    (art,) = [a for a in items if isinstance(a, Article)]
    assert art.title == "Council approves new budget" and "sidecar_error" in art.meta["_ingest"]
    (skip,) = [s for s in items if isinstance(s, Skipped)]
    assert skip.code == "E111" and skip.source.endswith("missing.txt")
    (side,) = list(read_inputs([tmp_path / "a.json"]))
    assert isinstance(side, Skipped) and side.code == "E115"


@pytest.mark.parametrize("name", ["x.txt", "x.html", "x.json", "x.rss", "x.jsonl", "x.warc"])
def test_nothing_raises_for_any_garbage(tmp_path: Path, name: str) -> None:
    rng = random.Random(name)
    for i, blob in enumerate([b"\x00" * 10, b"\xff\xfe" + bytes(rng.randrange(256) for _ in range(300)),
                              b"<<<>>>&&&;;;", b"{}", b"[]", b"null"]):
        _write(tmp_path / str(i) / name, blob)
    items = list(read_inputs([tmp_path]))
    assert len(items) >= 6
    for item in items:
        assert isinstance(item, (Article, Skipped))
        if isinstance(item, Skipped):
            assert item.code in CODES and item.code != "E199", item
