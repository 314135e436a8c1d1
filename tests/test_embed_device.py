"""Where the semantic stage runs: CPU by default, CUDA when asked for and available, clear errors otherwise.

No GPU is needed: the provider choice is a pure function of what ONNX Runtime offers, and
the pipeline's request for GPUs is checked on a recording executor.
"""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from storyline import embed, pipeline
from storyline.cli import app
from storyline.config import Config
from storyline.errors import MissingDependency, StorylineError
from storyline.executors import LocalExecutor
from storyline.model import Article

CPU = ["CPUExecutionProvider"]
GPU = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]


def test_providers_follow_the_device_and_what_is_installed():
    assert embed.providers("cpu", GPU) == CPU  # cpu means cpu, even on a GPU machine
    assert embed.providers("auto", GPU) == ["CUDAExecutionProvider", "CPUExecutionProvider"]
    assert embed.providers("auto", CPU) == CPU
    assert embed.providers("cuda", GPU)[0] == "CUDAExecutionProvider"
    with pytest.raises(MissingDependency, match="onnxruntime-gpu") as err:
        embed.providers("cuda", CPU)
    assert err.value.code == "E904"
    with pytest.raises(StorylineError, match="cpu, cuda, auto"):
        embed.providers("tpu", GPU)


def test_default_device_comes_from_set_device_then_the_environment(monkeypatch):
    monkeypatch.delenv("STORYLINE_EMBED_DEVICE", raising=False)
    assert embed.default_device() == "cpu"
    monkeypatch.setenv("STORYLINE_EMBED_DEVICE", "auto")
    assert embed.default_device() == "auto"
    embed.set_device("cpu")
    try:
        assert embed.default_device() == "cpu"
    finally:
        embed.set_device(None)
    assert embed.default_device() == "auto"
    monkeypatch.setenv("STORYLINE_EMBED_DEVICE", "gpu0")
    with pytest.raises(StorylineError):
        embed.default_device()


def test_gpu_vectors_are_cached_apart_from_cpu_ones():
    assert embed.cache_key("a text", 128) == embed.cache_key("a text", 128, "cpu")
    assert embed.cache_key("a text", 128, "cuda") != embed.cache_key("a text", 128, "cpu")


class Recording(LocalExecutor):
    def __init__(self):
        super().__init__()
        self.calls: list[tuple[str, float]] = []

    def map_shards(self, fn, shards, *args, gpus=0.0, **kw):
        self.calls.append((getattr(fn, "__name__", type(fn).__name__), gpus))
        return super().map_shards(fn, shards, *args, **kw)


def _articles(n: int = 6) -> list[Article]:
    return [Article(id=f"a{i}", title=f"Harbour strike day {i}", text=f"Dock workers in Port Sallow struck {i}.")
            for i in range(n)]


def test_embedding_tasks_ask_for_gpus_only_on_cuda(monkeypatch):
    seen: list[str] = []

    def fake_encode(texts, max_tokens=128, batch_size=32, device=None):
        seen.append(device)
        return np.ones((len(texts), embed.DIM), np.float32) / np.sqrt(embed.DIM)

    monkeypatch.setattr(embed, "encode", fake_encode)
    for device, gpus in (("cpu", 0.0), ("cuda", 0.5), ("auto", 0.0)):
        cfg = Config().override({"semantic": {"device": device, "gpus_per_task": 0.5}})
        ex = Recording()
        pipeline.represent(_articles(), cfg, semantic=True, executor=ex)
        asks = [g for name, g in ex.calls if name == "embed_shard"]
        assert asks == [gpus], (device, ex.calls)
        assert seen[-1] == device  # the task embeds on the configured device


def test_cli_refuses_an_unknown_device_and_a_missing_cuda_provider(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("Harbour strike ends\n\nDock workers voted to end their strike.\n")
    runner = CliRunner()
    res = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o"), "--embed-device", "tpu"])
    assert res.exit_code == 2 and "cpu, cuda, auto" in res.output
    if not embed.available():
        pytest.skip("the embed extra is not installed")
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("this machine has the CUDA provider")
    embed._model.cache_clear()
    res = runner.invoke(app, ["run", str(tmp_path), "--out", str(tmp_path / "o2"), "--embed-device", "cuda",
                              "--no-progress"])
    assert res.exit_code == 2, res.output
    assert "onnxruntime-gpu" in res.output and not (tmp_path / "o2" / "summary.json").exists()
