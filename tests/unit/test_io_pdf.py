"""kyc_ocr.io on real PDFs made with fpdf2 / pypdfium2: rendering, text layer positions, limits, encryption."""

from __future__ import annotations

import io
import time

import numpy as np
import pypdfium2 as pdfium
import pytest
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image

from kyc_ocr.config import Settings
from kyc_ocr.errors import InputError
from kyc_ocr.io import load

DPI = 150
SCALE = DPI / 72
# (x, baseline y) in points, text; the second line shares the first's baseline but sits far to the right
LINES = [((50, 80), "ACME Energy Ltd  Invoice 2024-117"), ((400, 80), "Page 1"),
         ((50, 200), "Account holder: Jane Q. Public"), ((50, 230), "12 Example Street, Springfield")]


def _digital_pdf(pages: int = 1, invisible: str | None = None) -> bytes:
    pdf = FPDF(unit="pt", format=(595, 420))
    pdf.set_font("Helvetica", size=14)
    for k in range(pages):
        pdf.add_page()
        for (x, y), text in LINES:
            pdf.text(x, y, text.replace("Page 1", f"Page {k + 1}"))
        if invisible:
            pdf.text_mode = TextMode.INVISIBLE
            pdf.text(50, 300, invisible)
            pdf.text_mode = TextMode.FILL
    return bytes(pdf.output())


def _ink_box(image: np.ndarray, box: tuple[float, ...], pad: int = 12) -> tuple[int, int, int, int]:
    """Bounding box of the dark pixels around ``box`` (found on the render, independent of the text layer)."""
    x0, y0, x1, y1 = (round(v) for v in box)
    y0, x0 = max(0, y0 - pad), max(0, x0 - pad)
    ys, xs = np.nonzero(image[y0 : y1 + pad, x0 : x1 + pad].min(axis=2) < 160)
    return x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()), y0 + int(ys.max())


def test_digital_pdf_text_layer_lands_on_the_ink():
    pages = load(_digital_pdf(), Settings(pdf_dpi=DPI))
    (page,) = pages
    assert (page.media_type, page.dpi, page.page) == ("application/pdf", DPI, 1)
    assert page.image.shape == (875, 1240, 3)  # A5 landscape at 150 dpi
    assert page.text_layer is not None
    assert [ln.text for ln in page.text_layer] == [" ".join(t.split()) for _, t in LINES]  # runs of spaces: one
    for line, ((x, y), _) in zip(page.text_layer, LINES):
        assert line.confidence == 1.0
        x0, y0, x1, y1 = line.bbox
        # known geometry: the line starts at x and its capitals rise ~10 pt above the baseline y (top-left origin)
        assert abs(x0 - x * SCALE) < 3 and abs(y0 - (y - 10) * SCALE) < 3
        ink = _ink_box(page.image, line.bbox)
        assert np.allclose(ink, (x0, y0, x1, y1), atol=3), (line.text, ink, line.bbox)


def test_page_rotation_is_followed():
    # content drawn sideways and a /Rotate that turns it upright for display, as scanners and Word exports do
    pdf = FPDF(unit="pt", format=(420, 595))
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    with pdf.rotation(90, x=100, y=500):
        pdf.text(100, 500, "Sideways drawn, upright shown")
    doc = pdfium.PdfDocument(bytes(pdf.output()))
    doc[0].set_rotation(90)
    buf = io.BytesIO()
    doc.save(buf)
    (page,) = load(buf.getvalue(), Settings(pdf_dpi=DPI))
    assert np.allclose(page.image.shape[:2], (420 * SCALE, 595 * SCALE), atol=1)  # landscape after the turn
    assert page.text_layer is not None and [ln.text for ln in page.text_layer] == ["Sideways drawn, upright shown"]
    (line,) = page.text_layer
    assert np.allclose(_ink_box(page.image, line.bbox), line.bbox, atol=3)
    assert line.bbox[2] - line.bbox[0] > 5 * (line.bbox[3] - line.bbox[1])  # a wide horizontal line


def test_sideways_text_gets_no_text_layer():
    doc = pdfium.PdfDocument(_digital_pdf())
    doc[0].set_rotation(90)  # upright content shown sideways: letters run top to bottom in the render
    buf = io.BytesIO()
    doc.save(buf)
    (page,) = load(buf.getvalue(), Settings(pdf_dpi=72))
    assert page.text_layer is None  # OCR with the orientation step reads it instead


def test_multi_page_and_page_limit():
    pages = load(_digital_pdf(pages=3), Settings(pdf_dpi=72))
    assert [p.page for p in pages] == [1, 2, 3]
    assert [p.text_layer[1].text for p in pages if p.text_layer] == ["Page 1", "Page 2", "Page 3"]
    assert len({p.sha256 for p in pages}) == 1
    with pytest.raises(InputError, match=r"3 pages, more than the limit of 2"):
        load(_digital_pdf(pages=3), Settings(max_pages=2))


def test_thousands_of_pages_fail_fast():
    doc = pdfium.PdfDocument.new()
    for _ in range(3000):
        doc.new_page(595, 842)
    buf = io.BytesIO()
    doc.save(buf)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"3000 pages, more than the limit of 50"):
        load(buf.getvalue())
    assert time.perf_counter() - start < 1.0


def test_huge_page_refused_before_rendering():
    doc = pdfium.PdfDocument.new()
    doc.new_page(14400, 14400)  # 200 x 200 inches
    buf = io.BytesIO()
    doc.save(buf)
    start = time.perf_counter()
    with pytest.raises(InputError, match=r"page 1 of 14400 x 14400 pt renders to 40000x40000"):
        load(buf.getvalue())
    assert time.perf_counter() - start < 1.0


def _scan_pdf(invisible: str | None = None) -> bytes:
    scan = np.full((300, 400, 3), 235, np.uint8)
    scan[100:150, 50:250] = 20  # a dark block where the "text" is
    jpeg = io.BytesIO()
    Image.fromarray(scan).save(jpeg, "JPEG", quality=95)
    pdf = FPDF(unit="pt", format=(400, 300))
    pdf.add_page()
    pdf.image(io.BytesIO(jpeg.getvalue()), x=0, y=0, w=400, h=300)
    if invisible:  # an OCR layer under the scan, as OCR tools write it
        pdf.set_font("Helvetica", size=12)
        pdf.text_mode = TextMode.INVISIBLE
        pdf.text(50, 140, invisible)
    return bytes(pdf.output())


@pytest.mark.parametrize("invisible", [None, "HIDDEN OCR TEXT"])
def test_scanned_pdf_has_no_text_layer_and_renders(invisible):
    (page,) = load(_scan_pdf(invisible), Settings(pdf_dpi=144))
    assert page.text_layer is None
    assert page.image.shape == (600, 800, 3)
    assert page.image[250, 200].max() < 60 and page.image[450, 600].min() > 200  # the block at 2x scale


def test_invisible_text_is_dropped_from_a_digital_page():
    (page,) = load(_digital_pdf(invisible="SECRET OCR LAYER"), Settings(pdf_dpi=72))
    assert page.text_layer is not None
    assert "SECRET OCR LAYER" not in [ln.text for ln in page.text_layer]


def _encrypted(user_password: str | None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 20, "Statement of account")
    pdf.set_encryption(owner_password="owner-secret", user_password=user_password)
    return bytes(pdf.output())


def test_encrypted_pdf():
    with pytest.raises(InputError, match=r"encrypted PDF \(it needs a password\)"):
        load(_encrypted("user-secret"))
    # permissions-only protection (no user password) opens like any PDF, as every viewer does
    (page,) = load(_encrypted(None), Settings(pdf_dpi=72))
    assert page.text_layer and page.text_layer[0].text == "Statement of account"


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_truncated_or_corrupt_pdf(cut):
    data = _digital_pdf()
    with pytest.raises(InputError, match=r"corrupt or truncated PDF"):
        load(data[: int(len(data) * cut)])
    with pytest.raises(InputError, match=r"corrupt or truncated PDF"):
        load(b"%PDF-1.7\n%garbage that is no PDF at all\n")
