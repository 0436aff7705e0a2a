"""`kyc-ocr extract FILE...`: classify documents and extract their fields.

``--json`` prints ``{"documents": [{"source", "template", "document_type", "fields": {NAME: {"value", "raw",
"confidence", "source", "page", "box"}}, "checks": []}]}`` (CONTRACT.md). ``checks`` is empty here: the
in-document checks are run by ``kyc-ocr verify``. Without ``--json``, a table per document.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from kyc_ocr.cli.app import app, settings_from

log = logging.getLogger(__name__)


def _table(doc: Any) -> Any:
    from rich.table import Table

    tm = doc.template
    title = f"{doc.source} - {doc.document_type}"
    if tm is not None:
        title += f" ({tm.template_id}, score {tm.score:.2f})"
    table = Table(title=title, caption=tm.reason if tm is not None else None)
    for column, justify in (("field", "left"), ("value", "left"), ("raw", "left"), ("conf", "right"),
                            ("source", "left"), ("page", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for name, f in doc.fields.items():
        table.add_row(name, f.value, f.raw.replace("\n", " | "), f"{f.confidence:.2f}", f.source.value, str(f.page),
                      style=None if f.confidence >= 0.8 else "red")
    return table


@app.command("extract")
def extract_cmd(
    files: Annotated[list[Path], typer.Argument(help="images or PDFs, one document each")],
    template: str | None = typer.Option(None, "--template", help="force this template id (default: classify)"),
    engine: str | None = typer.Option(None, "--engine", help="onnx (default), paddle, tesseract, torch, replay"),
    device: str | None = typer.Option(None, "--device", help="cpu (default), cuda or cuda:N"),
    fast: bool = typer.Option(False, "--fast", help="template-guided speed path: read only the layout's zones"),
    rec_model: Annotated[Path | None, typer.Option("--rec-model", help="fine-tuned recogniser ONNX (kyc-ocr train)")
                         ] = None,
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of tables"),
) -> None:
    """Classify each document and extract its fields (normalised values, raw text, confidence, source)."""
    from kyc_ocr.extract import extract

    settings = settings_from(engine=engine, device=device, rec_model=rec_model)
    docs = extract([str(f) for f in files], template=template, settings=settings, fast=fast)
    if as_json:
        out = []
        for doc in docs:
            data = doc.to_dict()
            out.append({k: data[k] for k in ("source", "template", "document_type", "fields", "checks")})
        typer.echo(json.dumps({"documents": out}, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console()
    for doc in docs:
        console.print(_table(doc))
