"""Bad input: every broken file is skipped with its reason and stable code, nothing else is lost."""

from __future__ import annotations

import gzip
import io
import json
import random
import zlib
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


# -- inputs that are not articles stay out --------------------------------------------------------------


def _symlinked(tmp_path: Path) -> Path:
    """A folder with its own article, a link to a file outside it, a link to a folder outside it, and a link
    to its own article."""
    outside = tmp_path / "outside"
    _write(outside / "secret.txt", "Private notes\nThe key to the shed is under the third flowerpot from the door.")
    _write(outside / "dir" / "far.txt", "Far away story\nA story kept in another folder that was not given.")
    d = tmp_path / "in"
    _write(d / "own.txt", GOOD_TEXT)
    (d / "link.txt").symlink_to(outside / "secret.txt")
    (d / "linked").symlink_to(outside / "dir", target_is_directory=True)
    (d / "again.txt").symlink_to(d / "own.txt")  # inside the folder: read where it is
    return d


def test_symlinks_leading_outside_are_skipped_unless_followed(tmp_path: Path) -> None:
    from storyline.ingest.readers import following_symlinks
    from storyline.ingest.stage import load

    d = _symlinked(tmp_path)
    items = list(read_inputs([d]))
    skips = {Path(s.source).name: s for s in items if isinstance(s, Skipped)}
    assert {n: s.code for n, s in skips.items() if s.code == "E118"} == {"link.txt": "E118", "linked": "E118"}
    assert "not followed" in skips["link.txt"].reason and "E118" in CODES
    texts = " ".join(a.text for a in items if isinstance(a, Article))
    assert "flowerpot" not in texts and "another folder" not in texts and "budget on Monday" in texts

    arts, skipped = load([d])  # `storyline run` plans its reading apart: the same skips
    assert sorted((Path(s.source).name, s.code) for s in skipped) == sorted(
        (n, s.code) for n, s in skips.items())
    assert sorted(a.id for a in arts) == sorted(a.id for a in items if isinstance(a, Article))

    followed = list(read_inputs([d], follow_symlinks=True))
    assert not [s for s in followed if isinstance(s, Skipped) and s.code == "E118"]
    got = {a.title for a in followed if isinstance(a, Article)}
    assert {"Private notes", "Far away story", "Council approves new budget"} <= got
    with following_symlinks():
        arts, skipped = load([d])
    assert {a.title for a in arts} == got and not [s for s in skipped if s.code == "E118"]
    assert [s.code for s in read_inputs([d / "link.txt"]) if isinstance(s, Skipped)] == []  # a path given is read


def test_follow_symlinks_on_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from storyline.cli import app
    from storyline.store import Store

    d = _symlinked(tmp_path)
    runner = CliRunner()
    for flag, n in (([], 1), (["--follow-symlinks"], 3)):
        out = tmp_path / f"out{len(flag)}"
        res = runner.invoke(app, ["run", str(d), "--out", str(out), "--no-semantic", "--no-extras", "-q", *flag])
        assert res.exit_code == 0, res.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["articles"] == n
        assert bool(flag) != any(s["code"] == "E118" for s in summary["skipped_inputs"])
        db = tmp_path / f"s{len(flag)}.db"
        res = runner.invoke(app, ["ingest", str(d), "--store", str(db), "--no-embed", "--no-settle",
                                  "--no-analyse", *flag])
        assert res.exit_code == 0, res.output
        with Store(db) as store:
            assert store.counts()["articles"] == n


def _warc(gz: bool, n: int = 2) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gz)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    for i in range(n):
        page = LONG_PAGE.replace("northern", f"section-{i}")
        writer.write_record(writer.create_warc_record(f"https://dams.example/{i}", "response",
                                                      payload=io.BytesIO(page.encode()), http_headers=http))
    return buf.getvalue()


@pytest.mark.parametrize("gz", [False, True])
def test_a_truncated_warc_record_has_its_own_code(tmp_path: Path, gz: bool) -> None:
    data = _warc(gz)
    name = "cut.warc.gz" if gz else "cut.warc"
    whole = [a.text for a in read_inputs([_write(tmp_path / "whole" / name, data)])]
    assert len(whole) == 2
    if gz:  # where the second record starts: the second gzip member
        member = zlib.decompressobj(16 + zlib.MAX_WBITS)
        member.decompress(data)
        second = len(data) - len(member.unused_data)
    else:  # after the first record's two blank lines
        second = data.index(b"WARC/1.0", 10)
    seen = set()
    for cut in range(second + 1, len(data) - 4, 13):  # inside the second record: headers, HTTP headers, body
        items = list(read_inputs([_write(tmp_path / name, data[:cut])]))
        codes = [s.code for s in items if isinstance(s, Skipped)]
        texts = [a.text for a in items if isinstance(a, Article)]
        assert "E199" not in codes, (cut, items)
        # the first page whole; the second whole (only its gzip trailer was cut) or reported, never cut short
        assert (texts, codes) in ((whole, []), (whole[:1], ["E119"])), (cut, items)
        seen.update(codes)
    assert "E119" in seen and "E119" in CODES
    # the case once reported as "E199 unexpected error: AttributeError": a record's headers cut mid-way
    head = gzip.decompress(data) if gz else data
    cut = head.index(b"WARC-Target-URI", len(head) // 2) + 10
    items = list(read_inputs([_write(tmp_path / "mid.warc", head[:cut])]))
    assert [type(x).__name__ for x in items] == ["Article", "Skipped"] and items[-1].code == "E119"
    assert "truncated WARC record" in items[-1].reason


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<rss version="2.0"><channel><title>Laughs</title>
<item><title>&lol9;</title></item>
<item><title>&lol9;</title><description>&lol9;</description></item>
</channel></rss>
"""


def test_a_record_without_text_is_never_kept(tmp_path: Path) -> None:
    items = list(read_inputs([_write(tmp_path / "lol.rss", BILLION_LAUGHS)]))
    assert not [a for a in items if isinstance(a, Article)], items  # a title, an entity: no text
    codes = sorted((Path(s.source).name, s.code) for s in items if isinstance(s, Skipped))
    assert codes == [("lol.rss", "E108"), ("lol.rss#1", "E109"), ("lol.rss#2", "E109")]
    assert "kept 0 of the 2 items" in items[-1].reason

    f = _write(tmp_path / "titles.jsonl", "\n".join(json.dumps(r) for r in [
        {"id": "t", "title": "A title and nothing else"},
        {"id": "p", "title": "Punctuation", "text": " ... — !"},
        {"id": "ok", "text": "The council approved the budget."},
    ]) + "\n")
    items = list(read_inputs([f, _write(tmp_path / "head.txt", "Just a headline\n\n")]))
    assert [a.id for a in items if isinstance(a, Article)] == ["ok"]
    assert sorted(s.code for s in items if isinstance(s, Skipped)) == ["E109", "E109", "E109"]
