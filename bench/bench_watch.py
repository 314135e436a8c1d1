"""`storyline watch` at scale, on loopback only: 1,000 feeds of 20 items each, served by a local process.

    nice -n 10 .venv/bin/python bench/bench_watch.py [--feeds 1000] [--items 20] [--pages 2000]

The feeds are an aggregator's: ``--feeds`` feeds on hosts ``feedN.example`` list
``--items`` items each, drawn from ``--pages`` distinct article pages (a synthetic
corpus from bench/generate.py, served on its outlets' hosts), so most items are
the same page under another GUID in another feed and are deduplicated by
canonical URL without a fetch. Everything goes through a loopback proxy
(127.0.0.1) run in a child process, so the watcher's CPU and memory are its own.

Measured, in the watcher's process:

1. cold poll: every feed new, every page fetched, read and stored (placement),
   then settled; cycle wall and CPU time, requests/s, pages/s;
2. steady poll: nothing changed, every feed answers 304 to its ETag;
3. news: ``--news`` feeds each gain one item (half a new story, half a close copy
   of a stored single-outlet story from another outlet), then one poll of all
   feeds: the latency from an item's appearance to its ``story.new`` /
   ``story.grew`` event (p50/p95; add the poll interval to have the end-to-end
   delay), the cycle's wall and CPU;
4. the watcher's peak memory (RSS).

Bounded in time: ``--budget`` seconds (default 540) for the whole run; a phase
that would start past it is skipped and said so.
"""

from __future__ import annotations

import argparse
import html
import json
import multiprocessing as mp
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from common import current_rss_mb, load_generator, machine, peak_rss_mb, table

from storyline.watch.loopback import LoopbackServer, Route, rss


def _page(rec: dict) -> bytes:
    paras = "".join(f"<p>{html.escape(p)}</p>" for p in rec["text"].split("\n") if p.strip())
    pub = f'<meta property="article:published_time" content="{rec["published"]}">' if rec.get("published") else ""
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(rec['title'])}</title>{pub}"
            f"</head><body><nav>Home</nav><article><h1>{html.escape(rec['title'])}</h1>{paras}</article>"
            f"<footer>Footer</footer></body></html>").encode()


def _serve(conn) -> None:
    """The child process: a loopback proxy; routes arrive over ``conn``; answers its port, then hit counts."""
    srv = LoopbackServer()
    srv._srv.request_queue_size = 1024
    conn.send(srv.base)
    while True:
        msg = conn.recv()
        if msg[0] == "routes":
            srv.routes.update({k: Route(v, ct) for k, (v, ct) in msg[1].items()})
            conn.send(("ok", time.time()))
        elif msg[0] == "hits":
            conn.send(sum(srv.hits.values()))
        else:
            srv.close()
            conn.send("bye")
            return


def _url(rec: dict) -> str:
    return rec["url"].replace("https://", "http://")


def build(feeds: int, items: int, pages: int, seed: int) -> tuple[dict, list[str], list[dict]]:
    from storyline.watch import canonical_url

    gen = load_generator()
    recs = list(gen.generate(pages, seed=seed, n_outlets=300))
    for r in recs:
        r["url"] = canonical_url(_url(r))
    rng = random.Random(seed)
    routes: dict[str, tuple[bytes, str]] = {r["url"]: (_page(r), "text/html; charset=utf-8") for r in recs}
    feed_urls = []
    for k in range(feeds):
        picks = rng.sample(range(len(recs)), items) if k >= len(recs) // items else \
            list(range(k * items, (k + 1) * items))  # every page is in some feed
        body = rss([{"title": recs[i]["title"], "link": recs[i]["url"], "guid": f"f{k}-{i}"} for i in picks], f"feed {k}")
        u = f"http://feed{k}.example/rss.xml"
        routes[u] = (body, "application/rss+xml")
        feed_urls.append(u)
    return routes, feed_urls, recs


class Peak:
    """Samples this process's RSS every 50 ms (the peak since start)."""

    def __init__(self) -> None:
        self.peak = current_rss_mb()
        self._stop = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, current_rss_mb())

    def stop(self) -> float:
        self._stop.set()
        return max(self.peak, peak_rss_mb())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--pages", type=int, default=2000, help="distinct article pages the items are drawn from")
    ap.add_argument("--news", type=int, default=40, help="feeds that gain an item before the news poll")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--host-rate", type=float, default=1.0)
    ap.add_argument("--embed", action="store_true", help="with the MiniLM stage (default: lexical)")
    ap.add_argument("--analyse", action="store_true", help="re-grade and re-digest changed stories")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--budget", type=float, default=540.0)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = ap.parse_args(argv)
    t_start = time.perf_counter()

    from storyline.store import Store
    from storyline.watch import ClientConfig, WatchConfig, Watcher

    routes, feed_urls, _ = build(args.feeds, args.items, args.pages, args.seed)
    parent, child = mp.Pipe()
    proc = mp.get_context("spawn").Process(target=_serve, args=(child,), daemon=True)
    proc.start()
    proxy = parent.recv()
    parent.send(("routes", routes))
    parent.recv()
    tmp = Path(tempfile.mkdtemp(prefix="bench_watch_"))
    peak = Peak()
    out: dict = {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
    rows = []

    def hits() -> int:
        parent.send(("hits",))
        return parent.recv()

    def cycle(w: Watcher, name: str) -> dict:
        h0, c0, t0 = hits(), time.process_time(), time.perf_counter()
        rep = w.poll(all_sources=True)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        req = hits() - h0
        d = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "requests": req, "requests_per_s": round(req / wall, 1),
             **{k: v for k, v in rep.to_json().items() if k not in ("seconds",)}}
        if rep.settle:
            d["settle_s"] = rep.settle.get("seconds")
        rows.append([name, d["wall_s"], d["cpu_s"], req, d["requests_per_s"], rep.articles,
                     f"{rep.new_items}/{rep.items_listed}", rep.not_modified, d.get("settle_s", "")])
        print(json.dumps({name: d}), flush=True)
        return d | {"report": rep}

    with Store(tmp / "watch.db", synchronous="NORMAL") as store:
        w = Watcher(store, feed_urls, config=WatchConfig(embed=args.embed, analyse=args.analyse),
                    client=ClientConfig(proxy=proxy, concurrency=args.concurrency, host_rate=args.host_rate,
                                        timeout=30.0))
        cold = cycle(w, "cold poll")
        out["cold"] = {k: v for k, v in cold.items() if k != "report"}
        out["cold"]["pages_per_s"] = round(cold["articles"] / cold["wall_s"], 1)
        out["peak_rss_after_cold_mb"] = round(max(peak.peak, current_rss_mb()), 1)  # the watcher's own, so far
        # the peer: the same articles (already read) given to `storyline ingest` on a fresh store
        from storyline.store.assign import AssignConfig
        from storyline.store.ingest import ingest

        arts = store.all_articles()
        c0, t0 = time.process_time(), time.perf_counter()
        with Store(tmp / "ingest.db", synchronous="NORMAL") as other:
            counts = ingest(other, arts, batch_size=8, config=AssignConfig(embed=args.embed),
                            semantic=None if args.embed else False, analyse=args.analyse)
        base = {"wall_s": round(time.perf_counter() - t0, 2), "cpu_s": round(time.process_time() - c0, 2),
                "articles": counts["inserted"], "settle_s": counts["settle"]["seconds"]}
        out["ingest_peer"] = base
        rows.append(["peer: storyline ingest, same articles", base["wall_s"], base["cpu_s"], 0, "", base["articles"],
                     "", "", base["settle_s"]])
        print(json.dumps({"ingest peer": base}), flush=True)
        steady = cycle(w, "steady poll (304)")
        out["steady"] = {k: v for k, v in steady.items() if k != "report"}
        if time.perf_counter() - t_start > args.budget * 0.6:
            print("news poll skipped: over the time budget", flush=True)
        else:
            # news: half new stories, half close copies of a stored single-outlet story on another host
            arts = {a.id: a for a in store.all_articles()}
            singles = [ids[0] for ids in store.memberships().values() if len(ids) == 1]
            rng = random.Random(args.seed + 1)
            more, labels = [], set()  # one article of each of other stories (another seed)
            for r in load_generator().generate(args.news * 20, seed=args.seed + 1000, n_outlets=300):
                if r["story"] not in labels:
                    labels.add(r["story"])
                    more.append(r)
            new_routes: dict[str, tuple[bytes, str]] = {}
            appear: dict[str, str] = {}  # item url -> what it should announce
            for j, k in enumerate(rng.sample(range(args.feeds), args.news)):
                if j % 2 == 0 and j // 2 < len(more):
                    rec = dict(more[j // 2])
                    rec["url"] = f"http://news{j}.example/story-{j}"
                    want = "story.new"
                else:
                    base = arts[singles[j % len(singles)]]
                    paras = base.text.split("\n")
                    paras[-1] = "Officials gave no further details on Tuesday evening."
                    rec = {"title": base.title, "text": "\n".join(paras), "published": base.published,
                           "url": f"http://copy{j}.example/copy-{j}"}
                    want = "story.grew"
                new_routes[rec["url"]] = (_page(rec), "text/html; charset=utf-8")
                body = routes[feed_urls[k]][0].replace(
                    b"</title>", f"</title><item><title>n{j}</title><link>{rec['url']}</link>"
                                 f"<guid>news-{j}</guid></item>".encode(), 1)
                new_routes[feed_urls[k]] = (body, "application/rss+xml")
                appear[rec["url"]] = want
            parent.send(("routes", new_routes))
            _, t_appear = parent.recv()
            news = cycle(w, "news poll")
            from datetime import datetime

            lat: dict[str, list[float]] = {"story.new": [], "story.grew": []}
            for e in news["report"].events:
                if e["type"] in lat:
                    at = datetime.fromisoformat(e["at"]).timestamp()
                    if any(a["id"] in appear for a in e["details"]["articles"]):
                        lat[e["type"]].append(at - t_appear)
            out["news"] = {k: v for k, v in news.items() if k != "report"}
            for t, xs in lat.items():
                xs.sort()
                out["news"][f"{t}_events"] = len(xs)
                if xs:
                    out["news"][f"{t}_latency_p50_s"] = round(statistics.median(xs), 2)
                    out["news"][f"{t}_latency_p95_s"] = round(xs[min(len(xs) - 1, int(0.95 * len(xs)))], 2)
            out["news"]["expected"] = {t: sum(v == t for v in appear.values()) for t in lat}
        w.close()
    out["peak_rss_mb"] = round(peak.stop(), 1)
    out["total_s"] = round(time.perf_counter() - t_start, 1)
    parent.send(("stop",))
    parent.recv()
    proc.join(10)
    print()
    print(table(rows, ["cycle", "wall s", "CPU s", "requests", "req/s", "articles", "new/listed items", "304", "settle s"]))
    out["machine"] = machine()  # the load average at the end
    print(json.dumps(out, default=str))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, default=str))
    os.system(f"rm -rf {tmp}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
