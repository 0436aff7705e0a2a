"""Draw a verdict's field boxes on its documents, coloured by the checks that looked at them.

A check "looks at" a field when its evidence names it: a ``fields`` mapping
(or list of names), a ``field`` name, or a field reference with ``name`` and
``box`` (:func:`kyc_ocr.checks.base.field_ref`), under a document reference
whose ``sha256`` (full or its first 12 digits) says which document. A field
takes the worst status of the checks that name it (FAIL > WARN > PASS > SKIP);
fields no check names are drawn blue.

>>> ev = {"sha256": "abcdef012345", "fields": {"surname": {"value": "X"}}, "other": [{"field": "sex"}]}
>>> sorted(mentions(ev))
[('abcdef012345', 'sex'), ('abcdef012345', 'surname')]
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kyc_ocr.domain import ExtractedDocument, Status, Verdict
from kyc_ocr.errors import InputError, StoreError

log = logging.getLogger(__name__)

COLOURS = {Status.FAIL: (220, 30, 30), Status.WARN: (235, 150, 0), Status.PASS: (20, 160, 60),
           Status.SKIP: (140, 140, 140), None: (40, 90, 220)}
_RANK = {Status.SKIP: 0, Status.PASS: 1, Status.WARN: 2, Status.FAIL: 3}


def mentions(evidence: Any, sha: str | None = None) -> Iterator[tuple[str | None, str]]:
    """(document sha256 or prefix, field name) pairs named anywhere in a check's evidence."""
    if isinstance(evidence, list):
        for item in evidence:
            yield from mentions(item, sha)
        return
    if not isinstance(evidence, dict):
        return
    if isinstance(evidence.get("sha256"), str):
        sha = evidence["sha256"]
    fields = evidence.get("fields")
    if isinstance(fields, dict):
        yield from ((sha, str(k)) for k in fields)
    elif isinstance(fields, list):
        yield from ((sha, k) for k in fields if isinstance(k, str))
    if isinstance(evidence.get("field"), str):
        yield sha, evidence["field"]
    if isinstance(evidence.get("name"), str) and "box" in evidence:
        yield sha, evidence["name"]
    for value in evidence.values():
        if isinstance(value, dict | list):
            yield from mentions(value, sha)


def field_status(verdict: Verdict, doc: ExtractedDocument) -> dict[str, Status]:
    """Worst status per field of ``doc`` among the checks whose evidence names it."""
    out: dict[str, Status] = {}
    for check in verdict.checks:
        for sha, name in set(mentions(check.evidence)):
            mine = name in doc.fields and (sha is None or doc.sha256.startswith(sha))
            if mine and (name not in out or _RANK[check.status] > _RANK[out[name]]):
                out[name] = check.status
    return out


def _pages(path: Path, dpi: int) -> list[Any]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    if path.suffix.lower() == ".pdf":
        import pypdfium2 as pdfium  # type: ignore[import-untyped]

        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as err:
            raise InputError(f"{path.name}: cannot open the PDF ({err})") from err
        try:
            return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in range(len(pdf))]
        finally:
            pdf.close()
    try:
        with Image.open(path) as img:
            frames = []
            for i in range(getattr(img, "n_frames", 1)):
                img.seek(i)
                frames.append(ImageOps.exif_transpose(img).convert("RGB"))
            return frames
    except (UnidentifiedImageError, OSError) as err:
        raise InputError(f"{path.name}: cannot open the image ({err})") from err


def annotate(verdict: Verdict, files: dict[str, Path | None], out_dir: Path, *, dpi: int = 200) -> list[Path]:
    """Write one PNG per document page that has fields; returns the files written."""
    from PIL import ImageDraw

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(f"cannot create {out_dir}: {err.strerror or err}") from err
    written: list[Path] = []
    for n, doc in enumerate(verdict.documents, 1):
        path = files.get(doc.sha256)
        if path is None:
            log.warning("document %d (%s...) is not on disk: no blob copy and its source is gone", n, doc.sha256[:12])
            continue
        status = field_status(verdict, doc)
        pages = _pages(path, dpi)
        for page_no, image in enumerate(pages, 1):
            on_page = [f for f in doc.fields.values() if f.page == page_no and f.box]
            if not on_page and page_no > 1:
                continue
            draw = ImageDraw.Draw(image)
            for f in on_page:
                colour = COLOURS[status.get(f.name)]
                x0, y0, x1, y1 = f.box  # type: ignore[misc]
                draw.rectangle((x0, y0, x1, y1), outline=colour, width=3)
                label = f"{f.name} {status[f.name].value}" if f.name in status else f.name
                draw.text((x0, max(0.0, y0 - 12)), label, fill=colour)
            target = out_dir / f"{verdict.verdict_id}-{n}-{doc.sha256[:12]}-p{page_no}.png"
            image.save(target)
            written.append(target)
    return written
