"""The onnx engine on rendered text: what it reads, where, how confidently, and how it batches."""

from __future__ import annotations

import re

import numpy as np
import pytest

from kyc_ocr.domain import PageImage, TextLine, quad_from_box
from kyc_ocr.errors import InputError
from kyc_ocr.ocr.recognize import BUCKETS, OVERSIZE_STEP
from kyc_ocr.ocr.registry import get
from kyc_ocr.ocr.specimen import Placed, id_card, render, text_errors, text_line

pytestmark = pytest.mark.slow

MRZ_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"


@pytest.fixture(scope="module")
def engine():
    return get("onnx", threads=2)


@pytest.fixture(scope="module")
def cards():
    return [id_card(seed) for seed in (1, 2)]


@pytest.fixture(scope="module")
def read_together(engine, cards):
    pages = [PageImage(card.image, f"card{i}.png", page=1) for i, card in enumerate(cards)]
    return engine.read(pages)


class RunSpy:
    """Wraps an ONNX Runtime session and records the input shape of every run."""

    def __init__(self, session):
        self.session, self.shapes = session, []

    def run(self, outputs, feeds):
        self.shapes.extend(tuple(v.shape) for v in feeds.values())
        return self.session.run(outputs, feeds)

    def __getattr__(self, name):
        return getattr(self.session, name)


def test_reads_what_was_rendered(read_together, cards):
    for page, card in zip(read_together, cards):
        edits, chars = text_errors(page.lines, card.lines)
        assert edits / chars <= 0.02, (edits, chars, page.text)
        # the visual zone (DejaVu) must be exact; only the OCR-B MRZ may show O/0 confusions
        visual = {ln.text for ln in card.lines if "<" not in ln.text}
        assert visual <= {ln.text for ln in page.lines}


def test_quads_lie_around_the_rendered_text(read_together, cards):
    for page, card in zip(read_together, cards):
        for truth in card.lines:
            x0, y0, x1, y1 = truth.bbox
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            holders = [ln for ln in page.lines if ln.bbox[0] <= cx <= ln.bbox[2] and ln.bbox[1] <= cy <= ln.bbox[3]]
            assert len(holders) == 1, truth.text
            bx0, by0, bx1, by1 = holders[0].bbox
            # the found box covers the ink and is no more than a line height bigger on any side
            slack = (y1 - y0) * 1.2
            assert bx0 <= x0 + 2 and by0 <= y0 + 2 and bx1 >= x1 - 2 and by1 >= y1 - 2, truth.text
            assert x0 - bx0 < slack and y0 - by0 < slack and bx1 - x1 < slack and by1 - y1 < slack, truth.text


def test_confidences_and_model_ids(read_together):
    page = read_together[0]
    assert page.engine == "onnx"
    assert [m.split("@")[0] for m in page.models] == [
        "PP-OCRv6_det_small", "ch_ppocr_mobile_v2.0_cls_mobile", "PP-OCRv6_rec_small"]
    assert all(re.fullmatch(r"[0-9a-f]{12}", m.split("@")[1]) for m in page.models)
    for line in page.lines:
        assert 0.0 < line.confidence <= 1.0
        assert line.char_confidences is not None and len(line.char_confidences) == len(line.text)
        assert all(0.0 < c <= 1.0 for c in line.char_confidences)
        assert line.confidence == pytest.approx(np.mean(line.char_confidences), abs=1e-4)


def test_batching_across_pages_reads_the_same_as_one_by_one(engine, cards, read_together):
    for i, card in enumerate(cards):
        alone = engine.read([PageImage(card.image, f"card{i}.png")])[0]
        assert [ln.text for ln in alone.lines] == [ln.text for ln in read_together[i].lines]
        assert [ln.confidence for ln in alone.lines] == pytest.approx(
            [ln.confidence for ln in read_together[i].lines], abs=1e-4)


def test_recognition_uses_few_fixed_widths_and_keeps_long_lines_wide(engine, monkeypatch):
    crops = [text_line(t) for t in ("M", "Surname", "12.03.1987", "Place of birth / Lieu de naissance")]
    crops.append(text_line(MRZ_TD3, "ocrb", 30))
    crops = crops * 6  # 30 crops in one call
    spy = RunSpy(engine._sessions.rec.session)
    monkeypatch.setattr(engine._sessions.rec, "session", spy)
    results = engine.recognize(crops)
    widths = {shape[3] for shape in spy.shapes}
    assert all(w in BUCKETS or w % OVERSIZE_STEP == 0 for w in widths)
    assert len(widths) <= 5 and len(spy.shapes) <= 8  # 30 crops, a handful of runs
    assert all(shape[2] == 48 for shape in spy.shapes)
    mrz_width = 48 * crops[4].shape[1] / crops[4].shape[0]
    assert max(widths) >= mrz_width  # the MRZ line is never squashed
    text, confidence = results[4]
    assert 0.5 < confidence <= 1.0
    assert len(text) == 44 and text.count("<") == MRZ_TD3.count("<")
    assert text.replace("0", "O") == MRZ_TD3
    assert results[:5] == results[5:10]


def test_recognize_reads_crops_and_turns_upside_down_lines(engine):
    line = text_line("Date of expiry 2031-07-14", size=34)
    results = engine.recognize([line, np.ascontiguousarray(line[::-1, ::-1])])
    assert [text for text, _ in results] == ["Date of expiry 2031-07-14"] * 2
    assert all(0.8 < conf <= 1.0 for _, conf in results)
    # the engine says which lines it read turned (extraction turns a page most of whose lines were)
    assert [r.turned for r in engine._recognize([line, np.ascontiguousarray(line[::-1, ::-1])])] == [False, True]


def test_text_layer_pages_are_not_ocred(engine, monkeypatch):
    layer = (TextLine("Statement date 2024-01-31", 1.0, quad_from_box((10, 10, 300, 30))),)
    spy = RunSpy(engine._sessions.det)
    monkeypatch.setattr(engine._sessions, "det", spy)
    page = engine.read([PageImage(np.full((100, 400, 3), 255, np.uint8), "bill.pdf", 2, text_layer=layer)])[0]
    assert page.engine == "onnx+text_layer" and page.lines == layer and page.page == 2
    assert spy.shapes == []


def test_blank_page_and_a_single_line_image(engine):
    blank = engine.read([PageImage(np.full((300, 500, 3), 255, np.uint8), "blank.png")])[0]
    assert blank.lines == ()
    line = render([Placed("INVOICE 2024-0042", 4, 4, "sans", 30)], (330, 44))
    page = engine.read([PageImage(line.image, "line.png")])[0]
    assert [ln.text for ln in page.lines] == ["INVOICE 2024-0042"]
    assert all(0 <= y <= 44 for ln in page.lines for _, y in ln.quad)


def test_bad_crops_raise_input_error(engine):
    with pytest.raises(InputError):
        engine.recognize([np.zeros((0, 10, 3), np.uint8)])
    with pytest.raises(InputError):
        engine.recognize([np.zeros((10, 10, 3), np.float32)])


def _texts_in_child(image: np.ndarray) -> tuple[int, list[str]]:
    import os

    page = get("onnx", threads=2).read([PageImage(image, "child.png")])[0]  # the parent's cached engine
    return os.getpid(), [ln.text for ln in page.lines]


def test_forked_worker_processes_load_their_own_sessions(engine, cards, read_together):
    import multiprocessing
    import os

    with multiprocessing.get_context("fork").Pool(1) as pool:
        pid, texts = pool.apply(_texts_in_child, (cards[0].image,))
    assert pid != os.getpid()
    assert texts == [ln.text for ln in read_together[0].lines]
    assert engine._sessions.pid == os.getpid()  # the parent's sessions were not replaced
