"""Extraction quality on the ScrapingHub article-extraction benchmark (../shared/data/extraction).

The pages are extracted once (module fixture) and scored with and without the
cleaning stage against the floor pinned in ``tests/floors/extraction.json``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline.ingest.scoring import WORD_OR_PUNCT, evaluate_folder, page_counts, score_pages, score_pooled

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "extraction"
FLOORS = json.loads((Path(__file__).parent / "floors" / "extraction.json").read_text(encoding="utf-8"))

pytestmark = pytest.mark.shared


def _need_data() -> None:
    if not (DATA / "ground-truth.json").is_file():
        pytest.skip("extraction benchmark: ../shared/data not found")


@pytest.fixture(scope="module")
def result() -> dict:
    _need_data()
    return evaluate_folder(DATA, clean=True, compare_default=False, rounds=0)


def test_metric_reproduces_published_figures() -> None:
    """The scorer gives back the benchmark's published F1 of trafilatura 2.0.0 (0.958) and html-text (0.665)."""
    _need_data()
    truth = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    for name, published in (("trafilatura", 0.958), ("html-text", 0.665)):
        path = DATA / "baselines" / f"{name}.json"
        if not path.is_file():
            pytest.skip(f"{path.name} not found")
        out = json.loads(path.read_text(encoding="utf-8"))
        out = out.get("output", out)
        counts = [page_counts(truth[k]["articleBody"], (out.get(k) or {}).get("articleBody") or "") for k in truth]
        assert score_pages(counts)["f1"] == pytest.approx(published, abs=0.0006)


def test_metric_basics() -> None:
    same = page_counts("one two three four five", "one two three four five")
    assert same == (2.0, 0.0, 0.0)
    assert score_pages([same])["f1"] == 1.0
    half = page_counts("a b c d e f g h", "a b c d e")
    assert half == (2.0, 0.0, 3.0)
    assert score_pages([half])["recall"] == pytest.approx(0.4)
    assert score_pooled([page_counts("a , b c d", "a b c d", WORD_OR_PUNCT)])["f1"] == 0.0


def test_extraction_meets_floor_without_cleaning(result: dict) -> None:
    assert result["n_pages"] >= 150
    assert result["raw"]["f1"] >= max(FLOORS["f1_no_clean"], 0.958), result["raw"]
    assert result["raw"]["precision"] >= FLOORS["precision_no_clean"], result["raw"]
    assert result["raw"]["recall"] >= FLOORS["recall_no_clean"], result["raw"]


def test_extraction_meets_floor_with_cleaning(result: dict) -> None:
    if not result["cleaning_applied"]:
        pytest.skip("storyline.clean provides no Cleaner")
    assert result["cleaned"]["f1"] >= max(FLOORS["f1"], 0.958), result["cleaned"]


def test_pooled_reading_meets_floor(result: dict) -> None:
    """Counts summed over pages, punctuation as tokens: long pages weigh more, markup leftovers count."""
    pooled = result["raw_pooled"]
    assert pooled["f1"] >= max(FLOORS["pooled_f1_no_clean"], 0.958), pooled
    cleaned = result.get("cleaned_pooled")
    if cleaned is not None:
        assert cleaned["f1"] >= max(FLOORS["pooled_f1_no_clean"], 0.958), cleaned
