"""End to end with the real OCR engine: a sample customer verified, stored, re-run, reused, audited, tampered.

The expected decision and failing checks come from the customer's ground truth
(``samples/<customer>/profile.json``, written by the generator that planted the
fault), never from this code's own output.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from kyc_ocr.config import Settings
from kyc_ocr.domain import Decision, Status
from kyc_ocr.verify import Verifier

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CUSTOMER = "cust-2026-00003"  # residence permit + bill + form; the form gives another date of birth

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ground_truth() -> dict:
    folder = SAMPLES / CUSTOMER
    if not folder.is_dir():
        pytest.skip(f"{folder} not present (run `kyc-ocr samples generate`)")
    return json.loads((folder / "profile.json").read_text(encoding="utf-8"))


def test_verify_store_reuse_and_audit(tmp_path: Path, ground_truth: dict) -> None:
    db = tmp_path / "kyc.db"
    verifier = Verifier(Settings(db_url=f"sqlite:///{db}"), actor="test")
    try:
        verdict = verifier.verify_profile(CUSTOMER, [SAMPLES / CUSTOMER], ground_truth["as_of"])
        assert verdict.decision.value == ground_truth["expected_decision"]
        flagged = {c.name for c in verdict.checks if c.status in (Status.FAIL, Status.WARN)}
        assert set(ground_truth["expected_failing_checks"]) <= flagged, verdict.reasons
        dob = next(c for c in verdict.checks if c.name == "same_date_of_birth")
        assert dob.status is Status.FAIL
        # the evidence names every document that gave a date of birth, with its value and box
        sources = {Path(d["source"]).name for d in dob.evidence["documents"]}
        assert "application_form.pdf" in sources and len(sources) >= 2
        assert verdict.verdict_id and verdict.policy_version == verifier.policy.version

        # same files, same policy, same day: the stored verdict comes back, nothing new is written
        again = verifier.verify_profile(CUSTOMER, [SAMPLES / CUSTOMER], ground_truth["as_of"])
        assert again.verdict_id == verdict.verdict_id
        assert [v.verdict_id for v in verifier.history(CUSTOMER)] == [verdict.verdict_id]

        # another customer handing in the same permit image is caught by its SHA-256
        permit = SAMPLES / CUSTOMER / "residence_permit.png"
        copy = verifier.verify_profile("someone-else", [permit], ground_truth["as_of"])
        reused = next(c for c in copy.checks if c.name == "document_reused")
        assert reused.status is Status.FAIL and copy.decision is Decision.REJECTED
        assert any(h["match"] == "sha256" and h["other_customers"] == [CUSTOMER] for h in reused.evidence["hits"])

        assert verifier.store.verify_audit().ok
    finally:
        verifier.store.close()

    # an attacker edits the stored decision and an audit event by hand: the chain notices
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE verdicts SET decision = 'APPROVED' WHERE verdict_id = ?", (verdict.verdict_id,))
        conn.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.execute("UPDATE audit_events SET actor = 'mallory' WHERE id = 1")
    verifier = Verifier(Settings(db_url=f"sqlite:///{db}"))
    try:
        report = verifier.store.verify_audit()
    finally:
        verifier.store.close()
    assert not report.ok
    kinds = {p.kind for p in report.problems}
    assert {"edited", "verdict-mismatch"} <= kinds, report.problems
