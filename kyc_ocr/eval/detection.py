"""Text-detection metrics: precision, recall and Hmean at one IoU, and COCO-style mAP.

*P/R/Hmean* use a one-to-one greedy matching by IoU (:func:`greedy_match`) at
IoU >= 0.5; the empty-set conventions are those of the ICDAR robust-reading
scripts (no ground truth: recall 1, precision 1 only if nothing was predicted).

*mAP@[.5:.95]* follows COCO: at each IoU threshold .50, .55, ... .95 the
predictions of a page, taken by decreasing confidence, each claim the
unclaimed ground-truth quad they overlap most (IoU >= threshold); all pages'
predictions are then ranked by confidence, the precision envelope is sampled
at 101 recall points (0, .01, ... 1) and averaged; mAP is the mean over the
ten thresholds.

>>> sq = ((0, 0), (10, 0), (10, 10), (0, 10))
>>> d = DetectionCounts(); d.add([sq], [sq])
[(0, 0)]
>>> d.precision, d.recall, d.hmean
(1.0, 1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from kyc_ocr.domain import Quad
from kyc_ocr.eval.geometry import Overlaps, greedy_match, iou_matrix

IOU_THRESHOLDS: tuple[float, ...] = tuple(round(0.5 + 0.05 * k, 2) for k in range(10))
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


@dataclass
class DetectionCounts:
    """True positives, predictions and ground-truth lines at one IoU threshold."""

    iou: float = 0.5
    tp: int = 0
    n_pred: int = 0
    n_gt: int = 0

    def add(self, preds: Sequence[Quad], gts: Sequence[Quad]) -> list[tuple[int, int]]:
        """Match one page; returns the matched ``(pred, gt)`` index pairs."""
        return self.add_matrix(iou_matrix(preds, gts))

    def add_matrix(self, ious: np.ndarray, threshold: float | None = None) -> list[tuple[int, int]]:
        """Match one page given its (predictions x ground truth) IoU matrix (at ``threshold``, default ``iou``)."""
        pairs = greedy_match(ious, self.iou if threshold is None else threshold)
        self.tp += len(pairs)
        self.n_pred += ious.shape[0]
        self.n_gt += ious.shape[1]
        return pairs

    def merge(self, other: DetectionCounts) -> None:
        self.tp += other.tp
        self.n_pred += other.n_pred
        self.n_gt += other.n_gt

    @property
    def precision(self) -> float:
        """Matched over predicted.

        >>> DetectionCounts(tp=0, n_pred=0, n_gt=0).precision, DetectionCounts(tp=0, n_pred=0, n_gt=3).precision
        (1.0, 0.0)
        """
        if self.n_pred == 0:
            return 1.0 if self.n_gt == 0 else 0.0
        return self.tp / self.n_pred

    @property
    def recall(self) -> float:
        """Matched over ground truth (1 when there is no ground truth).

        >>> DetectionCounts(tp=1, n_pred=2, n_gt=4).recall
        0.25
        """
        return self.tp / self.n_gt if self.n_gt else 1.0

    @property
    def hmean(self) -> float:
        """Harmonic mean of precision and recall.

        >>> DetectionCounts(tp=1, n_pred=2, n_gt=4).hmean  # 2 * .5 * .25 / .75
        0.3333333333333333
        """
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "iou": self.iou,
            "precision": round(self.precision, 6),
            "recall": round(self.recall, 6),
            "hmean": round(self.hmean, 6),
            "tp": self.tp,
            "n_pred": self.n_pred,
            "n_gt": self.n_gt,
        }


def deteval_scores(ov: Overlaps, area_recall: float = 0.8, area_precision: float = 0.4) -> np.ndarray:
    """IoU of the pairs acceptable as the same text line, 0 elsewhere.

    A pair is acceptable when IoU >= 0.5, or by DetEval's one-to-one rule
    (Wolf & Jolion 2006): the prediction covers at least ``area_recall`` of
    the ground-truth quad and at least ``area_precision`` of the prediction
    lies on it. The second rule accepts a correct but generously padded box
    around a short word (DB detectors pad by a fixed ratio), which IoU alone rejects.

    >>> from kyc_ocr.eval.geometry import overlaps
    >>> word = ((10, 10), (30, 10), (30, 20), (10, 20))       # tight ground-truth box, area 200
    >>> padded = ((7, 7), (33, 7), (33, 23), (7, 23))         # detector box around it, area 416
    >>> ov = overlaps([padded], [word])
    >>> round(float(ov.iou[0, 0]), 3), round(float(deteval_scores(ov)[0, 0]), 3)  # IoU 200/416 < .5, kept
    (0.481, 0.481)
    >>> wide = ((0, 0), (40, 0), (40, 30), (0, 30))           # covers the word but 200/1200 of it is the word
    >>> float(deteval_scores(overlaps([wide], [word]))[0, 0])
    0.0
    """
    ok = (ov.iou >= 0.5) | ((ov.gt_cover >= area_recall) & (ov.pred_cover >= area_precision))
    return np.where(ok, ov.iou, 0.0)


def score_matches(ious: np.ndarray, scores: Sequence[float], threshold: float) -> list[bool]:
    """COCO per-page matching: by decreasing score, each prediction takes its best free GT.

    Returns, for each prediction in input order, whether it is a true positive.

    >>> score_matches(np.array([[0.9], [0.95]]), [0.2, 0.8], 0.5)  # the confident one claims the GT
    [False, True]
    """
    tp = [False] * len(scores)
    taken: set[int] = set()
    for i in sorted(range(len(scores)), key=lambda k: -scores[k]):
        best, best_iou = -1, threshold
        for j in np.flatnonzero(ious[i] >= threshold):
            if int(j) not in taken and ious[i, j] >= best_iou:
                best, best_iou = int(j), ious[i, j]
        if best >= 0:
            taken.add(best)
            tp[i] = True
    return tp


def average_precision(scores: Sequence[float], tps: Sequence[bool], n_gt: int) -> float:
    """101-point interpolated AP of ranked predictions against ``n_gt`` ground-truth items.

    >>> round(average_precision([0.9, 0.8, 0.7], [True, False, True], 2), 6)  # (51 * 1 + 50 * 2/3) / 101
    0.834983
    >>> average_precision([], [], 0), average_precision([0.5], [False], 0)
    (1.0, 0.0)
    """
    if n_gt == 0:
        return 1.0 if not scores else 0.0
    if not scores:
        return 0.0
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="mergesort")
    hits = np.asarray(tps, dtype=bool)[order]
    tp_cum = np.cumsum(hits)
    fp_cum = np.cumsum(~hits)
    recall = tp_cum / n_gt
    precision = tp_cum / (tp_cum + fp_cum)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]
    idx = np.searchsorted(recall, RECALL_POINTS, side="left")
    sampled = np.where(idx < len(envelope), envelope[np.minimum(idx, len(envelope) - 1)], 0.0)
    return float(sampled.mean())


@dataclass
class APAccumulator:
    """Scored matches of many pages at the COCO IoU thresholds; gives AP per threshold and mAP."""

    thresholds: tuple[float, ...] = IOU_THRESHOLDS
    n_gt: int = 0
    scores: list[float] = field(default_factory=list)
    hits: dict[float, list[bool]] = field(default_factory=dict)

    def add(self, preds: Sequence[Quad], confidences: Sequence[float], gts: Sequence[Quad]) -> None:
        """Match one page at every threshold and keep the scored outcomes."""
        self.add_matrix(iou_matrix(preds, gts), confidences)

    def add_matrix(self, ious: np.ndarray, confidences: Sequence[float]) -> None:
        """Match one page given its IoU matrix and the predictions' confidences."""
        self.n_gt += ious.shape[1]
        self.scores.extend(float(c) for c in confidences)
        for t in self.thresholds:
            self.hits.setdefault(t, []).extend(score_matches(ious, list(confidences), t))

    def merge(self, other: APAccumulator) -> None:
        self.n_gt += other.n_gt
        self.scores.extend(other.scores)
        for t in self.thresholds:
            self.hits.setdefault(t, []).extend(other.hits.get(t, [False] * len(other.scores)))

    def ap(self, threshold: float) -> float:
        return average_precision(self.scores, self.hits.get(threshold, [False] * len(self.scores)), self.n_gt)

    @property
    def map(self) -> float:
        return float(np.mean([self.ap(t) for t in self.thresholds]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "map": round(self.map, 6),
            "ap50": round(self.ap(0.5), 6),
            "ap75": round(self.ap(0.75), 6),
            "n_pred": len(self.scores),
            "n_gt": self.n_gt,
        }
