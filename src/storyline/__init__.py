"""storyline: group news articles into stories people can trust."""

from storyline.model import Article, Pair, Skipped, Story

__version__ = "0.1.0"

__all__ = ["Article", "Pair", "Skipped", "Story", "__version__", "run"]


def run(paths, out=None, **kwargs):
    """Run the whole pipeline on files or folders; see :func:`storyline.pipeline.run`."""
    from storyline.pipeline import run as _run

    return _run(paths, out=out, **kwargs)
