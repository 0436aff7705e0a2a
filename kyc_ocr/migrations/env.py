"""Alembic environment: runs the migrations against the engine kyc-ocr hands over.

:func:`kyc_ocr.store.db.upgrade` passes its engine in ``config.attributes["engine"]``;
the ``alembic`` command line (``alembic.ini`` at the repository root) gives a URL
instead, taken from ``-x db=URL``, else ``sqlalchemy.url``, else ``KYC_OCR_DB_URL``.
SQLite runs in batch mode (``render_as_batch``) so ALTERs become table copies.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy.engine import Connection

from kyc_ocr.store.tables import Base

MIGRATION_LOCK_KEY = 0x6B79636F6D6967  # "kycomig"


def _configure(**kwargs: Any) -> None:
    context.configure(target_metadata=Base.metadata, compare_type=True, **kwargs)


def _online(connection: Connection) -> None:
    _configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        # Two processes migrating at once: the second waits here, then finds the work done.
        # (SQLite: the engine from kyc_ocr.store.db.upgrade opens the transaction with BEGIN IMMEDIATE.)
        if connection.dialect.name == "postgresql":
            connection.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))
        context.run_migrations()


def _url(config: Any) -> str:
    from kyc_ocr.config import Settings
    from kyc_ocr.store.db import normalize_url

    return normalize_url(context.get_x_argument(as_dictionary=True).get("db")
                         or config.get_main_option("sqlalchemy.url") or Settings().db_url)


def main() -> None:
    config = context.config
    engine = config.attributes.get("engine")
    if context.is_offline_mode():
        url = str(engine.url) if engine is not None else _url(config)
        _configure(url=url, literal_binds=True, render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    if engine is None:
        from kyc_ocr.store.db import make_engine

        engine = make_engine(_url(config))
    with engine.connect() as connection:
        _online(connection)
        connection.commit()


# Alembic runs this file as a script; importing it elsewhere (pytest --doctest-modules) must do nothing.
if getattr(context, "config", None) is not None:
    main()
