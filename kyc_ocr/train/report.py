"""The human report of a fine-tuning run: before vs after, per held-out set and field kind."""

from __future__ import annotations

from typing import Any


def render_markdown(report: dict[str, Any]) -> str:
    """Markdown tables of CER / exact-line rate before and after training.

    >>> r = {"steps": 2, "seconds": 1.0, "export_max_abs_diff": 0.0, "stages": [],
    ...      "before": {"heldout": {"cer": 0.02, "exact": 0.9, "n": 10, "per_kind": {}}},
    ...      "after": {"heldout": {"cer": 0.01, "exact": 0.95, "n": 10, "per_kind": {}}}}
    >>> "| heldout | all | 2.00% | 1.00% | 90.0% | 95.0% |" in render_markdown(r)
    True
    """
    lines = [
        "# Recogniser fine-tuning report", "",
        (f"Steps: {report['steps']}, training time: {report['seconds']} s, "
         f"export check (max abs diff ONNX vs torch): {report['export_max_abs_diff']:.2e}"), "",
        "Exported: the best stage's weights." if report.get("improved", True)
        else "Exported: the BASE weights (no stage improved the held-out CER).", "",
        "| set | kind | CER before | CER after | exact before | exact after |",
        "|---|---|---|---|---|---|",
    ]
    for name, after in report["after"].items():
        before = report["before"].get(name, {})
        lines.append(f"| {name} | all | {before.get('cer', float('nan')):.2%} | {after['cer']:.2%} | "
                     f"{before.get('exact', float('nan')):.1%} | {after['exact']:.1%} |")
        for kind, a in after.get("per_kind", {}).items():
            b = before.get("per_kind", {}).get(kind, {})
            lines.append(f"| {name} | {kind} | {b.get('cer', float('nan')):.2%} | {a['cer']:.2%} | "
                         f"{b.get('exact', float('nan')):.1%} | {a['exact']:.1%} |")
    lines += ["", "Stages:", ""]
    for s in report["stages"]:
        held = s["heldout"].get("heldout", {})
        lines.append(f"- stage {s['stage']}: step {s['step']}, mean loss {s['loss']:.3f}, "
                     f"held-out CER {held.get('cer', float('nan')):.2%}, {s['seconds']:.0f} s")
    return "\n".join(lines) + "\n"
