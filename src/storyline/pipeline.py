"""The batch run: a chain of stages, one package each.

    ingest -> clean -> represent -> candidates -> verify -> cluster -> stories -> provenance -> digest

Each stage follows :mod:`storyline.stage`'s contract: it reads what earlier stages
left on the :class:`~storyline.stage.Run` and sets its own results; its per-article
work runs through the run's executor (:mod:`storyline.executors`) on shards of
articles in id order, and the points where it needs the whole corpus are in its
package. Adding a stage is adding its package and one line below. The functions the
stages call (``clean``, ``represent``, ``match``, ``group``, ...) are plain functions
over the run's articles, so the fitting and evaluation scripts in ``bench/`` call
exactly what ``storyline run`` calls; they are importable from here too.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.candidates.stage import CandidatesStage
from storyline.clean.stage import CleanStage, clean
from storyline.clean.stage import fit_cleaner as _fit_cleaner
from storyline.cluster.stage import ClusterStage, StoriesStage, build_stories, cluster_sharded, group
from storyline.config import Config
from storyline.digest.stage import DigestStage
from storyline.executors import Checkpoints, Executor, get_executor
from storyline.executors.base import fingerprint
from storyline.executors.shards import SHARD_SIZE, ShardedArticles
from storyline.ingest.stage import IngestStage, load
from storyline.model import Article, Skipped, Story
from storyline.multilingual.stage import CrossLanguageStage, LangStage
from storyline.progress import Reporter
from storyline.provenance.stage import ProvenanceStage
from storyline.represent.stage import RepresentStage, article_days, represent
from storyline.stage import Run, Stage, executor_of, run_stages
from storyline.verify.stage import Matching, VerifyStage, match

__all__ = [
    "EXTRAS",
    "GROUPING",
    "Matching",
    "RunResult",
    "_fit_cleaner",
    "article_days",
    "build_stories",
    "clean",
    "cluster_sharded",
    "group",
    "group_articles",
    "load",
    "match",
    "represent",
    "run",
    "summarise",
]

log = logging.getLogger(__name__)

#: From the articles to their stories: what a batch run and a store's settling both run.
GROUPING: tuple[Stage, ...] = (
    CleanStage(),
    LangStage(),
    RepresentStage(),
    CandidatesStage(),
    VerifyStage(),
    CrossLanguageStage(),  # pairs with an article not in English; a no-op for English-only corpora
    ClusterStage(),
    StoriesStage(),
)
#: Within each story (``extras``): provenance, then the digest built on it.
EXTRAS: tuple[Stage, ...] = (
    ProvenanceStage(),
    DigestStage(),
)

SMALL_RUN = 100_000  # up to this many articles a run also writes the single-file outputs (articles.jsonl, report.md)


@dataclass
class RunResult:
    """What a run produced (see :func:`run`)."""

    articles: Sequence[Article]  # a list, or ShardedArticles for runs on a cluster
    stories: list[Story]
    skipped: list[Skipped]
    labels: np.ndarray
    matching: Matching
    summary: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None


def group_articles(
    articles: Sequence[Article],
    cfg: Config,
    semantic: bool,
    reporter: Reporter | None = None,
    executor: str | Executor | None = None,
    checkpoints: Checkpoints | None = None,
    neighbour_scope: str = "corpus",
) -> tuple[Sequence[Article], np.ndarray, Matching, list[Story]]:
    """Clean, represent, match, cluster: the cleaned articles, their story labels, the matching, the stories.

    ``articles`` must be sorted by id (as :func:`load` returns them); a store's
    settling runs the same function on its stored articles.
    """
    r = Run(cfg, executor_of(articles, executor), reporter or Reporter(show=False), checkpoints, semantic,
            neighbour_scope, articles=articles)
    run_stages(GROUPING, r)
    return r.articles, r.labels, r.matching, r.stories


def run(
    paths: Sequence[str | Path] | str | Path,
    out: str | Path | None = None,
    config: Config | None = None,
    fields: Mapping[str, str] | None = None,
    semantic: bool | None = None,
    progress: bool | None = False,
    extras: bool = True,
    executor: str | Executor = "local",
    address: str | None = None,
    shard_size: int = SHARD_SIZE,
    work_dir: str | Path | None = None,
    neighbour_scope: str = "corpus",
) -> RunResult:
    """Read ``paths``, group the articles into stories and (if ``out``) write the results there.

    ``semantic=None`` uses the MiniLM stage when the embed extra is installed and
    the lexical fallback otherwise; ``extras`` adds provenance and digests.
    ``executor`` is ``"local"``, ``"ray"`` (``address`` joins a running cluster,
    else Ray starts here) or an :class:`~storyline.executors.Executor`; the
    stories do not depend on it. ``work_dir`` keeps each finished shard of the
    per-article steps so that a rerun skips them; Ray runs with ``out`` keep them
    in ``out/.work`` unless told otherwise. With Ray, ``out`` also gets the
    articles as ``articles-NNNNN.jsonl`` and ``.parquet`` shards, and the
    single-file ``articles.jsonl`` and ``report.md`` only up to ``SMALL_RUN``
    articles; ``RunResult.articles`` is then a sequence that fetches shards on use.
    ``neighbour_scope="window"`` makes the neighbour search grow with the articles
    per time window instead of the corpus size (see :func:`match`).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    cfg = config or Config()
    reporter = Reporter(show=progress)
    t0 = time.perf_counter()
    ex = get_executor(executor, address)
    if work_dir is None and out is not None and ex.name != "local":
        work_dir = Path(out) / ".work"
    checkpoints = Checkpoints(work_dir) if work_dir is not None else None
    try:
        if semantic is None:
            from storyline import embed

            semantic = cfg.semantic.enabled and embed.available()
            if not semantic:
                log.warning(
                    "embed extra not installed: using the lexical fallback (pip install 'storyline[embed]')"
                )
        device = _embed_device(cfg, semantic, ex)
        # provenance and digests embed sentences in this process: on the run's device, or, when the
        # embedding tasks ran on a cluster's GPU nodes, on a GPU here if there is one
        extras_device = "auto" if device == "cuda" and ex.name != "local" else device
        r = Run(cfg, ex, reporter, checkpoints, semantic, neighbour_scope, extras_device, paths=paths, fields=fields,
                shard_size=shard_size)
        run_stages((IngestStage(), *GROUPING, *(EXTRAS if extras else ())), r)
        articles = list(r.articles) if ex.name == "local" else r.articles
        result = RunResult(articles, r.stories, r.skipped, r.labels, r.matching)
        if extras:
            result.digests = r.digests  # type: ignore[attr-defined]
        result.summary = summarise(result, reporter.timings, time.perf_counter() - t0)
        if out is not None:
            with reporter.stage("write"):
                _write(result, Path(out), sharded=ex.name != "local", url_dates=cfg.match.url_dates)
            result.out = Path(out)
            result.summary["timings"] = {k: round(v, 3) for k, v in reporter.timings.items()}
        result.summary["executor"] = ex.name
    finally:
        reporter.close()
    return result


def _embed_device(cfg: Config, semantic: bool, ex: Executor) -> str:
    """The configured embedding device, checked up front where this process will use it."""
    from storyline import embed

    device = embed.check_device(cfg.semantic.device)
    if semantic and device == "cuda" and ex.name == "local":
        embed._model("cuda")  # no CUDA provider: the install hint now, not after reading the corpus
    return device



def _shard_months(shard: Sequence[Article], url_dates: bool) -> list[dict[str, Any]]:
    """:func:`storyline.report._month` of each article of a shard (where the full text is)."""
    from storyline.report import _month

    return [_month(a, url_dates) for a in shard]


def _write(result: RunResult, out: Path, sharded: bool, url_dates: bool = True) -> None:
    """The run's outputs; sharded runs add articles-NNNNN.{jsonl,parquet} and keep single files for small runs."""
    from storyline.report import write_outputs

    if not sharded:
        write_outputs(result, out, url_dates)
        return
    from storyline.executors.shards import write_article_shards
    from storyline.model import SCHEMA_VERSION
    from storyline.report import _atomic_write, _date_sources, _jsonl

    index = _id_index(result.articles)
    story_of = np.empty(len(result.articles), dtype=object)
    for s in result.stories:
        for aid in s.article_ids:
            story_of[index[aid]] = s.story_id
    corpus = result.articles
    if isinstance(corpus, ShardedArticles):
        key = fingerprint("outputs", corpus.key, [s.story_id for s in result.stories])
        when = _date_sources(result)
        months = [m for part in corpus.executor.gather(corpus.executor.map_shards(
            _shard_months, corpus.shards, url_dates, desc="months")) for m in part]
        extra = [{**when(i, a), **m} for i, (a, m) in enumerate(zip(corpus.light(), months))]
        write_article_shards(corpus, story_of.tolist(), out, key, extra=extra)
    if len(result.articles) <= SMALL_RUN:
        write_outputs(result, out, url_dates)
    else:
        out.mkdir(parents=True, exist_ok=True)
        _jsonl(out / "stories.jsonl", (s.to_json() for s in result.stories))
        summary = {"schema": f"storyline.run/{SCHEMA_VERSION}", **result.summary}
        _atomic_write(out / "summary.json", lambda fh: json.dump(summary, fh, indent=2, ensure_ascii=False))



def _id_index(articles: Sequence[Article]) -> dict[str, int]:
    if isinstance(articles, ShardedArticles):
        cached = getattr(articles, "_id_index", None)
        if cached is None:
            cached = {a.id: i for i, a in enumerate(articles.light())}
            articles._id_index = cached  # type: ignore[attr-defined]
        return cached
    return {a.id: i for i, a in enumerate(articles)}



def _removed(shard: list[Article]) -> int:
    return sum(len(a.removed) for a in shard)



def _count_removed(articles: Sequence[Article]) -> int:
    if isinstance(articles, ShardedArticles):
        ex = articles.executor
        return int(sum(ex.gather(ex.map_shards(_removed, articles.shards, desc="count"))))
    return sum(len(a.removed) for a in articles)



def summarise(result: RunResult, timings: Mapping[str, float], wall: float) -> dict[str, Any]:
    sizes = [len(s.article_ids) for s in result.stories]
    return {
        "articles": len(result.articles),
        "skipped": len(result.skipped),
        "skipped_inputs": [s.to_json() for s in result.skipped],
        "stories": len(result.stories),
        "multi_article_stories": sum(1 for s in sizes if s > 1),
        "largest_story": max(sizes) if sizes else 0,
        "pairs": result.matching.counts,
        "pair_model": result.matching.model,
        "boilerplate_removed": _count_removed(result.articles),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "wall_seconds": round(wall, 3),
    }
