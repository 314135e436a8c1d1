"""The synthetic corpus generator used by the benchmarks (bench/generate.py)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import statistics
import sys
from collections import Counter, defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

from storyline.fingerprint import containment, jaccard, shingle_set

GENERATE = Path(__file__).resolve().parents[1] / "bench" / "generate.py"
FIELDS = {"id", "url", "outlet", "title", "text", "published", "story", "kind", "parent"}


@pytest.fixture(scope="module")
def gen():
    spec = importlib.util.spec_from_file_location("storyline_bench_generate_test", GENERATE)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def corpus(gen):
    return list(gen.generate(1500, seed=3))


def test_deterministic_and_prefix_stable(gen, corpus):
    again = list(gen.generate(1500, seed=3))
    assert again == corpus
    assert list(gen.generate(200, seed=3)) == corpus[:200]
    other = list(gen.generate(200, seed=4))
    assert [r["text"] for r in other] != [r["text"] for r in corpus[:200]]


def test_fields_and_types(gen, corpus):
    assert len(corpus) == 1500
    ids = [r["id"] for r in corpus]
    assert len(set(ids)) == len(ids)
    for r in corpus:
        assert set(r) == FIELDS
        assert r["kind"] in gen.ARTICLE_KINDS
        assert r["text"].strip() and r["title"].strip()
        assert r["url"].startswith(f"https://{r['outlet']}/")
        if r["published"] is not None:
            when = dt.datetime.fromisoformat(r["published"])
            assert when.tzinfo is not None
    assert 0 < sum(r["published"] is None for r in corpus) < 0.15 * len(corpus)
    assert 50 < len({r["outlet"] for r in corpus}) <= 300


def test_labels_and_parents_are_consistent(corpus):
    by_id = {r["id"]: r for r in corpus}
    seen: set[str] = set()
    first_kind: dict[str, str] = {}
    for r in corpus:
        first_kind.setdefault(r["story"], r["kind"])
        if r["kind"] in ("original", "independent"):
            assert r["parent"] is None
        else:
            parent = by_id[r["parent"]]  # derived from an article of the corpus...
            assert r["parent"] in seen  # ...that came before it
            assert parent["story"] == r["story"]
        seen.add(r["id"])
    assert set(first_kind.values()) == {"original"}  # every story opens with its original
    originals = Counter(r["story"] for r in corpus if r["kind"] == "original")
    assert set(originals.values()) == {1}


def test_article_kinds_differ_as_intended(corpus):
    by_id = {r["id"]: r for r in corpus}
    sets = {}

    def sh(i):
        if i not in sets:
            sets[i] = shingle_set(by_id[i]["text"])
        return sets[i]

    sims = defaultdict(list)
    for r in corpus:
        if r["parent"]:
            sims[r["kind"]].append(jaccard(sh(r["id"]), sh(r["parent"])))
            if r["kind"] == "syndicated":
                # a verbatim copy, perhaps trimmed: outlet boilerplate aside, it sits inside its source
                assert containment(sh(r["id"]), sh(r["parent"])) > 0.5
    med = {k: statistics.median(v) for k, v in sims.items()}
    assert set(med) == {"syndicated", "edited", "rewrite", "spun"}
    assert med["syndicated"] > med["edited"] > med["spun"] > med["rewrite"]
    assert med["syndicated"] > 0.6 and med["rewrite"] < 0.3
    # different stories of the same kind of event share little text
    originals = [r for r in corpus if r["kind"] == "original"]
    by_kind = defaultdict(list)
    for r in originals:
        by_kind[r["story"].split("-")[0]].append(r["id"])
    cross = [jaccard(sh(a), sh(b)) for ids in by_kind.values() for a, b in pairwise(ids)]
    assert len(cross) > 20 and statistics.median(cross) < 0.15


def test_spun_copies_keep_names_and_numbers(gen):
    def keep(units):
        text = " ".join(u.text for p in units for u in p)
        return sorted(re.findall(r"\b(?:[A-Z][a-z]+|\d[\d,.]*)\b", text))

    checked = 0
    for index in range(200):
        story = gen.make_story(5, index)
        by_id = {a.id: a for a in story.articles}
        for art in story.articles:
            if art.kind == "spun":
                parent = by_id[art.parent]
                assert keep(art.paragraphs) == keep(parent.paragraphs)
                assert art.paragraphs != parent.paragraphs
                checked += 1
    assert checked > 10


def test_story_sizes_are_heavy_tailed_and_events_repeat(gen, corpus):
    sizes = Counter(r["story"] for r in corpus)
    counts = Counter(sizes.values())
    assert counts[1] > sum(v for s, v in counts.items() if s >= 5)
    assert max(sizes.values()) >= 20
    kinds = Counter(s.split("-")[0] for s in sizes)
    assert len(kinds) >= 8 and max(kinds.values()) >= 3  # several events of the same kind
    words = [len(r["text"].split()) for r in corpus]
    assert 120 < statistics.median(words) < 600


def test_boilerplate_comes_from_the_outlet(corpus):
    lines_by_outlet = defaultdict(Counter)
    for r in corpus:
        for line in r["text"].split("\n\n"):
            lines_by_outlet[r["outlet"]][line] += 1
    busy = [o for o in lines_by_outlet if sum(1 for r in corpus if r["outlet"] == o) >= 8]
    assert busy
    # an outlet repeats its own lines (app promos, newsletter pleas) across unrelated stories
    assert any(max(c.values()) >= 5 for o, c in lines_by_outlet.items() if o in busy)


def test_cli_writes_jsonl(gen, tmp_path):
    out = tmp_path / "c.jsonl"
    assert gen.main(["--n", "40", "--out", str(out), "--seed", "2"]) == 0
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(recs) == 40 and recs == list(gen.generate(40, seed=2))


def test_per_day_keeps_density_as_the_corpus_grows(gen, corpus):
    def days(recs):
        return {r["published"][:10] for r in recs if r["published"]}

    small = list(gen.generate(1500, seed=3, per_day=10))  # span 150 days
    large = list(gen.generate(6000, seed=3, per_day=10))  # span 600 days
    # story i is still of the same kind (its date, and so its facts and size, move)
    labels = [list(dict.fromkeys(r["story"] for r in recs)) for recs in (small, corpus)]
    k = min(map(len, labels))
    assert k > 100 and labels[0][:k] == labels[1][:k]
    for recs, span in ((small, 150), (large, 600)):
        covered = sorted(days(recs))
        # events fall on the span's days; coverage trails an event by up to four days
        assert (dt.date.fromisoformat(covered[-1]) - dt.date.fromisoformat(covered[0])).days <= span + 5
        assert len(covered) >= 0.8 * span
    # the default spreads any size over 730 days: denser as it grows
    assert len(days(corpus)) > 1.5 * len(days(small))
