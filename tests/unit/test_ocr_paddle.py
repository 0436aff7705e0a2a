"""The paddle engine (PaddleOCR 2.10, PP-OCRv4 Paddle weights) reads rendered text."""

from __future__ import annotations

import pytest

pytest.importorskip("paddleocr")
pytest.importorskip("rapidocr_paddle")

from kyc_ocr.domain import PageImage
from kyc_ocr.ocr.registry import get
from kyc_ocr.ocr.specimen import Placed, render, text_errors, text_line

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine():
    return get("paddle", threads=2)


def test_paddle_reads_rendered_lines(engine):
    spec = render([Placed("Surname", 20, 20, "sans", 30), Placed("ERIKSSON", 20, 70, "sans-bold", 36),
                   Placed("Date of birth 12.08.1974", 20, 130, "sans", 30)], (600, 190))
    page = engine.read([PageImage(spec.image, "p.png")])[0]
    assert page.engine == "paddle" and len(page.models) == 3
    assert all(m.startswith(("ch_PP-OCRv4", "ch_ppocr_mobile")) for m in page.models)
    # PP-OCRv4's Chinese dictionary drops the spaces between Latin words: compare without them
    squash = [ln.text.replace(" ", "") for ln in page.lines]
    assert squash == ["Surname", "ERIKSSON", "Dateofbirth12.08.1974"]
    edits, _ = text_errors(page.lines, spec.lines)
    assert edits <= 3  # the two dropped spaces, at most one more
    for found, truth in zip(page.lines, spec.lines):
        assert 0.5 <= found.confidence <= 1.0
        fx0, fy0, fx1, fy1 = found.bbox
        tx0, ty0, tx1, ty1 = truth.bbox
        assert fx0 <= tx0 + 3 and fy0 <= ty0 + 3 and fx1 >= tx1 - 3 and fy1 >= ty1 - 3


def test_paddle_recognize_without_detection(engine):
    results = engine.recognize([text_line("L898902C36", "sans", 32), text_line("Passport", size=30)])
    assert [text for text, _ in results] == ["L898902C36", "Passport"]
    assert all(0.5 < conf <= 1.0 for _, conf in results)
