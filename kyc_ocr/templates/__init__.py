"""Document templates: versioned YAML validated on load.

Templates ship as package data in ``kyc_ocr/templates/builtin/`` (one file per
layout id of ``docs/DATASET.md`` plus ``generic-mrz`` and ``generic-id``);
users add their own folders with ``Settings.templates_dirs``
(``KYC_OCR_TEMPLATES_DIRS``). See :mod:`kyc_ocr.templates.schema` for the format.
"""

from __future__ import annotations

from kyc_ocr.templates.loader import (
    BUILTIN_DIR,
    TemplateSet,
    builtin_templates,
    load_template_file,
    load_template_text,
    load_templates,
)
from kyc_ocr.templates.schema import FieldSpec, LabelLocator, Locator, MatchSpec, Template, ZoneLocator

__all__ = [
    "BUILTIN_DIR", "FieldSpec", "LabelLocator", "Locator", "MatchSpec", "Template", "TemplateSet", "ZoneLocator",
    "builtin_templates", "load_template_file", "load_template_text", "load_templates",
]
