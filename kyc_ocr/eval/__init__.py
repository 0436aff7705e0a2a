"""Accuracy evaluation against ground truth: OCR (CER/WER, detection P/R/Hmean, mAP), fields, verdicts.

>>> from kyc_ocr.eval import cer
>>> cer("KIC", "KYC")
0.3333333333333333

``evaluate(dataset_dir, ...)`` runs the pipeline over a dataset made by
``kyc-ocr samples generate`` (layout in ``docs/DATASET.md``) and returns an
:class:`EvalReport`; ``kyc-ocr eval DIR`` is its command line.
"""

from kyc_ocr.eval.detection import APAccumulator, DetectionCounts, average_precision
from kyc_ocr.eval.fields import FieldAccuracy, FieldCounts, MrzCounts, normalize_text, values_match
from kyc_ocr.eval.geometry import greedy_match, quad_iou
from kyc_ocr.eval.harness import StageUnavailable, evaluate
from kyc_ocr.eval.pairing import Group, pair_lines
from kyc_ocr.eval.report import EvalReport, StageTiming
from kyc_ocr.eval.scores import Grouped, OcrMetrics, PairingCounts
from kyc_ocr.eval.text import TextErrors, cer, wer
from kyc_ocr.eval.verdicts import CheckCounts, VerdictAccuracy

__all__ = [
    "APAccumulator", "CheckCounts", "DetectionCounts", "EvalReport", "FieldAccuracy", "FieldCounts", "Group",
    "Grouped", "MrzCounts", "OcrMetrics", "PairingCounts", "StageTiming", "StageUnavailable", "TextErrors",
    "VerdictAccuracy", "average_precision", "cer", "evaluate", "greedy_match", "normalize_text", "pair_lines",
    "quad_iou", "values_match", "wer",
]
