"""Batch failures: which customer failed with which inputs, and why (the ``batch_failures`` table).

A failure is keyed by (customer id, input fingerprint), the same key that
makes a verdict "done": new files or a new policy give a new key, so a fixed
customer is tried again without ``--retry-failed``. Recording one appends a
``batch.failed`` audit event in the same transaction; the event carries the
customer id, the fingerprint, the attempt count and the error's class, never
the message (it may name a file).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session

from kyc_ocr.errors import InputError
from kyc_ocr.store import db
from kyc_ocr.store.audit import AuditLog, lock_chain
from kyc_ocr.store.tables import BatchFailure

log = logging.getLogger(__name__)

MAX_ERROR_CHARS = 2000


def error_kind(error: str) -> str:
    """The error's class as the batch writes it (``"InputError: ..."``), else ``"error"``.

    >>> error_kind("InputError: a.png: cannot decode")
    'InputError'
    >>> error_kind("worker process died 3 times")
    'error'
    """
    head, sep, _ = error.partition(":")
    return head if sep and head.isidentifier() else "error"


def _key(customer_id: str, fingerprint: str) -> sa.ColumnElement[bool]:
    if not customer_id or len(customer_id) > 128 or len(fingerprint) != 64:
        raise InputError(f"a batch failure needs a customer id (1-128 characters) and a 64-hex fingerprint, "
                         f"got {customer_id!r}, {fingerprint!r}")
    return sa.and_(BatchFailure.customer_id == customer_id, BatchFailure.input_fingerprint == fingerprint)


def record_failure(engine: Engine, writer: Engine, customer_id: str, fingerprint: str, error: str,
                   actor: str) -> int:
    """Insert or update the failure (``attempts`` + 1) with its audit event; returns the attempt count."""
    where = _key(customer_id, fingerprint)
    now = datetime.now(UTC)
    with db.db_errors(engine), Session(writer) as s, s.begin():
        lock_chain(s)
        row = s.scalars(sa.select(BatchFailure).where(where)).first()
        if row is None:
            row = BatchFailure(customer_id=customer_id, input_fingerprint=fingerprint, attempts=0, created_at=now)
            s.add(row)
        row.attempts += 1
        row.error = error[:MAX_ERROR_CHARS]
        row.updated_at = now
        AuditLog(s, actor).append("batch.failed", "customer", customer_id,
                                  {"customer_id": customer_id, "input_fingerprint": fingerprint,
                                   "attempts": row.attempts, "error_kind": error_kind(error)})
        attempts = row.attempts
    log.info("batch failure recorded (attempt %d)", attempts)
    return attempts


def failure(engine: Engine, customer_id: str, fingerprint: str) -> str | None:
    """The stored error of a failed customer with these inputs, or ``None`` when it has not failed."""
    with db.db_errors(engine), Session(engine) as s:
        return s.scalars(sa.select(BatchFailure.error).where(_key(customer_id, fingerprint))).first()


def clear_failure(engine: Engine, writer: Engine, customer_id: str, fingerprint: str) -> bool:
    """Forget a failure once the customer has been verified; ``True`` when there was one."""
    where = _key(customer_id, fingerprint)
    if failure(engine, customer_id, fingerprint) is None:  # the usual case: no write lock taken
        return False
    with db.db_errors(engine), Session(writer) as s, s.begin():
        deleted = cast("CursorResult[Any]", s.execute(sa.delete(BatchFailure).where(where)))  # DML gives a CursorResult
        return bool(deleted.rowcount)
