"""`kyc-ocr audit list|show|export|verify`: stored verdicts, their evidence, and the audit trail's integrity."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kyc_ocr.cli.app import app
from kyc_ocr.cli.db import DB_HELP, settings
from kyc_ocr.errors import InputError, IntegrityError

if TYPE_CHECKING:
    from kyc_ocr.store import Store

audit_app = typer.Typer(help="Stored verdicts, their evidence, and the integrity of the audit trail.",
                        no_args_is_help=True)
app.add_typer(audit_app, name="audit")

ANNOTATE_HELP = "write the documents with field boxes coloured by check status to this folder"
_STYLE = {"APPROVED": "green", "REVIEW": "yellow", "REJECTED": "red", "PASS": "green", "WARN": "yellow",
          "FAIL": "red", "SKIP": "dim"}


def _open(db: str | None) -> Store:
    from kyc_ocr.store import Store

    s = settings()
    return Store(db or s.db_url, encryption_key=s.encryption_key, blob_dir=s.blob_dir)


def _console() -> Any:
    from rich.console import Console

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 200)


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Evidence as ``dotted.key: value`` lines for a table cell.

    >>> flatten({"doc": {"sha256": "ab12", "fields": ["surname"]}, "ok": True})
    [('doc.sha256', 'ab12'), ('doc.fields[0]', 'surname'), ('ok', 'True')]
    """
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for k, v in value.items():
            out += flatten(v, f"{prefix}.{k}" if prefix else str(k))
        return out
    if isinstance(value, list) and not all(isinstance(v, int | float) for v in value):
        return [pair for i, v in enumerate(value) for pair in flatten(v, f"{prefix}[{i}]")]
    return [(prefix, json.dumps(value, ensure_ascii=False) if isinstance(value, list) else str(value))]


@audit_app.command("list")
def list_(
    customer: str | None = typer.Option(None, "--customer", help="only this customer's verdicts"),
    limit: int = typer.Option(100, min=1, help="newest N verdicts"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Stored verdicts, newest first."""
    from rich.table import Table

    with _open(db) as store:
        rows = store.list_verdicts(customer_id=customer, limit=limit)
    table = Table(title=f"{len(rows)} verdict(s)")
    for col in ("created (UTC)", "verdict", "customer", "decision", "failed/checks", "policy", "as of", "supersedes"):
        table.add_column(col)
    for r in rows:
        table.add_row(r.created_at[:19].replace("T", " "), r.verdict_id, r.customer_id,
                      f"[{_STYLE[r.decision]}]{r.decision}[/]", f"{r.failed}/{r.checks}", r.policy_version, r.as_of,
                      r.supersedes or "")
    _console().print(table)


@audit_app.command("show")
def show(
    verdict_id: str = typer.Argument(..., help="the verdict id (see `kyc-ocr audit list`)"),
    annotate: Annotated[Path | None, typer.Option("--annotate", help=ANNOTATE_HELP)] = None,
    fields: bool = typer.Option(False, "--fields", help="also print the stored field values (personal data)"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """One verdict: decision, reasons, documents and every check with its evidence."""
    from rich.table import Table

    with _open(db) as store:
        verdict = store.get_verdict(verdict_id)
        files = store.document_files(verdict_id) if annotate else {}
    console = _console()
    d = verdict.decision.value
    console.print(f"[bold]verdict[/] {verdict.verdict_id}  customer [bold]{verdict.customer_id}[/]  "
                  f"[{_STYLE[d]}]{d}[/]")
    console.print(f"created {verdict.created_at}  policy {verdict.policy_version}  as of {verdict.as_of}"
                  + (f"  supersedes {verdict.supersedes}" if verdict.supersedes else ""))
    for reason in verdict.reasons:
        console.print(f"  - {reason}")
    docs = Table(title="documents")
    for col in ("#", "type", "template", "sha256", "source", "fields"):
        docs.add_column(col)
    for n, doc in enumerate(verdict.documents, 1):
        tpl = f"{doc.template.template_id}@{doc.template.version}" if doc.template else ""
        docs.add_row(str(n), doc.document_type, tpl, doc.sha256[:12], Path(doc.source).name, str(len(doc.fields)))
    console.print(docs)
    if fields:
        ft = Table(title="fields")
        for col in ("#", "name", "value", "raw", "conf", "source", "page", "box"):
            ft.add_column(col)
        for n, doc in enumerate(verdict.documents, 1):
            for f in doc.fields.values():
                box = ",".join(f"{v:.0f}" for v in f.box) if f.box else ""
                ft.add_row(str(n), f.name, f.value, f.raw, f"{f.confidence:.3f}", f.source.value, str(f.page), box)
        console.print(ft)
    checks = Table(title="checks", show_lines=True)
    for col in ("check", "status", "score", "detail", "evidence"):
        checks.add_column(col, overflow="fold")
    for c in verdict.checks:
        evidence = "\n".join(f"{k}: {v}" for k, v in flatten(c.evidence))
        checks.add_row(c.name, f"[{_STYLE[c.status.value]}]{c.status.value}[/]", f"{c.score:.3f}", c.detail, evidence)
    console.print(checks)
    if annotate is not None:
        from kyc_ocr.store.annotate import annotate as draw

        written = draw(verdict, files, annotate, dpi=settings().pdf_dpi)
        for path in written:
            console.print(f"wrote {path}")
        if len(written) == 0:
            raise InputError("no document of this verdict is on disk to annotate (set KYC_OCR_BLOB_DIR to keep copies)")


def _verdict_json(v: Any) -> dict[str, Any]:
    return {
        "verdict_id": v.verdict_id, "customer_id": v.customer_id, "decision": v.decision.value,
        "created_at": v.created_at, "supersedes": v.supersedes, "policy_version": v.policy_version,
        "as_of": v.as_of, "reasons": list(v.reasons), "checks": [c.to_dict() for c in v.checks],
    }


@audit_app.command("export")
def export(
    fmt: str = typer.Option("json", "--format", help="json or csv"),
    customer: str | None = typer.Option(None, "--customer", help="only this customer's verdicts"),
    out: Annotated[Path | None, typer.Option("--out", help="write here instead of standard output")] = None,
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Every stored verdict with its checks: JSON {"verdicts": [...]}, or CSV with one row per verdict."""
    if fmt not in ("json", "csv"):
        raise InputError(f"--format must be json or csv, not {fmt!r}")
    with _open(db) as store:
        verdicts = [_verdict_json(v) for v in store.iter_verdicts(customer)]
    stream = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        if fmt == "json":
            json.dump({"verdicts": verdicts}, stream, ensure_ascii=False, indent=2)
            stream.write("\n")
        else:
            cols = ["verdict_id", "customer_id", "decision", "created_at", "supersedes", "policy_version", "as_of",
                    "reasons", "checks", "failed_checks", "warned_checks"]
            writer = csv.DictWriter(stream, fieldnames=cols)
            writer.writeheader()
            for v in verdicts:
                writer.writerow({
                    **{k: v[k] or "" for k in cols[:7]},
                    "reasons": "; ".join(v["reasons"]),
                    "checks": len(v["checks"]),
                    "failed_checks": ";".join(c["name"] for c in v["checks"] if c["status"] == "FAIL"),
                    "warned_checks": ";".join(c["name"] for c in v["checks"] if c["status"] == "WARN"),
                })
    finally:
        if out:
            stream.close()


@audit_app.command("verify")
def verify(
    expect: str | None = typer.Option(None, "--expect", help="a head hash printed earlier: it must still be there"),
    db: str | None = typer.Option(None, "--db", help=DB_HELP),
) -> None:
    """Recompute the hash chain and cross-check every verdict; exit 7 at the first broken event."""
    with _open(db) as store:
        report = store.verify_audit(expect_hash=expect)
    for note in report.notes:
        typer.echo(f"note: {note}", err=True)
    if not report.ok:
        for problem in report.problems[1:]:
            typer.echo(f"also: {problem}", err=True)
        raise IntegrityError(f"audit trail broken: {report.problems[0]}")
    typer.echo(f"audit trail intact: {report.events} events, head #{report.head_id} {report.head_hash}")
