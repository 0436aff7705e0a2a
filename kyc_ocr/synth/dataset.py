"""Generate a synthetic KYC dataset: customer folders, document files, ground truth, manifest.

Layout and JSON shapes: docs/DATASET.md. The output depends only on the
arguments (seed included): two runs give byte-identical files, with any
number of worker processes.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kyc_ocr.errors import InputError
from kyc_ocr.synth.augmentation import PRESETS, augment
from kyc_ocr.synth.documents import render_document
from kyc_ocr.synth.output import (
    SCAN_DPI,
    digital_pdf_bytes,
    ground_truth,
    jpeg_bytes,
    png_bytes,
    scanned_pdf_bytes,
    write_json,
)
from kyc_ocr.synth.profiles import SPLITS, PlanConfig, plan_customer
from kyc_ocr.synth.spec import DocSpec

log = logging.getLogger(__name__)
GENERATOR = "kyc-ocr 0.1.0"


@dataclass(frozen=True)
class RunStats:
    """What a run produced and how fast."""

    customers: int
    documents: int
    seconds: float

    @property
    def documents_per_second(self) -> float:
        return self.documents / self.seconds if self.seconds > 0 else float("inf")


def produce(spec: DocSpec, split: str) -> tuple[bytes, dict[str, Any]]:
    """Render, augment and encode one document; returns (file bytes, ground truth)."""
    doc = render_document(spec)
    rng = np.random.default_rng([spec.seed, 1])
    meta = {"file": spec.file, "kind": spec.kind, "template_id": spec.template_id, "side": spec.side,
            "preset": spec.preset, "split": split, "fmt": spec.output}
    if spec.output == "pdf-digital":
        return digital_pdf_bytes(doc), ground_truth(doc, dpi=doc.dpi, **meta)
    out = augment(doc, spec.preset, rng)
    quality = int(rng.integers(60, 93))
    if spec.output == "jpg":
        return jpeg_bytes(out.image, quality), ground_truth(out, dpi=None, **meta)
    if spec.output == "pdf-scan":
        return scanned_pdf_bytes(out.image, max(quality, 80), SCAN_DPI), ground_truth(out, dpi=SCAN_DPI, **meta)
    grey = spec.preset == "scan" and bool(rng.random() < 0.5)  # greyscale scanner
    return png_bytes(out.image, grey=grey), ground_truth(out, dpi=None, **meta)


def generate_customer(cfg: PlanConfig, index: int, out: Path) -> dict[str, Any]:
    """Write one customer folder; returns its manifest entry."""
    plan = plan_customer(cfg, index)
    folder = out / plan.customer_id
    folder.mkdir(parents=True, exist_ok=True)
    documents = []
    for spec in plan.documents:
        data, gt = produce(spec, plan.split)
        (folder / spec.file).write_bytes(data)
        write_json(folder / f"{spec.stem}.gt.json", gt)
        documents.append({"file": spec.file, "kind": spec.kind, "template_id": spec.template_id, "side": spec.side,
                          "preset": spec.preset, "format": spec.output})
    profile = plan.profile(cfg.as_of)
    profile["documents"] = documents
    write_json(folder / "profile.json", profile)
    return {"customer_id": plan.customer_id, "split": plan.split, "expected_decision": plan.expected_decision,
            "faults": list(plan.faults), "documents": [d["file"] for d in documents]}


def _job(args: tuple[PlanConfig, int, str]) -> dict[str, Any]:
    cfg, index, out = args
    return generate_customer(cfg, index, Path(out))


def generate(out: Path, count: int, cfg: PlanConfig, workers: int = 1) -> RunStats:
    """Generate ``count`` customers under ``out`` with ``workers`` processes; writes ``manifest.json``."""
    if count < 1:
        raise InputError(f"--count must be at least 1, got {count}")
    bad = [p for p in cfg.presets if p not in PRESETS]
    if bad or not cfg.presets:
        raise InputError(f"unknown preset(s) {', '.join(bad) or '(none)'}; choose from {', '.join(PRESETS)}")
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: exists and is not a directory")
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    jobs = [(cfg, i, str(out)) for i in range(count)]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            entries = list(pool.map(_job, jobs, chunksize=max(1, min(16, count // (workers * 4) or 1))))
    else:
        entries = [_job(j) for j in jobs]
    seconds = time.perf_counter() - start
    splits: dict[str, list[str]] = {name: [] for name in dict.fromkeys(SPLITS)}
    for entry in entries:
        splits[entry["split"]].append(entry["customer_id"])
    manifest = {"generator": GENERATOR, "seed": cfg.seed, "count": count, "presets": list(cfg.presets),
                "as_of": cfg.as_of.isoformat(), "fault_rate": cfg.fault_rate, "all_faults": cfg.all_faults,
                "splits": splits, "customers": entries}
    write_json(out / "manifest.json", manifest)
    n_docs = sum(len(e["documents"]) for e in entries)
    log.info("generated %d customers, %d documents in %.1f s", count, n_docs, seconds)
    return RunStats(count, n_docs, seconds)
