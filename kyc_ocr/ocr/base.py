"""The OCR engine protocol every engine implements.

An engine does two things:

* ``read(pages)`` — text detection then recognition on whole pages, returning
  one :class:`~kyc_ocr.domain.Page` per input page;
* ``recognize(crops)`` — recognition only, one ``(text, confidence)`` per crop
  (RGB ``uint8`` arrays, each one line of text). Extraction uses it to read
  template zones without running detection.

Engines are created through :mod:`kyc_ocr.ocr.registry` and are meant to be
loaded once per process and reused.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from kyc_ocr.domain import Page, PageImage


@runtime_checkable
class Engine(Protocol):
    name: str

    def read(self, pages: Sequence[PageImage]) -> list[Page]: ...

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]: ...

    @property
    def model_ids(self) -> tuple[str, ...]: ...
