"""kyc-ocr: offline KYC document verification.

>>> from kyc_ocr import parse_mrz  # doctest: +SKIP
>>> parse_mrz("I<UTOD231458907<<<<<<<<<<<<<<<\\n7408122F1204159UTO<<<<<<<<<<<6\\nERIKSSON<<ANNA<MARIA<<<<<<<<<<").valid  # doctest: +SKIP
True

Heavy parts (OCR models, the database) load only when first used.
"""

from __future__ import annotations

import importlib
from typing import Any

from kyc_ocr.domain import (
    CheckResult,
    Decision,
    ExtractedDocument,
    Field,
    FieldSource,
    Page,
    PageImage,
    Status,
    TemplateMatch,
    TextLine,
    Verdict,
)
from kyc_ocr.errors import (
    ConfigError,
    EngineError,
    InputError,
    IntegrityError,
    KycError,
    MRZError,
    StoreError,
    TemplateError,
)

__version__ = "0.1.0"

_LAZY = {
    "Settings": "kyc_ocr.config",
    "Verifier": "kyc_ocr.verify",
    "verify_profile": "kyc_ocr.verify",
    "extract": "kyc_ocr.extract",
    "parse_mrz": "kyc_ocr.extract.mrz",
    "load": "kyc_ocr.io",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kyc_ocr' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


__all__ = [
    "CheckResult", "ConfigError", "Decision", "EngineError", "ExtractedDocument", "Field", "FieldSource",
    "InputError", "IntegrityError", "KycError", "MRZError", "Page", "PageImage", "Settings", "Status",
    "StoreError", "TemplateError", "TemplateMatch", "TextLine", "Verdict", "Verifier", "extract", "load",
    "parse_mrz", "verify_profile", "__version__",
]
