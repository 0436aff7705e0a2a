"""Upside-down text lines: the PP-OCR 0/180 degree line classifier.

Input is a crop scaled to height 48 and padded to width 192 (BGR, ``x/127.5 - 1``);
output is ``[p(0), p(180)]``. A line is turned when ``p(180)`` exceeds 0.9,
the threshold PaddleOCR and rapidocr use.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

log = logging.getLogger(__name__)

CLS_HEIGHT, CLS_WIDTH = 48, 192
THRESHOLD = 0.9
BATCH = 64


def cls_input(crop: np.ndarray) -> np.ndarray:
    """RGB ``uint8`` crop -> normalised BGR CHW float32 of 48 x 192 (aspect kept, right-padded)."""
    h, w = crop.shape[:2]
    resized_w = min(CLS_WIDTH, max(1, math.ceil(CLS_HEIGHT * w / max(h, 1))))
    resized = cv2.resize(crop, (resized_w, CLS_HEIGHT), interpolation=cv2.INTER_LINEAR)
    out = np.zeros((3, CLS_HEIGHT, CLS_WIDTH), dtype=np.float32)
    out[:, :, :resized_w] = resized[:, :, ::-1].transpose(2, 0, 1).astype(np.float32) * (1.0 / 127.5) - 1.0
    return out


class LineFlipper:
    """Says which crops are upside down."""

    def __init__(self, session: Any) -> None:
        self.session = session
        self.input_name = session.get_inputs()[0].name

    def upside_down(self, crops: Sequence[np.ndarray]) -> list[bool]:
        """``True`` for each crop the classifier reads as rotated by 180 degrees."""
        flags: list[bool] = []
        for start in range(0, len(crops), BATCH):
            batch = np.stack([cls_input(c) for c in crops[start : start + BATCH]])
            probs = self.session.run(None, {self.input_name: batch})[0]
            flags.extend(bool(p[1] > THRESHOLD and p[1] > p[0]) for p in probs)
        return flags
