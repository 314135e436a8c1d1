"""The provenance stage: sentence alignment, reuse grades and the derivation graph of every story."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storyline import embed
from storyline.model import Article, Story
from storyline.progress import Reporter
from storyline.stage import Run, Stage


def provenance(stories: list[Story], by_id: Mapping[str, Article], reporter: Reporter) -> None:
    """Each story of more than one article gets ``extra["provenance"]``."""
    try:
        from storyline.provenance import analyse_story
    except ImportError:
        analyse_story = None
    with reporter.stage("provenance", total=len(stories)) as task:
        for story in stories:
            members = [by_id[i] for i in story.article_ids]
            if analyse_story is not None and len(members) > 1:
                story.extra["provenance"] = analyse_story(members).to_json()
            task.advance()


def index(articles: Iterable[Article]) -> dict[str, Article]:
    return {a.id: a for a in articles}


class ProvenanceStage(Stage):
    """``run.stories`` -> the same stories, with their provenance."""

    name = "provenance"
    needs = ("articles", "stories")
    makes = ("stories",)

    def __call__(self, run: Run) -> None:
        with embed.using_device(run.extras_device):
            provenance(run.stories, index(run.articles), run.reporter)
