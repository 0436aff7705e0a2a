"""Re-record the OCR that the batch tests replay (run from the repository root; needs the onnx engine).

    .venv/bin/python tests/data/batch/record.py

Reads each listed sample customer with the real ONNX engine through
:class:`kyc_ocr.ocr.replay.Recorder`, one sub-folder per customer (sample file
names repeat across customers; the replay engine matches pages by SHA-256).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from kyc_ocr.config import Settings
from kyc_ocr.extract import extract
from kyc_ocr.ocr import registry
from kyc_ocr.ocr.replay import Recorder
from kyc_ocr.verify import documents_in

CUSTOMERS = ("cust-2026-00003", "cust-2026-00008", "cust-2026-00009", "cust-2026-00010")
HERE = Path(__file__).resolve().parent


def main() -> None:
    settings = Settings(engine="onnx", threads=1)
    engine = registry.from_settings(settings)
    out = HERE / "ocr"
    shutil.rmtree(out, ignore_errors=True)
    for cid in CUSTOMERS:
        files = documents_in(HERE.parents[2] / "samples" / cid)
        docs = extract([str(f) for f in files], settings=settings, engine=Recorder(engine, out / cid))
        print(cid, [d.document_type for d in docs], file=sys.stderr)


if __name__ == "__main__":
    main()
