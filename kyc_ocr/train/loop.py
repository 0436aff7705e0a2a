"""Staged CTC fine-tuning with evaluation between stages, checkpoints and resume.

A run is a list of stages (steps, learning rate). Between stages the model is
evaluated on fixed held-out sets; the best checkpoint (lowest held-out CER) is
kept, training stops early when ``patience`` stages bring no gain, and a run
killed at any point resumes from its last checkpoint (``state.pt``) with the
same data stream (the batch RNG is re-seeded from the step number).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from kyc_ocr.train.data import CropSet, batch_tensor, encode_targets
from kyc_ocr.train.metrics import EvalResult, evaluate_model
from kyc_ocr.train.model import Recognizer, freeze_batchnorm

log = logging.getLogger(__name__)


@dataclass
class Stage:
    steps: int
    lr: float


@dataclass
class TrainConfig:
    stages: list[Stage] = field(default_factory=lambda: [Stage(150, 1e-4), Stage(150, 5e-5), Stage(100, 2e-5)])
    batch_size: int = 32
    general_share: float = 0.4
    weight_decay: float = 1e-4
    patience: int = 2
    warmup_steps: int = 20
    seed: int = 0
    threads: int = 0
    device: str = "cpu"
    clip_norm: float = 5.0


@dataclass
class StageReport:
    stage: int
    step: int
    loss: float
    seconds: float
    heldout: dict[str, Any]


ProgressFn = Callable[[int, int, float], None]  # (step, total_steps, loss)

#: Held-out sets whose mean CER chooses the checkpoint: rendered field lines and lines cut from documents
#: (photos included), so a gain on clean crops cannot hide a loss on photographed text.
SELECT_ON = ("heldout", "documents")


def selection_cer(cers: dict[str, float]) -> float:
    """Mean CER of the :data:`SELECT_ON` sets present.

    >>> selection_cer({"heldout": 0.01, "documents": 0.03, "general": 0.5})
    0.02
    >>> selection_cer({"general": 0.5})
    nan
    """
    picked = [cers[name] for name in SELECT_ON if name in cers]
    return round(sum(picked) / len(picked), 10) if picked else float("nan")


def _optimizer(rec: Recognizer, cfg: TrainConfig) -> Any:
    import torch

    return torch.optim.AdamW(rec.module.parameters(), lr=cfg.stages[0].lr, weight_decay=cfg.weight_decay)


def ctc_step(rec: Recognizer, opt: Any, images: np.ndarray, texts: Sequence[str], clip_norm: float, device: str) -> float:
    """One optimisation step on a batch; returns the loss."""
    import torch

    rec.module.train()
    freeze_batchnorm(rec.module)
    x = torch.from_numpy(images).to(device)
    logits = rec.module(x)  # (N, T, C)
    log_probs = logits.log_softmax(-1).permute(1, 0, 2)  # (T, N, C)
    targets, lengths = encode_targets(texts, rec.charset)
    input_lengths = torch.full((len(texts),), log_probs.shape[0], dtype=torch.long)
    loss = torch.nn.functional.ctc_loss(
        log_probs, torch.from_numpy(targets).to(device), input_lengths, torch.from_numpy(lengths),
        blank=0, zero_infinity=True,
    )
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(rec.module.parameters(), clip_norm)
    opt.step()
    return float(loss.detach())


class Trainer:
    """Runs the stages; ``out_dir`` holds ``state.pt`` (resume), ``best.pt`` and ``history.json``."""

    def __init__(self, rec: Recognizer, crops: CropSet, heldout: dict[str, CropSet], cfg: TrainConfig,
                 out_dir: Path) -> None:
        self.rec, self.crops, self.heldout, self.cfg, self.out = rec, crops, heldout, cfg, out_dir
        self.out.mkdir(parents=True, exist_ok=True)
        self.opt = _optimizer(rec, cfg)
        self.step = 0
        self.stage_index = 0
        self.best_cer = float("inf")
        self.stale = 0
        self.crops_seen = 0
        self.history: list[StageReport] = []

    # -- checkpoints -------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        return {
            "model": self.rec.module.state_dict(), "optimizer": self.opt.state_dict(), "charset": self.rec.charset,
            "step": self.step, "stage_index": self.stage_index, "best_cer": self.best_cer, "stale": self.stale,
            "crops_seen": self.crops_seen,
            "history": [asdict(h) for h in self.history],
        }

    def save(self, name: str = "state.pt") -> None:
        import torch

        tmp = self.out / f".{name}.tmp"
        torch.save(self._state(), tmp)
        tmp.replace(self.out / name)  # atomic: a kill never leaves a half-written checkpoint

    def resume(self) -> bool:
        """Load ``state.pt`` if present; returns whether a run was resumed."""
        import torch

        path = self.out / "state.pt"
        if not path.exists():
            return False
        state = torch.load(path, map_location=self.cfg.device, weights_only=False)
        if state["charset"] != self.rec.charset:
            from kyc_ocr.errors import ConfigError

            raise ConfigError(f"{path}: checkpoint was trained with another character set; use a new --out")
        self.rec.module.load_state_dict(state["model"])
        self.opt.load_state_dict(state["optimizer"])
        self.step, self.stage_index = state["step"], state["stage_index"]
        self.best_cer, self.stale = state["best_cer"], state["stale"]
        self.crops_seen = state.get("crops_seen", 0)
        self.history = [StageReport(**h) for h in state["history"]]
        return True

    # -- the run -------------------------------------------------------------------------------
    def evaluate(self) -> dict[str, EvalResult]:
        return {name: evaluate_model(self.rec, crops, device=self.cfg.device) for name, crops in self.heldout.items()}

    def run(self, progress: ProgressFn | None = None, baseline_cer: float | None = None) -> list[StageReport]:
        """Train the remaining stages; a stage's weights are kept as ``best.pt`` only when its
        held-out CER beats both the earlier stages and ``baseline_cer`` (the untrained model)."""
        if baseline_cer is not None and self.step == 0:
            self.best_cer = baseline_cer
        total = sum(s.steps for s in self.cfg.stages)
        while self.stage_index < len(self.cfg.stages):
            stage = self.cfg.stages[self.stage_index]
            stage_end = sum(s.steps for s in self.cfg.stages[: self.stage_index + 1])
            started, losses = time.perf_counter(), []
            while self.step < stage_end:
                warm = min(1.0, (self.step + 1) / max(1, self.cfg.warmup_steps))
                for group in self.opt.param_groups:
                    group["lr"] = stage.lr * warm
                rng = random.Random(self.cfg.seed * 1_000_003 + self.step)
                batch = self.crops.batch(rng, self.cfg.batch_size, self.cfg.general_share)
                images = batch_tensor([c.image for c in batch])
                loss = ctc_step(self.rec, self.opt, images, [c.text for c in batch], self.cfg.clip_norm, self.cfg.device)
                losses.append(loss)
                self.crops_seen += len(batch)
                self.step += 1
                if progress:
                    progress(self.step, total, loss)
                if self.step % 25 == 0:
                    self.save()
            results = self.evaluate()
            cer = selection_cer({k: v.cer for k, v in results.items()})
            report = StageReport(self.stage_index, self.step, float(np.mean(losses)) if losses else float("nan"),
                                 time.perf_counter() - started, {k: v.to_dict() for k, v in results.items()})
            self.history.append(report)
            self.stage_index += 1
            if cer < self.best_cer - 1e-6:
                self.best_cer, self.stale = cer, 0
                self.save("best.pt")
            else:
                self.stale += 1
            self.save()
            (self.out / "history.json").write_text(json.dumps([asdict(h) for h in self.history], indent=1))
            log.info("stage %d done at step %d: held-out CER %.4f", report.stage, self.step, cer)
            if self.stale >= self.cfg.patience:
                log.info("early stop: %d stages without a better held-out CER", self.stale)
                break
        return self.history
