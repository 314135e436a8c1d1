"""``storyline ingest PATH... --store DB``: add articles to a store, resumably.

Every input is read as ``storyline run`` reads it (:func:`storyline.ingest.read_inputs`:
the same ids, titles, outlets, dates and text): files and folders of text, HTML,
JSON lines (including the ``Article.to_json()`` records ``storyline run`` writes to
articles.jsonl), JSON, RSS/Atom and WARC. Batches are committed one by one, so a killed
ingest keeps every batch it committed and the next run skips them.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

from storyline.config import Config
from storyline.errors import InputError
from storyline.model import Article, Skipped
from storyline.store.assign import AssignConfig, Assigner
from storyline.store.db import Store


def read_jsonl(path: Path) -> Iterator[Article]:
    """Articles from a JSON-lines file of ``Article.to_json()`` records, taken as they are (strict: a bad line
    raises). ``ingest`` reads every input with :func:`read_inputs` instead."""
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{n}: not JSON ({exc.msg})", code="E110") from exc
            if not isinstance(d, dict) or "text" not in d:
                raise InputError(f"{path}:{n}: not an article record (needs 'text')", code="E111")
            d.setdefault("id", "")
            d.setdefault("source", f"{path}:{n}")
            yield Article.from_json(d)


def read_inputs(
    paths: Sequence[str | Path], skipped: list[Skipped] | None = None, follow_symlinks: bool | None = None
) -> Iterator[Article]:
    """Articles from the given files and folders, read by ``storyline.ingest.read_inputs`` as ``storyline run``
    reads them; inputs it skips are appended to ``skipped``. A path that does not exist is an error."""
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file or folder", code="E101")
    try:
        reader = importlib.import_module("storyline.ingest").read_inputs
    except (ImportError, AttributeError) as exc:  # pragma: no cover - a partial install
        raise InputError(f"cannot read {paths[0]}: storyline.ingest is not installed", code="E112") from exc
    for item in reader(list(paths), follow_symlinks=follow_symlinks):
        if isinstance(item, Article):
            yield item
        elif skipped is not None and isinstance(item, Skipped):
            skipped.append(item)


def _batches(items: Iterable[Article], n: int) -> Iterator[list[Article]]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def ingest(
    store: Store,
    articles: Iterable[Article],
    *,
    batch_size: int = 64,
    config: AssignConfig | None = None,
    log: Any = None,
    settle: bool = True,
    pipeline_config: Config | None = None,
    semantic: bool | None = None,
    analyse: bool = True,
) -> dict[str, Any]:
    """Store and place articles batch by batch, then settle the stories (see :mod:`storyline.store.settle`).

    Each committed batch has its articles placed in a story at once. With
    ``settle`` the stories are then made equal to one batch run over everything
    stored, and those that changed are re-graded; without it, the stories placed
    into (and any a killed run left pending) are re-graded at the end, once each.
    ``analyse=False`` leaves grades and digests pending either way.
    """
    assigner = Assigner(store, config)
    counts: dict[str, Any] = {"inserted": 0, "duplicate": 0, "conflict": 0, "new_stories": 0}
    for batch in _batches(articles, batch_size):
        for a in assigner.assign_detailed(batch, refresh=False):
            counts[a.status] += 1
            counts["new_stories"] += int(a.new_story)
            if log is not None:
                log(f"{a.status}\t{a.id}\t{a.story_id}")
    if settle:
        from storyline.store.settle import settle as settle_store

        counts["settle"] = settle_store(store, pipeline_config, semantic=semantic, extras=analyse)
    elif analyse:
        counts["refreshed"] = assigner.refresh_pending(limit=None)
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m storyline.store ingest --store DB FILE...``"""
    import argparse

    ap = argparse.ArgumentParser(prog="storyline ingest", description=__doc__.splitlines()[0])
    ap.add_argument("command", choices=["ingest", "check"])
    ap.add_argument("paths", nargs="*")
    ap.add_argument("--store", required=True)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--window-days", type=float, default=None,
                    help="story window in days (default: the matcher's, match.window_days)")
    ap.add_argument("--no-embed", action="store_true", help="match exact duplicates only")
    ap.add_argument("--no-settle", action="store_true",
                    help="only place the new articles; stories are not made equal to a batch run")
    ap.add_argument("--no-analyse", action="store_true",
                    help="leave provenance and digests of changed stories pending (a bulk load)")
    ap.add_argument("--synchronous", default="FULL", choices=["FULL", "NORMAL"])
    ap.add_argument("--log", action="store_true", help="print one line per committed article")
    ap.add_argument("--follow-symlinks", action="store_true",
                    help="read symbolic links that lead outside the folders given (skipped otherwise, E118)")
    args = ap.parse_args(argv)
    with Store(args.store, synchronous=args.synchronous) as store:
        if args.command == "check":
            problems = store.check()
            for p in problems:
                print(p)
            return 1 if problems else 0
        log = None
        if args.log:

            def log(line: str) -> None:
                print(line, flush=True)

        pcfg = Config()
        if args.window_days is not None:
            pcfg = dataclasses.replace(pcfg, match=dataclasses.replace(pcfg.match, window_days=args.window_days))
        cfg = AssignConfig(window_days=pcfg.match.window_days, embed=not args.no_embed)
        skipped: list[Skipped] = []
        counts = ingest(
            store, read_inputs(args.paths, skipped, follow_symlinks=args.follow_symlinks or None),
            batch_size=args.batch_size, config=cfg, log=log,
            settle=not args.no_settle, pipeline_config=pcfg, semantic=False if args.no_embed else None,
            analyse=not args.no_analyse,
        )
        counts["skipped"] = len(skipped)
        for sk in skipped[:20]:
            print(f"skipped {sk.source}: {sk.reason} ({sk.code})", file=sys.stderr)
        print(json.dumps(counts), file=sys.stderr)
    return 0
