"""The ``torch`` engine: the same PP-OCR graphs, converted to torch, on CUDA (fp16/bf16) or CPU.

It reuses the whole ``onnx`` engine pipeline (detection post-processing, width
buckets, batching across pages, CTC decoding, 0/180 classifier) and swaps only
what runs the three models: each ONNX graph is converted once with
:func:`kyc_ocr.ocr.convert.onnx_to_torch` and wrapped in :class:`TorchSession`,
which answers the small part of the ONNX Runtime session API the pipeline uses
(``get_inputs``, ``get_outputs``, ``get_modelmeta``, ``run``).

On CUDA the models run under autocast in ``precision`` (``"fp16"``,
``"bf16"`` or ``"fp32"``); on CPU always fp32. On CPU it gives the same text
as the ``onnx`` engine (tested) and is slower (FINDINGS: 1.5-2.2x); its point
is GPUs and the fine-tuning path.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from kyc_ocr.errors import ConfigError, EngineError
from kyc_ocr.ocr import runtime
from kyc_ocr.ocr.angle import LineFlipper
from kyc_ocr.ocr.onnx import OnnxEngine, _Sessions
from kyc_ocr.ocr.recognize import CtcRecognizer

log = logging.getLogger(__name__)

PRECISIONS = ("fp16", "bf16", "fp32")


def _torch() -> Any:
    try:
        import torch
    except ImportError as err:
        raise EngineError("the torch engine needs the [torch] extra: pip install 'kyc-ocr[torch]'") from err
    return torch


class TorchSession:
    """A converted ONNX graph behind the ONNX Runtime calls the engine makes."""

    def __init__(self, path: Path, device: str, precision: str, threads: int) -> None:
        import onnx

        from kyc_ocr.ocr.convert import onnx_to_torch

        torch = _torch()
        kind, index = runtime.parse_device(device)
        if kind == "cuda" and not torch.cuda.is_available():
            raise EngineError("device 'cuda' was requested but torch sees no CUDA GPU")
        if kind == "cpu":
            torch.set_num_threads(runtime.resolve_threads(threads))
        self.device = torch.device(f"cuda:{index}" if kind == "cuda" else "cpu")
        self.dtype = {"fp16": torch.float16, "bf16": torch.bfloat16, "fp32": torch.float32}[precision]
        self.autocast = kind == "cuda" and precision != "fp32"
        graph = onnx.load(str(path), load_external_data=False)
        self._input = graph.graph.input[0].name
        dims = graph.graph.output[0].type.tensor_type.shape.dim
        self._out_shape = [d.dim_value if d.HasField("dim_value") else d.dim_param for d in dims]
        self._meta = {p.key: p.value for p in graph.metadata_props}
        self.module = onnx_to_torch(path).eval().to(self.device)

    def get_inputs(self) -> list[Any]:
        return [SimpleNamespace(name=self._input)]

    def get_outputs(self) -> list[Any]:
        return [SimpleNamespace(shape=self._out_shape)]

    def get_modelmeta(self) -> Any:
        return SimpleNamespace(custom_metadata_map=self._meta)

    def run(self, _names: Any, feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        torch = _torch()
        x = torch.from_numpy(np.ascontiguousarray(feeds[self._input])).to(self.device, non_blocking=True)
        with torch.inference_mode(), torch.autocast(self.device.type, dtype=self.dtype, enabled=self.autocast):
            y = self.module(x)
        return [y.float().cpu().numpy()]


class TorchEngine(OnnxEngine):
    """PP-OCRv6 det/rec/cls as torch modules; same options as :class:`OnnxEngine` plus ``precision``."""

    name = "torch"

    def __init__(self, device: str = "cpu", threads: int = 0, rec_model: str | None = None, *,
                 precision: str = "fp16", **options: Any) -> None:
        if precision not in PRECISIONS:
            raise ConfigError(f"unknown precision {precision!r}; choose one of: {', '.join(PRECISIONS)}")
        self.precision = precision
        super().__init__(device, threads, rec_model, **options)

    def _load(self) -> _Sessions:
        import os

        def make(kind: str) -> TorchSession:
            return TorchSession(self._paths[kind], self.device, self.precision, self.threads)

        return _Sessions(os.getpid(), make("det"), CtcRecognizer(make("rec"), self.alphabet), LineFlipper(make("cls")))
