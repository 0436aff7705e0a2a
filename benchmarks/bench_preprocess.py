"""Preprocessing: speed per step, and what it does to OCR on the synthetic samples.

    .venv/bin/python benchmarks/bench_preprocess.py [DATASET_DIR] [--ocr] [--cards]

Prints per-document step timings (1 thread), the text-line angle left after
preparation (from the ground-truth quads mapped onto the prepared page), and
with ``--ocr`` the end-to-end CER of the ``onnx`` engine with no
preprocessing, with geometry only, and with every step (``--cards``: pages up to 1.5 MP only).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from kyc_ocr.domain import PageImage, TextLine
from kyc_ocr.eval.scores import OcrMetrics
from kyc_ocr.io import load
from kyc_ocr.preprocess import Context, Options, steps
from kyc_ocr.preprocess.geometry import apply

cv2.setNumThreads(1)


def prepared(page: PageImage, options: Options) -> tuple[PageImage, list[float], list[str]]:
    ctx, times = Context(options), []
    if page.text_layer is None:
        for step in steps(options):
            start = time.perf_counter()
            page = step(page, ctx)
            times.append((time.perf_counter() - start) * 1000)
    return page, times, ctx.notes


def residual_angle(gt_page: dict, loaded: PageImage, out: PageImage) -> float:
    quads = np.array([ln["quad"] for ln in gt_page["lines"] if len(ln["text"]) > 4], float)
    quads *= loaded.width / gt_page["width"]
    pts = apply(np.linalg.inv(out.transform), quads.reshape(-1, 2)).reshape(-1, 4, 2)
    d = pts[:, 1] - pts[:, 0]
    return float(np.degrees(np.median(np.arctan2(d[:, 1], d[:, 0]))))


def read_page(engine, loaded: PageImage, out: PageImage, gt_page: dict, metrics: OcrMetrics) -> float:
    """OCR the prepared page, map the lines to ground-truth pixels, score them; the page's own CER."""
    (read,) = engine.read([out])
    h = np.diag([gt_page["width"] / loaded.width, gt_page["height"] / loaded.height, 1.0]) @ out.transform
    lines = [TextLine(ln.text, ln.confidence, tuple(map(tuple, apply(h, ln.quad)))) for ln in read.lines]
    truth = [(g["text"], tuple(map(tuple, g["quad"]))) for g in gt_page["lines"]]
    page_metrics = OcrMetrics()
    page_metrics.add_page(lines, truth)
    metrics.add_page(lines, truth)
    return page_metrics.end_to_end.cer


def main(root: Path, with_ocr: bool, cards_only: bool = False) -> None:
    engine = None
    if with_ocr:
        from kyc_ocr.ocr.registry import get
        engine = get("onnx", threads=2)
    variants = {"none": Options(crop=False, orientation=False, deskew=False, enhance=False),
                "geometry": Options(enhance=False), "all": Options()}
    totals = {k: OcrMetrics() for k in variants}
    for gt_file in sorted(root.glob("*/*.gt.json")):
        gt = json.loads(gt_file.read_text())
        if gt["format"] == "pdf-digital":
            continue
        loaded = load(gt_file.with_name(gt["file"]))[0]
        if cards_only and loaded.width * loaded.height > 1_500_000:
            continue
        out, times, notes = prepared(loaded, Options())
        angle = residual_angle(gt["pages"][0], loaded, out)
        line = (f"{gt_file.parent.name[-5:]} {gt['file']:<26} {gt['preset']:<5} {loaded.width}x{loaded.height} "
                f"total {sum(times):6.1f} ms  steps {' '.join(f'{t:5.1f}' for t in times)}  residual {angle:+6.1f}  "
                f"{', '.join(notes)}")
        if engine is not None:
            for name, options in variants.items():
                page, _, _ = prepared(loaded, options)
                line += f"  {name}={read_page(engine, loaded, page, gt['pages'][0], totals[name]):.3f}"
        print(line, flush=True)
    if engine is not None:
        for name, m in totals.items():
            print(f"end-to-end CER over all pages, {name}: {m.end_to_end.cer:.4f}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(Path(args[0]) if args else Path("samples"), "--ocr" in sys.argv, "--cards" in sys.argv)
