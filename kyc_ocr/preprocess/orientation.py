"""Which way is up: quarter turns from the text-line direction, half turns from a scorer or a heuristic.

The line direction (0 or 90 degrees, plus a small skew) comes from
:func:`~kyc_ocr.preprocess.analysis.line_angle`. Telling upright text from
text turned 180 degrees needs more: a pluggable scorer (e.g. the OCR engine's
0/180 line classifier, see :func:`scorer_from_line_classifier`) or, without
one, the typography of Latin script: ascenders (b d f h k l t, capitals, i-dots)
far outnumber descenders (g j p q y), and periods and commas sit on the
baseline. Turned upside down, both signals reverse.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from kyc_ocr.domain import Box
from kyc_ocr.preprocess.analysis import Blobs, ink_mask, text_blobs

log = logging.getLogger(__name__)

#: ``scorer(image, line_boxes) -> probability that the image is upside down`` (0..1).
OrientationScorer = Callable[[np.ndarray, Sequence[Box]], float]

MIN_VOTES = 20  # fewer typographic cues than this: not enough evidence to turn a page over
MARGIN = 0.4  # the vote balance (-1..1) must lean this far towards "upside down" (no false turns on samples/)


@dataclass(frozen=True)
class Votes:
    """Typographic cues counted on a page: for upright (``up``) and for upside down (``down``)."""

    up: int
    down: int

    @property
    def balance(self) -> float:
        """-1 (surely upside down) .. +1 (surely upright).

        >>> Votes(30, 6).balance
        0.6666666666666666
        """
        total = self.up + self.down
        return 0.0 if total == 0 else (self.up - self.down) / total


def line_groups(grey: np.ndarray, blobs: Blobs) -> np.ndarray:
    """For each blob, the id of the horizontal text line it belongs to (0: none); lines must be horizontal."""
    if not len(blobs):
        return np.zeros(0, np.int32)
    reach = max(3, round(blobs.height * 1.2))
    smear = cv2.dilate(ink_mask(grey), cv2.getStructuringElement(cv2.MORPH_RECT, (reach, 1)))
    _, labels = cv2.connectedComponents(smear, connectivity=4)
    xs = np.clip(blobs.centres[:, 0].round().astype(int), 0, grey.shape[1] - 1)
    ys = np.clip(blobs.centres[:, 1].round().astype(int), 0, grey.shape[0] - 1)
    return labels[ys, xs].astype(np.int32)


def typographic_votes(grey: np.ndarray, blobs: Blobs | None = None) -> Votes:
    """Count ascenders vs descenders and baseline vs top-line marks on a page with horizontal lines."""
    blobs = blobs if blobs is not None else text_blobs(grey)
    groups = line_groups(grey, blobs)
    up = down = 0
    for gid in np.unique(groups[groups > 0]):
        members = blobs.boxes[groups == gid]
        if len(members) < 4:
            continue
        tops, heights = members[:, 1], members[:, 3]
        bottoms = tops + heights
        body = heights >= 0.5 * np.median(heights)  # letters, not marks
        if body.sum() < 3:
            continue
        top_line, base_line = np.median(tops[body]), np.median(bottoms[body])
        x_height = max(base_line - top_line, 1.0)
        tall_up = np.count_nonzero(body & (tops < top_line - 0.25 * x_height))
        tall_down = np.count_nonzero(body & (bottoms > base_line + 0.25 * x_height))
        marks = ~body & (heights < 0.45 * x_height)
        centre = (tops + bottoms) / 2
        low = np.count_nonzero(marks & (centre > base_line - 0.3 * x_height) & (centre < base_line + 0.3 * x_height))
        high = np.count_nonzero(marks & (centre < top_line + 0.3 * x_height) & (centre > top_line - 0.3 * x_height))
        up += int(tall_up) + int(low)
        down += int(tall_down) + int(high)
    return Votes(up, down)


def line_boxes(grey: np.ndarray, blobs: Blobs, scale: float) -> list[Box]:
    """Boxes (in full-image pixels, ``scale`` = small px per image px) of the text lines, longest first."""
    groups = line_groups(grey, blobs)
    out: list[tuple[float, Box]] = []
    for gid in np.unique(groups[groups > 0]):
        members = blobs.boxes[groups == gid]
        if len(members) < 3:
            continue
        x0, y0 = members[:, 0].min(), members[:, 1].min()
        x1, y1 = (members[:, 0] + members[:, 2]).max(), (members[:, 1] + members[:, 3]).max()
        out.append((x1 - x0, (x0 / scale, y0 / scale, x1 / scale, y1 / scale)))
    out.sort(key=lambda t: -t[0])
    return [b for _, b in out]


def upside_down(grey: np.ndarray, *, image: np.ndarray | None = None, scale: float = 1.0,
                scorer: OrientationScorer | None = None) -> bool:
    """Whether a page whose lines are horizontal is upside down.

    With a ``scorer`` (given the full-resolution ``image`` and the line boxes),
    its probability decides; otherwise the typographic vote, which must be
    clear (:data:`MIN_VOTES`, :data:`MARGIN`) before a page is turned over.
    """
    blobs = text_blobs(grey)
    if scorer is not None and image is not None:
        boxes = line_boxes(grey, blobs, scale)
        if boxes:
            return float(scorer(image, boxes[:32])) > 0.5
    votes = typographic_votes(grey, blobs)
    log.debug("orientation votes: up=%d down=%d", votes.up, votes.down)
    return votes.up + votes.down >= MIN_VOTES and votes.balance < -MARGIN


def scorer_from_line_classifier(classify: Callable[[list[np.ndarray]], Sequence[bool]],
                                max_lines: int = 16) -> OrientationScorer:
    """An :data:`OrientationScorer` from a per-line 0/180 classifier (crops -> "is upside down" flags).

    The page's probability is the share of its longest lines the classifier flags.

    >>> flip_if_dark_bottom = lambda crops: [c[-1].mean() < c[0].mean() for c in crops]
    >>> page = np.full((40, 100, 3), 255, np.uint8); page[25:30, 10:90] = 0
    >>> scorer_from_line_classifier(flip_if_dark_bottom)(page, [(10, 10, 90, 30)])
    1.0
    """

    def score(image: np.ndarray, boxes: Sequence[Box]) -> float:
        crops = []
        for x0, y0, x1, y1 in list(boxes)[:max_lines]:
            crop = image[max(0, int(y0)) : int(np.ceil(y1)), max(0, int(x0)) : int(np.ceil(x1))]
            if crop.size:
                crops.append(np.ascontiguousarray(crop))
        if not crops:
            return 0.0
        flags = list(classify(crops))
        return sum(bool(f) for f in flags) / max(len(flags), 1)

    return score
