"""Writing a run's results: articles.jsonl, stories.jsonl, report.md, summary.json, digests/."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from storyline.counts import count_of
from storyline.model import SCHEMA_VERSION
from storyline.progress import Reporter

if TYPE_CHECKING:
    from storyline.pipeline import RunResult

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>&~])")


def md_escape(text: str) -> str:
    """Escape untrusted text for Markdown (and the HTML a Markdown renderer may pass through)."""
    text = text.replace("\r", " ").replace("\n", " ")
    return _MD_SPECIAL.sub(
        lambda m: (
            "\\" + m.group(1)
            if m.group(1) not in "<>&"
            else {"<": "&lt;", ">": "&gt;", "&": "&amp;"}[m.group(1)]
        ),
        text,
    )


def enrich(result: RunResult, reporter: Reporter | None = None) -> None:
    """Provenance and digest for every story of more than one article (stories of one get a digest too)."""
    from storyline.digest.stage import digests
    from storyline.provenance.stage import index, provenance

    reporter = reporter or Reporter(show=False)
    by_id = index(result.articles)
    provenance(result.stories, by_id, reporter)
    got = digests(result.stories, by_id, reporter)
    result.summary["digests"] = len(got)
    result.digests = got  # type: ignore[attr-defined]


def _atomic_write(path: Path, write) -> None:
    """Write to a temporary file and rename, so a killed run never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    def write(fh):
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")

    _atomic_write(path, write)


def _date_sources(result: RunResult):
    """``date_source`` per article (see :func:`storyline.verify.features.date_source`), when matching kept it."""
    from storyline.verify.features import date_source

    m = getattr(result, "matching", None)
    if m is None or getattr(m, "days", None) is None or len(m.days) != len(result.articles):
        return lambda i, a: {"date_source": a.date_source or ("field" if a.published else "none")}
    return lambda i, a: {"date_source": date_source(a.published, bool(m.dated[i]), float(m.days[i]), a.date_source)}


def _month(a: Any, url_dates: bool = True) -> dict[str, Any]:
    """An undated article's month, where its URL (read only with ``url_dates``, as matching reads it) or
    leading date line names one (its time window in matching: :func:`storyline.represent.stage.time_window`)."""
    if a.published:
        return {}
    from storyline.ingest.dates import month_and_source

    got = month_and_source(a.text, a.url if url_dates else None)
    if got is None:
        return {}
    (y, m), source = got
    return {"published_month": f"{y:04d}-{m:02d}", "month_source": source}


def write_outputs(result: RunResult, out: Path, url_dates: bool = True) -> None:
    out.mkdir(parents=True, exist_ok=True)
    story_of = {aid: s.story_id for s in result.stories for aid in s.article_ids}
    when = _date_sources(result)
    _jsonl(out / "articles.jsonl", ({**a.to_json(), "story_id": story_of.get(a.id), **when(i, a), **_month(a, url_dates)}
                                    for i, a in enumerate(result.articles)))
    _jsonl(out / "stories.jsonl", (s.to_json() for s in result.stories))
    summary = {"schema": f"storyline.run/{SCHEMA_VERSION}", **result.summary}
    _atomic_write(out / "summary.json", lambda fh: json.dump(summary, fh, indent=2, ensure_ascii=False))
    _atomic_write(out / "report.md", lambda fh: fh.write(render_report(result)))
    digests = getattr(result, "digests", None)
    if digests:
        from storyline.digest import write_digests

        write_digests(out, digests)


def _outlets_line(story: Any, by_id: dict[str, Any]) -> str:
    """The known outlets of a story, and how many of its articles name none ("outlet unknown")."""
    known = len([o for o in story.outlets if o])
    unknown = sum(1 for aid in story.article_ids if aid in by_id and not by_id[aid].outlet)
    if known == 0:
        return "outlets unknown" if len(story.article_ids) > 1 else "outlet unknown"
    line = count_of(known, "outlet")
    return line + (f" ({unknown} {'article' if unknown == 1 else 'articles'} with outlet unknown)" if unknown else "")


def render_report(result: RunResult) -> str:
    by_id = {a.id: a for a in result.articles}
    s = result.summary
    lines = [
        "# storyline report",
        "",
        f"{count_of(s.get('articles', 0), 'article')} in {count_of(s.get('stories', 0), 'story', 'stories')} "
        f"({s.get('multi_article_stories', 0)} with more than one article); "
        f"{count_of(s.get('skipped', 0), 'input')} skipped.",
        "",
    ]
    if result.skipped:
        lines += ["## Skipped inputs", ""]
        lines += [f"- `{md_escape(k.source)}`: {md_escape(k.reason)} ({k.code})" for k in result.skipped]
        lines.append("")
    for story in result.stories:
        lines += [f"## {md_escape(story.title) or '(untitled)'}", ""]
        span = " – ".join(x for x in (story.first_published, story.last_published) if x)
        lines.append(
            f"`{story.story_id}` · {count_of(len(story.article_ids), 'article')} · "
            f"{_outlets_line(story, by_id)}{' · ' + span if span else ''}"
        )
        lines += ["", "| article | outlet | title | best match | score |", "|---|---|---|---|---|"]
        for aid in story.article_ids:
            a = by_id[aid]
            bm = story.best_match.get(aid)
            lines.append(
                f"| `{md_escape(aid)}` | {md_escape(a.outlet) or 'outlet unknown'} | {md_escape(a.title[:90])} | "
                f"{'`' + md_escape(bm['id']) + '`' if bm else '—'} | {bm['score'] if bm else '—'} |"
            )
        prov = story.extra.get("provenance")
        if prov:
            lines += ["", "**Provenance.** " + _provenance_line(prov), ""]
            lines += ["| article | grade | parent | reused | own | confidence |", "|---|---|---|---|---|---|"]
            for p in prov.get("articles", []):
                lines.append(
                    f"| `{md_escape(str(p.get('article_id')))}` | {md_escape(str(p.get('grade')))} | "
                    f"{md_escape(str(p.get('parent') or '—'))} | {p.get('reused_share', 0):.0%} | "
                    f"{p.get('own_share', 0):.0%} | {p.get('confidence', 0):.2f} |"
                )
        lines.append("")
    return "\n".join(lines) + "\n"


def _provenance_line(prov: dict[str, Any]) -> str:
    orig = prov.get("original")
    if not orig:
        return "No likely original found."
    if str(orig).startswith("wire:"):
        return (
            f"The original is not in the corpus; probable source: {md_escape(str(orig)[5:])} (credited wire)."
        )
    return f"Likely original: `{md_escape(str(orig))}`."
