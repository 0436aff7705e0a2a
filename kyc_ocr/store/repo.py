"""The store: saving verifications, reading them back, and the lookups fraud checks need.

API for the Verifier (``kyc_ocr/verify.py``) and the CLI::

    store = Store(settings.db_url, encryption_key=settings.encryption_key, blob_dir=settings.blob_dir)
    # or Store.from_settings(settings); a fresh database is migrated on open (auto_upgrade=True)

    lookup: DocumentLookup = store      # kyc_ocr.domain.DocumentLookup, for checks.run()
    store.customers_using_sha256(sha, exclude_customer="cust-42")          -> ["cust-7"]
    store.customers_with_document("L898902C3", "UTO", exclude_customer="cust-42") -> [...]

    saved = store.save_verification("cust-42", documents, verdict, actor="api:alice")
    saved.verdict_id, saved.created_at, saved.supersedes   # filled in

    store.find_verdict("cust-42", fingerprint(shas, policy_version, as_of))  # resume: skip OCR when done
    store.latest_verdict("cust-42") -> Verdict | None
    store.history("cust-42")        -> list[Verdict], oldest first, each superseding the one before
    store.get_verdict(verdict_id)   -> Verdict with its stored documents (fields decrypted)
    store.list_verdicts(customer_id=None, limit=None) -> list[VerdictSummary], newest first
    store.iter_verdicts()           -> every Verdict, oldest first (for export)
    store.verify_audit()            -> AuditReport
    store.record_failure(cid, fp, error, actor=...) / store.failure(cid, fp) / store.clear_failure(cid, fp)

``save_verification`` runs in ONE transaction that also appends the audit
events: it writes everything or nothing. It is idempotent: when the customer's
latest verdict was made from the same documents (by SHA-256), policy version
and as-of date, that verdict is returned and nothing is written. Otherwise the
new verdict ``supersedes`` the customer's latest one. Documents are upserted by
(customer, SHA-256): a re-extraction that reads different fields replaces the
stored fields and logs ``document.updated`` (each verdict keeps its own checks
and evidence). Every database error surfaces as a one-line
:class:`~kyc_ocr.errors.StoreError`.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, selectinload

from kyc_ocr.config import Settings
from kyc_ocr.domain import Decision, ExtractedDocument, Verdict
from kyc_ocr.errors import InputError
from kyc_ocr.store import db, failures
from kyc_ocr.store.audit import AuditLog, AuditReport, canonical_json, default_actor, lock_chain, sha256_text, utc_iso
from kyc_ocr.store.audit import verify_chain as _verify_chain
from kyc_ocr.store.blobs import BlobStore
from kyc_ocr.store.convert import (
    check_from_row,
    checks_digest,
    checks_to_rows,
    document_from_row,
    document_number_digest,
    fields_to_rows,
    fingerprint,
    plain_json,
    verdict_payload,
)
from kyc_ocr.store.crypto import Cipher
from kyc_ocr.store.tables import Customer, Document, VerdictDocument, VerdictRow

log = logging.getLogger(__name__)

_VERDICT_LOAD = (
    selectinload(VerdictRow.customer),
    selectinload(VerdictRow.supersedes),
    selectinload(VerdictRow.checks),
)


@dataclass(frozen=True)
class VerdictSummary:
    """One line of ``kyc-ocr audit list``."""

    verdict_id: str
    customer_id: str
    decision: str
    created_at: str
    supersedes: str | None
    policy_version: str
    as_of: str
    checks: int
    failed: int


def _content_digest(doc: ExtractedDocument) -> str:
    """What a re-extraction must reproduce for the stored document to count as unchanged."""
    body = {
        "template": doc.template.to_dict() if doc.template else None,
        "document_type": doc.document_type,
        "media_type": doc.media_type,
        "fields": plain_json({k: f.to_dict() for k, f in doc.fields.items()}),
    }
    return sha256_text(canonical_json(body))


class Store:
    """Verdicts, documents and the audit trail in one SQL database (SQLite or PostgreSQL)."""

    def __init__(
        self,
        url_or_engine: str | Engine | None = None,
        *,
        encryption_key: str | None = None,
        blob_dir: Path | str | None = None,
        actor: str | None = None,
        auto_upgrade: bool = True,
    ) -> None:
        if isinstance(url_or_engine, Engine):
            self.engine = url_or_engine
        else:
            self.engine = db.make_engine(url_or_engine or Settings().db_url)
        self._writer = db.write_engine(self.engine)
        self.cipher = Cipher(encryption_key)
        self.blobs = BlobStore(blob_dir) if blob_dir else None
        self.actor = actor or default_actor()
        if auto_upgrade:
            db.ensure_schema(self.engine)

    @classmethod
    def from_settings(cls, settings: Settings | None = None, **kwargs: object) -> Store:
        s = settings or Settings()
        return cls(s.db_url, encryption_key=s.encryption_key, blob_dir=s.blob_dir, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- writing -------------------------------------------------------------------------------

    def save_verification(
        self, customer_id: str, documents: Sequence[ExtractedDocument], verdict: Verdict, *, actor: str | None = None
    ) -> Verdict:
        """Store the documents and the verdict in one transaction; see the module docstring."""
        if not customer_id or len(customer_id) > 128 or customer_id != customer_id.strip():
            raise InputError(f"customer id must be 1-128 characters without surrounding spaces: {customer_id!r}")
        if verdict.customer_id != customer_id:
            raise InputError(f"verdict is for customer {verdict.customer_id!r}, not {customer_id!r}")
        docs = list({d.sha256: d for d in reversed(documents)}.values())[::-1]  # first of each sha256
        if any(len(d.sha256) != 64 for d in docs):
            raise InputError("every document needs its 64-hex-digit sha256 before it can be stored")
        fp = fingerprint([d.sha256 for d in docs], verdict.policy_version, verdict.as_of)
        blobs = self._store_blobs(docs)
        with db.db_errors(self.engine), Session(self._writer, expire_on_commit=False) as s, s.begin():
            lock_chain(s)
            audit = AuditLog(s, actor or self.actor)
            customer = self._customer(s, audit, customer_id)
            latest = self._latest_row(s, customer.id) if customer.id is not None else None
            if latest is not None and latest.input_fingerprint == fp:
                log.info("verdict %s already recorded for these inputs", latest.verdict_id)
                return self._verdict(latest, with_documents=False)
            rows = self._upsert_documents(s, audit, customer, docs, blobs)
            row = self._insert_verdict(s, audit, customer, rows, verdict, fp, latest)
            saved = self._verdict(row, with_documents=False)
        log.info("verdict %s recorded (%s)", saved.verdict_id, saved.decision.value)
        return dataclasses.replace(saved, documents=tuple(docs))

    def _store_blobs(self, docs: list[ExtractedDocument]) -> dict[str, str]:
        if self.blobs is None:
            return {}
        return {d.sha256: self.blobs.put(d.source, d.sha256) for d in docs if Path(d.source).is_file()}

    @staticmethod
    def _customer(s: Session, audit: AuditLog, customer_id: str) -> Customer:
        customer = s.scalars(sa.select(Customer).where(Customer.customer_id == customer_id)).first()
        if customer is None:
            customer = Customer(customer_id=customer_id, created_at=datetime.now(UTC))
            s.add(customer)
            audit.append("customer.created", "customer", customer_id, {"customer_id": customer_id})
        return customer

    @staticmethod
    def _latest_row(s: Session, customer_pk: int) -> VerdictRow | None:
        stmt = sa.select(VerdictRow).where(VerdictRow.customer_pk == customer_pk).order_by(VerdictRow.id.desc())
        return s.scalars(stmt.limit(1).options(*_VERDICT_LOAD)).first()

    def _upsert_documents(
        self, s: Session, audit: AuditLog, customer: Customer, docs: list[ExtractedDocument], blobs: dict[str, str]
    ) -> list[Document]:
        now = datetime.now(UTC)
        rows: list[Document] = []
        existing: dict[str, Document] = {}
        if customer.id is not None:  # a customer seen before: one query for the documents already stored
            stmt = sa.select(Document).where(Document.customer_pk == customer.id,
                                             Document.sha256.in_([d.sha256 for d in docs]))
            existing = {d.sha256: d for d in s.scalars(stmt)}
        for doc in docs:
            digest = _content_digest(doc)
            row = existing.get(doc.sha256)
            if row is not None and row.content_digest == digest:
                rows.append(row)
                continue
            action, previous = "document.stored", None
            if row is None:
                row = Document(customer=customer, sha256=doc.sha256, created_at=now)
                s.add(row)
            else:
                action, previous = "document.updated", row.content_digest
                row.fields.clear()
                s.flush()
            models = sorted({m for p in doc.pages for m in p.models})
            row.media_type = doc.media_type[:100]
            row.pages = max([len(doc.pages), *(f.page for f in doc.fields.values()), 1])
            row.source_path = doc.source
            row.blob_path = blobs.get(doc.sha256, row.blob_path)
            row.template_id = doc.template.template_id if doc.template else None
            row.template_version = doc.template.version if doc.template else None
            row.template_score = float(doc.template.score) if doc.template else None
            row.engine = next((p.engine for p in doc.pages if p.engine), None)
            row.models = models
            row.document_type = doc.document_type
            row.document_number_digest = document_number_digest(doc.value("document_number"))
            country = (doc.value("issuing_country") or (doc.template.country if doc.template else "") or "")
            country = country.strip().upper()
            row.issuing_country = country[:3] or None
            row.content_digest = digest
            row.updated_at = now
            row.fields = fields_to_rows(doc, self.cipher)
            payload = {"customer_id": customer.customer_id, "sha256": doc.sha256, "document_type": doc.document_type,
                       "template": row.template_id, "content_digest": digest}
            if previous:
                payload["previous_digest"] = previous
            audit.append(action, "document", doc.sha256, payload)
            rows.append(row)
        return rows

    def _insert_verdict(
        self, s: Session, audit: AuditLog, customer: Customer, docs: list[Document], verdict: Verdict,
        fp: str, latest: VerdictRow | None,
    ) -> VerdictRow:
        row = VerdictRow(
            verdict_id=str(uuid.uuid4()),
            customer=customer,
            decision=verdict.decision.value,
            reasons=plain_json(list(verdict.reasons)),
            policy_version=verdict.policy_version,
            as_of=verdict.as_of,
            created_at=datetime.now(UTC),
            supersedes=latest,
            input_fingerprint=fp,
            checks=checks_to_rows(verdict.checks, self.cipher),
            links=[VerdictDocument(document=d, position=i) for i, d in enumerate(docs)],
        )
        if latest is not None:
            audit.append("verdict.superseded", "verdict", latest.verdict_id,
                         {"verdict_id": latest.verdict_id, "superseded_by": row.verdict_id,
                          "customer_id": customer.customer_id})
        event = audit.append("verdict.recorded", "verdict", row.verdict_id,
                             verdict_payload(row, checks_digest(verdict.checks)))
        row.audit_hash = event.hash
        s.add(row)
        s.flush()
        return row

    # ---- reading -------------------------------------------------------------------------------

    def _verdict(self, row: VerdictRow, *, with_documents: bool) -> Verdict:
        documents: tuple[ExtractedDocument, ...] = ()
        if with_documents:
            documents = tuple(document_from_row(link.document, self.cipher) for link in row.links)
        return Verdict(
            customer_id=row.customer.customer_id,
            decision=Decision(row.decision),
            reasons=tuple(row.reasons),
            checks=tuple(check_from_row(c, self.cipher) for c in row.checks),
            policy_version=row.policy_version,
            as_of=row.as_of,
            verdict_id=row.verdict_id,
            created_at=utc_iso(row.created_at),
            supersedes=row.supersedes.verdict_id if row.supersedes else None,
            documents=documents,
        )

    def _read(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def find_verdict(self, customer_id: str, input_fingerprint: str) -> Verdict | None:
        """The newest verdict for these inputs (see :func:`~kyc_ocr.store.convert.fingerprint`), if any."""
        with db.db_errors(self.engine), self._read() as s:
            stmt = (sa.select(VerdictRow).join(VerdictRow.customer)
                    .where(Customer.customer_id == customer_id, VerdictRow.input_fingerprint == input_fingerprint)
                    .order_by(VerdictRow.id.desc()).limit(1).options(*_VERDICT_LOAD))
            row = s.scalars(stmt).first()
            return self._verdict(row, with_documents=False) if row else None

    def latest_verdict(self, customer_id: str) -> Verdict | None:
        with db.db_errors(self.engine), self._read() as s:
            stmt = (sa.select(VerdictRow).join(VerdictRow.customer).where(Customer.customer_id == customer_id)
                    .order_by(VerdictRow.id.desc()).limit(1).options(*_VERDICT_LOAD))
            row = s.scalars(stmt).first()
            return self._verdict(row, with_documents=False) if row else None

    def history(self, customer_id: str) -> list[Verdict]:
        """All verdicts of a customer, oldest first (checks included, documents not)."""
        return list(self.iter_verdicts(customer_id))

    def iter_verdicts(self, customer_id: str | None = None) -> Iterator[Verdict]:
        with db.db_errors(self.engine), self._read() as s:
            stmt = sa.select(VerdictRow).options(*_VERDICT_LOAD).order_by(VerdictRow.id)
            if customer_id is not None:
                stmt = stmt.join(VerdictRow.customer).where(Customer.customer_id == customer_id)
            for row in s.scalars(stmt.execution_options(yield_per=500)):
                yield self._verdict(row, with_documents=False)

    def get_verdict(self, verdict_id: str) -> Verdict:
        """One verdict with its stored documents; :class:`InputError` when there is none with that id."""
        with db.db_errors(self.engine), self._read() as s:
            stmt = sa.select(VerdictRow).where(VerdictRow.verdict_id == verdict_id).options(
                *_VERDICT_LOAD,
                selectinload(VerdictRow.links).selectinload(VerdictDocument.document).selectinload(Document.fields),
            )
            row = s.scalars(stmt).first()
            if row is None:
                raise InputError(f"no verdict with id {verdict_id!r} in {db.safe_url(self.engine.url)}")
            return self._verdict(row, with_documents=True)

    def document_files(self, verdict_id: str) -> dict[str, Path | None]:
        """sha256 -> the file to show for each document of a verdict: the blob copy, else the source path."""
        with db.db_errors(self.engine), self._read() as s:
            stmt = (sa.select(Document).join(VerdictDocument).join(VerdictRow)
                    .where(VerdictRow.verdict_id == verdict_id).order_by(VerdictDocument.position))
            out: dict[str, Path | None] = {}
            for d in s.scalars(stmt):
                blob = self.blobs.path(d.blob_path) if self.blobs and d.blob_path else None
                src = Path(d.source_path)
                out[d.sha256] = blob if blob and blob.is_file() else src if src.is_file() else None
            return out

    def list_verdicts(self, customer_id: str | None = None, limit: int | None = None) -> list[VerdictSummary]:
        """Newest first."""
        with db.db_errors(self.engine), self._read() as s:
            stmt = sa.select(VerdictRow).options(*_VERDICT_LOAD).order_by(VerdictRow.id.desc())
            if customer_id is not None:
                stmt = stmt.join(VerdictRow.customer).where(Customer.customer_id == customer_id)
            if limit:
                stmt = stmt.limit(limit)
            return [
                VerdictSummary(
                    verdict_id=r.verdict_id, customer_id=r.customer.customer_id, decision=r.decision,
                    created_at=utc_iso(r.created_at), supersedes=r.supersedes.verdict_id if r.supersedes else None,
                    policy_version=r.policy_version, as_of=r.as_of, checks=len(r.checks),
                    failed=sum(c.status == "FAIL" for c in r.checks),
                )
                for r in s.scalars(stmt)
            ]

    # ---- DocumentLookup ------------------------------------------------------------------------

    def customers_using_sha256(self, sha256: str, exclude_customer: str | None = None) -> list[str]:
        stmt = sa.select(Customer.customer_id).join(Document).where(Document.sha256 == sha256)
        return self._customers(stmt, exclude_customer)

    def customers_with_document(
        self, number: str, country: str | None, exclude_customer: str | None = None
    ) -> list[str]:
        digest = document_number_digest(number)
        if digest is None:
            return []
        stmt = sa.select(Customer.customer_id).join(Document).where(Document.document_number_digest == digest)
        if country:
            stmt = stmt.where(Document.issuing_country == country.strip().upper())
        return self._customers(stmt, exclude_customer)

    def _customers(self, stmt: sa.Select[str], exclude_customer: str | None) -> list[str]:
        if exclude_customer is not None:
            stmt = stmt.where(Customer.customer_id != exclude_customer)
        with db.db_errors(self.engine), self._read() as s:
            return sorted(set(s.scalars(stmt.distinct())))

    # ---- batch failures (see kyc_ocr.store.failures) -------------------------------------------

    def record_failure(self, customer_id: str, fingerprint: str, error: str, *, actor: str | None = None) -> int:
        """Record that a batch could not verify ``customer_id`` from these inputs; returns the attempt count."""
        return failures.record_failure(self.engine, self._writer, customer_id, fingerprint, error,
                                       actor or self.actor)

    def failure(self, customer_id: str, fingerprint: str) -> str | None:
        """The error a batch recorded for these inputs, or ``None``."""
        return failures.failure(self.engine, customer_id, fingerprint)

    def clear_failure(self, customer_id: str, fingerprint: str) -> bool:
        """Forget a recorded failure (after a successful verification); ``True`` when there was one."""
        return failures.clear_failure(self.engine, self._writer, customer_id, fingerprint)

    # ---- audit ---------------------------------------------------------------------------------

    def verify_audit(self, expect_hash: str | None = None) -> AuditReport:
        with db.db_errors(self.engine), self._read() as s:
            return _verify_chain(s, expect_hash=expect_hash, cipher=self.cipher)
