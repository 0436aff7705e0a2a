"""Command line: the one place that parses arguments and maps errors to exit codes.

Every module in this package (other than ``app``) holds one command or command
group and registers it on :data:`kyc_ocr.cli.app.app` when imported.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from kyc_ocr.cli.app import app
from kyc_ocr.errors import ExitCode, KycError


def _load_commands() -> None:
    for info in pkgutil.iter_modules(__path__):
        if info.name != "app" and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the process exit code (see :class:`~kyc_ocr.errors.ExitCode`)."""
    _load_commands()
    try:
        result = app(args=argv, prog_name="kyc-ocr", standalone_mode=False)
    except KycError as err:
        typer.echo(f"kyc-ocr: error: {err}", err=True)
        return int(err.exit_code)
    except typer.Exit as done:
        return int(done.exit_code)
    except typer.TyperException as err:  # usage errors: bad option, missing argument
        show = getattr(err, "show", None)
        if callable(show):
            show()
        else:
            typer.echo(f"kyc-ocr: error: {err.format_message()}", err=True)
        return int(ExitCode.BAD_INPUT)
    except (typer.Abort, KeyboardInterrupt):
        typer.echo("kyc-ocr: interrupted", err=True)
        return 130
    return int(result) if isinstance(result, int) else 0


def run() -> None:  # console-script entry point
    sys.exit(main())


__all__ = ["app", "main", "run"]
