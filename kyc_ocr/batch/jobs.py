"""What a batch is made of: one job per customer, from a folder tree or a manifest CSV.

A folder: one sub-folder per customer (its name is the customer id), the
documents inside. A manifest CSV: a header with ``customer_id`` and ``files``
(several files separated by ``;``, relative to the CSV's folder), or one row per
file with the same customer id repeated.

>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp())
>>> _ = (root / "m.csv").write_text("customer_id,files\\nc1,a.png;b.pdf\\nc2,c.png\\nc1,d.jpg\\n")
>>> [(j.customer_id, [p.name for p in j.files]) for j in read_manifest(root / "m.csv")]
[('c1', ['a.png', 'b.pdf', 'd.jpg']), ('c2', ['c.png'])]
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from kyc_ocr.errors import InputError
from kyc_ocr.verify import documents_in

MAX_MANIFEST_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Job:
    """One customer to verify: its id and its document files (paths travel to workers, not bytes), and
    the verification date the worker's re-reads are planned for (set by the runner)."""

    customer_id: str
    files: tuple[Path, ...]
    as_of: dt.date | None = None


def read_manifest(path: Path) -> list[Job]:
    """Jobs from a CSV manifest, in first-appearance order."""
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise InputError(f"{path}: manifest larger than {MAX_MANIFEST_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the manifest ({err})") from None
    rows = csv.DictReader(text.splitlines())
    if not rows.fieldnames or not {"customer_id", "files"} <= set(rows.fieldnames):
        raise InputError(f"{path}: the manifest needs a header with 'customer_id' and 'files'")
    files: dict[str, list[Path]] = {}
    for n, row in enumerate(rows, start=2):
        cid = (row.get("customer_id") or "").strip()
        names = [f.strip() for f in (row.get("files") or "").split(";") if f.strip()]
        if not cid or not names:
            raise InputError(f"{path}:{n}: a row needs a customer_id and at least one file")
        files.setdefault(cid, []).extend(path.parent / name for name in names)
    return [Job(cid, tuple(fs)) for cid, fs in files.items()]


def discover(source: Path) -> list[Job]:
    """Jobs from a folder of customer folders or from a manifest CSV, sorted for a stable order."""
    if source.is_file():
        return read_manifest(source)
    if not source.is_dir():
        raise InputError(f"{source}: not a folder or a manifest CSV")
    folders = sorted(p for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(f"{source}: no customer sub-folders")
    return [Job(folder.name, tuple(documents_in(folder))) for folder in folders]
