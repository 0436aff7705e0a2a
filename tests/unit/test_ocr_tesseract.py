"""The tesseract engine (tesserocr + Debian tessdata) reads rendered text, or fails clearly."""

from __future__ import annotations

import pytest

pytest.importorskip("tesserocr")

from kyc_ocr.domain import PageImage
from kyc_ocr.errors import EngineError
from kyc_ocr.ocr import tesseract
from kyc_ocr.ocr.registry import create, get
from kyc_ocr.ocr.specimen import Placed, render, text_line

try:
    tesseract.find_tessdata("eng")
except EngineError as err:  # pragma: no cover - depends on the machine
    pytest.skip(str(err), allow_module_level=True)


@pytest.fixture(scope="module")
def engine():
    return get("tesseract")


def test_tesseract_reads_lines_with_boxes_and_confidences(engine):
    spec = render([Placed("Surname: ERIKSSON", 30, 30, "sans", 32),
                   Placed("Given names: Anna Maria", 30, 100, "sans", 32)], (700, 170))
    page = engine.read([PageImage(spec.image, "t.png")])[0]
    assert [ln.text for ln in page.lines] == ["Surname: ERIKSSON", "Given names: Anna Maria"]
    assert page.engine == "tesseract" and page.models[0].startswith("tesseract-5")
    for found, truth in zip(page.lines, spec.lines):
        assert 0.5 <= found.confidence <= 1.0
        fx0, fy0, fx1, fy1 = found.bbox
        tx0, ty0, tx1, ty1 = truth.bbox
        assert abs(fx0 - tx0) <= 6 and abs(fy0 - ty0) <= 6 and abs(fx1 - tx1) <= 6 and abs(fy1 - ty1) <= 6


def test_tesseract_recognize_single_lines(engine):
    results = engine.recognize([text_line("Place of birth ZURICH", size=30), text_line("2031-07-14", size=30)])
    assert [t for t, _ in results] == ["Place of birth ZURICH", "2031-07-14"]
    assert all(0.5 < c <= 1.0 for _, c in results)


def test_missing_tessdata_is_an_engine_error(monkeypatch):
    monkeypatch.setattr(tesseract, "TESSDATA_DIRS", ("/nonexistent",))
    monkeypatch.delenv("TESSDATA_PREFIX", raising=False)
    with pytest.raises(EngineError, match="apt-get install tesseract-ocr-eng"):
        create("tesseract")
    with pytest.raises(EngineError, match="CPU only"):
        create("tesseract", device="cuda")
