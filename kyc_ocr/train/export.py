"""Export a fine-tuned recogniser back to ONNX, verified against the torch model.

The exported graph has dynamic batch and width, ends with a Softmax (like the
shipped model, so the ``onnx`` engine decodes it unchanged) and carries its
dictionary in the ``character`` metadata key. A ``manifest.json`` beside it
records the base model and its sha256, the dictionary size, the training data
summary and the metrics.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from kyc_ocr.errors import EngineError
from kyc_ocr.ocr.models import sha256_file
from kyc_ocr.train.model import Recognizer


class _WithSoftmax:
    """Wraps the logits module so the exported graph outputs probabilities."""

    def __new__(cls, module: Any) -> Any:
        import torch

        class Probs(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, x: Any) -> Any:
                return self.inner(x).softmax(-1)

        return Probs(module)


def export_onnx(rec: Recognizer, path: Path, *, opset: int = 17) -> Path:
    """Write ``path`` (ONNX, dynamic batch/width, ``character`` metadata)."""
    import onnx
    import torch

    rec.module.eval()
    wrapped = _WithSoftmax(rec.module).eval()
    dummy = torch.zeros(1, 3, 48, 320)
    tmp = path.with_suffix(".tmp.onnx")
    torch.onnx.export(
        wrapped, (dummy,), str(tmp), dynamo=False, opset_version=opset, input_names=["x"], output_names=["probs"],
        dynamic_axes={"x": {0: "batch", 3: "width"}, "probs": {0: "batch", 1: "time"}},
    )
    model = onnx.load(str(tmp))
    entry = model.metadata_props.add()
    entry.key, entry.value = "character", "\n".join(rec.charset[1:-1])
    onnx.save(model, str(path))
    tmp.unlink()
    return path


def verify_export(rec: Recognizer, path: Path, images: np.ndarray, tol: float = 1e-3) -> float:
    """Max abs difference between ONNX Runtime and torch probabilities; raises above ``tol``."""
    import onnxruntime as ort  # type: ignore[import-untyped]
    import torch

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(None, {session.get_inputs()[0].name: images})[0]
    rec.module.eval()
    with torch.no_grad():
        want = rec.module(torch.from_numpy(images)).softmax(-1).numpy()
    diff = float(np.abs(got - want).max())
    if diff > tol or not np.array_equal(got.argmax(-1), want.argmax(-1)):
        raise EngineError(f"exported model differs from torch (max abs diff {diff:.2e})")
    return diff


def write_manifest(out_dir: Path, *, model_path: Path, base_path: Path, rec: Recognizer, data: dict[str, Any],
                   metrics: dict[str, Any], added_chars: list[str]) -> Path:
    manifest = {
        "model": model_path.name,
        "sha256": sha256_file(model_path),
        "base_model": base_path.name,
        "base_sha256": sha256_file(base_path),
        "classes": rec.num_classes,
        "added_characters": "".join(added_chars),
        "training_data": data,
        "metrics": metrics,
    }
    path = out_dir / "manifest.json"
    path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return path
