"""The store on the real PostgreSQL server (127.0.0.1:5432), in a database made for this run and dropped after.

Set ``KYC_OCR_TEST_PG`` to another server's admin URL (it must be allowed to CREATE DATABASE).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from kyc_ocr.errors import StoreError
from kyc_ocr.store import Store, db
from kyc_ocr.store.sample import sample_verification

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_url():
    with fresh_database("kyc_ocr_test") as url:
        yield url


@pytest.fixture()
def store(pg_url):
    with Store(pg_url, actor="pg-tester") as s:
        with s.engine.begin() as conn:  # a clean slate per test (the guard triggers block DELETE/TRUNCATE)
            conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER USER")
            conn.exec_driver_sql("TRUNCATE audit_events, checks, verdict_documents, verdicts, fields, documents, "
                                 "customers")
            conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER USER")
        yield s


def test_upgrade_head_then_alembic_check_finds_no_drift(pg_url):
    from alembic import command

    assert db.upgrade(pg_url) == "0002"
    command.check(db.alembic_config(pg_url))
    engine = db.make_engine(pg_url.replace("postgresql+psycopg://", "postgresql://"))  # normalised to psycopg
    assert engine.dialect.driver == "psycopg"
    with engine.connect() as conn:
        triggers = conn.execute(sa.text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                                        "AND NOT tgisinternal ORDER BY tgname")).scalars().all()
    assert triggers == ["audit_events_append_only", "audit_events_no_truncate"]


def test_save_idempotent_supersede_and_lookups(store):
    docs, verdict = sample_verification("cust-1", seed=1)
    v1 = store.save_verification("cust-1", docs, verdict)
    assert store.save_verification("cust-1", docs, verdict).verdict_id == v1.verdict_id
    v2 = store.save_verification("cust-1", docs, dataclasses.replace(verdict, policy_version="2024.2"))
    assert v2.supersedes == v1.verdict_id
    assert [v.verdict_id for v in store.history("cust-1")] == [v1.verdict_id, v2.verdict_id]
    back = store.get_verdict(v1.verdict_id)
    assert [c.to_dict() for c in back.checks] == [c.to_dict() for c in verdict.checks]
    assert back.documents[2].fields == docs[2].fields
    assert store.customers_using_sha256(docs[0].sha256, exclude_customer="x") == ["cust-1"]
    assert store.customers_with_document(docs[0].value("document_number"), "UTO") == ["cust-1"]
    assert store.verify_audit().ok


def test_a_crash_mid_save_leaves_nothing(store, monkeypatch):
    docs, verdict = sample_verification("cust-1", seed=1)

    def explode(self, *args, **kwargs):
        raise RuntimeError("power cut")

    monkeypatch.setattr(Store, "_insert_verdict", explode)
    with pytest.raises(RuntimeError):
        store.save_verification("cust-1", docs, verdict)
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT (SELECT count(*) FROM documents) + (SELECT count(*) FROM customers) + "
                                    "(SELECT count(*) FROM audit_events)")).scalar_one() == 0


def test_trigger_blocks_edits_and_verify_catches_them_once_it_is_dropped(store):
    for i in range(2):
        docs, verdict = sample_verification(f"cust-{i}", seed=i)
        store.save_verification(f"cust-{i}", docs, verdict)
    for sql in ("UPDATE audit_events SET actor = 'mallory' WHERE id = 2", "DELETE FROM audit_events WHERE id = 3",
                "TRUNCATE audit_events CASCADE"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert store.verify_audit().ok
    with store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'mallory' WHERE id = 2")
        conn.exec_driver_sql("DELETE FROM audit_events WHERE id = 7")
        conn.exec_driver_sql("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    problems = store.verify_audit().problems
    assert [(p.event_id, p.kind) for p in problems[:2]] == [(2, "edited"), (8, "deleted")]


def test_concurrent_writers_keep_one_chain(store):
    errors: list[BaseException] = []

    def work(prefix: str) -> None:
        try:
            for i in range(6):
                docs, verdict = sample_verification(f"{prefix}-{i}", seed=i + (100 if prefix == "b" else 0))
                store.save_verification(f"{prefix}-{i}", docs, verdict)
        except BaseException as err:  # noqa: BLE001 - handed to the main thread and re-raised there
            errors.append(err)

    threads = [threading.Thread(target=work, args=(p,)) for p in ("a", "b", "c")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    report = store.verify_audit()
    assert report.ok, report.problems
    assert report.events == 3 * 6 * 5 and report.head_id == report.events


def test_wrong_database_name_is_a_one_line_store_error(pg_url):
    with pytest.raises(StoreError, match="unavailable") as err:
        Store(sa.make_url(pg_url).set(database="kyc_ocr_no_such_db").render_as_string(hide_password=False))
    assert "\n" not in str(err.value)
