"""What reaches MiniLM in a whole run: articles and sentences encoded, against those read.

    python bench/count_encodes.py                       # a generated corpus of 1,000, ECB+ and allsides-dev
    python bench/count_encodes.py --generated 2000 --sets generated

Runs ``storyline.run`` with provenance and digests on each corpus and counts the texts handed to
the model (after the in-process caches: each distinct text once): article texts (title + lede,
:mod:`storyline.embed`) and sentence-level texts (sentences, quotes and figure windows of
:mod:`storyline.provenance.encoding`, used by provenance and the digest), beside the articles and
the sentences of multi-article stories. The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from common import load_generator

SHARED = BENCH.parent.parent / "shared" / "data"
SETS = {"ecb": SHARED / "ecbplus" / "docs.jsonl", "allsides": SHARED / "allsides-dev" / "docs.jsonl"}


def count(path: Path) -> dict:
    import storyline
    from storyline import embed
    from storyline.provenance import encoding
    from storyline.provenance.sentences import split_sentences

    seen: Counter = Counter()
    run_sentences, encode_articles = encoding._run, embed._encode

    def sentences(texts, *a, **k):
        seen["sentence_texts_encoded"] += len(texts)
        return run_sentences(texts, *a, **k)

    def articles(texts, *a, **k):
        seen["article_texts_encoded"] += len(texts)
        return encode_articles(texts, *a, **k)

    encoding._run, embed._encode = sentences, articles
    encoding._CACHE.clear()
    embed._CACHE.clear()
    try:
        with tempfile.TemporaryDirectory() as out:
            result = storyline.run([path], out=out, semantic=True, extras=True)
    finally:
        encoding._run, embed._encode = run_sentences, encode_articles
    by = {a.id: a for a in result.articles}
    multi = [by[i] for s in result.stories if len(s.article_ids) > 1 for i in s.article_ids]
    sents = [x for a in multi for x in split_sentences(a.text)]
    n = len(result.articles)
    return {
        "articles": n,
        "article_texts_encoded": seen["article_texts_encoded"],
        "articles_share": round(seen["article_texts_encoded"] / max(1, n), 3),
        "sentences_in_multi_article_stories": len(sents),
        "distinct_sentences": len(set(sents)),
        "sentence_texts_encoded": seen["sentence_texts_encoded"],
        "sentences_share": round(seen["sentence_texts_encoded"] / max(1, len(sents)), 3),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", default="generated,ecb,allsides")
    ap.add_argument("--generated", type=int, default=1000, help="size of the generated corpus (seed 1)")
    a = ap.parse_args(argv)
    res = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in a.sets.split(","):
            if name == "generated":
                path = Path(tmp) / "generated.jsonl"
                with path.open("w", encoding="utf-8") as fh:
                    for rec in load_generator().generate(a.generated, seed=1):
                        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            else:
                path = SETS[name]
                if not path.exists():
                    print(f"skip {name}: {path} is absent", file=sys.stderr)
                    continue
            res[name] = count(path)
            print(f"{name:>10}: {json.dumps(res[name])}", file=sys.stderr, flush=True)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
