"""Homographies between a prepared image and the page it came from.

Every preprocessing step that moves pixels returns the 3x3 matrix mapping its
*output* pixel coordinates to its *input* pixel coordinates; a page's
``transform`` is the product of those matrices, so it maps prepared pixels
all the way back to the decoded page.

>>> h = rotation(90, 200, 100)[0]   # a 200x100 image turned 90 degrees clockwise (now 100x200)
>>> apply(h, [(0, 0), (99, 0)]).round(6).tolist()   # output top corners: the input's bottom-left, top-left
[[0.0, 99.0], [0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from kyc_ocr.domain import Quad


def apply(h: np.ndarray, points: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    """Map (N, 2) points through the homography ``h``.

    >>> apply(np.array([[2.0, 0, 1], [0, 2, 0], [0, 0, 1]]), [(1, 1)]).tolist()
    [[3.0, 2.0]]
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    homo = np.concatenate([pts, np.ones((len(pts), 1))], axis=1) @ np.asarray(h, dtype=np.float64).T
    return homo[:, :2] / homo[:, 2:3]


def rotation(degrees: float, width: int, height: int) -> tuple[np.ndarray, tuple[int, int]]:
    """Turn an image ``degrees`` clockwise about its centre on a canvas that holds all of it.

    Returns the matrix mapping *output* pixels to *input* pixels and the output
    size ``(width, height)``. Quarter turns give exact integer sizes.

    >>> h, size = rotation(180, 4, 2)
    >>> size, apply(h, [(0, 0)]).round(6).tolist()
    ((4, 2), [[3.0, 1.0]])
    """
    rad = np.deg2rad(degrees)
    c, s = np.cos(rad), np.sin(rad)
    quarter = abs(degrees / 90 - round(degrees / 90)) < 1e-9
    if quarter:
        c, s = round(c), round(s)
        out_w, out_h = (width, height) if round(degrees / 90) % 2 == 0 else (height, width)
    else:
        out_w = int(np.ceil(abs(width * c) + abs(height * s)))
        out_h = int(np.ceil(abs(width * s) + abs(height * c)))
    # pixel centres: input centre ((w-1)/2, (h-1)/2) lands on output centre
    to_centre = np.array([[1, 0, -(out_w - 1) / 2], [0, 1, -(out_h - 1) / 2], [0, 0, 1]], np.float64)
    back = np.array([[c, s, 0], [-s, c, 0], [0, 0, 1]], np.float64)  # inverse of a clockwise turn (y down)
    from_centre = np.array([[1, 0, (width - 1) / 2], [0, 1, (height - 1) / 2], [0, 0, 1]], np.float64)
    return from_centre @ back @ to_centre, (out_w, out_h)


def warp(image: np.ndarray, h: np.ndarray, size: tuple[int, int], fill: tuple[int, int, int]) -> np.ndarray:
    """Resample ``image`` so that output pixel p shows input pixel ``h @ p`` (``h``: output -> input)."""
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    if np.allclose(h[2], (0, 0, 1)):
        out = cv2.warpAffine(image, np.ascontiguousarray(h[:2]), size, flags=flags,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    else:
        out = cv2.warpPerspective(image, h, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)
    return np.ascontiguousarray(out)


def quarter_turn(image: np.ndarray, quarters: int) -> np.ndarray:
    """Turn ``image`` by ``quarters`` x 90 degrees clockwise, losslessly (matches :func:`rotation`)."""
    return np.ascontiguousarray(np.rot90(image, k=-(quarters % 4)))


def order_corners(points: np.ndarray) -> np.ndarray:
    """Four points as top-left, top-right, bottom-right, bottom-left (clockwise on screen).

    >>> order_corners(np.array([[10, 0], [0, 0], [0, 5], [10, 5]])).tolist()
    [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    """
    pts = np.asarray(points, dtype=np.float64).reshape(4, 2)
    centre = pts.mean(axis=0)
    angles = np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0])
    pts = pts[np.argsort(angles)]  # clockwise on screen, starting anywhere
    start = int(np.argmin(pts.sum(axis=1)))  # top-left: smallest x + y
    return np.roll(pts, -start, axis=0)


def map_quad(h: np.ndarray, quad: Quad | Sequence[Sequence[float]]) -> Quad:
    """A quad mapped through ``h`` (corner order kept)."""
    out = apply(h, quad)
    return tuple((float(x), float(y)) for x, y in out)  # type: ignore[return-value]
