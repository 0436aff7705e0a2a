"""MRZ reading on real specimen documents: kyc-ocr against PassportEye, same images, same run.

    .venv/bin/python benchmarks/bench_mrz.py [/work/shared/data/passporteye/testdata] [--engine onnx]

For each image: kyc-ocr decodes it, runs full-page OCR and :func:`kyc_ocr.classify.page_mrz` (MRZ found,
OCR confusions repaired against the check digits); PassportEye runs ``read_mrz`` (its own Tesseract
pipeline). A read counts when the MRZ parses with *every* check digit valid. Prints one row per image
and the totals with the time per document.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

DEFAULT = Path("/work/shared/data/passporteye/testdata")


def ours(paths: list[Path], engine_name: str) -> dict[str, tuple[bool, str, float]]:
    from kyc_ocr.classify import page_mrz
    from kyc_ocr.config import Settings
    from kyc_ocr.errors import KycError
    from kyc_ocr.extract import _load, _prepare, prepare_options
    from kyc_ocr.ocr.registry import get

    engine = get(engine_name)
    settings = Settings()
    out = {}
    for path in paths:
        start = time.perf_counter()
        try:
            pages = engine.read(_prepare(_load(path, settings), prepare_options(engine)))
            cand = page_mrz(pages)
            ok, fmt = (cand.mrz.valid, cand.mrz.format) if cand else (False, "-")
        except KycError as err:
            ok, fmt = False, f"error: {err}"
        out[path.name] = (ok, fmt, time.perf_counter() - start)
    return out


def passporteye(paths: list[Path]) -> dict[str, tuple[bool, str, float]]:
    from passporteye import read_mrz

    out = {}
    for path in paths:
        start = time.perf_counter()
        mrz = read_mrz(str(path))
        ok = bool(mrz is not None and mrz.valid)
        out[path.name] = (ok, mrz.mrz_type if mrz is not None else "-", time.perf_counter() - start)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--engine", default="onnx")
    args = parser.parse_args()
    paths = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))
    if not paths:
        print(f"no images in {args.folder}", file=sys.stderr)
        return 2
    a = ours(paths, args.engine)
    b = passporteye(paths)
    print(f"{'image':24s} {'kyc-ocr':>16s} {'s':>6s} {'passporteye':>16s} {'s':>6s}")
    for p in paths:
        (ok1, f1, t1), (ok2, f2, t2) = a[p.name], b[p.name]
        print(f"{p.name:24s} {('valid ' if ok1 else 'no    ') + f1[:9]:>16s} {t1:6.2f} "
              f"{('valid ' if ok2 else 'no    ') + str(f2)[:9]:>16s} {t2:6.2f}")
    n = len(paths)
    for name, res in (("kyc-ocr (" + args.engine + ")", a), ("passporteye", b)):
        valid = sum(r[0] for r in res.values())
        secs = sum(r[2] for r in res.values()) / n
        print(f"{name:20s} all check digits valid: {valid}/{n}  {secs:.2f} s/document")
    return 0


if __name__ == "__main__":
    sys.exit(main())
