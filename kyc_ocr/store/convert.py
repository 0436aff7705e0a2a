"""Conversions between domain values and rows, and the digests the audit trail records.

>>> fingerprint(["bb", "aa"], "2024.1", "2024-05-01") == fingerprint(["aa", "bb"], "2024.1", "2024-05-01")
True
>>> normalize_document_number(" l898-902 c3<< ")
'L898902C3'
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from kyc_ocr.domain import CheckResult, ExtractedDocument, Field, FieldSource, Status, TemplateMatch
from kyc_ocr.store.audit import canonical_json, sha256_text, utc_iso
from kyc_ocr.store.crypto import Cipher
from kyc_ocr.store.tables import CheckRow, Document, FieldRow, VerdictRow


def _json_default(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    item = getattr(value, "item", None)  # numpy scalars
    if callable(item):
        return item()
    tolist = getattr(value, "tolist", None)  # numpy arrays
    if callable(tolist):
        return tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def plain_json(value: Any) -> Any:
    """``value`` as it will read back from a JSON column (tuples -> lists, numpy -> Python, enums -> values)."""
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def fingerprint(sha256s: list[str] | tuple[str, ...], policy_version: str, as_of: str) -> str:
    """The idempotency key of a verification: sorted document hashes, policy version and as-of date."""
    body = {"documents": sorted(set(sha256s)), "policy_version": policy_version, "as_of": as_of}
    return sha256_text(canonical_json(body))


def normalize_document_number(number: str) -> str:
    return re.sub(r"[\s<\-./]", "", number).upper()


def document_number_digest(number: str | None) -> str | None:
    """SHA-256 of the normalised document number (a pseudonym for lookups), ``None`` when absent."""
    if not number or not normalize_document_number(number):
        return None
    return sha256_text("kyc-ocr:document-number:" + normalize_document_number(number))


def checks_digest(checks: tuple[CheckResult, ...] | list[CheckResult]) -> str:
    return sha256_text(canonical_json(plain_json([c.to_dict() for c in checks])))


def fields_to_rows(doc: ExtractedDocument, cipher: Cipher) -> list[FieldRow]:
    return [
        FieldRow(
            position=i,
            name=f.name,
            value=cipher.seal(f.value),
            raw=cipher.seal(f.raw),
            confidence=float(f.confidence),
            box=[float(v) for v in f.box] if f.box else None,
            page=int(f.page),
            source=f.source.value,
        )
        for i, f in enumerate(doc.fields.values())
    ]


def field_from_row(row: FieldRow, cipher: Cipher) -> Field:
    box = tuple(float(v) for v in row.box) if row.box else None
    return Field(
        name=row.name,
        value=cipher.open(row.value),
        raw=cipher.open(row.raw),
        confidence=row.confidence,
        source=FieldSource(row.source),
        page=row.page,
        box=box,  # type: ignore[arg-type]
    )


def document_from_row(row: Document, cipher: Cipher) -> ExtractedDocument:
    """The stored document (OCR pages are not stored: ``pages`` is empty)."""
    template = None
    if row.template_id:
        template = TemplateMatch(
            template_id=row.template_id,
            version=row.template_version or "",
            document_type=row.document_type,
            score=row.template_score if row.template_score is not None else 0.0,
            reason="stored",
            country=row.issuing_country,
        )
    return ExtractedDocument(
        source=row.source_path,
        sha256=row.sha256,
        media_type=row.media_type,
        document_type=row.document_type,
        template=template,
        fields={f.name: field_from_row(f, cipher) for f in row.fields},
    )


def checks_to_rows(checks: tuple[CheckResult, ...], cipher: Cipher) -> list[CheckRow]:
    return [
        CheckRow(
            position=i,
            name=c.name,
            status=c.status.value,
            score=float(c.score),
            detail=cipher.seal(c.detail),
            evidence=cipher.seal_json(plain_json(c.evidence)),
        )
        for i, c in enumerate(checks)
    ]


def check_from_row(row: CheckRow, cipher: Cipher) -> CheckResult:
    return CheckResult(
        name=row.name,
        status=Status(row.status),
        score=row.score,
        detail=cipher.open(row.detail),
        evidence=cipher.open_json(row.evidence),
    )


def verdict_payload(row: VerdictRow, checks_digest_: str) -> dict[str, Any]:
    """What a ``verdict.recorded`` event says about its verdict (ids and digests only)."""
    return {
        "verdict_id": row.verdict_id,
        "customer_id": row.customer.customer_id,
        "decision": row.decision,
        "policy_version": row.policy_version,
        "as_of": row.as_of,
        "input_fingerprint": row.input_fingerprint,
        "supersedes": row.supersedes.verdict_id if row.supersedes else None,
        "documents": [link.document.sha256 for link in row.links],
        "reasons_digest": sha256_text(canonical_json(row.reasons)),
        "checks_digest": checks_digest_,
        "created_at": utc_iso(row.created_at),
    }
