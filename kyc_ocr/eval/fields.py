"""Field accuracy: exact and normalised matches per field name, and the MRZ full-read rate.

*Exact*: the extracted value equals the ground-truth value character for
character. *Normalised*: both sides are transliterated to ASCII
(:mod:`anyascii`), case-folded and stripped of all whitespace; date fields
(``date_*``, ``*_date``) are compared as ISO dates, the prediction being
accepted when any reading of it (day-first or month-first) is the true date.
A field in the ground truth that extraction did not return counts as wrong
on both measures (and as *missing*); extra extracted fields are not scored.

>>> normalize_text(" Prénom  Müller ")
'prenommuller'
>>> values_match("date_of_birth", "12/08/1974", "1974-08-12"), values_match("surname", "Eriksson", "ERIKSSON")
(True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from anyascii import anyascii
from dateutil import parser as date_parser

MRZ_FIELD = "mrz"


def normalize_text(value: str) -> str:
    """ASCII transliteration, case-folded, every whitespace removed.

    >>> normalize_text("ANNA\\tMARÍA"), normalize_text("Straße 5")
    ('annamaria', 'strasse5')
    """
    return "".join(anyascii(value).casefold().split())


def is_date_field(name: str) -> bool:
    """Whether a canonical field name holds a date.

    >>> is_date_field("date_of_expiry"), is_date_field("statement_date"), is_date_field("address")
    (True, True, False)
    """
    return name.startswith("date_") or name.endswith("_date")


def date_readings(value: str) -> set[str]:
    """Every ISO date a printed date can mean (day-first and month-first readings).

    >>> sorted(date_readings("03/04/2020"))
    ['2020-03-04', '2020-04-03']
    >>> date_readings("1974-08-12"), date_readings("12 AUG 1974"), date_readings("not a date")
    ({'1974-08-12'}, {'1974-08-12'}, set())
    """
    text = value.strip()
    try:
        return {dt.date.fromisoformat(text).isoformat()}
    except ValueError:
        pass
    out: set[str] = set()
    for dayfirst in (True, False):
        try:
            out.add(date_parser.parse(text, dayfirst=dayfirst, default=dt.datetime(1900, 1, 1)).date().isoformat())
        except (ValueError, OverflowError):
            continue
    return out


def values_match(name: str, pred: str, gt: str) -> bool:
    """Normalised comparison of one field value.

    >>> values_match("date_of_birth", "1974-12-08", "1974-08-12")  # ISO is not re-read month-first
    False
    >>> values_match("given_names", "Zoë  Anne", "ZOE ANNE"), values_match("document_number", "L8989O2C3", "L898902C3")
    (True, False)
    """
    if is_date_field(name):
        truth = date_readings(gt)
        return bool(truth) and bool(truth & date_readings(pred))
    return normalize_text(pred) == normalize_text(gt)


@dataclass
class FieldCounts:
    """Exact/normalised/missing counts for one field name (or one group of fields)."""

    total: int = 0
    exact: int = 0
    normalized: int = 0
    missing: int = 0

    def add(self, name: str, pred: str | None, gt: str) -> None:
        self.total += 1
        if pred is None:
            self.missing += 1
            return
        self.exact += int(pred == gt)
        self.normalized += int(values_match(name, pred, gt))

    def merge(self, other: FieldCounts) -> None:
        self.total += other.total
        self.exact += other.exact
        self.normalized += other.normalized
        self.missing += other.missing

    @property
    def exact_rate(self) -> float:
        return self.exact / self.total if self.total else 0.0

    @property
    def normalized_rate(self) -> float:
        return self.normalized / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "exact": round(self.exact_rate, 6),
            "normalized": round(self.normalized_rate, 6),
            "n": self.total,
            "n_exact": self.exact,
            "n_normalized": self.normalized,
            "n_missing": self.missing,
        }


def default_mrz_valid(text: str) -> bool:
    """Whether an MRZ parses and every check digit passes as written (no OCR repair), by
    :func:`kyc_ocr.extract.mrz.parse_mrz`.

    >>> default_mrz_valid("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\nL898902C36UTO7408122F1204159ZE184226B<<<<<10")
    True
    >>> default_mrz_valid("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\nL898902C36UTO7408122F1204159ZE184226B<<<<<11")
    False
    """
    from kyc_ocr.errors import KycError
    from kyc_ocr.extract.mrz import parse_mrz

    try:
        return bool(parse_mrz(text, repair=False).valid)
    except KycError:
        return False


def _mrz_lines(text: str) -> list[str]:
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


@dataclass
class MrzCounts:
    """MRZ full reads: parsed, every check digit passing, and equal to the ground-truth MRZ.

    Documents whose ground-truth MRZ does not validate itself (a deliberate
    check-digit fault) cannot be fully read by this definition; they are
    counted apart in ``gt_invalid`` and left out of the rate.
    """

    total: int = 0
    full_reads: int = 0
    gt_invalid: int = 0

    def add(self, pred: str | None, gt: str, is_valid: Callable[[str], bool] = default_mrz_valid) -> None:
        if not is_valid(gt):
            self.gt_invalid += 1
            return
        self.total += 1
        if pred is not None and _mrz_lines(pred) == _mrz_lines(gt) and is_valid(pred):
            self.full_reads += 1

    def merge(self, other: MrzCounts) -> None:
        self.total += other.total
        self.full_reads += other.full_reads
        self.gt_invalid += other.gt_invalid

    @property
    def rate(self) -> float:
        return self.full_reads / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"full_read_rate": round(self.rate, 6), "full_reads": self.full_reads, "n": self.total,
                "gt_invalid": self.gt_invalid}


@dataclass
class FieldAccuracy:
    """Field results of many documents: per field name, all fields together, and the MRZ."""

    by_field: dict[str, FieldCounts] = field(default_factory=dict)
    mrz: MrzCounts = field(default_factory=MrzCounts)
    documents: int = 0
    templates_right: int = 0

    def add_document(self, pred: Mapping[str, str | None], gt: Mapping[str, str],
                     is_valid: Callable[[str], bool] = default_mrz_valid, *, template_right: bool = False) -> None:
        """Score one document's extracted values (name -> value) against its ground truth.

        ``template_right``: whether classification chose the ground-truth template.
        """
        self.documents += 1
        self.templates_right += int(template_right)
        for name, truth in gt.items():
            self.by_field.setdefault(name, FieldCounts()).add(name, pred.get(name), truth)
            if name == MRZ_FIELD:
                self.mrz.add(pred.get(name), truth, is_valid)

    def merge(self, other: FieldAccuracy) -> None:
        self.documents += other.documents
        self.templates_right += other.templates_right
        for name, counts in other.by_field.items():
            self.by_field.setdefault(name, FieldCounts()).merge(counts)
        self.mrz.merge(other.mrz)

    @property
    def overall(self) -> FieldCounts:
        total = FieldCounts()
        for counts in self.by_field.values():
            total.merge(counts)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "template_accuracy": round(self.templates_right / self.documents, 6) if self.documents else 0.0,
            "overall": self.overall.to_dict(),
            "mrz": self.mrz.to_dict(),
            "by_field": {k: self.by_field[k].to_dict() for k in sorted(self.by_field)},
        }


def extracted_values(document: Mapping[str, Any]) -> dict[str, str]:
    """Field name -> value of an ``ExtractedDocument.to_dict()`` (as ``kyc-ocr extract --json`` prints it).

    >>> extracted_values({"fields": {"surname": {"value": "ERIKSSON", "raw": "ERIKSSON"}}})
    {'surname': 'ERIKSSON'}
    """
    return {name: str(f["value"]) for name, f in document.get("fields", {}).items() if f.get("value") is not None}
