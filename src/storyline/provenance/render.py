"""Terminal rendering of an alignment: the two articles side by side, linked sentences on one row."""

from __future__ import annotations

from typing import Any

from storyline.provenance.align import Alignment

STYLES = {"verbatim": "green", "edited": "yellow", "paraphrase": "cyan"}


def render_alignment(alignment: Alignment, console: Any, show_unlinked: bool = True) -> None:
    """Print ``alignment`` with rich: one row per link (A's sentences | kind, score | B's sentences),
    unlinked sentences on rows of their own, in B's order with A's leftovers at their place.

    Article text is untrusted: it is passed as ``rich.text.Text``, never parsed as markup.
    """
    from rich.table import Table
    from rich.text import Text

    al = alignment
    table = Table(show_lines=True, expand=True, title=Text(f"{al.a_id}  ↔  {al.b_id}"))
    table.add_column(Text(al.a_id), ratio=5, overflow="fold")
    table.add_column("link", ratio=1, justify="center")
    table.add_column(Text(al.b_id), ratio=5, overflow="fold")
    linked_a = {i for lk in al.links for i in lk.a}
    by_b = {lk.b[0]: lk for lk in al.links}
    done_a: set[int] = set()
    next_a = 0

    def flush_a(upto: int) -> None:
        nonlocal next_a
        while next_a < upto:
            if next_a not in linked_a and show_unlinked:
                table.add_row(Text(al.a_sentences[next_a], style="dim"), Text("—", style="dim"), Text(""))
            next_a += 1

    skip_b: set[int] = set()
    for j in range(len(al.b_sentences)):
        if j in skip_b:
            continue
        lk = by_b.get(j)
        if lk is None:
            if show_unlinked:
                table.add_row(Text(""), Text("own", style="dim"), Text(al.b_sentences[j], style="bold"))
            continue
        if lk.a and min(lk.a) >= next_a:
            flush_a(min(lk.a))
        skip_b.update(lk.b)
        done_a.update(lk.a)
        style = "dim" if lk.weak else STYLES.get(lk.kind, "white")
        a_text = Text(" ".join(al.a_sentences[i] for i in lk.a), style=style)
        b_text = Text(" ".join(al.b_sentences[k] for k in lk.b), style=style)
        label = f"{'weak ' if lk.weak else ''}{lk.kind}\n{lk.score:.2f}"
        table.add_row(a_text, Text(label, style=style), b_text)
    flush_a(len(al.a_sentences))
    console.print(table)
    shares = ", ".join(f"{k} {al.share('b', (k,)):.0%}" for k in STYLES)
    console.print(Text(f"{al.b_id}: {al.share('b'):.0%} of its text linked to {al.a_id} ({shares})"))


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def md_escape(text: str) -> str:
    """Escape untrusted text for Markdown (tables included)."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def render_markdown(prov: Any, titles: dict[str, str] | None = None) -> str:
    """A report.md section for one story's provenance (``StoryProvenance``)."""
    titles = titles or {}
    lines = ["### Provenance", ""]
    if prov.original is None:
        lines.append("No article or credited wire stands out as the original.")
    elif prov.original_in_corpus:
        lines.append(f"Likely original: **{md_escape(prov.original)}** {md_escape(titles.get(prov.original, ''))}")
    else:
        wire = prov.original.split(":", 1)[1]
        name = next((w["name"] for w in prov.wires if w["wire"] == wire), wire)
        lines.append(f"Likely original: a **{md_escape(name)}** story that is not among these articles.")
    lines += ["", "| article | grade | reused | own | parent | confidence |", "|---|---|---|---|---|---|"]
    for a in prov.articles:
        label = md_escape(a.article_id + (f" {titles[a.article_id]}" if titles.get(a.article_id) else ""))
        lines.append(
            f"| {label} | {a.grade} | {a.reused_share:.0%} | {1 - a.reused_share:.0%} | "
            f"{md_escape(a.parent or '—')} | {a.confidence:.2f} |"
        )
    lines.append("")
    for a in prov.articles:
        if a.evidence:
            lines.append(f"- **{md_escape(a.article_id)}**: " + "; ".join(md_escape(e["detail"]) for e in a.evidence))
    return "\n".join(lines) + "\n"
