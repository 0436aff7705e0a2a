"""Cross-check stored verdicts against the ``verdict.recorded`` events of the audit chain.

Split from :mod:`kyc_ocr.store.audit` (the chain itself) to keep both small.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session, selectinload

from kyc_ocr.errors import StoreError
from kyc_ocr.store.audit import AuditProblem, canonical_json
from kyc_ocr.store.convert import check_from_row, checks_digest, verdict_payload
from kyc_ocr.store.crypto import Cipher
from kyc_ocr.store.tables import AuditEvent, VerdictDocument, VerdictRow

RECORDED = "verdict.recorded"


def check_verdicts(session: Session, cipher: Cipher | None = None) -> tuple[list[AuditProblem], list[str]]:
    """Problems found and notes (what could not be checked, e.g. encrypted checks without a key)."""
    cipher = cipher or Cipher(None)
    problems: list[AuditProblem] = []
    events = {
        ev.hash: ev
        for ev in session.execute(sa.select(AuditEvent).where(AuditEvent.action == RECORDED)).scalars()
    }
    recorded_ids = {ev.entity_id: ev for ev in events.values()}
    stmt = (
        sa.select(VerdictRow)
        .options(
            selectinload(VerdictRow.customer),
            selectinload(VerdictRow.supersedes),
            selectinload(VerdictRow.checks),
            selectinload(VerdictRow.links).selectinload(VerdictDocument.document),
        )
        .order_by(VerdictRow.id)
    )
    unreadable = 0
    seen: set[str] = set()
    for row in session.execute(stmt).scalars():
        seen.add(row.verdict_id)
        ev = events.get(row.audit_hash)
        if ev is None:
            other = recorded_ids.get(row.verdict_id)
            if other is not None:
                problems.append(AuditProblem(other.id, "verdict-mismatch",
                                             f"verdict {row.verdict_id} points at a hash that is not its event"))
            else:
                problems.append(AuditProblem(0, "truncated", f"the event recording verdict {row.verdict_id} "
                                                             "is gone from the chain"))
            continue
        try:
            digest = checks_digest([check_from_row(c, cipher) for c in row.checks])
        except StoreError:
            unreadable += 1
            digest = ev.payload.get("checks_digest", "")
        expected = verdict_payload(row, digest)
        if canonical_json(expected) != canonical_json(ev.payload):
            keys = sorted(k for k in expected.keys() | ev.payload.keys() if expected.get(k) != ev.payload.get(k))
            problems.append(AuditProblem(ev.id, "verdict-mismatch",
                                         f"verdict {row.verdict_id} differs from what was recorded: {', '.join(keys)}"))
    for verdict_id, ev in recorded_ids.items():
        if verdict_id not in seen:
            problems.append(AuditProblem(ev.id, "verdict-missing", f"verdict {verdict_id} was recorded but is gone"))
    notes = [f"checks of {unreadable} verdict(s) are encrypted and were not compared: set KYC_OCR_ENCRYPTION_KEY"] \
        if unreadable else []
    return problems, notes
