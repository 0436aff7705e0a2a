"""OCR (rapidocr PP-OCRv6) + find_mrz + parse_mrz on the PassportEye specimen images; prints a summary."""
import glob

import numpy as np
from PIL import Image
from rapidocr import RapidOCR

from kyc_ocr.domain import TextLine
from kyc_ocr.extract.mrz_locate import find_mrz

eng = RapidOCR()
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/data/passporteye"
files = sorted(glob.glob(root + "/tests_data/*") + glob.glob(root + "/testdata/*"))
found = valid = 0; rep = 0
for f in files:
    img = np.array(Image.open(f).convert("RGB"))
    if max(img.shape[:2]) < 1000:
        s = 1000 / max(img.shape[:2]); img = np.array(Image.fromarray(img).resize((int(img.shape[1]*s), int(img.shape[0]*s))))
    r = eng(img)
    lines = [TextLine(t, float(c), tuple((float(x), float(y)) for x, y in b)) for t, c, b in zip(r.txts or (), r.scores or (), r.boxes if r.boxes is not None else ())]
    c = find_mrz(lines)
    ok = c is not None and c.mrz.valid
    found += c is not None; valid += ok; rep += bool(c and c.mrz.corrections)
    print(f.rsplit("/",1)[1], "none" if c is None else (c.mrz.format, c.mrz.valid, c.mrz.score, len(c.mrz.corrections), c.mrz.failed_checks))
print(f"{len(files)} images: MRZ found {found}, valid {valid}, with corrections {rep}")
