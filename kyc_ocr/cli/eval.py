"""`kyc-ocr eval DATASET_DIR`: accuracy of OCR, field extraction and verdicts against ground truth."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from kyc_ocr.cli.app import app, settings_from


def engine_options(settings: Any, engine: str) -> dict[str, Any]:
    """Constructor options every registered engine accepts, taken from the settings."""
    options: dict[str, Any] = {"device": settings.device, "threads": settings.threads}
    if settings.rec_model:
        options["rec_model"] = settings.rec_model
    if engine == "replay" and settings.ocr_recordings is not None:
        options["recordings"] = str(settings.ocr_recordings)
    return options


@app.command("eval")
def eval_command(
    dataset_dir: Annotated[Path, typer.Argument(help="dataset made by 'kyc-ocr samples generate' (docs/DATASET.md)")],
    engine: Annotated[str | None, typer.Option(help="OCR engine: onnx, paddle, tesseract, torch, replay")] = None,
    rec_model: Annotated[str | None, typer.Option(help="fine-tuned recogniser ONNX to use instead")] = None,
    device: Annotated[str | None, typer.Option(help="cpu, cuda or cuda:N")] = None,
    split: Annotated[str, typer.Option(help="train, val, test or all")] = "test",
    stages: Annotated[str, typer.Option(help="comma-separated: ocr, fields, verdicts")] = "ocr,fields,verdicts",
    preset: Annotated[list[str] | None, typer.Option(help="only documents of this augmentation preset (repeat)")
                      ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="at most this many customers")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the full report as JSON")] = False,
    report_dir: Annotated[Path | None, typer.Option("--report", help="write report.md, report.json and PNG plots here")
                          ] = None,
) -> None:
    """Measure accuracy against the dataset's ground truth (CER/WER, detection Hmean/mAP, fields, verdicts)."""
    from kyc_ocr.eval import evaluate

    settings = settings_from(engine=engine, rec_model=rec_model, device=device)
    report = evaluate(
        dataset_dir,
        engine=settings.engine,
        stages=tuple(s.strip() for s in stages.split(",") if s.strip()),
        split=None if split == "all" else split,
        presets=preset or None,
        limit=limit,
        settings=settings,
        engine_options=engine_options(settings, settings.engine),
    )
    written = report.write(report_dir) if report_dir is not None else []
    if as_json:
        typer.echo(report.to_json())
        return
    from rich.console import Console
    from rich.markdown import Markdown

    from kyc_ocr.eval.markdown import to_markdown

    console = Console(width=None if sys.stdout.isatty() else 200)  # piped: keep the wide tables on one line
    console.print(Markdown(to_markdown(report)))
    for path in written:
        console.print(f"wrote {path}")
