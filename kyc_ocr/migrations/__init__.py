"""Alembic migrations, shipped inside the package so ``kyc-ocr db upgrade`` works from any directory.

Run them with :func:`kyc_ocr.store.db.upgrade` (or ``kyc-ocr db upgrade --db URL``).
Developers make a new revision from a source checkout with the ``alembic.ini``
at the repository root: ``alembic revision --autogenerate -m "..."``.
"""
