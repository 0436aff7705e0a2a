"""Pure parts of the onnx engine: DB post-processing, reading order, width buckets, CTC decoding."""

from __future__ import annotations

import numpy as np
import pytest

from kyc_ocr.ocr.detect import DbParams, boxes_from_map, crop_quad, det_size, reading_order
from kyc_ocr.ocr.recognize import BUCKETS, HEIGHT, bucket_for, ctc_greedy, needed_width, plan_batches, rec_input


def test_db_map_gives_a_grown_box_around_each_blob():
    prob = np.zeros((100, 200), np.float32)
    prob[20:30, 40:140] = 0.9  # a 100 x 10 text line
    prob[60:70, 10:50] = 0.2  # below the binarisation threshold: no box
    found = boxes_from_map(prob, (200, 400), DbParams())  # the page is twice the map size
    assert len(found) == 1
    quad, score = found[0]
    assert 0.5 < score <= 0.9  # mean inside the box, which includes the blob's 0-valued rim
    xs, ys = [p[0] for p in quad], [p[1] for p in quad]
    # grown by area * 1.6 / perimeter (about 7 map pixels, 14 page pixels) on each side, then scaled x2
    assert 80 - 20 < min(xs) < 80 and 280 < max(xs) < 280 + 20
    assert 40 - 20 < min(ys) < 40 and 60 < max(ys) < 60 + 20


def test_db_post_processing_matches_rapidocr_reference():
    """Same boxes and scores as rapidocr's DBPostProcess (which uses pyclipper for unclip)."""
    utils = pytest.importorskip("rapidocr.ch_ppocr_det.utils")
    rng = np.random.default_rng(1)
    prob = np.zeros((160, 320), np.float32)
    for y, x0, x1 in [(10, 20, 200), (40, 30, 90), (40, 150, 300), (80, 10, 310), (120, 100, 140)]:
        prob[y : y + 12, x0:x1] = rng.uniform(0.6, 0.95)
    reference = utils.DBPostProcess(thresh=0.3, box_thresh=0.5, unclip_ratio=1.6, use_dilation=True)
    ref_boxes, ref_scores = reference(prob[None, None], (480, 960))
    ref_boxes, ref_scores = reference.filter_det_res(ref_boxes, ref_scores, 480, 960)
    ours = boxes_from_map(prob, (480, 960))
    assert len(ours) == len(ref_boxes) == 5
    key = lambda q: (round(q[0][1] / 10), q[0][0])
    ours = sorted(ours, key=lambda item: key(item[0]))
    ref = sorted(zip(ref_boxes.tolist(), ref_scores), key=lambda item: key(item[0]))
    for (quad, score), (ref_quad, ref_score) in zip(ours, ref):
        assert score == pytest.approx(ref_score, abs=1e-6)
        assert np.abs(np.array(quad) - np.array(ref_quad)).max() <= 4  # pyclipper rounds to integers


def test_low_mean_probability_boxes_are_dropped():
    prob = np.zeros((50, 50), np.float32)
    prob[10:20, 10:40] = 0.4  # above 0.3 (binarised) but mean below box_thresh 0.5
    assert boxes_from_map(prob, (50, 50)) == []


def test_det_size_is_a_multiple_of_32_and_keeps_aspect():
    for h, w in [(630, 1000), (180, 280), (3508, 2480), (40, 900)]:
        dh, dw = det_size(h, w)
        assert dh % 32 == 0 and dw % 32 == 0
        assert abs(dw / dh - w / h) / (w / h) < 0.1
        assert max(dh, dw) <= 2016 or min(dh, dw) <= 736


def test_reading_order_rows_then_columns():
    def box(x, y, h=20):
        return ((x, y), (x + 50, y), (x + 50, y + h), (x, y + h))

    quads = [box(300, 102), box(10, 100), box(10, 200), box(300, 5), box(10, 0)]
    assert reading_order(quads) == [4, 3, 1, 0, 2]


def test_crop_quad_turns_tall_text_upright():
    image = np.zeros((200, 100, 3), np.uint8)
    assert crop_quad(image, ((10, 10), (40, 10), (40, 150), (10, 150))).shape[:2] == (30, 140)


def test_buckets_keep_aspect_ratio_and_never_squash():
    assert needed_width(440, 44) == 480  # ratio 10 at height 48
    for width in range(1, 3000, 7):
        assert bucket_for(width) >= width
    assert bucket_for(1300) == 1600 and bucket_for(BUCKETS[-1]) == BUCKETS[-1]
    crop = np.full((30, 900, 3), 255, np.uint8)  # a 44-character MRZ line is about this shape
    tensor = rec_input(crop, bucket_for(needed_width(900, 30)))
    assert tensor.shape == (3, HEIGHT, 1600)  # 1440 wanted, past the widest bucket: next multiple of 320
    assert np.allclose(tensor[:, :, :1440], 1.0)  # the whole line, white, at full width
    assert np.all(tensor[:, :, 1440:] == 0.0)  # then padding


def test_plan_batches_uses_few_shapes_and_covers_every_crop():
    rng = np.random.default_rng(0)
    widths = [int(w) for w in rng.integers(20, 1280, 500)]
    batches = plan_batches(widths)
    assert sorted(i for _, members in batches for i in members) == list(range(500))
    assert len({w for w, _ in batches}) <= len(BUCKETS)
    for width, members in batches:
        assert all(widths[i] <= width for i in members)
        assert len(members) * width * HEIGHT <= 8 * HEIGHT * 640 or len(members) == 1


def test_ctc_greedy_collapses_repeats_and_keeps_doubled_letters():
    charset = ["<blank>", "L", "O", " "]
    path = [1, 1, 0, 2, 0, 2, 3, 0]  # L L _ O _ O space _ -> "LOO "
    probs = np.full((1, len(path), 4), 0.01, np.float32)
    for t, c in enumerate(path):
        probs[0, t, c] = 0.9 if t != 3 else 0.6
    rec = ctc_greedy(probs, charset)[0]
    assert rec.text == "LOO "
    assert rec.char_confidences == pytest.approx((0.9, 0.6, 0.9, 0.9))
    assert rec.confidence == pytest.approx(0.825)


def test_ctc_greedy_empty_line_has_zero_confidence():
    probs = np.zeros((2, 4, 3), np.float32)
    probs[:, :, 0] = 1.0
    assert [(r.text, r.confidence) for r in ctc_greedy(probs, ["<blank>", "a", "b"])] == [("", 0.0), ("", 0.0)]
