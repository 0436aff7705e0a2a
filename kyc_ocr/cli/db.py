"""`kyc-ocr db upgrade|current`: database migrations (Alembic, shipped in the package)."""

from __future__ import annotations

import typer

from kyc_ocr.cli.app import app
from kyc_ocr.config import Settings
from kyc_ocr.errors import ConfigError

db_app = typer.Typer(help="Database schema: create or migrate the tables.", no_args_is_help=True)
app.add_typer(db_app, name="db")

DB_HELP = "SQLAlchemy URL, e.g. sqlite:///kyc.db or postgresql+psycopg://user@host/db (default: KYC_OCR_DB_URL)"


def resolve_db_url(db: str | None) -> str:
    """``--db`` if given, else the setting (``KYC_OCR_DB_URL``, default ``sqlite:///kyc-ocr.db``)."""
    if db:
        return db
    return settings().db_url


def settings() -> Settings:
    """Settings from the environment, with a bad variable reported as a one-line ConfigError."""
    from pydantic import ValidationError

    try:
        return Settings()
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise ConfigError(f"KYC_OCR_{where.upper()}: {first.get('msg', 'invalid value')}") from err


@db_app.command("upgrade")
def upgrade(
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
    revision: str = typer.Option("head", help="target revision"),
) -> None:
    """Create the tables or migrate them to this version's schema (safe to run again)."""
    from kyc_ocr.store.db import safe_url
    from kyc_ocr.store.db import upgrade as run_upgrade

    url = resolve_db_url(db)
    rev = run_upgrade(url, revision)
    typer.echo(f"{safe_url(url)}: at revision {rev}")


@db_app.command("current")
def current(db: str | None = typer.Option(None, "--db", help=DB_HELP)) -> None:
    """Print the schema revision of the database and the one this version expects."""
    from kyc_ocr.store.db import current_revision, head_revision, make_engine, safe_url

    url = resolve_db_url(db)
    engine = make_engine(url)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    typer.echo(f"{safe_url(url)}: at revision {rev or '(empty)'}; this kyc-ocr expects {head_revision()}")
