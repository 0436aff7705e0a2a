"""PNG plots of an evaluation report (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # the backend is chosen before pyplot loads
import numpy as np

from kyc_ocr.eval.report import EvalReport


def _bars(ax: plt.Axes, names: list[str], series: dict[str, list[float]], title: str, ylabel: str) -> None:
    x = np.arange(len(names))
    width = 0.8 / max(len(series), 1)
    for k, (label, values) in enumerate(series.items()):
        ax.bar(x + (k - (len(series) - 1) / 2) * width, values, width, label=label)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    if len(series) > 1:
        ax.legend(fontsize="small")


def _cer_plot(report: EvalReport, out: Path) -> Path:
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    for ax, key in zip(axes, ("preset", "kind")):
        groups = sorted(report.ocr.by[key].items())
        names = [name for name, _ in groups]
        _bars(ax, names, {"matched": [100 * m.recognition.cer for _, m in groups],
                          "end-to-end": [100 * m.end_to_end.cer for _, m in groups]}, f"CER by {key}", "CER (%)")
    fig.tight_layout()
    path = out / "cer_by_preset_kind.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _field_plot(report: EvalReport, out: Path) -> Path:
    items = sorted(report.fields.overall.by_field.items())
    fig, ax = plt.subplots(figsize=(max(6.0, 0.5 * len(items) + 2), 4.5))
    _bars(ax, [n for n, _ in items], {"exact": [100 * c.exact_rate for _, c in items],
                                      "normalised": [100 * c.normalized_rate for _, c in items]},
          "Field accuracy by field", "accuracy (%)")
    ax.set_ylim(0, 100)
    fig.tight_layout()
    path = out / "field_accuracy.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _preset_plot(report: EvalReport, out: Path) -> Path:
    presets = sorted(set(report.ocr.by["preset"]) | set(report.fields.by["preset"]))
    series: dict[str, list[float]] = {}
    if report.ran("ocr"):
        ocr = report.ocr.by["preset"]
        series["CER end-to-end"] = [100 * ocr[p].end_to_end.cer if p in ocr else 0.0 for p in presets]
        series["1 - Hmean@.5"] = [100 * (1 - ocr[p].detection.hmean) if p in ocr else 0.0 for p in presets]
    if report.ran("fields"):
        fields = report.fields.by["preset"]
        series["field error (normalised)"] = [100 * (1 - fields[p].overall.normalized_rate) if p in fields else 0.0
                                              for p in presets]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    _bars(ax, presets, series, "Error by augmentation preset", "error (%)")
    fig.tight_layout()
    path = out / "error_by_preset.png"
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def write_plots(report: EvalReport, out: Path) -> list[Path]:
    """Write the plots the report has data for; returns their paths."""
    paths = []
    if report.ran("ocr"):
        paths.append(_cer_plot(report, out))
    if report.ran("fields"):
        paths.append(_field_plot(report, out))
    if report.ran("ocr") or report.ran("fields"):
        paths.append(_preset_plot(report, out))
    return paths
