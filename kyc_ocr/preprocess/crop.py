"""Find a document photographed on a background and the homography that flattens it.

On a copy about 600 px across: edges (Canny) and bright-region outlines give
candidate contours; each candidate's convex hull simplified to four corners
is a quad. A quad is kept only when it is plausible (area, aspect, corner
angles) and confident: most of its outline lies on image edges and the
colour changes across it (paper vs table), which a table printed on the page
does not do. The best quad is mapped back to full resolution; no quad means
the page is left alone.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.preprocess.geometry import order_corners

log = logging.getLogger(__name__)

CROP_SIDE = 640  # longest side of the copy the document search runs on
MIN_AREA, MAX_AREA = 0.15, 0.90  # of the image; above MAX_AREA the page is already the document
MIN_ASPECT, MAX_ASPECT = 1.0, 2.6
MIN_EDGE_SUPPORT = 0.55
MIN_CONTRAST = 10.0  # Lab units between just inside and just outside the outline
MAX_INK = 0.35  # share of dark pixels inside an outline above which it is a barcode or picture, not a document


@dataclass(frozen=True)
class Outline:
    """A document outline: corners TL, TR, BR, BL in image pixels, and the evidence for it."""

    corners: np.ndarray
    support: float
    contrast: float

    @property
    def rank(self) -> tuple[bool, float]:
        """Clear outlines first (edges all along, strong colour change), then the larger one.

        A card's coloured header band makes a second, smaller outline inside the
        card; preferring the larger of two clear outlines keeps the band.
        """
        clear = self.support >= 0.9 and self.contrast >= 25.0
        return clear, float(cv2.contourArea(self.corners.astype(np.float32))) if clear else self.support * self.contrast


def _plausible(corners: np.ndarray, image_area: float) -> bool:
    area = cv2.contourArea(corners.astype(np.float32))
    if not MIN_AREA * image_area <= area <= MAX_AREA * image_area:
        return False
    sides = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    long_side, short_side = max(sides[0] + sides[2], sides[1] + sides[3]), min(sides[0] + sides[2], sides[1] + sides[3])
    if short_side <= 0 or not MIN_ASPECT <= long_side / short_side <= MAX_ASPECT:
        return False
    for k in range(4):
        a, b = corners[k - 1] - corners[k], corners[(k + 1) % 4] - corners[k]
        cos = float(a @ b / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-9))
        if abs(cos) > 0.5:  # corner angle outside 60..120 degrees
            return False
    return True


def _sides(corners: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The quad's four sides as ``(start, end, outward unit normal)``, in corner order.

    >>> [(n + 0.0).tolist() for _, _, n in _sides(np.array([[0, 0], [4, 0], [4, 2], [0, 2]], float))]
    [[0.0, -1.0], [1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]
    """
    centre = corners.mean(axis=0)
    out = []
    for k in range(4):
        a, b = corners[k], corners[(k + 1) % 4]
        d = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
        n = np.array([-d[1], d[0]])
        out.append((a, b, -n if n @ ((a + b) / 2 - centre) < 0 else n))
    return out


def _outline_samples(corners: np.ndarray, per_side: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """Points along the outline and their outward unit normals."""
    pts, normals = [], []
    for a, b, n in _sides(corners):
        t = np.linspace(0.1, 0.9, per_side)[:, None]
        side = a + t * (b - a)
        pts.append(side)
        normals.append(np.repeat(n[None], per_side, axis=0))
    return np.concatenate(pts), np.concatenate(normals)


def _evidence(corners: np.ndarray, edge_dist: np.ndarray, lab: np.ndarray) -> tuple[float, float]:
    """(share of the outline within 2 px of an edge, median Lab difference across the outline)."""
    h, w = edge_dist.shape
    pts, normals = _outline_samples(corners)
    xi = np.clip(pts[:, 0].round().astype(int), 0, w - 1)
    yi = np.clip(pts[:, 1].round().astype(int), 0, h - 1)
    support = float(np.mean(edge_dist[yi, xi] <= 2.0))
    offset = max(3.0, 0.012 * max(h, w))
    inside, outside = pts - normals * offset, pts + normals * offset
    ok = (outside[:, 0] >= 0) & (outside[:, 0] < w) & (outside[:, 1] >= 0) & (outside[:, 1] < h)
    if ok.sum() < len(pts) // 3:
        return support, 0.0
    ins = lab[inside[ok, 1].astype(int), inside[ok, 0].astype(int)].astype(np.float32)
    outs = lab[outside[ok, 1].astype(int), outside[ok, 0].astype(int)].astype(np.float32)
    return support, float(np.median(np.linalg.norm(ins - outs, axis=1)))


def _support(a: np.ndarray, b: np.ndarray, edge_dist: np.ndarray, samples: int = 48) -> float:
    """Share of the segment a-b (its middle 80%) lying within 1.5 px of an edge."""
    h, w = edge_dist.shape
    pts = a + np.linspace(0.1, 0.9, samples)[:, None] * (b - a)
    inside = (pts[:, 0] >= 0) & (pts[:, 0] <= w - 1) & (pts[:, 1] >= 0) & (pts[:, 1] <= h - 1)
    if inside.sum() < samples // 2:
        return 0.0
    p = pts[inside].round().astype(int)
    return float(np.count_nonzero(edge_dist[p[:, 1], p[:, 0]] <= 1.5)) / samples


def _intersect(p1: np.ndarray, d1: np.ndarray, p2: np.ndarray, d2: np.ndarray) -> np.ndarray | None:
    """Intersection of the lines p1 + t d1 and p2 + s d2 (``None`` when parallel)."""
    m = np.array([d1, -d2]).T
    if abs(np.linalg.det(m)) < 1e-9:
        return None
    t = np.linalg.solve(m, p2 - p1)[0]
    return p1 + t * d1


def _grow(corners: np.ndarray, edge_dist: np.ndarray, lab: np.ndarray) -> np.ndarray:
    """Move each side out to a parallel outline further out, when there is one.

    A card with a dark header band on a dark table shows two outlines: the
    band's edge against the paper (strong) and the card's edge against the
    table (weaker). Each side is pushed out, up to 20% of the card's size,
    to the outermost parallel line with edges along most of it and a colour
    change across it.
    """
    sides = _sides(corners)
    offsets = np.zeros(4)
    for k, (a, b, n) in enumerate(sides):
        depth = np.linalg.norm(corners[(k + 2) % 4] - corners[(k + 1) % 4])
        for off in range(int(0.2 * depth), 3, -1):
            if _support(a + n * off, b + n * off, edge_dist) < 0.75:
                continue
            if _contrast_across(a + n * off, b + n * off, n, lab) >= 25.0:
                offsets[k] = off
                break
    if not offsets.any():
        return corners
    lines = [(a + n * offsets[k], b - a) for k, (a, b, n) in enumerate(sides)]
    grown = []
    for k in range(4):
        point = _intersect(*lines[k - 1], *lines[k])
        if point is None:
            return corners
        grown.append(point)
    return np.array(grown)


def _contrast_across(a: np.ndarray, b: np.ndarray, n: np.ndarray, lab: np.ndarray) -> float:
    """Median Lab difference across the segment a-b, along its outward normal ``n``."""
    h, w = lab.shape[:2]
    pts = a + np.linspace(0.1, 0.9, 32)[:, None] * (b - a)
    offset = max(3.0, 0.012 * max(h, w))
    inside, outside = pts - n * offset, pts + n * offset
    ok = (outside[:, 0] >= 0) & (outside[:, 0] < w) & (outside[:, 1] >= 0) & (outside[:, 1] < h) & \
         (inside[:, 0] >= 0) & (inside[:, 0] < w) & (inside[:, 1] >= 0) & (inside[:, 1] < h)
    if ok.sum() < 8:
        return 0.0
    ins = lab[inside[ok, 1].astype(int), inside[ok, 0].astype(int)].astype(np.float32)
    outs = lab[outside[ok, 1].astype(int), outside[ok, 0].astype(int)].astype(np.float32)
    return float(np.median(np.linalg.norm(ins - outs, axis=1)))


def _candidates(grey: np.ndarray, edges: np.ndarray) -> list[np.ndarray]:
    """Four-corner approximations of the large outlines in the edge map and in a bright/dark split."""
    closed = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))
    _, bright = cv2.threshold(cv2.GaussianBlur(grey, (7, 7), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((7, 7), np.uint8))
    min_area = MIN_AREA * grey.size
    quads: list[np.ndarray] = []
    for mask in (closed, bright):
        contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:12]:
            hull = cv2.convexHull(contour)
            if cv2.contourArea(hull) < min_area:
                break
            peri = cv2.arcLength(hull, True)
            for eps in (0.01, 0.02, 0.035, 0.05):
                approx = cv2.approxPolyDP(hull, eps * peri, True)
                if len(approx) == 4:
                    quads.append(order_corners(approx.reshape(4, 2).astype(np.float64)))
                    break
    return quads


def _line_quads(edges: np.ndarray, per_family: int = 6, spread: float = 20.0) -> list[np.ndarray]:
    """Quads whose sides lie on long straight edges: two from each of the two roughly perpendicular families
    of line segments (Hough), every combination of the ``per_family`` longest lines of each.

    The fallback when no outline closes into a quad: a document whose edge runs into a patch of the background
    as bright as the paper, or into another object's edge, gives one contour with the two shapes merged, but
    its four sides are still straight edges.

    >>> edges = np.zeros((300, 400), np.uint8)
    >>> _ = cv2.rectangle(edges, (60, 40), (330, 250), 255, 1); _ = cv2.line(edges, (0, 250), (60, 299), 255, 1)
    >>> quads = _line_quads(edges)
    >>> any(np.abs(q - [[60, 40], [330, 40], [330, 250], [60, 250]]).max() <= 2 for q in quads)
    True
    >>> _line_quads(np.zeros((8, 8), np.uint8)), _line_quads(np.full((8, 8), 255, np.uint8))[:0]
    ([], [])
    """
    h, w = edges.shape
    found = cv2.HoughLinesP(edges, 1, np.pi / 180, threshold=40, minLineLength=int(0.2 * min(h, w)), maxLineGap=6)
    if found is None or not len(found):
        return []
    segments = found.reshape(-1, 4).astype(np.float64)
    lengths = np.hypot(segments[:, 2] - segments[:, 0], segments[:, 3] - segments[:, 1])
    angles = np.degrees(np.arctan2(segments[:, 3] - segments[:, 1], segments[:, 2] - segments[:, 0])) % 180.0
    main = float(angles[np.argmax(lengths)])
    families: list[list[tuple[np.ndarray, np.ndarray]]] = []
    for axis in (main, (main + 90.0) % 180.0):
        off = np.abs((angles - axis + 90.0) % 180.0 - 90.0)
        lines: list[tuple[np.ndarray, np.ndarray]] = []
        for k in np.argsort(-lengths):
            if off[k] > spread:
                continue
            a, b = segments[k, :2], segments[k, 2:]
            d = (b - a) / max(float(np.linalg.norm(b - a)), 1e-9)
            n = np.array([-d[1], d[0]])
            if any(abs(float(n @ (a - p))) < 6.0 and abs(float(d @ q)) > 0.99 for p, q in lines):
                continue  # a piece of a line already kept
            lines.append((a, d))
            if len(lines) == per_family:
                break
        families.append(lines)
    quads = []
    for (p1, d1), (p2, d2) in itertools.combinations(families[0], 2):
        for (p3, d3), (p4, d4) in itertools.combinations(families[1], 2):
            corners = [_intersect(p1, d1, p3, d3), _intersect(p1, d1, p4, d4), _intersect(p2, d2, p4, d4),
                       _intersect(p2, d2, p3, d3)]
            if all(c is not None for c in corners):
                quads.append(order_corners(np.array(corners)))
    return quads


def _even_sides(corners: np.ndarray, edge_dist: np.ndarray, lab: np.ndarray, min_support: float = 0.75,
                share: float = 0.5) -> bool:
    """Whether each side of the quad lies on an edge (``min_support``) with a colour change across it at least
    ``share`` of its strongest side's: paper against background all round. A side drawn along an edge inside
    the document (a card's MRZ band) changes colour far less than the sides against the table."""
    contrasts = []
    for a, b, n in _sides(corners):
        if _support(a, b, edge_dist) < min_support:
            return False
        contrasts.append(_contrast_across(a, b, n, lab))
    return min(contrasts) >= share * max(contrasts)


def _edges(lab: np.ndarray) -> np.ndarray:
    """Edges of lightness and of colour (a dark blue card band on a brown table differs mostly in hue)."""
    edges = np.zeros(lab.shape[:2], np.uint8)
    for k, (low, high) in enumerate(((40.0, 100.0), (20.0, 50.0), (20.0, 50.0))):
        edges = np.bitwise_or(edges, cv2.Canny(np.ascontiguousarray(lab[:, :, k]), low, high, L2gradient=True))
    return edges


def ink_share(grey: np.ndarray, corners: np.ndarray) -> float:
    """Share of the pixels inside ``corners`` darker than the image's Otsu threshold.

    A document is mostly paper; a PDF417 symbol or a portrait, which also have four sharp edges, is not.

    >>> grey = np.full((100, 200), 230, np.uint8); grey[20:80, 20:100:2] = 10  # stripes on the left
    >>> round(ink_share(grey, np.array([[20, 20], [100, 20], [100, 80], [20, 80]], float)), 2)
    0.49
    >>> ink_share(grey, np.array([[110, 20], [190, 20], [190, 80], [110, 80]], float))
    0.0
    """
    threshold, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = np.zeros(grey.shape, np.uint8)
    cv2.fillConvexPoly(mask, np.round(corners).astype(np.int32), 1)
    inside = grey[mask > 0]
    return float(np.count_nonzero(inside <= threshold)) / max(inside.size, 1)


def _best_outline(quads: list[np.ndarray], grey: np.ndarray, edge_dist: np.ndarray, lab: np.ndarray
                  ) -> Outline | None:
    """The best ranked of ``quads`` that is a plausible document with a clear outline (``None``: none is)."""
    best: Outline | None = None
    for corners in quads:
        if not _plausible(corners, float(grey.size)) or ink_share(grey, corners) > MAX_INK:
            continue
        support, contrast = _evidence(corners, edge_dist, lab)
        if support < MIN_EDGE_SUPPORT or contrast < MIN_CONTRAST:
            continue
        quad = Outline(corners, support, contrast)
        if best is None or quad.rank > best.rank:
            best = quad
    return best


def find_document(image: np.ndarray) -> Outline | None:
    """The outline of a document lying on a background, in pixels of ``image``; ``None`` when unsure."""
    scale = min(1.0, CROP_SIDE / max(image.shape[:2]))
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else image
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2LAB)
    edges = _edges(lab)
    edge_dist = cv2.distanceTransform(255 - edges, cv2.DIST_L2, 3)
    quads = _candidates(grey, edges)
    best = _best_outline(quads, grey, edge_dist, lab)
    whole = any(cv2.contourArea(q.astype(np.float32)) > MAX_AREA * grey.size for q in quads)
    if best is None and not whole:
        # no outline closed into a quad on a page that is not itself the document (a scan's own edge): try the
        # straight edges, each side a paper/background edge and the outline as a whole a clear one
        lined = _best_outline([q for q in _line_quads(edges) if _even_sides(q, edge_dist, lab)], grey, edge_dist, lab)
        best = lined if lined is not None and lined.rank[0] else None
    if best is None:
        return None
    grown = _grow(best.corners, edge_dist, lab)
    if grown is not best.corners and _plausible(grown, float(grey.size)):
        best = Outline(order_corners(grown), *_evidence(grown, edge_dist, lab))
    log.debug("document outline found: edge support %.2f, contrast %.1f", best.support, best.contrast)
    return Outline(best.corners / scale, best.support, best.contrast)


def flat_size(corners: np.ndarray, max_side: int) -> tuple[int, int]:
    """Output (width, height) for a flattened quad: its longest opposite sides, capped at ``max_side``.

    >>> flat_size(np.array([[0, 0], [400, 10], [400, 210], [0, 200]], float), 300)
    (300, 150)
    """
    sides = np.linalg.norm(np.roll(corners, -1, axis=0) - corners, axis=1)
    w, h = max(sides[0], sides[2]), max(sides[1], sides[3])
    k = min(1.0, max_side / max(w, h))
    return max(1, round(float(w * k))), max(1, round(float(h * k)))
