"""Weights are found in the installed wheel and verified; bad names and devices fail clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kyc_ocr.config import Settings
from kyc_ocr.errors import ConfigError, EngineError
from kyc_ocr.ocr import models, registry


@pytest.fixture
def fake_package(tmp_path, monkeypatch):
    """A copy of rapidocr's models folder that ``models.package_dir`` returns instead of the real one."""
    real = models.package_dir("rapidocr")
    (tmp_path / "models").mkdir()
    for spec in (models.DET, models.REC, models.CLS):
        shutil.copy(real / spec.relpath, tmp_path / spec.relpath)
    monkeypatch.setattr(models, "package_dir", lambda package: tmp_path)
    return tmp_path


def test_shipped_weights_verify_and_have_ids():
    for spec in (models.DET, models.REC, models.CLS):
        path = models.locate(spec)
        assert path.is_file() and path.parent.name == "models"
        assert models.sha256_file(path) == spec.sha256
        assert spec.id == f"{spec.name}@{spec.sha256[:12]}"


def test_tampered_weights_raise_engine_error(fake_package):
    path = fake_package / models.REC.relpath
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    models.locate(models.DET)  # the untouched copies still verify
    expected = r"PP-OCRv6_rec_small .*sha256.*pip install --force-reinstall rapidocr==3\.10\.0"
    with pytest.raises(EngineError, match=expected):
        models.locate(models.REC)
    with pytest.raises(EngineError, match="PP-OCRv6_rec_small"):
        registry.create("onnx", threads=1)


def test_missing_weights_name_the_package(fake_package):
    (fake_package / models.DET.relpath).unlink()
    with pytest.raises(EngineError, match=r"not found.*pip install rapidocr==3\.10\.0"):
        registry.create("onnx", threads=1)


def test_missing_package_names_it(monkeypatch):
    monkeypatch.setattr(models.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EngineError, match=r"'rapidocr' is not installed.*pip install rapidocr==3\.10\.0"):
        models.locate(models.DET)


def test_custom_recogniser_is_hashed_into_its_id(tmp_path):
    copy = tmp_path / "my_rec.onnx"
    shutil.copy(models.locate(models.REC), copy)
    path, model_id = models.custom_model(copy, "recogniser")
    assert path == copy and model_id == f"my_rec@{models.REC.sha256[:12]}"
    with pytest.raises(EngineError, match="not found"):
        models.custom_model(tmp_path / "nope.onnx", "recogniser")


def test_unknown_engine_and_device():
    with pytest.raises(ConfigError, match="unknown OCR engine 'easyocr'"):
        registry.get("easyocr")
    with pytest.raises(ConfigError, match="unknown device"):
        registry.create("onnx", device="gpu0")
    with pytest.raises(ConfigError, match="cls mode"):
        registry.create("onnx", cls="sometimes")


def test_cuda_without_onnxruntime_gpu_is_a_clear_error():
    ort = pytest.importorskip("onnxruntime")
    if "CUDAExecutionProvider" in ort.get_available_providers():
        pytest.skip("onnxruntime-gpu is installed here")
    with pytest.raises(EngineError, match="onnxruntime-gpu"):
        registry.create("onnx", device="cuda")


def test_from_settings_builds_the_named_engine(tmp_path):
    with pytest.raises(ConfigError, match="KYC_OCR_OCR_RECORDINGS"):
        registry.from_settings(Settings(engine="replay"))
    engine = registry.from_settings(Settings(engine="replay", ocr_recordings=Path(tmp_path)))
    assert engine.name == "replay"
    assert registry.from_settings(Settings(engine="replay", ocr_recordings=Path(tmp_path))) is engine
