"""Score story clustering on a labeled JSONL corpus.

    python bench/eval_stories.py ../shared/data/ecbplus/docs.jsonl --label subtopic \
        --also topic --subset topic=1-25 --subset topic=26-35

Runs the whole pipeline (ingest, clean, match, cluster; no provenance or digest)
on PATH, which holds one article a line (`id` or `doc_id`, `text`, optional
`url`, `outlet`, `title`, `published`, and the label field). The system is not
told the number of stories. The last line printed is one JSON object with
`ari`, `bcubed_f1`, `v_measure`, `pairwise_f1`, `n_stories`, `n_labels`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from metrics import scores


def _subset(spec: str) -> tuple[str, float, float]:
    field, rng = spec.split("=", 1)
    lo, hi = rng.split("-", 1)
    return field, float(lo), float(hi)


def evaluate(
    path: Path, label: str, also: list[str], subsets: list[str], semantic: bool | None = None,
    config: Path | None = None, max_tokens: int | None = None,
) -> dict:
    import storyline
    from storyline.config import Config

    t0 = time.perf_counter()
    cfg = Config.from_toml(config) if config else Config()
    if max_tokens is not None:
        import dataclasses

        cfg = dataclasses.replace(cfg, semantic=dataclasses.replace(cfg.semantic, max_tokens=max_tokens))
    result = storyline.run([path], out=None, config=cfg, semantic=semantic, extras=False)
    wall = time.perf_counter() - t0
    arts = [a for a in result.articles if label in a.meta]
    missing = len(result.articles) - len(arts)
    index = {a.id: i for i, a in enumerate(result.articles)}
    pred = [int(result.labels[index[a.id]]) for a in arts]
    gold = [str(a.meta[label]) for a in arts]
    out = scores(gold, pred)
    for f in also:
        out[f"{f}_level"] = scores([str(a.meta.get(f)) for a in arts], pred)
    for spec in subsets:
        field, lo, hi = _subset(spec)
        keep = [i for i, a in enumerate(arts) if lo <= float(a.meta.get(field, "nan")) <= hi]
        sub = scores([gold[i] for i in keep], [pred[i] for i in keep])
        for f in also:
            sub[f"{f}_level"] = scores([str(arts[i].meta.get(f)) for i in keep], [pred[i] for i in keep])
        out[f"subset {spec}"] = sub
    out.update(
        articles=len(result.articles),
        unlabeled=missing,
        skipped=len(result.skipped),
        pair_model=result.matching.model,
        seconds=round(wall, 1),
        timings=result.summary.get("timings", {}),
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("path", type=Path)
    ap.add_argument("--label", required=True, help="field holding the gold story label")
    ap.add_argument(
        "--also", action="append", default=[], help="another label field to score against (e.g. topic)"
    )
    ap.add_argument(
        "--subset", action="append", default=[], help="FIELD=LO-HI: also score the articles in that range"
    )
    ap.add_argument("--no-semantic", action="store_true", help="use the lexical fallback instead of MiniLM")
    ap.add_argument("--config", type=Path, help="TOML file overriding settings")
    ap.add_argument("--max-tokens", type=int, help="MiniLM input length (overrides [semantic] max_tokens)")
    ap.add_argument("--pair-model", type=Path,
                    help="pair model file to use (e.g. one fitted by fit_matching.py --max-tokens N --out PATH)")
    args = ap.parse_args()
    if args.pair_model:
        import os

        from storyline.verify.model import MODEL_ENV

        os.environ[MODEL_ENV] = str(args.pair_model.resolve())
    if not args.path.exists():
        sys.exit(f"{args.path} not found")
    res = evaluate(
        args.path, args.label, args.also, args.subset, semantic=False if args.no_semantic else None, config=args.config,
        max_tokens=args.max_tokens)
    for k, v in res.items():
        if isinstance(v, dict) and "ari" in v:
            print(
                f"{k:>24}: ARI {v['ari']:.3f}  B3-F1 {v['bcubed_f1']:.3f}  V {v['v_measure']:.3f}  "
                f"pairF1 {v['pairwise_f1']:.3f}  stories {v['n_stories']} / labels {v['n_labels']}"
            )
    print(json.dumps(res))


if __name__ == "__main__":
    main()
