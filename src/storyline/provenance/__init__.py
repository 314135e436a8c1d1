"""Provenance inside a story: sentence alignment, reuse grades, the likely original, the derivation graph.

Public API::

    split_sentences(text) -> list[str]
    align(a, b) -> Alignment
    analyse_story(articles, vectors=None) -> StoryProvenance
    render_alignment(alignment, console) -> None
    render_markdown(story_provenance, titles=None) -> str
    paraphrase_score(s1, s2) -> np.ndarray

See docs/provenance.md for the method and its measured accuracy.
"""

from storyline.provenance.align import Alignment, Link, align
from storyline.provenance.paraphrase import PARAPHRASE_THRESHOLD, paraphrase_score
from storyline.provenance.render import render_alignment, render_markdown
from storyline.provenance.sentences import split_sentences
from storyline.provenance.story import GRADES as _GRADES
from storyline.provenance.story import ArticleProvenance, StoryProvenance
from storyline.provenance.story import analyse_story as _analyse_story

GRADES = (*_GRADES, "translation")  # the fifth: a copy in another language (storyline.multilingual.translation)


def analyse_story(articles, vectors=None, semantic=None) -> StoryProvenance:
    """:func:`storyline.provenance.story.analyse_story`, with translated copies graded ``translation``
    of their source (sentences aligned across languages; :mod:`storyline.multilingual.translation`)."""
    from storyline.multilingual.translation import regrade

    return regrade(_analyse_story(articles, vectors, semantic), articles)

__all__ = [
    "GRADES",
    "PARAPHRASE_THRESHOLD",
    "Alignment",
    "ArticleProvenance",
    "Link",
    "StoryProvenance",
    "align",
    "analyse_story",
    "paraphrase_score",
    "render_alignment",
    "render_markdown",
    "split_sentences",
]
