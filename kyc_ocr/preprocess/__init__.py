"""Make decoded pages easy to read: document crop, orientation, deskew, photometric clean-up.

:func:`prepare` runs small steps ``step(page, ctx) -> page`` in order:

1. :func:`crop_document` - a document photographed on a background is found
   (edges and colour contrast -> a confident four-corner outline) and flattened
   by one homography at full resolution; no confident outline, no change;
2. :func:`orient` - quarter turns from the direction of the text lines, half
   turns from ``Options.orientation_scorer`` (e.g. the OCR engine's 0/180 line
   classifier) or a typographic heuristic;
3. :func:`deskew` - the residual small angle (up to ``Options.max_skew``) is
   rotated away;
4. :func:`enhance` - CLAHE / denoising / unsharp mask when measurements call
   for them (pixels do not move).

Every step that moves pixels composes its homography into
``PageImage.transform`` (prepared pixels -> original decoded page), so a box
found on the prepared page maps back with :func:`map_to_original`. Pages with
a PDF text layer are passed through unchanged (their text is already exact).
Analysis runs on downscaled grey copies; each page is resampled at most once
per geometric step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from kyc_ocr.domain import PageImage, Quad
from kyc_ocr.errors import InputError
from kyc_ocr.preprocess import enhance as photometric
from kyc_ocr.preprocess.analysis import grey_small, line_angle, text_blobs
from kyc_ocr.preprocess.crop import find_document, flat_size
from kyc_ocr.preprocess.geometry import map_quad, quarter_turn, rotation, warp
from kyc_ocr.preprocess.orientation import OrientationScorer, scorer_from_line_classifier, upside_down

log = logging.getLogger(__name__)

__all__ = ["Context", "Options", "OrientationScorer", "Step", "crop_document", "deskew", "enhance",
           "map_to_original", "orient", "prepare", "scorer_from_line_classifier"]


@dataclass(frozen=True)
class Options:
    """What :func:`prepare` does; every step can be switched off."""

    crop: bool = True
    orientation: bool = True
    deskew: bool = True
    enhance: bool = True
    orientation_scorer: OrientationScorer | None = None
    max_skew: float = 15.0  # degrees; a larger residual angle is left alone
    min_skew: float = 0.5  # degrees; below this the page counts as straight (no resampling)
    max_side: int = 2400  # a flattened document's longest side in pixels


@dataclass
class Context:
    """Per-page scratch shared by the steps: options, and measurements a later step can reuse."""

    options: Options
    skew: float | None = None  # residual line angle measured by ``orient`` (degrees, clockwise)
    notes: list[str] = field(default_factory=list)


Step = Callable[[PageImage, Context], PageImage]


def _moved(page: PageImage, image: np.ndarray, h_step: np.ndarray) -> PageImage:
    """``page`` with a new image whose pixel p shows the old image's pixel ``h_step @ p``."""
    transform = np.asarray(page.transform, dtype=np.float64) @ h_step
    transform /= transform[2, 2]
    orig = page.orig_size or (page.width, page.height)
    return replace(page, image=np.ascontiguousarray(image), transform=transform, orig_size=orig)


def _fill(image: np.ndarray) -> tuple[int, int, int]:
    """The colour of the page's border (paper or background), to fill what a rotation uncovers."""
    border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
    return tuple(int(v) for v in np.median(border, axis=0))  # type: ignore[return-value]


def crop_document(page: PageImage, ctx: Context) -> PageImage:
    """Flatten a document photographed on a background (see :mod:`kyc_ocr.preprocess.crop`)."""
    quad = find_document(page.image)
    if quad is None:
        return page
    w, h = flat_size(quad.corners, ctx.options.max_side)
    dst = np.array([[0, 0], [w - 1, 0], [w - 1, h - 1], [0, h - 1]], np.float32)
    h_step = cv2.getPerspectiveTransform(dst, quad.corners.astype(np.float32)).astype(np.float64)
    ctx.notes.append("crop")
    return _moved(page, warp(page.image, h_step, (w, h), (255, 255, 255)), h_step)


def _level(image: np.ndarray, ctx: Context) -> np.ndarray:
    """``image`` with the measured small skew rotated away (for judging, not for output)."""
    if ctx.skew is None or abs(ctx.skew) < ctx.options.min_skew:
        return image
    h_level, size = rotation(-ctx.skew, image.shape[1], image.shape[0])
    return warp(image, h_level, size, (255, 255, 255))


def orient(page: PageImage, ctx: Context) -> PageImage:
    """Turn the page by quarter turns so its text lines run left to right, upright."""
    grey, scale = grey_small(page.image)
    angle, strength = line_angle(text_blobs(grey))
    quarters = 0
    if abs(angle) > 45:  # lines run up/down: a quarter turn brings them level
        quarters = 1 if angle < 0 else 3  # either way; the half-turn test below settles it
        angle = angle + 90 if angle < 0 else angle - 90
    ctx.skew = angle if strength > 1.05 else None
    # judge upside down on a level copy (small angle removed) of the quarter-turned page
    level = _level(quarter_turn(grey, quarters), ctx)
    full = None
    if ctx.options.orientation_scorer is not None:  # the scorer sees level full-resolution lines
        full = _level(quarter_turn(page.image, quarters), ctx)
    if upside_down(level, image=full, scale=scale, scorer=ctx.options.orientation_scorer):
        quarters = (quarters + 2) % 4
    if quarters == 0:
        return page
    h_step, _ = rotation(90 * quarters, page.width, page.height)
    ctx.notes.append(f"turn {90 * quarters}")
    return _moved(page, quarter_turn(page.image, quarters), h_step)


def deskew(page: PageImage, ctx: Context) -> PageImage:
    """Rotate away a small residual angle of the text lines."""
    angle = ctx.skew
    if angle is None:
        grey, _ = grey_small(page.image)
        angle, strength = line_angle(text_blobs(grey))
        if strength <= 1.05 or abs(angle) > 45:
            return page
    if not ctx.options.min_skew <= abs(angle) <= ctx.options.max_skew:
        return page
    h_step, size = rotation(-angle, page.width, page.height)
    ctx.notes.append(f"deskew {angle:+.2f}")
    ctx.skew = 0.0
    return _moved(page, warp(page.image, h_step, size, _fill(page.image)), h_step)


def enhance(page: PageImage, ctx: Context) -> PageImage:
    """Contrast, denoising and sharpening where the page needs them (no geometric change)."""
    image, applied = photometric.enhance(page.image)
    if not applied:
        return page
    ctx.notes.extend(applied)
    return replace(page, image=image, orig_size=page.orig_size or (page.width, page.height))


def steps(options: Options) -> list[Step]:
    """The steps ``options`` switch on, in order."""
    chosen: list[tuple[bool, Step]] = [(options.crop, crop_document), (options.orientation, orient),
                                       (options.deskew, deskew), (options.enhance, enhance)]
    return [step for on, step in chosen if on]


def prepare_page(page: PageImage, options: Options | None = None) -> PageImage:
    """One page through every step (pages with a PDF text layer come back unchanged)."""
    if not isinstance(page, PageImage):
        raise InputError(f"prepare() takes PageImage objects, not {type(page).__name__}")
    if page.text_layer is not None:
        return page
    image = page.image
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or min(image.shape[:2]) < 2:
        raise InputError(f"{page.source} page {page.page}: expected an RGB uint8 image, got {image.dtype} "
                         f"{image.shape}")
    ctx = Context(options or Options())
    for step in steps(ctx.options):
        page = step(page, ctx)
    if ctx.notes:
        log.debug("page %d prepared: %s", page.page, ", ".join(ctx.notes))
    return page


def prepare(pages: Iterable[PageImage], *, options: Options | None = None) -> list[PageImage]:
    """Every page through :func:`prepare_page`."""
    return [prepare_page(p, options) for p in pages]


def map_to_original(page: PageImage, quad: Quad | Sequence[Sequence[float]]) -> Quad:
    """A quad found on the prepared ``page`` in pixels of the page as decoded (``page.transform``)."""
    return map_quad(np.asarray(page.transform, dtype=np.float64), quad)
