"""Provenance and digest of one very large story: time and memory against the story's size.

    python bench/bench_bigstory.py                       # the 1, 3 and 6 largest stories of 2,000 generated articles
    python bench/bench_bigstory.py --n 2000 --merge 1,3

A corpus is generated (bench/generate.py, seed 1) and grouped (``storyline.run`` without extras); the
``k`` largest stories are then taken as one story (several hundred articles, copies of a few wire
stories among own reports) and analysed in a fresh process each: ``analyse_story`` with each
article ranked against its likeliest sources (the shipped path above
``storyline.provenance.story.RANKED_ALL_UP_TO`` articles) and, as the peer in the same run, with every
article ranked against all others (the path below it), then ``build_digest`` on the first one's
provenance. Sentence vectors are computed before the timed part. Reported per size: CPU seconds and the
peak resident memory each adds, their ratios, how many articles get another grade or parent, and each
way's parent accuracy against the generator's labels (articles whose labelled parent is in the story).
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import REPO, load_generator


def child(corpus: Path, merge: int, all_pairs: bool, digest: bool) -> dict:
    import storyline
    from storyline.provenance import analyse_story
    from storyline.provenance import story as st
    from storyline.provenance.encoding import encode_sentences
    from storyline.provenance.sentences import split_sentences

    if all_pairs:
        st.RANKED_ALL_UP_TO = 10**9
    r = storyline.run([corpus], out=None, extras=False)
    by = {a.id: a for a in r.articles}
    big = sorted(r.stories, key=lambda s: (-len(s.article_ids), s.story_id))[:merge]
    arts = [by[i] for s in big for i in s.article_ids]
    encode_sentences(sorted({x for a in arts for x in split_sentences(a.text)}))
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c0 = time.process_time()
    prov = analyse_story(arts)
    cpu = time.process_time() - c0
    truth = {}
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            truth[rec["id"]] = rec.get("parent")
    with_parent = [a for a in prov.articles if truth.get(a.article_id) in {x.id for x in arts}]
    right = sum(a.parent == truth[a.article_id] for a in with_parent)
    out = {"articles": len(arts), "provenance_cpu_s": round(cpu, 2),
           "parent_accuracy": round(right / max(1, len(with_parent)), 3),
           "provenance_peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0, 1),
           "grades": {a.article_id: [a.grade, a.parent] for a in prov.articles}}
    if digest:
        from storyline.digest import build_digest

        c0 = time.process_time()
        build_digest("big", arts, prov.to_json())
        out["digest_cpu_s"] = round(time.process_time() - c0, 2)
        out["digest_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss0, 1)
    return out


def run_child(corpus: Path, merge: int, all_pairs: bool, digest: bool) -> dict:
    cmd = [sys.executable, __file__, "--child", str(corpus), "--merge", str(merge)]
    cmd += ["--all-pairs"] if all_pairs else []
    cmd += ["--digest"] if digest else []
    env = {"PYTHONPATH": str(REPO / "src")}
    import os

    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode or not lines:
        raise SystemExit(f"child failed: {proc.stderr[-2000:]}")
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=2000, help="generated articles (seed 1)")
    ap.add_argument("--merge", default="1,3,6", help="how many of the largest stories make the one story")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--all-pairs", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--digest", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        print(json.dumps(child(a.child, int(a.merge), a.all_pairs, a.digest)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "generated.jsonl"
        with corpus.open("w", encoding="utf-8") as fh:
            for rec in load_generator().generate(a.n, seed=1):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        for k in [int(x) for x in a.merge.split(",")]:
            ranked = run_child(corpus, k, False, True)
            every = run_child(corpus, k, True, False)
            changed = sum(ranked["grades"][i] != every["grades"].get(i) for i in ranked["grades"])
            row = {
                "articles": ranked["articles"],
                "ranked_cpu_s": ranked["provenance_cpu_s"], "all_pairs_cpu_s": every["provenance_cpu_s"],
                "cpu_ratio": round(every["provenance_cpu_s"] / max(1e-9, ranked["provenance_cpu_s"]), 2),
                "ranked_peak_mb": ranked["provenance_peak_mb"], "all_pairs_peak_mb": every["provenance_peak_mb"],
                "grade_or_parent_changed": changed,
                "ranked_parent_accuracy": ranked["parent_accuracy"],
                "all_pairs_parent_accuracy": every["parent_accuracy"],
                "digest_cpu_s": ranked["digest_cpu_s"], "digest_peak_mb": ranked["digest_peak_mb"],
            }
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    print(json.dumps({"n": a.n, "rows": rows}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
