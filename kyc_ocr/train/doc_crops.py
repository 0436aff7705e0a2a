"""Training lines cut from whole synthetic documents under the real augmentation presets.

Rendered single lines (:mod:`kyc_ocr.train.data`) miss what documents do to
text: perspective, shadows, colour casts, JPEG, guilloche behind labels. This
pool renders a fresh synthetic customer (training split only, seeds far from
any evaluation seed), applies its documents' presets (clean/scan/photo), and
cuts every ground-truth line quad out the way the engine cuts detector boxes
(a little padding, warped upright), so the recogniser trains on what it reads.
"""

from __future__ import annotations

import random
from typing import cast

import numpy as np

from kyc_ocr.domain import Quad
from kyc_ocr.ocr.detect import crop_quad
from kyc_ocr.train.data import Crop

SEED_BASE = 10_000_000  # generator seeds used for training; evaluation sets use small seeds
PAD_Y, PAD_X = 0.25, 0.15  # of the line height, like the detector's unclipped boxes


def _padded(quad: np.ndarray) -> Quad:
    q = np.asarray(quad, dtype=np.float64)
    h = max(float(np.linalg.norm(q[3] - q[0])), 1.0)
    right = (q[1] - q[0]) / max(float(np.linalg.norm(q[1] - q[0])), 1e-6)
    down = (q[3] - q[0]) / h
    dx, dy = right * PAD_X * h, down * PAD_Y * h
    out = [q[0] - dx - dy, q[1] + dx - dy, q[2] + dx + dy, q[3] - dx + dy]
    return cast(Quad, tuple((float(x), float(y)) for x, y in out))  # four corners, as ``out``


def is_mrz(text: str) -> bool:
    return len(text) >= 30 and text.count("<") >= 2 and " " not in text


def document_lines(rng: random.Random, split: str = "train") -> list[Crop]:
    """All printed lines of one freshly generated customer's documents (``train`` or ``val`` split)."""
    from kyc_ocr.synth import PlanConfig, augment, plan_customer, render_document

    cfg = PlanConfig(seed=SEED_BASE + rng.randrange(1 << 20), fault_rate=0.0)
    # index % 10: 0-6 train, 7 val (docs/DATASET.md); held-out lines come from the val split.
    index = rng.randrange(1000) * 10 + (rng.randrange(7) if split == "train" else 7)
    crops = []
    for spec in plan_customer(cfg, index).documents:
        if spec.output == "pdf-digital":
            continue
        doc = augment(render_document(spec), spec.preset, np.random.default_rng(spec.seed))
        h, w = doc.image.shape[:2]
        for line in doc.lines:
            if not line.text.strip():
                continue
            quad = _padded(line.quad)
            q = np.asarray(quad)
            if np.linalg.norm(q[3] - q[0]) * 1.5 >= np.linalg.norm(q[1] - q[0]):
                continue  # one or two characters: the engine would turn such a box as vertical text
            if min(min(x, y) for x, y in quad) < 0 or max(x for x, _ in quad) > w or max(y for _, y in quad) > h:
                continue
            kind = "mrz" if is_mrz(line.text) else (line.field or "label")
            crops.append(Crop(crop_quad(doc.image, quad), line.text, kind))
    return crops


def heldout_document_lines(rng: random.Random, n: int) -> list[Crop]:
    """``n`` lines (a tenth of them MRZ lines when there are) cut from validation-split documents."""
    lines: list[Crop] = []
    mrz: list[Crop] = []
    while len(lines) < n - n // 10 or len(mrz) < n // 10:
        for crop in document_lines(rng, split="val"):
            (mrz if crop.kind == "mrz" else lines).append(crop)
        if len(lines) > 20 * n:  # no MRZ in what was drawn: stop rather than loop
            break
    rng.shuffle(lines)
    return lines[: n - min(len(mrz), n // 10)] + mrz[: n // 10]


class DocumentLinePool:
    """A pool of document lines drawn without replacement, refilled with a new customer when low."""

    def __init__(self) -> None:
        self.lines: list[Crop] = []
        self.mrz: list[Crop] = []

    def take(self, rng: random.Random, n: int, mrz: bool) -> list[Crop]:
        pool = self.mrz if mrz else self.lines
        while len(pool) < n:
            for crop in document_lines(rng):
                (self.mrz if crop.kind == "mrz" else self.lines).append(crop)
        rng.shuffle(pool)
        taken, pool[:] = pool[:n], pool[n:]
        return taken
