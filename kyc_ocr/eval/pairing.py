"""Pairing predicted text lines with ground-truth lines for reading metrics (one-to-one, splits, merges).

Ground truth boxes each printed item tightly (a label and its value are two
lines); a detector may join items on one baseline into one line, split one
item in two, or pad its box. Scoring reading quality needs the text of what
was *found*, so lines are paired in the spirit of DetEval (Wolf & Jolion 2006),
with its area thresholds (area recall ``R`` = 0.8, area precision ``P`` = 0.4):

1. *merge* — one prediction covering >= R of each of several free ground-truth lines,
   those lines making up >= P of the prediction's area;
2. *split* — several free predictions each lying >= P on one ground-truth line
   and together covering >= R of it;
3. *one-to-one* — greedy by IoU among pairs with IoU >= 0.5 or (area recall >= R
   and area precision >= P) (:func:`~kyc_ocr.eval.detection.deteval_scores`).

Texts of a group are joined with one space in the ground truth's reading direction. Unlike DetEval,
splits and merges are not down-weighted: their cost shows in the text compared.

>>> from kyc_ocr.eval.geometry import overlaps
>>> label, value = ((0, 0), (40, 0), (40, 10), (0, 10)), ((50, 0), (90, 0), (90, 10), (50, 10))
>>> joined = ((-2, -2), (92, -2), (92, 12), (-2, 12))   # one detected line over both
>>> pair_lines(overlaps([joined], [label, value]), [joined], [label, value])
[Group(preds=(0,), gts=(0, 1), kind='merge')]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kyc_ocr.domain import Quad
from kyc_ocr.eval.detection import deteval_scores
from kyc_ocr.eval.geometry import Overlaps, greedy_match

AREA_RECALL = 0.8
AREA_PRECISION = 0.4


@dataclass(frozen=True)
class Group:
    """Predicted and ground-truth line indices read as the same text, each side in reading order."""

    preds: tuple[int, ...]
    gts: tuple[int, ...]
    kind: str  # "one-to-one" | "merge" | "split"


def _reading_order(indices: Sequence[int], quads: Sequence[Quad], along: Quad) -> tuple[int, ...]:
    """``indices`` sorted along the reading direction of the quad ``along`` (its top-left -> top-right edge).

    Ground-truth quads start at the text's own top-left corner, so this also
    orders the pieces of an upside-down or rotated document correctly.

    >>> upside_down = ((90, 10), (0, 10), (0, 0), (90, 0))  # text rotated 180 degrees: reads right to left
    >>> left, right = ((0, 0), (40, 0), (40, 10), (0, 10)), ((50, 0), (90, 0), (90, 10), (50, 10))
    >>> _reading_order([0, 1], [left, right], upside_down)
    (1, 0)
    """
    a = np.asarray(along, dtype=np.float64)
    direction = a[1] - a[0]
    return tuple(sorted(indices, key=lambda k: (float(np.asarray(quads[k], dtype=np.float64).mean(axis=0) @ direction),
                                                k)))


def pair_lines(ov: Overlaps, preds: Sequence[Quad], gts: Sequence[Quad]) -> list[Group]:
    """Groups of predicted and ground-truth lines; lines in no group are unmatched.

    >>> from kyc_ocr.eval.geometry import overlaps
    >>> line = ((0, 0), (90, 0), (90, 10), (0, 10))
    >>> a, b = ((0, -1), (44, -1), (44, 11), (0, 11)), ((48, -1), (90, -1), (90, 11), (48, 11))
    >>> pair_lines(overlaps([b, a], [line]), [b, a], [line])  # a line read in two pieces
    [Group(preds=(1, 0), gts=(0,), kind='split')]
    >>> pair_lines(overlaps([line], [line]), [line], [line])
    [Group(preds=(0,), gts=(0,), kind='one-to-one')]
    """
    n_pred, n_gt = ov.iou.shape
    free_p, free_g = set(range(n_pred)), set(range(n_gt))
    groups: list[Group] = []
    for i in range(n_pred):
        covered = [j for j in sorted(free_g) if ov.gt_cover[i, j] >= AREA_RECALL]
        if len(covered) >= 2 and ov.pred_cover[i, covered].sum() >= AREA_PRECISION:
            groups.append(Group((i,), _reading_order(covered, gts, gts[covered[0]]), "merge"))
            free_p.discard(i)
            free_g.difference_update(covered)
    for j in sorted(free_g):
        pieces = [i for i in sorted(free_p) if ov.pred_cover[i, j] >= AREA_PRECISION]
        if len(pieces) >= 2 and ov.gt_cover[pieces, j].sum() >= AREA_RECALL:
            groups.append(Group(_reading_order(pieces, preds, gts[j]), (j,), "split"))
            free_p.difference_update(pieces)
            free_g.discard(j)
    scores = deteval_scores(ov, AREA_RECALL, AREA_PRECISION)
    mask = np.zeros_like(scores)
    if free_p and free_g:
        rows, cols = sorted(free_p), sorted(free_g)
        mask[np.ix_(rows, cols)] = scores[np.ix_(rows, cols)]
    groups += [Group((i,), (j,), "one-to-one") for i, j in greedy_match(mask, 1e-12)]
    return groups
