"""What the multilingual stages cost an English corpus: the default run with and without them.

    python bench/bench_multilingual.py                          # ECB+, grouping only, 3 rounds
    python bench/bench_multilingual.py --extras --limit 200     # with provenance and digests
    python bench/bench_multilingual.py --warm                   # rounds in one process (vectors cached)

Runs the pipeline on ``../shared/data/ecbplus/docs.jsonl`` (all English) in
alternating rounds, each in a fresh process as a ``storyline run`` is (``--warm``:
all in this one, after a warm-up, so that MiniLM vectors come from the cache and
the stages' own cost shows): ``english`` without the language-ID and cross-language
stages and with the provenance and digest hooks made no-ops, ``default`` as
shipped. Prints each round's seconds, the medians, their ratio, the stories of
both (they must be equal) and the language-ID cost per article. The last line is
JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "ecbplus" / "docs.jsonl"


def articles(limit: int | None):
    from storyline.model import Article

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line]
    rows = rows[:limit] if limit else rows
    arts = [Article(id=str(d["doc_id"]), text=d["text"], url=d.get("url") or "") for d in rows]
    return sorted(arts, key=lambda a: a.id)


@contextmanager
def english_only():
    """The pipeline as it was before the multilingual stages and hooks."""
    from storyline import pipeline
    from storyline.multilingual import digest, translation
    from storyline.multilingual.stage import CrossLanguageStage, LangStage

    saved = pipeline.GROUPING, translation.regrade, digest.attach
    pipeline.GROUPING = tuple(s for s in saved[0] if not isinstance(s, (LangStage, CrossLanguageStage)))
    translation.regrade = lambda prov, arts: prov
    digest.attach = lambda data, arts: data
    try:
        yield
    finally:
        pipeline.GROUPING, translation.regrade, digest.attach = saved


def one(arts, extras: bool):
    from storyline import pipeline
    from storyline.config import Config
    from storyline.model import Article
    from storyline.report import enrich
    from storyline.stage import Run, executor_of, run_stages

    t0 = time.perf_counter()
    r = Run(Config(), executor_of(arts, None), semantic=True, articles=[Article.from_json(a.to_json()) for a in arts])
    run_stages(pipeline.GROUPING, r)
    if extras:
        result = pipeline.RunResult(list(r.articles), r.stories, [], r.labels, r.matching)
        enrich(result)
    return time.perf_counter() - t0, sorted(sorted(s.article_ids) for s in r.stories)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, help="first N articles only")
    ap.add_argument("--extras", action="store_true", help="also provenance and digests")
    ap.add_argument("--warm", action="store_true", help="every round in this process, after a warm-up")
    ap.add_argument("--round", choices=["english", "default"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not DATA.exists():
        print(f"no ECB+ at {DATA}: skipped")
        return 0
    from storyline.multilingual.lang import detect, sample_text

    arts = articles(args.limit)
    if args.round:  # one round, in a process of its own
        if args.round == "english":
            with english_only():
                t, got = one(arts, args.extras)
        else:
            t, got = one(arts, args.extras)
        print(json.dumps({"seconds": t, "stories": got}))
        return 0
    if args.warm:
        one(arts, args.extras)  # warm-up: models loaded, every vector cached
    times: dict[str, list[float]] = {"english": [], "default": []}
    stories = {}
    for _ in range(args.rounds):
        for kind in ("english", "default"):
            if args.warm:
                if kind == "english":
                    with english_only():
                        t, stories[kind] = one(arts, args.extras)
                else:
                    t, stories[kind] = one(arts, args.extras)
            else:
                cmd = [sys.executable, __file__, "--round", kind, *(["--extras"] if args.extras else []),
                       *(["--limit", str(args.limit)] if args.limit else [])]
                got = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
                t, stories[kind] = got["seconds"], got["stories"]
            times[kind].append(t)
        print({k: round(v[-1], 2) for k, v in times.items()}, flush=True)
    t0 = time.perf_counter()
    for a in arts:
        detect(sample_text(a))
    lid_ms = 1000 * (time.perf_counter() - t0) / len(arts)
    med = {k: statistics.median(v) for k, v in times.items()}
    out = {"articles": len(arts), "extras": args.extras, "warm": args.warm, "rounds": times,
           "median_english_s": round(med["english"], 3), "median_default_s": round(med["default"], 3),
           "ratio": round(med["default"] / med["english"], 4), "same_stories": stories["english"] == stories["default"],
           "lang_id_ms_per_article": round(lid_ms, 4)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
