"""Shared vocabulary of the checks: check names, document kinds, evidence builders.

Evidence is what a compliance officer needs to verify a result by eye: which
document (file name and the first 12 hex digits of its SHA-256), which field,
its value, page and box, and the thresholds applied. Everything in it is plain
JSON (str, int, float, bool, list, dict) so verdicts can be stored as they are.

>>> doc_ref(ExtractedDocument("passport.png", "ab" * 32, "image/png", "passport", None, {}))
{'source': 'passport.png', 'sha256': 'abababababab', 'document_type': 'passport'}
>>> parse_iso("2026-02-30") is None, parse_iso("2026-06-30")
(True, datetime.date(2026, 6, 30))
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kyc_ocr.domain import CheckResult, DocumentLookup, ExtractedDocument, Field, FieldRereader, Status

if TYPE_CHECKING:
    from kyc_ocr.checks.policy import Policy

# The order results come out in; the synthetic generator labels its faults with these names.
CHECK_NAMES: tuple[str, ...] = (
    "required_fields",
    "identity_document_present",
    "mrz_check_digits",
    "mrz_matches_visual",
    "barcode_matches_visual",
    "document_number_format",
    "document_not_expired",
    "issue_before_expiry",
    "minimum_age",
    "impossible_dates",
    "specimen_text",
    "same_person",
    "same_date_of_birth",
    "document_number_matches_form",
    "address_matches_proof",
    "proof_of_address_recent",
    "nationality_consistent",
    "sex_consistent",
    "document_reused",
)

IDENTITY_TYPES = frozenset({"passport", "id_card", "driver_license", "residence_permit", "visa"})
PROOF_OF_ADDRESS_TYPES = frozenset({"utility_bill", "bank_statement"})
PROOF_DATE_FIELDS = ("statement_date", "date_of_issue", "bill_date", "issue_date")  # a proof of address's date
FORM_TYPES = frozenset({"application_form"})
FORM_NUMBER_FIELDS = ("id_document_number", "document_number")  # where a form gives the ID number
FULL_NAME_FIELDS = ("full_name", "name", "account_holder", "holder_name", "customer_name")  # one-line names


@dataclass(frozen=True)
class CheckContext:
    """What every check may consult besides the documents."""

    policy: Policy
    as_of: dt.date
    number_patterns: Mapping[str, str] = field(default_factory=dict)
    lookup: DocumentLookup | None = None
    customer_id: str | None = None
    reread: FieldRereader | None = None  # measured re-reads of fields' pixels (kyc_ocr.checks.reread)
    # printed fields re-read as their card's MRZ/barcode value, by (sha256, field name) (kyc_ocr.checks.machine)
    settled: Mapping[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def doc_ref(doc: ExtractedDocument) -> dict[str, Any]:
    """Which document: file name, short SHA-256, type and template (when matched)."""
    ref: dict[str, Any] = {"source": doc.source, "sha256": doc.sha256[:12], "document_type": doc.document_type}
    if doc.template is not None:
        ref["template"] = doc.template.template_id
    return ref


def field_ref(f: Field) -> dict[str, Any]:
    """One field as evidence: value, raw text, confidence, source, page and box.

    >>> field_ref(Field("sex", "F", "F/F", 0.912345, page=1, box=(1, 2, 3, 4)))
    {'name': 'sex', 'value': 'F', 'raw': 'F/F', 'confidence': 0.9123, 'source': 'visual', 'page': 1, 'box': [1.0, 2.0, 3.0, 4.0]}
    """
    return {"name": f.name, **f.to_dict()}


def doc_fields(doc: ExtractedDocument, names: Iterable[str]) -> dict[str, Any]:
    """The document reference plus the named fields it has, as evidence."""
    return {**doc_ref(doc), "fields": {n: field_ref(doc.fields[n]) for n in names if n in doc.fields}}


def parse_iso(value: str | None) -> dt.date | None:
    """An ISO ``YYYY-MM-DD`` date, or ``None`` when the text is not a real calendar date."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


MIN_READ_LINES = 8  # fewer OCR lines than this (a card back with only a barcode): no judgement on the read


def read_confidence(doc: ExtractedDocument) -> float | None:
    """The median confidence of the lines OCR read on ``doc``'s pages; ``None`` for a digital PDF's text
    layer or a page with fewer than ``MIN_READ_LINES`` lines.

    >>> from kyc_ocr.domain import Page, TextLine, quad_from_box
    >>> lines = tuple(TextLine("WORD", c, quad_from_box((0, 9 * i, 50, 9 * i + 8))) for i, c in enumerate([0.7] * 5 + [0.9] * 4))
    >>> read_confidence(ExtractedDocument("f.jpg", "a" * 64, "image/jpeg", "application_form", None, {},
    ...                                   (Page("f.jpg", 1, 100, 100, lines),)))
    0.7
    """
    from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX

    confidences = [ln.confidence for p in doc.pages if not p.engine.endswith(TEXT_LAYER_SUFFIX) for ln in p.lines]
    return round(statistics.median(confidences), 4) if len(confidences) >= MIN_READ_LINES else None


def poorly_read(documents: Iterable[ExtractedDocument], min_read: float) -> list[dict[str, Any]]:
    """The documents whose OCR read them poorly as a whole (:func:`read_confidence` under ``min_read``):
    a blurred phone photo whose every line is in doubt. A difference read on such a document sends the
    case to a person (WARN) instead of rejecting it; the evidence cites them."""
    out = []
    for doc in documents:
        conf = read_confidence(doc)
        if conf is not None and conf < min_read:
            out.append({**doc_ref(doc), "read_confidence": conf, "min_read_confidence": min_read})
    return out


def poor_read_note(poor: Sequence[dict[str, Any]]) -> str:
    """The detail's words for :func:`poorly_read` documents (``""`` for none).

    >>> poor_read_note([{"source": "form.jpg", "read_confidence": 0.78, "min_read_confidence": 0.85}])
    '; form.jpg read poorly (median line confidence 0.78, under 0.85): not enough to reject on'
    """
    if not poor:
        return ""
    what = ", ".join(f"{p['source']} read poorly (median line confidence {p['read_confidence']:.2f}, under "
                     f"{p['min_read_confidence']})" for p in poor)
    return f"; {what}: not enough to reject on"


def grade(score: float, pass_at: float, warn_at: float) -> Status:
    """PASS at or above ``pass_at``, WARN at or above ``warn_at``, FAIL below.

    >>> [grade(s, 0.85, 0.7).value for s in (0.9, 0.85, 0.7, 0.69)]
    ['PASS', 'PASS', 'WARN', 'FAIL']
    """
    if score >= pass_at:
        return Status.PASS
    if score >= warn_at:
        return Status.WARN
    return Status.FAIL


def skip(name: str, reason: str, **evidence: Any) -> CheckResult:
    """A check that had nothing to compare: SKIP with the reason (never a silent PASS)."""
    return CheckResult(name, Status.SKIP, 0.0, reason, dict(evidence))


def first_field(doc: ExtractedDocument, names: Iterable[str]) -> Field | None:
    """The first of ``names`` the document has with a non-empty value."""
    for name in names:
        f = doc.fields.get(name)
        if f is not None and f.value.strip():
            return f
    return None
