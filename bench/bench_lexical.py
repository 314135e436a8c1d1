"""Lexical stage benchmark: storyline's MinHash + LSH against datasketch and rensa.

    python bench/bench_lexical.py [--n 10000] [--threshold 0.5] [--num-perm 128] [--repeat 3]

All three run on the same generated documents in the same process, with the same word
tokens, the same word 5-gram shingles, the same num_perm and the same LSH bands where
the library allows it (rensa needs num_perm divisible by the number of bands; it gets
the admissible (bands, rows) with the smallest weighted error). Reported per library:
median seconds to compute signatures from text, median seconds to build the LSH index
and list candidate pairs, and precision/recall of those candidate pairs against the
pairs whose exact shingle Jaccard is >= threshold. The exact Jaccard is computed for
every pair that any library proposed plus every pair of articles of the same story;
pairs outside that universe count as negatives. Peers are given their shingles as
strings/bytes; the time to build those lists from text is reported as "prep" and
included in their totals (ours starts from the raw text).

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import load_generator, machine, peak_rss_mb, table, timed


def make_docs(n: int, seed: int) -> tuple[list[str], list[str]]:
    gen = load_generator()
    texts, stories = [], []
    for rec in gen.generate(n, seed=seed):
        texts.append(rec["text"])
        stories.append(rec["story"])
    return texts, stories


def shingle_lists(texts: list[str], ngram: int) -> list[list[str]]:
    """Word n-gram shingles as strings, from the same tokens storyline hashes."""
    from storyline.fingerprint import tokens

    out = []
    for t in texts:
        tok = tokens(t)
        if len(tok) < ngram:
            out.append([" ".join(tok)] if tok else [])
        else:
            out.append([" ".join(tok[i : i + ngram]) for i in range(len(tok) - ngram + 1)])
    return out


def pairs_to_set(pairs: np.ndarray) -> set[tuple[int, int]]:
    """Candidate pairs as a set of (i, j) tuples, the form the peers produce."""
    return {(int(a), int(b)) for a, b in pairs}


def rensa_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """The divisor of num_perm with the smallest weighted false positive + negative area."""
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        if num_perm % b:
            continue
        r = num_perm // b
        err = _band_error(threshold, b, r)
        if err < best_err:
            best, best_err = (b, r), err
    return best


def _band_error(threshold: float, b: int, r: int) -> float:
    nodes, weights = np.polynomial.legendre.leggauss(64)

    def area(lo: float, hi: float, fn: bool) -> float:
        s = (hi - lo) / 2 * nodes + (hi + lo) / 2
        p = 1.0 - (1.0 - s**r) ** b
        return float(((1.0 - p) if fn else p) @ weights * (hi - lo) / 2)

    return 0.5 * area(0.0, threshold, False) + 0.5 * area(threshold, 1.0, True)


def ours(texts: list[str], num_perm: int, ngram: int, bands: int, rows: int, seed: int,
         repeat: int) -> dict[str, Any]:
    from storyline.fingerprint import MinHasher, lsh_candidate_pairs

    hasher = MinHasher(num_perm=num_perm, ngram=ngram, seed=seed)
    sig = timed(lambda: hasher.signatures(texts), repeat)
    lsh = timed(lambda: lsh_candidate_pairs(sig.result, bands, rows), repeat)
    return {"prep": None, "sig": sig, "lsh": lsh, "pairs": pairs_to_set(lsh.result), "params": (bands, rows)}


def datasketch(shingles: list[list[str]], num_perm: int, threshold: float, bands: int, rows: int, seed: int,
               repeat: int) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    enc = timed(lambda: [[s.encode("utf-8") for s in doc] for doc in shingles], repeat)
    sig = timed(lambda: MinHash.bulk(enc.result, num_perm=num_perm, seed=seed), repeat)

    def index_and_query() -> set[tuple[int, int]]:
        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, params=(bands, rows))
        with lsh.insertion_session() as session:
            for i, m in enumerate(sig.result):
                session.insert(i, m, check_duplication=False)
        out = set()
        for i, m in enumerate(sig.result):
            for j in lsh.query(m):
                if j != i:
                    out.add((min(i, j), max(i, j)))
        return out

    lsh = timed(index_and_query, repeat)
    return {"prep": enc, "sig": sig, "lsh": lsh, "pairs": lsh.result, "params": (bands, rows)}


def rensa(shingles: list[list[str]], num_perm: int, threshold: float, params: tuple[int, int] | None,
          seed: int, repeat: int) -> dict[str, Any]:
    from rensa import RMinHash, RMinHashLSH

    bands, rows = params or rensa_bands(threshold, num_perm)
    sig = timed(lambda: RMinHash.from_token_sets(shingles, num_perm=num_perm, seed=seed), repeat)

    def index_and_query() -> set[tuple[int, int]]:
        lsh = RMinHashLSH(threshold, num_perm, bands)
        lsh.insert_many(sig.result)
        out = set()
        for i, cands in enumerate(lsh.query_all(sig.result)):
            for j in cands:
                if j != i:
                    out.add((min(i, j), max(i, j)))
        return out

    lsh = timed(index_and_query, repeat)
    return {"prep": None, "sig": sig, "lsh": lsh, "pairs": lsh.result, "params": (bands, rows)}


def true_pairs(texts: list[str], stories: list[str], candidates: list[set[tuple[int, int]]], threshold: float,
               ngram: int, max_story_pairs: int = 200_000) -> tuple[set[tuple[int, int]], int]:
    """Pairs of the evaluation universe whose exact shingle Jaccard reaches the threshold."""
    from storyline.fingerprint import jaccard, shingle_set

    universe: set[tuple[int, int]] = set().union(*candidates)
    members: dict[str, list[int]] = defaultdict(list)
    for i, s in enumerate(stories):
        members[s].append(i)
    budget = max_story_pairs
    for idx in sorted(members.values(), key=len):
        if len(idx) * (len(idx) - 1) // 2 > budget:
            continue
        budget -= len(idx) * (len(idx) - 1) // 2
        universe.update(combinations(idx, 2))
    sets = [frozenset(shingle_set(t, ngram)) for t in texts]
    truth = {p for p in universe if jaccard(sets[p[0]], sets[p[1]]) >= threshold}
    return truth, len(universe)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="documents to generate")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed")
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--num-perm", type=int, default=128)
    ap.add_argument("--ngram", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per step (medians are reported)")
    ap.add_argument("--hash-seeds", type=int, default=5,
                    help="hash seeds whose candidate pairs are scored (precision/recall are their means)")
    ap.add_argument("--params", type=str, default=None, help="bands,rows for every library (overrides)")
    ap.add_argument("--threads", type=int, default=1, help="worker threads rensa may use (RAYON_NUM_THREADS)")
    ap.add_argument("--skip", default="", help="comma-separated peers to skip: datasketch,rensa")
    ap.add_argument("--no-quality", action="store_true", help="timings only: skip the exact Jaccard scoring")
    a = ap.parse_args(argv)
    os.environ["RAYON_NUM_THREADS"] = str(a.threads)

    from storyline.fingerprint import lsh_params

    texts, stories = make_docs(a.n, a.seed)
    override = tuple(int(x) for x in a.params.split(",")) if a.params else None
    bands, rows = lsh_params(a.threshold, a.num_perm, override=override)
    skip = set(filter(None, a.skip.split(",")))
    peers = {"datasketch", "rensa"} - skip
    prep = timed(lambda: shingle_lists(texts, a.ngram) if peers else [], a.repeat if peers else 1)
    shingles = prep.result

    def run(name: str, seed: int, repeat: int) -> dict[str, Any]:
        if name == "storyline":
            return ours(texts, a.num_perm, a.ngram, bands, rows, seed, repeat)
        if name == "datasketch":
            return datasketch(shingles, a.num_perm, a.threshold, bands, rows, seed, repeat)
        return rensa(shingles, a.num_perm, a.threshold, override, seed, repeat)

    names = [x for x in ("storyline", "datasketch", "rensa") if x not in skip]
    results = {name: run(name, 1, a.repeat) for name in names}
    pair_sets = {name: [r["pairs"]] for name, r in results.items()}
    for seed in range(2, a.hash_seeds + 1):
        for name in names:
            pair_sets[name].append(run(name, seed, 1)["pairs"])

    if a.no_quality:
        truth, universe = set(), 0
    else:
        truth, universe = true_pairs(texts, stories, [p for v in pair_sets.values() for p in v], a.threshold,
                                     a.ngram)
    summary: dict[str, Any] = {
        "bench": "lexical", "n": a.n, "seed": a.seed, "threshold": a.threshold, "num_perm": a.num_perm,
        "ngram": a.ngram, "repeat": a.repeat, "hash_seeds": a.hash_seeds, "true_pairs": len(truth),
        "universe_pairs": universe, "words": sum(len(t.split()) for t in texts), "machine": machine(),
        "rensa_threads": a.threads, "peer_prep_wall_s": round(prep.wall, 4), "peer_prep_cpu_s": round(prep.cpu, 4),
        "results": {},
    }
    base = results["storyline"]
    base_wall = base["sig"].wall + base["lsh"].wall
    base_cpu = base["sig"].cpu + base["lsh"].cpu
    rows_out = []
    for name, r in results.items():
        peer = name != "storyline"
        pre_wall = (prep.wall + (r["prep"].wall if r["prep"] else 0.0)) if peer else 0.0
        pre_cpu = (prep.cpu + (r["prep"].cpu if r["prep"] else 0.0)) if peer else 0.0
        wall = pre_wall + r["sig"].wall + r["lsh"].wall
        cpu = pre_cpu + r["sig"].cpu + r["lsh"].cpu
        precisions, recalls = [], []
        for pairs in pair_sets[name]:
            hit = len(pairs & truth)
            precisions.append(hit / len(pairs) if pairs else 1.0)
            recalls.append(hit / len(truth) if truth else 1.0)
        precision, recall = float(np.mean(precisions)), float(np.mean(recalls))
        if a.no_quality:
            precision = recall = float("nan")
        rows_out.append([
            name, f"{r['params'][0]}x{r['params'][1]}", pre_wall, r["sig"].wall, r["lsh"].wall, wall, cpu,
            a.n / wall, int(np.mean([len(p) for p in pair_sets[name]])), precision, recall,
            wall / base_wall, cpu / base_cpu,
        ])
        summary["results"][name] = {
            "bands": r["params"][0], "rows": r["params"][1],
            "prep_wall_s": round(pre_wall, 4), "prep_cpu_s": round(pre_cpu, 4),
            "signatures_wall_s": round(r["sig"].wall, 4), "signatures_cpu_s": round(r["sig"].cpu, 4),
            "index_query_wall_s": round(r["lsh"].wall, 4), "index_query_cpu_s": round(r["lsh"].cpu, 4),
            "signature_runs_wall_s": [round(x, 4) for x in r["sig"].walls],
            "index_query_runs_wall_s": [round(x, 4) for x in r["lsh"].walls],
            "total_wall_s": round(wall, 4), "total_cpu_s": round(cpu, 4), "docs_per_s": round(a.n / wall, 1),
            "candidates": [len(p) for p in pair_sets[name]],
            "precision": round(precision, 4), "recall": round(recall, 4),
            "precision_by_seed": [round(x, 4) for x in precisions],
            "recall_by_seed": [round(x, 4) for x in recalls],
            "total_wall_vs_ours": round(wall / base_wall, 2), "total_cpu_vs_ours": round(cpu / base_cpu, 2),
            "signatures_wall_vs_ours": round((pre_wall + r["sig"].wall) / base["sig"].wall, 2),
            "index_query_wall_vs_ours": round(r["lsh"].wall / base["lsh"].wall, 2),
        }
    summary["peak_rss_mb"] = round(peak_rss_mb(), 1)
    print(f"{a.n} documents, {summary['words']:,} words; threshold {a.threshold}, num_perm {a.num_perm}, "
          f"word {a.ngram}-grams; times are medians of {a.repeat} runs; precision/recall are means over "
          f"{a.hash_seeds} hash seeds; {len(truth):,} true pairs among {universe:,} checked")
    print(table(rows_out, ["impl", "bands", "prep s", "sig s", "index+query s", "total s", "total cpu s",
                           "docs/s", "candidates", "precision", "recall", "x ours (wall)", "x ours (cpu)"]))
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
