"""The Typer application every command module adds itself to."""

from __future__ import annotations

import logging

import typer

app = typer.Typer(
    name="kyc-ocr",
    help="Offline KYC document verification: OCR, field extraction, checks, verdicts, audit.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="-v for INFO, -vv for DEBUG logs"),
) -> None:
    """Offline KYC document verification."""
    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
