"""`kyc-ocr train recognizer`: fine-tune the recogniser on synthetic field crops."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kyc_ocr.cli.app import app

train_app = typer.Typer(help="Fine-tune OCR models on synthetic documents (needs the [torch] extra).",
                        no_args_is_help=True)
app.add_typer(train_app, name="train")


@train_app.command("recognizer")
def recognizer(
    out: Annotated[Path, typer.Option("--out", help="run folder: checkpoints, recognizer.onnx, manifest, report")],
    steps: int = typer.Option(120, help="optimisation steps in all (three stages: 50/30/20%)"),
    batch_size: int = typer.Option(16, help="crops per step"),
    lr: float = typer.Option(3e-5, help="first-stage learning rate (AdamW); 1e-4 degraded held-out CER here"),
    general_share: float = typer.Option(0.4, help="share of general text mixed in against forgetting"),
    document_share: float = typer.Option(0.5, help="share of batches cut from augmented synthetic documents"),
    heldout: int = typer.Option(240, help="held-out crops per evaluation set"),
    extra_chars: str = typer.Option("", help="characters to add to the CTC head, e.g. Cyrillic"),
    seed: int = typer.Option(0),
    threads: int = typer.Option(0, help="torch threads; 0 = all cores"),
    device: str = typer.Option("cpu", help="cpu or cuda"),
    fresh: bool = typer.Option(False, "--fresh", help="ignore a checkpoint in --out instead of resuming"),
) -> None:
    """Fine-tune PP-OCRv6's recogniser; resumable (run the same command again after an interruption)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from kyc_ocr.train import TrainOptions, train_recognizer

    opts = TrainOptions(out_dir=out, steps=steps, batch_size=batch_size, lr=lr, general_share=general_share,
                        document_share=document_share,
                        heldout_size=heldout, extra_chars=extra_chars, seed=seed, threads=threads, device=device)
    with Progress(TextColumn("[bold]training"), BarColumn(), TextColumn("{task.completed}/{task.total} steps"),
                  TextColumn("loss {task.fields[loss]:.3f}"), TimeElapsedColumn(), TimeRemainingColumn(),
                  transient=False) as bar:
        task = bar.add_task("train", total=steps, loss=float("nan"))

        def progress(step: int, total: int, loss: float) -> None:
            bar.update(task, completed=step, total=total, loss=loss)

        report = train_recognizer(opts, progress, resume=not fresh)
    typer.echo((out / "report.md").read_text())
    typer.echo(f"model: {out / 'recognizer.onnx'} (use --rec-model {out / 'recognizer.onnx'})")
    if report["resumed"]:
        typer.echo("(resumed from an earlier checkpoint)")
