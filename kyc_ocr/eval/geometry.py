"""Quad geometry for evaluation: polygon IoU and one-to-one matching.

IoU is computed on the quads as polygons with :mod:`shapely` when it is
installed (it comes with the ``paddle`` extra), otherwise with OpenCV's
``intersectConvexConvex`` on the convex hulls. A self-intersecting
("bow-tie") quad is replaced by its convex hull in both paths.

>>> a = ((0, 0), (2, 0), (2, 1), (0, 1))
>>> b = ((0, 0), (1, 0), (1, 1), (0, 1))
>>> quad_iou(a, b)  # intersection 1, union 2
0.5
>>> greedy_match([[0.9, 0.2], [0.7, 0.6]], 0.5)  # best pair first, each side used once
[(0, 0), (1, 1)]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.domain import Quad, bbox_of

try:  # optional: exact polygon arithmetic
    from shapely.geometry import Polygon as _Polygon
except ModuleNotFoundError:  # pragma: no cover - depends on the installed extras
    _Polygon = None


def _areas_shapely(a: Quad, b: Quad) -> tuple[float, float, float]:
    pa, pb = _Polygon(a), _Polygon(b)
    if not pa.is_valid:
        pa = pa.convex_hull
    if not pb.is_valid:
        pb = pb.convex_hull
    return float(pa.area), float(pb.area), float(pa.intersection(pb).area)


def _areas_cv2(a: Quad, b: Quad) -> tuple[float, float, float]:
    ha = cv2.convexHull(np.asarray(a, dtype=np.float32))
    hb = cv2.convexHull(np.asarray(b, dtype=np.float32))
    area_a, area_b = float(cv2.contourArea(ha)), float(cv2.contourArea(hb))
    if area_a <= 0 or area_b <= 0:
        return area_a, area_b, 0.0
    inter, _ = cv2.intersectConvexConvex(ha, hb)
    return area_a, area_b, float(inter)


def quad_areas(a: Quad, b: Quad) -> tuple[float, float, float]:
    """Areas of ``a`` and ``b`` and of their intersection.

    >>> quad_areas(((0, 0), (2, 0), (2, 1), (0, 1)), ((1, 0), (3, 0), (3, 1), (1, 1)))
    (2.0, 2.0, 1.0)
    """
    return _areas_shapely(a, b) if _Polygon is not None else _areas_cv2(a, b)


def quad_iou(a: Quad, b: Quad) -> float:
    """Intersection over union of two quads (0 for degenerate ones).

    >>> quad_iou(((0, 0), (1, 0), (1, 1), (0, 1)), ((5, 5), (6, 5), (6, 6), (5, 6)))
    0.0
    >>> quad_iou(((0, 0), (1, 0), (1, 0), (0, 0)), ((0, 0), (1, 0), (1, 1), (0, 1)))
    0.0
    """
    area_a, area_b, inter = quad_areas(a, b)
    union = area_a + area_b - inter
    return inter / union if union > 0 and inter > 0 else 0.0


@dataclass(frozen=True)
class Overlaps:
    """Pairwise overlaps of predictions (rows) with ground-truth quads (columns).

    ``iou``: intersection over union; ``gt_cover``: intersection over the
    ground-truth area (DetEval's *area recall*); ``pred_cover``: intersection
    over the predicted area (*area precision*).
    """

    iou: np.ndarray
    gt_cover: np.ndarray
    pred_cover: np.ndarray


def overlaps(preds: Sequence[Quad], gts: Sequence[Quad]) -> Overlaps:
    """All pairwise overlaps; pairs whose bounding boxes do not touch are 0 without polygon work.

    >>> o = overlaps([((0, 0), (4, 0), (4, 2), (0, 2))], [((1, 0), (3, 0), (3, 1), (1, 1))])
    >>> float(o.iou[0, 0]), float(o.gt_cover[0, 0]), float(o.pred_cover[0, 0])  # GT (area 2) inside pred (8)
    (0.25, 1.0, 0.25)
    """
    shape = (len(preds), len(gts))
    iou, gt_cover, pred_cover = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    if not len(preds) or not len(gts):
        return Overlaps(iou, gt_cover, pred_cover)
    pb = np.array([bbox_of(q) for q in preds], dtype=np.float64)
    gb = np.array([bbox_of(q) for q in gts], dtype=np.float64)
    touch = ((pb[:, None, 0] < gb[None, :, 2]) & (gb[None, :, 0] < pb[:, None, 2])
             & (pb[:, None, 1] < gb[None, :, 3]) & (gb[None, :, 1] < pb[:, None, 3]))
    for i, j in zip(*np.nonzero(touch)):
        area_p, area_g, inter = quad_areas(preds[i], gts[j])
        if inter <= 0:
            continue
        union = area_p + area_g - inter
        iou[i, j] = inter / union if union > 0 else 0.0
        gt_cover[i, j] = inter / area_g if area_g > 0 else 0.0
        pred_cover[i, j] = inter / area_p if area_p > 0 else 0.0
    return Overlaps(iou, gt_cover, pred_cover)


def iou_matrix(preds: Sequence[Quad], gts: Sequence[Quad]) -> np.ndarray:
    """IoU of every prediction (rows) with every ground-truth quad (columns).

    >>> iou_matrix([], [((0, 0), (1, 0), (1, 1), (0, 1))]).shape
    (0, 1)
    """
    return overlaps(preds, gts).iou


def greedy_match(ious: np.ndarray | Sequence[Sequence[float]], threshold: float) -> list[tuple[int, int]]:
    """One-to-one matching: take pairs by decreasing IoU while both sides are free.

    A pair matches when its IoU is at least ``threshold`` (``>=``, as COCO and
    ICDAR do). Returns ``(pred_index, gt_index)`` pairs sorted by prediction.

    >>> greedy_match([[0.5]], 0.5), greedy_match([[0.49]], 0.5)
    ([(0, 0)], [])
    >>> greedy_match([[0.6, 0.55], [0.58, 0.0]], 0.5)  # 0.6 taken first, then 0.0 < 0.5 is left
    [(0, 0)]
    """
    m = np.asarray(ious, dtype=np.float64)
    if m.size == 0:
        return []
    order = np.argsort(-m, axis=None, kind="stable")
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs: list[tuple[int, int]] = []
    for flat in order:
        i, j = divmod(int(flat), m.shape[1])
        if m[i, j] < threshold:
            break
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def apply_homography(quad: Quad, h: np.ndarray) -> Quad:
    """Map a quad through a 3x3 homography (e.g. ``PageImage.transform``).

    >>> apply_homography(((0, 0), (1, 0), (1, 1), (0, 1)), np.array([[2, 0, 10], [0, 2, 0], [0, 0, 1.0]]))
    ((10.0, 0.0), (12.0, 0.0), (12.0, 2.0), (10.0, 2.0))
    """
    pts = np.asarray(quad, dtype=np.float64).reshape(-1, 1, 2)
    mapped = cv2.perspectiveTransform(pts, np.asarray(h, dtype=np.float64)).reshape(-1, 2)
    return tuple((float(x), float(y)) for x, y in mapped)  # type: ignore[return-value]
