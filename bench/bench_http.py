"""HTTP load test on loopback: requests/s and latency of the story page, bounded in time and count.

    .venv/bin/python bench/bench_http.py --db /tmp/storyline-bench/store.db --seconds 10 --concurrency 8
    .venv/bin/python bench/bench_http.py --n 20000          # builds a generated store first

Starts ``python -m storyline.serve`` (one uvicorn worker) on 127.0.0.1, then for each target
(story page, story JSON, list page) runs ``--concurrency`` keep-alive clients for ``--seconds``
or ``--max-requests``, whichever comes first. Client and server share this machine's cores,
so the numbers are a floor. Traffic goes to the loopback address only.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_store import RESULTS, build, rss, start_server


def load(base: str, paths: list[str], seconds: float, concurrency: int, max_requests: int) -> dict[str, Any]:
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    count = [0]

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < deadline:
                with lock:
                    if count[0] >= max_requests:
                        return
                    count[0] += 1
                t = time.perf_counter()
                try:
                    r = client.get(rng.choice(paths))
                    ok = r.status_code == 200
                except httpx.HTTPError as exc:
                    ok, r = False, exc
                dt = (time.perf_counter() - t) * 1000
                with lock:
                    lat.append(dt)
                    if not ok:
                        errors.append(str(getattr(r, "status_code", r)))

    t0 = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    wall = time.perf_counter() - t0
    a = np.asarray(lat)
    return {
        "requests": len(lat),
        "errors": len(errors),
        "seconds": wall,
        "requests_per_s": len(lat) / wall,
        "p50_ms": float(np.percentile(a, 50)) if len(a) else None,
        "p95_ms": float(np.percentile(a, 95)) if len(a) else None,
        "p99_ms": float(np.percentile(a, 99)) if len(a) else None,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default=None, help="an existing store (default: build one of --n articles)")
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-requests", type=int, default=50_000)
    args = ap.parse_args()
    if args.db:
        db = Path(args.db)
        n = None
    else:
        db = Path(f"/tmp/storyline-http-{args.n}.db")
        n = args.n
        print(f"building a store of {n:,} generated articles at {db}")
        build(db, n)
    proc, base = start_server(db)
    try:
        with httpx.Client(base_url=base, timeout=60) as c:
            ids: list[str] = []
            cursor = None
            while len(ids) < 500:
                params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
                page = c.get("/api/stories", params=params).json()
                ids += [s["story_id"] for s in page["items"]]
                cursor = page["next_cursor"]
                if not cursor:
                    break
        res: dict[str, Any] = {"store": str(db), "articles": n, "concurrency": args.concurrency}
        targets = {
            "story_page": [f"/stories/{i}" for i in ids],
            "story_json": [f"/api/stories/{i}" for i in ids],
            "list_page": ["/", "/?sort=largest", "/?sort=newest"],
        }
        for name, paths in targets.items():
            res[name] = load(base, paths, args.seconds, args.concurrency, args.max_requests)
            print(name, json.dumps(res[name]))
        res["server_memory"] = rss(proc.pid)
        print("server memory:", res["server_memory"])
    finally:
        proc.terminate()
        proc.wait(20)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"http-{db.stem}.json"
    out.write_text(json.dumps(res, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
