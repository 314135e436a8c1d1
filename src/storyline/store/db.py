"""The embedded store: one SQLite file in WAL mode, no server to start.

Why SQLite in WAL mode: readers never block the single writer nor each other,
and every reader sees a consistent snapshot, which is what a service that
ingests all day while analysts browse needs. Durability: ``synchronous=FULL``
(the default) fsyncs the WAL at every commit, so an acknowledged ingest survives
a power cut too; ``NORMAL`` survives a killed process (the WAL is in the OS
cache) but may lose the last commits on power loss, and is offered for bulk
loads. A killed process never leaves a half-written transaction either way.

Each thread gets its own connection (SQLite connections are not meant to be
shared between threads); writes go through ``write()`` (``BEGIN IMMEDIATE``,
so a writer waits for the lock up front instead of failing mid-transaction)
and multi-query reads through ``read()`` (one snapshot, no torn reads).
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import xxhash

from storyline.errors import InputError, StorylineError
from storyline.model import Article
from storyline.store.migrations import applied as _applied
from storyline.store.migrations import migrate

if TYPE_CHECKING:
    from typing_extensions import Self

SORTS = ("recent", "newest", "largest")
#: a story's ``day`` is the day of its newest publication date; a story none of whose articles is dated
#: gets this day, so that sorting by time puts it after every dated story (its ``last_ts``, the time
#: the store read it, only orders undated stories among themselves)
UNDATED_DAY = -1_000_000
_SORT_KEYS = {
    "recent": ("day", "size", "rowid"),
    "newest": ("day", "last_ts", "rowid"),
    "largest": ("size", "last_ts", "rowid"),
}
#: a search looks at the newest this many matching stories and articles (each): a common word
#: would otherwise sort a large part of the store for one page
SEARCH_REACH = 5_000
MAX_FTS_BODY = 64_000  # characters of article titles kept in a story's search text
EMBED_DTYPE = np.float32


def _related_rows(related: Any) -> list[tuple[str, str, float, str]]:
    """A story's ``related`` list as (story id, kind, score, direction) rows; malformed entries are errors."""
    rows = []
    for r in related or []:
        if not isinstance(r, dict) or not isinstance(r.get("story_id"), str):
            raise InputError("a related story needs a story_id", code="E142")
        kind = r.get("kind", "same-topic")
        if kind not in ("follow-up", "same-topic"):
            raise InputError(f"related kind is follow-up or same-topic, not {kind!r}", code="E142")
        direction = r.get("direction", "none")
        if direction not in ("earlier", "later", "none"):
            raise InputError(f"related direction is earlier, later or none, not {direction!r}", code="E142")
        rows.append((r["story_id"], kind, float(r.get("score", 0.0)), direction))
    return rows


class StoreError(StorylineError):
    code = "E500"


@dataclass(slots=True)
class InsertResult:
    """What happened to one article given to :meth:`Store.add_articles`."""

    id: str
    status: str  # inserted | duplicate (same id, same text) | conflict (same id, other text: kept the first)
    rowid: int
    story_id: str | None = None


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def parse_ts(value: str | None) -> int | None:
    """ISO 8601 (date or date-time, 'Z' allowed) to epoch seconds; naive times are taken as UTC."""
    if not value:
        return None
    s = value.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(s)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp())


def iso(ts: int | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="seconds")


def published_day(published: str | None) -> int:
    """The day (epoch days) of a publication date; :data:`UNDATED_DAY` when there is none."""
    ts = parse_ts(published)
    return UNDATED_DAY if ts is None else ts // 86400


def published_span(published: Iterable[str | None]) -> tuple[str | None, str | None]:
    """The first and last of the publication dates given (as written), skipping unknown ones:
    (None, None) when none is known. Never an ingest time: an undated story's dates stay unknown."""
    dated = sorted((ts, p) for p in published if p and (ts := parse_ts(p)) is not None)
    return (dated[0][1], dated[-1][1]) if dated else (None, None)


def content_hash(article: Article) -> bytes:
    """Exact-duplicate key: the body (or title when there is none), case and spacing folded."""
    basis = article.text if article.text.strip() else article.title
    return xxhash.xxh3_128_digest(" ".join(basis.casefold().split()).encode("utf-8"))


def article_id_for(article: Article) -> str:
    """A stable id for an article that came without one (same content, same id)."""
    key = f"{article.outlet}\x00{article.url}\x00{article.title}\x00{article.text}"
    h = xxhash.xxh3_128_hexdigest(key.encode("utf-8"))
    return "a" + h[:24]


def fts_query(text: str, max_terms: int = 12) -> str | None:
    """User text to a safe FTS5 query: every word quoted (no operators), all required, last one a prefix."""
    words = re.findall(r"\w+", text)[:max_terms]
    if not words:
        return None
    parts = ['"' + w.replace('"', '""') + '"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


def _dumps(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _encode_cursor(values: Sequence[int]) -> str:
    return base64.urlsafe_b64encode(_dumps(list(values)).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str, n: int) -> list[int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, TypeError) as exc:
        raise InputError("invalid cursor", code="E140") from exc
    if not isinstance(values, list) or len(values) != n or not all(type(v) is int for v in values):
        raise InputError("invalid cursor", code="E140")
    return values


_ARTICLE_COLS = "rowid, id, outlet, url, title, published, date_source, author, lang, source, text, removed, meta, ts"


def _article_json(row: sqlite3.Row) -> dict[str, Any]:
    d = {
        "id": row["id"],
        "outlet": row["outlet"],
        "url": row["url"],
        "title": row["title"],
        "published": row["published"],
        "date_source": row["date_source"] or ("field" if row["published"] else "none"),
        "author": row["author"],
        "lang": row["lang"],
        "source": row["source"],
        "text": row["text"],
        "removed": json.loads(row["removed"]),
    }
    meta = json.loads(row["meta"])
    if meta:
        d["meta"] = meta
    return d


class Store:
    """Articles, signatures, embeddings, pair decisions, stories, provenance and digests in one file.

    ``Store(path)`` creates the file and applies the migrations it lacks.
    ``readonly=True`` opens an existing store for reading only.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        readonly: bool = False,
        synchronous: str = "FULL",
        busy_timeout_ms: int = 30_000,
        cache_mb: int = 64,
    ) -> None:
        if synchronous.upper() not in ("FULL", "NORMAL", "EXTRA"):
            raise ValueError("synchronous must be FULL, NORMAL or EXTRA")
        self.path = Path(path)
        self.readonly = readonly
        self.synchronous = synchronous.upper()
        self.busy_timeout_ms = busy_timeout_ms
        self.cache_mb = cache_mb
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._rollback_hooks: list[Any] = []
        if readonly and not self.path.exists():
            raise InputError(f"no store at {self.path}", code="E141")
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            migrate(self.con)

    # -- connections and transactions ---------------------------------------------------------

    @property
    def con(self) -> sqlite3.Connection:
        """This thread's connection (opened on first use)."""
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._connect()
            self._local.con = con
            self._local.depth = 0
            with self._lock:
                self._all.append(con)
        return con

    def _connect(self) -> sqlite3.Connection:
        uri = f"file:{self.path}?mode=ro" if self.readonly else f"file:{self.path}"
        con = sqlite3.connect(
            uri, uri=True, timeout=self.busy_timeout_ms / 1000, isolation_level=None, check_same_thread=False
        )
        con.row_factory = sqlite3.Row
        if not self.readonly:
            mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":  # pragma: no cover - only on filesystems without shared memory
                raise StoreError(f"could not switch {self.path} to WAL mode (got {mode})")
        con.execute(f"PRAGMA synchronous={self.synchronous}")
        con.execute(f"PRAGMA busy_timeout={int(self.busy_timeout_ms)}")
        con.execute("PRAGMA foreign_keys=ON")
        con.execute(f"PRAGMA cache_size=-{int(self.cache_mb) * 1024}")
        con.execute("PRAGMA temp_store=MEMORY")
        return con

    def close(self) -> None:
        """Close every connection this store opened (from any thread)."""
        with self._lock:
            for con in self._all:
                with contextlib.suppress(sqlite3.ProgrammingError):
                    con.close()
            self._all.clear()
        self._local = threading.local()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (nested calls join the outer one); rolled back on error."""
        con = self.con
        if self._local.depth:
            self._local.depth += 1
            try:
                yield con
            finally:
                self._local.depth -= 1
            return
        if self.readonly:
            raise StoreError("this store was opened read-only")
        con.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            for hook in self._rollback_hooks:
                hook()
            raise
        else:
            con.execute("COMMIT")
        finally:
            self._local.depth = 0

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """One read snapshot: every query inside sees the same committed state."""
        con = self.con
        if self._local.depth:
            yield con
            return
        con.execute("BEGIN")
        self._local.depth = 1
        try:
            yield con
        finally:
            self._local.depth = 0
            con.execute("COMMIT")

    def on_rollback(self, hook: Any) -> None:
        """Call ``hook()`` after any write transaction of this store rolls back (to drop caches)."""
        self._rollback_hooks.append(hook)

    # -- schema, settings, counts -------------------------------------------------------------

    def migrations(self) -> list[tuple[str, str]]:
        return _applied(self.con)

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.con.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.write() as con:
            con.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    def counts(self) -> dict[str, int]:
        """Row counts (from the rowid maxima: exact without deletes, and O(1) on a big store)."""
        with self.read() as con:
            arts = con.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 0
            stories = con.execute("SELECT max(rowid) FROM stories").fetchone()[0] or 0
            dirty = con.execute("SELECT count(*) FROM stories WHERE dirty = 1").fetchone()[0]
        return {"articles": arts, "stories": stories, "stories_pending": dirty}

    # -- articles -----------------------------------------------------------------------------

    def add_articles(self, articles: Iterable[Article]) -> list[InsertResult]:
        """Insert articles once each: an id already stored is reported, not stored again."""
        with self.write() as con:
            return [self._insert_article(con, a) for a in articles]

    def _insert_article(self, con: sqlite3.Connection, article: Article) -> InsertResult:
        if not article.id:
            article.id = article_id_for(article)
        h = content_hash(article)
        row = con.execute(
            "SELECT a.rowid, a.content_hash, s.story_id FROM articles a "
            "LEFT JOIN stories s ON s.rowid = a.story_rowid WHERE a.id = ?",
            (article.id,),
        ).fetchone()
        if row is not None:
            status = "duplicate" if row[1] == h else "conflict"
            return InsertResult(article.id, status, row[0], row[2])
        ts = parse_ts(article.published)
        if ts is None:
            ts = int(time.time())
        cur = con.execute(
            "INSERT INTO articles(id, content_hash, outlet, url, title, published, date_source, ts, author, lang,"
            " source, text, removed, meta, ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                article.id,
                h,
                article.outlet,
                article.url,
                article.title,
                article.published,
                article.date_source or ("field" if article.published else "none"),
                ts,
                article.author,
                article.lang,
                article.source,
                article.text,
                _dumps([r.to_json() for r in article.removed]),
                _dumps(article.meta or {}),
                now_iso(),
            ),
        )
        return InsertResult(article.id, "inserted", cur.lastrowid)

    def get_article(self, article_id: str) -> dict[str, Any] | None:
        """An article as ``Article.to_json()``, plus its ``story_id``."""
        row = self.con.execute(
            f"SELECT {', '.join('a.' + c for c in _ARTICLE_COLS.split(', '))}, s.story_id "
            "FROM articles a LEFT JOIN stories s ON s.rowid = a.story_rowid WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        d = _article_json(row)
        d["story_id"] = row["story_id"]
        return d

    def get_articles(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Several articles by id (those that exist), in one snapshot."""
        out: dict[str, dict[str, Any]] = {}
        with self.read() as con:
            for i in range(0, len(article_ids), 500):
                chunk = list(article_ids[i : i + 500])
                q = ",".join("?" * len(chunk))
                for row in con.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id IN ({q})", chunk):
                    out[row["id"]] = _article_json(row)
        return out

    def all_articles(self) -> list[Article]:
        """Every stored article, by id: what a batch run over the same inputs would read."""
        with self.read() as con:
            rows = con.execute(f"SELECT {_ARTICLE_COLS} FROM articles ORDER BY id").fetchall()
        return [Article.from_json(_article_json(r)) for r in rows]

    def memberships(self) -> dict[str, list[str]]:
        """Each stored story's article ids (sorted)."""
        out: dict[str, list[str]] = {}
        with self.read() as con:
            for sid, aid in con.execute(
                "SELECT s.story_id, a.id FROM articles a JOIN stories s ON s.rowid = a.story_rowid ORDER BY a.id"
            ):
                out.setdefault(sid, []).append(aid)
        return out

    def memberships_of(self, story_id: str) -> list[str]:
        """One story's article ids (sorted)."""
        return [r[0] for r in self.con.execute(
            "SELECT a.id FROM articles a JOIN stories s ON s.rowid = a.story_rowid WHERE s.story_id = ? "
            "ORDER BY a.id", (story_id,))]

    # -- vectors by text (a lasting cache under storyline.embed) --------------------------------

    def get_vectors(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        out: dict[bytes, np.ndarray] = {}
        with self.read() as con:
            for i in range(0, len(keys), 500):
                chunk = list(keys[i : i + 500])
                q = ",".join("?" * len(chunk))
                for k, v in con.execute(f"SELECT key, vec FROM vector_cache WHERE key IN ({q})", chunk):
                    out[bytes(k)] = np.frombuffer(v, dtype=np.float32).copy()
        return out

    def put_vectors(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        with self.write() as con:
            con.executemany(
                "INSERT OR REPLACE INTO vector_cache(key, vec) VALUES (?, ?)",
                [(k, np.ascontiguousarray(v, dtype=np.float32).tobytes()) for k, v in items],
            )

    def rowid_of(self, article_id: str) -> int | None:
        row = self.con.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def articles_with_hash(self, h: bytes, since_ts: int | None = None, limit: int = 20) -> list[int]:
        """Rowids of stored articles with this exact-duplicate key (cascade step 1)."""
        if since_ts is None:
            sql, args = "SELECT rowid FROM articles WHERE content_hash = ? LIMIT ?", (h, limit)
        else:
            sql = "SELECT rowid FROM articles WHERE content_hash = ? AND ts >= ? LIMIT ?"
            args = (h, since_ts, limit)
        return [r[0] for r in self.con.execute(sql, args)]

    def search_articles(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Articles whose title or text match the words of ``q`` (best first)."""
        query = fts_query(q)
        if query is None:
            return []
        rows = self.con.execute(
            "SELECT a.id, a.outlet, a.title, a.published, s.story_id FROM articles_fts f "
            "JOIN articles a ON a.rowid = f.rowid LEFT JOIN stories s ON s.rowid = a.story_rowid "
            "WHERE articles_fts MATCH ? ORDER BY f.rank LIMIT ?",
            (query, limit),
        ).fetchall()
        return [dict(r) for r in rows]

    # -- signatures, LSH bands, embeddings, pairs -----------------------------------------------

    def put_signature(self, article_id: str, kind: str, data: bytes) -> None:
        with self.write() as con:
            rid = self._need_rowid(con, article_id)
            con.execute(
                "INSERT OR REPLACE INTO signatures(article_rowid, kind, data) VALUES (?,?,?)",
                (rid, kind, data),
            )

    def get_signature(self, article_id: str, kind: str) -> bytes | None:
        row = self.con.execute(
            "SELECT s.data FROM signatures s JOIN articles a ON a.rowid = s.article_rowid "
            "WHERE a.id = ? AND s.kind = ?",
            (article_id, kind),
        ).fetchone()
        return row[0] if row else None

    def put_lsh_bands(self, article_id: str, band_keys: Iterable[int]) -> None:
        """Record an article's LSH band hashes (signed 64-bit) so later articles can find it."""
        with self.write() as con:
            rid = self._need_rowid(con, article_id)
            con.executemany(
                "INSERT OR IGNORE INTO lsh_bands(band_key, article_rowid) VALUES (?, ?)",
                [(int(k), rid) for k in band_keys],
            )

    def lsh_candidates(self, band_keys: Iterable[int], limit: int = 200) -> list[str]:
        """Ids of stored articles sharing at least one LSH band with the given keys."""
        keys = [int(k) for k in band_keys]
        if not keys:
            return []
        q = ",".join("?" * len(keys))
        rows = self.con.execute(
            f"SELECT DISTINCT a.id FROM lsh_bands b JOIN articles a ON a.rowid = b.article_rowid "
            f"WHERE b.band_key IN ({q}) LIMIT ?",
            (*keys, limit),
        )
        return [r[0] for r in rows]

    def put_embedding(self, article_id: str, vec: np.ndarray, model: str = "minilm-l6-int8") -> None:
        with self.write() as con:
            rid = self._need_rowid(con, article_id)
            self._put_embedding(con, rid, vec, model)

    def _put_embedding(self, con: sqlite3.Connection, rowid: int, vec: np.ndarray, model: str) -> None:
        ts = con.execute("SELECT ts FROM articles WHERE rowid = ?", (rowid,)).fetchone()[0]
        blob = np.ascontiguousarray(vec, dtype=EMBED_DTYPE).tobytes()
        con.execute(
            "INSERT OR REPLACE INTO embeddings(article_rowid, day, model, vec) VALUES (?,?,?,?)",
            (rowid, ts // 86400, model, blob),
        )

    def get_embedding(self, article_id: str) -> np.ndarray | None:
        row = self.con.execute(
            "SELECT e.vec FROM embeddings e JOIN articles a ON a.rowid = e.article_rowid WHERE a.id = ?",
            (article_id,),
        ).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=EMBED_DTYPE).copy()

    def put_pairs(self, pairs: Iterable[dict[str, Any]]) -> int:
        """Record pair decisions: dicts with a, b (article ids), via, score, same, features."""
        n = 0
        with self.write() as con:
            for p in pairs:
                ra, rb = self._need_rowid(con, p["a"]), self._need_rowid(con, p["b"])
                if ra == rb:
                    continue
                ra, rb = min(ra, rb), max(ra, rb)
                con.execute(
                    "INSERT OR REPLACE INTO pairs(a_rowid, b_rowid, via, score, same, features, decided_at) "
                    "VALUES (?,?,?,?,?,?,?)",
                    (
                        ra,
                        rb,
                        p.get("via", ""),
                        float(p.get("score", 0.0)),
                        int(bool(p.get("same", False))),
                        _dumps(p.get("features", {})),
                        now_iso(),
                    ),
                )
                n += 1
        return n

    def get_pairs(self, article_id: str) -> list[dict[str, Any]]:
        """Every recorded decision that involves this article."""
        rid = self.rowid_of(article_id)
        if rid is None:
            return []
        rows = self.con.execute(
            "SELECT x.id AS a, y.id AS b, p.via, p.score, p.same, p.features FROM pairs p "
            "JOIN articles x ON x.rowid = p.a_rowid JOIN articles y ON y.rowid = p.b_rowid "
            "WHERE p.a_rowid = ? OR p.b_rowid = ?",
            (rid, rid),
        )
        return [
            {
                "a": r["a"],
                "b": r["b"],
                "via": r["via"],
                "score": r["score"],
                "same": bool(r["same"]),
                "features": json.loads(r["features"]),
            }
            for r in rows
        ]

    def _need_rowid(self, con: sqlite3.Connection, article_id: str) -> int:
        row = con.execute("SELECT rowid FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise StoreError(f"no article {article_id!r} in the store", code="E501")
        return row[0]

    # -- stories ------------------------------------------------------------------------------

    def put_story(
        self,
        story: dict[str, Any],
        *,
        provenance: dict[str, Any] | None = None,
        digest: dict[str, Any] | None = None,
    ) -> str:
        """Insert or replace a story (``Story.to_json()`` form) and its membership.

        The listed articles must be stored already; articles that were in this story
        and are no longer listed leave it. ``provenance``/``digest`` (or the same keys
        inside ``story``) are stored with the story's new version.
        """
        story = dict(story)
        provenance = provenance if provenance is not None else story.pop("provenance", None)
        digest = digest if digest is not None else story.pop("digest", None)
        story.pop("provenance", None)
        story.pop("digest", None)
        sid = story.get("story_id")
        if not sid or not isinstance(sid, str):
            raise InputError("a story needs a story_id", code="E142")
        ids = [str(i) for i in story.get("article_ids", [])]
        doc = {
            k: v
            for k, v in story.items()
            if k
            not in (
                "story_id",
                "title",
                "size",
                "article_ids",
                "outlets",
                "first_published",
                "last_published",
                "related",
            )
        }
        related = _related_rows(story.get("related"))
        with self.write() as con:
            row = con.execute("SELECT rowid FROM stories WHERE story_id = ?", (sid,)).fetchone()
            if row is None:
                srow = con.execute(
                    "INSERT INTO stories(story_id, title, doc, updated_at, dirty) VALUES (?,?,?,?,0)",
                    (sid, story.get("title", "") or "", _dumps(doc), now_iso()),
                ).lastrowid
            else:
                srow = row[0]
                con.execute(
                    "UPDATE stories SET title = ?, doc = ?, version = version + 1, dirty = 0, updated_at = ? "
                    "WHERE rowid = ?",
                    (story.get("title", "") or "", _dumps(doc), now_iso(), srow),
                )
            rids = [self._need_rowid(con, i) for i in ids]
            con.execute("UPDATE articles SET story_rowid = NULL WHERE story_rowid = ?", (srow,))
            con.executemany("UPDATE articles SET story_rowid = ? WHERE rowid = ?", [(srow, r) for r in rids])
            self._recompute(con, srow)
            con.execute("DELETE FROM story_related WHERE story_rowid = ?", (srow,))
            con.executemany(
                "INSERT OR REPLACE INTO story_related(story_rowid, related_id, kind, score, direction) "
                "VALUES (?,?,?,?,?)", [(srow, *r) for r in related])
            version = con.execute("SELECT version FROM stories WHERE rowid = ?", (srow,)).fetchone()[0]
            if provenance is not None:
                self._put_doc(con, "provenance", srow, version, provenance)
            if digest is not None:
                self._put_doc(con, "digests", srow, version, digest)
            self._reindex_story(con, srow)
        return sid

    def last_article_rowid(self) -> int:
        return self.con.execute("SELECT coalesce(max(rowid), 0) FROM articles").fetchone()[0]

    def replace_stories(
        self, stories: Sequence[dict[str, Any]], remove: Iterable[str] = (), unless_grown_past: int | None = None
    ) -> bool:
        """Drop the stories in ``remove`` and put ``stories`` (as :meth:`put_story`), in one transaction.

        With ``unless_grown_past``, nothing is written (False) when an article with a
        higher rowid was stored meanwhile.
        """
        with self.write() as con:
            if unless_grown_past is not None and self.last_article_rowid() > unless_grown_past:
                return False
            for sid in remove:
                row = con.execute("SELECT rowid FROM stories WHERE story_id = ?", (sid,)).fetchone()
                if row is not None:
                    con.execute("UPDATE articles SET story_rowid = NULL WHERE story_rowid = ?", (row[0],))
                    con.execute("DELETE FROM stories_fts WHERE rowid = ?", (row[0],))
                    con.execute("DELETE FROM stories WHERE rowid = ?", (row[0],))
            for story in stories:
                self.put_story(story)
        return True

    def new_story(self, con: sqlite3.Connection, story_id: str, title: str) -> int:
        """Create an empty story inside the caller's write transaction; returns its rowid."""
        return con.execute(
            "INSERT INTO stories(story_id, title, updated_at, dirty, day, first_ts, last_ts) "
            "VALUES (?,?,?,1,?,0,0)",
            (story_id, title, now_iso(), UNDATED_DAY),
        ).lastrowid

    def join_story(self, con: sqlite3.Connection, article_rowid: int, story_rowid: int) -> None:
        """Put one article in a story and update the story's aggregates in O(1).

        Runs inside the caller's write transaction; the story is marked dirty (its
        grades and digest are stale until refreshed) and its version goes up.
        """
        a = con.execute(
            "SELECT ts, published, outlet, title, story_rowid FROM articles WHERE rowid = ?", (article_rowid,)
        ).fetchone()
        if a["story_rowid"] == story_rowid:
            return
        if a["story_rowid"] is not None:
            con.execute("UPDATE articles SET story_rowid = ? WHERE rowid = ?", (story_rowid, article_rowid))
            self._recompute(con, a["story_rowid"], dirty=True)
            self._recompute(con, story_rowid, dirty=True)
            self._reindex_story(con, story_rowid)
            return
        con.execute("UPDATE articles SET story_rowid = ? WHERE rowid = ?", (story_rowid, article_rowid))
        s = con.execute(
            "SELECT size, first_ts, last_ts, first_published, last_published, outlets FROM stories "
            "WHERE rowid = ?",
            (story_rowid,),
        ).fetchone()
        # first_ts/last_ts: when the story's articles are placed in time (a publication date, else the
        # time the store read them), for the story window; first/last_published: publication dates only
        ts = a["ts"]
        first_ts, last_ts = s["first_ts"], s["last_ts"]
        if s["size"] == 0 or ts < first_ts:
            first_ts = ts
        if s["size"] == 0 or ts > last_ts:
            last_ts = ts
        first_pub, _ = published_span([s["first_published"], a["published"]])
        _, last_pub = published_span([s["last_published"], a["published"]])
        outlets = json.loads(s["outlets"])
        if a["outlet"] and a["outlet"] not in outlets:
            outlets = sorted([*outlets, a["outlet"]])
            con.execute(
                "INSERT OR IGNORE INTO story_outlets(outlet, story_rowid) VALUES (?,?)",
                (a["outlet"], story_rowid),
            )
        con.execute(
            "UPDATE stories SET size = size + 1, first_ts = ?, last_ts = ?, day = ?, first_published = ?, "
            "last_published = ?, outlets = ?, version = version + 1, dirty = 1, updated_at = ? "
            "WHERE rowid = ?",
            (
                first_ts,
                last_ts,
                published_day(last_pub),
                first_pub,
                last_pub,
                _dumps(outlets),
                now_iso(),
                story_rowid,
            ),
        )
        body_row = con.execute(
            "SELECT title, body FROM stories_fts WHERE rowid = ?", (story_rowid,)
        ).fetchone()
        title = con.execute("SELECT title FROM stories WHERE rowid = ?", (story_rowid,)).fetchone()[0]
        body = body_row["body"] if body_row else ""
        if len(body) < MAX_FTS_BODY and a["title"]:
            body = f"{body}\n{a['title']}" if body else a["title"]
        con.execute("DELETE FROM stories_fts WHERE rowid = ?", (story_rowid,))
        con.execute("INSERT INTO stories_fts(rowid, title, body) VALUES (?,?,?)", (story_rowid, title, body))

    def _recompute(self, con: sqlite3.Connection, srow: int, dirty: bool = False) -> None:
        """Story aggregates from its members (used when membership is replaced)."""
        n, first_ts, last_ts = con.execute(
            "SELECT count(*), min(ts), max(ts) FROM articles WHERE story_rowid = ?", (srow,)
        ).fetchone()
        # publication dates only: an article without one is placed by its ingest time (ts) for the story
        # window, but that time is never shown as when the story was published
        first_pub, last_pub = published_span(
            r[0]
            for r in con.execute(
                "SELECT published FROM articles WHERE story_rowid = ? AND coalesce(published, '') != ''",
                (srow,),
            )
        )
        outlets = sorted(
            r[0]
            for r in con.execute(
                "SELECT DISTINCT outlet FROM articles WHERE story_rowid = ? AND outlet != ''", (srow,)
            )
        )
        con.execute("DELETE FROM story_outlets WHERE story_rowid = ?", (srow,))
        con.executemany(
            "INSERT INTO story_outlets(outlet, story_rowid) VALUES (?,?)", [(o, srow) for o in outlets]
        )
        con.execute(
            "UPDATE stories SET size = ?, first_ts = ?, last_ts = ?, day = ?, first_published = ?, "
            "last_published = ?, outlets = ?, dirty = max(dirty, ?), version = version + ?, updated_at = ? "
            "WHERE rowid = ?",
            (
                n,
                first_ts or 0,
                last_ts or 0,
                published_day(last_pub),
                first_pub,
                last_pub,
                _dumps(outlets),
                int(dirty),
                int(dirty),
                now_iso(),
                srow,
            ),
        )

    def _reindex_story(self, con: sqlite3.Connection, srow: int) -> None:
        """Rebuild a story's search text: its title, its digest's sentences and quotes, its article titles."""
        title = con.execute("SELECT title FROM stories WHERE rowid = ?", (srow,)).fetchone()[0]
        parts: list[str] = []
        d = con.execute("SELECT doc FROM digests WHERE story_rowid = ?", (srow,)).fetchone()
        if d:
            digest = json.loads(d[0])
            for s in digest.get("summary", []) or []:
                if isinstance(s, dict) and isinstance(s.get("text"), str):
                    parts.append(s["text"])
            for q in digest.get("quotes", []) or []:
                if isinstance(q, dict):
                    if isinstance(q.get("speaker"), str):
                        parts.append(q["speaker"])
                    for v in q.get("variants", []) or []:
                        if isinstance(v, dict) and isinstance(v.get("text"), str):
                            parts.append(v["text"])
        size = 0
        for (t,) in con.execute("SELECT title FROM articles WHERE story_rowid = ? AND title != ''", (srow,)):
            if size > MAX_FTS_BODY:
                break
            parts.append(t)
            size += len(t)
        con.execute("DELETE FROM stories_fts WHERE rowid = ?", (srow,))
        con.execute(
            "INSERT INTO stories_fts(rowid, title, body) VALUES (?,?,?)", (srow, title, "\n".join(parts))
        )

    def _put_doc(
        self, con: sqlite3.Connection, table: str, srow: int, version: int, doc: dict[str, Any]
    ) -> None:
        con.execute(
            f"INSERT OR REPLACE INTO {table}(story_rowid, story_version, doc, updated_at) VALUES (?,?,?,?)",
            (srow, version, _dumps(doc), now_iso()),
        )

    def put_analysis(
        self,
        story_id: str,
        *,
        version: int | None = None,
        provenance: dict[str, Any] | None = None,
        digest: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> bool:
        """Store a story's fresh provenance/digest; clears its dirty mark.

        With ``version`` given, nothing is written if the story changed since that
        version was read (a newer article arrived meanwhile): returns False, and the
        story stays dirty for the next refresh.
        """
        with self.write() as con:
            row = con.execute("SELECT rowid, version FROM stories WHERE story_id = ?", (story_id,)).fetchone()
            if row is None:
                raise StoreError(f"no story {story_id!r} in the store", code="E502")
            srow, current = row
            if version is not None and version != current:
                return False
            if provenance is not None:
                self._put_doc(con, "provenance", srow, current, provenance)
            if digest is not None:
                self._put_doc(con, "digests", srow, current, digest)
            if title is not None:
                con.execute("UPDATE stories SET title = ? WHERE rowid = ?", (title, srow))
            con.execute("UPDATE stories SET dirty = 0 WHERE rowid = ?", (srow,))
            self._reindex_story(con, srow)
        return True

    def dirty_stories(self, limit: int | None = 1000) -> list[tuple[str, int]]:
        """Stories whose grades/digest are stale: (story_id, version); ``limit=None``: all."""
        rows = self.con.execute(
            "SELECT story_id, version FROM stories WHERE dirty = 1 LIMIT ?", (-1 if limit is None else limit,)
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def story_rowid(self, story_id: str) -> int | None:
        row = self.con.execute("SELECT rowid FROM stories WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def story_id_of_rowid(self, con: sqlite3.Connection, srow: int) -> str:
        return con.execute("SELECT story_id FROM stories WHERE rowid = ?", (srow,)).fetchone()[0]

    def get_story(self, story_id: str, *, max_articles: int = 2000) -> dict[str, Any] | None:
        """A story with its articles (without text), digest and provenance, all from one snapshot."""
        with self.read() as con:
            s = con.execute("SELECT * FROM stories WHERE story_id = ?", (story_id,)).fetchone()
            if s is None:
                return None
            arts = con.execute(
                "SELECT id, outlet, title, url, published, date_source, lang, ts, length(text) AS chars FROM articles "
                "WHERE story_rowid = ? ORDER BY ts, rowid LIMIT ?",
                (s["rowid"], max_articles),
            ).fetchall()
            dig = con.execute(
                "SELECT doc, story_version FROM digests WHERE story_rowid = ?", (s["rowid"],)
            ).fetchone()
            prov = con.execute(
                "SELECT doc, story_version FROM provenance WHERE story_rowid = ?", (s["rowid"],)
            ).fetchone()
            # links to stories still stored (a settle may have replaced one since)
            related = con.execute(
                "SELECT r.related_id, r.kind, r.score, r.direction, t.title, t.first_published FROM story_related r "
                "JOIN stories t ON t.story_id = r.related_id WHERE r.story_rowid = ? "
                "ORDER BY r.score DESC, r.related_id", (s["rowid"],)
            ).fetchall()
        d: dict[str, Any] = {
            "story_id": s["story_id"],
            "title": s["title"],
            "size": s["size"],
            "article_ids": [a["id"] for a in arts],
            "outlets": json.loads(s["outlets"]),
            "first_published": s["first_published"],
            "last_published": s["last_published"],
        }
        d.update(json.loads(s["doc"]))
        d["version"] = s["version"]
        d["pending"] = bool(s["dirty"])
        d["updated_at"] = s["updated_at"]
        d["articles"] = [
            {
                "id": a["id"],
                "outlet": a["outlet"],
                "title": a["title"],
                "url": a["url"],
                "published": a["published"],
                "date_source": a["date_source"] or ("field" if a["published"] else "none"),
                "lang": a["lang"],
                "chars": a["chars"],
            }
            for a in arts
        ]
        d["languages"] = sorted({a["lang"] for a in arts if a["lang"]})
        d["related"] = [
            {"story_id": r[0], "kind": r[1], "score": r[2], "direction": r[3], "title": r[4],
             "first_published": r[5]}
            for r in related
        ]
        d["digest"] = json.loads(dig["doc"]) if dig else None
        d["digest_version"] = dig["story_version"] if dig else None
        d["provenance"] = json.loads(prov["doc"]) if prov else None
        d["provenance_version"] = prov["story_version"] if prov else None
        return d

    def list_stories(
        self,
        *,
        q: str | None = None,
        outlet: str | None = None,
        since: str | None = None,
        until: str | None = None,
        sort: str = "recent",
        limit: int = 20,
        cursor: str | None = None,
        min_size: int = 1,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of stories and the cursor of the next page (None at the end).

        ``recent`` (the default) puts the newest day first and the largest stories
        first within a day; ``newest`` and ``largest`` sort on one key. Pages are
        keyset-paginated (no OFFSET), so page 1000 costs what page 1 costs. A search (``q``)
        reaches the newest ``SEARCH_REACH`` matching stories and articles.
        ``since``/``until`` (ISO dates) keep stories whose time span overlaps them.
        """
        if sort not in SORTS:
            raise InputError(f"sort must be one of {', '.join(SORTS)}", code="E143")
        keys = _SORT_KEYS[sort]
        where = ["s.size >= ?"]
        args: list[Any] = [min_size]
        if outlet:
            where.append("s.rowid IN (SELECT story_rowid FROM story_outlets WHERE outlet = ?)")
            args.append(outlet)
        if since:
            ts = parse_ts(since)
            if ts is None:
                raise InputError("since: not an ISO 8601 date", code="E144")
            where.append("s.last_ts >= ?")
            args.append(ts)
        if until:
            ts = parse_ts(until)
            if ts is None:
                raise InputError("until: not an ISO 8601 date", code="E144")
            if len(until.strip()) == 10:  # a bare date: the whole day
                ts += 86399
            where.append("s.first_ts <= ?")
            args.append(ts)
        if q:
            query = fts_query(q)
            if query is not None:
                where.append(
                    "(s.rowid IN (SELECT rowid FROM stories_fts WHERE stories_fts MATCH ? "
                    "ORDER BY rowid DESC "
                    "LIMIT ?) OR s.rowid IN (SELECT a.story_rowid FROM articles a WHERE a.rowid IN "
                    "(SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                    "ORDER BY rowid DESC LIMIT ?)))"
                )
                args += [query, SEARCH_REACH, query, SEARCH_REACH]
        if cursor:
            values = _decode_cursor(cursor, len(keys))
            where.append(f"({', '.join('s.' + k for k in keys)}) < ({', '.join('?' * len(keys))})")
            args += values
        order = ", ".join(f"s.{k} DESC" for k in keys)
        sql = (
            "SELECT s.rowid, s.story_id, s.title, s.size, s.first_published, s.last_published, s.outlets, "
            f"s.day, s.last_ts, s.dirty FROM stories s WHERE {' AND '.join(where)} ORDER BY {order} LIMIT ?"
        )
        args.append(int(limit) + 1)
        rows = self.con.execute(sql, args).fetchall()
        nxt = None
        if len(rows) > limit:
            rows = rows[:limit]
            nxt = _encode_cursor([rows[-1][k] for k in keys])
        items = [
            {
                "story_id": r["story_id"],
                "title": r["title"],
                "size": r["size"],
                "outlets": json.loads(r["outlets"]),
                "first_published": r["first_published"],
                "last_published": r["last_published"],
                "pending": bool(r["dirty"]),
            }
            for r in rows
        ]
        return items, nxt

    def outlets(self, limit: int = 500) -> list[str]:
        """Outlet names that appear in stories (for filter menus)."""
        return [
            r[0]
            for r in self.con.execute(
                "SELECT DISTINCT outlet FROM story_outlets ORDER BY outlet LIMIT ?", (limit,)
            )
        ]

    def check(self) -> list[str]:
        """SQLite's own integrity check plus the store's invariants; empty when all is well."""
        problems = [r[0] for r in self.con.execute("PRAGMA integrity_check") if r[0] != "ok"]
        with self.read() as con:
            bad = con.execute(
                "SELECT s.story_id FROM stories s WHERE s.size != "
                "(SELECT count(*) FROM articles a WHERE a.story_rowid = s.rowid) LIMIT 10"
            ).fetchall()
            problems += [f"story {r[0]}: size differs from its members" for r in bad]
            fk = con.execute("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key: {tuple(r)}" for r in fk[:10]]
        return problems
