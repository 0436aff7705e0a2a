"""Synthetic KYC documents with exact ground truth.

* :func:`generate` writes a dataset (customer folders, images/PDFs, ``.gt.json``, ``profile.json``,
  ``manifest.json``; see docs/DATASET.md);
* :func:`plan_customer` / :func:`render_document` / :func:`augment` are the steps it composes;
* :func:`render_text_crop` renders one line for recogniser training.
"""

from __future__ import annotations

from kyc_ocr.synth.augmentation import PRESETS, augment
from kyc_ocr.synth.crops import TextCrop, render_text_crop
from kyc_ocr.synth.dataset import RunStats, generate, produce
from kyc_ocr.synth.documents import TEMPLATE_IDS, render_document
from kyc_ocr.synth.faults import FAULTS, expected_outcome
from kyc_ocr.synth.profiles import AS_OF, PlanConfig, plan_customer
from kyc_ocr.synth.spec import DocSpec

__all__ = [
    "AS_OF", "FAULTS", "PRESETS", "TEMPLATE_IDS", "DocSpec", "PlanConfig", "RunStats", "TextCrop", "augment",
    "expected_outcome", "generate", "plan_customer", "produce", "render_document", "render_text_crop",
]
