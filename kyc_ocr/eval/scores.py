"""Per-page OCR scoring and grouping of any mergeable metric by preset, kind and template.

Detection is scored on quad IoU: ``detection`` — P/R/Hmean at IoU >= 0.5
(one-to-one, greedy by IoU), ``ap`` — COCO mAP@[.5:.95]. Ground-truth boxes
are tight around the ink while detectors pad theirs, so a correctly found
short word can fall below IoU 0.5: read these as box-agreement scores.

Reading is scored on lines paired by :func:`~kyc_ocr.eval.pairing.pair_lines`
(one-to-one, or a split/merged line against the texts it covers, joined by a
space); ``pairing`` gives the share of lines paired that way (P/R/Hmean with
split and merge counts). Then:

* ``recognition`` — CER/WER/exact-line accuracy over paired groups only (reading quality);
* ``end_to_end`` — every ground-truth line: paired groups plus each unpaired ground-truth
  line counted in full as errors (what a user of the text gets). Spurious predicted lines
  are reported apart (``spurious_lines``/``spurious_chars``), not folded into either rate.

>>> from kyc_ocr.domain import TextLine
>>> sq = ((0, 0), (10, 0), (10, 10), (0, 10)); far = ((50, 0), (60, 0), (60, 10), (50, 10))
>>> m = OcrMetrics()
>>> m.add_page([TextLine("KIC", 0.9, sq)], [("KYC", sq), ("UTO", far)])
>>> m.recognition.cer, m.end_to_end.cer, m.detection.recall  # 1/3 on the pair; (1 + 3) / 6 overall
(0.3333333333333333, 0.6666666666666666, 0.5)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from kyc_ocr.domain import Quad, TextLine
from kyc_ocr.eval.detection import APAccumulator, DetectionCounts
from kyc_ocr.eval.geometry import overlaps
from kyc_ocr.eval.pairing import pair_lines
from kyc_ocr.eval.text import TextErrors


@dataclass
class PairingCounts:
    """How many predicted and ground-truth lines were paired for reading, and how.

    >>> round(PairingCounts(pred_paired=3, gt_paired=4, n_pred=4, n_gt=5).hmean, 4)  # P 3/4, R 4/5: 1.2/1.55
    0.7742
    """

    pred_paired: int = 0
    gt_paired: int = 0
    n_pred: int = 0
    n_gt: int = 0
    merges: int = 0
    splits: int = 0

    @property
    def precision(self) -> float:
        return self.pred_paired / self.n_pred if self.n_pred else (1.0 if self.n_gt == 0 else 0.0)

    @property
    def recall(self) -> float:
        return self.gt_paired / self.n_gt if self.n_gt else 1.0

    @property
    def hmean(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r > 0 else 0.0

    def merge(self, other: PairingCounts) -> None:
        for name in ("pred_paired", "gt_paired", "n_pred", "n_gt", "merges", "splits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 6), "recall": round(self.recall, 6),
                "hmean": round(self.hmean, 6), "pred_paired": self.pred_paired, "gt_paired": self.gt_paired,
                "n_pred": self.n_pred, "n_gt": self.n_gt, "merges": self.merges, "splits": self.splits}


@dataclass
class OcrMetrics:
    """Recognition, end-to-end, detection and AP figures over any number of pages."""

    recognition: TextErrors = field(default_factory=TextErrors)
    end_to_end: TextErrors = field(default_factory=TextErrors)
    detection: DetectionCounts = field(default_factory=DetectionCounts)
    pairing: PairingCounts = field(default_factory=PairingCounts)
    ap: APAccumulator = field(default_factory=APAccumulator)
    pages: int = 0
    spurious_lines: int = 0
    spurious_chars: int = 0

    def add_page(self, preds: Sequence[TextLine], gts: Sequence[tuple[str, Quad]]) -> None:
        """Score one page: predicted lines (in ground-truth pixel coordinates) against ``(text, quad)``."""
        pred_quads, gt_quads = [p.quad for p in preds], [g[1] for g in gts]
        ov = overlaps(pred_quads, gt_quads)
        self.detection.add_matrix(ov.iou)
        self.ap.add_matrix(ov.iou, [p.confidence for p in preds])
        groups = pair_lines(ov, pred_quads, gt_quads)
        used_p = {i for g in groups for i in g.preds}
        used_g = {j for g in groups for j in g.gts}
        for group in groups:
            pred = " ".join(preds[i].text for i in group.preds)
            truth = " ".join(gts[j][0] for j in group.gts)
            self.recognition.add(pred, truth)
            self.end_to_end.add(pred, truth)
        for j, (text, _quad) in enumerate(gts):
            if j not in used_g:
                self.end_to_end.add("", text)
        extra = [p for i, p in enumerate(preds) if i not in used_p]
        self.spurious_lines += len(extra)
        self.spurious_chars += sum(len(p.text) for p in extra)
        self.pairing.merge(PairingCounts(len(used_p), len(used_g), len(preds), len(gts),
                                         sum(g.kind == "merge" for g in groups),
                                         sum(g.kind == "split" for g in groups)))
        self.pages += 1

    def merge(self, other: OcrMetrics) -> None:
        self.recognition.merge(other.recognition)
        self.end_to_end.merge(other.end_to_end)
        self.detection.merge(other.detection)
        self.pairing.merge(other.pairing)
        self.ap.merge(other.ap)
        self.pages += other.pages
        self.spurious_lines += other.spurious_lines
        self.spurious_chars += other.spurious_chars

    def to_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "recognition": self.recognition.to_dict(),
            "end_to_end": self.end_to_end.to_dict(),
            "detection": self.detection.to_dict(),
            "ap": self.ap.to_dict(),
            "pairing": self.pairing.to_dict(),
            "spurious_lines": self.spurious_lines,
            "spurious_chars": self.spurious_chars,
        }


class Mergeable(Protocol):
    def merge(self, other: Any) -> None: ...

    def to_dict(self) -> dict[str, Any]: ...


T = TypeVar("T", bound=Mergeable)
GROUP_KEYS = ("preset", "kind", "template")


@dataclass
class Grouped(Generic[T]):
    """A metric overall and per preset, per document kind and per template id.

    >>> g = Grouped(TextErrors)
    >>> one = TextErrors(); one.add("KIC", "KYC")
    >>> g.add(one, preset="scan", kind="passport", template="uto-passport-td3")
    >>> g.overall.cer == g.by["preset"]["scan"].cer == 1 / 3
    True
    """

    factory: Callable[[], T]
    documents: int = 0
    overall: T = field(init=False)
    by: dict[str, dict[str, T]] = field(init=False)
    counts: dict[str, dict[str, int]] = field(init=False)  # documents per group

    def __post_init__(self) -> None:
        self.overall = self.factory()
        self.by = {key: {} for key in GROUP_KEYS}
        self.counts = {key: {} for key in GROUP_KEYS}

    def add(self, item: T, *, preset: str, kind: str, template: str) -> None:
        """Merge one document's metric into the overall figure and its three groups."""
        self.documents += 1
        self.overall.merge(item)
        for key, value in zip(GROUP_KEYS, (preset, kind, template)):
            if value not in self.by[key]:
                self.by[key][value] = self.factory()
            self.by[key][value].merge(item)
            self.counts[key][value] = self.counts[key].get(value, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"documents": self.documents, "overall": self.overall.to_dict()}
        for key in GROUP_KEYS:
            out[f"by_{key}"] = {name: {"documents": self.counts[key][name], **m.to_dict()}
                                for name, m in sorted(self.by[key].items())}
        return out
