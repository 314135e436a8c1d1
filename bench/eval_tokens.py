"""Story quality against MiniLM's input length: which token limit to ship.

    python bench/eval_tokens.py                        # 32, 64, 96, 128, 256 tokens on every set present
    python bench/eval_tokens.py --lengths 64,128 --sets ecb,allsides

Each article is embedded by its title and lede (``storyline.embed.sharded.embed_text``) cut to
``[semantic] max_tokens`` word pieces; everything else (pair model, clustering cut) is the shipped
one, fitted at 128 tokens. Sets: ECB+ (all 982 documents and the held-out topics 26-35, subtopic
labels), ``allsides-dev`` (story labels) and the same-kind events set (``bench/eval_sametopic.py``'s
pages, no dates given), each read from ``../shared/data`` (or the git-ignored folders) and skipped
when absent. Per set and length: ARI, B-cubed F1, pairwise F1, and the embed stage's seconds.
The last line printed is JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from metrics import scores

SHARED = BENCH.parent.parent / "shared" / "data"
ECB = SHARED / "ecbplus" / "docs.jsonl"
ALLSIDES = SHARED / "allsides-dev" / "docs.jsonl"


def config(tokens: int):
    from storyline.config import Config

    cfg = Config()
    return dataclasses.replace(cfg, semantic=dataclasses.replace(cfg.semantic, max_tokens=tokens))


def run_file(path: Path, label: str, tokens: int, subset: tuple[str, float, float] | None = None) -> dict:
    import storyline

    result = storyline.run([path], out=None, config=config(tokens), semantic=True, extras=False)
    arts = [a for a in result.articles if label in a.meta]
    index = {a.id: i for i, a in enumerate(result.articles)}
    gold = [str(a.meta[label]) for a in arts]
    pred = [int(result.labels[index[a.id]]) for a in arts]
    out = {"all": _row(gold, pred)}
    if subset:
        field, lo, hi = subset
        keep = [i for i, a in enumerate(arts) if lo <= float(a.meta.get(field, "nan")) <= hi]
        out[f"{field} {lo:g}-{hi:g}"] = _row([gold[i] for i in keep], [pred[i] for i in keep])
    out["embed_s"] = result.summary.get("timings", {}).get("embed")
    return out


def _row(gold, pred) -> dict:
    s = scores(gold, pred)
    return {k: round(float(s[k]), 4) for k in ("ari", "bcubed_f1", "pairwise_f1") if k in s}


def run_sametopic(tokens: int) -> dict | None:
    import eval_sametopic as st

    files = st.data_files()
    if not files:
        return None
    docs = st.load(files)
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as fh:
        fh.write(f"[semantic]\nmax_tokens = {tokens}\n")
        toml = Path(fh.name)
    pred, _ = st.run_storyline(docs, keep_dates=False, config=toml)
    toml.unlink()
    f = st.figures(docs, pred)
    return {"all": {"ari": round(float(f["ari"]), 4), "pairwise_f1": f["pairs"]["f1"],
                    "cross_language_f1": f["cross_language"]["f1"]}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lengths", default="32,64,96,128,256")
    ap.add_argument("--sets", default="ecb,allsides,sametopic")
    ap.add_argument("--pair-model", type=Path, help="pair model file to use instead of the shipped one")
    a = ap.parse_args(argv)
    if a.pair_model:
        import os

        from storyline.verify.model import MODEL_ENV

        os.environ[MODEL_ENV] = str(a.pair_model.resolve())
    lengths = [int(x) for x in a.lengths.split(",")]
    sets = a.sets.split(",")
    res: dict[str, dict] = {}
    for name in sets:
        for n in lengths:
            if name == "ecb":
                if not ECB.exists():
                    print(f"skip ecb: {ECB} is absent", file=sys.stderr)
                    break
                r = run_file(ECB, "subtopic", n, ("topic", 26, 35))
            elif name == "allsides":
                if not ALLSIDES.exists():
                    print(f"skip allsides: {ALLSIDES} is absent", file=sys.stderr)
                    break
                r = run_file(ALLSIDES, "story", n)
            elif name == "sametopic":
                r = run_sametopic(n)
                if r is None:
                    print("skip sametopic: its pages are absent", file=sys.stderr)
                    break
            else:
                raise SystemExit(f"unknown set {name!r}")
            res.setdefault(name, {})[str(n)] = r
            print(f"{name:>10} {n:>4} tokens: {json.dumps(r)}", file=sys.stderr, flush=True)
    for rows in res.values():
        best = max(v["all"]["ari"] for v in rows.values())
        ok = [int(n) for n, v in rows.items() if v["all"]["ari"] >= best - 0.01]
        rows["shortest_within_0.01_ari"] = min(ok) if ok else None
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
