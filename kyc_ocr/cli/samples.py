"""``kyc-ocr samples ...``: synthetic KYC documents with ground truth.

Other commands of the group (e.g. training crops) can register on :data:`samples_app`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from kyc_ocr.cli.app import app
from kyc_ocr.errors import InputError

samples_app = typer.Typer(help="Synthetic KYC documents with exact ground truth.", no_args_is_help=True)
app.add_typer(samples_app, name="samples")


@samples_app.command("generate")
def generate_cmd(
    out: str = typer.Option(..., "--out", help="output folder (one sub-folder per customer)"),
    count: int = typer.Option(10, "--count", help="number of customers"),
    seed: int = typer.Option(0, "--seed", help="random seed; the same seed gives byte-identical files"),
    presets: str = typer.Option("clean,scan,photo", "--presets", help="comma-separated: clean, scan, photo"),
    workers: int = typer.Option(1, "--workers", help="worker processes"),
    fault_rate: float = typer.Option(0.4, "--fault-rate", help="share of customers with one labelled fault"),
    all_faults: bool = typer.Option(False, "--all-faults", help="cycle through every fault kind instead"),
    as_of: str = typer.Option("2026-06-30", "--as-of", help="verification date the expected decisions assume"),
    as_json: bool = typer.Option(False, "--json", help="print the run summary as JSON"),
) -> None:
    """Generate customers (ID document, proof of address, application form) with ground truth."""
    from kyc_ocr.synth import PlanConfig, generate

    try:
        day = date.fromisoformat(as_of)
    except ValueError as err:
        raise InputError(f"--as-of must be an ISO date (YYYY-MM-DD), got {as_of!r}") from err
    if workers < 1:
        raise InputError(f"--workers must be at least 1, got {workers}")
    if not 0.0 <= fault_rate <= 1.0:
        raise InputError(f"--fault-rate must be between 0 and 1, got {fault_rate}")
    names = tuple(p.strip() for p in presets.split(",") if p.strip())
    cfg = PlanConfig(seed=seed, presets=names, fault_rate=fault_rate, all_faults=all_faults, as_of=day)
    stats = generate(Path(out), count, cfg, workers=workers)
    summary = {"out": str(out), "customers": stats.customers, "documents": stats.documents,
               "seconds": round(stats.seconds, 2), "documents_per_second": round(stats.documents_per_second, 2)}
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(f"{stats.customers} customers, {stats.documents} documents in {stats.seconds:.1f} s "
                   f"({stats.documents_per_second:.1f} documents/s) -> {out}")
