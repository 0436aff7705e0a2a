"""The default engine: PP-OCRv6 small detection + recognition on ONNX Runtime.

Our own pipeline around the models shipped in the rapidocr 3.10.0 wheel:
DB detection per page, crops warped upright, recognition of the crops of
*all* pages in one batched call (width buckets, see
:mod:`kyc_ocr.ocr.recognize`), CTC greedy decoding with per-character
confidences, and the 0/180 line classifier only where it can matter (see
:attr:`OnnxEngine.cls`).

Usage::

    from kyc_ocr.ocr import get
    engine = get("onnx")                      # loaded once per process
    pages = engine.read(page_images)          # -> list[Page]
    engine.recognize([crop])                  # -> [("TEXT", 0.97)]

Worker processes: each process loads its own sessions (``registry.get`` caches per process). Prefer
``spawn``/``forkserver`` pools. A ``fork`` child that inherited a loaded engine reloads its sessions on
first use (the parent's are kept, never destroyed, in the child); it must end with ``os._exit`` as
``multiprocessing`` workers do, because ONNX Runtime's exit handlers hang in a forked child.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kyc_ocr import timing
from kyc_ocr.domain import Page, PageImage, Quad, TextLine
from kyc_ocr.errors import ConfigError
from kyc_ocr.ocr import models, runtime
from kyc_ocr.ocr.angle import LineFlipper
from kyc_ocr.ocr.common import MIN_CONFIDENCE, check_crops, check_pages, pad_for_detection, page_rgb, text_layer_page
from kyc_ocr.ocr.detect import DbParams, boxes_from_map, crop_quad, det_input, det_size, reading_order
from kyc_ocr.ocr.recognize import CtcRecognizer, Recognition
from kyc_ocr.timing import stage

log = logging.getLogger(__name__)

CLS_MODES = ("auto", "always", "never")
_INHERITED: list[Any] = []  # sessions a forked child got from its parent; kept alive on purpose
AUTO_CLS_BELOW = 0.85  # in "auto" mode, lines read with less confidence are checked for 180 degrees


@dataclass
class _Sessions:
    """The three ONNX Runtime sessions of one process."""

    pid: int
    det: Any
    rec: CtcRecognizer
    cls: LineFlipper


class OnnxEngine:
    """PP-OCRv6 small det/rec (+ mobile 0/180 cls) on ONNX Runtime.

    ``device``: ``"cpu"``, ``"cuda"`` or ``"cuda:N"`` (needs onnxruntime-gpu).
    ``threads``: intra-op threads per session, 0 = all cores.
    ``rec_model``: path of a fine-tuned recogniser ONNX carrying its own
    ``character`` metadata, used instead of the shipped one.
    ``cls``: ``"auto"`` runs the line classifier only on lines read with low
    confidence and keeps a flipped reading only when it is more confident;
    ``"always"`` classifies every line first (PaddleOCR's behaviour);
    ``"never"`` skips it (pages already upright).
    ``alphabet``: which of the model's characters may be output: ``"latin"``
    (default; Latin-script documents, see :func:`~kyc_ocr.ocr.recognize.in_alphabet`),
    ``"all"``, or an explicit string of characters.
    """

    name = "onnx"

    def __init__(self, device: str = "cpu", threads: int = 0, rec_model: str | None = None, *,
                 cls: str = "auto", alphabet: str = "latin", det_params: DbParams | None = None) -> None:
        runtime.parse_device(device)
        if cls not in CLS_MODES:
            raise ConfigError(f"unknown cls mode {cls!r}; choose one of: {', '.join(CLS_MODES)}")
        self.device, self.threads, self.cls, self.alphabet = device, threads, cls, alphabet
        self.det_params = det_params or DbParams()
        self._paths = {"det": models.locate(models.DET), "cls": models.locate(models.CLS)}
        if rec_model:
            self._paths["rec"], rec_id = models.custom_model(rec_model, "recogniser")
        else:
            self._paths["rec"], rec_id = models.locate(models.REC), models.REC.id
        self._ids = (models.DET.id, models.CLS.id, rec_id)
        self._lock = threading.Lock()
        self._sessions = self._load()

    def _load(self) -> _Sessions:
        def make(kind: str) -> Any:
            return runtime.session(self._paths[kind], self.device, self.threads)

        return _Sessions(os.getpid(), make("det"), CtcRecognizer(make("rec"), self.alphabet), LineFlipper(make("cls")))

    def _current(self) -> _Sessions:
        """This process's sessions; a forked child loads its own instead of sharing the parent's."""
        sessions = self._sessions
        if sessions.pid != os.getpid():
            with self._lock:
                if self._sessions.pid != os.getpid():
                    log.debug("process %d forked from %d: reloading OCR sessions", os.getpid(), sessions.pid)
                    # never destroy the parent's sessions here: their destructor would wait for thread-pool
                    # threads that do not exist in a forked child, and hang
                    _INHERITED.append(self._sessions)
                    self._sessions = self._load()
                sessions = self._sessions
        return sessions

    @property
    def model_ids(self) -> tuple[str, ...]:
        return self._ids

    # -- detection ---------------------------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[Quad]:
        """Text-line quads of one RGB page, in reading order, in the page's pixels."""
        with stage("detection"):
            return self._detect(image)

    def _detect(self, image: np.ndarray) -> list[Quad]:
        sessions = self._current()
        padded, top = pad_for_detection(image)
        params = self.det_params
        size = det_size(padded.shape[0], padded.shape[1], min_side=params.min_side, max_side=params.max_side)
        tensor = det_input(padded, size)
        det_in = sessions.det.get_inputs()[0].name
        prob = sessions.det.run(None, {det_in: tensor})[0][0, 0]
        found = boxes_from_map(prob, padded.shape[:2], params)
        h = image.shape[0]
        quads: list[Quad] = []
        for quad, _score in found:
            shifted = tuple((x, min(max(y - top, 0.0), h - 1.0)) for x, y in quad)
            quads.append(shifted)  # type: ignore[arg-type]
        return [quads[i] for i in reading_order(quads)]

    # -- recognition -------------------------------------------------------------------------
    def _recognize(self, crops: list[np.ndarray]) -> list[Recognition]:
        with stage("recognition"):
            return self._recognize_crops(crops)

    def _recognize_crops(self, crops: list[np.ndarray]) -> list[Recognition]:
        sessions = self._current()
        if not crops:
            return []
        flips: list[bool] = []
        if self.cls == "always":
            flips = sessions.cls.upside_down(crops)
            crops = [np.ascontiguousarray(c[::-1, ::-1]) if f else c for c, f in zip(crops, flips)]
        results = sessions.rec(crops)
        if flips:
            results = [dataclasses.replace(r, turned=f) for r, f in zip(results, flips)]
        if self.cls == "auto":
            doubtful = [i for i, r in enumerate(results) if r.confidence < AUTO_CLS_BELOW]
            flips = sessions.cls.upside_down([crops[i] for i in doubtful]) if doubtful else []
            turned = [i for i, f in zip(doubtful, flips) if f]
            if turned:
                again = sessions.rec([np.ascontiguousarray(crops[i][::-1, ::-1]) for i in turned])
                for i, rec in zip(turned, again):
                    if rec.confidence > results[i].confidence:
                        results[i] = dataclasses.replace(rec, turned=True)
        return results

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """Text and confidence of each crop (one text line each), without detection."""
        return [(r.text, r.confidence) for r in self._recognize(check_crops(crops))]

    def line_log_probs(self, crops: Sequence[np.ndarray]) -> tuple[list[str], list[np.ndarray]]:
        """The recogniser's character set and, per line crop, its ``(frames, classes)`` log-probabilities:
        what :mod:`kyc_ocr.ocr.ctc` scores a hypothesis against (re-reading a field for the checks)."""
        rec = self._current().rec
        with stage("recognition"):
            return rec.charset, rec.log_probs(check_crops(crops))

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[bool]:
        """For each text-line crop, whether the 0/180 line classifier reads it as turned upside down.

        Preprocessing plugs this in as its orientation scorer
        (:func:`kyc_ocr.preprocess.scorer_from_line_classifier`).
        """
        return self._current().cls.upside_down(check_crops(crops))

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        """Detect and recognise the text of every page; crops of all pages are recognised together."""
        pages = check_pages(pages)
        quads: dict[int, list[Quad]] = {}
        crops: list[np.ndarray] = []
        owners: list[tuple[int, int]] = []
        with timing.stage("detection"):
            for p, page in enumerate(pages):
                if page.text_layer is not None:
                    continue
                image = page_rgb(page)
                quads[p] = self.detect(image)
                for q, quad in enumerate(quads[p]):
                    crops.append(crop_quad(image, quad))
                    owners.append((p, q))
        log.debug("%d pages, %d text lines to recognise", len(pages), len(crops))
        with timing.stage("recognition"):
            recs = dict(zip(owners, self._recognize(crops)))
        out = []
        for p, page in enumerate(pages):
            if page.text_layer is not None:
                out.append(text_layer_page(page, self.name))
                continue
            lines, turned = [], 0
            for q, quad in enumerate(quads[p]):
                rec = recs[(p, q)]
                if rec.text.strip() and rec.confidence >= MIN_CONFIDENCE:
                    lines.append(TextLine(rec.text, rec.confidence, quad, rec.char_confidences))
                    turned += rec.turned
            out.append(Page(page.source, page.page, page.width, page.height, tuple(lines),
                            engine=self.name, models=self._ids, turned_lines=turned))
        return out
