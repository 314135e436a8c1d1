"""Executors: sharded steps give what the plain steps give, and Ray gives what the local executor gives."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

import storyline
from storyline import pipeline
from storyline.candidates.stage import neighbour_block, sharded_neighbour_pairs, window_neighbour_pairs
from storyline.config import Config
from storyline.executors import Checkpoints, LocalExecutor, connected_components, get_executor
from storyline.executors.shards import ShardedArticles, plan_inputs, read_sharded
from storyline.fingerprint.sharded import lsh_pairs
from storyline.ingest import read_inputs
from storyline.model import Article, Skipped

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GENERATE = ROOT / "bench" / "generate.py"


def _json(items):
    return [x.to_json() for x in items]


def _story_view(result):
    """Everything about the stories that must not depend on the executor."""
    return (
        [s.to_json() for s in result.stories],
        result.labels.tolist(),
        result.matching.pairs.tolist(),
        result.matching.probs.tolist(),
    )


# --------------------------------------------------------------------------- protocol, local


def test_local_executor_maps_in_order_and_regroups_by_key():
    ex = LocalExecutor(workers=2)
    assert ex.gather(ex.map_shards(lambda s, k: [x * k for x in s], [[1, 2], [3], []], 10)) == [[10, 20], [30], []]
    assert ex.gather(ex.map_shards(lambda s: (s, -s), [1, 2], returns=2)) == [(1, -1), (2, -2)]
    assert ex.map_shards(lambda s, i, k: s + i + k, [1, 2], 100, shard_args=[(10,), (20,)], numeric=True) == [111, 122]

    def split(rows, parts):
        out = [[] for _ in range(parts)]
        for key, value in rows:
            out[key % parts].append((key, value))
        return out

    groups = ex.regroup([[(1, "a"), (2, "b")], [(3, "c"), (1, "d")]], split, 2, lambda *p: sorted(x for q in p for x in q), 2)
    assert groups == [[(2, "b")], [(1, "a"), (1, "d"), (3, "c")]]


def test_connected_components_over_edge_shards_match_scipy():
    from scipy.sparse.csgraph import connected_components as scipy_cc

    rng = np.random.default_rng(3)
    n = 500
    edges = rng.integers(0, n, size=(400, 2))
    want = scipy_cc(sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n)), directed=False)[1]
    got = connected_components(LocalExecutor(), n, [edges[s : s + 37] for s in range(0, len(edges), 37)])
    # same partition, and each component named by its smallest member
    assert len(set(zip(want.tolist(), got.tolist()))) == len(set(want.tolist())) == len(set(got.tolist()))
    for c in np.unique(got):
        assert c == np.flatnonzero(got == c).min()


def test_unknown_executor_and_address_without_ray_are_refused():
    with pytest.raises(storyline.errors.StorylineError, match="unknown executor"):
        get_executor("spark")
    with pytest.raises(storyline.errors.StorylineError, match="--executor ray"):
        get_executor("local", address="auto")


def test_ray_executor_without_ray_says_how_to_install(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("No module named 'ray'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    monkeypatch.delitem(sys.modules, "ray", raising=False)
    with pytest.raises(storyline.errors.MissingDependency, match=r"pip install 'storyline\[ray\]'"):
        get_executor("ray")


# --------------------------------------------------------------------------- sharded reading


def _inputs(tmp_path: Path) -> list[Path]:
    """Files with clashing ids, a sidecar, an unreadable file, a path given twice and one that does not exist."""
    a = tmp_path / "feed-a"
    a.mkdir()
    rows = [
        {"id": "x1", "title": "Harbour cranes stop", "text": "Dock workers walked out at dawn on Monday."},
        {"id": "x2", "title": "Bridge opens", "text": "The new bridge over the Tamber opened to traffic."},
        {"title": "No id here", "text": "A record without an id gets one from its file and line."},
    ]
    (a / "one.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n{not json\n", encoding="utf-8")
    (a / "two.jsonl").write_text(
        json.dumps({"id": "x1", "title": "Same id, other file", "text": "A second record claims the id x1."}) + "\n",
        encoding="utf-8",
    )
    (a / "note.txt").write_text("Rain is expected over the coast on Tuesday evening.\n", encoding="utf-8")
    (a / "note.json").write_text(json.dumps({"outlet": "Coast Weekly", "published": "2024-03-05"}), encoding="utf-8")
    (a / "empty.txt").write_text("", encoding="utf-8")
    b = tmp_path / "single.jsonl"
    b.write_text(json.dumps({"id": "x2", "text": "Another x2 from another argument."}) + "\n", encoding="utf-8")
    return [b, a, a / "one.jsonl", tmp_path / "missing.jsonl"]


def test_sharded_reading_gives_what_read_inputs_gives(tmp_path):
    paths = _inputs(tmp_path)
    want = list(read_inputs(paths))
    want_articles = sorted((x for x in want if isinstance(x, Article)), key=lambda a: a.id)
    want_skipped = [x for x in want if isinstance(x, Skipped)]
    assert any(a.id.endswith("~2") for a in want_articles)  # the fixture does exercise duplicate ids
    for shard_size in (1, 2, 1000):
        corpus, skipped = read_sharded(LocalExecutor(), paths, shard_size=shard_size)
        assert isinstance(corpus, ShardedArticles)
        assert _json(corpus) == _json(want_articles)
        assert _json(skipped) == _json(want_skipped)
        assert corpus.sizes == [min(shard_size, len(want_articles) - s) for s in range(0, len(want_articles), shard_size)]


def test_sharded_reading_of_the_sample_corpus(tmp_path):
    want = sorted((x for x in read_inputs([EXAMPLES]) if isinstance(x, Article)), key=lambda a: a.id)
    corpus, _ = read_sharded(LocalExecutor(), [EXAMPLES], shard_size=7)
    assert [a.id for a in corpus] == [a.id for a in want]
    assert _json(corpus[3:9]) == _json(want[3:9]) and corpus[-1].id == want[-1].id


def test_plan_lists_files_in_reading_order(tmp_path):
    paths = _inputs(tmp_path)
    plan = plan_inputs(paths)
    files = [Path(p.path).name for p in plan if not isinstance(p, Skipped)]
    assert files == ["empty.txt", "note.txt", "one.jsonl", "two.jsonl", "single.jsonl"]
    codes = sorted(p.code for p in plan if isinstance(p, Skipped))
    assert codes == ["E111", "E114"]


def test_parquet_inputs_and_outputs(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({
        "id": ["p1", None],
        "title": ["Ferry strike ends", "Ferry strike ends, again"],
        "body": ["Ferries run again after a two-day strike.", "The strike is over and ferries sail."],
        "published": ["2024-05-01T10:00:00Z", None],
    })
    pq.write_table(table, tmp_path / "crawl.parquet")
    corpus, skipped = read_sharded(LocalExecutor(), [tmp_path / "crawl.parquet"], fields={"text": "body"})
    assert not skipped
    assert [a.id for a in corpus] == ["crawl#2", "p1"]
    assert corpus[1].text.startswith("Ferries run again") and corpus[1].published.startswith("2024-05-01")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    _, skipped = read_sharded(LocalExecutor(), [tmp_path / "bad.parquet"])
    assert [s.code for s in skipped] == ["E117"]

    from storyline.executors.shards import write_article_shards

    out = tmp_path / "out"
    done = write_article_shards(corpus, ["st_a", "st_b"], out, key="k1")
    assert [d["skipped"] for d in done] == [False]
    rows = pq.read_table(out / "articles-00000.parquet").to_pylist()
    assert [(r["id"], r["story_id"]) for r in rows] == [("crawl#2", "st_a"), ("p1", "st_b")]
    lines = (out / "articles-00000.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[1])["text"] == corpus[1].text
    # a rerun with the same key skips the finished shard; another key writes it again
    assert [d["skipped"] for d in write_article_shards(corpus, ["st_a", "st_b"], out, key="k1")] == [True]
    assert [d["skipped"] for d in write_article_shards(corpus, ["st_a", "st_c"], out, key="k2")] == [False]


# --------------------------------------------------------------------------- sharded steps


@pytest.fixture(scope="module")
def sample():
    articles, _ = pipeline.load([EXAMPLES])
    return pipeline.clean(articles)


def _as_shards(articles, size):
    ex = LocalExecutor()
    return ShardedArticles(ex, [articles[s : s + size] for s in range(0, len(articles), size)],
                           [len(articles[s : s + size]) for s in range(0, len(articles), size)], key="")


def test_represent_on_shards_equals_one_shard(sample):
    cfg = Config()
    whole = pipeline.represent(sample, cfg, semantic=False)
    parts = pipeline.represent(_as_shards(sample, 4), cfg, semantic=False)
    assert whole[1] == parts[1]
    assert np.array_equal(whole[2], parts[2])
    for attr in ("tfidf", "ents"):
        a, b = getattr(whole[0], attr), getattr(parts[0], attr)
        assert (a != b).nnz == 0 and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    assert np.array_equal(whole[0].vectors, parts[0].vectors)
    assert whole[0].years == parts[0].years and whole[0].numbers == parts[0].numbers


def test_verify_reads_tfidf_rows_where_the_shards_are(sample):
    import dataclasses

    cfg = Config()
    rep, hashes, sigs, kind = pipeline.represent(_as_shards(sample, 6), cfg, semantic=False)
    assert rep._shard_rows[0].tolist() == [*range(0, len(sample), 6), len(sample)]
    sharded = pipeline.match(sample, rep, hashes, sigs, cfg, kind)
    whole = pipeline.match(sample, dataclasses.replace(rep), hashes, sigs, cfg, kind)  # no shard rows
    assert np.array_equal(sharded.pairs, whole.pairs) and len(whole.pairs) > 20
    assert np.array_equal(sharded.features, whole.features) and np.array_equal(sharded.probs, whole.probs)


def test_lsh_regrouped_by_key_equals_lsh_on_all_signatures():
    from storyline.fingerprint import MinHasher, lsh_candidate_pairs

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    base = [" ".join(rng.choice(words, 60)) for _ in range(40)]
    texts = base + [t.replace(t.split()[5], "edited", 1) for t in base] + [base[0]] * 5
    sigs = MinHasher(128, 5, 1).signatures(texts)
    want = lsh_candidate_pairs(sigs, 25, 5, max_bucket=3)
    for block in (7, 1000):
        got = lsh_pairs(LocalExecutor(), sigs, 25, 5, 3, block=block)
        assert np.array_equal(got, want)
    assert len(want) > 40


def test_sharded_neighbour_search_equals_candidates_neighbour_pairs():
    from storyline.candidates import neighbour_pairs
    from storyline.executors.base import one_blas_thread

    rng = np.random.default_rng(1)
    V = rng.standard_normal((700, 32)).astype(np.float32)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    with one_blas_thread():
        want = neighbour_pairs(V, 5, 0.1, block=_block(700))
    got = sharded_neighbour_pairs(LocalExecutor(workers=2), V, 5, 0.1)
    assert np.array_equal(got, want) and len(want) > 700


@pytest.mark.parametrize("ties", [False, True])
def test_window_scoped_search_finds_the_nearest_within_the_window(ties):
    rng = np.random.default_rng(4)
    n, k, window = 900, 6, 3.0
    V = rng.standard_normal((n, 16)).astype(np.float32)
    V /= np.linalg.norm(V, axis=1, keepdims=True)
    days = rng.uniform(0, 60, n)
    if ties:  # many articles on the same day, and days exactly a window apart
        days = np.floor(days)
    days[rng.random(n) < 0.1] = np.nan
    got = window_neighbour_pairs(LocalExecutor(workers=2), V, days, k, 0.0, window)
    sims = V.astype(np.float64) @ V.T.astype(np.float64)
    want = set()
    for i in range(n):
        ok = ~(np.abs(days - days[i]) > window)
        ok[i] = False
        cand = np.flatnonzero(ok)
        top = cand[np.argsort(-sims[i, cand])[:k]]
        want |= {(min(i, j), max(i, j)) for j in top.tolist() if sims[i, j] >= 0.0}
    assert set(map(tuple, got.tolist())) == want
    gaps = np.abs(days[got[:, 0]] - days[got[:, 1]])
    assert not (gaps > window).any() and len(got) > n


def _block(n):
    return neighbour_block(n)


def test_sharded_clustering_equals_cluster():
    from storyline.cluster import cluster
    from storyline.verify.model import load

    rng = np.random.default_rng(2)
    n = 400
    story = rng.integers(0, 60, n)
    a, b = rng.integers(0, n, 3000), rng.integers(0, n, 3000)
    keep = a != b
    pairs = np.unique(np.sort(np.stack([a[keep], b[keep]], axis=1), axis=1), axis=0)
    same = story[pairs[:, 0]] == story[pairs[:, 1]]
    probs = np.where(same, rng.uniform(0.5, 1.0, len(pairs)), rng.uniform(0.0, 0.6, len(pairs))).astype(np.float32)
    cfg = Config().resolved_cluster(load("semantic").cluster)
    want = cluster(n, pairs, probs, cfg)
    got = pipeline.cluster_sharded(n, pairs, probs, cfg, LocalExecutor(), edge_chunk=50, batch_rows=10)
    assert np.array_equal(got, want)
    # with publication days (a third undated): the story-length limit holds the same way
    days = np.where(rng.random(n) < 0.33, np.nan, story % 7 + rng.integers(0, 6, n))
    want_d = cluster(n, pairs, probs, cfg, days)
    got_d = pipeline.cluster_sharded(n, pairs, probs, cfg, LocalExecutor(), edge_chunk=50, batch_rows=10, days=days)
    assert np.array_equal(got_d, want_d) and not np.array_equal(want_d, want)
    assert 10 < want.max() < n - 10
    from storyline.cluster import shared_neighbour_similarity

    whole = shared_neighbour_similarity(n, pairs, probs, cfg)
    chunked = shared_neighbour_similarity(n, pairs, probs, cfg, chunk=97)
    assert (whole != chunked).nnz == 0 and whole.nnz > len(pairs)


def test_build_stories_best_match_is_highest_then_lowest_index():
    arts = [Article(id=f"a{i}", text=f"line {i}", title=f"T{i}") for i in range(4)]
    m = pipeline.Matching(np.array([[0, 1], [0, 2], [1, 2], [2, 3]]), np.array([0.9, 0.9, 0.5, 0.7], np.float32),
                          np.zeros((4, 7), np.float32), {}, "semantic")
    stories = pipeline.build_stories(arts, np.array([0, 0, 0, 1]), m)
    big = stories[0]
    assert big.article_ids == ["a0", "a1", "a2"]
    assert big.best_match["a0"]["id"] == "a1"  # 0.9 tie: the lower index
    assert big.best_match["a2"]["id"] == "a0"
    assert big.title == "T0"  # the most strongly linked article (1.8)
    assert stories[1].best_match == {"a3": None}  # its only pair crosses stories


def test_checkpoints_skip_finished_shards(tmp_path):
    store = Checkpoints(tmp_path)
    calls = []

    def step(shard):
        calls.append(shard)
        return shard * 2

    from storyline.executors.base import map_cached

    ex = LocalExecutor()
    assert map_cached(ex, step, [1, 2, 3], store=store, stage="s", keys=["a", "b", "c"]) == [2, 4, 6]
    assert map_cached(ex, step, [1, 2, 3], store=store, stage="s", keys=["a", "B", "c"]) == [2, 4, 6]
    assert calls == [1, 2, 3, 2]  # only the shard whose inputs changed ran again
    (tmp_path / "s" / "shard-00002.done").unlink()  # a shard killed before its marker was written
    assert map_cached(ex, step, [1, 2, 3], store=store, stage="s", keys=["a", "B", "c"]) == [2, 4, 6]
    assert calls == [1, 2, 3, 2, 3]


def test_local_run_with_work_dir_reuses_shards(tmp_path):
    first = storyline.run([EXAMPLES], extras=False, semantic=False, work_dir=tmp_path / "w", shard_size=8)
    done = sorted(p.relative_to(tmp_path / "w").as_posix() for p in (tmp_path / "w").rglob("*.done"))
    assert "clean/shard-00000.done" in done and "lexical/shard-00003.done" in done
    again = storyline.run([EXAMPLES], extras=False, semantic=False, work_dir=tmp_path / "w", shard_size=8)
    assert _story_view(again) == _story_view(first)


# --------------------------------------------------------------------------- Ray parity


@pytest.fixture(scope="module")
def ray_executor():
    ray = pytest.importorskip("ray", reason="ray is not installed: pip install 'storyline[ray]'")
    pytest.importorskip("pyarrow", reason="pyarrow is not installed: pip install 'storyline[ray]'")
    from storyline.executors.ray import WORKER_ENV, RayExecutor

    started = not ray.is_initialized()
    if started:
        ray.init(num_cpus=2, include_dashboard=False, runtime_env={"env_vars": dict(WORKER_ENV)})
    yield RayExecutor()
    if started:
        ray.shutdown()


def test_ray_gives_the_local_stories_on_the_sample_corpus(ray_executor, tmp_path):
    from storyline import embed

    semantic = embed.available()
    local = storyline.run([EXAMPLES], out=tmp_path / "local", extras=False, semantic=semantic)
    remote = storyline.run([EXAMPLES], out=tmp_path / "ray", extras=False, semantic=semantic,
                           executor=ray_executor, shard_size=8)
    assert len(local.stories) >= 5
    assert _story_view(remote) == _story_view(local)
    assert [a.to_json() for a in remote.articles] == [a.to_json() for a in local.articles]
    # the single-file outputs agree, and the sharded ones hold every article with its story
    assert (tmp_path / "ray" / "stories.jsonl").read_text() == (tmp_path / "local" / "stories.jsonl").read_text()
    sharded = [json.loads(x) for p in sorted((tmp_path / "ray").glob("articles-*.jsonl"))
               for x in p.read_text(encoding="utf-8").splitlines()]
    single = [json.loads(x) for x in (tmp_path / "local" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sharded == single
    assert len(list((tmp_path / "ray").glob("articles-*.parquet"))) == len(sharded) // 8 + 1


def test_ray_outputs_give_an_undated_page_its_month_as_local_ones_do(ray_executor, tmp_path):
    rows = [
        {"id": "a", "url": "https://www.example-news.com/2022/09/central-bank-raises-rates",
         "title": "Central bank raises rates", "text": "The central bank raised its main rate on Thursday."},
        {"id": "b", "title": "Central bank raises rates again",
         "text": " date 2022-10 The central bank raised its main rate again on Thursday."},
        {"id": "c", "published": "2022-10-27", "text": "The central bank raised its main rate on Thursday."},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    storyline.run([src], out=tmp_path / "local", extras=False, semantic=False)
    storyline.run([src], out=tmp_path / "ray", extras=False, semantic=False, executor=ray_executor, shard_size=2)
    sharded = [json.loads(x) for p in sorted((tmp_path / "ray").glob("articles-*.jsonl"))
               for x in p.read_text(encoding="utf-8").splitlines()]
    single = [json.loads(x) for x in (tmp_path / "local" / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sharded == single
    assert [r.get("published_month") for r in single] == ["2022-09", "2022-10", None]


def test_ray_readers_follow_symlinks_as_the_driver_says(ray_executor, tmp_path):
    from storyline.executors.shards import read_sharded
    from storyline.ingest.readers import following_symlinks

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "meta.json").write_text(json.dumps({"title": "Title from a sidecar outside"}))
    d = tmp_path / "in"
    d.mkdir()
    (d / "own.txt").write_text("Council approves budget\nThe council approved the budget on Monday after a long debate.")
    (d / "own.json").symlink_to(outside / "meta.json")
    for follow in (False, True):
        with following_symlinks(follow):
            arts, skipped = read_sharded(ray_executor, [d])
        titles = [a.title for a in arts]
        if follow:
            assert titles == ["Title from a sidecar outside"] and not skipped
        else:
            assert titles == ["Council approves budget"] and [s.code for s in skipped] == ["E118"]


def test_ray_gives_the_local_stories_with_window_scoped_search(ray_executor):
    local = storyline.run([EXAMPLES], extras=False, semantic=False, neighbour_scope="window")
    remote = storyline.run([EXAMPLES], extras=False, semantic=False, neighbour_scope="window",
                           executor=ray_executor, shard_size=5)
    assert _story_view(remote) == _story_view(local)


def test_ray_rerun_skips_finished_shards(ray_executor, tmp_path):
    first = storyline.run([EXAMPLES], out=tmp_path, extras=False, semantic=False, executor=ray_executor,
                          shard_size=10)
    data = {p: p.stat().st_mtime_ns for p in (tmp_path / ".work").rglob("shard-*.pkl")}
    stages = {p.parent.name for p in data}
    assert {"read", "clean-fit", "clean", "fingerprint", "lexical"} <= stages
    outputs = {p: p.stat().st_mtime_ns for p in tmp_path.glob("articles-*.parquet")}
    again = storyline.run([EXAMPLES], out=tmp_path, extras=False, semantic=False, executor=ray_executor,
                          shard_size=10)
    assert _story_view(again) == _story_view(first)
    assert {p: p.stat().st_mtime_ns for p in data} == data  # nothing was computed again
    assert {p: p.stat().st_mtime_ns for p in outputs} == outputs  # nor written again


def _generated(n: int, path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("storyline_bench_generate_exec", GENERATE)
    gen = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = gen
    spec.loader.exec_module(gen)
    path.mkdir(parents=True, exist_ok=True)
    parts: list[list[str]] = [[] for _ in range(8)]
    for k, rec in enumerate(gen.generate(n, seed=1)):
        parts[k % len(parts)].append(json.dumps(rec, ensure_ascii=False) + "\n")
    for i, lines in enumerate(parts):
        (path / f"part-{i:02d}.jsonl").write_text("".join(lines), encoding="utf-8")
    return path


@pytest.mark.slow
def test_ray_gives_the_local_stories_on_20k_generated_articles(ray_executor, tmp_path):
    corpus = _generated(20_000, tmp_path / "corpus")
    local = storyline.run([corpus], extras=False, semantic=False)
    remote = storyline.run([corpus], out=tmp_path / "out", extras=False, semantic=False, executor=ray_executor)
    assert len(local.articles) == 20_000 and len(local.stories) > 1000
    assert _story_view(remote) == _story_view(local)
    # a rerun finds every shard of the per-article steps finished
    marks = list((tmp_path / "out" / ".work").rglob("*.done"))
    assert len(marks) >= 2 * 4


@pytest.fixture(scope="module")
def ray_data_executor(ray_executor):
    from storyline.executors.ray import RayExecutor

    return RayExecutor(shuffle="data")


def test_ray_data_shuffle_regroups_as_the_task_shuffle(ray_executor, ray_data_executor):
    def _split_by_key(rows, offset, parts):  # local functions travel to Ray's workers by value
        out = [[] for _ in range(parts)]
        for key, value in rows:
            out[key % parts].append((key, value, offset))
        return out

    def _in_order(*pieces):
        return [x for p in pieces for x in p]  # shard order, as the pieces come

    shards = [[(k, f"{s}:{k}") for k in range(s, 40, 3)] for s in range(5)]
    args = dict(shard_args=[(10 * s,) for s in range(5)])
    want = LocalExecutor().regroup(shards, _split_by_key, 4, _in_order, 4, **args)
    for ex in (ray_executor, ray_data_executor):
        handles = ex.regroup([ex.share(s) for s in shards], _split_by_key, 4, _in_order, 4, **args)
        assert ex.gather(handles) == want
    with pytest.raises(storyline.errors.StorylineError, match="unknown shuffle"):
        from storyline.executors.ray import RayExecutor

        RayExecutor(shuffle="spark")


def test_ray_data_shuffle_gives_the_local_stories(ray_data_executor):
    local = storyline.run([EXAMPLES], extras=False, semantic=False)
    remote = storyline.run([EXAMPLES], extras=False, semantic=False, executor=ray_data_executor, shard_size=6)
    assert _story_view(remote) == _story_view(local)
