"""A page that preprocessing left on its side is turned a quarter before extraction (real OCR engine)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from kyc_ocr.extract import extract_pages
from kyc_ocr.io import load
from kyc_ocr.templates import builtin_templates

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "cust-2026-00002" / "id_card_front.png"


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    from kyc_ocr.ocr import get

    return get("onnx")


@pytest.mark.parametrize("turn", [cv2.ROTATE_90_CLOCKWISE, cv2.ROTATE_90_COUNTERCLOCKWISE])
def test_card_on_its_side_is_read_upright(engine, tmp_path: Path, turn: int) -> None:  # type: ignore[no-untyped-def]
    gt = json.loads(SAMPLE.with_name("id_card_front.gt.json").read_text())
    truth = gt["fields"]
    image = cv2.imread(str(SAMPLE), cv2.IMREAD_COLOR)
    path = tmp_path / "side.png"
    cv2.imwrite(str(path), cv2.rotate(image, turn))
    pages = load([str(path)])  # no preprocessing: the page stays on its side, as when orientation fails
    doc = extract_pages(pages, pages, engine, builtin_templates())
    assert doc.template is not None and doc.template.template_id == gt["template_id"]
    for name in ("surname", "date_of_birth", "document_number"):
        assert doc.fields[name].value == truth[name]["value"], name
    # the box is in the pixels of the file as sent (on its side): the turned ground-truth box
    h, w = image.shape[:2]
    x0, y0, x1, y1 = truth["surname"]["box"]
    if turn == cv2.ROTATE_90_CLOCKWISE:  # (x, y) -> (h - y, x)
        want = (h - y1, x0, h - y0, x1)
    else:  # (x, y) -> (y, w - x)
        want = (y0, w - x1, y1, w - x0)
    got = doc.fields["surname"].box
    assert got is not None and np.allclose(got, want, atol=25)
