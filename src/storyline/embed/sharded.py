"""The embedding work of a run, on shards: the text each article is embedded by, each distinct text embedded once,
and near-exact copies (the same headline and the same sentences where MiniLM reads, page furniture aside)
sharing one vector."""

from __future__ import annotations

import numpy as np

from storyline.model import Article

EMBED_CHARS = 1500  # title + lede; enough for max_tokens=128
COPY_WORDS = 80  # a copy key holds this many words of the lede's sentences (about what 128 tokens cover)
COPY_MIN_WORDS = 20  # ... and at least this many, else the text itself is the key
_ENDS = (".", "!", "?", '"', "\u201d", "'", "\u2019", ":")


def embed_text(a: Article) -> str:
    head = a.headline.strip()
    body = a.text[:EMBED_CHARS]
    return f"{head}\n{body}" if head and not body.startswith(head) else body or head


class _NoTask:
    def advance(self, n: int = 1) -> None:
        pass


def copy_key(a: Article) -> str:
    """What MiniLM reads of an article with the lines that are not sentences left out (share buttons,
    bylines, photo credits, a section name): syndicated copies that differ only in such page furniture
    get one key. Lines of 12 words or more, or of 4 or more that end a sentence, are sentences."""
    words: list[str] = []
    for ln in a.text[:EMBED_CHARS].split("\n"):
        ws = ln.split()
        if len(ws) >= 12 or (len(ws) >= 4 and ln.rstrip().endswith(_ENDS)):
            words += ws
    words = [w.lower() for w in words[:COPY_WORDS]]
    if len(words) < COPY_MIN_WORDS:
        return "\x00" + embed_text(a)
    return " ".join(a.headline.lower().split()) + "\n" + " ".join(words)


def embed_shard(shard: list[Article], max_tokens: int, device: str = "cpu") -> np.ndarray:
    """Article vectors of a shard (in id order): each copy key's first article is embedded, and its
    near-exact copies share that vector."""
    texts = [embed_text(a) for a in shard]
    first: dict[str, int] = {}
    rep = [first.setdefault(copy_key(a), i) for i, a in enumerate(shard)]
    return embed_unique([texts[r] for r in rep], max_tokens, _NoTask(), device)


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
