"""One consolidated digest per story: summary, quote ledger, fact table, only-in.

``build_digest`` makes a :class:`Digest`; ``write_digests`` writes
``digests/<story_id>.{md,json,html}``; ``digest_run`` does both for the output
folder of a finished run (``articles.jsonl`` + ``stories.jsonl``). The JSON
schema is documented in ``docs/digest-schema.md``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from storyline.digest.build import SCHEMA, Digest
from storyline.digest.build import build_digest as _build_digest
from storyline.errors import InputError
from storyline.model import Article

__all__ = ["SCHEMA", "Digest", "build_digest", "digest_run", "safe_name", "write_digests"]


def build_digest(story_id: str, articles: Sequence[Article], provenance: dict | None = None,
                 vectors: Any = None) -> Digest:
    """:func:`storyline.digest.build.build_digest`, with the story's languages and its sentences not in
    English beside their English counterparts (:mod:`storyline.multilingual.digest`)."""
    from storyline.multilingual.digest import attach

    d = _build_digest(story_id, articles, provenance, vectors)
    attach(d.data, articles)
    return d


def safe_name(story_id: str) -> str:
    """A file name for a story id: no path separators, no leading dot."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", story_id).lstrip(".")
    return name[:150] or "story"


def write_digests(out_dir: Path | str, digests: Iterable[Digest]) -> None:
    """Write ``<out_dir>/digests/<story_id>.md``, ``.json`` and ``.html`` for every digest."""
    folder = Path(out_dir) / "digests"
    folder.mkdir(parents=True, exist_ok=True)
    for d in digests:
        stem = safe_name(d.story_id)
        (folder / f"{stem}.json").write_text(
            json.dumps(d.to_json(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        (folder / f"{stem}.md").write_text(d.to_markdown(), encoding="utf-8")
        (folder / f"{stem}.html").write_text(d.to_html(), encoding="utf-8")


def _read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        raise InputError(f"{path} not found: give the output folder of `storyline run`", code="E110")
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"{path}:{n}: not JSON ({exc.msg})", code="E111") from exc
    return rows


def digest_run(run_dir: Path | str, out_dir: Path | str | None = None, min_articles: int = 1) -> list[Digest]:
    """Digests for every story of a run's output folder, written to ``<out_dir or run_dir>/digests/``.

    Provenance is taken from each story's ``provenance`` field when the run wrote one.
    """
    run_dir = Path(run_dir)
    articles = {a["id"]: Article.from_json(a) for a in _read_jsonl(run_dir / "articles.jsonl")}
    digests = []
    for story in _read_jsonl(run_dir / "stories.jsonl"):
        members = [articles[i] for i in story.get("article_ids", []) if i in articles]
        if len(members) < min_articles:
            continue
        digests.append(build_digest(str(story["story_id"]), members, story.get("provenance")))
    write_digests(out_dir or run_dir, digests)
    return digests
