"""Fixtures for tests that need a real PostgreSQL server (127.0.0.1:5432 in CI)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from kyc_ocr.store import db

ADMIN_URL = os.environ.get("KYC_OCR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A uniquely named database on the test server, dropped afterwards; skips when none is reachable."""
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as err:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {db.safe_url(ADMIN_URL)}: {str(err.orig).splitlines()[0]}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
