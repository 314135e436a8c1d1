"""Fit the reuse grader (storyline.provenance.grader) and write its parameters to the package.

    python bench/fit_grader.py              # collect the evidence (cached), fit, score left out, write grader.json
    python bench/fit_grader.py --refresh    # collect the evidence again (after a change to the features)
    python bench/fit_grader.py --dry-run    # fit and score, write nothing

(A generated set the cached evidence lacks, one added since, is collected alone and added to it.)

The grader is a multinomial logistic regression over the evidence the grade rules use
(storyline.provenance.grader.FEATURES: shares over the whole text and over the common span,
spin signals, credits and datelines, furniture, what the peers share, the rules' own grade),
measured by storyline.provenance.story.analyse_story for every article against the article it
is compared with. It is fitted on

* generated stories, even ECB+ topics only (bench/bench_provenance.py --split even: derived
  copies with known grades), once as generated, once as web pages come (``--web``: cut
  short, in page furniture, machine rewrites among the spun copies) and once as real events come
  (``--absent``: several reports, none in the story, each reached only through a few copies, so
  that what a copy shares with its story has the levels it has on real pages, not the ~1.0 of a
  story holding its original), and once as wire reports in several versions come (``--versions``: a
  first take and write-throughs, each version reached through copies of its own, so that a verbatim
  copy is compared with copies of another version, as real wire copies are); the odd topics are never
  fitted on and stay the held-out split;
* the 245 hand-labelled real pages of 19 events (bench/realdata/recipe.json, the first 54, texts
  from ../shared/data/realdata/provenance-pages.jsonl; bench/realdata/provenance-more-*.json, texts
  git-ignored; ``--set base`` for the first 54 alone) and the seed story (../shared/data/seed-story,
  five rewrites of one Reuters story: 002 spun, the others light rewrites; in every model's
  training, weighing as SEED_EVENTS events of real pages, never scored here), the real pages
  together weighing 0.25-2 times the generated ones (chosen with C).

Every real figure reported is left out: leave-one-event-out, each event's pages graded by a
model fitted without that event, whose hyperparameters (C, the real pages' weight) were chosen
by leave-one-event-out over the other events only (nested; among the choices that keep the
grade macro-F1 on the plain generated stories at GENERATED_MIN, see :func:`choose`). Those models
are stored with the shipped one (``leave_one_event_out`` in grader.json) so that tests and
bench/eval_provenance_real.py can score the left-out figures without refitting. The shipped
model is fitted on everything (hyperparameters by leave-one-event-out over all events).
The hand-written rules alone are scored in the same run for comparison, and, where their texts are
present, the held-out events (bench/realdata/provenance-heldout-*.json: never fitted on, never used to
choose) are graded by the model being shipped, the one figure here no choice has seen. The last line
printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import bench_provenance
import eval_provenance_real as real

from storyline.provenance import grader as gr

CACHE = BENCH / "results" / "grader-evidence.json"
GRADES = gr.GRADES
# The model reads a compact part of the evidence: the rules' own grade (what their thresholds, credit and
# brief conditions make of it all), where the article sits, the shares over the whole text and over the
# common span, what its peers share, the spin signals and the credits; near-duplicates of these are left
# out. (Without the rules' grade the left-out real-page macro-F1 was 0.564; with it 0.613.) Against the
# union of the story's other articles: the 5-gram share, over the span, sentences found nearly whole, their
# depth, siblings sharing an 8-word run; and a dateline opening the text. union_names is left out: a lone
# article of a two-article story has none of its names elsewhere, far below any level fitted on, and the
# model extrapolates it into "independent" (a brief crediting a wire with no sibling then lost its grade).
MODEL_FEATURES = (
    "rule_verbatim", "rule_light_rewrite", "rule_spun", "rule_independent",
    "has_parent", "has_children", "outlet_is_wire", "words",
    "reuse", "verbatim", "edited", "paraphrase",
    "span_reuse", "span_verbatim", "span_covered", "span_links",
    "peer_max_verbatim", "peer_max_span_verbatim", "peer_max_spin",
    "spin_score", "spin_odd", "spin_garbled",
    "credit", "credit_formal", "brief",
    "union_5", "union_span", "union_whole", "union_depth", "union_run_peers", "dateline",
)  # fmt: skip
C_GRID = (0.01, 0.03, 0.1, 0.3)
# (2.0, in the grid before, never kept the generated stories' macro-F1 at GENERATED_MIN; 0.35 sits between
# the two that do and the next that does not)
SHARE_GRID = (0.25, 0.35, 0.5, 1.0)
# The grade macro-F1 on the generated stories (scored by the models being chosen) that a choice must keep:
# the real pages pull the boundaries away from what the generated stories teach, and the generated
# benchmark's held-out floors must hold. Among the choices that keep it, the best left out on the real pages.
GENERATED_MIN = 0.95
SEED_EVENTS = 3.0
LOW_CONFIDENCE = gr.LOW_CONFIDENCE
SEED = 13
# The generated stories fitted on (name, web, absent, versions; bench/bench_provenance.py's modes).
GENERATED_SETS = (
    ("generated", False, False, False),
    ("generated-web", True, False, False),
    ("generated-absent", True, True, False),
    ("generated-versions", True, False, True),
)


def collect(refresh: bool, which: str = "all") -> dict:
    """Per-article evidence and labels: generated (even topics, plain and web-like) and real pages."""
    cache = CACHE.with_name(f"grader-evidence-{which}.json")
    old: list[dict] = []
    if cache.exists() and not refresh:
        data = json.loads(cache.read_text())
        if data.get("features") == list(gr.FEATURES):
            old = data["rows"]
    have = {r["set"] for r in old}
    if have >= {name for name, *_ in GENERATED_SETS} | {"real", "seed"}:
        return data
    # a set the cache lacks (one added since) is collected alone; the others are kept
    rows = [r for r in old if r["set"] in {name for name, *_ in GENERATED_SETS}]
    for name, web, absent, versions in GENERATED_SETS:
        if name in have:
            continue
        t = time.perf_counter()
        res = bench_provenance.run(None, SEED, "even", False, rules=True, web=web, absent=absent, versions=versions)
        for d in res["_dump"]:
            rows.append({"set": name, "group": d["story"], "id": d["id"],
                         "label": d["truth"], "rule": d["rule_grade"], "x": [d["features"][f] for f in gr.FEATURES]})  # fmt: skip
        print(f"{name} even: {len(res['_dump'])} articles, {time.perf_counter() - t:.0f} s", file=sys.stderr)
    if {"real", "seed"} <= have:
        rows += [r for r in old if r["set"] in ("real", "seed")]
    else:
        records = real.load_all(which=which)
        pages = real.analyse_pages(records, rules=True)
        for r in records:
            a = pages[r["id"]]
            rows.append({"set": "real", "group": r["event"], "id": r["id"], "label": r["kind"], "rule": a.rule_grade,
                         "x": [a.features[f] for f in gr.FEATURES]})  # fmt: skip
        for a, label in seed_story():
            rows.append({"set": "seed", "group": "seed-story", "id": a.article_id, "label": label,
                         "rule": a.rule_grade, "x": [a.features[f] for f in gr.FEATURES]})  # fmt: skip
    data = {"features": list(gr.FEATURES), "rows": rows}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(data))
    return data


def seed_story() -> list[tuple]:
    """The seed story (../shared/data/seed-story: five rewrites of one Reuters story, 002 spun, the
    others light rewrites) as the rules see it: (ArticleProvenance, label) per article."""
    from storyline.clean import Cleaner
    from storyline.model import Article
    from storyline.provenance import analyse_story

    folder = BENCH.parent.parent / "shared" / "data" / "seed-story"
    arts = []
    for f in sorted(folder.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.strip())
        arts.append(Article(id=f.stem.split("_")[0], title=lines[k].strip(), text="\n".join(lines[k + 1 :])))
    if not arts:
        return []
    with gr.using(None):
        prov = analyse_story(Cleaner().fit_transform(arts))
    return [(a, "spun" if a.article_id == "002" else "light-rewrite") for a in prov.articles]


def macro_f1(y: list[str], p: list[str]) -> float:
    return real.macro_f1(list(zip(y, p)))


def fit(rows: list[dict], c: float, real_share: float) -> gr.Grader:
    """A multinomial logistic regression on ``rows`` (real pages weighted to ``real_share`` of the rest)."""
    from sklearn.linear_model import LogisticRegression

    cols = [gr.FEATURES.index(f) for f in MODEL_FEATURES]
    x = np.array([[r["x"][k] for k in cols] for r in rows], dtype=float)
    y = np.array([r["label"] for r in rows])
    is_real = np.array([r["set"] in ("real", "seed") for r in rows])
    is_seed = np.array([r["set"] == "seed" for r in rows])
    w = np.ones(len(rows))
    if is_real.any() and (~is_real).any():
        w[is_real] = real_share * (~is_real).sum() / is_real.sum()
        # the seed story (the example every grade must get right) weighs as SEED_EVENTS events of real
        # pages do, whatever the number of real pages
        events = len({r["group"] for r in rows if r["set"] == "real"}) or 1
        w[is_seed] = SEED_EVENTS * real_share * (~is_real).sum() / events / max(1, is_seed.sum())
    # every grade weighs the same in total (macro-F1 is what is scored)
    for g in GRADES:
        m = y == g
        if m.any():
            w[m] *= w.sum() / len(GRADES) / w[m].sum()
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w / w.mean())
    classes = [str(k) for k in model.classes_]
    return gr.Grader(
        features=MODEL_FEATURES,
        classes=tuple(classes),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(tuple(round(float(v), 6) for v in row) for row in model.coef_),
        intercept=tuple(round(float(v), 6) for v in model.intercept_),
        low_confidence=LOW_CONFIDENCE,
    )


def predict(g: gr.Grader, rows: list[dict]) -> list[tuple[str, float]]:
    out = []
    for r in rows:
        probs = g.probabilities(dict(zip(gr.FEATURES, r["x"])))
        k = max(probs, key=lambda c: (probs[c], c == r["rule"]))
        out.append((k, probs[k]))
    return out


_FITTED: dict[tuple, tuple[gr.Grader, float, float]] = {}


def choose(gen: list[dict], reals: list[dict]) -> tuple[float, float, float]:
    """(C, real share, score): among the pairs whose models keep the grade macro-F1 on the plain generated
    stories at :data:`GENERATED_MIN` or above (scored by the same models, which fit them too: with 25
    features and some 650 stories, close to a held-out figure), the best leave-one-event-out over
    ``reals``; if none keeps it, the best on the mean of the two (the generated ones as generated and
    as web pages) so that the real pages do not pull the grader away from what the generated stories teach."""
    events = sorted({r["group"] for r in reals})
    scored = [r for r in gen if r["set"] != "seed"]
    plain = [r for r in gen if r["set"] == "generated"]
    best = fallback = (-1.0, 0.0, 0.0)
    for c in C_GRID:
        for share in SHARE_GRID:
            y, p, fg, fp = [], [], [], []
            for e in events:
                test = [r for r in reals if r["group"] == e]
                train = [r for r in reals if r["group"] != e]
                # the same training set comes back in other outer folds (events e and f left out, in
                # either order): fitted and scored on the generated stories once
                key = (len(gen), frozenset(r["group"] for r in train), len(train), c, share)
                if key not in _FITTED:
                    g = fit(gen + train, c, share)
                    _FITTED[key] = (
                        g,
                        macro_f1([r["label"] for r in scored], [k for k, _ in predict(g, scored)]),
                        macro_f1([r["label"] for r in plain], [k for k, _ in predict(g, plain)]),
                    )
                g, f_scored, f_plain = _FITTED[key]
                y += [r["label"] for r in test]
                p += [k for k, _ in predict(g, test)]
                fg.append(f_scored)
                fp.append(f_plain)
            f = macro_f1(y, p)
            if sum(fp) / len(fp) >= GENERATED_MIN and f > best[0] + 1e-9:
                best = (f, c, share)
            mixed = (f + sum(fg) / len(fg)) / 2
            if mixed > fallback[0] + 1e-9:
                fallback = (mixed, c, share)
    chosen = best if best[0] >= 0 else fallback
    return chosen[1], chosen[2], chosen[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refresh", action="store_true", help="collect the evidence again (else the cache is used)")
    ap.add_argument("--dry-run", action="store_true", help="do not write grader.json")
    ap.add_argument("--no-real", action="store_true", help="fit on the generated stories alone")
    ap.add_argument("--set", choices=["base", "all"], default="all",
                    help="the real pages fitted on and scored: all, every labelled set present (245 pages of "
                         "19 events: the shipped grader); base, the first 54 only")
    args = ap.parse_args(argv)
    data = collect(args.refresh, args.set)
    rows = data["rows"]
    gen = [r for r in rows if r["set"] != "real"]  # the seed story is in every fold's training
    reals = [r for r in rows if r["set"] == "real"]
    events = sorted({r["group"] for r in reals})
    print(f"evidence: {len(gen)} generated articles ({Counter(r['label'] for r in gen)}), "
          f"{len(reals)} real pages of {len(events)} events", file=sys.stderr)  # fmt: skip

    # Leave one event out, hyperparameters chosen without it (nested).
    folds: dict[str, gr.Grader] = {}
    chosen: dict[str, tuple[float, float, float]] = {}
    for e in events:
        train_real = [] if args.no_real else [r for r in reals if r["group"] != e]
        c, share, inner = choose(gen, train_real) if train_real else (1.0, 0.0, 0.0)
        chosen[e] = (c, share, inner)
        folds[e] = fit(gen + train_real, c, share)
        print(f"  fold {e:34s} C={c:<5} real share={share:<4} inner F1 {inner:.3f}", file=sys.stderr)
    c, share, inner = choose(gen, reals) if not args.no_real else (1.0, 0.0, 0.0)
    shipped = fit(gen + ([] if args.no_real else reals), c, share)
    print(f"shipped: C={c} real share={share} (leave-one-event-out F1 when choosing {inner:.3f})", file=sys.stderr)

    # The left-out figures, parents and sources included, beside the rules alone, in the same run.
    records = real.load_all(which=args.set)
    fold_json = {e: g.to_json() for e, g in folds.items()}
    left = real.analyse_pages(records, graders=fold_json)
    rules = real.analyse_pages(records, rules=True)
    res = {}
    graded = [("left_out", records, left), ("rules", records, rules)]
    # the held-out events (bench/realdata/provenance-heldout-*.json, never read above): the model being
    # shipped on events nothing here was fitted or chosen on, beside the rules alone
    heldout = real.load_heldout()
    if heldout:
        ship = {e: shipped.to_json() for e in {r["event"] for r in heldout}}
        graded += [("heldout", heldout, real.analyse_pages(heldout, graders=ship)),
                   ("heldout_rules", heldout, real.analyse_pages(heldout, rules=True))]
    for name, recs, pages in graded:
        pred = {i: (a.grade, a.parent, real.predicted_source(a, pages)) for i, a in pages.items()}
        res[name] = {k: v for k, v in real.score(recs, pred).items() if k != "by_event"}
    sure = [(r["kind"], left[r["id"]]) for r in records]
    hi = [(k, a.grade) for k, a in sure if not a.low_confidence]
    lo = [(k, a.grade) for k, a in sure if a.low_confidence]
    res["left_out"]["confident_accuracy"] = round(sum(k == g for k, g in hi) / max(1, len(hi)), 4)
    res["left_out"]["low_confidence_pages"] = len(lo)
    res["left_out"]["low_confidence_accuracy"] = round(sum(k == g for k, g in lo) / max(1, len(lo)), 4)
    for name in ("left_out", "rules", "heldout", "heldout_rules"):
        if name not in res:
            continue
        r = res[name]
        print(f"{name:>9s}: grade macro-F1 {r['grade_macro_f1']:.3f}  spun F1 {r['spun_f1']:.3f}  accuracy "
              f"{r['grade_accuracy']:.3f}  copies attributed {r['copies_attributed']:.3f}  source "
              f"{r['source_accuracy']:.3f}  independent kept {r['independent_kept']:.3f}", file=sys.stderr)  # fmt: skip
    print(f"left-out grades with probability >= {LOW_CONFIDENCE}: {len(hi)} pages, accuracy "
          f"{res['left_out']['confident_accuracy']:.3f}; below: {len(lo)} pages, accuracy "
          f"{res['left_out']['low_confidence_accuracy']:.3f}", file=sys.stderr)  # fmt: skip

    by_set: dict[str, list] = defaultdict(list)
    for r, (k, _p) in zip(gen, predict(shipped, gen)):
        by_set[r["set"]].append((r["label"], k))
    res["shipped_in_sample"] = {s: round(real.macro_f1(v), 4) for s, v in sorted(by_set.items())}
    if not args.dry_run:
        out = shipped.to_json()
        out["fitted"] = {
            "by": "bench/fit_grader.py",
            "data": {
                "generated": len([r for r in gen if r["set"] == "generated"]),
                "generated_web": len([r for r in gen if r["set"] == "generated-web"]),
                "generated_absent": len([r for r in gen if r["set"] == "generated-absent"]),
                "generated_versions": len([r for r in gen if r["set"] == "generated-versions"]),
                "real_pages": 0 if args.no_real else len(reals),
            },
            "C": c,
            "real_share": share,
            "left_out": res["left_out"],
            "rules": res["rules"],
            **({"heldout": res["heldout"]} if "heldout" in res else {}),
        }
        out["leave_one_event_out"] = {
            e: {**g.to_json(), "C": chosen[e][0], "real_share": chosen[e][1]} for e, g in folds.items()
        }
        gr.PARAMS_FILE.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {gr.PARAMS_FILE}", file=sys.stderr)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
