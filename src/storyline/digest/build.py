"""Build one digest for one story: the sequence that assembles it.

1. :func:`context.prepare` reads the story: its units worth reading (boilerplate and
   units that are not about the story dropped), their vectors and sentence
   clusters, its names, and the source each article counts with.
2. :func:`quotes.ledger`: the quote ledger, one entry per speaker.
3. :func:`summary.summary`: 5-10 sentences by PageRank over the sentence clusters.
4. :func:`facts.table`: numbers and dates compared across outlets, and people in their roles.
5. :func:`only_in.only_in`: what one outlet alone carries (stories of two or more outlets).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from storyline.digest import facts, quotes
from storyline.digest.context import Ctx, label, outlet, prepare, roots
from storyline.digest.only_in import only_in
from storyline.digest.summary import summary
from storyline.digest.text import clip, words
from storyline.model import Article

SCHEMA = "storyline.digest/1"


class Digest:
    """One story's digest; its JSON form is the contract (``schema``: storyline.digest/1)."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @property
    def story_id(self) -> str:
        return str(self.data["story_id"])

    def to_json(self) -> dict[str, Any]:
        return self.data

    def to_markdown(self) -> str:
        from storyline.digest.render import markdown

        return markdown(self.data)

    def to_html(self) -> str:
        from storyline.digest.render import html

        return html(self.data)


def build_digest(
    story_id: str,
    articles: Sequence[Article],
    provenance: dict | None = None,
    vectors: Any = None,
) -> Digest:
    """The consolidated digest of one story.

    ``provenance`` is ``storyline.provenance`` output (``{"articles": [{"article_id",
    "grade", "parent"}]}``): copies are counted with their original. Without it
    every outlet counts as a source. ``vectors``: see :func:`context.encoder`.
    """
    arts = list(articles)
    ctx = prepare(arts, provenance, vectors)
    ledger = quotes.ledger(ctx)
    sentences, clusters = summary(ctx, ledger.speaker_of_unit)
    fact_list = facts.table(ctx, ledger)
    report, outlets = ctx.report, ctx.outlets
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "story_id": story_id,
        "title": _title(ctx) or _fallback_title(sentences),
        "sources": {
            "articles": len(arts),
            "outlets": sorted(set(outlets)),
            "independent_reports": len(set(report)),
            "roots": roots(arts, report),
            "provenance": bool(provenance),
            "label": label(len(set(outlets)), set(report) if provenance else len(set(report))),
        },
        "articles": [
            {
                "id": a.id,
                "outlet": outlet(a),
                "title": a.title,
                "url": a.url,
                "published": a.published,
                "grade": ctx.grades[i] or None,
                "report": report[i],
            }
            for i, a in enumerate(arts)
        ],
        "summary": sentences,
        "quotes": ledger.quotes,
        "speakers": ledger.speakers,
        "facts": fact_list,
        "only_in": only_in(ctx, clusters, ledger, fact_list),
    }
    return Digest(data)


def _title(ctx: Ctx) -> str:
    """The title of the article closest to the story's centre (headlines of copies are alike)."""
    best, score = "", -1.0
    if not ctx.cand:
        return next((a.title for a in ctx.arts if a.title), "")
    centroid = np.mean([ctx.vec(i) for i in range(len(ctx.cand))], axis=0)
    for ai, a in enumerate(ctx.arts):
        rows = [i for i, (x, _) in enumerate(ctx.cand) if x == ai]
        if not a.title or not rows or len(words(a.title)) < 4:
            continue
        s = float(np.mean([ctx.vec(i) @ centroid for i in rows]))
        if s > score:
            best, score = a.title, s
    return best or next((a.title for a in ctx.arts if a.title), "")


def _fallback_title(summary: list[dict[str, Any]]) -> str:
    """Articles without titles (plain text): the first summary sentence stands in."""
    return clip(summary[0]["text"], 110) if summary else ""
