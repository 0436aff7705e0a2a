"""Text detection with a DB (differentiable binarisation) model: pre- and post-processing.

The network gives a probability map of "text here"; post-processing turns it
into one quad per text line, following PaddleOCR's ``DBPostProcess`` (the
same thresholds rapidocr 3.10 uses: binarise at 0.3, dilate 2x2, keep boxes
whose mean probability is at least 0.5, grow them by ``area * 1.6 /
perimeter``). Growing is exact here: the boxes are rectangles, and the
minimum-area rectangle around a rectangle offset by ``d`` with round joins is
the rectangle with ``d`` added on every side, so no polygon clipper is needed.

>>> grow_rect(((50.0, 20.0), (100.0, 10.0), 0.0), 1.6)
((50.0, 20.0), (114.54545454545455, 24.545454545454547), 0.0)
>>> det_size(630, 1000)
(640, 1024)
>>> det_size(3508, 2480)
(1984, 1408)
>>> det_size(44, 330)
(256, 1984)
>>> det_size(180, 280, min_side=736)
(736, 1152)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.domain import Quad

log = logging.getLogger(__name__)

Rect = tuple[Sequence[float], Sequence[float], float]  # cv2.minAreaRect: centre, size, angle


@dataclass(frozen=True)
class DbParams:
    """Detection thresholds and the input-size policy (PaddleOCR/rapidocr defaults)."""

    thresh: float = 0.3  # pixel probability that counts as text
    box_thresh: float = 0.5  # mean probability a box needs to be kept
    unclip_ratio: float = 1.6
    max_candidates: int = 1000
    # smaller images are scaled up so their short side is this long; rapidocr uses 736, 640 reads our
    # ID cards and the PassportEye specimens equally well (same CER, same MRZ lines found) 12% faster
    min_side: int = 640
    max_side: int = 2000  # larger images are scaled down so their long side is at most this


def det_size(height: int, width: int, min_side: int = 640, max_side: int = 2000) -> tuple[int, int]:
    """The network input size (h, w) for a page: multiples of 32, aspect kept.

    A short side below ``min_side`` is scaled up (small photos, low-resolution
    scans), but the long side never exceeds ``max_side`` (rapidocr's
    ``max_side_len``), so a wide strip is not blown up to many megapixels.
    """
    scale = max(1.0, min_side / min(height, width))
    scale = min(scale, max_side / max(height, width))
    h = max(32, round(height * scale / 32) * 32)
    w = max(32, round(width * scale / 32) * 32)
    return h, w


def det_input(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """RGB ``uint8`` page -> normalised BGR NCHW float32 tensor of ``size`` (h, w)."""
    h, w = size
    resized = cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR)
    tensor = resized[:, :, ::-1].astype(np.float32) * (1.0 / 127.5) - 1.0  # (x/255 - 0.5) / 0.5
    return np.ascontiguousarray(tensor.transpose(2, 0, 1))[None]


def grow_rect(rect: Rect, ratio: float) -> Rect:
    """Offset a rectangle outward by ``area * ratio / perimeter`` on every side."""
    (cx, cy), (w, h), angle = rect
    distance = (w * h) * ratio / (2.0 * (w + h))
    return (cx, cy), (w + 2 * distance, h + 2 * distance), angle


def order_quad(points: np.ndarray) -> np.ndarray:
    """Four points ordered clockwise from the top-left (image coordinates).

    >>> order_quad(np.array([[10, 10], [0, 0], [10, 0], [0, 10]], dtype=np.float32)).tolist()
    [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
    """
    by_x = points[np.argsort(points[:, 0], kind="stable")]
    left = by_x[:2][np.argsort(by_x[:2, 1], kind="stable")]
    right = by_x[2:][np.argsort(by_x[2:, 1], kind="stable")]
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def _box_score(prob: np.ndarray, points: np.ndarray) -> float:
    """Mean probability inside the quad (PaddleOCR's ``box_score_fast``)."""
    h, w = prob.shape
    x0 = int(np.clip(np.floor(points[:, 0].min()), 0, w - 1))
    x1 = int(np.clip(np.ceil(points[:, 0].max()), 0, w - 1))
    y0 = int(np.clip(np.floor(points[:, 1].min()), 0, h - 1))
    y1 = int(np.clip(np.ceil(points[:, 1].max()), 0, h - 1))
    mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), dtype=np.uint8)
    shifted = (points - np.array([x0, y0], dtype=np.float32)).astype(np.int32)
    cv2.fillPoly(mask, [shifted], 1)
    return float(cv2.mean(prob[y0 : y1 + 1, x0 : x1 + 1], mask)[0])


def boxes_from_map(prob: np.ndarray, dest: tuple[int, int], params: DbParams = DbParams()) -> list[tuple[Quad, float]]:
    """Quads (in ``dest`` = (h, w) pixels) and their scores from a DB probability map."""
    height, width = prob.shape
    dest_h, dest_w = dest
    bitmap = cv2.dilate((prob > params.thresh).astype(np.uint8), np.ones((2, 2), np.uint8))
    contours, _ = cv2.findContours(bitmap, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    sx, sy = dest_w / width, dest_h / height
    found: list[tuple[Quad, float]] = []
    for contour in contours[: params.max_candidates]:
        rect = cv2.minAreaRect(contour)
        if min(rect[1]) < 3:
            continue
        score = _box_score(prob, cv2.boxPoints(rect))
        if score < params.box_thresh:
            continue
        grown = grow_rect(rect, params.unclip_ratio)
        if min(grown[1]) < 5:
            continue
        pts = order_quad(cv2.boxPoints(grown))
        pts[:, 0] = np.clip(np.round(pts[:, 0] * sx), 0, dest_w - 1)
        pts[:, 1] = np.clip(np.round(pts[:, 1] * sy), 0, dest_h - 1)
        if np.linalg.norm(pts[0] - pts[1]) <= 3 or np.linalg.norm(pts[0] - pts[3]) <= 3:
            continue
        quad = tuple((float(x), float(y)) for x, y in pts)
        found.append((quad, score))  # type: ignore[arg-type]
    return found


def reading_order(quads: Sequence[Quad]) -> list[int]:
    """Indices of ``quads`` top-to-bottom, then left-to-right within a line.

    Two boxes are on the same line when their top-left corners differ in y by
    less than half the smaller box height.

    >>> reading_order([((50, 0), (90, 0), (90, 10), (50, 10)), ((0, 2), (40, 2), (40, 12), (0, 12)),
    ...                ((0, 30), (40, 30), (40, 40), (0, 40))])
    [1, 0, 2]
    """
    if not quads:
        return []
    tops = np.array([q[0][1] for q in quads], dtype=np.float64)
    lefts = np.array([q[0][0] for q in quads], dtype=np.float64)
    heights = np.array([max(abs(q[3][1] - q[0][1]), 1.0) for q in quads], dtype=np.float64)
    order = list(np.argsort(tops, kind="stable"))
    line_ids = [0]
    anchor = order[0]  # first box of the current line
    for cur in order[1:]:
        if tops[cur] - tops[anchor] >= 0.5 * min(heights[cur], heights[anchor]):
            anchor = cur
            line_ids.append(line_ids[-1] + 1)
        else:
            line_ids.append(line_ids[-1])
    keyed = sorted(zip(line_ids, (lefts[i] for i in order), order))
    return [int(i) for _, _, i in keyed]


def crop_quad(image: np.ndarray, quad: Quad) -> np.ndarray:
    """The text inside ``quad`` warped to an upright rectangle (vertical text turned 90 degrees)."""
    pts = np.array(quad, dtype=np.float32)
    w = int(max(np.linalg.norm(pts[0] - pts[1]), np.linalg.norm(pts[2] - pts[3])))
    h = int(max(np.linalg.norm(pts[0] - pts[3]), np.linalg.norm(pts[1] - pts[2])))
    w, h = max(w, 1), max(h, 1)
    target = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(pts, target)
    crop = cv2.warpPerspective(image, matrix, (w, h), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    if h >= 1.5 * w:
        crop = np.ascontiguousarray(np.rot90(crop))
    return crop
