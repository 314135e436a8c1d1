"""A digest across languages: the story's languages, and its sentences not in English beside their
closest English sentence (multilingual-e5-small alignment, :func:`.translation.english_counterparts`).

``attach`` adds ``languages`` and ``across_languages`` to a digest's JSON; the two
``*_section`` functions render them (every text escaped for its format). A story
in one language gets ``languages`` only and no section.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from storyline.model import Article


def attach(data: dict[str, Any], articles: Sequence[Article]) -> dict[str, Any]:
    from storyline.multilingual.translation import english_counterparts

    langs = sorted({(a.lang or "").split("-")[0] for a in articles if a.lang})
    data["languages"] = langs
    data["across_languages"] = english_counterparts(articles) if len(langs) > 1 else []
    return data


def markdown_section(data: dict[str, Any]) -> list[str]:
    from storyline.digest.render import md

    rows = data.get("across_languages") or []
    if not rows:
        return []
    out = ["## Across languages", "", f"In {md(', '.join(data.get('languages', [])))}.", "",
           "| language | sentence | in English |", "|---|---|---|"]
    out += [f"| {md(r['lang'])} | {md(r['text'])} | {md(r['english'])} |" for r in rows]
    return [*out, ""]


def html_section(data: dict[str, Any]) -> list[str]:
    from storyline.digest.render import h

    rows = data.get("across_languages") or []
    if not rows:
        return []
    out = [f"<h2>Across languages</h2><p class=\"meta\">In {h(', '.join(data.get('languages', [])))}.</p>",
           "<table><tr><th>language</th><th>sentence</th><th>in English</th></tr>"]
    out += [f'<tr><td>{h(r["lang"])}</td><td lang="{h(r["lang"])}">{h(r["text"])}</td><td>{h(r["english"])}</td></tr>'
            for r in rows]
    return [*out, "</table>"]
