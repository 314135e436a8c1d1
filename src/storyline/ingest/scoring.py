"""Scoring main-text extraction against hand-labelled article bodies.

:func:`score_pages` is the metric of the ScrapingHub article-extraction
benchmark, reproduced exactly (it gives its published figures back from the
published outputs): per page, multisets of 4-gram shingles of ``\\w+`` tokens;
the page's true/false positives and negatives are normalised to sum to one, so
long pages weigh no more than short ones; precision and recall are the means
over pages, F1 their harmonic mean.

:func:`score_pooled` is a stricter reading: punctuation marks count as tokens
too, and counts are summed over all pages before precision and recall.
"""

from __future__ import annotations

import gzip
import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

__all__ = ["evaluate_folder", "load_pages", "page_counts", "read_page", "score_pages", "score_pooled", "split_half"]

WORD = re.compile(r"\w+")
WORD_OR_PUNCT = re.compile(r"\w+|[^\w\s]")

Counts = tuple[float, float, float]


def _ngrams(text: str, token: re.Pattern[str], n: int = 4) -> Counter[tuple[str, ...]]:
    toks = token.findall(text or "")
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks[i : i + n])


def page_counts(true: str, pred: str, token: re.Pattern[str] = WORD) -> Counts:
    """True positive, false positive and false negative shingle counts of one page."""
    t, p = _ngrams(true, token), _ngrams(pred, token)
    return float(sum((t & p).values())), float(sum((p - t).values())), float(sum((t - p).values()))


def _prf(precision: float, recall: float) -> dict[str, float]:
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def score_pages(counts: Iterable[Counts]) -> dict[str, float]:
    """The upstream metric from per-page counts (see the module docstring)."""
    ps: list[float] = []
    rs: list[float] = []
    for tp, fp, fn in counts:
        s = tp + fp + fn
        if s:
            tp, fp, fn = tp / s, fp / s, fn / s
        if tp + fp > 0:
            ps.append(1.0 if fp == fn == 0 else tp / (tp + fp))
        if tp + fn > 0:
            rs.append(1.0 if fp == fn == 0 else tp / (tp + fn))
    return _prf(statistics.mean(ps) if ps else 0.0, statistics.mean(rs) if rs else 0.0)


def score_pooled(counts: Iterable[Counts]) -> dict[str, float]:
    """Precision and recall of counts summed over all pages."""
    tp = fp = fn = 0.0
    for a, b, c in counts:
        tp, fp, fn = tp + a, fp + b, fn + c
    return _prf(tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0)


def split_half(counts: Sequence[Counts], others: Sequence[Counts] | None = None, rounds: int = 200,
               seed: int = 0) -> dict[str, float]:
    """F1 on random halves of the pages: how much the figure moves with the sample.

    With ``others`` (the same pages scored for another extractor), also the share
    of halves on which ``counts`` scores at least as high.
    """
    import random

    rng = random.Random(seed)
    idx = list(range(len(counts)))
    f1s: list[float] = []
    wins = 0
    for _ in range(rounds):
        rng.shuffle(idx)
        for half in (idx[: len(idx) // 2], idx[len(idx) // 2 :]):
            f = score_pages(counts[i] for i in half)["f1"]
            f1s.append(f)
            if others is not None:
                wins += f >= score_pages(others[i] for i in half)["f1"]
    out = {"mean": statistics.mean(f1s), "min": min(f1s), "max": max(f1s), "stdev": statistics.stdev(f1s)}
    if others is not None:
        out["share_at_least_other"] = wins / len(f1s)
    return out


def load_pages(folder: str | Path) -> tuple[dict[str, Mapping[str, str]], dict[str, Path]]:
    """Ground truth and page files of a benchmark folder (``ground-truth.json`` + ``html/``)."""
    folder = Path(folder)
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, Path] = {}
    for path in sorted((folder / "html").iterdir()):
        key = path.name.split(".")[0]
        if key in truth and path.name.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
            pages[key] = path
    return truth, pages


def read_page(path: Path) -> bytes:
    """Raw bytes of a (possibly gzipped) page."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def _outlet(url: str) -> str:
    from urllib.parse import urlsplit

    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _clean(keys: Sequence[str], texts: Mapping[str, str], titles: Mapping[str, str],
           urls: Mapping[str, str]) -> dict[str, str] | None:
    """Texts after the cleaning stage, fitted on all pages; None when no cleaner is available."""
    try:
        from storyline.clean import Cleaner
    except (ImportError, AttributeError):
        return None
    from storyline.model import Article

    arts = [Article(id=k, text=texts[k], title=titles[k], url=urls[k], outlet=_outlet(urls[k])) for k in keys]
    cleaner = Cleaner().fit(arts)
    return {a.id: cleaner.transform(a).text for a in arts}


def evaluate_folder(folder: str | Path, clean: bool = True, compare_default: bool = False,
                    rounds: int = 200) -> dict[str, object]:
    """Extract every page of a benchmark folder once and score it (see ``bench/eval_extraction.py``)."""
    import time

    from storyline.ingest.extract import extract_html

    t0 = time.perf_counter()
    truth, pages = load_pages(folder)
    keys = sorted(pages)
    texts: dict[str, str] = {}
    titles: dict[str, str] = {}
    urls: dict[str, str] = {}
    default: dict[str, str] = {}
    for k in keys:
        html = read_page(pages[k])
        urls[k] = str(truth[k].get("url") or "")
        ex = extract_html(html, urls[k])
        texts[k], titles[k] = ex.text, ex.title
        if compare_default:
            import trafilatura

            default[k] = trafilatura.extract(html, include_comments=False) or ""
    gold = {k: str(truth[k].get("articleBody") or "") for k in keys}
    raw = [page_counts(gold[k], texts[k]) for k in keys]
    result: dict[str, object] = {}
    cleaned = _clean(keys, texts, titles, urls) if clean else None
    final = raw
    if cleaned is not None:
        final = [page_counts(gold[k], cleaned[k]) for k in keys]
        result["cleaned"] = score_pages(final)
    result["raw"] = score_pages(raw)
    result["raw_pooled"] = score_pooled(page_counts(gold[k], texts[k], WORD_OR_PUNCT) for k in keys)
    if cleaned is not None:
        # Cleaning unifies quotes and dashes; punctuation tokens are compared after the same normalisation
        # of the reference, so that the score measures text kept or lost, not typography.
        from storyline.clean import normalise

        result["cleaned_pooled"] = score_pooled(
            page_counts(normalise(gold[k]), cleaned[k], WORD_OR_PUNCT) for k in keys
        )
    if compare_default:
        dflt = [page_counts(gold[k], default[k]) for k in keys]
        result["trafilatura_default"] = score_pages(dflt)
        result["trafilatura_default_pooled"] = score_pooled(
            page_counts(gold[k], default[k], WORD_OR_PUNCT) for k in keys)
        if rounds:
            result["split_half"] = split_half(final, dflt, rounds=rounds)
    elif rounds:
        result["split_half"] = split_half(final, rounds=rounds)
    result.update(score_pages(final))
    result["cleaning_applied"] = cleaned is not None
    result["n_pages"] = len(keys)
    result["seconds"] = round(time.perf_counter() - t0, 1)
    return result
