"""Rendering and augmentation keep ground truth exact: quads on ink, boxes follow the image, PDF text layer."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import numpy as np
import pypdfium2 as pdfium
import pytest

from kyc_ocr.errors import InputError
from kyc_ocr.synth import augment, render_document, render_text_crop
from kyc_ocr.synth.canvas import Canvas, GtLine, RenderedDoc, box_quad
from kyc_ocr.synth.documents import TEMPLATE_IDS
from kyc_ocr.synth.identity import document_number, issue_and_expiry, make_identity
from kyc_ocr.synth.output import digital_pdf_bytes
from kyc_ocr.synth.profiles import PlanConfig, plan_customer
from kyc_ocr.synth.spec import DocSpec

AS_OF = date(2026, 6, 30)


def _luma(img: np.ndarray) -> np.ndarray:
    return img.astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _specs() -> dict[str, DocSpec]:
    """One spec per template id, drawn from real customer plans."""
    found: dict[str, DocSpec] = {}
    cfg = PlanConfig(seed=11, presets=("clean",), all_faults=False, fault_rate=0.0)
    i = 0
    while len(found) < len(TEMPLATE_IDS) and i < 200:
        for spec in plan_customer(cfg, i).documents:
            found.setdefault(spec.template_id, spec)
        i += 1
    assert set(found) == set(TEMPLATE_IDS)
    return found


SPECS = _specs()


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_every_line_quad_lies_tightly_on_ink(template: str) -> None:
    doc = render_document(SPECS[template])
    luma = _luma(doc.image)
    assert doc.lines, "a document prints text"
    for line in doc.lines:
        x0, y0 = np.floor(line.quad.min(axis=0)).astype(int)
        x1, y1 = np.ceil(line.quad.max(axis=0)).astype(int)
        inside = luma[y0:y1, x0:x1]
        ring = luma[max(0, y0 - 6):y1 + 6, max(0, x0 - 6):x1 + 6]
        # ink: clearly darker (or, on a dark band, lighter) than the page around it
        contrast = np.abs(inside - np.median(ring))
        assert contrast.max() > 60, line.text
        ys, xs = np.nonzero(contrast > 25)
        # the quad hugs the ink: at most 3 px of slack on each side
        assert xs.min() <= 3 and ys.min() <= 3, line.text
        assert xs.max() >= inside.shape[1] - 4 and ys.max() >= inside.shape[0] - 4, line.text


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_fields_point_at_lines_or_areas(template: str) -> None:
    doc = render_document(SPECS[template])
    if "document_type" in doc.fields:  # the title line carries it (backs have none)
        assert doc.fields["document_type"].value == SPECS[template].kind
    else:
        assert SPECS[template].side == "back"
    for name, spec in doc.fields.items():
        assert spec.lines or spec.quad is not None, name
        for i in spec.lines:
            if name not in ("surname_mrz", "given_names_mrz"):
                assert doc.lines[i].field == name
        x0, y0, x1, y1 = doc.field_box(name)
        assert 0 <= x0 < x1 <= doc.width and 0 <= y0 < y1 <= doc.height


def _black_box_doc() -> RenderedDoc:
    img = np.full((630, 1000, 3), 255, np.uint8)
    img[250:330, 400:640] = 0
    quad = box_quad(400, 250, 640, 330)
    return RenderedDoc(img, [GtLine("BOX", quad, "x")], {}, [], None)


@pytest.mark.parametrize("preset", ["scan", "photo"])
@pytest.mark.parametrize("seed", range(6))
def test_augmentation_moves_the_box_with_the_ink(preset: str, seed: int) -> None:
    out = augment(_black_box_doc(), preset, np.random.default_rng(seed))
    quad = out.lines[0].quad
    luma = _luma(out.image)
    h, w = luma.shape
    yy, xx = np.mgrid[0:h, 0:w]
    centre = quad.mean(axis=0)

    def inside(q: np.ndarray) -> np.ndarray:
        # point-in-convex-polygon test (quad is clockwise in image coordinates)
        ok = np.ones((h, w), bool)
        for a, b in zip(q, np.roll(q, -1, axis=0)):
            ok &= (b[0] - a[0]) * (yy - a[1]) - (b[1] - a[1]) * (xx - a[0]) >= 0
        return ok

    shrunk = centre + (quad - centre) * 0.85
    grown = centre + (quad - centre) * 1.25
    core = inside(shrunk)
    ring = inside(grown) & ~inside(centre + (quad - centre) * 1.08)
    assert core.sum() > 1000 and ring.sum() > 500
    assert luma[core].mean() < 90, "the box's interior is still the black box"
    assert luma[ring].mean() > luma[core].mean() + 60, "just outside the box is paper, not ink"


def test_unknown_preset_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="preset"):
        augment(_black_box_doc(), "watercolour", np.random.default_rng(0))


def test_quarter_turns_keep_quads_on_ink() -> None:
    hits = 0
    for seed in range(40):
        rng = np.random.default_rng(seed)
        out = augment(_black_box_doc(), "scan", rng)
        if out.height > out.width:  # turned a quarter
            hits += 1
            x0, y0 = out.lines[0].quad.min(axis=0).astype(int) + 8
            x1, y1 = out.lines[0].quad.max(axis=0).astype(int) - 8
            assert _luma(out.image)[y0:y1, x0:x1].mean() < 90
            break
    assert hits == 1


def test_digital_pdf_text_layer_sits_on_the_ground_truth_quads() -> None:
    spec = SPECS["bank-statement"]
    doc = render_document(spec)
    data = digital_pdf_bytes(doc)
    pdf = pdfium.PdfDocument(data)
    page = pdf[0]
    scale = doc.dpi / 72.0
    rendered = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))[: doc.height, : doc.width]
    assert abs(rendered.shape[0] - doc.height) <= 1 and abs(rendered.shape[1] - doc.width) <= 1
    assert np.abs(rendered.astype(int) - doc.image[: rendered.shape[0], : rendered.shape[1]].astype(int)).mean() < 8
    text = page.get_textpage()
    page_h = page.get_height()
    chars = [i for i in range(text.count_chars()) if not text.get_text_range(i, 1).isspace()]
    assert len(chars) > 300
    for i in chars:
        left, bottom, right, top = text.get_charbox(i)
        cx, cy = (left + right) / 2 * scale, (page_h - (bottom + top) / 2) * scale
        assert any(q[:, 0].min() <= cx <= q[:, 0].max() and q[:, 1].min() <= cy <= q[:, 1].max()
                   for q in (ln.quad for ln in doc.lines)), text.get_text_range(i, 1)
    full = text.get_text_range()
    for line in doc.lines:
        assert line.text in full.replace("\r\n", "\n") or line.text.replace(" ", "") in full.replace(" ", "")


def test_render_text_crop_is_a_tight_reproducible_line() -> None:
    a = render_text_crop("Müller-Lüdenscheidt", family="dejavu-serif", size=30, seed=3)
    b = render_text_crop("Müller-Lüdenscheidt", family="dejavu-serif", size=30, seed=3)
    assert np.array_equal(a.image, b.image)
    h, w = a.image.shape[:2]
    assert 30 <= h <= 70 and w > 6 * h
    assert _luma(a.image).min() < 110
    with pytest.raises(InputError):
        render_text_crop("two\nlines")


def test_long_values_shrink_to_fit_their_slot() -> None:
    r = random.Random(1)
    person = make_identity(r, AS_OF, locale="es_ES")
    person = replace(person, surname="Wolfeschlegelsteinhausenbergerdorff-Fernández de Córdoba")
    issued, expires = issue_and_expiry(r, person.date_of_birth, AS_OF, 10)
    spec = DocSpec("uto-id-td1-front", "id_card_front", person, document_number("uto-id-td1", r), issued, expires,
                   seed=4)
    doc = render_document(spec)
    _, _, x1, _ = doc.field_box("surname")
    assert x1 <= doc.width - 10


def test_canvas_right_alignment_ends_at_x() -> None:
    c = Canvas(300, 60)
    i = c.text(250, 10, "12.50 EUR", "liberation-sans", 20, align="right")
    assert abs(c.lines[i].quad[:, 0].max() - 250) <= 3


@pytest.mark.parametrize("template", ["bank-statement", "utility-bill"])
def test_a_long_name_in_a_letterhead_never_runs_into_the_next_column(template: str) -> None:
    spec = SPECS[template]
    person = replace(spec.person, given_names="Hannah Nora Noëlle Friederike",
                     surname="van Kuijc van Malsen-van Gastel-Adler-Grein")
    doc = render_document(replace(spec, person=person))
    nx0, ny0, nx1, ny1 = doc.field_box("full_name")
    for line in doc.lines:
        xs, ys = [p[0] for p in line.quad], [p[1] for p in line.quad]
        if line.field == "full_name":
            continue
        overlap_x = min(nx1, max(xs)) - max(nx0, min(xs))
        overlap_y = min(ny1, max(ys)) - max(ny0, min(ys))
        assert overlap_x <= 0 or overlap_y <= 0, line.text


def _overlapping(doc: RenderedDoc) -> list[tuple[str, str]]:
    """Pairs of printed lines whose boxes overlap (by more than 2 px across, 30% of the lower line's height)."""
    boxes = [(min(p[0] for p in ln.quad), min(p[1] for p in ln.quad), max(p[0] for p in ln.quad),
              max(p[1] for p in ln.quad), ln.text) for ln in doc.lines]
    out = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            across = min(a[2], b[2]) - max(a[0], b[0])
            down = min(a[3], b[3]) - max(a[1], b[1])
            if across > 2 and down > 0.3 * min(a[3] - a[1], b[3] - b[1]):
                out.append((a[4], b[4]))
    return out


@pytest.mark.parametrize("template", TEMPLATE_IDS)
def test_no_printed_line_runs_into_another(template: str) -> None:
    # three-language labels and long names are where columns used to collide
    for seed in range(8):
        doc = render_document(replace(SPECS[template], seed=seed))
        assert not _overlapping(doc), (seed, _overlapping(doc))
