"""Tesseract 5 through tesserocr, with Debian's English tessdata.

Fast and accurate on clean, high-contrast scans; weak on photos and noise.
Lines come from Tesseract's own layout analysis (``RIL.TEXTLINE``) with its
0-100 confidences scaled to 0-1. ``OMP_THREAD_LIMIT=1`` is set before the
library loads: with OpenMP, Tesseract oversubscribes small machines (7x
slower on 2 cores). A Tesseract handle is not thread-safe, so calls on one
engine are serialised.

Install: ``pip install tesserocr`` and ``apt-get install tesseract-ocr tesseract-ocr-eng``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from kyc_ocr.domain import Page, PageImage, TextLine, quad_from_box
from kyc_ocr.errors import EngineError
from kyc_ocr.ocr import models, runtime
from kyc_ocr.ocr.common import MIN_CONFIDENCE, check_crops, check_pages, page_rgb, text_layer_page

log = logging.getLogger(__name__)

TESSDATA_DIRS = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                 "/usr/share/tessdata")


def find_tessdata(lang: str, env: str | None = None) -> Path:
    """The tessdata folder holding ``<lang>.traineddata`` (``TESSDATA_PREFIX`` first)."""
    candidates = [env] if env else []
    candidates += list(TESSDATA_DIRS)
    for folder in candidates:
        if (Path(folder) / f"{lang}.traineddata").is_file():
            return Path(folder)
    raise EngineError(f"Tesseract language data {lang}.traineddata not found in {', '.join(candidates)}; "
                      f"install it: apt-get install tesseract-ocr-{lang}")


class TesseractEngine:
    """Tesseract LSTM recognition with its own page layout analysis."""

    name = "tesseract"

    def __init__(self, device: str = "cpu", threads: int = 0, rec_model: str | None = None, *,
                 lang: str = "eng") -> None:
        if runtime.parse_device(device)[0] != "cpu":
            raise EngineError("the tesseract engine runs on CPU only; use --device cpu")
        if rec_model:
            raise EngineError("the tesseract engine takes no rec_model; use the onnx engine")
        os.environ.setdefault("OMP_THREAD_LIMIT", "1")
        try:
            import tesserocr  # type: ignore[import-untyped]
        except ImportError as err:
            raise EngineError("the tesseract engine needs tesserocr: pip install tesserocr") from err
        self._tess = tesserocr
        self.tessdata = find_tessdata(lang, os.environ.get("TESSDATA_PREFIX"))
        self._lock = threading.Lock()
        try:
            self._api = tesserocr.PyTessBaseAPI(path=str(self.tessdata), lang=lang, psm=tesserocr.PSM.AUTO,
                                                oem=tesserocr.OEM.LSTM_ONLY)
        except RuntimeError as err:
            raise EngineError(f"Tesseract could not start with {self.tessdata}/{lang}.traineddata: {err}") from err
        data = self.tessdata / f"{lang}.traineddata"
        self._ids = (models.model_id(f"tesseract-{tesserocr.tesseract_version().split()[1]}-{lang}",
                                     models.sha256_file(data)),)
        del threads  # Tesseract runs single-threaded here (OMP_THREAD_LIMIT=1)

    @property
    def model_ids(self) -> tuple[str, ...]:
        return self._ids

    def _lines(self, image: np.ndarray) -> list[TextLine]:
        ril = self._tess.RIL.TEXTLINE
        api: Any = self._api
        api.SetPageSegMode(self._tess.PSM.AUTO)
        api.SetImage(Image.fromarray(image))
        api.Recognize()
        found: list[TextLine] = []
        iterator = api.GetIterator()
        if iterator is None:
            return found
        while True:
            text = (iterator.GetUTF8Text(ril) or "").strip()
            box = iterator.BoundingBox(ril)
            confidence = iterator.Confidence(ril) / 100.0
            if text and box and confidence >= MIN_CONFIDENCE:
                found.append(TextLine(text, min(confidence, 1.0), quad_from_box(box)))
            if not iterator.Next(ril):
                break
        return found

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        """Layout analysis + recognition per page; one :class:`Page` per input page."""
        out = []
        for page in check_pages(pages):
            if page.text_layer is not None:
                out.append(text_layer_page(page, self.name))
                continue
            with self._lock:
                lines = self._lines(page_rgb(page))
            out.append(Page(page.source, page.page, page.width, page.height, tuple(lines),
                            engine=self.name, models=self._ids))
        return out

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Each crop read as a single text line (``PSM.SINGLE_LINE``)."""
        results = []
        with self._lock:
            api: Any = self._api
            api.SetPageSegMode(self._tess.PSM.SINGLE_LINE)
            for crop in check_crops(crops):
                api.SetImage(Image.fromarray(crop))
                text = (api.GetUTF8Text() or "").strip()
                results.append((text, max(0.0, api.MeanTextConf()) / 100.0 if text else 0.0))
        return results
