"""`kyc-ocr batch`: verify many customers, with live progress, resumable after any interruption."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from kyc_ocr.cli.app import app, settings_from
from kyc_ocr.errors import ExitCode

PLAIN_EVERY_S = 10.0


class _Reporter:
    """A live bar on a terminal; a plain line every few seconds otherwise (logs, CI)."""

    def __init__(self, total: int, console: Console) -> None:
        self.total, self.console = total, console
        self.done = self.docs = self.failed = 0
        self.started = self.last = time.monotonic()
        self.bar: Progress | None = None
        if console.is_terminal:
            self.bar = Progress(TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[docs]} docs, {task.fields[rate]:.2f} docs/s, "
                                           "[red]{task.fields[failed]} failed"),
                                TimeElapsedColumn(), TimeRemainingColumn(), console=console)
            self.task = self.bar.add_task("batch", total=total, docs=0, rate=0.0, failed=0)
            self.bar.start()

    def update(self, item) -> None:
        self.done += 1
        self.docs += item.documents if item.status == "verified" else 0
        self.failed += item.status.startswith("failed")
        rate = self.docs / max(time.monotonic() - self.started, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, docs=self.docs, rate=rate, failed=self.failed)
        elif time.monotonic() - self.last >= PLAIN_EVERY_S or self.done == self.total:
            self.last = time.monotonic()
            remaining = (self.total - self.done) * (time.monotonic() - self.started) / max(self.done, 1)
            self.console.print(f"batch: {self.done}/{self.total} customers, {self.docs} docs, {rate:.2f} docs/s, "
                               f"{self.failed} failed, ETA {remaining:.0f} s", highlight=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _print_summary(console: Console, summary: dict) -> None:
    table = Table(title="batch summary", header_style="bold")
    table.add_column("what")
    table.add_column("value", justify="right")
    for status, n in summary["statuses"].items():
        table.add_row(f"customers {status}", str(n))
    for decision, n in summary["decisions"].items():
        table.add_row(f"  {decision}", str(n))
    table.add_row("documents verified", str(summary["documents_verified"]))
    table.add_row("wall time (s)", f"{summary['seconds']:.1f}")
    table.add_row("documents/s", f"{summary['documents_per_second'] or 0:.2f}")
    total = sum(summary["stage_seconds"].values()) or 1.0
    for name, sec in summary["stage_seconds"].items():
        table.add_row(f"time in {name}", f"{sec:.1f} s ({sec / total:.0%})")
    console.print(table)
    for failure in summary["failures"][:20]:
        console.print(f"[red]failed[/] {failure['customer_id']}: {failure['error']}", highlight=False)


@app.command("batch")
def batch(
    source: Annotated[Path, typer.Argument(help="a folder with one sub-folder per customer, or a manifest CSV")],
    workers: int = typer.Option(2, "--workers", help="worker processes (0 = in this process)"),
    db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL (default: KYC_OCR_DB_URL or sqlite)"),
    as_of: str | None = typer.Option(None, "--as-of", help="verification date YYYY-MM-DD (default today)"),
    ray: str | None = typer.Option(None, "--ray", help="run on Ray: 'local' or a cluster address"),
    retry_failed: bool = typer.Option(False, "--retry-failed", help="run customers that failed before again"),
    engine: str | None = typer.Option(None, "--engine", help="OCR engine name"),
    as_json: bool = typer.Option(False, "--json", help="print the summary as JSON on stdout"),
) -> None:
    """Verify every customer of a set; safe to kill and run again (exactly-once, in one DB)."""
    from kyc_ocr.batch import BatchOptions, BatchRunner, discover, summarize
    from kyc_ocr.verify import Verifier, parse_as_of

    verifier = Verifier(settings_from(db_url=db, engine=engine))
    jobs = discover(source)
    opts = BatchOptions(workers=workers, as_of=parse_as_of(as_of), retry_failed=retry_failed, ray_address=ray)
    console = Console(stderr=True)
    reporter = _Reporter(len(jobs), console)
    started, items = time.perf_counter(), []
    try:
        for item in BatchRunner(verifier, opts).run(jobs):
            items.append(item)
            reporter.update(item)
    finally:
        reporter.close()
    summary = summarize(items, time.perf_counter() - started)
    if as_json:
        sys.stdout.write(json.dumps(summary, indent=1) + "\n")
    else:
        _print_summary(Console(), summary)
    if any(it.status == "failed" for it in items):
        raise typer.Exit(code=int(ExitCode.PARTIAL))
