"""The PostgreSQL test server (127.0.0.1:5432 in CI; ``KYC_OCR_TEST_PG`` for another) and scratch databases."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from kyc_ocr.errors import StoreError
from kyc_ocr.store import db

ADMIN_URL = os.environ.get("KYC_OCR_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def fresh_database(prefix: str) -> Iterator[str]:
    """A uniquely named database on the test server, dropped afterwards; skips when none is reachable."""
    try:
        ctx = db.scratch_database(ADMIN_URL, prefix)
        url = ctx.__enter__()
    except StoreError as err:
        pytest.skip(str(err))
    try:
        yield url
    finally:
        ctx.__exit__(None, None, None)
