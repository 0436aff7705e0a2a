"""Storage: SQL tables (SQLAlchemy 2 + Alembic), the repository API and the hash-chained audit trail.

See :mod:`kyc_ocr.store.repo` for the API the Verifier and the CLI use, and
:mod:`kyc_ocr.store.audit` for what the audit chain can and cannot detect.
"""

from __future__ import annotations

from kyc_ocr.store.audit import AuditProblem, AuditReport, verify_chain
from kyc_ocr.store.convert import fingerprint
from kyc_ocr.store.db import make_engine, upgrade
from kyc_ocr.store.repo import Store, VerdictSummary

__all__ = ["AuditProblem", "AuditReport", "Store", "VerdictSummary", "fingerprint", "make_engine", "upgrade",
           "verify_chain"]
