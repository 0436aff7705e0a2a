"""Fine-tuning: conversion fidelity, loss falls, export round-trips, resume, charset extension."""

from __future__ import annotations

import importlib.util
import random

import numpy as np
import pytest

torch = pytest.importorskip("torch")
if importlib.util.find_spec("onnx2torch") is None:
    pytest.skip("onnx2torch is not installed (pip install --no-deps onnx2torch)", allow_module_level=True)
ort = pytest.importorskip("onnxruntime")

from kyc_ocr.ocr import models  # noqa: E402
from kyc_ocr.ocr.convert import onnx_to_torch  # noqa: E402
from kyc_ocr.ocr.recognize import ctc_greedy  # noqa: E402
from kyc_ocr.synth.crops import render_text_crop  # noqa: E402
from kyc_ocr.train.data import Crop, CropSet, batch_tensor, encode_targets  # noqa: E402
from kyc_ocr.train.export import export_onnx, verify_export  # noqa: E402
from kyc_ocr.train.loop import Stage, TrainConfig, Trainer, ctc_step  # noqa: E402
from kyc_ocr.train.model import extend_charset, load_recognizer  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", autouse=True)
def _threads():
    torch.set_num_threads(2)


@pytest.mark.parametrize(("spec", "shape"), [(models.REC, (2, 3, 48, 320)), (models.DET, (1, 3, 256, 320)),
                                               (models.CLS, (2, 3, 48, 192))])
def test_converted_graph_matches_onnxruntime(spec, shape):
    path = models.locate(spec)
    module = onnx_to_torch(path).eval()
    x = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    want = session.run(None, {session.get_inputs()[0].name: x})[0]
    with torch.no_grad():
        got = module(torch.from_numpy(x)).numpy()
    assert got.shape == want.shape
    assert float(np.abs(got - want).max()) < 1e-3
    if spec is not models.DET:
        assert np.array_equal(got.argmax(-1), want.argmax(-1))


def _crops(texts, seed=0):
    return [Crop(render_text_crop(t, family="dejavu-sans", size=32, seed=seed + i, augment=False, guilloche=False).image,
                 t, "name") for i, t in enumerate(texts)]


def test_untrained_recogniser_reads_rendered_text():
    rec = load_recognizer(models.locate(models.REC))
    crops = _crops(["ERIKSSON", "12.08.1974", "L898902C3"])
    with torch.no_grad():
        probs = rec.module.eval()(torch.from_numpy(batch_tensor([c.image for c in crops]))).softmax(-1).numpy()
    assert [r.text for r in ctc_greedy(probs, rec.charset)] == ["ERIKSSON", "12.08.1974", "L898902C3"]


def test_extending_the_charset_keeps_old_classes_and_loss_falls():
    rec = load_recognizer(models.locate(models.REC))
    x = torch.from_numpy(batch_tensor([c.image for c in _crops(["ANNA"])]))
    with torch.no_grad():
        old = rec.module.eval()(x)
    added = extend_charset(rec, "ЖЯБАРОЕ")  # Cyrillic: absent from the PP-OCRv6 dictionary
    assert added == list("ЖЯБАРОЕ") and rec.charset[-8:] == [*added, " "]
    with torch.no_grad():
        new = rec.module.eval()(x)
    assert new.shape[-1] == old.shape[-1] + 7
    assert torch.allclose(new[..., : old.shape[-1] - 1], old[..., :-1], atol=1e-5)  # old classes unchanged
    assert torch.allclose(new[..., -1], old[..., -1], atol=1e-5)  # the space class stays last
    # Text with the new letters: the model cannot read it yet, so the CTC loss starts high and must fall.
    crops = _crops(["ЖАБА", "ЯРО", "БОЖЕ", "ЖЯБ"], seed=1)
    images = batch_tensor([c.image for c in crops])
    opt = torch.optim.AdamW(rec.module.parameters(), lr=1e-4)
    losses = [ctc_step(rec, opt, images, [c.text for c in crops], 5.0, "cpu") for _ in range(8)]
    assert losses[-1] < 0.6 * losses[0], losses


def test_export_round_trips_with_dynamic_width(tmp_path):
    rec = load_recognizer(models.locate(models.REC))
    extend_charset(rec, "Ж")
    path = export_onnx(rec, tmp_path / "rec.onnx")
    for texts in (["SHORT"], ["A MUCH LONGER LINE OF TEXT TO READ", "X"]):
        images = batch_tensor([c.image for c in _crops(texts)])
        assert verify_export(rec, path, images) < 1e-3
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    meta = session.get_modelmeta().custom_metadata_map["character"].split("\n")
    assert meta == rec.charset[1:-1] and meta[-1] == "Ж"


def test_encode_targets_rejects_unknown_characters():
    from kyc_ocr.errors import InputError

    with pytest.raises(InputError):
        encode_targets(["Ж"], ["<blank>", "A", " "])


def test_trainer_resumes_where_it_stopped(tmp_path):
    rec = load_recognizer(models.locate(models.REC))
    heldout = {"heldout": CropSet.rendered(random.Random(5), 4, kinds=["name"])}
    cfg = TrainConfig(stages=[Stage(1, 1e-5), Stage(1, 1e-5)], batch_size=2, patience=5, warmup_steps=1)
    first = Trainer(rec, CropSet(), heldout, cfg, tmp_path)
    first.cfg.stages = cfg.stages[:1]  # stop after the first stage, as a kill would
    first.run()
    assert (tmp_path / "state.pt").exists() and first.step == 1

    again = Trainer(load_recognizer(models.locate(models.REC)), CropSet(), heldout,
                    TrainConfig(stages=[Stage(1, 1e-5), Stage(1, 1e-5)], batch_size=2, patience=5), tmp_path)
    assert again.resume()
    assert again.step == 1 and again.stage_index == 1 and len(again.history) == 1
    for name, p in first.rec.module.state_dict().items():
        assert torch.equal(p, again.rec.module.state_dict()[name])
    history = again.run()
    assert again.step == 2 and len(history) == 2


def test_document_lines_are_cut_from_augmented_training_documents():
    from kyc_ocr.train.doc_crops import document_lines, is_mrz

    crops = document_lines(random.Random(2))
    assert len(crops) > 20
    for crop in crops:
        h, w = crop.image.shape[:2]
        assert crop.text.strip() and w > h  # horizontal lines, never the engine's "vertical text" turn
        assert (crop.kind == "mrz") == is_mrz(crop.text)
