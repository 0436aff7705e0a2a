"""Write a rendered document to disk: PNG, JPEG, digital PDF (real text layer) or scanned PDF, plus its ``.gt.json``.

Output is byte-reproducible: PNG without timestamps, JPEG with fixed
settings, PDFs with a fixed creation date (fpdf2 derives the file id from
the content and that date).
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from fpdf import FPDF
from PIL import Image

from kyc_ocr.errors import InputError
from kyc_ocr.synth.canvas import RenderedDoc
from kyc_ocr.synth.fonts import family_file

PDF_DATE = datetime(2026, 1, 1, tzinfo=UTC)
SCAN_DPI = 150.0


def _round(pts: np.ndarray) -> list[list[float]]:
    return [[round(float(x), 2), round(float(y), 2)] for x, y in pts]


def ground_truth(doc: RenderedDoc, *, file: str, kind: str, template_id: str, side: str, preset: str, split: str,
                 fmt: str, dpi: float | None = None) -> dict[str, Any]:
    """The ``.gt.json`` content of one single-page document (see docs/DATASET.md)."""
    page: dict[str, Any] = {"page": 1, "width": doc.width, "height": doc.height}
    if dpi is not None:
        page["dpi"] = dpi
    page["lines"] = [{"text": ln.text, "quad": _round(ln.quad), "field": ln.field} for ln in doc.lines]
    fields = {}
    for name in sorted(doc.fields):
        spec = doc.fields[name]
        fields[name] = {"value": spec.value, "page": 1, "box": [round(v, 2) for v in doc.field_box(name)]}
    return {"file": file, "kind": kind, "template_id": template_id, "side": side, "preset": preset, "split": split,
            "format": fmt, "pages": [page], "fields": fields}


def png_bytes(image: np.ndarray, grey: bool = False) -> bytes:
    """Lossless PNG (no time chunk, fixed compression); ``grey`` stores one channel like a greyscale scanner."""
    buf = io.BytesIO()
    img = Image.fromarray(image, "RGB")
    (img.convert("L") if grey else img).save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def jpeg_bytes(image: np.ndarray, quality: int) -> bytes:
    """Baseline JPEG with fixed settings."""
    buf = io.BytesIO()
    Image.fromarray(image, "RGB").save(buf, format="JPEG", quality=int(quality), optimize=False, subsampling=2)
    return buf.getvalue()


def _new_pdf(width_px: int, height_px: int, dpi: float) -> tuple[FPDF, float]:
    k = 72.0 / dpi
    pdf = FPDF(unit="pt", format=(width_px * k, height_px * k))
    pdf.set_creation_date(PDF_DATE)
    pdf.set_producer("kyc-ocr synth")
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.add_page()
    return pdf, k


def scanned_pdf_bytes(image: np.ndarray, quality: int, dpi: float = SCAN_DPI) -> bytes:
    """A one-page PDF holding ``image`` as a JPEG at ``dpi`` (no text layer)."""
    h, w = image.shape[:2]
    pdf, k = _new_pdf(w, h, dpi)
    pdf.image(io.BytesIO(jpeg_bytes(image, quality)), x=0, y=0, w=w * k, h=h * k)
    return bytes(pdf.output())


def digital_pdf_bytes(doc: RenderedDoc) -> bytes:
    """Re-emit a rendered page's drawing operations as a PDF with a real text layer.

    Text sits where Pillow drew it (same font files, baseline = top + ascent), so
    the page rendered at ``doc.dpi`` matches the PNG and its ground-truth quads.
    """
    if doc.dpi is None or not doc.ops:
        raise InputError("a digital PDF needs a page rendered at a known dpi with recorded drawing operations")
    pdf, k = _new_pdf(doc.width, doc.height, doc.dpi)
    paper = tuple(int(v) for v in doc.image[-1, -1])
    pdf.set_fill_color(*paper)
    pdf.rect(0, 0, doc.width * k, doc.height * k, style="F")
    fonts: set[str] = set()
    for op in doc.ops:
        a = op.args
        if op.kind == "rect":
            x0, y0, x1, y1 = a["box"]
            style = ("F" if a["fill"] else "") + ("D" if a["outline"] else "")
            if a["fill"]:
                pdf.set_fill_color(*a["fill"])
            if a["outline"]:
                pdf.set_draw_color(*a["outline"])
                pdf.set_line_width(a["width"] * k)
            pdf.rect(x0 * k, y0 * k, (x1 - x0) * k, (y1 - y0) * k, style=style or "D")
        elif op.kind == "line":
            pdf.set_draw_color(*a["fill"])
            pdf.set_line_width(a["width"] * k)
            pdf.line(a["x0"] * k, a["y0"] * k, a["x1"] * k, a["y1"] * k)
        elif op.kind == "image":
            img = a["image"]
            pdf.image(img, x=a["x"] * k, y=a["y"] * k, w=img.width * k, h=img.height * k)
        elif op.kind == "text":
            name = a["family"] + ("-bold" if a["bold"] else "")
            if name not in fonts:
                pdf.add_font(name, "", str(family_file(a["family"], a["bold"])))
                fonts.add(name)
            pdf.set_font(name, "", a["size"] * k)
            pdf.set_text_color(*a["fill"])
            pdf.text(a["x"] * k, (a["y"] + a["ascent"]) * k, a["text"])
    return bytes(pdf.output())


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write JSON deterministically (sorted nothing, fixed separators, UTF-8)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
