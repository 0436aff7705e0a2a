"""OCR engines: detection + recognition behind one protocol, chosen by name."""

from kyc_ocr.ocr.base import Engine
from kyc_ocr.ocr.registry import available, create, get

__all__ = ["Engine", "available", "create", "get"]
