"""The replay engine serves recorded pages and crops; the recorder writes what it serves."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kyc_ocr.domain import PageImage
from kyc_ocr.errors import ConfigError, EngineError
from kyc_ocr.ocr.registry import get
from kyc_ocr.ocr.replay import Recorder, ReplayEngine, crop_key, page_record
from kyc_ocr.ocr.specimen import Placed, render

DATA = Path(__file__).parent.parent / "data" / "ocr"


@pytest.fixture(scope="module")
def card() -> PageImage:
    data = (DATA / "card.png").read_bytes()
    image = np.asarray(Image.open(DATA / "card.png").convert("RGB"))
    return PageImage(image, "customer-7/id-front.png", 1, hashlib.sha256(data).hexdigest())


def test_pages_are_matched_by_sha256_then_by_file_name(card):
    engine = ReplayEngine(recordings=DATA)
    page = engine.read([card])[0]
    recorded = json.loads((DATA / "card.png.ocr.json").read_text())["pages"][0]
    assert page.source == "customer-7/id-front.png" and page.engine == "replay"
    assert [ln.text for ln in page.lines] == [ln["text"] for ln in recorded["lines"]]
    assert page.lines[3].char_confidences is not None
    by_name = PageImage(card.image, "elsewhere/card.png", 1)  # no sha256: the file name decides
    assert engine.read([by_name])[0].lines == page.lines


def test_unrecorded_pages_and_crops_are_engine_errors(card):
    engine = ReplayEngine(recordings=DATA)
    with pytest.raises(EngineError, match="no recorded OCR for other.png page 1"):
        engine.read([PageImage(card.image, "other.png")])
    with pytest.raises(EngineError, match="page 2"):
        engine.read([PageImage(card.image, "card.png", 2)])
    with pytest.raises(EngineError, match="made on a 1000x630 image"):
        engine.read([PageImage(card.image[:300], "card.png", 1)])
    with pytest.raises(EngineError, match="crop 0 .* was not recorded"):
        engine.recognize([card.image[0:40, 0:200]])


def test_recorded_crops_are_answered(card):
    engine = ReplayEngine(recordings=DATA)
    surname = card.image[118:162, 320:700]
    mrz = card.image[462:514, 50:820]
    assert [t for t, _ in engine.recognize([mrz, surname])] == ["I<UT027KFEB2VD3<<<<<<<<<<<<<<<", "GARCÍA LÓPEZ"]


def test_bad_recordings_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="needs recordings"):
        ReplayEngine()
    with pytest.raises(ConfigError, match="not found"):
        ReplayEngine(recordings=tmp_path / "missing")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(ConfigError, match="broken.json"):
        ReplayEngine(recordings=tmp_path)


def test_crop_key_depends_on_pixels_and_shape():
    a = np.zeros((4, 6, 3), np.uint8)
    assert crop_key(a) == crop_key(a.copy())
    assert crop_key(a) != crop_key(np.zeros((6, 4, 3), np.uint8))
    b = a.copy()
    b[0, 0, 0] = 1
    assert crop_key(a) != crop_key(b)


@pytest.mark.slow
def test_record_then_replay_round_trip(tmp_path):
    spec = render([Placed("Account number", 20, 20), Placed("GB29 NWBK 6016 1331 9268 19", 20, 70, "mono", 28)],
                  (640, 120))
    page = PageImage(spec.image, "statement.png", 1, "ab" * 32)
    crop = spec.image[60:110, 10:600]
    recorder = Recorder(get("onnx", threads=2), tmp_path)
    live, live_crop = recorder.read([page])[0], recorder.recognize([crop])
    assert [ln.text for ln in live.lines] == ["Account number", "GB29 NWBK 6016 1331 9268 19"]
    replay = ReplayEngine(recordings=tmp_path)
    again = replay.read([page])[0]
    assert [(ln.text, ln.quad) for ln in again.lines] == [(ln.text, ln.quad) for ln in live.lines]
    assert [ln.confidence for ln in again.lines] == pytest.approx([ln.confidence for ln in live.lines], abs=1e-4)
    assert again.models == live.models
    assert replay.recognize([crop]) == [(t, pytest.approx(c, abs=1e-4)) for t, c in live_crop]
    # a dict works as well as a folder
    assert ReplayEngine(recordings={"pages": [page_record(live, page.sha256)]}).read([page])[0].lines == again.lines
