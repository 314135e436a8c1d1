"""Markdown and self-contained HTML views of a digest (its JSON form is the source).

Article text is untrusted: every piece of it is escaped for the format it is
written into (Markdown specials and raw HTML in Markdown; everything in HTML).
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

from storyline.counts import UNKNOWN_OUTLET, articles_and_outlets, count_of
from storyline.multilingual import digest as across_languages

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def md(text: Any) -> str:
    """Escape untrusted text for Markdown, including the HTML a Markdown renderer would pass through."""
    s = " ".join(str(text if text is not None else "").split())
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_SPECIAL.sub(r"\\\1", s)
    return re.sub(r"^([-=]{3,}|\d+\.)", r"\\\1", s)


def h(text: Any) -> str:
    return _html.escape(str(text if text is not None else ""), quote=True)


def _outlets(xs: list[str]) -> str:
    return ", ".join(xs)


def _known(o: Any) -> bool:
    return isinstance(o, str) and bool(o) and not o.startswith(UNKNOWN_OUTLET)


def _counted(outlets: list[str]) -> str:
    """Who carries something, counted as the served page counts: outlets where known, else articles.
    "3 outlets"; "1 article, outlet unknown"; "2 outlets and 1 article with outlet unknown"."""
    known = len({o for o in outlets if _known(o)})
    unknown = sum(1 for o in outlets if not _known(o))  # each unknown outlet is named after its article
    if not unknown:
        return count_of(known, "outlet")
    if not known:
        return f"{count_of(unknown, 'article')}, outlet{'s' if unknown > 1 else ''} unknown"
    return f"{count_of(known, 'outlet')} and {count_of(unknown, 'article')} with outlet unknown"


def _label(label: str, outlets: list[str]) -> str:
    """A digest label ("5 outlets, 1 source (Reuters)") as a reader should read it: where some outlets
    are unknown, the articles without one are counted as articles, not as outlets."""
    if all(_known(o) for o in outlets):
        return label
    rest = _after_outlets(label)
    return _counted(outlets) + (f"; {rest}" if rest else "")


def _after_outlets(label: str) -> str:
    """What a label says after its outlet count ("5 outlets, 1 source (Reuters)" -> "1 source (Reuters)")."""
    m = re.match(r"\d+ outlets?, (.*)$", label)
    return m.group(1) if m else ""


def _header(data: dict[str, Any]) -> str:
    """ "5 articles · 5 outlets, 1 source (Reuters)"; with no outlet known "5 articles, outlets unknown ·
    1 source (Reuters)" (as the served story page counts: "4 articles: 3 from 2 outlets, 1 with outlet
    unknown" when some articles name none), then how sources were counted without provenance."""
    src = data["sources"]
    n = int(src["articles"] or 0)
    known = [o for o in src["outlets"] if _known(o)]
    unknown = sum(1 for a in data["articles"] if not _known(a.get("outlet")))
    basis = ""
    if not src["provenance"]:
        each = (
            "outlet"
            if not unknown
            else "article"
            if not known
            else "outlet and each article of unknown outlet"
        )
        basis = f" (no provenance: each {each} counted as a source)"
    if not unknown:
        return f"{count_of(n, 'article')} · {src['label']}{basis}"
    rest = _after_outlets(src["label"])
    return articles_and_outlets(n, len(known), unknown) + (f" · {rest}" if rest else "") + basis


def _outlet_cell(o: Any) -> str:
    """The Sources table's outlet column (the title is beside it)."""
    return o if _known(o) else UNKNOWN_OUTLET


def _first(f: dict[str, Any] | None) -> str:
    if not f:
        return "unknown (no publication dates)"
    return f"{f['outlet']} (by {f['basis']})"


def _values(f: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(v["normalised"], " / ".join(v["written"]), v["outlets"]) for v in f["values"]]


def _fact_sections(data: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    """The fact table's sections: conflicts and updates, then agreements (a fact one outlet alone
    reports shows under "Only in"); a story of one outlet lists its numbers and dates as they are."""
    facts = [f for f in data["facts"] if f["kind"] not in ("entity", "person")]
    if len(data["sources"]["outlets"]) < 2:
        return [("Numbers and dates", facts)]
    return [
        ("Conflicts and updates", [f for f in facts if f["status"] in ("conflict", "update")]),
        ("Agreed across outlets", [f for f in facts if f["status"] == "agree"]),
    ]


def _people(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [f for f in data["facts"] if f["kind"] in ("entity", "person")]


def _roles(f: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """A person's roles with the outlets giving each (older digests: the titles, without outlets)."""
    if f.get("roles"):
        return [(r["role"], r["outlets"]) for r in f["roles"]]
    return [(t, []) for t in f.get("titles") or []]


def by_speaker(data: dict[str, Any]) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """The quote ledger as (speaker, their quotes): from ``speakers`` when the digest has it, else the
    quotes grouped by their ``speaker`` in the order they come."""
    quotes = {q.get("id"): q for q in data["quotes"]}
    if "speakers" in data:
        return [(s, [quotes[i] for i in s["quotes"] if i in quotes]) for s in data["speakers"]]
    groups: dict[Any, list[dict[str, Any]]] = {}
    for q in data["quotes"]:
        groups.setdefault(q["speaker"], []).append(q)
    return [({"speaker": k, "names": [], "roles": [], "label": ""}, qs) for k, qs in groups.items()]


def _speaker_notes(spk: dict[str, Any]) -> str:
    """ "Ukrainian President; also written Zelenskiy, Zelenskyy." (plain text: escape it)."""
    notes = [", ".join(spk["roles"])] if spk["roles"] else []
    others = [n for n in spk["names"] if n != spk["speaker"]]
    if others:
        notes.append(("also written " if notes else "Also written ") + ", ".join(others))
    return "; ".join(notes) + "." if notes else ""


def _only_in(data: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Outlets that add something no other outlet carries; none in a story of fewer than two known
    outlets (an article whose outlet is unknown may come from any of them, so it is no outlet of its own)."""
    if len([o for o in data["sources"]["outlets"] if _known(o)]) < 2:
        return []
    return [
        (o, x)
        for o, x in data["only_in"].items()
        if _known(o) and (x["sentences"] or x["quotes"] or x["facts"])
    ]


# ----------------------------------------------------------------------------- Markdown


def markdown(data: dict[str, Any]) -> str:
    lines = [f"# {md(data['title']) or '(untitled story)'}", ""]
    lines += [
        f"Story `{md(data['story_id'])}` · {md(_header(data))}",
        "",
        "## What happened",
        "",
    ]
    for i, s in enumerate(data["summary"], 1):
        who = f" (speaker: {md(s['speaker'])})" if s.get("speaker") else ""
        lines.append(
            f"{i}. {md(s['text'])}{who} — *{md(_outlets(s['outlets']))}* ({md(_label(s['label'], s['outlets']))})"
        )
    if not data["summary"]:
        lines.append("_No sentence is carried by enough of the story to summarise it._")
    lines += ["", "## Who said what", ""]
    for spk, quotes in by_speaker(data):
        lines += [
            f"### {md(spk['speaker'] or 'Unattributed')}"
            + (f" — {md(_label(spk['label'], spk.get('outlets') or []))}" if spk["label"] else ""),
            "",
        ]
        notes = _speaker_notes(spk)
        if notes:
            lines += [md(notes), ""]
        for q in quotes:
            to = f" (to {md(q['to'])})" if q.get("to") else ""
            flag = " · **altered**" if q["altered"] else ""
            lines += [
                f"#### “{md(q['text'])}”{to}",
                "",
                f"{md(_label(q['label'], q['outlets']))}{flag}. First carried by: {md(_first(q['first']))}. "
                f"Names used: {md(', '.join(q['speaker_names']) or '—')}.",
                "",
                "| wording | how | outlets | cue | via |",
                "|---|---|---|---|---|",
            ]
            for v in q["variants"]:
                mark = "“" + md(v["text"]) + "”" if v["quoted"] else md(v["text"]) + " _(unquoted)_"
                lines.append(
                    f"| {mark} | {md(v['relation'])} | {md(_outlets(v['outlets']))} | {md(', '.join(v['cue']))} "
                    f"| {md(', '.join(v['via']))} |"
                )
            for a in q["alterations"]:
                lines.append(
                    f"\n- Altered ({md(a['kind'])}) in {md(_outlets(a['outlets']))}: {md(a['detail'])}"
                )
            lines.append("")
    if not data["quotes"]:
        lines += ["_No quotations._", ""]
    lines += ["## Facts", ""]
    for title, group in _fact_sections(data):
        lines += [f"### {title}", ""]
        if not group:
            lines += ["_None._", ""]
            continue
        lines += ["| about | kind | status | values (outlets) |", "|---|---|---|---|"]
        for f in group:
            vals = " · ".join(f"**{md(n)}** ({md(w)}): {md(_outlets(o))}" for n, w, o in _values(f))
            lines.append(f"| {md(f['about'])} | {md(f['kind'])} | {md(f['status'])} | {vals} |")
        lines.append("")
    people = _people(data)
    if people:
        lines += [
            "### People in their roles",
            "",
            "| name | role (outlets) | spellings (outlets) |",
            "|---|---|---|",
        ]
    for f in people:
        roles = " · ".join(f"{md(r)}" + (f": {md(_outlets(o))}" if o else "") for r, o in _roles(f))
        vals = " · ".join(f"{md(w)}: {md(_outlets(o))}" for _, w, o in _values(f))
        lines.append(f"| {md(f['about'])} | {roles} | {vals} |")
    lines.append("")
    only = _only_in(data)
    if only:
        lines += ["## Only in one outlet", ""]
    for outlet, x in only:
        lines += [f"### Only in {md(outlet)}", ""]
        for s in x["sentences"]:
            lines.append(f"- {md(s)}")
        for q in x["quotes"]:
            lines.append(f"- Quote ({md(q['speaker'] or 'unattributed')}): “{md(q['text'])}”")
        for f in x["facts"]:
            lines.append(
                f"- Fact ({md(f['kind'])}, {md(f['about'])}): {md(f['value'])} = {md(f['normalised'])}"
            )
        lines.append("")
    lines += across_languages.markdown_section(data)
    lines += ["## Sources", "", "| article | outlet | title | published | grade |", "|---|---|---|---|---|"]
    for a in data["articles"]:
        lines.append(
            f"| {md(a['id'])} | {md(_outlet_cell(a['outlet']))} | {md(a['title'])} | {md(a['published'] or 'unknown')} "
            f"| {md(a['grade'] or '')} |"
        )
    lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;padding:0 1em;
color:#1d232a;background:#fff}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #dde;padding-bottom:.2em}
.meta{color:#5a6470}.outlets{color:#35618f;font-size:.9em}.tag{display:inline-block;border-radius:3px;padding:0 .4em;
font-size:.8em;background:#eef1f5;margin-left:.3em}.conflict{background:#fde2e1;color:#8a1f17}
.update{background:#fff3cd;color:#6b5200}.agree{background:#e3f4e6;color:#1e5e2b}.single{background:#eef1f5}
.altered{background:#fde2e1;color:#8a1f17}blockquote{margin:.5em 0;padding:.3em .8em;border-left:3px solid #9fb3c8;
background:#f7f9fb}table{border-collapse:collapse;width:100%;margin:.5em 0 1em}td,th{border:1px solid #dde3ea;
padding:.3em .5em;vertical-align:top;text-align:left;font-size:.92em}th{background:#f3f5f8}ol li{margin:.4em 0}
.unquoted{font-style:italic;color:#5a6470}
"""


def html(data: dict[str, Any]) -> str:
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{h(data['title'] or data['story_id'])}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{h(data['title']) or '(untitled story)'}</h1>",
        f'<p class="meta">Story <code>{h(data["story_id"])}</code> · {h(_header(data))}</p>',
        "<h2>What happened</h2><ol>",
    ]
    for s in data["summary"]:
        out.append(
            f"<li>{h(s['text'])}"
            + (f' <span class="meta">(speaker: {h(s["speaker"])})</span>' if s.get("speaker") else "")
            + f' <span class="outlets">— {h(_outlets(s["outlets"]))} ({h(_label(s["label"], s["outlets"]))})</span></li>'
        )
    out.append("</ol>")
    out.append("<h2>Who said what</h2>")
    for spk, quotes in by_speaker(data):
        out.append(
            f"<h3>{h(spk['speaker'] or 'Unattributed')}"
            + (
                f' <span class="outlets">{h(_label(spk["label"], spk.get("outlets") or []))}</span>'
                if spk["label"]
                else ""
            )
            + "</h3>"
        )
        notes = _speaker_notes(spk)
        if notes:
            out.append(f'<p class="meta">{h(notes)}</p>')
        for q in quotes:
            tag = '<span class="tag altered">altered</span>' if q["altered"] else ""
            to = f' <span class="meta">(to {h(q["to"])})</span>' if q.get("to") else ""
            out += [
                f"<blockquote>“{h(q['text'])}”{to}</blockquote>",
                f'<p class="meta"><span class="outlets">{h(_label(q["label"], q["outlets"]))}</span>{tag} First carried by: '
                f"{h(_first(q['first']))}. Names used: {h(', '.join(q['speaker_names']) or '—')}.</p>",
                "<table><tr><th>wording</th><th>how</th><th>outlets</th><th>cue</th><th>via</th></tr>",
            ]
            for v in q["variants"]:
                text = (
                    f"“{h(v['text'])}”"
                    if v["quoted"]
                    else f'<span class="unquoted">{h(v["text"])} (unquoted)</span>'
                )
                out.append(
                    f"<tr><td>{text}</td><td>{h(v['relation'])}</td><td>{h(_outlets(v['outlets']))}</td>"
                    f"<td>{h(', '.join(v['cue']))}</td><td>{h(', '.join(v['via']))}</td></tr>"
                )
            out.append("</table>")
            if q["alterations"]:
                out.append("<ul>")
                for a in q["alterations"]:
                    out.append(
                        f'<li><span class="tag altered">{h(a["kind"])}</span> {h(_outlets(a["outlets"]))}: '
                        f"{h(a['detail'])}</li>"
                    )
                out.append("</ul>")
    if not data["quotes"]:
        out.append('<p class="meta">No quotations.</p>')
    out.append("<h2>Facts</h2>")
    for title, group in _fact_sections(data):
        out.append(f"<h3>{title}</h3>")
        if not group:
            out.append('<p class="meta">None.</p>')
            continue
        out.append("<table><tr><th>about</th><th>kind</th><th>status</th><th>values</th></tr>")
        for f in group:
            vals = "<br>".join(
                f'<b>{h(n)}</b> ({h(w)}): <span class="outlets">{h(_outlets(o))}</span>'
                for n, w, o in _values(f)
            )
            out.append(
                f"<tr><td>{h(f['about'])}</td><td>{h(f['kind'])}</td>"
                f'<td><span class="tag {h(f["status"])}">{h(f["status"])}</span></td><td>{vals}</td></tr>'
            )
        out.append("</table>")
    people = _people(data)
    if people:
        out.append(
            "<h3>People in their roles</h3><table><tr><th>name</th><th>role</th><th>spellings</th></tr>"
        )
        for f in people:
            roles = "<br>".join(
                h(r) + (f': <span class="outlets">{h(_outlets(o))}</span>' if o else "") for r, o in _roles(f)
            )
            vals = "<br>".join(
                f'{h(w)}: <span class="outlets">{h(_outlets(o))}</span>' for _, w, o in _values(f)
            )
            out.append(f"<tr><td>{h(f['about'])}</td><td>{roles}</td><td>{vals}</td></tr>")
        out.append("</table>")
    only = _only_in(data)
    if only:
        out.append("<h2>Only in one outlet</h2>")
    for outlet, x in only:
        out.append(f"<h3>Only in {h(outlet)}</h3><ul>")
        out += [f"<li>{h(s)}</li>" for s in x["sentences"]]
        out += [
            f"<li>Quote ({h(q['speaker'] or 'unattributed')}): “{h(q['text'])}”</li>" for q in x["quotes"]
        ]
        out += [
            f"<li>Fact ({h(f['kind'])}, {h(f['about'])}): {h(f['value'])} = {h(f['normalised'])}</li>"
            for f in x["facts"]
        ]
        out.append("</ul>")
    out += across_languages.html_section(data)
    out.append(
        "<h2>Sources</h2><table><tr><th>article</th><th>outlet</th><th>title</th><th>published</th><th>grade</th></tr>"
    )
    for a in data["articles"]:
        title = h(a["title"])
        if a.get("url") and re.match(r"https?://", a["url"]):
            title = f'<a href="{h(a["url"])}" rel="noopener noreferrer">{title or h(a["url"])}</a>'
        out.append(
            f"<tr><td>{h(a['id'])}</td><td>{h(_outlet_cell(a['outlet']))}</td><td>{title}</td><td>{h(a['published'] or 'unknown')}</td>"
            f"<td>{h(a['grade'] or '')}</td></tr>"
        )
    out.append("</table></body></html>")
    return "\n".join(out) + "\n"
