"""Only in one outlet: the sentences, quotes and facts of a story that no other outlet carries."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from storyline.digest.context import Ctx
from storyline.digest.quotes import Ledger
from storyline.digest.text import words

ONLY_IN_SIM = 0.62  # a sentence this close to another outlet's is carried there too, in other words


def only_in(
    ctx: Ctx, info: dict[int, dict[str, Any]], ledger: Ledger, fact_list: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Per outlet, what no other outlet carries; empty for a story of one outlet, where that would be
    the whole story again."""
    outlets = sorted(set(ctx.outlets))
    if len(outlets) < 2:
        return {}
    quotes = ledger.quotes
    out: dict[str, dict[str, Any]] = {o: {"sentences": [], "quotes": [], "facts": []} for o in outlets}
    quoted_units = {u for us in ledger.units for u in us}
    outlet_of = np.array([ctx.outlets[a] for a, _ in ctx.cand])
    picked: list[tuple[tuple[int, int], str, str]] = []
    for _lab, inf in info.items():
        outs = {ctx.outlets[a] for a in inf["arts"]}
        if len(outs) != 1:
            continue
        o = next(iter(outs))
        for i in sorted(inf["members"], key=lambda i: ctx.cand[i]):
            if ctx.cand[i] in quoted_units and len(words(ctx.texts[i])) < 8:
                continue
            # not even a loose rendering elsewhere: the cluster threshold is strict, this one is not
            others = ctx.sim[i][outlet_of != o]
            if others.size and float(others.max()) >= ONLY_IN_SIM:
                continue
            picked.append((ctx.cand[i], o, ctx.texts[i]))
            break
    for _, o, text in sorted(picked):  # in the order of the article
        out[o]["sentences"].append(text)
    for q in quotes:
        if len(q["outlets"]) == 1:
            out[q["outlets"][0]]["quotes"].append({"id": q["id"], "speaker": q["speaker"], "text": q["text"]})
    carried: dict[tuple[str, str], set[str]] = defaultdict(set)  # a value anywhere in the story
    for f in fact_list:
        for v in f["values"]:
            carried[(f["kind"], v["normalised"])].update(v["outlets"])
    for f in fact_list:
        for v in f["values"]:
            if len(v["outlets"]) != 1:
                continue
            if f["status"] == "single" and len(carried[(f["kind"], v["normalised"])]) != 1:
                continue  # the same value is reported elsewhere, in words the matcher did not pair
            if f["status"] not in ("single", "conflict", "update"):
                continue
            out[v["outlets"][0]]["facts"].append(
                {
                    "id": f.get("id"),
                    "kind": f["kind"],
                    "about": f["about"],
                    "value": v["value"],
                    "normalised": v["normalised"],
                    "status": f["status"],
                }
            )
    return out
