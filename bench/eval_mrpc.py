"""Score the sentence paraphrase decision on a file in MRPC's format.

    python bench/eval_mrpc.py PATH            # pinned decision (fitted on ../shared/data/mrpc train)
    python bench/eval_mrpc.py --fit           # refit on the fitting part of ../shared/data/mrpc train, 10-fold CV
    python bench/eval_mrpc.py --held-out      # the pinned decision on the held-out part (never fitted on)

PATH is tab-separated with a header: Quality, #1 ID, #2 ID, #1 String, #2 String.
The pinned weights in ``storyline.provenance.paraphrase`` were fitted with
``--fit`` on the train split only; scoring PATH never looks at its labels
except to count hits. The last line printed is JSON with ``accuracy`` and ``f1``.
``--fit`` prints the constants to pin and cross-validated figures (fold seed 0 as
``accuracy``/``f1``, every seed under ``cv_by_seed``; weights and threshold refitted on
each training fold) and the pinned fit's in-sample figures.

Held-out protocol: the train split is cut once, by a hash of each pair's two sentence ids
(``held_out``), into a fitting part (about 80%) and a held-out part (about 20%). ``--fit``
sees only the fitting part; the pinned constants come from it; ``--held-out`` scores them on
the other part, which nothing was ever fitted or selected on after the cut.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from storyline.provenance import paraphrase as para

TRAIN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "mrpc" / "msr_paraphrase_train.txt"


def read_mrpc(path: Path) -> tuple[np.ndarray, list[str], list[str]]:
    """Labels and sentence pairs of an MRPC-format file (UTF-8, BOM tolerated)."""
    labels, s1, s2 = [], [], []
    with open(path, encoding="utf-8-sig") as fh:
        header = fh.readline()
        if not header.lower().startswith("quality"):
            raise SystemExit(f"{path}: not in MRPC format (header should start with 'Quality')")
        for line in fh:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 5:
                continue
            labels.append(int(parts[0]))
            s1.append(parts[3])
            s2.append(parts[4])
    return np.array(labels), s1, s2


HELD_OUT_EVERY = 5  # one pair in five (by hash) is held out


def held_out(path: Path) -> np.ndarray:
    """Which pairs of an MRPC-format file belong to the held-out part: a fixed hash of the two sentence
    ids, so the cut never depends on labels, order or features."""
    import hashlib

    out = []
    with open(path, encoding="utf-8-sig") as fh:
        fh.readline()
        for line in fh:
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) < 5:
                continue
            key = "\t".join(sorted(parts[1:3])).encode()
            out.append(int(hashlib.sha1(key).hexdigest(), 16) % HELD_OUT_EVERY == 0)
    return np.array(out)


def features(s1: list[str], s2: list[str]) -> np.ndarray:
    return para.pair_features(s1, s2)


def metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int(((pred == 1) & (y == 1)).sum())
    f1 = 2 * tp / max(1, int(pred.sum()) + int(y.sum()))
    return {"accuracy": round(float((pred == y).mean()), 4), "f1": round(f1, 4)}


def _logistic(z: np.ndarray, y: np.ndarray, upper: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """L2 logistic regression (sklearn's objective: C * log-loss + |w|^2 / 2, intercept free) on
    standardised z, each weight bounded above by ``upper`` (0 or +inf)."""
    from scipy.optimize import minimize

    d = z.shape[1]
    sign = np.where(y == 1, -1.0, 1.0)

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[:d]
        s = sign * (z @ w + theta[d])
        g = c * sign / (1.0 + np.exp(-s))
        return c * float(np.logaddexp(0.0, s).sum()) + 0.5 * float(w @ w), np.append(z.T @ g + w, g.sum())

    bounds = [(None, None if np.isinf(u) else float(u)) for u in upper] + [(None, None)]
    res = minimize(objective, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"maxiter": 5000, "gtol": 1e-8})  # fmt: skip
    return res.x[:d], float(res.x[d])


def fit(x: np.ndarray, y: np.ndarray, c: float = 0.3) -> tuple[np.ndarray, float, float]:
    """Standardised L2 logistic regression; the weights of ``para.DIFFERENCE_COUNTS`` may not be
    positive. Returns raw-scale weights, bias and the threshold that maximises training accuracy."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    upper = np.array([0.0 if f in para.DIFFERENCE_COUNTS else np.inf for f in para.FEATURES])
    coef, intercept = _logistic((x - mu) / sd, y, upper, c)
    w = coef / sd
    b = float(intercept - (coef * mu / sd).sum())
    p = 1 / (1 + np.exp(-(x @ w + b)))
    grid = np.round(np.arange(0.30, 0.701, 0.01), 2)
    thr = float(max(grid, key=lambda t: ((p >= t) == y).mean()))
    return w, b, thr


def cross_validate(x: np.ndarray, y: np.ndarray, folds: int = 10, seed: int = 0) -> dict[str, float]:
    """Out-of-fold decisions: weights and threshold fitted on the other folds each time."""
    from sklearn.model_selection import StratifiedKFold

    pred = np.zeros(len(y), dtype=int)
    for tr, te in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, y):
        w, b, thr = fit(x[tr], y[tr])
        pred[te] = (1 / (1 + np.exp(-(x[te] @ w + b)))) >= thr
    return metrics(pred, y)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", nargs="?", type=Path, help="an MRPC-format file to score")
    ap.add_argument("--fit", action="store_true", help="refit on the fitting part of the train split, 10-fold CV")
    ap.add_argument("--held-out", action="store_true", help="score the pinned decision on the held-out part")
    ap.add_argument(
        "--seeds", type=int, default=3, help="with --fit: cross-validate with this many fold seeds"
    )
    args = ap.parse_args(argv)
    if args.held_out:
        if not TRAIN.exists():
            raise SystemExit(f"{TRAIN} not found")
        y, s1, s2 = read_mrpc(TRAIN)
        keep = held_out(TRAIN)
        x = features([a for a, k in zip(s1, keep) if k], [b for b, k in zip(s2, keep) if k])
        pred = (para.score_features(x) >= para.PARAPHRASE_THRESHOLD).astype(int)
        print(json.dumps({"split": "train, held-out part", "pairs": int(keep.sum()), **metrics(pred, y[keep])}))
        return 0
    if args.fit:
        if not TRAIN.exists():
            raise SystemExit(f"{TRAIN} not found")
        y, s1, s2 = read_mrpc(TRAIN)
        keep = ~held_out(TRAIN)
        y, s1, s2 = y[keep], [a for a, k in zip(s1, keep) if k], [b for b, k in zip(s2, keep) if k]
        t0 = time.perf_counter()
        x = features(s1, s2)
        print(f"features of {len(y)} pairs (fitting part) in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        by_seed = [cross_validate(x, y, seed=seed) for seed in range(args.seeds)]
        w, b, thr = fit(x, y)
        print("WEIGHTS = np.array(\n    [")
        for name, v in zip(para.FEATURES, w):
            print(f"        {v:+.6f},  # {name}")
        print("    ]\n)")
        print(f"BIAS = {b:+.6f}")
        print(f"PARAPHRASE_THRESHOLD = {thr:.2f}")
        fitted = metrics(((1 / (1 + np.exp(-(x @ w + b)))) >= thr).astype(int), y)
        print(
            json.dumps(
                {"split": "train, fitting part", "pairs": len(y), "cv_folds": 10, **by_seed[0], "cv_by_seed": by_seed, "in_sample": fitted}
            )
        )
        return 0
    if args.path is None:
        ap.error("give PATH or --fit")
    y, s1, s2 = read_mrpc(args.path)
    t0 = time.perf_counter()
    p = para.score_features(features(s1, s2))
    pred = (p >= para.PARAPHRASE_THRESHOLD).astype(int)
    out = {"path": str(args.path), "pairs": len(y), **metrics(pred, y)}
    out["seconds"] = round(time.perf_counter() - t0, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
