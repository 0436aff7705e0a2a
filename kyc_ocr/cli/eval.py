"""`kyc-ocr eval DATASET_DIR`: accuracy of OCR, field extraction and verdicts against ground truth."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kyc_ocr.cli.app import app
from kyc_ocr.errors import ConfigError


def _settings(**overrides: Any) -> Any:
    """Settings from the environment plus the command's options; a bad value is a one-line ConfigError."""
    from pydantic import ValidationError

    from kyc_ocr.config import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "settings"
        raise ConfigError(f"{where}: {first.get('msg', 'invalid value')}") from None


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
    dataset_dir: Path = typer.Argument(..., help="dataset made by 'kyc-ocr samples generate' (docs/DATASET.md)"),
    engine: str | None = typer.Option(None, "--engine", help="OCR engine: onnx, paddle, tesseract, torch, replay"),
    rec_model: str | None = typer.Option(None, "--rec-model", help="fine-tuned recogniser ONNX to use instead"),
    device: str | None = typer.Option(None, "--device", help="cpu, cuda or cuda:N"),
    split: str = typer.Option("test", "--split", help="train, val, test or all"),
    stages: str = typer.Option("ocr,fields,verdicts", "--stages", help="comma-separated: ocr, fields, verdicts"),
    preset: list[str] = typer.Option([], "--preset", help="only documents of this augmentation preset (repeat)"),
    limit: int | None = typer.Option(None, "--limit", min=1, help="at most this many customers"),
    as_json: bool = typer.Option(False, "--json", help="print the full report as JSON"),
    report_dir: Path | None = typer.Option(None, "--report", help="write report.md, report.json and PNG plots here"),
) -> None:
    """Measure accuracy against the dataset's ground truth (CER/WER, detection Hmean/mAP, fields, verdicts)."""
    from kyc_ocr.eval import evaluate

    settings = _settings(engine=engine, rec_model=rec_model, device=device)
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

    console = Console()
    console.print(Markdown(to_markdown(report)))
    for path in written:
        console.print(f"wrote {path}")
