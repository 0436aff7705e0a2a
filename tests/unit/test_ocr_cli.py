"""`kyc-ocr ocr`: the JSON shape of the contract, the table, annotated pages, clear errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from kyc_ocr.cli import main
from kyc_ocr.errors import ExitCode

DATA = Path(__file__).parent.parent / "data" / "ocr"


@pytest.fixture
def replay_env(monkeypatch):
    monkeypatch.setenv("KYC_OCR_ENGINE", "replay")
    monkeypatch.setenv("KYC_OCR_OCR_RECORDINGS", str(DATA))


def _check_contract(out: dict, source: str) -> None:
    assert set(out) == {"pages"} and len(out["pages"]) == 1
    page = out["pages"][0]
    assert {"source", "page", "width", "height", "lines"} <= set(page)
    assert page["source"].endswith(source) and page["page"] == 1 and (page["width"], page["height"]) == (1000, 630)
    assert len(page["lines"]) >= 15
    for line in page["lines"]:
        assert {"text", "confidence", "quad"} <= set(line)
        assert isinstance(line["text"], str) and 0 < line["confidence"] <= 1
        assert len(line["quad"]) == 4 and all(len(p) == 2 for p in line["quad"])
        assert all(0 <= x <= 1000 and 0 <= y <= 630 for x, y in line["quad"])


def test_json_output_follows_the_contract(replay_env, capsys):
    assert main(["ocr", str(DATA / "card.png"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    _check_contract(out, "card.png")
    assert "GARCÍA LÓPEZ" in [ln["text"] for ln in out["pages"][0]["lines"]]


def test_table_and_annotated_pages(replay_env, capsys, tmp_path):
    second = tmp_path / "copy" / "card.png"
    second.parent.mkdir()
    shutil.copy(DATA / "card.png", second)
    out_png = tmp_path / "ann.png"
    assert main(["ocr", str(DATA / "card.png"), str(second), "--annotate", str(out_png)]) == 0
    printed = capsys.readouterr().out
    assert "GARCÍA LÓPEZ" in printed and "Document No." in printed
    for path in (out_png, tmp_path / "ann-p2.png"):
        with Image.open(path) as image:
            assert image.size == (1000, 630) and image.format == "PNG"
    original = Image.open(DATA / "card.png").convert("RGB")
    assert Image.open(out_png).convert("RGB").tobytes() != original.tobytes()  # something was drawn


def test_errors_map_to_exit_codes(replay_env, capsys, tmp_path):
    assert main(["ocr", str(tmp_path / "missing.png")]) == ExitCode.BAD_INPUT
    assert main(["ocr", str(DATA / "card.png"), "--engine", "nope"]) == ExitCode.CONFIG
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not an image at all")
    assert main(["ocr", str(junk)]) == ExitCode.BAD_INPUT
    assert main(["ocr", str(DATA / "card.png"), "--engine", "onnx", "--device", "tpu"]) == ExitCode.CONFIG
    assert "error" in capsys.readouterr().err


@pytest.mark.slow
def test_json_with_the_real_onnx_engine(capsys):
    assert main(["ocr", str(DATA / "card.png"), "--engine", "onnx", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    _check_contract(out, "card.png")
    assert out["pages"][0]["models"][0].startswith("PP-OCRv6_det_small@")
