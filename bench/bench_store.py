"""Store benchmark: a store of N generated articles, then the costs a running service pays.

    .venv/bin/python bench/bench_store.py --n 1000000 --db /tmp/storyline-bench.db

Measures, on a store already holding N articles in stories:
- adding one article dated within the last two days (the live edge) and getting its story
  assignment (one transaction, FULL sync): p50/p95/max,
  from a precomputed vector (the store side) and with the MiniLM embedding of the article included;
- ingest throughput (articles/s) in batches, as ``storyline ingest`` does;
- store size per article (database + WAL);
- RAM (RSS, peak) of a serving process after it answered list, search and story pages,
  and those pages' latency.

The N articles are generated (random words, vectors clustered by story) and bulk-loaded with plain
SQL inside one transaction per chunk (the store's ingest path would take hours at this size on two
cores); the articles added afterwards go through the real ``Assigner``. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

os.environ.setdefault("STORYLINE_THREADS", "1")  # as `storyline serve` runs the embedder

from storyline.model import Article
from storyline.store import AssignConfig, Assigner, Store
from storyline.store.db import content_hash, iso, now_iso

DAY = 86400
T0 = 1_704_067_200  # 2024-01-01
RESULTS = Path(__file__).resolve().parent / "results"
RUN_SEED = time.time_ns() % 2**32
RUN = f"{RUN_SEED:x}"  # new article ids and texts for every run, so a reused store sees new articles


def vocabulary(rng: np.random.Generator, n: int = 6000) -> np.ndarray:
    letters = np.array(list("etaoinshrdlucmfwypvbgkqjxz"))
    p = 1 / np.arange(1, 27)
    p /= p.sum()
    return np.array(["".join(rng.choice(letters, size=rng.integers(2, 10), p=p)) for _ in range(n)])


class Generator:
    """Articles grouped into stories: each story has a day, a few outlets and a centroid vector."""

    def __init__(self, seed: int = 0, days: int = 365, outlets: int = 60) -> None:
        self.rng = np.random.default_rng(seed)
        self.words = vocabulary(self.rng)
        zipf = 1 / np.arange(1, len(self.words) + 1) ** 1.05
        self.cdf = np.cumsum(zipf / zipf.sum())
        self.days = days
        self.outlets = [f"Outlet {i:02d}" for i in range(outlets)]

    def text(self, n_words: int) -> str:
        idx = np.minimum(np.searchsorted(self.cdf, self.rng.random(n_words)), len(self.words) - 1)
        w = self.words[idx]
        sentences = [" ".join(w[i : i + 18]).capitalize() + "." for i in range(0, n_words, 18)]
        return "\n".join(" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4))

    def unit(self, n: int) -> np.ndarray:
        v = self.rng.standard_normal((n, 384)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    def near(self, centroid: np.ndarray, n: int, noise: float = 0.045) -> np.ndarray:
        v = centroid[None, :] + noise * self.rng.standard_normal((n, 384)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)


def build(db: Path, n: int, seed: int = 0, chunk: int = 25_000, log: Any = print) -> dict[str, float]:
    """Bulk-load ``n`` generated articles in stories into a new store (explicit rowids, executemany)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    gen = Generator(seed)
    sentences = [gen.text(18) for _ in range(20_000)]  # articles are drawn from a pool of sentences
    store = Store(db, synchronous="NORMAL")
    con = store.con
    t0 = time.perf_counter()
    done, story_no = 0, 0
    created = now_iso()
    while done < n:
        arts, embs, stories, s_outlets, s_fts = [], [], [], [], []
        target = min(n, done + chunk)
        while done < target:
            size = int(min(gen.rng.geometric(0.25), 40, target - done))
            day = int(gen.rng.integers(0, gen.days))
            vecs = gen.near(gen.unit(1)[0], size)
            story_no += 1
            srow = story_no
            title = sentences[int(gen.rng.integers(0, len(sentences)))][:80]
            outlets, titles, tss = set(), [], []
            for k in range(size):
                done += 1
                ts = T0 + day * DAY + int(gen.rng.integers(0, DAY))
                outlet = gen.outlets[int(gen.rng.integers(0, len(gen.outlets)))]
                picks = gen.rng.integers(0, len(sentences), size=int(gen.rng.integers(5, 12)))
                text = "\n".join(
                    " ".join(sentences[int(j)] for j in picks[i : i + 3]) for i in range(0, len(picks), 3)
                )
                a_title = sentences[int(picks[0])][:70]
                a = Article(id=f"g{done}", text=text, title=a_title, outlet=outlet)
                arts.append((done, a.id, content_hash(a), outlet, a_title, iso(ts), ts, text, srow, created))
                embs.append((done, ts // DAY, "generated", vecs[k].tobytes()))
                outlets.add(outlet)
                titles.append(a_title)
                tss.append(ts)
            stories.append(
                (
                    srow,
                    f"bench-{srow}",
                    title,
                    size,
                    min(tss),
                    max(tss),
                    max(tss) // DAY,
                    iso(min(tss)),
                    iso(max(tss)),
                    json.dumps(sorted(outlets)),
                    created,
                )
            )
            s_outlets += [(o, srow) for o in outlets]
            s_fts.append((srow, title, "\n".join(titles)))
        with store.write():
            con.executemany(
                "INSERT INTO stories(rowid, story_id, title, size, first_ts, last_ts, day, first_published, "
                "last_published, outlets, updated_at, dirty) VALUES (?,?,?,?,?,?,?,?,?,?,?,0)",
                stories,
            )
            con.executemany(
                "INSERT INTO articles(rowid, id, content_hash, outlet, title, published, ts, text, "
                "story_rowid, "
                "ingested_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
                arts,
            )
            con.executemany("INSERT INTO embeddings(article_rowid, day, model, vec) VALUES (?,?,?,?)", embs)
            con.executemany("INSERT INTO story_outlets(outlet, story_rowid) VALUES (?,?)", s_outlets)
            con.executemany("INSERT INTO stories_fts(rowid, title, body) VALUES (?,?,?)", s_fts)
        el = time.perf_counter() - t0
        log(f"  built {done:,}/{n:,} articles, {story_no:,} stories, {done / el:,.0f} articles/s")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("ANALYZE")
    store.close()
    return {"build_s": time.perf_counter() - t0, "stories": story_no}


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs), q)) if xs else float("nan")


def probe_assign(db: Path, probes: int, seed: int, embed: bool) -> dict[str, Any]:
    """Add one article at a time; half belong to an existing story (vector near a member's), half are new."""
    gen = Generator(seed + RUN_SEED + 1)
    store = Store(db)
    cfg = AssignConfig(window_days=3, threshold=0.8, embed=embed)  # max_tokens: the service's default
    assigner = Assigner(store, cfg)
    live = T0 + (gen.days - 2) * DAY  # new articles arrive at the live edge: dated within the last two days
    recent = [
        r[0]
        for r in store.con.execute(
            "SELECT rowid FROM articles WHERE ts >= ? AND ts < ?", (live, T0 + gen.days * DAY)
        )
    ]
    lat, joined_ok, new_ok = [], 0, 0
    warm = 3
    for i in range(probes + warm):
        ts = live + int(gen.rng.integers(0, 2 * DAY))
        join = i % 2 == 0
        expect = None
        if join:  # pick a stored article, make a new one near it, dated near it
            rid = recent[int(gen.rng.integers(0, len(recent)))]
            row = store.con.execute(
                "SELECT a.ts, e.vec, s.story_id FROM articles a "
                "JOIN embeddings e ON e.article_rowid = a.rowid "
                "JOIN stories s ON s.rowid = a.story_rowid WHERE a.rowid = ?",
                (rid,),
            ).fetchone()
            if row is None:
                continue
            ts = row[0] + 3600
            vec = gen.near(np.frombuffer(row[1], dtype=np.float32), 1, noise=0.03)[0]
            expect = row[2]
        else:
            vec = gen.unit(1)[0]
        a = Article(
            id=f"probe-{RUN}-{embed}-{i}",
            text=gen.text(150),
            title=gen.text(8).split(".")[0],
            outlet="Probe",
            published=iso(ts),
        )
        t = time.perf_counter()
        # placement only, as the service does: re-grading and settling follow in the background
        (sid,) = assigner.assign([a], None if embed else vec[None, :], refresh=False)
        dt = (time.perf_counter() - t) * 1000
        if i >= warm:
            lat.append(dt)
            if not embed:
                joined_ok += int(join and sid == expect)
                new_ok += int(not join and store.get_story(sid)["size"] == 1)
    store.close()
    out = {"probes": len(lat), "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "max_ms": max(lat)}
    if not embed:
        out["joined_expected_story"] = joined_ok
        out["started_new_story"] = new_ok
    return out


def ingest_rate(db: Path, n: int, batch: int, seed: int) -> dict[str, Any]:
    """Articles/s through Assigner.assign in batches (FULL sync, one transaction a batch)."""
    gen = Generator(seed + RUN_SEED + 2)
    store = Store(db)
    assigner = Assigner(store, AssignConfig(embed=False))
    arts, vecs = [], []
    for i in range(n):
        ts = T0 + (gen.days - 2) * DAY + int(gen.rng.integers(0, 2 * DAY))
        arts.append(
            Article(
                id=f"rate-{RUN}-{i}",
                text=gen.text(150),
                title=gen.text(8).split(".")[0],
                outlet="Rate",
                published=iso(ts),
            )
        )
        vecs.append(gen.unit(1)[0])
    vecs_a = np.stack(vecs)
    t = time.perf_counter()
    for i in range(0, n, batch):
        assigner.assign(arts[i : i + batch], vecs_a[i : i + batch], refresh=False)
    el = time.perf_counter() - t
    store.close()
    return {"articles": n, "batch": batch, "seconds": el, "articles_per_s": n / el}


def embed_latency(k: int = 30) -> dict[str, Any] | None:
    try:
        from storyline.embed import available, encode
    except ImportError:
        return None
    if not available():
        return None
    gen = Generator(9)
    tokens = AssignConfig().max_tokens
    encode(["warm up"], max_tokens=tokens)
    lat = []
    for _ in range(k):
        t = time.perf_counter()
        encode([gen.text(150)], max_tokens=tokens)
        lat.append((time.perf_counter() - t) * 1000)
    return {"texts": k, "max_tokens": tokens, "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95)}


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "storyline.serve",
            "--store",
            str(db),
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/api/health", timeout=2).read()
            return proc, base
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def rss(pid: int) -> dict[str, float]:
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return {"rss_mb": out.get("VmRSS", float("nan")), "peak_rss_mb": out.get("VmHWM", float("nan"))}


def serve_probe(db: Path) -> dict[str, Any]:
    """Start the server on the store, time a few pages, and read its memory."""
    proc, base = start_server(db)
    try:

        def get(path: str) -> tuple[float, bytes]:
            t = time.perf_counter()
            body = urllib.request.urlopen(base + path, timeout=60).read()
            return (time.perf_counter() - t) * 1000, body

        pages: dict[str, float] = {}
        pages["list_ms"], body = get("/api/stories?limit=25")
        items = json.loads(body)["items"]
        cursor = json.loads(body)["next_cursor"]
        pages["list_page2_ms"], _ = get(f"/api/stories?limit=25&cursor={cursor}")
        pages["list_html_ms"], _ = get("/")
        pages["largest_ms"], _ = get("/api/stories?sort=largest&limit=25")
        word = items[0]["title"].split()[0] if items and items[0]["title"] else "the"
        pages["search_ms"], _ = get(f"/api/stories?q={word}&limit=25")
        pages["outlet_filter_ms"], _ = get("/api/stories?outlet=Outlet%2007&limit=25")
        pages["date_range_ms"], _ = get("/api/stories?since=2024-06-01&until=2024-06-02&limit=25")
        story_ms = []
        for s in items[:10]:
            ms, _ = get(f"/stories/{s['story_id']}")
            story_ms.append(ms)
        pages["story_html_p50_ms"] = pct(story_ms, 50)
        mem = rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(20)
    return {"pages": pages, **mem}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--db", default="/tmp/storyline-bench.db")
    ap.add_argument("--reuse", action="store_true", help="use the store at --db if it exists")
    ap.add_argument("--probes", type=int, default=400)
    ap.add_argument("--embed-probes", type=int, default=40)
    ap.add_argument("--ingest", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    db = Path(args.db)
    res: dict[str, Any] = {
        "n": args.n,
        "run_seed": RUN_SEED,
        "machine": {"cpus": os.cpu_count()},
        "load_avg_start": os.getloadavg(),
    }
    if not (args.reuse and db.exists()):
        print(f"building a store of {args.n:,} generated articles at {db}")
        res["build"] = build(db, args.n, args.seed)
        res["build"]["articles_per_s"] = args.n / res["build"]["build_s"]
    size = sum(Path(str(db) + s).stat().st_size for s in ("", "-wal") if Path(str(db) + s).exists())
    res["store_bytes"] = size
    res["bytes_per_article"] = size / args.n
    print(f"store: {size / 2**30:.2f} GiB, {size / args.n:,.0f} bytes/article")
    res["assign"] = probe_assign(db, args.probes, args.seed, embed=False)
    print("assign one article (store side):", res["assign"])
    if args.embed_probes:
        res["assign_with_embedding"] = probe_assign(db, args.embed_probes, args.seed + 100, embed=True)
        print("assign one article (with MiniLM embedding):", res["assign_with_embedding"])
    res["embed_one"] = embed_latency()
    res["ingest"] = ingest_rate(db, args.ingest, 64, args.seed)
    print("ingest:", res["ingest"])
    res["serve"] = serve_probe(db)
    print("serve:", res["serve"])
    res["load_avg_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"store-{args.n}.json"
    out.write_text(json.dumps(res, indent=2))
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
