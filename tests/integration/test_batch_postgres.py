"""The batch on the real PostgreSQL server: an interrupted run resumed gives what SQLite gives uninterrupted."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from kyc_ocr.batch import BatchOptions, discover, run_batch
from kyc_ocr.verify import Verifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_batch import AS_OF, CUSTOMERS, copy_customers, settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pg import fresh_database

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg_url():
    with fresh_database("kyc_ocr_batch") as url:
        yield url


def content(v: Verifier) -> list[tuple]:
    return [(x.customer_id, x.decision, x.reasons, x.as_of, x.supersedes is None,
             [c.to_dict() for c in x.checks]) for x in v.store.iter_verdicts()]


def test_partial_run_then_full_run_on_postgres_equals_a_clean_sqlite_run(pg_url, tmp_path):
    src = copy_customers(tmp_path / "in")
    jobs = discover(src)
    pg = Verifier(settings(pg_url))
    first, _ = run_batch(pg, jobs[:2], BatchOptions(workers=2, as_of=AS_OF))  # an interrupted run, in effect
    assert [it.status for it in first] == ["verified", "verified"]
    rest, summary = run_batch(pg, jobs, BatchOptions(workers=2, as_of=AS_OF))
    assert [it.status for it in rest] == ["already_done"] * 2 + ["verified"] * 2
    assert summary["statuses"] == {"already_done": 2, "verified": 2}

    lite = Verifier(settings(f"sqlite:///{tmp_path / 'clean.db'}"))
    run_batch(lite, jobs, BatchOptions(workers=0, as_of=AS_OF))
    assert content(pg) == content(lite)
    assert [c for c, *_ in content(pg)] == list(CUSTOMERS)
    assert pg.store.verify_audit().ok
