"""Property tests: whatever bytes come in, kyc_ocr.io answers with pages or a KycError, quickly.

Random bytes, random truncations of valid JPEG/PNG/TIFF/PDF files and random
byte mutations in their headers must never raise anything but a KycError
subclass (never a Pillow/PDFium exception) and never hang.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from fpdf import FPDF
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from kyc_ocr.config import Settings
from kyc_ocr.domain import PageImage
from kyc_ocr.errors import KycError
from kyc_ocr.io import load

# small limits keep a mutated header that declares a large image from costing seconds
LIMITS = Settings(max_pixels=4_000_000, max_pages=5, pdf_dpi=72)
FAST = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)


def _image(fmt: str, **kw) -> bytes:
    arr = np.random.default_rng(7).integers(0, 255, (48, 64, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, fmt, **kw)
    return buf.getvalue()


def _tiff() -> bytes:
    frames = [Image.fromarray(np.full((20, 30, 3), 60 * k, np.uint8)) for k in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "TIFF", save_all=True, append_images=frames[1:], compression="tiff_deflate")
    return buf.getvalue()


def _pdf() -> bytes:
    pdf = FPDF(unit="pt", format=(200, 120))
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.text(20, 40, "Proof of address")
    pdf.image(io.BytesIO(_image("PNG")), x=20, y=60, w=64, h=48)
    return bytes(pdf.output())


VALID = {"jpeg": _image("JPEG", quality=90), "png": _image("PNG"), "tiff": _tiff(), "pdf": _pdf(),
         "webp": _image("WEBP")}


def _only_kyc_errors(data: bytes) -> None:
    try:
        pages = load(data, LIMITS)
    except KycError as err:
        message = str(err)
        assert message and "\n" not in message and message.startswith("<bytes:")
        return
    assert pages and all(isinstance(p, PageImage) for p in pages)
    for p in pages:
        assert p.image.dtype == np.uint8 and p.image.ndim == 3 and p.image.shape[2] == 3


def test_valid_files_load():
    assert [len(load(v, LIMITS)) for v in VALID.values()] == [1, 1, 3, 1, 1]


@pytest.mark.timeout(60)
@FAST
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    _only_kyc_errors(data)


@pytest.mark.timeout(60)
@FAST
@given(st.binary(max_size=64), st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*",
                                                 b"%PDF-1.7\n", b"BM", b"GIF89a", b"RIFF\x00\x00\x00\x00WEBPVP8 "]))
def test_random_bytes_behind_a_valid_signature(tail, magic):
    _only_kyc_errors(magic + tail)


@pytest.mark.timeout(120)
@FAST
@given(st.sampled_from(sorted(VALID)), st.floats(0.0, 1.0))
def test_truncations(kind, fraction):
    data = VALID[kind]
    _only_kyc_errors(data[: int(len(data) * fraction)])


@pytest.mark.timeout(120)
@settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
@given(st.sampled_from(sorted(VALID)), st.lists(st.tuples(st.integers(0, 255), st.integers(0, 255)), min_size=1,
                                                 max_size=6), st.booleans())
def test_mutated_headers(kind, edits, anywhere):
    data = bytearray(VALID[kind])
    for pos, value in edits:
        # header bytes (sizes, offsets, tags) or, sometimes, anywhere in the file
        index = pos * (len(data) - 1) // 255 if anywhere else pos % min(len(data), 200)
        data[index] = value
    _only_kyc_errors(bytes(data))
