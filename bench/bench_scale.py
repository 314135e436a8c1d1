"""Scale benchmark: the whole pipeline on sharded generated corpora, local Ray, growing sizes.

    python bench/bench_scale.py --sizes 10000,100000,1000000 [--executor ray] [--cpus 2]
        [--scope window] [--corpus-dir DIR] [--json FILE]
    python bench/bench_scale.py --embed-sample 2000       # the semantic stage's throughput alone
    python bench/bench_scale.py --regroup-sample 400000   # LSH bucketing: task shuffle vs Ray Data groupby

For each size a corpus is generated (bench/generate.py, seed 1, not timed) as
JSON-lines shards of 10,000 articles, and ``storyline.run(corpus_dir, out=tmp,
extras=False, semantic=False, executor=...)`` runs in a fresh child process.
Measured per size: wall seconds, articles per second, the pipeline's seconds per
stage, peak memory of the whole run (the driver and every Ray process it
started, object store included, as the sum of their proportional set sizes,
sampled every 0.5 s), candidate pairs, stories and, against the generator's
labels, ARI / B-cubed / V-measure.

The runs use the lexical fallback (``semantic=False``: LSA vectors and the pair
model fitted for them): MiniLM embeds a few dozen articles a second per core,
which would put a million articles at days on two cores. ``--embed-sample``
measures that throughput (articles per second, one core and all cores through
the executor) so the cost of a semantic run can be stated.

``--scope window`` searches each article's vector neighbours among the articles
of its time window only (``neighbour_scope="window"``); the default ``corpus``
scope compares every article with every other one and grows as n^2.

The last line printed is a JSON object with every figure.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import REPO, load_generator, machine, table

PER_FILE = 10_000


def write_corpus(n: int, seed: int, folder: Path, per_day: float | None = None) -> float:
    """n generated articles as folder/part-NNNNN.jsonl shards; seconds taken (0 when already there)."""
    stamp = folder / ".complete"
    tag = f"{n} {seed}" if per_day is None else f"{n} {seed} {per_day:g}/day"
    if stamp.exists() and stamp.read_text() == tag:
        return 0.0
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.jsonl"):
        old.unlink()
    gen = load_generator()
    t0 = time.perf_counter()
    batch: list[str] = []
    part = 0
    for rec in gen.generate(n, seed=seed, per_day=per_day):
        batch.append(json.dumps(rec, ensure_ascii=False) + "\n")
        if len(batch) == PER_FILE:
            (folder / f"part-{part:05d}.jsonl").write_text("".join(batch), encoding="utf-8")
            batch, part = [], part + 1
    if batch:
        (folder / f"part-{part:05d}.jsonl").write_text("".join(batch), encoding="utf-8")
    stamp.write_text(tag)
    return time.perf_counter() - t0


class MemorySampler:
    """Peak memory of this process and all its descendants (Ray's raylet, GCS and workers)."""

    def __init__(self, every: float = 0.5):
        import psutil

        self.psutil = psutil
        self.every = every
        self.peak_mb = 0.0
        self.driver_peak_mb = 0.0
        self.timeline: list[tuple[float, int, int]] = []  # (seconds, all processes MB, driver MB) every 5 s
        self._t0 = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        me = self.psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_full_info().pss
            except (self.psutil.Error, OSError):
                continue
        driver = me.memory_info().rss / 2**20
        self.peak_mb = max(self.peak_mb, total / 2**20)
        self.driver_peak_mb = max(self.driver_peak_mb, driver)
        t = time.perf_counter() - self._t0
        if not self.timeline or t - self.timeline[-1][0] >= 5.0:
            self.timeline.append((round(t, 1), round(total / 2**20), round(driver)))

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def stage_peaks(timings: dict[str, float], timeline: list[tuple[float, int, int]]) -> dict[str, list[int]]:
    """[all processes, driver] peak MB per stage, the stages laid end to end in the order timed."""
    out, start = {}, 0.0
    for stage, secs in timings.items():
        inside = [(a, d) for t, a, d in timeline if start <= t <= start + secs + 5.0]
        if inside:
            out[stage] = [max(a for a, _ in inside), max(d for _, d in inside)]
        start += secs
    return out


def _labels(corpus: Path) -> dict[str, str]:
    out = {}
    for path in sorted(corpus.glob("part-*.jsonl")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                out[rec["id"]] = rec["story"]
    return out


def child(corpus: Path, executor: str, cpus: int, scope: str, out: Path | None, store_gb: float) -> dict[str, Any]:
    """One measured run, in this (fresh) process."""
    import contextlib

    import storyline

    if executor == "ray":
        import ray

        from storyline.executors.ray import WORKER_ENV

        ray.init(num_cpus=cpus, include_dashboard=False, runtime_env={"env_vars": dict(WORKER_ENV)},
                 object_store_memory=int(store_gb * 2**30) if store_gb else None)
    with contextlib.ExitStack() as stack:
        if out is None:
            out = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="storyline-scale-")))
        resumed = sum(1 for _ in (out / ".work").rglob("*.done")) if (out / ".work").exists() else 0
        with MemorySampler() as mem:
            t0 = time.perf_counter()
            result = storyline.run([str(corpus)], out=out, semantic=False, extras=False, executor=executor,
                                   neighbour_scope=scope)
            wall = time.perf_counter() - t0
        out_files = sorted(p.name for p in Path(out).iterdir() if not p.name.startswith("."))
        out_bytes = sum(p.stat().st_size for p in Path(out).rglob("*") if p.is_file() and ".work" not in p.parts)
    s = result.summary
    pred = {aid: st.story_id for st in result.stories for aid in st.article_ids}
    del result  # the run's arrays are not needed to score it
    gc.collect()
    row: dict[str, Any] = {
        "articles": s["articles"],
        "wall_s": round(wall, 1),
        "articles_per_s": round(s["articles"] / wall, 1),
        "peak_memory_mb": round(mem.peak_mb),
        "driver_peak_rss_mb": round(mem.driver_peak_mb),
        "timings": s["timings"],
        "stage_peaks_mb": stage_peaks(s["timings"], mem.timeline),
        "memory_timeline": mem.timeline,
        "pairs": s["pairs"],
        "stories": s["stories"],
        "multi_article_stories": s["multi_article_stories"],
        "largest_story": s["largest_story"],
        "output_mb": round(out_bytes / 2**20, 1),
        "output_files": len(out_files),
        "executor": executor,
        "cpus": cpus,
        "scope": scope,
        "object_store_gb": store_gb or None,
        "shards_found_done": resumed,
    }
    try:
        from metrics import scores

        labels = _labels(corpus)
        ids = [i for i in pred if i in labels]
        row["quality"] = scores([labels[i] for i in ids], [pred[i] for i in ids])
    except Exception as exc:  # scoring is a bonus: never lose the timings over it
        row["quality_error"] = f"{type(exc).__name__}: {exc}"
    return row


def embed_throughput(n: int, cpus: int) -> dict[str, Any]:
    """MiniLM articles per second: one core in process, then ``cpus`` Ray workers on shards."""
    from storyline import embed
    from storyline.embed.sharded import embed_shard
    from storyline.model import Article

    if not embed.available():
        return {"error": "embed extra not installed"}
    gen = load_generator()
    arts = [Article(id=r["id"], text=r["text"], title=r["title"]) for r in gen.generate(n, seed=7)]
    t0 = time.perf_counter()
    embed_shard(arts[: n // 4], 128)  # warm-up: loads the model
    one = time.perf_counter()
    embed_shard(arts[n // 4 :], 128)
    per_core = (n - n // 4) / (time.perf_counter() - one)
    out: dict[str, Any] = {"articles": n, "one_core_articles_per_s": round(per_core, 1),
                           "model_load_s": round(one - t0, 1)}
    try:
        import ray

        from storyline.executors.ray import WORKER_ENV, RayExecutor

        env = dict(WORKER_ENV, STORYLINE_THREADS="1")
        ray.init(num_cpus=cpus, include_dashboard=False, runtime_env={"env_vars": env})
        ex = RayExecutor()
        fresh = [Article(id=r["id"], text=r["text"], title=r["title"]) for r in gen.generate(n, seed=8)]
        ex.gather(ex.map_shards(embed_shard, [fresh[:cpus]] * cpus, 128))  # load the model everywhere
        size = -(-n // (2 * cpus))
        shards = [fresh[s : s + size] for s in range(0, n, size)]
        t1 = time.perf_counter()
        ex.gather(ex.map_shards(embed_shard, shards, 128))
        total = n / (time.perf_counter() - t1)
        out.update({"ray_workers": cpus, "ray_articles_per_s": round(total, 1),
                    "ray_articles_per_s_per_core": round(total / cpus, 1)})
        ex.close()
    except ImportError:
        pass
    return out


def _band_table(block: Any, offset: int, parts: int) -> Any:
    import numpy as np
    import pyarrow as pa

    from storyline.fingerprint import band_rows

    keys, docs = band_rows(block, 25, 5, offset)
    return pa.table({"key": keys, "doc": docs, "part": (keys % np.uint64(parts)).astype(np.int64)})


def _group_pairs(batch: dict[str, Any]) -> dict[str, Any]:
    from storyline.fingerprint import pairs_from_band_rows

    p = pairs_from_band_rows(batch["key"], batch["doc"], max_bucket=1000)
    return {"a": p[:, 0], "b": p[:, 1]}


def regroup_throughput(n: int, cpus: int) -> dict[str, Any]:
    """LSH bucketing of n signatures (25 bands): the executor's task shuffle against Ray Data's groupby
    (on Arrow tables of band rows, written for this bucketing), and against the executor's generic
    ``shuffle="data"`` (pickled pieces as rows)."""
    import numpy as np
    import ray

    from storyline.executors.ray import WORKER_ENV, RayExecutor
    from storyline.fingerprint.sharded import lsh_pairs

    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32 - 1, size=(n, 128), dtype=np.uint32)
    sigs[n // 2 :: 7] = sigs[: n // 2 : 7][: len(sigs[n // 2 :: 7])]  # some duplicates, so buckets hold pairs
    ray.init(num_cpus=cpus, include_dashboard=False, runtime_env={"env_vars": dict(WORKER_ENV)})
    ex = RayExecutor()
    t0 = time.perf_counter()
    tasks = lsh_pairs(ex, sigs, 25, 5, 1000)
    t_tasks = time.perf_counter() - t0
    parts = max(1, min(64, n // 50_000))
    t0 = time.perf_counter()
    refs = [ray.remote(_band_table).remote(sigs[s : s + 100_000], s, parts) for s in range(0, n, 100_000)]
    ds = ray.data.from_arrow_refs(refs)
    rows = ds.groupby("part").map_groups(_group_pairs, batch_format="numpy").take_all()
    got = np.unique(np.array([(r["a"], r["b"]) for r in rows], dtype=np.int64).reshape(-1, 2), axis=0)
    t_data = time.perf_counter() - t0
    t0 = time.perf_counter()
    via_data = lsh_pairs(RayExecutor(shuffle="data"), sigs, 25, 5, 1000)
    t_exec_data = time.perf_counter() - t0
    ex.close()
    return {"signatures": n, "band_rows": n * 25, "pairs": len(tasks), "same_pairs": bool(np.array_equal(got, tasks)),
            "same_pairs_executor_data": bool(np.array_equal(via_data, tasks)),
            "task_shuffle_s": round(t_tasks, 1), "ray_data_groupby_s": round(t_data, 1),
            "executor_shuffle_data_s": round(t_exec_data, 1)}


def run_child(corpus: Path, executor: str, cpus: int, scope: str, timeout: float | None, out: Path | None,
              store_gb: float) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", str(corpus), "--executor", executor, "--cpus", str(cpus),
           "--scope", scope, "--store-gb", str(store_gb)]
    if out is not None:
        cmd += ["--out-dir", str(out)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "src"), env.get("PYTHONPATH", "")]))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"child exited with {proc.returncode}", "stderr_tail": (proc.stderr or proc.stdout)[-3000:]}
    return json.loads(lines[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="10000,100000", help="comma-separated corpus sizes")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--per-day", type=float, default=None,
                    help="generate about this many articles a day, the span growing with the size "
                         "(default: every size spread over the same 730 days, so denser as it grows)")
    ap.add_argument("--executor", choices=["local", "ray"], default="ray")
    ap.add_argument("--cpus", type=int, default=2, help="CPUs of the local Ray instance")
    ap.add_argument("--scope", choices=["corpus", "window"], default="window", help="neighbour search scope")
    ap.add_argument("--corpus-dir", type=Path, default=None, help="keep generated corpora here")
    ap.add_argument("--timeout", type=float, default=None, help="seconds allowed per run")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--out-dir", type=Path, default=None,
                    help="keep each run's output (and its .work checkpoints) under here: a rerun resumes")
    ap.add_argument("--store-gb", type=float, default=0, help="cap Ray's object store (GiB; 0: Ray's default)")
    ap.add_argument("--embed-sample", type=int, default=0, help="only measure MiniLM throughput on this many")
    ap.add_argument("--regroup-sample", type=int, default=0,
                    help="only compare LSH regrouping (tasks vs Ray Data) on this many signatures")
    ap.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        print(json.dumps(child(args.child, args.executor, args.cpus, args.scope, args.out_dir, args.store_gb)))
        return 0
    if args.regroup_sample:
        print(json.dumps({"machine": machine(), "regroup": regroup_throughput(args.regroup_sample, args.cpus)}))
        return 0
    if args.embed_sample:
        res = {"machine": machine(), "embed": embed_throughput(args.embed_sample, args.cpus)}
        print(json.dumps(res))
        return 0

    base = args.corpus_dir or Path(tempfile.mkdtemp(prefix="storyline-scale-corpus-"))
    rows = []
    for n in [int(x) for x in args.sizes.split(",") if x]:
        density = "" if args.per_day is None else f"-{args.per_day:g}perday"
        folder = base / f"gen-{n}-seed{args.seed}{density}"
        gen_s = write_corpus(n, args.seed, folder, args.per_day)
        out = args.out_dir / f"run-{n}" if args.out_dir else None
        row = run_child(folder, args.executor, args.cpus, args.scope, args.timeout, out, args.store_gb)
        row.update({"n": n, "generate_s": round(gen_s, 1), "per_day": args.per_day})
        rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)
    stages = sorted({k for r in rows for k in r.get("timings", {})}, key=lambda k: -max(
        r.get("timings", {}).get(k, 0) for r in rows))
    print(table([[r["n"], r.get("wall_s"), r.get("articles_per_s"), r.get("peak_memory_mb"),
                  r.get("stories"), r.get("quality", {}).get("ari")] for r in rows],
                ["articles", "wall s", "art/s", "peak MB", "stories", "ARI"]))
    print(table([[k, *[r.get("timings", {}).get(k) for r in rows]] for k in stages],
                ["stage (s)", *[str(r["n"]) for r in rows]]))
    res = {"machine": machine(), "executor": args.executor, "cpus": args.cpus, "scope": args.scope, "runs": rows}
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(res, indent=2))
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
