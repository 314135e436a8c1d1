"""Load a batch run into a store: its articles, stories, provenance and digests.

``storyline run`` groups a corpus in one go; ``import_result`` keeps what it
found (stories replace stored stories of the same id) so the service can show
it and later articles can join those stories incrementally.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from storyline.model import Article
from storyline.store.db import Store


def _as_json(obj: Any) -> dict[str, Any] | None:
    if obj is None:
        return None
    if hasattr(obj, "to_json"):
        obj = obj.to_json()
    return obj if isinstance(obj, dict) else None


def import_stories(
    store: Store,
    articles: Iterable[Article],
    stories: Iterable[dict[str, Any]],
    digests: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Store articles (idempotently) and stories (``Story.to_json()``, ``provenance`` inside) at once."""
    digests = digests or {}
    with store.write():
        res = store.add_articles(articles)
        n = 0
        for s in stories:
            s = dict(s)
            digest = _as_json(s.pop("digest", None)) or _as_json(digests.get(s["story_id"]))
            store.put_story(s, provenance=_as_json(s.pop("provenance", None)), digest=digest)
            n += 1
    return {"articles": sum(r.status == "inserted" for r in res), "stories": n}


def import_result(store: Store, result: Any) -> dict[str, int]:
    """Store a ``storyline.pipeline.RunResult`` (digests matched to stories by their story_id or order)."""
    stories = [s.to_json() for s in result.stories]
    digests: dict[str, Any] = {}
    found = list(getattr(result, "digests", None) or [])
    for i, d in enumerate(found):
        dj = _as_json(d) or {}
        sid = getattr(d, "story_id", None) or dj.get("story_id")
        if sid is None and len(found) == len(stories):
            sid = stories[i]["story_id"]
        if sid is not None:
            digests[sid] = dj
    return import_stories(store, result.articles, stories, digests)


def import_run_dir(store: Store, out: str | Path) -> dict[str, int]:
    """Store what ``storyline run --out DIR`` wrote: articles.jsonl, stories.jsonl, digests.jsonl if any."""
    out = Path(out)
    with (out / "articles.jsonl").open(encoding="utf-8") as f:
        articles = [Article.from_json(json.loads(line)) for line in f if line.strip()]
    with (out / "stories.jsonl").open(encoding="utf-8") as f:
        stories = [json.loads(line) for line in f if line.strip()]
    digests: dict[str, Any] = {}
    path = out / "digests.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    d = json.loads(line)
                    if isinstance(d, dict) and d.get("story_id"):
                        digests[d["story_id"]] = d
    return import_stories(store, articles, stories, digests)
