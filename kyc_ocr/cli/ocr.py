"""`kyc-ocr ocr FILE...`: read the text of documents with an OCR engine.

``--json`` prints ``{"pages": [{"source", "page", "width", "height", "lines": [{"text", "confidence",
"quad"}], ...}]}`` (quads in pixels of the file as sent); the output is also a valid recording for the
``replay`` engine. Without it, a table per page.
"""

from __future__ import annotations

import importlib.util
import json
import logging
from pathlib import Path
from typing import Annotated, Any

import typer

from kyc_ocr.cli.app import app, settings_from
from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

ENGINE_HELP = "onnx (default), paddle, tesseract, torch, replay (KYC_OCR_ENGINE)"
ANNOTATE_HELP = "write each page with the boxes and text found to this PNG (OUT-p2.png ... for more pages)"


def _decode(path: Path) -> list[Any]:
    """Fallback loader while :mod:`kyc_ocr.io` is not installed: one RGB page per image file."""
    import hashlib

    import cv2
    import numpy as np

    from kyc_ocr.domain import PageImage

    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read ({err.strerror})") from err
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise InputError(f"{path}: not an image this build can decode")
    return [PageImage(np.ascontiguousarray(image[:, :, ::-1]), str(path), 1, hashlib.sha256(data).hexdigest())]


def load_pages(files: list[Path], settings: Any) -> tuple[list[Any], list[Any]]:
    """``(decoded, prepared)`` pages: :func:`kyc_ocr.io.load` then :func:`kyc_ocr.preprocess.prepare`."""
    if importlib.util.find_spec("kyc_ocr.io") is not None:
        from kyc_ocr.io import load

        decoded = list(load([str(f) for f in files], settings))
    else:
        decoded = [page for f in files for page in _decode(f)]
    prepared = decoded
    if importlib.util.find_spec("kyc_ocr.preprocess") is not None:
        from kyc_ocr.preprocess import prepare

        prepared = list(prepare(decoded))
    return decoded, prepared


def _table(page: Any) -> Any:
    from rich.table import Table

    table = Table(title=f"{page.source} - page {page.page} ({page.width}x{page.height}, {page.engine})")
    table.add_column("#", justify="right")
    table.add_column("text")
    table.add_column("conf", justify="right")
    table.add_column("box (x0, y0, x1, y1)")
    for i, line in enumerate(page.lines, 1):
        box = ", ".join(f"{v:.0f}" for v in line.bbox)
        table.add_row(str(i), line.text, f"{line.confidence:.3f}", box, style=None if line.confidence >= 0.8 else "red")
    return table


@app.command("ocr")
def ocr(
    files: Annotated[list[Path], typer.Argument(help="images or PDFs to read")],
    engine: Annotated[str | None, typer.Option("--engine", help=ENGINE_HELP)] = None,
    device: Annotated[str | None, typer.Option("--device", help="cpu (default), cuda or cuda:N")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
    annotate: Annotated[Path | None, typer.Option("--annotate", help=ANNOTATE_HELP)] = None,
) -> None:
    """Detect and recognise the text lines of each page."""
    from kyc_ocr.ocr import annotate as drawing
    from kyc_ocr.ocr.registry import from_settings
    from kyc_ocr.ocr.replay import page_record

    settings = settings_from(engine=engine, device=device)
    reader = from_settings(settings)
    decoded, prepared = load_pages(files, settings)
    pages = reader.read(prepared)
    originals = [
        drawing.to_original(page, image.transform, image.orig_size or (source.width, source.height))
        for page, image, source in zip(pages, prepared, decoded)
    ]
    if annotate is not None:
        for path, page, source in zip(drawing.page_paths(annotate, len(originals)), originals, decoded):
            drawing.save(drawing.draw(source.image, page), path)
            log.info("annotated page written to %s", path)
    if as_json:
        records = [page_record(page, image.sha256) for page, image in zip(originals, decoded)]
        typer.echo(json.dumps({"pages": records}, ensure_ascii=False))
        return
    from rich.console import Console

    console = Console()
    for page in originals:
        console.print(_table(page))
