"""Server-side pieces of the story pages: sentence alignment view, coverage matrix, derivation graph.

Everything here takes stored JSON that may be partial (provenance and digests
come from other stages and may lack fields) and returns plain data or escaped
markup. Article text is untrusted: every string that reaches markup goes
through ``escape``; nothing here emits event handlers or inline styles, so the
page's Content-Security-Policy can forbid both.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

KINDS = ("verbatim", "edited", "paraphrase", "weak")  # weak: a best match below the paraphrase decision
GRADES = ("original", "verbatim", "light-rewrite", "spun", "independent")

_SPLIT = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")


def _simple_split(text: str) -> list[str]:
    out: list[str] = []
    for para in re.split(r"\n\s*\n|\n", text):
        para = " ".join(para.split())
        if para:
            out.extend(s for s in _SPLIT.split(para) if s.strip())
    return out


def _splitter() -> Callable[[str], list[str]]:
    try:
        from storyline.provenance import split_sentences  # type: ignore[attr-defined]

        return split_sentences
    except ImportError:
        pass
    try:
        from storyline.provenance.sentences import split_sentences

        return split_sentences
    except ImportError:
        return _simple_split


def split_sentences(text: str) -> list[str]:
    """The sentences provenance alignments index into (the provenance stage's splitter when present)."""
    return list(_splitter()(text or ""))


def safe_url(url: str | None) -> str | None:
    """The URL if it is plain http(s), else None (so javascript:, data: and the like are never links)."""
    if not url or not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


# -- side by side ------------------------------------------------------------------------------


@dataclass
class Side:
    article: dict[str, Any]
    sentences: list[str]
    marks: dict[int, tuple[str, int]] = field(default_factory=dict)  # sentence -> (kind, link number)

    def share(self) -> float:
        """Share of sentences that render the other side (weak matches do not count)."""
        shared = sum(1 for kind, _ in self.marks.values() if kind != "weak")
        return shared / len(self.sentences) if self.sentences else 0.0


def _words(s: str) -> set[str]:
    return set(re.findall(r"\w+", s.casefold()))


def fallback_links(a: Sequence[str], b: Sequence[str], min_jaccard: float = 0.5) -> list[dict[str, Any]]:
    """Sentence links when provenance has none: identical sentences (verbatim), close word sets (edited).

    Candidate pairs come from an inverted index of rarer words, so this stays
    near-linear in the number of sentences.
    """
    norm_b: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(b):
        norm_b[" ".join(s.casefold().split())].append(j)
    wb = [_words(s) for s in b]
    index: dict[str, list[int]] = defaultdict(list)
    for j, ws in enumerate(wb):
        for w in ws:
            index[w].append(j)
    used_b: set[int] = set()
    links: list[dict[str, Any]] = []
    for i, s in enumerate(a):
        key = " ".join(s.casefold().split())
        hit = next((j for j in norm_b.get(key, []) if j not in used_b), None)
        if hit is not None:
            used_b.add(hit)
            links.append({"a": [i], "b": [hit], "kind": "verbatim", "score": 1.0})
            continue
        wa = _words(s)
        if len(wa) < 4:
            continue
        counts: dict[int, int] = defaultdict(int)
        for w in wa:
            post = index.get(w, ())
            if len(post) <= 50:
                for j in post:
                    counts[j] += 1
        best, best_score = None, 0.0
        for j, _ in sorted(counts.items(), key=lambda kv: -kv[1])[:20]:
            if j in used_b:
                continue
            jac = len(wa & wb[j]) / len(wa | wb[j])
            if jac > best_score:
                best, best_score = j, jac
        if best is not None and best_score >= min_jaccard:
            used_b.add(best)
            links.append({"a": [i], "b": [best], "kind": "edited", "score": round(best_score, 3)})
    return links


def _ints(v: Any) -> list[int]:
    if isinstance(v, int) and not isinstance(v, bool):
        return [v]
    if isinstance(v, list):
        return [x for x in v if isinstance(x, int) and not isinstance(x, bool)]
    return []


def stored_links(provenance: dict[str, Any] | None, a_id: str, b_id: str) -> list[dict[str, Any]] | None:
    """The provenance stage's sentence links between two articles (oriented a -> b), or None."""
    if not isinstance(provenance, dict):
        return None
    for al in provenance.get("alignments") or []:
        if not isinstance(al, dict):
            continue
        flip = al.get("a") == b_id and al.get("b") == a_id
        if not flip and not (al.get("a") == a_id and al.get("b") == b_id):
            continue
        out = []
        for link in al.get("links") or []:
            if not isinstance(link, dict):
                continue
            la, lb = _ints(link.get("a")), _ints(link.get("b"))
            if flip:
                la, lb = lb, la
            kind = link.get("kind") if link.get("kind") in KINDS else "edited"
            if link.get("weak") is True:
                kind = "weak"  # shown apart: not counted as reuse by provenance either
            out.append({"a": la, "b": lb, "kind": kind, "score": link.get("score")})
        return out
    return None


def side_by_side(
    a: dict[str, Any], b: dict[str, Any], provenance: dict[str, Any] | None
) -> tuple[Side, Side, list[dict[str, Any]], str]:
    """Both articles split into sentences, each aligned sentence marked with its kind and link number.

    Returns (side a, side b, links, where the links came from: "provenance" or "computed").
    """
    sa = Side(a, split_sentences(a.get("text", "")))
    sb = Side(b, split_sentences(b.get("text", "")))
    links = stored_links(provenance, a["id"], b["id"])
    origin = "provenance"
    if links is None:
        links = fallback_links(sa.sentences, sb.sentences)
        origin = "computed"
    for n, link in enumerate(links, 1):
        for i in link["a"]:
            if 0 <= i < len(sa.sentences):
                sa.marks.setdefault(i, (link["kind"], n))
        for j in link["b"]:
            if 0 <= j < len(sb.sentences):
                sb.marks.setdefault(j, (link["kind"], n))
    return sa, sb, links, origin


def source_of(provenance: dict[str, Any] | None, article_id: str) -> str | None:
    """The article this one was derived from, per provenance (its parent, else the story's original)."""
    if not isinstance(provenance, dict):
        return None
    for rec in provenance.get("articles") or []:
        if (
            isinstance(rec, dict)
            and rec.get("article_id") == article_id
            and isinstance(rec.get("parent"), str)
        ):
            return rec["parent"]
    for e in provenance.get("edges") or []:
        if isinstance(e, dict) and e.get("target") == article_id and isinstance(e.get("source"), str):
            return e["source"]
    orig = provenance.get("original")
    if isinstance(orig, str) and orig != article_id:
        return orig
    return None


# -- coverage matrix ---------------------------------------------------------------------------


@dataclass
class Matrix:
    outlets: list[str]
    columns: list[dict[str, Any]]  # {label, kind: fact|quote, conflict: bool}
    cells: list[list[dict[str, Any]]]  # per outlet, per column: {text, cls, title}
    truncated: int = 0


def _outlets(v: Any) -> list[str]:
    return [o for o in v if isinstance(o, str)] if isinstance(v, list) else []


def coverage(digest: dict[str, Any] | None, outlets: Sequence[str], max_columns: int = 40) -> Matrix | None:
    """Which outlet reports which fact (and which value of it) and which quote (and which wording)."""
    if not isinstance(digest, dict):
        return None
    cols: list[dict[str, Any]] = []
    per_col: list[dict[str, tuple[str, str, str]]] = []
    for f in digest.get("facts") or []:
        if not isinstance(f, dict):
            continue
        values = [v for v in f.get("values") or [] if isinstance(v, dict)]
        conflict = len(values) > 1 or f.get("status") == "conflict"
        m: dict[str, tuple[str, str, str]] = {}
        for v in values:
            text = str(v.get("value", ""))
            for o in _outlets(v.get("outlets")):
                m.setdefault(o, (text, "conflict" if conflict else "agree", text))
        cols.append({"label": str(f.get("kind", "fact")), "kind": "fact", "conflict": conflict})
        per_col.append(m)
    for q in digest.get("quotes") or []:
        if not isinstance(q, dict):
            continue
        variants = [v for v in q.get("variants") or [] if isinstance(v, dict)]
        m = {}
        for k, v in enumerate(variants):
            letter = chr(ord("A") + k) if k < 26 else str(k + 1)
            for o in _outlets(v.get("outlets")):
                cls = "altered" if len(variants) > 1 else "agree"
                m.setdefault(o, (letter, cls, str(v.get("text", ""))))
        for o in _outlets(q.get("outlets")):
            m.setdefault(o, ("✓", "agree", ""))
        cols.append(
            {
                "label": str(q.get("speaker") or "quote"),
                "kind": "quote",
                "conflict": bool(q.get("altered")) or len(variants) > 1,
            }
        )
        per_col.append(m)
    if not cols:
        return None
    truncated = max(0, len(cols) - max_columns)
    cols, per_col = cols[:max_columns], per_col[:max_columns]
    names = list(outlets) or sorted({o for m in per_col for o in m})
    # A wire missing from the corpus gets a row of its own: what its copies carry is what it sent.
    for row, copies in _wire_rows(digest).items():
        for m in per_col:
            carried = next((m[o] for o in copies if o in m), None)
            if carried is not None:
                m[row] = carried
        names.append(row)
    cells = [
        [
            {"text": m[o][0], "cls": m[o][1], "title": m[o][2]}
            if o in m
            else {"text": "—", "cls": "absent", "title": ""}
            for m in per_col
        ]
        for o in names
    ]
    return Matrix(names, cols, cells, truncated)


def _wire_rows(digest: dict[str, Any]) -> dict[str, list[str]]:
    """Row name ("Reuters (wire, not in corpus)") -> the outlets of the copies of each missing wire."""
    from storyline.provenance.credits import display

    rows: dict[str, list[str]] = {}
    for a in digest.get("articles") or []:
        report = a.get("report") if isinstance(a, dict) else None
        if isinstance(report, str) and report.startswith("wire:") and isinstance(a.get("outlet"), str):
            rows.setdefault(f"{display(report[5:])} (wire, not in corpus)", []).append(a["outlet"])
    return rows


# -- derivation graph --------------------------------------------------------------------------


def _pct(p: Any) -> str:
    """", 57%" for a probability, "" for anything else."""
    if isinstance(p, (int, float)) and not isinstance(p, bool) and math.isfinite(p):
        return f", {p:.0%}"
    return ""


def derivation_svg(
    provenance: dict[str, Any] | None,
    articles: Sequence[dict[str, Any]],
    link: Callable[[str], str],
    max_nodes: int = 60,
) -> Markup | None:
    """The derivation graph as inline SVG: who copied whom, coloured by grade, nodes link to the comparison.

    Layout is layered: the original on the left, each article one column right of
    its source; independent articles with no source sit in the first column.
    """
    if not isinstance(provenance, dict):
        return None
    info = {a["id"]: a for a in articles}
    recs = {
        r["article_id"]: r
        for r in provenance.get("articles") or []
        if isinstance(r, dict) and isinstance(r.get("article_id"), str)
    }
    edges = []
    for e in provenance.get("edges") or []:
        if isinstance(e, dict) and isinstance(e.get("source"), str) and isinstance(e.get("target"), str):
            edges.append((e["source"], e["target"], str(e.get("grade", ""))))
    if not edges:
        edges = [
            (r["parent"], aid, str(r.get("grade", "")))
            for aid, r in recs.items()
            if isinstance(r.get("parent"), str)
        ]
    for aid, r in recs.items():  # a copy whose source is nowhere named hangs off an "unknown source" node
        if r.get("source") == "unknown-absent" and r.get("parent") is None:
            edges.append(("unknown-absent", aid, str(r.get("grade", ""))))
    nodes: list[str] = []
    for n in [provenance.get("original"), *recs, *(x for e in edges for x in e[:2])]:
        if isinstance(n, str) and n not in nodes:
            nodes.append(n)
    if not nodes:
        return None
    hidden = max(0, len(nodes) - max_nodes)
    nodes = nodes[:max_nodes]
    keep = set(nodes)
    edges = [e for e in edges if e[0] in keep and e[1] in keep and e[0] != e[1]]
    parents: dict[str, list[str]] = defaultdict(list)
    for s, t, _ in edges:
        parents[t].append(s)
    depth: dict[str, int] = {}
    roots = [n for n in nodes if not parents.get(n)] or nodes[:1]
    queue = deque((r, 0) for r in roots)
    children: dict[str, list[str]] = defaultdict(list)
    for s, t, _ in edges:
        children[s].append(t)
    while queue:
        n, d = queue.popleft()
        if (n in depth and depth[n] >= d) or d > len(nodes):
            continue
        depth[n] = d
        for c in children.get(n, []):
            queue.append((c, d + 1))
    for n in nodes:
        depth.setdefault(n, 0)
    layers: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        layers[depth[n]].append(n)
    w, h, gx, gy, pad = 170, 44, 70, 18, 10
    rows = max(len(v) for v in layers.values())
    width = pad * 2 + (max(layers) + 1) * w + max(layers) * gx
    height = pad * 2 + rows * h + (rows - 1) * gy + (18 if hidden else 0)
    pos = {}
    for d, ns in layers.items():
        for i, n in enumerate(ns):
            pos[n] = (pad + d * (w + gx), pad + i * (h + gy))
    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 {width} {height}" '
            f'width="{width}" height="{height}" role="img" aria-labelledby="graph-title">'
        ),
        '<title id="graph-title">Derivation graph</title>',
        (
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
            'markerHeight="7" '
            'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
        ),
    ]
    for s, t, grade in edges:
        (x1, y1), (x2, y2) = pos[s], pos[t]
        if x2 > x1:
            ax, ay, bx, by = x1 + w, y1 + h / 2, x2, y2 + h / 2
        else:  # same or earlier column: route from the bottom edge
            ax, ay, bx, by = x1 + w / 2, y1 + h, x2 + w / 2, y2
        gcls = grade if grade in GRADES else "other"
        out.append(
            f'<line class="edge grade-{gcls}" x1="{ax:.0f}" y1="{ay:.0f}" x2="{bx:.0f}" y2="{by:.0f}" '
            f'marker-end="url(#arrow)"><title>{escape(s)} → {escape(t)}: {escape(grade)}</title></line>'
        )
    for n in nodes:
        x, y = pos[n]
        rec = recs.get(n, {})
        grade = "original" if n == provenance.get("original") else str(rec.get("grade", ""))
        gcls = grade if grade in GRADES else "other"
        outlet = str(info.get(n, {}).get("outlet") or _node_name(n))
        label = outlet if len(outlet) <= 22 else outlet[:21] + "…"
        # a grade the grader itself doubts (grade_low_confidence) is marked "?", with its probability on hover
        low = n != provenance.get("original") and bool(grade) and rec.get("grade_low_confidence") is True
        sub = (grade + "?" if low else grade) or "?"
        said = grade + (" (low confidence" + _pct(rec.get("grade_probability")) + ")" if low else "")
        share = rec.get("reused_share")
        if isinstance(share, (int, float)) and not isinstance(share, bool) and math.isfinite(share):
            sub += f" · {share:.0%} reused"
        if n not in info:
            sub += " · not in corpus"
        inner = (
            f'<g class="node grade-{gcls}{"" if n in info else " external"}{" low-confidence" if low else ""}" '
            f'data-id="{escape(n)}">'
            f"<title>{escape(outlet)} ({escape(n)}): {escape(said)}</title>"
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="6"/>'
            f'<text x="{x + 8}" y="{y + 18}" class="label">{escape(label)}</text>'
            f'<text x="{x + 8}" y="{y + 35}" class="sub">{escape(sub)}</text></g>'
        )
        # a source outside the corpus (an original only cited) is drawn but has no page to link to
        out.append(f'<a href="{escape(link(n))}" class="node-link">{inner}</a>' if n in info else inner)
    if hidden:
        out.append(f'<text x="{pad}" y="{height - 4}" class="sub">{hidden} more not drawn</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _node_name(n: str) -> str:
    """A node outside the corpus: the wire by name, or the unknown source of uncredited copies."""
    from storyline.provenance.credits import display

    if n.startswith("wire:"):
        return f"{display(n[5:])} (wire)"
    return "unknown source" if n == "unknown-absent" else n


def compare_url(story_id: str, a: str, b: str | None = None) -> str:
    url = f"/stories/{quote(story_id, safe='')}/compare?a={quote(a, safe='')}"
    if b:
        url += f"&b={quote(b, safe='')}"
    return url
