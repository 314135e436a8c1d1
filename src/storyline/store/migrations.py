"""Named schema migrations, applied once each and in order.

The schema changes only here: a migration is appended to ``MIGRATIONS`` with a
new name and never edited once released, so every store records exactly which
steps built it (table ``migrations``: name, applied_at). Each migration runs in
the same transaction as its record, so a crash leaves it either applied and
recorded or neither.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[sqlite3.Connection], None]


def _script(sql: str) -> Callable[[sqlite3.Connection], None]:
    """A migration made of plain statements (run one by one: executescript would commit)."""

    def run(con: sqlite3.Connection) -> None:
        for stmt in _split(sql):
            con.execute(stmt)

    return run


def _split(sql: str) -> list[str]:
    """Split a script on ';' that end a statement, keeping trigger bodies whole."""
    out: list[str] = []
    buf = ""
    for line in sql.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


_0001_core = """
CREATE TABLE articles (
    rowid        INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    content_hash BLOB NOT NULL,
    outlet       TEXT NOT NULL DEFAULT '',
    url          TEXT NOT NULL DEFAULT '',
    title        TEXT NOT NULL DEFAULT '',
    published    TEXT,
    ts           INTEGER NOT NULL,
    author       TEXT NOT NULL DEFAULT '',
    lang         TEXT NOT NULL DEFAULT '',
    source       TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL DEFAULT '',
    removed      TEXT NOT NULL DEFAULT '[]',
    meta         TEXT NOT NULL DEFAULT '{}',
    story_rowid  INTEGER REFERENCES stories(rowid) ON DELETE SET NULL,
    ingested_at  TEXT NOT NULL
);
CREATE INDEX articles_hash ON articles(content_hash);
CREATE INDEX articles_story ON articles(story_rowid, ts);
CREATE INDEX articles_ts ON articles(ts);

CREATE TABLE stories (
    rowid       INTEGER PRIMARY KEY,
    story_id    TEXT NOT NULL UNIQUE,
    title       TEXT NOT NULL DEFAULT '',
    size        INTEGER NOT NULL DEFAULT 0,
    first_ts    INTEGER,
    last_ts     INTEGER,
    day         INTEGER,
    first_published TEXT,
    last_published  TEXT,
    outlets     TEXT NOT NULL DEFAULT '[]',
    doc         TEXT NOT NULL DEFAULT '{}',
    version     INTEGER NOT NULL DEFAULT 1,
    dirty       INTEGER NOT NULL DEFAULT 0,
    updated_at  TEXT NOT NULL
);
CREATE INDEX stories_recent ON stories(day DESC, size DESC, rowid DESC);
CREATE INDEX stories_newest ON stories(last_ts DESC, rowid DESC);
CREATE INDEX stories_largest ON stories(size DESC, last_ts DESC, rowid DESC);
CREATE INDEX stories_dirty ON stories(dirty) WHERE dirty = 1;

CREATE TABLE story_outlets (
    outlet      TEXT NOT NULL,
    story_rowid INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    PRIMARY KEY (outlet, story_rowid)
) WITHOUT ROWID;
CREATE INDEX story_outlets_story ON story_outlets(story_rowid);

CREATE TABLE digests (
    story_rowid   INTEGER PRIMARY KEY REFERENCES stories(rowid) ON DELETE CASCADE,
    story_version INTEGER NOT NULL,
    doc           TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE provenance (
    story_rowid   INTEGER PRIMARY KEY REFERENCES stories(rowid) ON DELETE CASCADE,
    story_version INTEGER NOT NULL,
    doc           TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE signatures (
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    data          BLOB NOT NULL,
    PRIMARY KEY (article_rowid, kind)
) WITHOUT ROWID;

CREATE TABLE lsh_bands (
    band_key      INTEGER NOT NULL,
    article_rowid INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    PRIMARY KEY (band_key, article_rowid)
) WITHOUT ROWID;
CREATE INDEX lsh_bands_article ON lsh_bands(article_rowid);

CREATE TABLE embeddings (
    article_rowid INTEGER PRIMARY KEY REFERENCES articles(rowid) ON DELETE CASCADE,
    day           INTEGER NOT NULL,
    model         TEXT NOT NULL,
    vec           BLOB NOT NULL
);
CREATE INDEX embeddings_day ON embeddings(day);

CREATE TABLE pairs (
    a_rowid    INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    b_rowid    INTEGER NOT NULL REFERENCES articles(rowid) ON DELETE CASCADE,
    via        TEXT NOT NULL DEFAULT '',
    score      REAL NOT NULL DEFAULT 0,
    same       INTEGER NOT NULL DEFAULT 0,
    features   TEXT NOT NULL DEFAULT '{}',
    decided_at TEXT NOT NULL,
    PRIMARY KEY (a_rowid, b_rowid),
    CHECK (a_rowid < b_rowid)
) WITHOUT ROWID;
CREATE INDEX pairs_b ON pairs(b_rowid);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

_0002_fts = """
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text, content='articles', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text)
        VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;

CREATE VIRTUAL TABLE stories_fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2');
"""

# The list orders' indexes also carry the story's time span, so a date filter is checked in the index
# without reading each skipped story's row (250k stories, one-day range: 650 ms before, 55 ms after).
_0003_covering_list_indexes = """
DROP INDEX stories_recent;
DROP INDEX stories_newest;
DROP INDEX stories_largest;
CREATE INDEX stories_recent ON stories(day DESC, size DESC, rowid DESC, first_ts, last_ts);
CREATE INDEX stories_newest ON stories(last_ts DESC, rowid DESC, first_ts, size);
CREATE INDEX stories_largest ON stories(size DESC, last_ts DESC, rowid DESC, first_ts);
"""


_0004_vector_cache = """
CREATE TABLE vector_cache (
    key BLOB PRIMARY KEY,
    vec BLOB NOT NULL
) WITHOUT ROWID;
"""


# `storyline watch`: followed sources, the items seen in them, failures with their reasons, and an
# outbox of events (the sinks and `storyline serve` read it), so a killed watcher loses nothing.
_0005_watch = """
CREATE TABLE watch_sources (
    rowid         INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    etag          TEXT,
    last_modified TEXT,
    interval_s    REAL NOT NULL,
    next_poll     REAL NOT NULL DEFAULT 0,
    polls         INTEGER NOT NULL DEFAULT 0,
    changes       INTEGER NOT NULL DEFAULT 0,
    items         INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_status   INTEGER,
    last_poll     TEXT,
    last_ok       TEXT,
    last_change   TEXT,
    last_error    TEXT NOT NULL DEFAULT '',
    last_code     TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1,
    added_at      TEXT NOT NULL
);

CREATE TABLE watch_items (
    rowid        INTEGER PRIMARY KEY,
    source_rowid INTEGER NOT NULL REFERENCES watch_sources(rowid) ON DELETE CASCADE,
    guid         TEXT NOT NULL,
    url          TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    published    TEXT,
    status       TEXT NOT NULL DEFAULT 'pending',
    article_id   TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    next_try     REAL NOT NULL DEFAULT 0,
    code         TEXT NOT NULL DEFAULT '',
    reason       TEXT NOT NULL DEFAULT '',
    seen_at      REAL NOT NULL,
    done_at      REAL,
    UNIQUE (source_rowid, guid)
);
CREATE INDEX watch_items_pending ON watch_items(next_try) WHERE status = 'pending';
CREATE INDEX watch_items_article ON watch_items(article_id);

CREATE TABLE watch_urls (
    url        TEXT PRIMARY KEY,
    item_rowid INTEGER NOT NULL REFERENCES watch_items(rowid) ON DELETE CASCADE
) WITHOUT ROWID;

CREATE TABLE watch_failures (
    rowid        INTEGER PRIMARY KEY,
    source_rowid INTEGER NOT NULL REFERENCES watch_sources(rowid) ON DELETE CASCADE,
    url          TEXT NOT NULL,
    what         TEXT NOT NULL,
    code         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    at           TEXT NOT NULL
);
CREATE INDEX watch_failures_source ON watch_failures(source_rowid, rowid);

CREATE TABLE watch_members (
    article_id TEXT PRIMARY KEY,
    story_id   TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE watch_stories (
    story_id  TEXT PRIMARY KEY,
    outlets   INTEGER NOT NULL,
    conflicts TEXT NOT NULL DEFAULT '[]',
    altered   TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;

CREATE TABLE watch_events (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    type     TEXT NOT NULL,
    at       TEXT NOT NULL,
    story_id TEXT,
    doc      TEXT NOT NULL
);
"""

# Links between stories kept apart (a later development of one event, or a story of the same topic):
# one row per direction, so a story's links are one indexed read; dropped with the story.
_0006_related = """
CREATE TABLE story_related (
    story_rowid INTEGER NOT NULL REFERENCES stories(rowid) ON DELETE CASCADE,
    related_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    score       REAL NOT NULL,
    direction   TEXT NOT NULL DEFAULT 'none',
    PRIMARY KEY (story_rowid, related_id)
) WITHOUT ROWID;
CREATE INDEX story_related_target ON story_related(related_id);
"""

# Where each article's publication time came from (field, meta, url, dateline, text, none):
# a reader sees why an article was placed where it is.
_0007_date_source = """
ALTER TABLE articles ADD COLUMN date_source TEXT NOT NULL DEFAULT '';
"""


MIGRATIONS: list[Migration] = [
    Migration("0001_core", _script(_0001_core)),
    Migration("0002_fts", _script(_0002_fts)),
    Migration("0003_covering_list_indexes", _script(_0003_covering_list_indexes)),
    Migration("0004_vector_cache", _script(_0004_vector_cache)),
    Migration("0005_watch", _script(_0005_watch)),
    Migration("0006_related", _script(_0006_related)),
    Migration("0007_date_source", _script(_0007_date_source)),
]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def migrate(con: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply the migrations this store lacks, in order; return the names applied now.

    Each runs under ``BEGIN IMMEDIATE`` so two processes opening a new store at the
    same time apply it once: the second waits, then sees the record and skips it.
    """
    migrations = MIGRATIONS if migrations is None else migrations
    con.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    applied: list[str] = []
    for m in migrations:
        con.execute("BEGIN IMMEDIATE")
        try:
            done = con.execute("SELECT 1 FROM migrations WHERE name = ?", (m.name,)).fetchone()
            if not done:
                m.apply(con)
                con.execute("INSERT INTO migrations(name, applied_at) VALUES (?, ?)", (m.name, _now()))
                applied.append(m.name)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return applied


def applied(con: sqlite3.Connection) -> list[tuple[str, str]]:
    """The migrations recorded in this store, oldest first."""
    return [tuple(r) for r in con.execute("SELECT name, applied_at FROM migrations ORDER BY rowid")]
