"""The human-readable evaluation report (markdown; the CLI renders it with rich)."""

from __future__ import annotations

from collections.abc import Sequence

from kyc_ocr.eval.report import EvalReport
from kyc_ocr.eval.scores import GROUP_KEYS, OcrMetrics
from kyc_ocr.eval.verdicts import DECISIONS


def _pct(x: float) -> str:
    """A rate as a percentage with two decimals.

    >>> _pct(0.01234)
    '1.23%'
    """
    return f"{100 * x:.2f}%"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A GitHub-style markdown table.

    >>> print("\\n".join(_table(["a", "b"], [["1", "2"]])))
    | a | b |
    |---|---|
    | 1 | 2 |
    """
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def _ocr_row(name: str, docs: int | str, m: OcrMetrics) -> list[str]:
    return [name, str(docs), str(m.pages), _pct(m.recognition.cer), _pct(m.end_to_end.cer),
            _pct(m.recognition.wer), _pct(m.recognition.line_accuracy), _pct(m.detection.precision),
            _pct(m.detection.recall), _pct(m.detection.hmean), f"{m.ap.ap(0.5):.3f}", f"{m.ap.map:.3f}",
            _pct(m.pairing.hmean)]


def _ocr_section(report: EvalReport) -> list[str]:
    rows = [_ocr_row("**overall**", report.ocr.documents, report.ocr.overall)]
    for key in GROUP_KEYS:
        rows += [_ocr_row(f"{key}: {name}", report.ocr.counts[key][name], m)
                 for name, m in sorted(report.ocr.by[key].items())]
    header = ["group", "docs", "pages", "CER (matched)", "CER (end-to-end)", "WER", "exact lines", "P@.5",
              "R@.5", "Hmean@.5", "AP@.5", "mAP@[.5:.95]", "lines paired"]
    note = ("CER (matched): lines paired with ground truth (one-to-one, or split/merged lines against the "
            "texts they cover, DetEval area rules); CER (end-to-end): every ground-truth line, unpaired ones "
            "counted in full; lines paired: Hmean of that pairing. P/R/Hmean/AP use quad IoU; ground-truth "
            "boxes are tight around the ink, so a padded detection of a short word can miss IoU .5.")
    return ["## OCR", "", *_table(header, rows), "", note, ""]


def _fields_section(report: EvalReport) -> list[str]:
    acc = report.fields.overall
    total = acc.overall
    lines = ["## Fields", "",
             f"Exact {_pct(total.exact_rate)}, normalised {_pct(total.normalized_rate)} of {total.total} fields; "
             f"template chosen right {acc.templates_right}/{acc.documents}; MRZ full reads "
             f"{acc.mrz.full_reads}/{acc.mrz.total} ({_pct(acc.mrz.rate)})"
             + (f", {acc.mrz.gt_invalid} ground-truth MRZ with deliberate bad check digits left out" if
                acc.mrz.gt_invalid else "") + ".", ""]
    rows = [[name, str(c.total), _pct(c.exact_rate), _pct(c.normalized_rate), str(c.missing)]
            for name, c in sorted(acc.by_field.items())]
    lines += _table(["field", "n", "exact", "normalised", "missing"], rows) + [""]
    rows = []
    for name, t in sorted(report.fields.by["template"].items()):
        o = t.overall
        rows.append([name, str(t.documents), _pct(o.exact_rate), _pct(o.normalized_rate),
                     f"{t.mrz.full_reads}/{t.mrz.total}" if t.mrz.total else "-"])
    lines += _table(["template", "docs", "exact", "normalised", "MRZ full reads"], rows) + [""]
    return lines


def _verdicts_section(report: EvalReport) -> list[str]:
    v = report.verdicts
    summary = f"{v.total} customers, decision accuracy {_pct(v.accuracy)} (rows: expected, columns: decided)."
    lines = ["## Verdicts", "", summary, ""]
    rows = [[e, *(str(v.confusion[e][d]) for d in DECISIONS)] for e in DECISIONS]
    lines += _table(["expected \\ decided", *DECISIONS], rows) + [""]
    flagged = " or ".join(sorted(v.flagged_statuses))
    lines += [f"A check counts as flagged when its status is {flagged}.", ""]
    rows = [[name, str(c.tp), str(c.fp), str(c.fn), _pct(c.precision), _pct(c.recall)]
            for name, c in sorted(v.checks.items())]
    lines += _table(["check", "TP", "FP", "FN", "precision", "recall"], rows) + [""]
    if v.misses:
        rows = [[m["customer"], m["expected"], m["decided"], ", ".join(m["flagged"]) or "-"] for m in v.misses]
        lines += ["Customers decided otherwise than expected:", ""]
        lines += _table(["customer", "expected", "decided", "flagged checks"], rows) + [""]
    return lines


def _timing_section(report: EvalReport) -> list[str]:
    rows = []
    for stage, t in report.timing.items():
        parts = ", ".join(f"{k} {v / t.items:.3f}" for k, v in sorted(t.parts.items())) if t.items else ""
        unit = "customer" if stage == "verdicts" else "document"
        rows.append([stage, f"{t.items} {unit}s", f"{t.per_item:.3f}", str(t.errors), parts])
    return ["## Timing", "", *_table(["stage", "items", "s/item", "errors", "parts (s/item)"], rows), ""]


def to_markdown(report: EvalReport, plots: Sequence[str] = ()) -> str:
    """The whole report as markdown; ``plots`` are image file names to link at the end."""
    lines = ["# kyc-ocr evaluation", "",
             f"Dataset `{report.dataset}`, split {report.split or 'all'}"
             + (f", presets {', '.join(report.presets)}" if report.presets else "")
             + f": {report.customers} customers, {report.documents} documents. Engine `{report.engine}`"
             + (f" ({', '.join(report.models)})" if report.models else "") + ".", ""]
    lines += _table(["stage", "status"], [[k, v] for k, v in report.stages.items()]) + [""]
    if report.ran("ocr"):
        lines += _ocr_section(report)
    if report.ran("fields"):
        lines += _fields_section(report)
    if report.ran("verdicts"):
        lines += _verdicts_section(report)
    if report.timing:
        lines += _timing_section(report)
    if plots:
        lines += ["## Plots", ""] + [f"![{name}]({name})" for name in plots] + [""]
    return "\n".join(lines)
