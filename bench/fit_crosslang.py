"""Fit the cross-language pair decision on real multilingual coverage, scored with whole groups left out.

    python bench/fit_crosslang.py [--write] [--folds 5]

The decision for pairs that involve an article not in English
(:mod:`storyline.multilingual.match`) is a logistic model over a few features.
It is fitted here on the candidate pairs of two real sets:

- the multilingual set (``../shared/data/realdata/multilingual-pages.jsonl``,
  ``bench/realdata/multilingual.json``; each event its own group);
- the same-kind events set (``bench/realdata/sametopic-{a,b}.json``) and its parts c and d
  (``sametopic-c.json``, ``sametopic-d.json``), each given without their dates and again with
  them; groups of same-kind events close in time. Parts e and f (``sametopic-e.json``,
  ``sametopic-f.json``) are held out: never fitted on.

Cross-fitted figures: the groups are split into folds; every candidate pair is
scored by a model fitted without either of its articles' folds, then each whole
set is grouped by the pipeline's clustering and scored: pairwise precision,
recall and F1 over all pairs and over pairs of two languages. The probabilities
feed the clustering fitted for the English pair model, so their log-odds are
calibrated to it, scaled and shifted (:data:`SCALES`, :data:`SHIFTS`); a set is
scored with the calibration chosen on the other sets (the shipped model's: on all
of them). Beside them, the
same with the shipped model (fitted on everything: an upper bound) and with the
model the run started with. ``--write`` stores the model fitted on every pair in
``src/storyline/multilingual/pair_model.json``. The last line is JSON.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


class Set:
    def __init__(self, name: str, arts, groups: list[str]):
        import eval_multilingual as em

        from storyline.config import Config
        from storyline.multilingual import identify, match

        self.name = name
        self.cfg = Config()
        self.arts, _, self.m = em._group(arts, self.cfg, multilingual=False)
        identify(self.arts)
        self.gold = np.array([a.meta["story"] for a in self.arts])
        self.lang = np.array([a.meta.get("gold_lang") or a.lang for a in self.arts])
        gid = {a.id: g for a, g in zip(arts, groups)}
        self.groups = np.array([gid[a.id] for a in self.arts])
        self.sig = match.signals(self.arts, self.cfg.match.url_dates)
        self.mask = match.routed(self.arts)
        pairs = np.asarray(self.m.pairs, dtype=np.int64).reshape(-1, 2)
        self.involved = self.mask[pairs[:, 0]] | self.mask[pairs[:, 1]] if len(pairs) else np.zeros(0, bool)
        self.cand = match.candidates(self.sig, self.mask, pairs[self.involved], self.cfg.match.window_days)
        self.F = match.features(self.sig, self.cand)
        self.y = (self.gold[self.cand[:, 0]] == self.gold[self.cand[:, 1]]).astype(int)
        certain = {tuple(p) for p in pairs[self.involved & (np.asarray(self.m.probs) >= 1.0)].tolist()}
        self.certain = np.array([tuple(p) in certain for p in self.cand.tolist()], dtype=bool)

    def labels(self, probs: np.ndarray) -> np.ndarray:
        """The pipeline's stories with ``probs`` for the cross-language candidates."""
        from storyline.cluster.stage import group
        from storyline.verify.stage import Matching

        m = self.m
        pairs = np.asarray(m.pairs, dtype=np.int64).reshape(-1, 2)
        p = np.where(self.certain, 1.0, probs)
        out_pairs = np.concatenate([pairs[~self.involved], self.cand])
        out_probs = np.concatenate([np.asarray(m.probs, dtype=np.float64)[~self.involved], p])
        order = np.lexsort((out_pairs[:, 1], out_pairs[:, 0]))
        m2 = Matching(out_pairs[order], out_probs[order].astype(np.float32), np.zeros((len(order), 1), np.float32),
                      dict(m.counts), m.model, m.days, m.dated, m.published)
        return group(len(self.arts), m2, self.cfg, window=self.sig.window)

    def score(self, labels: np.ndarray) -> dict:
        from eval_sametopic import pairwise

        every = np.ones((len(labels), len(labels)), bool)
        cross = self.lang[:, None] != self.lang[None, :]
        return {"all": pairwise(self.gold, labels, every), "cross_language": pairwise(self.gold, labels, cross)}


def load_sets(with_dated: bool = True) -> list[Set]:
    import eval_multilingual as em
    import eval_sametopic as es

    from storyline.model import Article

    out = []
    path = em.data_file()
    if path.exists():
        arts = em.load(path)
        out.append(Set("multilingual", arts, [a.meta["story"] for a in arts]))
    from storyline.ingest import place_in_time

    parts = [("sametopic", es.data_files())] if es.data_files() else []
    parts += [(f"sametopic-{name}", files) for name, files in es.fitted_parts().items()]
    for base, files in parts:
        docs = es.load(files)
        g = {d["id"]: d.get("group") or d["story"] for d in docs}
        # as a new user gives them (no dates: each page placed in time by what it says), and as a feed
        # gives them (each with its labelled date): same-day pages of other events are negatives too
        for name, dated in ((base, False), (f"{base}-dated", True)):
            if dated and not with_dated:
                continue
            arts = [Article(id=d["id"], text=d["text"], title=d.get("title", ""), url=d.get("url", ""),
                            published=d.get("date") if dated else None,
                            meta={"story": d["story"], "gold_lang": d.get("lang")}) for d in docs]
            for a in arts:
                place_in_time(a)
            arts.sort(key=lambda a: a.id)
            out.append(Set(name, arts, [g[a.id] for a in arts]))
    return out


def fit(sets: list[Set], masks: list[np.ndarray]):
    from storyline.multilingual import match

    F = np.vstack([s.F[m] for s, m in zip(sets, masks)])
    y = np.concatenate([s.y[m] for s, m in zip(sets, masks)])
    return match.fit(F, y, {"fitted_on": "bench/fit_crosslang.py: candidate pairs of the multilingual and "
                                         "same-kind events sets", "pairs": len(y), "positives": int(y.sum())})


# The calibration of the log-odds to the clustering: ``scale * logit + shift``. A scale below 1 flattens
# the differences between likely pairs, so that which partners each article ranks first (the shared-
# neighbour similarity) decides more and the probabilities' level less: cross-fitted on the same-kind
# parts, mean pairwise F1 0.853 with the shift alone (scale 1), 0.891 with both (docs/benchmarks.md).
SCALES = (0.25, 0.35, 0.5, 0.7, 1.0)
SHIFTS = (0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 5.0)
CALIBRATIONS = tuple((a, b) for a in SCALES for b in SHIFTS)


def shifted(p: np.ndarray, calibration: tuple[float, float]) -> np.ndarray:
    """Probabilities with their log-odds scaled and shifted, ``(scale, shift)`` (capped as the model caps them)."""
    a, b = calibration
    q = np.clip(p, 1e-6, 1 - 1e-6)
    return np.clip(1.0 / (1.0 + np.exp(-(a * np.log(q / (1 - q)) + b))), 0.0, 0.999)


def best_calibration(table: dict, names: list[str]) -> tuple[float, float]:
    """The calibration with the best mean pairwise F1 over the sets ``names`` (ties: the scale nearest 1,
    then the smallest shift)."""
    return max(CALIBRATIONS, key=lambda c: (round(float(np.mean([table[n][c]["all"]["f1"] for n in names])), 4),
                                           c[0], -c[1]))


def folds_of(s: Set, k: int) -> np.ndarray:
    from sklearn.model_selection import GroupKFold

    k = min(k, len(set(s.groups.tolist())))
    fold = np.zeros(len(s.arts), dtype=np.int64)
    for f, (_, te) in enumerate(GroupKFold(k).split(np.arange(len(s.arts)), groups=s.groups)):
        fold[te] = f
    return fold


def shared_folds(sets: list[Set], k: int) -> list[np.ndarray]:
    """Each set's folds, a group in the same fold in every set that holds it (the dated and undated
    same-kind sets are one set of pages twice: a group is left out of both at once)."""
    first: dict[str, int] = {}
    out = []
    for s in sets:
        fo = folds_of(s, k)
        fixed = np.array([first.setdefault(gr, int(f)) for gr, f in zip(s.groups.tolist(), fo.tolist())])
        out.append(fixed)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--folds", type=int, default=5)
    args = ap.parse_args()
    from storyline.multilingual import embed, match

    if not embed.available():
        print(f"the multilingual extra is not installed: {embed.INSTALL_HINT}", file=sys.stderr)
        return 2
    sets = load_sets()
    if not sets:
        print("no multilingual set found (bench/realdata/multilingual.json, sametopic-*.json)", file=sys.stderr)
        return 2
    res: dict = {}
    try:
        shipped = match.load_model()
    except ValueError as e:  # the stored model was fitted on other features
        print(f"the stored model is not comparable: {e}", file=sys.stderr)
        shipped = None
    for s in sets:
        res[s.name] = {"before": s.score(s.labels(shipped.predict_proba(s.F)))} if shipped else {}
    folds = shared_folds(sets, args.folds)
    k = max(int(f.max()) + 1 for f in folds)
    probs = [np.zeros(len(s.cand)) for s in sets]
    for f, g in itertools.combinations_with_replacement(range(k), 2):
        masks = []
        for s, fo in zip(sets, folds):
            a, b = fo[s.cand[:, 0]], fo[s.cand[:, 1]]
            masks.append((a != f) & (a != g) & (b != f) & (b != g))
        model = fit(sets, masks)
        for s, fo, p in zip(sets, folds, probs):
            a, b = fo[s.cand[:, 0]], fo[s.cand[:, 1]]
            sel = ((a == f) & (b == g)) | ((a == g) & (b == f))
            if sel.any():
                p[sel] = model.predict_proba(s.F[sel])
    # The pair model's probabilities feed the English clustering cut (fitted for the English pair
    # model): a scale and a shift of their log-odds calibrate them to it. Each set is scored with the
    # calibration chosen on the other sets (the shipped one: chosen on all), so no set chooses its own.
    table = {s.name: {c: s.score(s.labels(shifted(p, c))) for c in CALIBRATIONS} for s, p in zip(sets, probs)}
    for s in sets:
        others = [t for t in sets if t is not s] or [s]
        c = best_calibration(table, [t.name for t in others])
        res[s.name]["cross_fitted"] = {**table[s.name][c], "calibration": list(c)}
        res[s.name]["by_calibration"] = {f"{a}/{b}": v["all"]["f1"] for (a, b), v in table[s.name].items()}
    scale, shift = best_calibration(table, [s.name for s in sets])
    full = fit(sets, [np.ones(len(s.cand), bool) for s in sets])
    # sigmoid(scale * (x.w + bias) + shift): the calibration folded into the weights
    full = match.CrossModel(full.weights * scale, full.bias * scale + shift, full.mean, full.scale,
                            {**full.meta, "calibration_scale": scale, "calibration_shift": shift})
    for s in sets:
        res[s.name]["fitted"] = s.score(s.labels(full.predict_proba(s.F)))
        res[s.name]["groups"] = len(set(s.groups.tolist()))
    for name, r in res.items():
        for kind in ("before", "cross_fitted", "fitted"):
            if kind not in r:
                continue
            x = r[kind]
            print(f"{name:>13} {kind:>12}: pairwise F1 {x['all']['f1']:.3f} (P {x['all']['precision']:.3f} "
                  f"R {x['all']['recall']:.3f})  cross-language F1 {x['cross_language']['f1']:.3f}", file=sys.stderr)
    if args.write:
        match.MODEL_PATH.write_text(json.dumps(full.to_json(), indent=1) + "\n")
        print(f"wrote {match.MODEL_PATH}", file=sys.stderr)
    res["weights"] = dict(zip(match.FEATURES, full.weights.round(3).tolist()))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
