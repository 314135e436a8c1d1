"""Score the sentence paraphrase decision on a file in MRPC's format.

    python bench/eval_mrpc.py PATH            # pinned decision (fitted on ../shared/data/mrpc train)
    python bench/eval_mrpc.py --fit           # refit on ../shared/data/mrpc train with 10-fold CV

PATH is tab-separated with a header: Quality, #1 ID, #2 ID, #1 String, #2 String.
The pinned weights in ``storyline.provenance.paraphrase`` were fitted with
``--fit`` on the train split only; scoring PATH never looks at its labels
except to count hits. The last line printed is JSON with ``accuracy`` and ``f1``.
``--fit`` prints cross-validated figures and the constants to pin.
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
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 5:
                continue
            labels.append(int(parts[0]))
            s1.append(parts[3])
            s2.append(parts[4])
    return np.array(labels), s1, s2


def features(s1: list[str], s2: list[str]) -> np.ndarray:
    return para.pair_features(s1, s2)


def metrics(pred: np.ndarray, y: np.ndarray) -> dict[str, float]:
    tp = int(((pred == 1) & (y == 1)).sum())
    f1 = 2 * tp / max(1, int(pred.sum()) + int(y.sum()))
    return {"accuracy": round(float((pred == y).mean()), 4), "f1": round(f1, 4)}


def fit(x: np.ndarray, y: np.ndarray, c: float = 0.3) -> tuple[np.ndarray, float, float]:
    """Standardised L2 logistic regression; returns raw-scale weights, bias and the
    threshold that maximises training accuracy."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = x.mean(0), x.std(0) + 1e-9
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mu) / sd, y)
    w = model.coef_[0] / sd
    b = float(model.intercept_[0] - (model.coef_[0] * mu / sd).sum())
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
    ap.add_argument("--fit", action="store_true", help="refit on the train split with 10-fold CV")
    args = ap.parse_args(argv)
    if args.fit:
        if not TRAIN.exists():
            raise SystemExit(f"{TRAIN} not found")
        y, s1, s2 = read_mrpc(TRAIN)
        t0 = time.perf_counter()
        x = features(s1, s2)
        print(f"features of {len(y)} pairs in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        cv = cross_validate(x, y)
        w, b, thr = fit(x, y)
        print("WEIGHTS = np.array([")
        for name, v in zip(para.FEATURES, w):
            print(f"    {v:+.6f},  # {name}")
        print("])")
        print(f"BIAS = {b:+.6f}")
        print(f"PARAPHRASE_THRESHOLD = {thr:.2f}")
        print(json.dumps({"split": "train", "cv_folds": 10, **cv}))
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
