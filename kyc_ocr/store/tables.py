"""The ORM tables (SQLAlchemy 2.0 ``Mapped`` style).

Constraint and index names come from the naming convention on
:data:`Base.metadata`, so migrations (and SQLite batch mode) can address them.
Integer surrogate keys join the tables; the ids users see are
``customers.customer_id`` and ``verdicts.verdict_id``.

PII lives only in ``fields.value``/``fields.raw`` and ``checks.detail``/
``checks.evidence`` (encrypted when a key is set, see :mod:`kyc_ocr.store.crypto`)
and in ``documents.source_path`` (the file name given). Documents carry
``document_number_digest`` (SHA-256 of the normalised number), not the number,
for the cross-customer fraud lookups; it is a pseudonym, not a secret (document
numbers are few enough to enumerate).

``audit_events.id`` is assigned by the writer (previous id + 1 under the chain
lock) rather than by a sequence, so the event hash can cover the id and a gap
in ids always means a deleted row; a rolled-back PostgreSQL sequence would leave
harmless gaps instead.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

TZDateTime = sa.DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON, datetime: TZDateTime}


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.String(128), unique=True)
    created_at: Mapped[datetime]

    documents: Mapped[list[Document]] = relationship(back_populates="customer")


class Document(Base):
    """One file a customer submitted, identified by (customer, sha256)."""

    __tablename__ = "documents"
    __table_args__ = (
        sa.UniqueConstraint("customer_pk", "sha256"),
        sa.Index("ix_documents_number_country", "document_number_digest", "issuing_country"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_pk: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="RESTRICT"))
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    media_type: Mapped[str] = mapped_column(sa.String(100))
    pages: Mapped[int]
    source_path: Mapped[str] = mapped_column(sa.Text)
    blob_path: Mapped[str | None] = mapped_column(sa.String(200))
    template_id: Mapped[str | None] = mapped_column(sa.String(100))
    template_version: Mapped[str | None] = mapped_column(sa.String(40))
    template_score: Mapped[float | None]
    engine: Mapped[str | None] = mapped_column(sa.String(64))
    models: Mapped[list[Any]]
    document_type: Mapped[str] = mapped_column(sa.String(40))
    document_number_digest: Mapped[str | None] = mapped_column(sa.String(64))
    issuing_country: Mapped[str | None] = mapped_column(sa.String(3))
    content_digest: Mapped[str] = mapped_column(sa.String(64))  # of template + fields, to spot re-extractions
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    customer: Mapped[Customer] = relationship(back_populates="documents")
    fields: Mapped[list[FieldRow]] = relationship(
        back_populates="document", cascade="all, delete-orphan", order_by="FieldRow.position"
    )


class FieldRow(Base):
    __tablename__ = "fields"
    __table_args__ = (sa.UniqueConstraint("document_pk", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_pk: Mapped[int] = mapped_column(sa.ForeignKey("documents.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(64))
    value: Mapped[str] = mapped_column(sa.Text)  # sealed when a key is set
    raw: Mapped[str] = mapped_column(sa.Text)  # sealed when a key is set
    confidence: Mapped[float]
    box: Mapped[list[Any] | None] = mapped_column(sa.JSON)
    page: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(16))

    document: Mapped[Document] = relationship(back_populates="fields")


class VerdictDocument(Base):
    __tablename__ = "verdict_documents"

    verdict_pk: Mapped[int] = mapped_column(sa.ForeignKey("verdicts.id", ondelete="CASCADE"), primary_key=True)
    document_pk: Mapped[int] = mapped_column(
        sa.ForeignKey("documents.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int]

    document: Mapped[Document] = relationship()


class VerdictRow(Base):
    __tablename__ = "verdicts"
    __table_args__ = (sa.Index("ix_verdicts_customer_fingerprint", "customer_pk", "input_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    verdict_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    customer_pk: Mapped[int] = mapped_column(sa.ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(16))
    reasons: Mapped[list[Any]]
    policy_version: Mapped[str] = mapped_column(sa.String(40))
    as_of: Mapped[str] = mapped_column(sa.String(10))
    created_at: Mapped[datetime] = mapped_column(index=True)
    supersedes_pk: Mapped[int | None] = mapped_column(sa.ForeignKey("verdicts.id", ondelete="RESTRICT"))
    input_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    audit_hash: Mapped[str] = mapped_column(sa.String(64))  # hash of its "verdict.recorded" event

    customer: Mapped[Customer] = relationship()
    supersedes: Mapped[VerdictRow | None] = relationship(remote_side=[id])
    checks: Mapped[list[CheckRow]] = relationship(
        back_populates="verdict", cascade="all, delete-orphan", order_by="CheckRow.position"
    )
    links: Mapped[list[VerdictDocument]] = relationship(
        cascade="all, delete-orphan", order_by="VerdictDocument.position"
    )


class CheckRow(Base):
    __tablename__ = "checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    verdict_pk: Mapped[int] = mapped_column(sa.ForeignKey("verdicts.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(8))
    score: Mapped[float]
    detail: Mapped[str] = mapped_column(sa.Text)  # sealed when a key is set
    evidence: Mapped[Any] = mapped_column(sa.JSON)  # a dict, or a sealed string when a key is set

    verdict: Mapped[VerdictRow] = relationship(back_populates="checks")


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    ts: Mapped[datetime]
    actor: Mapped[str] = mapped_column(sa.String(128))
    action: Mapped[str] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(32))
    entity_id: Mapped[str] = mapped_column(sa.String(128), index=True)
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class BatchFailure(Base):
    """A customer a batch could not verify, keyed by the inputs that failed (see :mod:`kyc_ocr.batch`).

    ``error`` is the one-line error message; it may name a file, so it stays out of the audit trail.
    """

    __tablename__ = "batch_failures"
    __table_args__ = (sa.UniqueConstraint("customer_id", "input_fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[str] = mapped_column(sa.String(128))
    input_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    error: Mapped[str] = mapped_column(sa.Text)
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
