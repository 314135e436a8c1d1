"""Articles as shards: sharded reading, the id-ordered corpus, sharded outputs.

A run's articles live in *shards* of ``shard_size`` consecutive articles in id
order (the order every later step indexes by), wherever the executor keeps them.
:class:`ShardedArticles` is a read-only ``Sequence[Article]`` over those shards:
iterating it fetches one shard at a time, so writing a million articles never
needs them all in one process.

Reading is planned first (the file list, in the canonical order of
:func:`storyline.ingest.read_inputs`), then files are read by tasks in chunks,
duplicate ids are resolved on the ids alone, and a shuffle puts the articles
into id order. The result is the same articles, ids and skipped inputs as
``read_inputs`` gives, whatever the number of shards.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

from storyline.executors.base import Checkpoints, Executor, Handle, _atomic, fingerprint, map_cached
from storyline.model import Article, Skipped

__all__ = [
    "InputFile",
    "ShardedArticles",
    "as_sharded",
    "plan_inputs",
    "read_parquet",
    "read_sharded",
    "write_article_shards",
]

#: Articles per shard: big enough that per-task overhead vanishes, small enough to spread work.
SHARD_SIZE = 10_000
#: Input files per reading task (many small files) - a big file is always a task of its own.
CHUNK_BYTES = 64 << 20
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass(frozen=True)
class InputFile:
    """One file to read, with the id prefix the canonical reading order gives it."""

    path: str
    base: str
    size: int
    mtime_ns: int


# --------------------------------------------------------------------------- planning


def plan_inputs(paths: Sequence[str | Path]) -> list[InputFile | Skipped]:
    """The files ``read_inputs`` would read, in its order, and the inputs it would skip before reading.

    Mirrors :func:`storyline.ingest.readers._read_all` step for step (argument
    order, folder walk, sidecars, already-read paths), with ``.parquet`` files
    added as an input format.
    """
    from storyline.ingest import readers as r

    unique: dict[str, Path] = {}
    for p in (Path(p) for p in paths):
        unique.setdefault(os.path.realpath(p), p)
    args = sorted(unique.values(), key=lambda p: (r._arg_name(p), p.as_posix()))
    done: set[str] = set()
    plan: list[InputFile | Skipped] = []

    def add(f: Path, base: str) -> None:
        real = os.path.realpath(f)
        if real in done or not f.is_file():  # the reader says why, without reading anything
            plan.extend(x for x in r._read_file(f, base, r._Ctx(fields={}, max_doc_bytes=0), done)
                        if isinstance(x, Skipped))
            return
        done.add(real)
        st = f.stat()
        plan.append(InputFile(str(f), base, st.st_size, st.st_mtime_ns))

    for arg in args:
        if arg.is_dir():
            prefix = r._arg_name(arg)
            errors: list[OSError] = []
            for f in r._walk(arg, errors):
                if r._is_sidecar(f):
                    continue
                rel = f.relative_to(arg)
                add(f, "/".join((prefix, *rel.parts[:-1], r._stem(rel.name))))
            for err in errors:
                plan.append(Skipped(source=str(err.filename or arg),
                                    reason=f"cannot read folder: {err.strerror or err}", code="E111"))
        elif arg.exists():
            add(arg, r._arg_name(arg))
        else:
            plan.append(Skipped(source=str(arg), reason="no such file or directory", code="E111"))
    return plan


def _chunks(files: list[tuple[int, InputFile]], max_bytes: int, max_files: int) -> list[list[tuple[int, InputFile]]]:
    out: list[list[tuple[int, InputFile]]] = []
    cur: list[tuple[int, InputFile]] = []
    size = 0
    for item in files:
        if cur and (size + item[1].size > max_bytes or len(cur) >= max_files):
            out.append(cur)
            cur, size = [], 0
        cur.append(item)
        size += item[1].size
    if cur:
        out.append(cur)
    return out


# --------------------------------------------------------------------------- reading


def read_parquet(
    path: str | Path, base: str, fields: Mapping[str, str] | None = None, batch_rows: int = 4096
) -> Iterator[Article | Skipped]:
    """Articles from a Parquet file, one per row, read a row group at a time.

    Rows are mapped like JSON-lines records (same field names and aliases); a
    row without an id gets ``<base>#<row number>``.
    """
    from storyline.errors import require
    from storyline.ingest import record_to_article

    pq = require("pyarrow.parquet", "ray", "to read Parquet inputs")
    src = str(path)
    try:
        pf = pq.ParquetFile(src)
    except Exception as exc:  # not Parquet, truncated footer...
        yield Skipped(source=src, reason=f"malformed Parquet: {exc}", code="E117")
        return
    row = 0
    try:
        for batch in pf.iter_batches(batch_size=batch_rows):
            for rec in batch.to_pylist():
                row += 1
                yield record_to_article(rec, f"{src}#{row}", f"{base}#{row}", fields)
    except Exception as exc:
        yield Skipped(source=f"{src}#{row + 1}", reason=f"malformed Parquet after {row} rows: {exc}", code="E117")
        return
    if row == 0:
        yield Skipped(source=src, reason="empty file (no rows)", code="E101")


def _read_chunk(
    chunk: list[tuple[int, InputFile]], fields: Mapping[str, str] | None, max_doc_bytes: int,
    follow_symlinks: bool = False,
) -> tuple[list[Article], dict[str, Any]]:
    """Read some files: their articles (ids not yet made unique) and, per file, ids and skipped inputs.

    ``follow_symlinks`` is the driver's setting, passed on: a worker process does not share its default.
    """
    from storyline.ingest import readers as r
    from storyline.ingest.fields import field_map

    ctx = r._Ctx(fields=field_map(fields), max_doc_bytes=int(max_doc_bytes), follow_symlinks=bool(follow_symlinks))
    articles: list[Article] = []
    ids: list[str] = []
    skipped: list[list[Skipped]] = []
    for _, f in chunk:
        own: list[Skipped] = []
        path = Path(f.path)
        if path.name.lower().endswith(PARQUET_SUFFIXES):
            records: Iterator[Article | Skipped] = read_parquet(path, f.base, fields)
        else:
            records = r._read_file(path, f.base, ctx, set())
        for rec in records:
            if isinstance(rec, Article):
                articles.append(rec)
                ids.append(rec.id)
            else:
                own.append(rec)
        skipped.append(own)
    return articles, {"ids": ids, "skipped": skipped}


def _unique_ids(ids: list[str]) -> list[tuple[int, str, str]]:
    """(position, new id, original id) for every repeated id, as ``read_inputs`` renames them (``id~2``)."""
    from storyline.ingest import readers as r

    stubs = [Article(id=i, text="") for i in ids]
    ctx = r._Ctx(fields={}, max_doc_bytes=0)
    renamed = []
    for pos, (orig, stub) in enumerate(zip(ids, r._dedupe(iter(stubs), ctx))):
        if stub.id != orig:
            renamed.append((pos, stub.id, orig))
    return renamed


def _split_by_position(
    articles: list[Article], renames: list[tuple[int, str, str]], positions: list[int],
    shard_size: int, n_out: int,
) -> list[list[tuple[int, Article]]]:
    from storyline.ingest import readers as r

    for pos, new, orig in renames:
        art = articles[pos]
        art.id = new
        r._note(art.meta, duplicate_of=orig)
    parts: list[list[tuple[int, Article]]] = [[] for _ in range(n_out)]
    for art, p in zip(articles, positions):
        parts[p // shard_size].append((p, art))
    return parts


def _combine_sorted(*pieces: list[tuple[int, Article]]) -> list[Article]:
    rows = [row for piece in pieces for row in piece]
    rows.sort(key=lambda t: t[0])
    return [a for _, a in rows]


def read_sharded(
    executor: Executor,
    paths: Sequence[str | Path],
    fields: Mapping[str, str] | None = None,
    shard_size: int = SHARD_SIZE,
    max_doc_bytes: int = 20_000_000,
    checkpoints: Checkpoints | None = None,
) -> tuple[ShardedArticles, list[Skipped]]:
    """Read ``paths`` with ``executor``: articles in id-ordered shards, and the skipped inputs in reading order."""
    from storyline.ingest import readers as r
    from storyline.ingest.fields import field_map

    field_map(fields)  # an unknown field is an error before any reading, as in read_inputs
    follow = r._following(None)  # this process' --follow-symlinks, for the workers' sidecar checks
    plan = plan_inputs(paths)
    files = [(i, f) for i, f in enumerate(plan) if isinstance(f, InputFile)]
    chunks = _chunks(files, CHUNK_BYTES, max(1, len(files) // max(1, 4 * executor.workers)) or 1)
    keys = [fingerprint("read", 1, [(f.path, f.base, f.size, f.mtime_ns) for _, f in c], fields, max_doc_bytes,
                        *([True] if follow else []))  # a run that does not follow keeps its old keys
            for c in chunks]
    results = map_cached(executor, _read_chunk, chunks, fields, max_doc_bytes, follow, store=checkpoints,
                         stage="read", keys=keys, desc="read", returns=2)
    infos = executor.gather([info for _, info in results])

    # skipped inputs in reading order: planned ones where they fall, then each file's own
    per_file: dict[int, list[Skipped]] = {}
    for c, info in zip(chunks, infos):
        for (i, _), own in zip(c, info["skipped"]):
            per_file[i] = own
    skipped: list[Skipped] = []
    for i, item in enumerate(plan):
        skipped.extend([item] if isinstance(item, Skipped) else per_file.get(i, []))

    ids = [x for info in infos for x in info["ids"]]
    renames = _unique_ids(ids)
    for pos, new, _ in renames:
        ids[pos] = new
    order = sorted(range(len(ids)), key=ids.__getitem__)
    position = [0] * len(ids)
    for p, k in enumerate(order):
        position[k] = p
    n = len(ids)
    n_out = max(1, -(-n // shard_size))
    shard_args = []
    start = 0
    for info in infos:
        stop = start + len(info["ids"])
        own = [(pos - start, new, orig) for pos, new, orig in renames if start <= pos < stop]
        shard_args.append((own, position[start:stop], shard_size, n_out))
        start = stop
    shards = executor.regroup([a for a, _ in results], _split_by_position, n_out, _combine_sorted,
                              shard_args=shard_args)
    sizes = [min(shard_size, n - t * shard_size) for t in range(n_out)] if n else [0]
    corpus_key = fingerprint("corpus", keys, shard_size)
    return ShardedArticles(executor, shards, sizes, key=corpus_key), skipped


# --------------------------------------------------------------------------- the sharded corpus


def _light(shard: list[Article]) -> list[Article]:
    """What story records need of each article: id, title, outlet, dates; the first line when untitled."""
    out = []
    for a in shard:
        first = "" if a.title else next((ln.strip() for ln in a.text.splitlines() if ln.strip()), "")
        out.append(Article(id=a.id, text=first, title=a.title, outlet=a.outlet, url=a.url,
                           published=a.published, date_source=a.date_source))
    return out


class ShardedArticles(Sequence[Article]):
    """A run's articles in id order, as shards held by an executor (a read-only sequence)."""

    def __init__(self, executor: Executor, shards: list[Handle], sizes: list[int], key: str = ""):
        if len(shards) != len(sizes):
            raise ValueError("one size per shard")
        self.executor = executor
        self.shards = list(shards)
        self.sizes = [int(s) for s in sizes]
        self.offsets = [0]
        for s in self.sizes:
            self.offsets.append(self.offsets[-1] + s)
        self.key = key
        self._light: list[Article] | None = None
        self._cached: tuple[int, list[Article]] | None = None

    def __len__(self) -> int:
        return self.offsets[-1]

    def _shard(self, s: int) -> list[Article]:
        if self._cached is None or self._cached[0] != s:
            self._cached = (s, self.executor.gather([self.shards[s]])[0])
        return self._cached[1]

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> list[Article]: ...
    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        n = len(self)
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError(i)
        import bisect

        s = bisect.bisect_right(self.offsets, i) - 1
        return self._shard(s)[i - self.offsets[s]]

    def __iter__(self) -> Iterator[Article]:
        for s in range(len(self.shards)):
            yield from self._shard(s)
        self._cached = None

    def light(self) -> list[Article]:
        """Every article with only the fields story records use (cheap to hold for millions)."""
        if self._light is None:
            parts = self.executor.gather(self.executor.map_shards(_light, self.shards, desc="light"))
            self._light = [a for p in parts for a in p]
        return self._light

    def replace(self, shards: list[Handle], key: str = "") -> ShardedArticles:
        """The same layout with new shard contents (the output of a per-article step)."""
        return ShardedArticles(self.executor, shards, self.sizes, key=key)

    def __repr__(self) -> str:
        return f"ShardedArticles({len(self)} articles in {len(self.shards)} shards, {self.executor!r})"


def as_sharded(articles: Sequence[Article], executor: Executor) -> ShardedArticles:
    """``articles`` as a ShardedArticles: itself if it is one, else one shard holding the list."""
    if isinstance(articles, ShardedArticles):
        return articles
    items = list(articles)
    return ShardedArticles(executor, [executor.share(items)], [len(items)])


# --------------------------------------------------------------------------- sharded outputs

_PARQUET_FIELDS = ("id", "story_id", "outlet", "url", "title", "published", "author", "lang", "source", "text")


def _write_shard(
    shard: list[Article], index: int, key: str, story_ids: list[str], extra: list[dict[str, Any]] | None,
    out: str, formats: tuple[str, ...],
) -> dict[str, Any]:
    """Write one shard's articles (with their story ids) as articles-NNNNN.{jsonl,parquet}; skip if done."""
    folder = Path(out)
    names = {fmt: f"articles-{index:05d}.{fmt}" for fmt in formats}
    marker = folder / f".articles-{index:05d}.done"
    try:
        if json.loads(marker.read_text()).get("key") == key and all((folder / n).is_file() for n in names.values()):
            return {"index": index, "skipped": True, "files": sorted(names.values())}
    except (OSError, ValueError):
        pass
    rows = [{**a.to_json(), "story_id": sid, **(extra[i] if extra else {})}
            for i, (a, sid) in enumerate(zip(shard, story_ids))]
    if "jsonl" in names:
        _atomic(folder / names["jsonl"],
                lambda fh: fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "w")
    if "parquet" in names:
        _write_parquet(folder / names["parquet"], rows)
    marker.write_text(json.dumps({"key": key, "files": sorted(names.values())}))
    return {"index": index, "skipped": False, "files": sorted(names.values())}


def _write_parquet(path: Path, rows: list[dict[str, Any]]) -> None:
    import tempfile

    from storyline.errors import require

    pa = require("pyarrow", "ray", "to write Parquet outputs")
    pq = require("pyarrow.parquet", "ray", "to write Parquet outputs")
    removed = pa.list_(pa.struct([("text", pa.string()), ("reason", pa.string())]))
    schema = pa.schema([(f, pa.string()) for f in _PARQUET_FIELDS] + [("removed", removed), ("meta", pa.string())])
    cols: dict[str, list[Any]] = {f: [r.get(f) for r in rows] for f in _PARQUET_FIELDS}
    cols["removed"] = [r.get("removed", []) for r in rows]
    cols["meta"] = [json.dumps(r["meta"], ensure_ascii=False) if r.get("meta") else None for r in rows]
    table = pa.table(cols, schema=schema)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, compression="zstd")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_article_shards(
    articles: ShardedArticles, story_ids: Sequence[str], out: str | Path, key: str,
    formats: tuple[str, ...] = ("jsonl", "parquet"), extra: Sequence[dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """Every shard of ``articles`` written by a task as ``out/articles-NNNNN.{jsonl,parquet}``.

    ``story_ids[i]`` is article ``i``'s story; ``extra[i]``, if given, more fields of its record. A shard whose marker names the same
    ``key`` (a fingerprint of the run's inputs and results) and whose files exist
    is not written again.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ex = articles.executor
    spans = [(articles.offsets[s], articles.offsets[s + 1]) for s in range(len(articles.shards))]
    shard_args = [
        (s, fingerprint(key, s), list(story_ids[a:b]), list(extra[a:b]) if extra is not None else None)
        for s, (a, b) in enumerate(spans)
    ]
    return ex.gather(ex.map_shards(_write_shard, articles.shards, str(out), tuple(formats), desc="write",
                                   shard_args=shard_args))
