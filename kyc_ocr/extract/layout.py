"""Where a template's layout sits on a page: measured from anchor labels, registered, or assumed.

A :class:`Layout` maps the template's document-normalised zones onto the page (``page = scale *
template + (dx, dy)``); zone locators are only trusted through one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kyc_ocr.domain import Box, Page, TextLine  # noqa: F401 - TextLine: doctests
from kyc_ocr.extract.context import union
from kyc_ocr.extract.labels import fold, match_label
from kyc_ocr.templates.schema import AnchorZone, ZoneLocator


def zone_lines(page: Page, zone: ZoneLocator) -> list[int]:
    """Indexes of the page's lines whose centre lies in the zone, top to bottom."""
    x0, y0, x1, y1 = zone.box
    bx = (x0 * page.width, y0 * page.height, x1 * page.width, y1 * page.height)
    out = []
    for i, line in enumerate(page.lines):
        b = line.bbox
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if bx[0] <= cx <= bx[2] and bx[1] <= cy <= bx[3]:
            out.append(i)
    return sorted(out, key=lambda i: (page.lines[i].bbox[1], page.lines[i].bbox[0]))


@dataclass(frozen=True)
class Layout:
    """Where the template's layout sits on a page: ``page = scale * template + (dx, dy)`` in page fractions.

    ``confirmed`` is false for a layout assumed (not measured) because the page is the whole document
    but its anchor labels could not be read; zone values found through it get less confidence.
    """

    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0
    confirmed: bool = True

    def apply(self, zone: ZoneLocator) -> ZoneLocator:
        """``zone`` moved onto the page (clipped to it).

        >>> Layout(0.1, 0.0, 0.5).apply(ZoneLocator(box=(0.2, 0.2, 0.4, 0.4))).box
        (0.2, 0.1, 0.30000000000000004, 0.2)
        """
        x0, y0, x1, y1 = zone.box
        s = self.scale
        box = (max(0.0, s * x0 + self.dx), max(0.0, s * y0 + self.dy), min(1.0, s * x1 + self.dx),
               min(1.0, s * y1 + self.dy))
        return zone if box[0] >= box[2] or box[1] >= box[3] else ZoneLocator(box=box, lines=zone.lines)


def _fit(pairs: Sequence[tuple[tuple[float, float], tuple[float, float]]], tolerance: float = 0.02
         ) -> Layout | None:
    """A uniform scale and shift taking template points to page points, when the points agree on one.

    With anchors spread over at least 5% of the page a scale is fitted (a document scanned smaller or
    larger on its page); otherwise, or when the scale is implausible, a shift alone (the median).

    >>> fit = _fit([((0.1, 0.1), (0.2, 0.18)), ((0.5, 0.1), (0.52, 0.18)), ((0.1, 0.3), (0.2, 0.34))])
    >>> round(fit.dx, 4), round(fit.dy, 4), fit.scale
    (0.12, 0.1, 0.8)
    """
    src = np.array([p[0] for p in pairs], dtype=np.float64)
    dst = np.array([p[1] for p in pairs], dtype=np.float64)
    need = min(2, len(pairs))
    if len(pairs) >= 2 and np.ptp(src, axis=0).max() >= 0.05:
        sc, dc = src - src.mean(0), dst - dst.mean(0)
        scale = float((sc * dc).sum() / (sc * sc).sum())
        if 0.6 <= scale <= 1.4:
            d = dst.mean(0) - scale * src.mean(0)
            ok = np.abs(scale * src + d - dst).max(axis=1) <= tolerance
            if ok.sum() >= max(need, len(pairs) - 1) and abs(scale - 1.0) > 0.02:
                if not ok.all():  # one stray anchor: refit on the others
                    return _fit([p for p, good in zip(pairs, ok) if good], tolerance)
                return Layout(float(d[0]), float(d[1]), round(scale, 4))
    shift = dst - src
    dx, dy = float(np.median(shift[:, 0])), float(np.median(shift[:, 1]))
    agree = int(np.sum((np.abs(shift[:, 0] - dx) <= tolerance) & (np.abs(shift[:, 1] - dy) <= tolerance)))
    return Layout(dx, dy) if agree >= need else None


def layout_offset(page: Page, anchors: Sequence[AnchorZone], min_score: float = 80.0, reach: float = 0.08
                  ) -> Layout | None:
    """Where the template's layout sits on the page (:class:`Layout`), or ``None``.

    Each anchor label is looked for in its zone widened by ``reach``; the page counts as aligned when
    at least two anchors (all, when there are fewer) are found and agree (within 2% of the page) on
    one shift, or on one scale and shift. Zone locators are only trusted on such a page (or, see
    :func:`assumed_layout`, on a page that is the whole document) — never on a photo whose document
    was not cropped, or a page of another layout.
    """
    if not anchors:
        return None
    pairs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for anchor in anchors:
        x0, y0, x1, y1 = anchor.box
        wide = ZoneLocator(box=(max(0.0, x0 - reach), max(0.0, y0 - reach), min(1.0, x1 + reach),
                                min(1.0, y1 + reach)))
        for i in zone_lines(page, wide):
            line = page.lines[i]
            if any(match_label(v, fold(line.text), min_score) for v in anchor.text):
                at = anchor.at
                seen = (line.bbox[0] / page.width, line.bbox[1] / page.height)
                pairs.append((at, seen) if at is not None else (seen, seen))
                break
    if len(pairs) < min(2, len(anchors)):
        return None
    return _fit(pairs)


def registered_layout(page: Page, zones: Sequence[Box], reach: float = 0.03, step: float = 0.005) -> Layout:
    """An unconfirmed :class:`Layout` shifted (at most ``reach`` of the page each way, in steps of
    ``step``) to where ``zones`` sit best on the page's lines; the smallest such shift, none on a tie.

    A zone sits well when the lines whose centres it holds are centred in it (their block's middle at
    the zone's middle: 1, falling to 0 at its top or bottom edge); the shift with the highest sum over
    the zones wins. Counting only which zones hold a line's centre rewarded a shift that pushed a stray
    line into a zone whose own value was never detected (a card photo's ``Sexe`` zone took the given
    names' line, and every date zone the line above its own).

    A phone photo's document, found and flattened, is rarely cropped to the exact edge: its rows sit
    a little lower or higher than the template's, enough for a value to fall out of its zone.

    >>> rows = [TextLine(t, 0.9, ((40, y), (300, y), (300, y + 30), (40, y + 30))) for t, y in (("A", 185), ("B", 385))]
    >>> page = Page("p.png", 1, 1000, 1000, tuple(rows))
    >>> registered_layout(page, [(0.03, 0.16, 0.4, 0.19), (0.03, 0.36, 0.4, 0.39)])  # centres at 0.2, 0.4
    Layout(dx=0.0, dy=0.025, scale=1.0, confirmed=False)
    """
    if not page.lines or not zones or page.width <= 0 or page.height <= 0:
        return Layout(confirmed=False)
    boxes = np.array([(b[0] / page.width, b[1] / page.height, b[2] / page.width, b[3] / page.height)
                      for b in (ln.bbox for ln in page.lines)])
    xs, ys = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2

    def fit(dx: float, dy: float) -> float:
        total = 0.0
        for x0, y0, x1, y1 in zones:
            held = (x0 + dx <= xs) & (xs <= x1 + dx) & (y0 + dy <= ys) & (ys <= y1 + dy)
            if held.any():
                middle = (boxes[held, 1].min() + boxes[held, 3].max()) / 2
                total += max(0.0, 1 - 2 * abs(middle - (y0 + y1) / 2 - dy) / max(y1 - y0, 1e-6))
        return total

    n = round(reach / step)
    shifts = sorted(((i * step, j * step) for i in range(-n, n + 1) for j in range(-n, n + 1)),
                    key=lambda d: (abs(d[0]) + abs(d[1]), abs(d[1])))
    best = max(shifts, key=lambda d: round(fit(*d), 6))  # max keeps the first (smallest) shift among equals
    return Layout(dx=round(best[0], 4), dy=round(best[1], 4), confirmed=False)


def assumed_layout(page: Page, aspect_ratio: tuple[float, float] | None, extent: Box | None,
                   slack: float = 0.1) -> Layout | None:
    """An unconfirmed identity :class:`Layout` for a page that is the whole document, else ``None``.

    A photo whose document was found and flattened by preprocessing, or a clean image, has the
    template's proportions, and its text spans what the template's zones span (``extent``, page
    fractions), even when its small anchor labels are unreadable. A page with background around the
    document (text drawn in from the edges by more than ``slack``) or of other proportions gets no layout.
    """
    if aspect_ratio is None or extent is None or not page.lines or page.height <= 0:
        return None
    low, high = aspect_ratio
    if not low * 0.97 <= page.width / page.height <= high * 1.03:
        return None
    x0, y0, x1, y1 = union([ln.bbox for ln in page.lines])
    w, h = page.width, page.height
    ex0, ey0, ex1, ey1 = extent
    if x0 / w <= ex0 + slack and y0 / h <= ey0 + slack and x1 / w >= ex1 - 3 * slack and y1 / h >= ey1 - 3 * slack:
        return Layout(confirmed=False)
    return None
