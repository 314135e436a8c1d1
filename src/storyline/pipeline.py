"""The batch pipeline: ingest -> clean -> represent -> candidates -> verify -> cluster -> write.

Each step is a plain function over the run's article list, so the fitting and
evaluation scripts in ``bench/`` call exactly what ``storyline run`` calls.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from storyline.config import Config
from storyline.model import Article, Skipped, Story
from storyline.progress import Reporter
from storyline.verify.features import Representation, lexical_matrices, numbers, pair_features, to_days, years
from storyline.verify.model import PairModel

log = logging.getLogger(__name__)

EMBED_CHARS = 1500  # title + lede; enough for max_tokens=128


@dataclass
class Matching:
    """What matching produced: candidate pairs with their scores, and how they were found."""

    pairs: np.ndarray  # (m, 2) article indexes, i < j
    probs: np.ndarray  # (m,) calibrated same-story probability
    features: np.ndarray  # (m, len(FEATURES))
    counts: dict[str, int]
    model: str  # which pair model decided: semantic or lexical


@dataclass
class RunResult:
    articles: list[Article]
    stories: list[Story]
    skipped: list[Skipped]
    labels: np.ndarray
    matching: Matching
    summary: dict[str, Any] = field(default_factory=dict)
    out: Path | None = None


# -- steps -------------------------------------------------------------------------------------------


def load(
    paths: Sequence[str | Path], fields: Mapping[str, str] | None = None, reporter: Reporter | None = None
):
    """Read every input; articles sorted by id so that nothing downstream depends on input order."""
    from storyline.ingest import read_inputs

    reporter = reporter or Reporter(show=False)
    articles: list[Article] = []
    skipped: list[Skipped] = []
    with reporter.stage("ingest") as task:
        for rec in read_inputs(list(paths), fields=fields):
            (skipped if isinstance(rec, Skipped) else articles).append(rec)
            task.advance()
    articles.sort(key=lambda a: a.id)
    return articles, skipped


def clean(articles: list[Article], reporter: Reporter | None = None) -> list[Article]:
    from storyline.clean import Cleaner

    reporter = reporter or Reporter(show=False)
    with reporter.stage("clean", total=len(articles)) as task:
        cleaner = Cleaner().fit(articles)
        out = []
        for a in articles:
            out.append(cleaner.transform(a))
            task.advance()
    return out


def _embed_text(a: Article) -> str:
    head = a.title.strip()
    body = a.text[:EMBED_CHARS]
    return f"{head}\n{body}" if head and not body.startswith(head) else body or head


def _full_text(a: Article) -> str:
    return f"{a.title}\n{a.text}" if a.title and not a.text.startswith(a.title) else a.text


def represent(
    articles: Sequence[Article], cfg: Config, semantic: bool = True, reporter: Reporter | None = None
) -> tuple[Representation, list[str], np.ndarray, str]:
    """Content hashes, MinHash signatures, vectors and lexical matrices for every article."""
    from storyline.fingerprint import MinHasher, content_hash

    reporter = reporter or Reporter(show=False)
    texts = [_full_text(a) for a in articles]
    with reporter.stage("fingerprint", total=len(articles)):
        hashes = [content_hash(t) for t in texts]
        sigs = MinHasher(cfg.lexical.num_perm, cfg.lexical.ngram, cfg.lexical.seed).signatures(
            [a.text for a in articles]
        )
    with reporter.stage("lexical"):
        X, Xe = lexical_matrices(texts)
    kind = "semantic" if semantic else "lexical"
    with reporter.stage("embed", total=len(articles)) as task:
        if semantic:
            vectors = _embed_unique([_embed_text(a) for a in articles], cfg.semantic.max_tokens, task)
        else:
            vectors = _lsa(X)
    rep = Representation(
        vectors=vectors,
        tfidf=X,
        ents=Xe,
        years=[years(t) for t in texts],
        numbers=[numbers(t) for t in texts],
        words=np.array([len(t.split()) for t in texts], dtype=np.float32),
        days=np.array([to_days(a.published) for a in articles], dtype=np.float64),
    )
    return rep, hashes, sigs, kind


def _embed_unique(texts: list[str], max_tokens: int, task) -> np.ndarray:
    """Embed each distinct text once: syndicated copies share their vector (the cheap step saves the costly one)."""
    from storyline.embed import encode

    index: dict[str, int] = {}
    inverse = np.empty(len(texts), dtype=np.int64)
    for i, t in enumerate(texts):
        inverse[i] = index.setdefault(t, len(index))
    uniq = list(index)
    chunks = []
    step = 256
    for s in range(0, len(uniq), step):
        chunks.append(encode(uniq[s : s + step], max_tokens=max_tokens))
        task.advance(len(uniq[s : s + step]))
    vecs = np.concatenate(chunks) if chunks else np.zeros((0, 384), np.float32)
    task.advance(len(texts) - len(uniq))
    return vecs[inverse]


def _lsa(X) -> np.ndarray:
    from sklearn.decomposition import TruncatedSVD

    n, v = X.shape
    dims = min(128, n - 1, v - 1)
    if dims < 2:
        dense = X.toarray().astype(np.float32)
    else:
        dense = TruncatedSVD(dims, random_state=0).fit_transform(X).astype(np.float32)
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return dense / np.maximum(norms, 1e-12)


def match(
    articles: Sequence[Article],
    rep: Representation,
    hashes: list[str],
    sigs: np.ndarray,
    cfg: Config,
    kind: str = "semantic",
    reporter: Reporter | None = None,
    model: PairModel | None = None,
) -> Matching:
    """Candidates from the cascade, then the calibrated pair decision on each."""
    from storyline.candidates import candidate_pairs
    from storyline.fingerprint import containment, jaccard_estimate, shingle_set
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    with reporter.stage("candidates"):
        pairs, counts = candidate_pairs(hashes, sigs, rep.vectors, rep.days, cfg)
    with reporter.stage("verify", total=len(pairs)) as task:
        feats = pair_features(rep, pairs)
        probs = (model or load_model(kind)).predict_proba(feats)
        # Near-duplicates decide by themselves: a (possibly trimmed) copy contains most of the other's shingles.
        if len(pairs):
            est = jaccard_estimate(sigs, pairs)
            close = np.flatnonzero(est >= 0.2)
            cache: dict[int, set[int]] = {}

            def shingles(i: int) -> set[int]:
                if i not in cache:
                    cache[i] = shingle_set(articles[i].text, cfg.lexical.ngram)
                return cache[i]

            for r in close.tolist():
                i, j = int(pairs[r, 0]), int(pairs[r, 1])
                a, b = shingles(i), shingles(j)
                if len(a) >= 20 and len(b) >= 20:
                    c = max(containment(a, b), containment(b, a))
                    if c >= cfg.match.near_duplicate_containment:
                        probs[r] = max(probs[r], np.float32(0.99))
            same = np.array([hashes[i] == hashes[j] for i, j in pairs.tolist()], dtype=bool)
            probs[same & np.array([bool(hashes[i]) for i in pairs[:, 0].tolist()])] = 1.0
        task.advance(len(pairs))
    counts["same"] = int((probs >= 0.5).sum())
    return Matching(pairs, probs, feats, counts, kind)


def group(n: int, m: Matching, cfg: Config, reporter: Reporter | None = None) -> np.ndarray:
    from storyline.cluster import cluster
    from storyline.verify.model import load as load_model

    reporter = reporter or Reporter(show=False)
    with reporter.stage("cluster"):
        return cluster(n, m.pairs, m.probs, cfg.resolved_cluster(load_model(m.model).cluster))


def story_id(article_ids: Sequence[str]) -> str:
    """Stable id from the story's first article id (by id order)."""
    return "st_" + hashlib.blake2b(min(article_ids).encode(), digest_size=6).hexdigest()


def build_stories(articles: Sequence[Article], labels: np.ndarray, m: Matching) -> list[Story]:
    """Story records, largest first, with each article's best match inside its story."""
    n = len(articles)
    best: list[tuple[float, int]] = [(-1.0, -1)] * n
    strength = np.zeros(n, dtype=np.float64)
    for (i, j), p in zip(m.pairs.tolist(), m.probs.tolist()):
        if labels[i] != labels[j]:
            continue
        strength[i] += p
        strength[j] += p
        if p > best[i][0] or (p == best[i][0] and j < best[i][1]):
            best[i] = (p, j)
        if p > best[j][0] or (p == best[j][0] and i < best[j][1]):
            best[j] = (p, i)
    stories = []
    for lab in np.unique(labels):
        members = np.flatnonzero(labels == lab)
        ids = [articles[i].id for i in members]
        central = max(members.tolist(), key=lambda i: (strength[i], -i))
        dates = sorted(a.published for a in (articles[i] for i in members) if a.published)
        outlets = sorted({articles[i].outlet for i in members if articles[i].outlet})
        bm = {}
        for i in members.tolist():
            p, j = best[i]
            bm[articles[i].id] = {"id": articles[j].id, "score": round(float(p), 4)} if j >= 0 else None
        title = articles[central].title or _first_line(articles[central].text)
        stories.append(
            Story(
                story_id=story_id(ids),
                title=title,
                article_ids=ids,
                best_match=bm,
                first_published=dates[0] if dates else None,
                last_published=dates[-1] if dates else None,
                outlets=outlets,
            )
        )
    stories.sort(key=lambda s: (-len(s.article_ids), s.first_published or "", s.story_id))
    return stories


def _first_line(text: str, limit: int = 120) -> str:
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


# -- the whole run -----------------------------------------------------------------------------------


def run(
    paths: Sequence[str | Path] | str | Path,
    out: str | Path | None = None,
    config: Config | None = None,
    fields: Mapping[str, str] | None = None,
    semantic: bool | None = None,
    progress: bool | None = False,
    extras: bool = True,
) -> RunResult:
    """Read ``paths``, group the articles into stories and (if ``out``) write the results there.

    ``semantic=None`` uses the MiniLM stage when the embed extra is installed and
    the lexical fallback otherwise; ``extras`` adds provenance and digests.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    cfg = config or Config()
    reporter = Reporter(show=progress)
    t0 = time.perf_counter()
    try:
        if semantic is None:
            from storyline import embed

            semantic = cfg.semantic.enabled and embed.available()
            if not semantic:
                log.warning(
                    "embed extra not installed: using the lexical fallback (pip install 'storyline[embed]')"
                )
        articles, skipped = load(paths, fields, reporter)
        articles = clean(articles, reporter)
        rep, hashes, sigs, kind = represent(articles, cfg, semantic=semantic, reporter=reporter)
        m = match(articles, rep, hashes, sigs, cfg, kind, reporter)
        labels = group(len(articles), m, cfg, reporter)
        stories = build_stories(articles, labels, m)
        result = RunResult(articles, stories, skipped, labels, m)
        if extras:
            from storyline.report import enrich

            enrich(result, reporter)
        result.summary = summarise(result, reporter.timings, time.perf_counter() - t0)
        if out is not None:
            from storyline.report import write_outputs

            with reporter.stage("write"):
                write_outputs(result, Path(out))
            result.out = Path(out)
            result.summary["timings"] = {k: round(v, 3) for k, v in reporter.timings.items()}
    finally:
        reporter.close()
    return result


def summarise(result: RunResult, timings: Mapping[str, float], wall: float) -> dict[str, Any]:
    sizes = [len(s.article_ids) for s in result.stories]
    return {
        "articles": len(result.articles),
        "skipped": len(result.skipped),
        "skipped_inputs": [s.to_json() for s in result.skipped],
        "stories": len(result.stories),
        "multi_article_stories": sum(1 for s in sizes if s > 1),
        "largest_story": max(sizes) if sizes else 0,
        "pairs": result.matching.counts,
        "pair_model": result.matching.model,
        "boilerplate_removed": sum(len(a.removed) for a in result.articles),
        "timings": {k: round(v, 3) for k, v in timings.items()},
        "wall_seconds": round(wall, 3),
    }
