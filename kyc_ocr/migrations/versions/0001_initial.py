"""Initial schema: customers, documents, fields, verdicts, checks, verdict_documents, audit_events.

The audit table is append-only at the database level: triggers refuse UPDATE
and DELETE (SQLite ``RAISE(ABORT)``; PostgreSQL a PL/pgSQL function, TRUNCATE
too). Someone with DDL rights can drop them; ``kyc-ocr audit verify`` still
catches what they then change.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

_MESSAGE = "audit_events is append-only"

SQLITE_TRIGGERS = (
    f"CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
    f"CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END",
)
POSTGRES_TRIGGERS = (
    (
        "CREATE FUNCTION kyc_ocr_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$"
    ),
    (
        "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION kyc_ocr_audit_append_only()"
    ),
    (
        "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events "
        "FOR EACH STATEMENT EXECUTE FUNCTION kyc_ocr_audit_append_only()"
    ),
)


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def _ts(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        _ts("ts"),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    op.create_index(op.f("ix_audit_events_entity_id"), "audit_events", ["entity_id"])

    op.create_table(
        "customers",
        _id(),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_customers_customer_id")),
    )

    op.create_table(
        "documents",
        _id(),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("blob_path", sa.String(length=200), nullable=True),
        sa.Column("template_id", sa.String(length=100), nullable=True),
        sa.Column("template_version", sa.String(length=40), nullable=True),
        sa.Column("template_score", sa.Double(), nullable=True),
        sa.Column("engine", sa.String(length=64), nullable=True),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("document_type", sa.String(length=40), nullable=False),
        sa.Column("document_number_digest", sa.String(length=64), nullable=True),
        sa.Column("issuing_country", sa.String(length=3), nullable=True),
        sa.Column("content_digest", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(["customer_pk"], ["customers.id"], name=op.f("fk_documents_customer_pk_customers"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("customer_pk", "sha256", name=op.f("uq_documents_customer_pk_sha256")),
    )
    op.create_index("ix_documents_number_country", "documents", ["document_number_digest", "issuing_country"])
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"])

    op.create_table(
        "verdicts",
        _id(),
        sa.Column("verdict_id", sa.String(length=36), nullable=False),
        sa.Column("customer_pk", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("as_of", sa.String(length=10), nullable=False),
        _ts("created_at"),
        sa.Column("supersedes_pk", sa.Integer(), nullable=True),
        sa.Column("input_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["customer_pk"], ["customers.id"], name=op.f("fk_verdicts_customer_pk_customers"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["supersedes_pk"], ["verdicts.id"], name=op.f("fk_verdicts_supersedes_pk_verdicts"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verdicts")),
        sa.UniqueConstraint("verdict_id", name=op.f("uq_verdicts_verdict_id")),
    )
    op.create_index(op.f("ix_verdicts_created_at"), "verdicts", ["created_at"])
    op.create_index("ix_verdicts_customer_fingerprint", "verdicts", ["customer_pk", "input_fingerprint"])
    op.create_index(op.f("ix_verdicts_customer_pk"), "verdicts", ["customer_pk"])

    op.create_table(
        "checks",
        _id(),
        sa.Column("verdict_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["verdict_pk"], ["verdicts.id"], name=op.f("fk_checks_verdict_pk_verdicts"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checks")),
    )
    op.create_index(op.f("ix_checks_verdict_pk"), "checks", ["verdict_pk"])

    op.create_table(
        "fields",
        _id(),
        sa.Column("document_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("raw", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Double(), nullable=False),
        sa.Column("box", sa.JSON(), nullable=True),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["document_pk"], ["documents.id"], name=op.f("fk_fields_document_pk_documents"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fields")),
        sa.UniqueConstraint("document_pk", "name", name=op.f("uq_fields_document_pk_name")),
    )

    op.create_table(
        "verdict_documents",
        sa.Column("verdict_pk", sa.Integer(), nullable=False),
        sa.Column("document_pk", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["document_pk"], ["documents.id"],
                                name=op.f("fk_verdict_documents_document_pk_documents"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["verdict_pk"], ["verdicts.id"],
                                name=op.f("fk_verdict_documents_verdict_pk_verdicts"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("verdict_pk", "document_pk", name=op.f("pk_verdict_documents")),
    )
    op.create_index(op.f("ix_verdict_documents_document_pk"), "verdict_documents", ["document_pk"])

    dialect = op.get_context().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == "sqlite" else POSTGRES_TRIGGERS if dialect == "postgresql" else ():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS kyc_ocr_audit_append_only()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
    for table in ("verdict_documents", "fields", "checks", "verdicts", "documents", "customers", "audit_events"):
        op.drop_table(table)
