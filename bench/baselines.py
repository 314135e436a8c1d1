"""Plain baselines for story clustering, scored on the same articles as storyline.

    python bench/baselines.py PATH.jsonl --label FIELD [--no-storyline]

Three similarities over each article's title and text: TF-IDF cosine (words and
bigrams, sublinear TF, the scored corpus' own IDF), MiniLM cosine (the model
storyline uses, title + lede, 128 tokens) and the mean of the two. Each is
clustered with average linkage over all pairs, cut at a distance threshold fitted
on ECB+ topics 1-35 (the cut that maximises story ARI there): no baseline is told
the number of stories, and none is fitted on PATH. storyline's own scores
(``bench/eval_stories.py``) are printed beside them. The last line is one JSON
object: ``{"baselines": {name: scores}, "thresholds": {...}, "storyline": scores}``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from metrics import scores
from pairdata import ECB, FileVectorCache

METHODS = ("tfidf", "minilm", "mean")
GRID = np.round(np.arange(0.05, 0.951, 0.025), 3)  # similarity levels tried on ECB+


def read(path: Path, label: str) -> tuple[list[str], list[str]]:
    texts, gold = [], []
    for line in path.open(encoding="utf-8"):
        if not line.strip():
            continue
        d = json.loads(line)
        if label not in d or d[label] is None:
            continue
        title = (d.get("title") or "").strip()
        body = d.get("text") or ""
        texts.append(f"{title}\n{body}" if title else body)
        gold.append(str(d[label]))
    return texts, gold


def similarities(texts: list[str], cache: FileVectorCache) -> dict[str, np.ndarray]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from storyline import embed

    X = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english").fit_transform(texts)
    tf = (X @ X.T).toarray()
    with embed.lasting_cache(cache):
        V = embed.encode([t[:1500] for t in texts], max_tokens=128)
    cache.save()
    mini = V @ V.T
    return {"tfidf": tf, "minilm": mini, "mean": (tf + mini) / 2}


def linkage_tree(S: np.ndarray):
    from scipy.cluster.hierarchy import linkage

    D = 1.0 - np.clip(S, 0.0, 1.0)
    np.fill_diagonal(D, 0.0)
    return linkage(D[np.triu_indices(len(S), 1)], method="average")


def cut(Z, level: float) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster

    return fcluster(Z, t=1.0 - level, criterion="distance") - 1


def fit_thresholds(cache: FileVectorCache) -> dict[str, float]:
    """For each method, the similarity level that maximises story ARI on ECB+ topics 1-35."""
    texts, gold = read(ECB, "subtopic")
    out = {}
    for name, S in similarities(texts, cache).items():
        Z = linkage_tree(S)
        best = max(GRID, key=lambda lv: (scores(gold, cut(Z, lv))["ari"], -lv))
        out[name] = float(best)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("--label", required=True, help="field holding the gold story label")
    ap.add_argument("--no-storyline", action="store_true", help="score the baselines only")
    args = ap.parse_args()
    if not args.path.exists():
        sys.exit(f"{args.path} not found")
    if not ECB.exists():
        sys.exit(f"{ECB} not found: the baselines' thresholds are fitted on ECB+")
    cache = FileVectorCache()
    thresholds = fit_thresholds(cache)
    texts, gold = read(args.path, args.label)
    if not texts:
        sys.exit(f"no record of {args.path} has the field {args.label!r}")
    res: dict = {"baselines": {}, "thresholds": thresholds}
    for name, S in similarities(texts, cache).items():
        res["baselines"][name] = scores(gold, cut(linkage_tree(S), thresholds[name]))
    if not args.no_storyline:
        from eval_stories import evaluate

        got = evaluate(args.path, args.label, [], [])
        res["storyline"] = {k: got[k] for k in ("ari", "bcubed_precision", "bcubed_recall", "bcubed_f1",
                                                "v_measure", "pairwise_f1", "n_stories", "n_labels")}
    rows = [(f"{n} (cut {thresholds[n]:.3f})", s) for n, s in res["baselines"].items()]
    if "storyline" in res:
        rows.append(("storyline", res["storyline"]))
    print(f"{args.path} ({len(texts)} articles, {len(set(gold))} stories)")
    for name, s in rows:
        print(f"{name:>22}: ARI {s['ari']:.3f}  B3 P {s['bcubed_precision']:.3f} R {s['bcubed_recall']:.3f} "
              f"F1 {s['bcubed_f1']:.3f}  stories {s['n_stories']}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
