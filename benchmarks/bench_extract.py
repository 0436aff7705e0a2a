"""Template-guided speed path against full-page OCR: time per document and field accuracy, same documents.

    .venv/bin/kyc-ocr samples generate --out /tmp/ds --count 30 --seed 11
    .venv/bin/python benchmarks/bench_extract.py /tmp/ds [--preset clean] [--limit 40] [--engine onnx]

Each document is extracted twice with the same engine (models loaded once, one warm-up first): with
full-page OCR (detection + recognition of every line) and with ``fast=True`` (anchor zones confirm the
layout, then only the template's zones are recognised, falling back to full OCR when they do not).
Field accuracy is the exact-match rate against the dataset's ground truth.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def main() -> int:
    from kyc_ocr.config import Settings
    from kyc_ocr.extract import _load, _prepare, extract_pages, prepare_options
    from kyc_ocr.ocr.registry import get
    from kyc_ocr.templates import builtin_templates

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--preset", default="clean")
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--engine", default="onnx")
    args = parser.parse_args()
    cases = []
    for gt_path in sorted(args.dataset.glob("*/*.gt.json")):
        gt = json.loads(gt_path.read_text(encoding="utf-8"))
        if gt["preset"] == args.preset and not gt["file"].endswith(".pdf"):
            cases.append((gt_path.parent / gt["file"], gt))
    cases = cases[: args.limit]
    if not cases:
        print("no documents", file=sys.stderr)
        return 2
    engine = get(args.engine)
    templates = builtin_templates()
    settings = Settings()
    loaded = [(_load(path, settings), gt) for path, gt in cases]
    prepared = [(pages, _prepare(pages, prepare_options(engine)), gt) for pages, gt in loaded]
    extract_pages(prepared[0][0], prepared[0][1], engine, templates)  # warm-up
    rows = {}
    for mode in ("full", "fast"):
        seconds = right = total = used_fast = 0
        for decoded, pages, gt in prepared:
            start = time.perf_counter()
            doc = extract_pages(decoded, pages, engine, templates, fast=mode == "fast")
            seconds += time.perf_counter() - start
            used_fast += int(bool(doc.pages) and doc.pages[0].engine.endswith("+zones"))
            for name, field in gt["fields"].items():
                total += 1
                right += int(doc.value(name) == field["value"])
        rows[mode] = (seconds / len(prepared), right / total, used_fast)
    n = len(prepared)
    for mode, (secs, acc, used) in rows.items():
        print(f"{mode:5s} {secs:6.3f} s/document  fields exact {acc:.3f}  speed path taken {used}/{n}")
    print(f"speed-up {rows['full'][0] / rows['fast'][0]:.2f}x on {n} {args.preset} documents ({args.engine})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
