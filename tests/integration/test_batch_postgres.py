"""The batch on the real PostgreSQL server: an interrupted run resumed gives what SQLite gives uninterrupted."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from kyc_ocr.batch import BatchOptions, discover, run_batch
from kyc_ocr.store import db
from kyc_ocr.verify import Verifier

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_batch import AS_OF, CUSTOMERS, copy_customers, settings
from test_postgres_store import ADMIN_URL

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg_url():
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as err:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {db.safe_url(ADMIN_URL)}: {str(err.orig).splitlines()[0]}")
    name = f"kyc_ocr_batch_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
