"""The digest stage: a digest per story (stories of one article get one too)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from storyline import embed
from storyline.model import Article, Story
from storyline.progress import Reporter
from storyline.provenance.stage import index
from storyline.stage import Run, Stage


def digests(stories: list[Story], by_id: Mapping[str, Article], reporter: Reporter) -> list[Any]:
    """The stories' digests, in story order, built on their provenance where it is there."""
    try:
        from storyline.digest import build_digest
    except ImportError:
        build_digest = None
    out = []
    with reporter.stage("digest", total=len(stories)) as task:
        for story in stories:
            if build_digest is not None:
                members = [by_id[i] for i in story.article_ids]
                out.append(build_digest(story.story_id, members, story.extra.get("provenance")))
            task.advance()
    return out


class DigestStage(Stage):
    """``run.stories`` -> ``run.digests``."""

    name = "digest"
    needs = ("articles", "stories")
    makes = ("digests",)

    def __call__(self, run: Run) -> None:
        with embed.using_device(run.extras_device):
            run.digests = digests(run.stories, index(run.articles), run.reporter)
