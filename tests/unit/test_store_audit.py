"""The audit trail: append-only triggers, and what `verify_chain` catches when someone gets past them."""

from __future__ import annotations

import hashlib
import itertools
import json

import pytest
import sqlalchemy as sa

from kyc_ocr.store import Store
from kyc_ocr.store.audit import GENESIS, canonical_json
from kyc_ocr.store.sample import sample_verification


@pytest.fixture()
def store(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'kyc.db'}", actor="auditor") as s:
        for i in range(3):  # 3 customers x (customer, 3 documents, verdict) = 15 events
            docs, verdict = sample_verification(f"cust-{i}", seed=i)
            s.save_verification(f"cust-{i}", docs, verdict)
        yield s


def attacker_sql(store: Store, *statements: str) -> None:
    """What someone with write access to the database file does: drop the guard, then edit."""
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
        for sql in statements:
            conn.exec_driver_sql(sql)


def test_chain_is_linked_from_genesis_and_hashes_are_reproducible(store):
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT id, ts, actor, action, entity, entity_id, payload, prev_hash, hash "
                                    "FROM audit_events ORDER BY id")).mappings().all()
    assert [r["id"] for r in rows] == list(range(1, 16))
    assert rows[0]["prev_hash"] == GENESIS and rows[0]["action"] == "customer.created"
    first = rows[0]
    body = {"id": 1, "ts": first["ts"].replace(" ", "T") + "+00:00", "actor": "auditor",
            "action": "customer.created", "entity": "customer", "entity_id": "cust-0",
            "payload": {"customer_id": "cust-0"}}
    assert hashlib.sha256((GENESIS + canonical_json(body)).encode()).hexdigest() == first["hash"]
    for prev, row in itertools.pairwise(rows):
        assert row["prev_hash"] == prev["hash"]
    assert [r["action"] for r in rows[:5]] == ["customer.created"] + ["document.stored"] * 3 + ["verdict.recorded"]
    for r in rows:  # payloads carry ids and hashes only
        assert "surname" not in r["payload"] and "document_number" not in r["payload"]
    report = store.verify_audit(expect_hash=rows[7]["hash"])
    assert report.ok and report.events == 15 and report.head_hash == rows[-1]["hash"]


def test_triggers_refuse_update_and_delete(store):
    for sql in ("UPDATE audit_events SET actor = 'mallory' WHERE id = 2", "DELETE FROM audit_events WHERE id = 15"):
        with pytest.raises(sa.exc.IntegrityError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    assert store.verify_audit().ok


def test_an_edit_made_after_dropping_the_trigger_is_caught(store):
    payload = json.dumps({"customer_id": "cust-9"})
    attacker_sql(store, f"UPDATE audit_events SET payload = '{payload}' WHERE id = 6")
    report = store.verify_audit()
    assert not report.ok
    assert (report.first_problem.event_id, report.first_problem.kind) == (6, "edited")


def test_a_deleted_event_is_caught(store):
    attacker_sql(store, "DELETE FROM audit_events WHERE id = 7")
    problem = store.verify_audit().first_problem
    assert (problem.event_id, problem.kind) == (8, "deleted") and "#7" in problem.detail


def test_renumbered_events_are_caught(store):
    attacker_sql(store, "UPDATE audit_events SET id = id + 100 WHERE id = 9",
                 "UPDATE audit_events SET id = 9 WHERE id = 8", "UPDATE audit_events SET id = 8 WHERE id = 109")
    problems = store.verify_audit().problems
    assert {(p.event_id, p.kind) for p in problems} >= {(8, "broken-link"), (8, "edited"), (9, "edited")}


def test_a_cut_tail_is_caught_through_the_verdict_that_pointed_at_it(store):
    attacker_sql(store, "DELETE FROM audit_events WHERE id = 15")  # the last verdict.recorded event
    report = store.verify_audit()
    assert [p.kind for p in report.problems] == ["truncated"]


def test_a_cut_tail_with_its_verdict_needs_the_external_head(store):
    head = store.verify_audit().head_hash
    attacker_sql(store,
                 "DELETE FROM audit_events WHERE id >= 11", "DELETE FROM checks WHERE verdict_pk = 3",
                 "DELETE FROM verdict_documents WHERE verdict_pk = 3", "DELETE FROM verdicts WHERE id = 3")
    assert store.verify_audit().ok  # a consistent shorter history: undetectable from inside the database ...
    report = store.verify_audit(expect_hash=head)
    assert [p.kind for p in report.problems] == ["head-missing"]  # ... but not against the head kept outside


def test_a_rewritten_decision_is_caught(store):
    attacker_sql(store, "UPDATE verdicts SET decision = 'APPROVED', reasons = '[]' WHERE id = 2")
    problem = store.verify_audit().first_problem
    assert problem.kind == "verdict-mismatch" and problem.event_id == 10


def test_an_edited_check_is_caught(store):
    attacker_sql(store, "UPDATE checks SET status = 'PASS', detail = 'fine' WHERE id = 5")
    problem = store.verify_audit().first_problem
    assert problem.kind == "verdict-mismatch" and "checks_digest" in problem.detail


def test_a_deleted_verdict_is_caught(store):
    attacker_sql(store, "DELETE FROM checks WHERE verdict_pk = 1",
                 "DELETE FROM verdict_documents WHERE verdict_pk = 1", "DELETE FROM verdicts WHERE id = 1")
    assert [p.kind for p in store.verify_audit().problems] == ["verdict-missing"]
