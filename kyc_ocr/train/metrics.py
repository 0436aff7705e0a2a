"""Held-out evaluation of a recogniser: CER and exact-line rate per field kind."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from kyc_ocr.ocr.recognize import ctc_greedy
from kyc_ocr.train.data import CropSet, batch_tensor
from kyc_ocr.train.model import Recognizer


@dataclass
class EvalResult:
    cer: float
    exact: float
    n: int
    per_kind: dict[str, dict[str, float]] = field(default_factory=dict)
    examples: list[tuple[str, str]] = field(default_factory=list)  # (truth, read) for a few errors

    def to_dict(self) -> dict[str, Any]:
        return {"cer": round(self.cer, 5), "exact": round(self.exact, 4), "n": self.n, "per_kind": self.per_kind,
                "examples": self.examples[:5]}


def score(pairs: list[tuple[str, str, str]]) -> EvalResult:
    """CER (edit distance over truth length) and exact rate, overall and per kind.

    >>> r = score([("name", "KYC", "KIC"), ("date", "01.02.2003", "01.02.2003")])
    >>> round(r.cer, 4), r.exact, r.per_kind["name"]["cer"]
    (0.0769, 0.5, 0.3333)
    """
    dist: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # edits, chars, exact, n
    errors: list[tuple[str, str]] = []
    for kind, truth, read in pairs:
        d = Levenshtein.distance(truth, read)
        for key in (kind, "_all"):
            acc = dist[key]
            acc[0] += d
            acc[1] += len(truth)
            acc[2] += int(truth == read)
            acc[3] += 1
        if d and len(errors) < 20:
            errors.append((truth, read))
    total = dist["_all"]
    per_kind = {k: {"cer": round(v[0] / max(v[1], 1), 4), "exact": round(v[2] / v[3], 4), "n": v[3]}
                for k, v in sorted(dist.items()) if k != "_all"}
    return EvalResult(total[0] / max(total[1], 1), total[2] / max(total[3], 1), total[3], per_kind, errors)


def evaluate_model(rec: Recognizer, crops: CropSet, device: str = "cpu", batch_size: int = 32) -> EvalResult:
    """Greedy-decode every crop of a fixed set with the torch model and score it."""
    import torch

    assert crops.fixed is not None, "evaluation needs a fixed crop set"
    rec.module.eval()
    pairs = []
    items = sorted(crops.fixed, key=lambda c: c.image.shape[1] / c.image.shape[0])
    with torch.no_grad():
        for i in range(0, len(items), batch_size):
            chunk = items[i : i + batch_size]
            x = torch.from_numpy(batch_tensor([c.image for c in chunk])).to(device)
            probs = rec.module(x).float().softmax(-1).cpu().numpy()
            for crop, result in zip(chunk, ctc_greedy(probs.astype(np.float32), rec.charset)):
                pairs.append((crop.kind, crop.text, result.text))
    return score(pairs)
