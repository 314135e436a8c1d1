"""Whole-pipeline benchmark: throughput, peak memory and time per stage on generated corpora.

    python bench/bench_pipeline.py [--sizes 10000,100000] [--semantic auto|on|off] [--seed 1]

For each size a corpus is generated (bench/generate.py, not timed) and
``storyline.run([corpus.jsonl], out=tmpdir)`` runs in a fresh child process, so that
peak resident memory (ru_maxrss) belongs to that run alone. Reported per size: wall
seconds, articles per second, peak RSS, the pipeline's own seconds per stage
(``RunResult.summary["timings"]``), its counts (stories, candidate pairs by source),
and, since the generator labels every article with its story, clustering scores
against those labels (ARI, B-cubed, V-measure, from bench/metrics.py).

The MiniLM stage embeds about 30 texts a second on two cores, so a 100k-article run
with ``--semantic on`` takes about an hour; ``auto`` (the default) embeds up to
``--semantic-max`` articles and uses the pipeline's lexical fallback above that.

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, current_rss_mb, load_generator, machine, peak_rss_mb, table


def write_corpus(n: int, seed: int, path: Path) -> float:
    """Generate n articles into path (JSONL); seconds taken."""
    gen = load_generator()
    t0 = time.perf_counter()
    with open(path, "w", encoding="utf-8") as fh:
        for rec in gen.generate(n, seed=seed):
            fh.write(json.dumps(rec, ensure_ascii=False))
            fh.write("\n")
    return time.perf_counter() - t0


def child(corpus: Path, semantic: bool, extras: bool) -> dict[str, Any]:
    """One measured run, in this (fresh) process."""
    labels = {}
    with open(corpus, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            labels[rec["id"]] = rec["story"]
    import storyline

    rss_before = current_rss_mb()
    with tempfile.TemporaryDirectory(prefix="storyline-bench-") as out:
        t0 = time.perf_counter()
        c0 = time.process_time()
        result = storyline.run([str(corpus)], out=out, semantic=semantic, extras=extras)
        wall = time.perf_counter() - t0
        cpu = time.process_time() - c0
        out_bytes = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file())
    summary = result.summary
    row: dict[str, Any] = {
        "articles": summary.get("articles", len(result.articles)),
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "articles_per_s": round(len(result.articles) / wall, 1) if wall else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "rss_before_run_mb": round(rss_before, 1),
        "timings": summary.get("timings", {}),
        "stories": summary.get("stories"),
        "multi_article_stories": summary.get("multi_article_stories"),
        "largest_story": summary.get("largest_story"),
        "pairs": summary.get("pairs"),
        "skipped": summary.get("skipped"),
        "output_mb": round(out_bytes / 2**20, 1),
        "semantic": semantic,
        "extras": extras,
    }
    try:
        from metrics import scores

        pred: dict[str, str] = {}
        for story in result.stories:
            for aid in story.article_ids:
                pred[aid] = story.story_id
        ids = [a.id for a in result.articles if a.id in labels and a.id in pred]
        row["quality"] = scores([labels[i] for i in ids], [pred[i] for i in ids])
    except Exception as exc:  # scoring is a bonus: never lose the timings over it
        row["quality_error"] = f"{type(exc).__name__}: {exc}"
    return row


def run_child(corpus: Path, semantic: bool, extras: bool, timeout: float | None,
              max_rss_gb: float) -> dict[str, Any]:
    """Run one size in a fresh process; stop it if it outgrows ``max_rss_gb`` or ``timeout``."""
    cmd = [sys.executable, __file__, "--child", str(corpus), "--semantic", "on" if semantic else "off"]
    if not extras:
        cmd.append("--no-extras")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH", "")]))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True, env=env)
        watched = _watch(proc, timeout, max_rss_gb * 1024)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if watched or proc.returncode != 0 or not lines:
        reason = watched or f"child exited with {proc.returncode}"
        return {"error": reason, "stderr_tail": (stderr or stdout)[-3000:]}
    return json.loads(lines[-1])


def _watch(proc: subprocess.Popen, timeout: float | None, max_rss_mb: float) -> str | None:
    """Poll the child's resident memory; kill it (and say why) past the limits."""
    try:
        import psutil

        ps = psutil.Process(proc.pid)
    except Exception:  # psutil missing or the child already gone: the timeout still applies
        ps = None
    t0 = time.monotonic()
    while proc.poll() is None:
        time.sleep(0.5)
        if timeout is not None and time.monotonic() - t0 > timeout:
            proc.kill()
            proc.wait()
            return f"stopped after the {timeout:.0f}s timeout"
        if ps is not None:
            try:
                rss = ps.memory_info().rss / 2**20
            except Exception:
                continue
            if rss > max_rss_mb:
                proc.kill()
                proc.wait()
                return f"stopped at {rss:.0f} MB resident (limit {max_rss_mb:.0f} MB)"
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--semantic", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--semantic-max", type=int, default=20_000,
                    help="with --semantic auto: the largest corpus that gets the MiniLM stage")
    ap.add_argument("--no-extras", action="store_true", help="skip provenance and digests")
    ap.add_argument("--corpus-dir", type=Path, default=None, help="keep generated corpora here")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed per run")
    ap.add_argument("--max-rss-gb", type=float, default=8.0,
                    help="stop a run whose resident memory grows past this (protects a shared machine)")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.child is not None:
        print(json.dumps(child(a.child, a.semantic == "on", not a.no_extras)))
        return 0

    try:
        import storyline.pipeline  # noqa: F401  (fail early, before generating anything)
    except ImportError as exc:
        print(f"storyline.pipeline is not importable yet ({exc}); nothing to measure", file=sys.stderr)
        return 2
    from storyline import embed

    can_embed = embed.available()
    sizes = [int(s) for s in a.sizes.split(",") if s.strip()]
    runs: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="storyline-corpus-") as tmp:
        folder = a.corpus_dir or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            corpus = folder / f"generated-{n}-seed{a.seed}.jsonl"
            gen_s = None
            if not corpus.exists():
                gen_s = round(write_corpus(n, a.seed, corpus), 2)
            semantic = can_embed and (a.semantic == "on" or (a.semantic == "auto" and n <= a.semantic_max))
            print(f"running {n:,} articles (semantic={'on' if semantic else 'off'}) ...", file=sys.stderr)
            row = run_child(corpus, semantic, not a.no_extras, a.timeout, a.max_rss_gb)
            row["generate_s"] = gen_s
            row["corpus_mb"] = round(corpus.stat().st_size / 2**20, 1)
            runs[str(n)] = row

    ok = {n: r for n, r in runs.items() if "error" not in r}
    if ok:
        head = ["", *[f"{int(n):,} articles" for n in ok]]
        rows: list[list[Any]] = [
            ["wall s", *[r["wall_s"] for r in ok.values()]],
            ["cpu s", *[r["cpu_s"] for r in ok.values()]],
            ["articles/s", *[r["articles_per_s"] for r in ok.values()]],
            ["peak RSS MB", *[r["peak_rss_mb"] for r in ok.values()]],
            ["semantic", *["on" if r["semantic"] else "off" for r in ok.values()]],
        ]
        stages: list[str] = []
        for r in ok.values():
            stages += [s for s in r["timings"] if s not in stages]
        rows += [[f"  {s} s", *[r["timings"].get(s, "") for r in ok.values()]] for s in stages]
        rows += [["stories", *[r["stories"] for r in ok.values()]]]
        for key in ("exact", "minhash", "vector", "total"):
            rows.append([f"pairs: {key}", *[(r.get("pairs") or {}).get(key, "") for r in ok.values()]])
        for key in ("ari", "bcubed_f1", "v_measure"):
            rows.append([key, *[(r.get("quality") or {}).get(key, "") for r in ok.values()]])
        print(table(rows, head))
    for n, r in runs.items():
        if "error" in r:
            print(f"{n}: {r['error']}\n{r['stderr_tail']}", file=sys.stderr)
    print(json.dumps({"bench": "pipeline", "seed": a.seed, "machine": machine(), "runs": runs}))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
