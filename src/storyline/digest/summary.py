"""The summary: 5-10 sentences a story's outlets carry, in narrative order.

Chosen by PageRank over the sentence clusters (:attr:`Ctx.labels`), personalised by
the number of independent reports carrying each cluster, then maximal marginal
relevance so that it does not repeat itself; a copied wire story weighs as one report.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from storyline.digest.context import Ctx, block
from storyline.digest.quotes import find_quotes
from storyline.digest.text import words


def summary(ctx: Ctx, speaker_of_unit: dict[tuple[int, int], str]) -> tuple[list[dict[str, Any]], dict]:
    members: dict[int, list[int]] = defaultdict(list)
    for i, lab in enumerate(ctx.labels):
        members[lab].append(i)
    info: dict[int, dict[str, Any]] = {}
    for lab, idx in members.items():
        arts = {ctx.cand[i][0] for i in idx}
        info[lab] = {"members": idx, "arts": arts, "reports": ctx.reports_of(arts)}
    if not members:
        return [], info
    labs = sorted(members)
    cent = np.stack([np.mean([ctx.vec(i) for i in members[lab]], axis=0) for lab in labs])
    cent /= np.maximum(np.linalg.norm(cent, axis=1, keepdims=True), 1e-9)
    w = np.clip(cent @ cent.T, 0, 1)
    np.fill_diagonal(w, 0)
    w[w < 0.3] = 0
    support = np.array([info[lab]["reports"] for lab in labs], dtype=float)
    pers = support / support.sum()
    rank = _pagerank(w, pers)
    # Quotations have their own ledger: a summary made only of them would not narrate.
    quoted = np.array([np.mean([_quoted_share(ctx.texts[i]) for i in members[lab]]) for lab in labs])
    score = rank * np.log1p(support) * (1.0 - 0.3 * (quoted > 0.6))
    n_arts = len({a for a, _ in ctx.cand})
    k = int(min(10, max(5, 4 + n_arts // 2), len(labs)))
    chosen: list[int] = []
    smax = float(score.max()) or 1.0
    cand = [j for j in range(len(labs)) if _representative(ctx, members[labs[j]]) is not None]
    while len(chosen) < k and cand:
        best = max(
            cand,
            key=lambda j: (
                0.7 * score[j] / smax - 0.3 * max((float(cent[j] @ cent[c]) for c in chosen), default=0.0)
            ),
        )
        cand.remove(best)
        if chosen and max(float(cent[best] @ cent[c]) for c in chosen) > 0.85:
            continue
        chosen.append(best)

    # Narrative order: where the sentences sit in their articles.
    def position(j: int) -> float:
        ps = []
        for i in members[labs[j]]:
            a, u = ctx.cand[i]
            ps.append(u / max(len(ctx.docs[a]), 1))
        return float(np.mean(ps))

    out = []
    for j in sorted(chosen, key=position):
        lab = labs[j]
        rep = _representative(ctx, members[lab])
        assert rep is not None
        arts = info[lab]["arts"]
        a, u = ctx.cand[rep]
        n_rep = info[lab]["reports"]
        info[lab]["summary"] = True
        out.append(
            {
                "text": ctx.texts[rep],
                "article_id": ctx.arts[a].id,
                "outlet": ctx.outlets[a],
                "outlets": ctx.outlets_of(arts),
                "articles": sorted(ctx.arts[x].id for x in arts),
                "reports": n_rep,
                "label": ctx.label(arts),
                "variants": sorted({ctx.texts[i] for i in members[lab]} - {ctx.texts[rep]}),
                "speaker": speaker_of_unit.get((a, u)),
            }
        )
    return out, info


def _quoted_share(text: str) -> float:
    """How much of a unit is inside quotation marks."""
    inside = sum(e - s for s, e, _ in find_quotes(text))
    return inside / max(len(text), 1)


def _pagerank(w: np.ndarray, pers: np.ndarray, d: float = 0.85, iters: int = 60) -> np.ndarray:
    n = len(w)
    deg = w.sum(1, keepdims=True)
    p = np.where(deg > 0, w / np.maximum(deg, 1e-12), 1.0 / n)
    r = np.full(n, 1.0 / n)
    for _ in range(iters):
        r = (1 - d) * pers + d * (p.T @ r)
    return r


def _representative(ctx: Ctx, idx: list[int]) -> int | None:
    """The wording to show: an original's (not a spun copy's), central, with balanced quotes."""
    best, score = None, -1e9
    rows = None if isinstance(ctx.sim, np.ndarray) or len(idx) < 2 else block(ctx.sim, idx)
    for k, i in enumerate(idx):
        a, _ = ctx.cand[i]
        t = ctx.texts[i]
        if len(words(t)) < 8 or t.rstrip()[-1:] not in ".!?”\"’'":
            continue
        if rows is not None:
            s = float(np.mean(rows[k]))
        else:
            s = float(np.mean([ctx.sim[i, j] for j in idx])) if len(idx) > 1 else 0.0
        if ctx.grades[a] == "spun":
            s -= 1.0
        if (t.count("“") != t.count("”")) or t.count('"') % 2:
            s -= 0.5
        if ctx.report[a] == ctx.arts[a].id:
            s += 0.05
        if s > score + 1e-6:  # near-ties (float noise) keep the first
            best, score = i, s
    return best
