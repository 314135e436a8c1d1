"""The sentence paraphrase decision on MRPC (train split, cross-validated), and bench/eval_mrpc.py.

Encoding MRPC's ~7,800 distinct sentences is the slow part (about a minute on
two cores); it happens once per test session.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from storyline.provenance import paraphrase as para

ROOT = Path(__file__).resolve().parents[1]
TRAIN = ROOT.parent / "shared" / "data" / "mrpc" / "msr_paraphrase_train.txt"
FLOORS = json.loads((Path(__file__).parent / "floors" / "provenance.json").read_text())


def _eval_module():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import eval_mrpc
    finally:
        sys.path.pop(0)
    return eval_mrpc


@pytest.fixture(scope="module")
def mrpc():
    if not TRAIN.exists():
        pytest.skip("MRPC: ../shared/data not found")
    ev = _eval_module()
    y, s1, s2 = ev.read_mrpc(TRAIN)
    return ev, ev.features(s1, s2), y


def test_cross_validated_decision_meets_floors(mrpc):
    ev, x, y = mrpc
    res = ev.cross_validate(x, y, folds=10)
    assert res["accuracy"] >= FLOORS["mrpc_cv_accuracy"], res
    assert res["f1"] >= FLOORS["mrpc_cv_f1"], res


def test_pinned_decision_meets_floors_and_matches_a_refit(mrpc):
    ev, x, y = mrpc
    pred = (para.score_features(x) >= para.PARAPHRASE_THRESHOLD).astype(int)
    res = ev.metrics(pred, y)
    assert res["accuracy"] >= FLOORS["mrpc_pinned_accuracy"], res
    assert res["f1"] >= FLOORS["mrpc_pinned_f1"], res
    w, _b, thr = ev.fit(x, y)
    assert np.corrcoef(w, para.WEIGHTS)[0, 1] > 0.99  # the pinned constants come from this fit
    assert abs(thr - para.PARAPHRASE_THRESHOLD) <= 0.05


def test_eval_script_scores_a_file_in_mrpc_format(tmp_path, capsys):
    rows = [
        ("1", "The mayor promised an inquiry into the fire.", "The mayor pledged to investigate the fire."),
        ("1", "Three workers were taken to hospital.", "Three workers were hospitalised."),
        ("0", "The warehouse stored solvents for ships.", "Shares in the shipping firm fell 4 percent."),
        ("0", "Police sealed off the site.", "Residents returned home on Wednesday afternoon."),
    ]
    path = tmp_path / "pairs.tsv"
    lines = ["Quality\t#1 ID\t#2 ID\t#1 String\t#2 String"]
    lines += [f"{q}\t{k}\t{k + 100}\t{a}\t{b}" for k, (q, a, b) in enumerate(rows)]
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    assert _eval_module().main([str(path)]) == 0
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["pairs"] == 4
    assert 0.0 <= last["accuracy"] <= 1.0 and 0.0 <= last["f1"] <= 1.0
    assert last["accuracy"] >= 0.75  # these four are easy
