"""The Typer application every command module adds itself to."""

from __future__ import annotations

import logging
from typing import Any

import typer

from kyc_ocr.errors import ConfigError

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


def settings_from(**overrides: Any) -> Any:
    """Settings from the environment plus the command's options (``None`` = not given).

    A bad value is a one-line :class:`~kyc_ocr.errors.ConfigError` naming the setting.
    """
    from pydantic import ValidationError

    from kyc_ocr.config import Settings

    given: dict[str, Any] = {k: (str(v) if hasattr(v, "__fspath__") and k == "rec_model" else v)
                             for k, v in overrides.items() if v is not None}
    try:
        return Settings(**given)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise ConfigError(f"{where}: {first.get('msg', 'invalid value')}") from None
