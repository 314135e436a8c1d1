"""The embedded store: schema migrations, idempotent inserts, stories, search, assignment, crash safety."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from storyline.model import Article, Removed
from storyline.store import AssignConfig, Assigner, Store, StoreError
from storyline.store.db import fts_query, parse_ts
from storyline.store.migrations import Migration, migrate

NO_EMBED = AssignConfig(embed=False)


def no_refresh(*_: object) -> bool:
    """A refresh hook that leaves stories pending (the default one re-grades them)."""
    return False


def unit(rng: np.random.Generator, n: int = 1) -> np.ndarray:
    v = rng.normal(size=(n, 384)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def art(i: int | str, text: str | None = None, day: int = 0, outlet: str = "O", title: str = "") -> Article:
    return Article(
        id=f"a{i}",
        text=text if text is not None else f"Article number {i} says something distinct.",
        title=title or f"Title {i}",
        outlet=outlet,
        published=f"2025-01-{1 + day:02d}T12:00:00Z",
    )


# -- schema ---------------------------------------------------------------------------------


def test_migrations_are_recorded_and_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    s = Store(path)
    names = [m[0] for m in s.migrations()]
    from storyline.store.migrations import MIGRATIONS

    # the released ones first, in order; every migration there is, each once
    assert names[:5] == ["0001_core", "0002_fts", "0003_covering_list_indexes", "0004_vector_cache", "0005_watch"]
    assert names == [m.name for m in MIGRATIONS]
    stamps = s.migrations()
    s.close()
    s = Store(path)  # reopening applies nothing again
    assert s.migrations() == stamps
    calls = []
    extra = Migration("0003_test", lambda con: (calls.append(1), con.execute("CREATE TABLE t (x)")))
    from storyline.store import migrations as m

    assert migrate(s.con, [*m.MIGRATIONS, extra]) == ["0003_test"]
    assert migrate(s.con, [*m.MIGRATIONS, extra]) == []
    assert calls == [1]
    s.close()


def test_a_failing_migration_leaves_no_trace(store: Store) -> None:
    from storyline.store import migrations as m

    def bad(con: sqlite3.Connection) -> None:
        con.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(store.con, [*m.MIGRATIONS, Migration("0003_bad", bad)])
    assert "0003_bad" not in [x[0] for x in store.migrations()]
    assert store.con.execute("SELECT count(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0


def test_pragmas(store: Store) -> None:
    con = store.con
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert con.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert con.execute("PRAGMA busy_timeout").fetchone()[0] == 30_000


def test_readonly_store_refuses_writes(tmp_path: Path) -> None:
    Store(tmp_path / "r.db").close()
    ro = Store(tmp_path / "r.db", readonly=True)
    assert ro.list_stories() == ([], None)
    with pytest.raises((StoreError, sqlite3.OperationalError)):
        ro.add_articles([art(1)])
    ro.close()


# -- articles -------------------------------------------------------------------------------


def test_articles_are_stored_once(store: Store) -> None:
    a = art(1)
    a.removed = [Removed("Share this", "share")]
    a.meta = {"label": "x", "nested": {"k": [1, 2]}}
    r1 = store.add_articles([a])[0]
    r2 = store.add_articles([Article.from_json(a.to_json())])[0]
    assert (r1.status, r2.status, r1.rowid) == ("inserted", "duplicate", r2.rowid)
    changed = Article.from_json({**a.to_json(), "text": "Another text."})
    assert store.add_articles([changed])[0].status == "conflict"
    got = store.get_article("a1")
    assert got.pop("story_id") is None
    assert got == a.to_json()  # round trip, opaque meta included
    assert store.counts()["articles"] == 1


def test_article_without_id_gets_a_stable_one(store: Store) -> None:
    a = Article(id="", text="Body.", title="T", outlet="O")
    b = Article(id="", text="Body.", title="T", outlet="O")
    assert store.add_articles([a])[0].id == store.add_articles([b])[0].id
    assert store.counts()["articles"] == 1


def test_signatures_bands_embeddings_pairs(store: Store) -> None:
    store.add_articles([art(1), art(2)])
    store.put_signature("a1", "minhash", b"\x01\x02")
    assert store.get_signature("a1", "minhash") == b"\x01\x02"
    assert store.get_signature("a2", "minhash") is None
    store.put_lsh_bands("a1", [5, -7])
    store.put_lsh_bands("a2", [9])
    assert store.lsh_candidates([-7, 100]) == ["a1"]
    vec = unit(np.random.default_rng(0))[0]
    store.put_embedding("a2", vec)
    assert np.array_equal(store.get_embedding("a2"), vec)
    assert (
        store.put_pairs(
            [
                {
                    "a": "a2",
                    "b": "a1",
                    "via": "minhash",
                    "score": 0.9,
                    "same": True,
                    "features": {"jaccard": 0.4},
                }
            ]
        )
        == 1
    )
    (p,) = store.get_pairs("a1")
    assert (p["a"], p["b"], p["same"], p["features"]) == ("a1", "a2", True, {"jaccard": 0.4})
    with pytest.raises(StoreError):
        store.put_signature("missing", "minhash", b"")


# -- stories --------------------------------------------------------------------------------


def test_put_story_membership_and_replacement(store: Store) -> None:
    store.add_articles([art(1, outlet="A", day=0), art(2, outlet="B", day=2), art(3, outlet="A", day=1)])
    store.put_story(
        {"story_id": "s1", "title": "One", "article_ids": ["a1", "a2"], "best_match": {"a2": {}}},
        digest={"summary": [{"text": "Volcano erupts", "outlets": ["A"]}]},
        provenance={"original": "a1"},
    )
    s = store.get_story("s1")
    assert (s["size"], s["outlets"], s["article_ids"]) == (2, ["A", "B"], ["a1", "a2"])
    assert s["first_published"].startswith("2025-01-01") and s["last_published"].startswith("2025-01-03")
    assert s["best_match"] == {"a2": {}} and s["digest"]["summary"][0]["text"] == "Volcano erupts"
    assert s["provenance"] == {"original": "a1"} and s["digest_version"] == s["version"]
    assert store.list_stories(q="volcano")[0][0]["story_id"] == "s1"  # digest text is searchable
    store.put_story({"story_id": "s1", "title": "One", "article_ids": ["a3"]})
    s = store.get_story("s1")
    assert s["article_ids"] == ["a3"] and s["outlets"] == ["A"] and s["version"] == 2
    assert store.get_article("a1")["story_id"] is None
    assert store.list_stories(outlet="B")[0] == []
    assert store.check() == []


def test_list_sorting_filters_and_keyset_pages(store: Store) -> None:
    arts, stories = [], []
    for i in range(30):
        day, size = i % 5, 1 + i % 4
        ids = []
        for j in range(size):
            a = art(
                f"{i}-{j}", day=day, outlet=f"O{j}", title=f"quake report {i}" if i % 3 == 0 else f"rates {i}"
            )
            arts.append(a)
            ids.append(a.id)
        stories.append({"story_id": f"s{i:02d}", "title": f"Story {i}", "article_ids": ids})
    store.add_articles(arts)
    for s in stories:
        store.put_story(s)

    def walk(**kw) -> list[dict]:
        out, cur = [], None
        while True:
            items, cur = store.list_stories(limit=7, cursor=cur, **kw)
            out += items
            if cur is None:
                return out

    recent = walk()
    assert len(recent) == 30 and len({s["story_id"] for s in recent}) == 30
    keys = [(s["last_published"][:10], s["size"]) for s in recent]
    assert keys == sorted(keys, reverse=True)
    largest = walk(sort="largest")
    assert [s["size"] for s in largest] == sorted((s["size"] for s in largest), reverse=True)
    newest = walk(sort="newest")
    assert [s["last_published"] for s in newest] == sorted(
        (s["last_published"] for s in newest), reverse=True
    )
    quake = walk(q="quake")
    assert {s["story_id"] for s in quake} == {f"s{i:02d}" for i in range(0, 30, 3)}
    o3 = walk(outlet="O3")
    assert {s["story_id"] for s in o3} == {f"s{i:02d}" for i in range(30) if i % 4 == 3}
    day2 = walk(since="2025-01-03", until="2025-01-03")
    assert {s["story_id"] for s in day2} == {f"s{i:02d}" for i in range(30) if i % 5 == 2}
    plan = " ".join(
        r[3]
        for r in store.con.execute(
            "EXPLAIN QUERY PLAN SELECT rowid FROM stories s WHERE s.size >= 1 "
            "ORDER BY s.day DESC, s.size DESC, s.rowid DESC LIMIT 20"
        )
    )
    assert "stories_recent" in plan and "TEMP B-TREE" not in plan  # served from the index, no sort


def test_fts_query_is_inert() -> None:
    assert fts_query('a "b" OR c*') == '"a" "b" "OR" "c"*'
    assert fts_query("  -- ") is None
    assert parse_ts("2025-01-01") == 1735689600
    assert parse_ts("2025-01-01T01:00:00+01:00") == 1735689600
    assert parse_ts("nonsense") is None


# -- incremental assignment -----------------------------------------------------------------


def test_assign_joins_by_exact_text_and_vector(store: Store) -> None:
    rng = np.random.default_rng(1)
    base = unit(rng, 3)
    near = base[0] + 0.02 * unit(rng)[0]
    near /= np.linalg.norm(near)
    a = Assigner(store, NO_EMBED, refresh=no_refresh)
    s1, s2, s3 = a.assign([art(1, outlet="A"), art(2, outlet="B"), art(3, outlet="C")], base)
    assert len({s1, s2, s3}) == 3
    # same text (case and spacing aside), different id: joins; near vector: joins
    dup = art(4, text="ARTICLE number 1   says something distinct.", outlet="D")
    s4, s5 = a.assign([dup, art(5, outlet="E")], np.stack([unit(rng)[0], near]))
    assert (s4, s5) == (s1, s1)
    story = store.get_story(s1)
    assert story["article_ids"] == ["a1", "a4", "a5"] and story["outlets"] == ["A", "D", "E"]
    assert story["pending"]  # changed stories wait for re-grading
    assert a.assign([art(5, outlet="E")], near[None]) == [s1]  # idempotent
    assert store.get_story(s1)["size"] == 3
    assert store.check() == []


def test_story_window_keeps_old_stories_closed(store: Store) -> None:
    v = unit(np.random.default_rng(2))
    a = Assigner(store, AssignConfig(embed=False, window_days=3))
    (s_old,) = a.assign([art(1, day=0)], v)
    (s_late,) = a.assign([art(2, day=10)], v)  # same vector, ten days later: a new story
    (s_near,) = a.assign([art(3, day=2)], v)  # two days later: joins
    assert s_late != s_old and s_near == s_old
    (s_dup,) = a.assign([art(4, day=20, text="Article number 1 says something distinct.")], v)
    assert s_dup not in (s_old, s_late)  # even an exact copy does not reopen a closed story


def test_vector_window_sees_other_writers_and_survives_rollback(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    v = unit(rng)
    s1, s2 = Store(tmp_path / "w.db"), Store(tmp_path / "w.db")
    a1, a2 = Assigner(s1, NO_EMBED), Assigner(s2, NO_EMBED)
    (first,) = a1.assign([art(1)], v)
    assert a2.assign([art(2)], v) == [first]  # a second writer finds the first one's vector
    assert a1.assign([art(3)], v) == [first]  # and the first one catches up with the second's
    with pytest.raises(RuntimeError), s1.write():
        a1.assign([art(4)], v)
        raise RuntimeError("abort")
    assert s1.get_article("a4") is None
    assert a1.assign([art(5)], v) == [first]
    assert s1.get_story(first)["article_ids"] == ["a1", "a2", "a3", "a5"]
    s1.close()
    s2.close()


def test_pending_stories_are_refreshed_and_stale_refreshes_dropped(store: Store) -> None:
    Assigner(store, NO_EMBED, refresh=no_refresh).assign([art(1), art(2)])
    pending = dict(store.dirty_stories())
    assert len(pending) == 2
    calls = []

    def refresh(st: Store, sid: str, version: int) -> bool:
        calls.append(sid)
        return st.put_analysis(sid, version=version, digest={"summary": [{"text": "fresh", "outlets": []}]})

    a = Assigner(store, NO_EMBED, refresh=refresh)
    assert a.refresh_pending() == 2 and sorted(calls) == sorted(pending)
    assert store.dirty_stories() == []
    sid = next(iter(pending))
    assert store.get_story(sid)["digest"]["summary"][0]["text"] == "fresh"
    version = store.get_story(sid)["version"]
    a.assign([art(3, text="Article number 1 says something distinct.")])  # joins, bumps the version
    assert store.get_story(sid)["version"] > version
    assert store.put_analysis(sid, version=version, digest={"summary": []}) is False


def test_the_default_refresh_grades_and_digests_placed_stories(store: Store) -> None:
    a = Assigner(store, NO_EMBED)
    text = "The council approved the new harbour budget on Monday after a long debate. " * 3
    (sid,) = set(a.assign([art(1, text=text, outlet="A"), art(2, text=text.upper(), outlet="B")]))
    assert store.dirty_stories() == []
    story = store.get_story(sid)
    assert story["digest"]["story_id"] == sid and story["digest_version"] == story["version"]
    assert {p["article_id"] for p in story["provenance"]["articles"]} == {"a1", "a2"}


# -- crash safety ---------------------------------------------------------------------------


def _corpus(path: Path, n: int) -> list[str]:
    ids = []
    with path.open("w") as f:
        for i in range(n):
            group = i % 97  # exact copies across the file: stories of about n/97 articles
            d = {
                "id": f"k{i}",
                "text": f"Story {group} body text, reported the same way.",
                "title": f"T{i}",
                "outlet": f"O{i % 5}",
                "published": f"2025-02-{1 + (group % 3):02d}T10:00:00Z",
            }
            f.write(json.dumps(d) + "\n")
            ids.append(d["id"])
    return ids


def _ingest_cmd(src: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "storyline.store",
        "ingest",
        str(src),
        "--store",
        str(db),
        "--batch-size",
        "16",
        "--no-embed",
        "--no-settle",
        "--no-analyse",
        "--log",
    ]


def _kill_after(cmd: list[str], lines: int) -> list[str]:
    """Run an ingest and SIGKILL it once it has reported ``lines`` committed articles."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        status, aid, _ = line.rstrip("\n").split("\t")
        if status == "inserted":
            seen.append(aid)
        if len(seen) >= lines:
            os.kill(proc.pid, signal.SIGKILL)
            break
    proc.wait(30)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, "the ingest finished before it could be killed"
    return seen


def _partition(db: Path) -> set[frozenset[str]]:
    con = sqlite3.connect(db)
    groups: dict[int, set[str]] = {}
    for aid, srow in con.execute("SELECT id, story_rowid FROM articles"):
        groups.setdefault(srow, set()).add(aid)
    con.close()
    return {frozenset(g) for g in groups.values()}


def test_sigkill_during_ingest_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    src, db = tmp_path / "in.jsonl", tmp_path / "kill.db"
    ids = _corpus(src, 4000)
    committed = _kill_after(_ingest_cmd(src, db), 400)
    committed += _kill_after(_ingest_cmd(src, db), 800)  # killed again while resuming
    with Store(db) as s:
        stored = [r[0] for r in s.con.execute("SELECT id FROM articles")]
        assert set(committed) <= set(stored)  # nothing reported as committed was lost
        assert len(stored) == len(set(stored)) < len(ids)
        assert s.con.execute("SELECT count(*) FROM articles WHERE story_rowid IS NULL").fetchone()[0] == 0
        assert s.check() == []
        before = len(stored)
    t0 = time.monotonic()
    r = subprocess.run(_ingest_cmd(src, db)[:-1], capture_output=True, text=True, timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    counts = json.loads(r.stderr.strip().splitlines()[-1])
    assert counts["duplicate"] == before and counts["inserted"] == len(ids) - before
    with Store(db) as s:
        assert s.counts()["articles"] == len(ids)
        assert s.con.execute("SELECT count(DISTINCT id) FROM articles").fetchone()[0] == len(ids)
        assert s.check() == []
    # the interrupted, resumed store holds the same stories as one uninterrupted ingest
    clean = tmp_path / "clean.db"
    subprocess.run(_ingest_cmd(src, clean)[:-1], check=True, capture_output=True, timeout=300)
    assert _partition(db) == _partition(clean)
    assert len(_partition(db)) == 97
    assert time.monotonic() - t0 < 300


def test_import_batch_stories(store: Store, tmp_path: Path) -> None:
    from storyline.store.batch import import_run_dir, import_stories

    arts = [art(1, outlet="A"), art(2, outlet="B")]
    story = {
        "story_id": "st_1",
        "title": "One",
        "size": 2,
        "article_ids": ["a1", "a2"],
        "outlets": ["A", "B"],
        "best_match": {"a1": {"id": "a2", "score": 0.9}},
        "provenance": {"original": "a1"},
    }
    assert import_stories(store, arts, [story], {"st_1": {"summary": [{"text": "S", "outlets": ["A"]}]}}) == {
        "articles": 2,
        "stories": 1,
    }
    s = store.get_story("st_1")
    assert s["provenance"] == {"original": "a1"} and s["digest"]["summary"][0]["text"] == "S"
    assert s["best_match"]["a1"]["id"] == "a2" and not s["pending"]
    out = tmp_path / "run"
    out.mkdir()
    (out / "articles.jsonl").write_text(
        "".join(json.dumps({**a.to_json(), "story_id": "st_1"}) + "\n" for a in arts)
    )
    (out / "stories.jsonl").write_text(json.dumps({**story, "title": "Renamed"}) + "\n")
    assert import_run_dir(store, out) == {"articles": 0, "stories": 1}
    assert store.get_story("st_1")["title"] == "Renamed" and store.counts()["articles"] == 2
