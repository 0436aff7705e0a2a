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

import cv2
import numpy as np

from kyc_ocr.domain import Quad, bbox_of

try:  # optional: exact polygon arithmetic
    from shapely.geometry import Polygon as _Polygon
except ModuleNotFoundError:  # pragma: no cover - depends on the installed extras
    _Polygon = None


def _iou_shapely(a: Quad, b: Quad) -> float:
    pa, pb = _Polygon(a), _Polygon(b)
    if not pa.is_valid:
        pa = pa.convex_hull
    if not pb.is_valid:
        pb = pb.convex_hull
    union = pa.union(pb).area
    return float(pa.intersection(pb).area / union) if union > 0 else 0.0


def _iou_cv2(a: Quad, b: Quad) -> float:
    ha = cv2.convexHull(np.asarray(a, dtype=np.float32))
    hb = cv2.convexHull(np.asarray(b, dtype=np.float32))
    area_a, area_b = float(cv2.contourArea(ha)), float(cv2.contourArea(hb))
    if area_a <= 0 or area_b <= 0:
        return 0.0
    inter, _ = cv2.intersectConvexConvex(ha, hb)
    union = area_a + area_b - float(inter)
    return float(inter) / union if union > 0 else 0.0


def quad_iou(a: Quad, b: Quad) -> float:
    """Intersection over union of two quads (0 for degenerate ones).

    >>> quad_iou(((0, 0), (1, 0), (1, 1), (0, 1)), ((5, 5), (6, 5), (6, 6), (5, 6)))
    0.0
    >>> quad_iou(((0, 0), (1, 0), (1, 0), (0, 0)), ((0, 0), (1, 0), (1, 1), (0, 1)))
    0.0
    """
    return _iou_shapely(a, b) if _Polygon is not None else _iou_cv2(a, b)


def iou_matrix(preds: Sequence[Quad], gts: Sequence[Quad]) -> np.ndarray:
    """IoU of every prediction (rows) with every ground-truth quad (columns).

    >>> iou_matrix([], [((0, 0), (1, 0), (1, 1), (0, 1))]).shape
    (0, 1)
    """
    out = np.zeros((len(preds), len(gts)), dtype=np.float64)
    if not len(preds) or not len(gts):
        return out
    pb = np.array([bbox_of(q) for q in preds], dtype=np.float64)
    gb = np.array([bbox_of(q) for q in gts], dtype=np.float64)
    # only pairs whose bounding boxes overlap can have a non-zero IoU
    overlap = ((pb[:, None, 0] < gb[None, :, 2]) & (gb[None, :, 0] < pb[:, None, 2])
               & (pb[:, None, 1] < gb[None, :, 3]) & (gb[None, :, 1] < pb[:, None, 3]))
    for i, j in zip(*np.nonzero(overlap)):
        out[i, j] = quad_iou(preds[i], gts[j])
    return out


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
