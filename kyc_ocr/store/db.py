"""Database engines and migrations.

:func:`make_engine` turns a URL into a configured SQLAlchemy engine:

* SQLite (the default, a file): WAL journal, ``foreign_keys=ON`` and a busy
  timeout on every connection; Python's own transaction handling is switched
  off so that SQLAlchemy emits ``BEGIN`` itself, and a write session
  (:func:`write_engine`) emits ``BEGIN IMMEDIATE``, which takes SQLite's write
  lock at the start of the transaction. That is what keeps two writers from
  forking the audit chain.
* PostgreSQL through psycopg 3: ``postgresql://`` and ``postgres://`` are
  normalised to ``postgresql+psycopg://``.

:func:`upgrade` runs Alembic ``upgrade head`` from code; the migration scripts
ship inside the package (:mod:`kyc_ocr.migrations`), so it works from any
working directory.

>>> normalize_url("postgresql://u:secret@db/kyc")
'postgresql+psycopg://u:secret@db/kyc'
>>> safe_url("postgresql+psycopg://u:secret@db/kyc")
'postgresql+psycopg://u:***@db/kyc'
>>> make_engine("sqlite://").dialect.name
'sqlite'
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from kyc_ocr.errors import StoreError

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "kyc_ocr_write"
_UPGRADE_LOCK = threading.Lock()


def _parse(url: str | URL) -> URL:
    try:
        return make_url(url)
    except exc.ArgumentError as err:
        raise StoreError(f"bad database URL {_mask(str(url))!r}: expected e.g. sqlite:///kyc.db "
                         "or postgresql+psycopg://user@host/db") from err


def _mask(text: str) -> str:
    """Hide a password in a URL-looking string that SQLAlchemy could not parse."""
    head, sep, tail = text.partition("://")
    if sep and "@" in tail:
        cred, _, rest = tail.rpartition("@")
        if ":" in cred:
            return f"{head}://{cred.split(':', 1)[0]}:***@{rest}"
    return text


def normalize_url(url: str | URL) -> str:
    """The URL with PostgreSQL pointed at psycopg 3 (password kept)."""
    u = _parse(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def safe_url(url: str | URL) -> str:
    """The URL with its password masked, for messages and logs."""
    return _parse(url).render_as_string(hide_password=True)


def _on_sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN itself
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode=WAL")  # answers "memory" for in-memory databases
    cur.execute("PRAGMA synchronous=NORMAL")  # safe with WAL: a crash loses at most the last commits
    cur.close()


def _on_sqlite_begin(conn: sa.Connection) -> None:
    write = conn.get_execution_options().get(_WRITE_OPTION, False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """A configured engine for ``url``; raises :class:`StoreError` for a bad URL or missing driver.

    No connection is made here: an unreachable server is reported by the first
    operation (see :func:`db_errors`).
    """
    u = _parse(normalize_url(url))
    options: dict[str, Any] = {"future": True, **kwargs}
    if u.get_backend_name() == "sqlite":
        if u.database in (None, "", ":memory:"):
            options.setdefault("poolclass", StaticPool)
            options.setdefault("connect_args", {"check_same_thread": False})
        elif not Path(u.database).expanduser().resolve().parent.is_dir():
            raise StoreError(f"cannot open SQLite database {u.database!r}: its folder does not exist")
    elif u.get_backend_name() == "postgresql":
        options.setdefault("pool_pre_ping", True)
        options.setdefault("connect_args", {"connect_timeout": 10})
    try:
        engine = sa.create_engine(u, **options)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        raise StoreError(f"cannot use database URL {safe_url(u)!r}: {_first_line(err)}") from err
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _on_sqlite_connect)
        event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def write_engine(engine: Engine) -> Engine:
    """The same engine (same pool), marked so that SQLite opens write transactions with BEGIN IMMEDIATE."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def _first_line(err: BaseException) -> str:
    orig = getattr(err, "orig", None)
    text = str(orig if orig is not None else err).strip()
    return text.splitlines()[0] if text else type(err).__name__


@contextmanager
def db_errors(engine: Engine) -> Iterator[None]:
    """Turn driver errors into a one-line :class:`StoreError` that names the database, never its password."""
    where = safe_url(engine.url)
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as err:
        text = _first_line(err)
        if "no such table" in text or ("relation" in text and "does not exist" in text):
            raise StoreError(f"database {where} has no kyc-ocr tables: run `kyc-ocr db upgrade --db URL`") from err
        raise StoreError(f"database {where} unavailable: {text}") from err
    except exc.ProgrammingError as err:
        text = _first_line(err)
        if "relation" in text and "does not exist" in text:
            raise StoreError(f"database {where} has no kyc-ocr tables: run `kyc-ocr db upgrade --db URL`") from err
        raise StoreError(f"database {where}: {text}") from err
    except exc.SQLAlchemyError as err:
        raise StoreError(f"database {where}: {_first_line(err)}") from err


def alembic_config(engine_or_url: Engine | str | None = None) -> Any:
    """An Alembic ``Config`` pointing at the packaged migrations (no alembic.ini needed).

    The engine travels in ``cfg.attributes["engine"]`` (read by ``migrations/env.py``),
    so a password never goes through Alembic's ini-style interpolation.
    """
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine_or_url is not None:
        engine = engine_or_url if isinstance(engine_or_url, Engine) else make_engine(engine_or_url)
        cfg.attributes["engine"] = write_engine(engine)
    return cfg


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at (``None`` for an empty database)."""
    from alembic.runtime.migration import MigrationContext

    with db_errors(engine), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    """The newest migration shipped with this version of kyc-ocr."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise StoreError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def upgrade(engine_or_url: Engine | str, revision: str = "head") -> str:
    """Run Alembic ``upgrade`` to ``revision``; returns the revision the database is at afterwards."""
    from alembic import command
    from alembic.util import CommandError

    cfg = alembic_config(engine_or_url)
    engine: Engine = cfg.attributes["engine"]
    try:
        with _UPGRADE_LOCK, db_errors(engine):  # Alembic's `context` proxy is global to the process
            command.upgrade(cfg, revision)
    except CommandError as err:
        raise StoreError(f"cannot migrate {safe_url(engine.url)}: {_first_line(err)}") from err
    rev = current_revision(engine)
    log.info("database %s at revision %s", safe_url(engine.url), rev)
    return rev or ""


def ensure_schema(engine: Engine) -> None:
    """Upgrade the database when it is behind this version's head; refuse a database that is ahead."""
    rev = current_revision(engine)
    head = head_revision()
    if rev == head:
        return
    from alembic.script import ScriptDirectory

    known = {s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
    if rev is not None and rev not in known:
        raise StoreError(f"database {safe_url(engine.url)} is at revision {rev}, "
                         "unknown to this kyc-ocr version (upgrade kyc-ocr)")
    upgrade(engine)


@contextmanager
def scratch_database(admin_url: str, prefix: str = "kyc_ocr_scratch") -> Iterator[str]:
    """A uniquely named PostgreSQL database on ``admin_url``'s server, dropped on exit; yields its URL.

    For tests and benchmarks (the admin user must be allowed to CREATE DATABASE). An unreachable
    server is a :class:`StoreError` naming it (password masked).
    """
    import uuid

    admin = sa.create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 3})
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except exc.OperationalError as err:
        admin.dispose()
        raise StoreError(f"PostgreSQL not reachable at {safe_url(admin_url)}: {_first_line(err.orig or err)}") from None
    try:
        yield make_url(normalize_url(admin_url)).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
