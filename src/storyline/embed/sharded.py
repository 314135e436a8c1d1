"""The embedding work of a run, on shards: the text each article is embedded by, each distinct text embedded once."""

from __future__ import annotations

import numpy as np

from storyline.model import Article

EMBED_CHARS = 1500  # title + lede; enough for max_tokens=128


def embed_text(a: Article) -> str:
    head = a.headline.strip()
    body = a.text[:EMBED_CHARS]
    return f"{head}\n{body}" if head and not body.startswith(head) else body or head


class _NoTask:
    def advance(self, n: int = 1) -> None:
        pass


def embed_shard(shard: list[Article], max_tokens: int, device: str = "cpu") -> np.ndarray:
    return embed_unique([embed_text(a) for a in shard], max_tokens, _NoTask(), device)


def embed_unique(texts: list[str], max_tokens: int, task, device: str = "cpu") -> np.ndarray:
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
        chunks.append(encode(uniq[s : s + step], max_tokens=max_tokens, device=device))
        task.advance(len(uniq[s : s + step]))
    vecs = np.concatenate(chunks) if chunks else np.zeros((0, 384), np.float32)
    task.advance(len(texts) - len(uniq))
    return vecs[inverse]
