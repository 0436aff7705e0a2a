"""Golden extraction: recorded OCR pages (replay engine) beside the ground-truth fields (tests/golden/extract)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kyc_ocr.domain import PageImage
from kyc_ocr.extract import extract_pages
from kyc_ocr.ocr.replay import ReplayEngine
from kyc_ocr.templates import builtin_templates

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "extract"
CASES = sorted(p for p in GOLDEN.iterdir() if (p / "expected.json").exists())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_document(case: Path) -> None:
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    image_path = case / expected["file"]
    if image_path.exists():  # fields read from pixels (a barcode) need the image itself
        pixels = np.ascontiguousarray(cv2.imread(str(image_path))[:, :, ::-1])
    else:  # OCR comes from the recording; the pixels are not looked at
        pixels = np.full((expected["height"], expected["width"], 3), 255, np.uint8)
    image = PageImage(pixels, expected["file"], 1)
    doc = extract_pages([image], [image], ReplayEngine(case), builtin_templates())
    assert doc.template is not None and doc.template.template_id == expected["template_id"], doc.template
    got = {name: doc.value(name) for name in expected["fields"]}
    assert got == expected["fields"]
    for name in expected["fields"]:
        f = doc.fields[name]
        assert 0.0 < f.confidence <= 1.0 and f.page == 1
