"""The sentence paraphrase decision on MRPC's train split, cut once into a fitting part (cross-validated,
the pinned constants come from it) and a held-out part never fitted on; and bench/eval_mrpc.py.

Encoding MRPC's ~7,800 distinct sentences is the slow part (about a minute on
two cores); it happens once per test session.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
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
    held = ev.held_out(TRAIN)
    x = ev.features(s1, s2)
    return ev, x[~held], y[~held], x[held], y[held]


def test_held_out_part_is_a_fixed_fifth_cut_by_sentence_ids(mrpc):
    ev, _x, y_fit, _xh, y_held = mrpc
    held = ev.held_out(TRAIN)
    assert len(held) == len(y_fit) + len(y_held) == 4076
    assert 0.17 <= held.mean() <= 0.23
    assert abs(y_held.mean() - y_fit.mean()) < 0.05  # a cut by hash, not by label
    assert (ev.held_out(TRAIN) == held).all()


def test_held_out_decision_meets_floors(mrpc):
    ev, _x, _y, xh, yh = mrpc
    res = ev.metrics((para.score_features(xh) >= para.PARAPHRASE_THRESHOLD).astype(int), yh)
    assert res["accuracy"] >= FLOORS["mrpc_held_out_accuracy"], res
    assert res["f1"] >= FLOORS["mrpc_held_out_f1"], res


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_validated_decision_meets_floors(mrpc, seed):
    ev, x, y, _xh, _yh = mrpc
    res = ev.cross_validate(x, y, folds=10, seed=seed)
    assert res["accuracy"] >= FLOORS["mrpc_cv_accuracy"], res
    assert res["f1"] >= FLOORS["mrpc_cv_f1"], res


def test_pinned_decision_meets_floors_and_matches_a_refit(mrpc):
    ev, x, y, _xh, _yh = mrpc  # the fitting part only: the constants never saw the held-out pairs
    pred = (para.score_features(x) >= para.PARAPHRASE_THRESHOLD).astype(int)
    res = ev.metrics(pred, y)
    assert res["accuracy"] >= FLOORS["mrpc_pinned_accuracy"], res
    assert res["f1"] >= FLOORS["mrpc_pinned_f1"], res
    w, _b, thr = ev.fit(x, y)
    assert np.corrcoef(w, para.WEIGHTS)[0, 1] > 0.99  # the pinned constants come from this fit
    assert abs(thr - para.PARAPHRASE_THRESHOLD) <= 0.05
    counts = [para.FEATURES.index(f) for f in para.DIFFERENCE_COUNTS]
    assert (w[counts] <= 1e-9).all() and (para.WEIGHTS[counts] <= 0).all()


def test_difference_bound_binds_when_the_data_pull_the_other_way():
    ev = _eval_module()
    rng = np.random.default_rng(0)
    z = rng.normal(size=(400, 2))
    y = (z[:, 0] + z[:, 1] + 0.3 * rng.normal(size=400) > 0).astype(int)
    w, _b = ev._logistic(z, y, np.array([np.inf, 0.0]), 1.0)
    assert w[0] > 0.5 and w[1] == pytest.approx(0.0, abs=1e-6)
    free, _ = ev._logistic(z, y, np.array([np.inf, np.inf]), 1.0)
    assert free[1] > 0.5


def test_feature_vector_matches_features_and_has_no_gaps():
    s1 = ["The mayor promised an inquiry into the fire on Tuesday.", "Police sealed off the site."]
    s2 = ["The mayor pledged to investigate the fire, officials said.", "Residents returned home."]
    x = para.pair_features(s1, s2)
    assert x.shape == (2, len(para.FEATURES)) == (2, len(para.WEIGHTS))
    assert np.isfinite(x).all()
    assert np.isfinite(para.pair_features(["", "Police sealed off the site."], ["The fire.", ""])).all()


def test_extra_names_and_numbers_lower_the_score():
    base = "The mayor promised an inquiry into the warehouse fire."
    close = "The mayor pledged an investigation into the warehouse fire."
    longer = (
        "Mayor Helen Marsh of Port Aldine pledged an investigation into the warehouse fire on Tuesday, "
        "after 31 firefighters from Grayston and Elm Bay fought it for 14 hours, the Daily Courier said."
    )
    p = para.paraphrase_score([base, base], [close, longer])
    assert p[0] >= para.PARAPHRASE_THRESHOLD > p[1]


def test_edit_distance_and_ngram_shares_agree_with_plain_definitions():
    rng = np.random.default_rng(1)
    vocab = list("abcdefg")
    for _ in range(300):
        a = [str(t) for t in rng.choice(vocab, rng.integers(0, 12))]
        b = [str(t) for t in rng.choice(vocab, rng.integers(0, 12))]
        d = list(range(len(b) + 1))  # Wagner-Fischer
        for i, ta in enumerate(a, 1):
            prev, d[0] = d[0], i
            for j, tb in enumerate(b, 1):
                prev, d[j] = d[j], min(d[j] + 1, d[j - 1] + 1, prev + (ta != tb))
        assert para._edit_distance(a, b) == d[-1], (a, b)
        common = sum((Counter(a) & Counter(b)).values())
        assert para._shares(para._multiset(a), para._multiset(b)) == (
            common / max(1, len(a)),
            common / max(1, len(b)),
        )


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
