"""Per-page OCR scoring and grouping of any mergeable metric by preset, kind and template.

Predicted lines are matched one-to-one to ground-truth lines by quad IoU
(>= 0.5, greedy by IoU). On those pairs:

* ``recognition`` — CER/WER/line accuracy of matched pairs only (reading quality);
* ``end_to_end`` — every ground-truth line, a missed one counting its full length as errors
  (what a user of the text gets). Spurious predicted lines are reported apart
  (``spurious_lines``/``spurious_chars``), not folded into either rate;
* ``detection`` — P/R/Hmean at IoU 0.5, and ``ap`` — COCO mAP@[.5:.95].

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
from kyc_ocr.eval.geometry import iou_matrix
from kyc_ocr.eval.text import TextErrors


@dataclass
class OcrMetrics:
    """Recognition, end-to-end, detection and AP figures over any number of pages."""

    recognition: TextErrors = field(default_factory=TextErrors)
    end_to_end: TextErrors = field(default_factory=TextErrors)
    detection: DetectionCounts = field(default_factory=DetectionCounts)
    ap: APAccumulator = field(default_factory=APAccumulator)
    pages: int = 0
    spurious_lines: int = 0
    spurious_chars: int = 0

    def add_page(self, preds: Sequence[TextLine], gts: Sequence[tuple[str, Quad]]) -> None:
        """Score one page: predicted lines (in ground-truth pixel coordinates) against ``(text, quad)``."""
        ious = iou_matrix([p.quad for p in preds], [g[1] for g in gts])
        pairs = self.detection.add_matrix(ious)
        self.ap.add_matrix(ious, [p.confidence for p in preds])
        matched = dict((j, i) for i, j in pairs)
        for i, j in pairs:
            self.recognition.add(preds[i].text, gts[j][0])
        for j, (text, _quad) in enumerate(gts):
            self.end_to_end.add(preds[matched[j]].text if j in matched else "", text)
        used = {i for i, _ in pairs}
        extra = [p for i, p in enumerate(preds) if i not in used]
        self.spurious_lines += len(extra)
        self.spurious_chars += sum(len(p.text) for p in extra)
        self.pages += 1

    def merge(self, other: OcrMetrics) -> None:
        self.recognition.merge(other.recognition)
        self.end_to_end.merge(other.end_to_end)
        self.detection.merge(other.detection)
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

    def __post_init__(self) -> None:
        self.overall = self.factory()
        self.by = {key: {} for key in GROUP_KEYS}

    def add(self, item: T, *, preset: str, kind: str, template: str) -> None:
        """Merge one document's metric into the overall figure and its three groups."""
        self.documents += 1
        self.overall.merge(item)
        for key, value in zip(GROUP_KEYS, (preset, kind, template)):
            if value not in self.by[key]:
                self.by[key][value] = self.factory()
            self.by[key][value].merge(item)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"documents": self.documents, "overall": self.overall.to_dict()}
        for key in GROUP_KEYS:
            out[f"by_{key}"] = {name: m.to_dict() for name, m in sorted(self.by[key].items())}
        return out
