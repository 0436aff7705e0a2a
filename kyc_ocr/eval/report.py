"""The evaluation report: one dataclass with ``to_dict()``, rendered as JSON, markdown and plots."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kyc_ocr.eval.fields import FieldAccuracy
from kyc_ocr.eval.scores import Grouped, OcrMetrics
from kyc_ocr.eval.verdicts import VerdictAccuracy

STAGES: tuple[str, ...] = ("ocr", "fields", "verdicts")


@dataclass
class StageTiming:
    """Wall time of one stage over its items (documents, or customers for verdicts).

    >>> t = StageTiming(items=4, seconds=2.0, parts={"detection": 1.5})
    >>> t.per_item
    0.5
    """

    items: int = 0
    seconds: float = 0.0
    errors: int = 0
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def per_item(self) -> float:
        return self.seconds / self.items if self.items else 0.0

    def add_parts(self, parts: dict[str, float]) -> None:
        for name, seconds in parts.items():
            self.parts[name] = self.parts.get(name, 0.0) + seconds

    def to_dict(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "seconds": round(self.seconds, 4),
            "s_per_item": round(self.per_item, 4),
            "errors": self.errors,
            "parts_s_per_item": {k: round(v / self.items, 4) for k, v in sorted(self.parts.items())} if self.items
            else {},
        }


@dataclass
class EvalReport:
    """Everything one ``evaluate`` run measured. ``stages`` maps a stage to ``ok``/``skipped``/``unavailable: ...``."""

    dataset: str
    engine: str
    models: tuple[str, ...] = ()
    split: str | None = "test"
    presets: tuple[str, ...] | None = None
    customers: int = 0
    documents: int = 0
    stages: dict[str, str] = field(default_factory=lambda: {s: "skipped" for s in STAGES})
    ocr: Grouped[OcrMetrics] = field(default_factory=lambda: Grouped(OcrMetrics))
    fields: Grouped[FieldAccuracy] = field(default_factory=lambda: Grouped(FieldAccuracy))
    verdicts: VerdictAccuracy = field(default_factory=VerdictAccuracy)
    timing: dict[str, StageTiming] = field(default_factory=dict)

    def ran(self, stage: str) -> bool:
        return self.stages.get(stage) == "ok"

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "engine": self.engine,
            "models": list(self.models),
            "split": self.split or "all",
            "presets": list(self.presets) if self.presets else None,
            "customers": self.customers,
            "documents": self.documents,
            "stages": dict(self.stages),
            "ocr": self.ocr.to_dict() if self.ran("ocr") else None,
            "fields": self.fields.to_dict() if self.ran("fields") else None,
            "verdicts": self.verdicts.to_dict() if self.ran("verdicts") else None,
            "timing": {k: v.to_dict() for k, v in self.timing.items()},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write ``report.json``, ``report.md`` and the PNG plots into ``out_dir``; returns the paths."""
        from kyc_ocr.eval.markdown import to_markdown
        from kyc_ocr.eval.plots import write_plots

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = [out / "report.json", out / "report.md"]
        written[0].write_text(self.to_json() + "\n", encoding="utf-8")
        plots = write_plots(self, out)
        written[1].write_text(to_markdown(self, plots=[p.name for p in plots]), encoding="utf-8")
        return written + plots
