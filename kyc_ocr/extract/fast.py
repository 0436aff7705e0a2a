"""The template-guided speed path: read only the zones a known layout needs, with ``Engine.recognize``.

Full-page OCR runs text detection on the whole page and recognises every line
(labels, titles, decoration). When the page *is* one of our layouts, aligned
(a prepared, cropped document), that work is unnecessary:

1. candidate templates are those with ``anchor_zones`` whose aspect ratio
   range holds the page (or the one template forced by the caller);
2. each anchor zone (a printed label at a known place) is cropped, tightened
   to its text band and recognised — all candidates' anchors in one batch; a
   template whose anchors read as expected (at least two, or all when it has
   fewer) is *aligned*; more than one aligned template means no speed path;
3. every zone of the aligned template is cropped, split into its text bands
   (MRZ and address zones have several lines) and recognised in one batch;
4. the readings become a sparse :class:`~kyc_ocr.domain.Page` (one line per
   band, at its place on the page) that the ordinary locators read — zone
   locators pick the lines in their boxes, inline labels are cut as usual, the
   MRZ is found and repaired as on a full read.

The caller falls back to full-page OCR when no template aligns or a required
field is missing. Text bands are found by a row profile of dark pixels, so
the few pixels a document drifts inside a zone do not matter.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.domain import Box, Page, PageImage, TextLine, quad_from_box
from kyc_ocr.extract.labels import fold, match_label
from kyc_ocr.templates.schema import AnchorZone, Template

log = logging.getLogger(__name__)

ZONES_SUFFIX = "+zones"  # engine name suffix of the sparse pages the speed path builds
MIN_BAND = 7  # pixels: a text band lower than this is noise
ANCHOR_SCORE = 80.0


@dataclass(frozen=True)
class Band:
    """Rows ``y0:y1`` and columns ``x0:x1`` of a text band, in page pixels."""

    x0: int
    y0: int
    x1: int
    y1: int
    complete: bool  # not cut by the zone's top or bottom edge

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def box(self) -> Box:
        return (float(self.x0), float(self.y0), float(self.x1), float(self.y1))


def _ink(grey: np.ndarray) -> np.ndarray:
    """Dark-text mask: darker than Otsu's split and clearly darker than the background."""
    otsu, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    background = float(np.median(grey))
    return grey <= min(otsu, background - 50)


def _without_rules(ink: np.ndarray, thin: int = 4, fill: float = 0.35) -> np.ndarray:
    """``ink`` without the printed rules a form draws around its fields: connected strokes at most
    ``thin`` pixels thick spanning most of the zone, or an outline (wide and tall, filled under ``fill``).

    A field's box cut by its zone is a rule on top and its two sides, all one stroke; left in, its sides
    put ink in every row, and the value between them never stands out as a band of its own.

    >>> ink = np.zeros((50, 200), bool)
    >>> ink[5:8, :] = True; ink[5:, 0:3] = True; ink[20:35, 30:120] = True  # rule + side, and a word
    >>> kept = _without_rules(ink)
    >>> bool(kept[6].any()), bool(kept[40].any()), int(kept[25].sum())
    (False, False, 90)
    """
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    h, w = ink.shape
    rules = []
    for k in range(1, count):
        cw, ch, area = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT], stats[k, cv2.CC_STAT_AREA]
        flat = ch <= thin and cw >= 0.3 * w
        upright = cw <= thin and ch >= 0.6 * h
        outline = cw >= 0.5 * w and ch >= 0.5 * h and area < fill * cw * ch
        if flat or upright or outline:
            rules.append(k)
    return ink & ~np.isin(labels, rules) if rules else ink


def text_bands(image: np.ndarray, box: Box) -> list[Band]:
    """Text bands inside ``box`` (page pixels) of an RGB page, top to bottom; the rules of a field's box
    drawn around the text are left out (:func:`_without_rules`).

    >>> page = np.full((60, 200, 3), 235, np.uint8)
    >>> page[10:22, 20:120] = 20; page[35:55, 20:180] = 20
    >>> [(b.y0, b.y1, b.complete) for b in text_bands(page, (0, 0, 200, 60))]
    [(10, 22, True), (35, 55, True)]
    >>> page[2:4, :] = 20; page[2:, 0:2] = 20  # a box's top rule and left side around them
    >>> [(b.y0, b.y1, b.complete) for b in text_bands(page, (0, 0, 200, 60))]
    [(10, 22, True), (35, 55, True)]
    """
    h, w = image.shape[:2]
    x0, y0 = max(0, int(box[0])), max(0, int(box[1]))
    x1, y1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    if x1 - x0 < 4 or y1 - y0 < 4:
        return []
    grey = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    ink = _without_rules(_ink(grey))
    rows = ink.sum(axis=1) > max(2, 0.004 * ink.shape[1])
    bands: list[Band] = []
    start = None
    gap = 0
    for i, on in enumerate([*rows, False, False, False]):
        if on:
            start = i if start is None else start
            gap = 0
        elif start is not None:
            gap += 1
            if gap > 2 or i >= len(rows):
                end = i - gap + 1
                if end - start >= MIN_BAND:
                    cols = np.flatnonzero(ink[start:end].any(axis=0))
                    complete = start > 0 and end < len(rows)
                    bands.append(Band(x0 + int(cols[0]), y0 + start, x0 + int(cols[-1]) + 1, y0 + end, complete))
                start, gap = None, 0
    return bands


def pick_bands(bands: Sequence[Band], count: int) -> list[Band]:
    """The ``count`` tallest bands (complete ones first), top to bottom."""
    ranked = sorted(bands, key=lambda b: (b.complete, b.height), reverse=True)[:count]
    return sorted(ranked, key=lambda b: b.y0)


def _crop(image: np.ndarray, band: Band) -> tuple[np.ndarray, Box]:
    pad = max(2, int(0.25 * band.height))
    h, w = image.shape[:2]
    x0, y0 = max(0, band.x0 - pad), max(0, band.y0 - pad)
    x1, y1 = min(w, band.x1 + pad), min(h, band.y1 + pad)
    return np.ascontiguousarray(image[y0:y1, x0:x1]), (float(x0), float(y0), float(x1), float(y1))


def _pixels(box: Sequence[float], page: PageImage) -> Box:
    return (box[0] * page.width, box[1] * page.height, box[2] * page.width, box[3] * page.height)


def _aspect_ok(template: Template, page: PageImage, tolerance: float = 0.04) -> bool:
    """The page has the layout's own proportions (the middle of the template's range, within 4%)."""
    ratio = template.match.aspect_ratio
    if ratio is None:
        return False
    middle = (ratio[0] + ratio[1]) / 2
    return abs(page.width / max(1, page.height) - middle) <= tolerance * middle


def _anchor_band(page: PageImage, anchor: AnchorZone) -> Band | None:
    """The text band of an anchor label: the one starting nearest where the label is printed."""
    bands = text_bands(page.image, _pixels(anchor.box, page))
    if not bands:
        return None
    if anchor.at is None:
        return pick_bands(bands, 1)[0]
    y = anchor.at[1] * page.height
    best = min(bands, key=lambda b: abs(b.y0 - y))
    return best if abs(best.y0 - y) <= max(12, 1.2 * best.height) else None


def aligned_template(page: PageImage, engine: object, candidates: Sequence[Template]) -> Template | None:
    """The one candidate whose anchor zones read as expected on ``page``, or ``None``."""
    crops: list[np.ndarray] = []
    owners: list[tuple[int, tuple[str, ...]]] = []
    for k, template in enumerate(candidates):
        for anchor in template.match.anchor_zones:
            band = _anchor_band(page, anchor)
            if band is not None:
                crops.append(_crop(page.image, band)[0])
                owners.append((k, anchor.text))
    if not crops:
        return None
    readings = engine.recognize(crops)  # type: ignore[attr-defined]
    hits = [0] * len(candidates)
    for (k, variants), (text, _) in zip(owners, readings):
        folded = fold(text)
        if any(match_label(v, folded, ANCHOR_SCORE) for v in variants):
            hits[k] += 1
    aligned = [(hits[k], t) for k, t in enumerate(candidates)
               if hits[k] >= min(2, len(t.match.anchor_zones)) and hits[k] > 0]
    aligned.sort(key=lambda ht: -ht[0])
    if not aligned or (len(aligned) > 1 and aligned[0][0] == aligned[1][0]):
        log.debug("speed path: %d templates aligned equally well", len(aligned))
        return None
    return aligned[0][1]


def read_zones(page: PageImage, engine: object, template: Template, engine_name: str = ZONES_SUFFIX) -> Page:
    """A sparse page: one line per text band of every zone of ``template``, recognised in one batch."""
    crops: list[np.ndarray] = []
    boxes: list[Box] = []
    seen: set[tuple[int, int, int, int]] = set()
    for spec in template.fields:
        for loc in spec.locators:
            if loc.zone is None:
                continue
            for band in pick_bands(text_bands(page.image, _pixels(loc.zone.box, page)), loc.zone.lines):
                key = (band.x0, band.y0, band.x1, band.y1)
                if key not in seen:
                    seen.add(key)
                    crop, box = _crop(page.image, band)
                    crops.append(crop)
                    boxes.append(box)
    readings = engine.recognize(crops) if crops else []  # type: ignore[attr-defined]
    lines = tuple(TextLine(text, conf, quad_from_box(box)) for (text, conf), box in zip(readings, boxes) if text)
    return Page(page.source, page.page, page.width, page.height, lines, engine=engine_name)


def try_fast(prepared: Sequence[PageImage], engine: object, templates: object, forced: Template | None
             ) -> tuple[Template, list[Page]] | None:
    """``(template, sparse pages)`` when a single-page document aligns with one template, else ``None``."""
    if len(prepared) != 1 or not hasattr(engine, "recognize"):
        return None
    page = prepared[0]
    if page.text_layer is not None:
        return None
    pool = [forced] if forced is not None else list(templates)  # type: ignore[call-overload]
    candidates = [t for t in pool if t.match.anchor_zones and t.has_zones and _aspect_ok(t, page)]
    if not candidates:
        return None
    template = aligned_template(page, engine, candidates)
    if template is None:
        return None
    name = f"{getattr(engine, 'name', 'engine')}{ZONES_SUFFIX}"
    return template, [read_zones(page, engine, template, name)]
