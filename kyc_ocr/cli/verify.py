"""`kyc-ocr verify`: decide on one customer (or every customer folder with --all)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from kyc_ocr.cli.app import app, settings_from
from kyc_ocr.domain import Verdict
from kyc_ocr.errors import InputError

STATUS_STYLE = {"PASS": "green", "WARN": "yellow", "FAIL": "bold red", "SKIP": "dim"}
DECISION_STYLE = {"APPROVED": "bold green", "REVIEW": "bold yellow", "REJECTED": "bold red"}


def verdict_json(verdict: Verdict) -> dict:
    """The CONTRACT.md shape of one verdict."""
    data = verdict.to_dict()
    return {
        "customer_id": data["customer_id"], "decision": data["decision"], "reasons": data["reasons"],
        "checks": [{k: c[k] for k in ("name", "status", "score", "detail", "evidence")} for c in data["checks"]],
        "verdict_id": data["verdict_id"], "policy_version": data["policy_version"], "as_of": data["as_of"],
        "supersedes": data["supersedes"],
    }


def print_verdict(console: Console, verdict: Verdict, *, checks: bool = True) -> None:
    style = DECISION_STYLE.get(verdict.decision.value, "")
    console.print(f"[bold]{verdict.customer_id}[/]: [{style}]{verdict.decision.value}[/] "
                  f"(verdict {verdict.verdict_id}, policy {verdict.policy_version}, as of {verdict.as_of})")
    for reason in verdict.reasons:
        console.print(f"  - {reason}")
    if not checks:
        return
    table = Table(show_header=True, header_style="bold", pad_edge=False)
    for col in ("check", "status", "score", "detail"):
        table.add_column(col)
    for check in verdict.checks:
        table.add_row(check.name, f"[{STATUS_STYLE[check.status.value]}]{check.status.value}[/]",
                      f"{check.score:.2f}", check.detail)
    console.print(table)


def _customer_folders(root: Path) -> list[Path]:
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(f"{root}: --all needs one sub-folder per customer, found none")
    return folders


@app.command("verify")
def verify(
    paths: Annotated[list[Path], typer.Argument(help="a customer's documents, or a folder holding them")],
    customer: str | None = typer.Option(None, "--customer", help="customer id (default: the folder's name)"),
    all_customers: bool = typer.Option(False, "--all", help="PATH holds one sub-folder per customer: verify each"),
    db: str | None = typer.Option(None, "--db", help="SQLAlchemy URL (default: KYC_OCR_DB_URL or sqlite)"),
    as_of: str | None = typer.Option(None, "--as-of", help="verification date, YYYY-MM-DD (default today)"),
    engine: str | None = typer.Option(None, "--engine", help="OCR engine: onnx, paddle, tesseract, torch"),
    policy: Annotated[Path | None, typer.Option("--policy", help="policy YAML (default: the shipped policy)")] = None,
    rec_model: Annotated[Path | None, typer.Option("--rec-model", help="fine-tuned recogniser ONNX")] = None,
    as_json: bool = typer.Option(False, "--json", help="print JSON (CONTRACT.md shape)"),
) -> None:
    """Verify a customer's documents: checks, a decision with reasons, stored with an audit trail."""
    from kyc_ocr.verify import Verifier

    verifier = Verifier(settings_from(db_url=db, engine=engine, policy_file=policy, rec_model=rec_model))
    if all_customers:
        if len(paths) != 1 or not paths[0].is_dir():
            raise InputError("--all takes exactly one folder")
        jobs = [(folder.name, [folder]) for folder in _customer_folders(paths[0])]
    else:
        cid = customer or (paths[0].name if len(paths) == 1 and paths[0].is_dir() else None)
        if not cid:
            raise InputError("--customer ID is required when verifying files (or give one customer folder)")
        jobs = [(cid, list(paths))]
    console = Console()
    results = []
    for cid, files in jobs:
        verdict = verifier.verify_profile(cid, files, as_of)
        results.append(verdict)
        if not as_json:
            print_verdict(console, verdict, checks=not all_customers)
    if as_json:
        payload = verdict_json(results[0]) if not all_customers else {"verdicts": [verdict_json(v) for v in results]}
        typer.echo(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    elif all_customers:
        summary = Table("customer", "decision", "reasons", header_style="bold")
        for v in results:
            summary.add_row(v.customer_id, f"[{DECISION_STYLE[v.decision.value]}]{v.decision.value}[/]",
                            "; ".join(v.reasons) or "-")
        console.print(summary)
