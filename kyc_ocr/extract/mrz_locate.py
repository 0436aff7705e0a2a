"""Find the machine-readable zone among the text lines an OCR engine returned.

MRZ lines are long runs of ``A-Z 0-9 <`` near the bottom of the page, 30, 36
or 44 characters each, stacked 2 or 3 high. Engines sometimes split one MRZ
line into pieces side by side, or add spaces: pieces on the same row are
joined left to right and spaces dropped before lengths are compared.

>>> from kyc_ocr.domain import TextLine, quad_from_box
>>> lines = [TextLine("PASSPORT", 0.9, quad_from_box((10, 10, 200, 40))),
...          TextLine("P<UTOERIKSSON<<ANNA<MARIA", 0.9, quad_from_box((10, 300, 300, 330))),
...          TextLine("<<<<<<<<<<<<<<<<<<<", 0.8, quad_from_box((305, 301, 520, 331))),
...          TextLine("L898902C36UTO7408122F1204159ZE184226B<<<<<10", 0.9, quad_from_box((10, 340, 520, 370)))]
>>> cand = find_mrz(lines)
>>> cand.text.splitlines()[0], cand.mrz.valid, len(cand.quads)
('P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', True, 2)
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from kyc_ocr.domain import Quad, TextLine, quad_from_box
from kyc_ocr.errors import MRZError
from kyc_ocr.extract.mrz import MRZ, parse_mrz

log = logging.getLogger(__name__)

_WIDTHS = {30: 3, 36: 2, 44: 2}
_NOT_MRZ = re.compile(r"[^A-Z0-9<]")


@dataclass(frozen=True)
class MRZCandidate:
    """The MRZ text found on a page, the quads of its lines, and the parse of it."""

    text: str
    quads: tuple[Quad, ...]
    lines: tuple[TextLine, ...]  # the OCR lines it was built from
    confidence: float
    mrz: MRZ


@dataclass(frozen=True)
class _Row:
    text: str
    lines: tuple[TextLine, ...]

    @property
    def box(self) -> tuple[float, float, float, float]:
        boxes = [ln.bbox for ln in self.lines]
        return (min(b[0] for b in boxes), min(b[1] for b in boxes),
                max(b[2] for b in boxes), max(b[3] for b in boxes))


def _clean(text: str) -> str:
    return re.sub(r"\s+", "", text.upper().replace("«", "<<").replace("‹", "<"))


def _mrz_like(text: str) -> bool:
    """A piece that could belong to an MRZ line: mostly MRZ characters, with fillers or long."""
    if len(text) < 5:
        return False
    bad = len(_NOT_MRZ.findall(text))
    return bad <= max(1, len(text) // 10) and ("<" in text or len(text) >= 25)


def _same_row(a: TextLine, b: TextLine) -> bool:
    ay0, ay1 = a.bbox[1], a.bbox[3]
    by0, by1 = b.bbox[1], b.bbox[3]
    overlap = min(ay1, by1) - max(ay0, by0)
    x_overlap = min(a.bbox[2], b.bbox[2]) - max(a.bbox[0], b.bbox[0])
    side_by_side = x_overlap < 0.3 * min(a.bbox[2] - a.bbox[0], b.bbox[2] - b.bbox[0])
    return side_by_side and overlap > 0.5 * min(ay1 - ay0, by1 - by0)


def _rows(lines: Sequence[TextLine]) -> list[_Row]:
    """Group MRZ-like pieces into rows (vertical overlap) and join each row left to right."""
    pieces = sorted((ln for ln in lines if _mrz_like(_clean(ln.text))), key=lambda ln: ln.bbox[1])
    groups: list[list[TextLine]] = []
    for piece in pieces:
        for group in groups:
            if _same_row(group[0], piece):
                group.append(piece)
                break
        else:
            groups.append([piece])
    rows = []
    for group in groups:
        group.sort(key=lambda ln: ln.bbox[0])
        rows.append(_Row("".join(_clean(ln.text) for ln in group), tuple(group)))
    return sorted(rows, key=lambda r: r.box[1] + r.box[3])  # by vertical centre


def _fits(rows: Sequence[_Row]) -> bool:
    n = len(rows)
    return any(cnt == n and all(abs(len(r.text) - w) <= 2 for r in rows) for w, cnt in _WIDTHS.items())


def _stacked(rows: Sequence[_Row], pitch: float = 3.0) -> bool:
    """Whether each row lies at most ``pitch`` row heights below the one before: an MRZ's lines are printed
    one under the other at one pitch, and a long label line far above them (``Date of issue / Date de
    délivrance``, nearly all MRZ characters) is not one of them."""
    for a, b in itertools.pairwise(rows):
        height = max(a.box[3] - a.box[1], b.box[3] - b.box[1], 1.0)
        if (b.box[1] + b.box[3]) / 2 - (a.box[1] + a.box[3]) / 2 > pitch * height:
            return False
    return True


def _windows(rows: list[_Row]) -> list[list[_Row]]:
    """Runs of 2 or 3 consecutive rows, stacked at an MRZ's pitch, whose lengths fit a format, plus single rows
    of 2-3 MRZ lines."""
    out = [rows[i : i + n] for n in (3, 2) for i in range(len(rows) - n + 1)
           if _fits(rows[i : i + n]) and _stacked(rows[i : i + n])]
    out += [[r] for r in rows if any(abs(len(r.text) - w * c) <= 2 for w, c in _WIDTHS.items())]
    return out


def find_mrz(lines: Sequence[TextLine]) -> MRZCandidate | None:
    """The best machine-readable zone among OCR lines, or ``None`` when the page has none.

    Candidates are parsed with :func:`~kyc_ocr.extract.mrz.parse_mrz`; the one
    with the highest score wins, ties going to the lowest on the page.
    """
    best: tuple[tuple[int, float], MRZCandidate] | None = None
    windows = _windows(_rows(lines))
    # a tilted photo can put the boxes of two MRZ lines in the wrong vertical order: try both
    windows += [w[::-1] for w in windows if len(w) == 2]
    for window in windows:
        text = "\n".join(r.text for r in window)
        try:
            mrz = parse_mrz(text)
        except MRZError:
            continue
        used = tuple(ln for r in window for ln in r.lines)
        conf = sum(ln.confidence for ln in used) / len(used)
        quads = tuple(quad_from_box(r.box) for r in window)
        if len(window) == 1:  # one OCR line held the whole MRZ: split its box evenly
            quads = _split_box(window[0].box, len(mrz.lines))
        cand = MRZCandidate(mrz.text, quads, used, conf, mrz)
        key = (mrz.score, max(r.box[3] for r in window))
        if best is None or key > best[0]:
            best = (key, cand)
    if best is None:
        log.debug("no MRZ among %d lines", len(lines))
        return None
    return best[1]


def _split_box(box: tuple[float, float, float, float], n: int) -> tuple[Quad, ...]:
    x0, y0, x1, y1 = box
    h = (y1 - y0) / n
    return tuple(quad_from_box((x0, y0 + i * h, x1, y0 + (i + 1) * h)) for i in range(n))


__all__ = ["MRZCandidate", "find_mrz"]
