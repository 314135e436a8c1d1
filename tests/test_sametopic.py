"""Same-kind events close in time, on real pages (bench/eval_sametopic.py, bench/realdata/sametopic-*.json).

The pages are third-party texts: read from ../shared/data/realdata/sametopic-pages.jsonl, else from the
git-ignored bench/realdata/.sametopic/ (rebuilt from the recipes), else the test skips. They are given
without their dates: storyline places them in time from what they say. The cross-language decision is
fitted on parts a to d (bench/fit_crosslang.py), the English pair model on the English pages of parts a to c
(bench/fit_matching.py; it reads part d's too at its next refit); parts e and f (git-ignored texts in
bench/realdata/.sametopic-e/ and -f/) are never fitted on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((ROOT / "tests" / "floors" / "sametopic.json").read_text())


def _eval():
    sys.path.insert(0, str(ROOT / "bench"))
    import eval_sametopic

    return eval_sametopic


def test_recipes_hold_labels_and_no_text():
    for part in sorted((ROOT / "bench" / "realdata").glob("sametopic-*.json")):
        d = json.loads(part.read_text(encoding="utf-8"))
        assert d["pages"] and d["events"] and d["groups"]
        for p in d["pages"]:
            assert {"id", "url", "story", "group", "lang", "sha1"} <= set(p) and "text" not in p
            assert d["events"][p["story"]]["group"] == p["group"]
        for g, events in d["groups"].items():
            assert len(events) >= 2, g  # a group holds same-kind events to keep apart


def test_pairwise_scores_by_hand():
    import numpy as np

    ev = _eval()
    keep = np.ones((4, 4), bool)
    got = ev.pairwise(["a", "a", "b", "b"], [0, 0, 0, 1], keep)
    assert got["precision"] == pytest.approx(1 / 3, abs=1e-3) and got["recall"] == 0.5


def test_parts_are_named_and_several_files_make_one_set(tmp_path, monkeypatch):
    ev = _eval()
    fitted, held_out = set(ev.FITTED_PARTS), set(ev.HELD_OUT_PARTS)
    assert fitted.isdisjoint(held_out) and fitted | held_out <= set(ev.PARTS)
    for name in ("e", "f"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.jsonl").write_text(json.dumps({"id": name, "text": "t", "story": name}) + "\n")
    monkeypatch.delenv(ev.ENV, raising=False)
    files = ev.data_files(f"{tmp_path / 'e'},{tmp_path / 'f' / 'f.jsonl'}")
    assert files == [tmp_path / "e" / "e.jsonl", tmp_path / "f" / "f.jsonl"]
    assert [d["id"] for d in ev.load(files)] == ["e", "f"]
    monkeypatch.setattr(ev, "PARTS", {**ev.PARTS, "e": tmp_path / "e", "f": tmp_path / "absent"})
    assert ev.held_out_parts() == [tmp_path / "e" / "e.jsonl"]


def _holds_floors(ev, files, prefix: str):
    """Run storyline on the pages of ``files`` without their dates and check the ``prefix``-ed floors."""
    docs = ev.load(files)
    pred, arts = ev.run_storyline(docs, keep_dates=False)
    got = ev.figures(docs, pred)
    assert got["pairs"]["f1"] >= FLOORS[prefix + "pairwise_f1"], got
    assert got["cross_language"]["f1"] >= FLOORS[prefix + "cross_language_f1"], got
    assert got["ari"] >= FLOORS[prefix + "ari"], got
    return docs, arts


@pytest.mark.slow
def test_same_kind_events_hold_their_floors():
    ev = _eval()
    files = ev.data_files()
    if not files:
        pytest.skip("no same-kind events set (bench/realdata/sametopic-*.json says how to rebuild it)")
    docs, arts = _holds_floors(ev, files, "")
    dating = ev.dating(docs, arts)
    assert dating["dated"] >= FLOORS["dated"], dating
    for src, c in dating["by_source"].items():
        if c.get("labelled"):
            assert c["within_1_day"] / c["labelled"] >= FLOORS["dates_within_1_day"], (src, c)
    months = dating["month_only"]
    assert months.get("labelled") and months["right_month"] / months["labelled"] >= FLOORS["month_only_right"], months


@pytest.mark.slow
def test_held_out_parts_hold_their_floors():
    """Parts e and f are never fitted on: what a new set of same-kind events gets (texts git-ignored: skips
    without them)."""
    ev = _eval()
    files = ev.held_out_parts()
    if len(files) < len(ev.HELD_OUT_PARTS):
        pytest.skip("no held-out parts e and f (bench/realdata/sametopic-e.json and -f.json say how to rebuild them)")
    _holds_floors(ev, files, "held_out_")
