"""Speed of alignment and grading for a 20-article story, on one core.

    python bench/bench_align_speed.py            # three 20-article stories, best of 3 runs each

Stories (built at run time from ../shared/data, nothing stored):
  seed-variants   the five seed articles plus three derived copies of each (trim, light edit, spin)
  ecb-copies      an ECB+ article, 13 derived copies, 6 other reports of the same event
  ecb-independent 20 different ECB+ reports of one event
Sentence vectors are computed first and timed apart (they are cached per
sentence and shared with the rest of the pipeline); "analyse" is
``analyse_story`` with the vectors cached: alignment of every needed pair,
grades, parents and evidence, as wall time and as CPU time of this process
(the CPU time is what one core spends, and does not grow when other jobs
share the machine). The last line printed is JSON.
"""

from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import bench_provenance as bp  # beside this file

from storyline.model import Article
from storyline.provenance import analyse_story
from storyline.provenance.encoding import encode_sentences
from storyline.provenance.sentences import split_sentences

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def seed_variants(rng: random.Random) -> list[Article]:
    arts = []
    for f in sorted((SHARED / "seed-story").glob("*.txt")):
        lines = f.read_text(encoding="utf-8").splitlines()
        k = next(i for i, ln in enumerate(lines) if ln.strip())
        text = "\n".join(lines[k + 1 :])
        sid = f.stem.split("_")[0]
        arts.append(Article(id=sid, title=lines[k].strip(), text=text))
        for name in ("trim", "light-edit", "spin"):
            fn = bp.TRANSFORMS[name][0]
            arts.append(Article(id=f"{sid}-{name}", text=fn(text, rng)))
    return arts


def ecb_stories(rng: random.Random) -> tuple[list[Article], list[Article]]:
    stories = bp.load_stories("all")
    key = max(stories, key=lambda k: (len(stories[k]), k))
    docs = sorted(stories[key], key=lambda d: d["doc_id"])
    independent = [Article(id=d["doc_id"], text=bp.normalise(d["text"])) for d in docs[:20]]
    arts, _truth, _orig = bp.build_story(docs, rng, wire_missing=False, wire_outlet=False)
    base = arts[0].text
    k = 0
    while len(arts) < 14:
        name = list(bp.TRANSFORMS)[k % len(bp.TRANSFORMS)]
        arts.append(Article(id=f"extra-{k}-{name}", text=bp.TRANSFORMS[name][0](base, rng)))
        k += 1
    others = [a for a in independent if a.id not in {d["doc_id"] for d in docs[:1]}]
    arts = arts[:14] + others[: 20 - len(arts[:14])]
    return arts, independent


def measure(arts: list[Article], runs: int = 3) -> dict[str, float]:
    sents = sorted({s for a in arts for s in split_sentences(a.text)})
    t = time.perf_counter()
    encode_sentences(sents)
    enc = time.perf_counter() - t
    best = best_cpu = float("inf")
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        analyse_story(arts)
        best = min(best, time.perf_counter() - t)
        best_cpu = min(best_cpu, time.process_time() - c)
    return {
        "articles": len(arts),
        "sentences": sum(len(split_sentences(a.text)) for a in arts),
        "unique_sentences": len(sents),
        "encode_seconds": round(enc, 3),
        "analyse_seconds": round(best, 3),
        "analyse_cpu_seconds": round(best_cpu, 3),  # what one core spends: robust to a busy machine
    }


def main() -> int:
    os.environ.setdefault("STORYLINE_THREADS", "1")  # one core for the encoder too
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:  # pragma: no cover
        pass
    if not (SHARED / "seed-story").exists() or not bp.DATA.exists():
        raise SystemExit("../shared/data not found")
    rng = random.Random(7)
    copies, independent = ecb_stories(rng)
    out = {
        "seed-variants": measure(seed_variants(rng)),
        "ecb-copies": measure(copies),
        "ecb-independent": measure(independent),
    }
    for name, r in out.items():
        print(
            f"{name:>16}: {r['articles']} articles, {r['sentences']} sentences ({r['unique_sentences']} unique): "
            f"encode {r['encode_seconds']:.2f}s (cold), analyse {r['analyse_seconds']:.3f}s "
            f"(cpu {r['analyse_cpu_seconds']:.3f}s)"
        )
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
