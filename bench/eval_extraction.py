"""Score HTML main-text extraction on a benchmark folder.

Usage: ``python bench/eval_extraction.py DIR [--no-clean] [--no-default] [--rounds N]``

DIR holds ``ground-truth.json`` (``{id: {"articleBody": ..., "url": ...}}``) and
``html/<id>.html[.gz]``. Prints our extraction (after the cleaning stage when
``storyline.clean`` provides one, and before it), trafilatura with its default
settings on the same pages, split-half figures, and as the last line one JSON
object with ``precision``, ``recall``, ``f1`` (the final extraction: cleaned when
cleaning was applied, see ``cleaning_applied``), ``n_pages`` and ``seconds``.
The metric is the benchmark's own (see :mod:`storyline.ingest.scoring`);
``*_pooled`` figures are the stricter pooled reading with punctuation tokens.
"""

from __future__ import annotations

import argparse
import json

from storyline.ingest.scoring import evaluate_folder


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder")
    ap.add_argument("--no-clean", action="store_true", help="score the extraction without the cleaning stage")
    ap.add_argument("--no-default", action="store_true", help="skip the trafilatura-defaults comparison")
    ap.add_argument("--rounds", type=int, default=200, help="random splits for the split-half figures")
    args = ap.parse_args(argv)
    res = evaluate_folder(args.folder, clean=not args.no_clean, compare_default=not args.no_default,
                          rounds=args.rounds)

    def line(name: str, m: object) -> None:
        if isinstance(m, dict):
            print(f"{name:<28} precision={m['precision']:.4f} recall={m['recall']:.4f} f1={m['f1']:.4f}")

    line("ours (no cleaning)", res.get("raw"))
    line("ours (cleaned)", res.get("cleaned"))
    line("trafilatura defaults", res.get("trafilatura_default"))
    line("pooled+punct: ours raw", res.get("raw_pooled"))
    line("pooled+punct: ours cleaned", res.get("cleaned_pooled"))
    line("pooled+punct: defaults", res.get("trafilatura_default_pooled"))
    sh = res.get("split_half")
    if isinstance(sh, dict):
        print("split halves (F1 of ours on random halves; share of halves where ours >= defaults): "
              + " ".join(f"{k}={v:.4f}" for k, v in sh.items()))
    print(json.dumps(res, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
