"""``evaluate``: run the pipeline over a ground-truth dataset and measure every stage.

The pipeline modules are imported only when a stage runs. A stage whose
module does not exist in this installation is reported as
``unavailable: ...`` instead of failing the whole run; a document that fails
with a :class:`~kyc_ocr.errors.KycError` is counted in the stage's ``errors``
and scored as read nothing (every ground-truth line or field missed).
"""

from __future__ import annotations

import importlib
import logging
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kyc_ocr import timing
from kyc_ocr.config import Settings
from kyc_ocr.domain import Page, PageImage, TextLine
from kyc_ocr.errors import ConfigError, ExitCode, KycError
from kyc_ocr.eval.dataset import CustomerCase, Dataset, DocumentCase, GtPage
from kyc_ocr.eval.fields import FieldAccuracy
from kyc_ocr.eval.geometry import apply_homography
from kyc_ocr.eval.report import STAGES, EvalReport, StageTiming
from kyc_ocr.eval.scores import OcrMetrics
from kyc_ocr.ocr.base import Engine

log = logging.getLogger(__name__)


STAGE_NEEDS: dict[str, tuple[tuple[str, str], ...]] = {
    "ocr": (("kyc_ocr.io", "load"), ("kyc_ocr.preprocess", "prepare")),
    "fields": (("kyc_ocr.extract", "extract"),),
    "verdicts": (("kyc_ocr.verify", "Verifier"),),
}


class StageUnavailable(KycError):
    """A pipeline stage's module is not part of this installation."""

    exit_code = ExitCode.CONFIG


def require(module: str, attr: str) -> Any:
    """``module.attr``, or :class:`StageUnavailable` when that module or name does not exist.

    An import error *inside* an existing module is a real bug and propagates.

    >>> require("kyc_ocr.no_such_stage", "run")
    Traceback (most recent call last):
    ...
    kyc_ocr.eval.harness.StageUnavailable: kyc_ocr.no_such_stage is not available in this installation
    """
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as err:
        if err.name and (module == err.name or module.startswith(err.name + ".")):
            raise StageUnavailable(f"{module} is not available in this installation") from None
        raise
    try:
        return getattr(mod, attr)
    except AttributeError:
        raise StageUnavailable(f"{module}.{attr} is not available in this installation") from None


def to_ground_truth_coords(lines: Sequence[TextLine], prepared: PageImage, loaded: PageImage,
                           gt_page: GtPage) -> list[TextLine]:
    """Map lines read on a preprocessed page back to the ground truth's pixel coordinates.

    ``prepared.transform`` takes prepared pixels to the decoded page; a
    decoded page of another size than the ground truth (a PDF rendered at a
    different DPI) is then scaled to it.
    """
    orig_w, orig_h = prepared.orig_size or (loaded.width, loaded.height)
    scale = np.diag([gt_page.width / orig_w, gt_page.height / orig_h, 1.0])
    h = scale @ np.asarray(prepared.transform, dtype=np.float64)
    if np.allclose(h, np.eye(3)):
        return list(lines)
    return [TextLine(ln.text, ln.confidence, apply_homography(ln.quad, h)) for ln in lines]


def _engine(engine: str | Engine, options: Mapping[str, Any]) -> Engine:
    if isinstance(engine, str):
        get = require("kyc_ocr.ocr.registry", "get")
        return get(engine, **dict(options))
    return engine


def _ocr_document(case: DocumentCase, engine: Engine, settings: Settings) -> tuple[OcrMetrics, bool]:
    """Read one document and score it; ``(metrics, failed)``."""
    load = require("kyc_ocr.io", "load")
    prepare = require("kyc_ocr.preprocess", "prepare")
    pages: list[PageImage] = []
    prepared: list[PageImage] = []
    read: list[Page] = []
    failed = False
    try:
        with timing.stage("decode"):
            pages = list(load([str(case.path)], settings))
        with timing.stage("preprocess"):
            options = _prepare_options(engine)
            prepared = list(prepare(pages, options=options) if options is not None else prepare(pages))
        read = list(engine.read(prepared))
    except KycError as err:
        log.warning("OCR of %s failed: %s", case.path.name, err)
        failed = True
    if read and len(read) != len(case.gt.pages):
        log.warning("%s: %d pages read, %d in ground truth", case.path.name, len(read), len(case.gt.pages))
    metrics = OcrMetrics()
    for k, gt_page in enumerate(case.gt.pages):
        lines: list[TextLine] = []
        if k < min(len(read), len(prepared), len(pages)):
            lines = to_ground_truth_coords(read[k].lines, prepared[k], pages[k], gt_page)
        metrics.add_page(lines, [(ln.text, ln.quad) for ln in gt_page.lines])
    return metrics, failed


def _fields_document(case: DocumentCase, engine: Engine, settings: Settings) -> tuple[FieldAccuracy, bool]:
    """Extract one document's fields and score them; ``(accuracy, failed)``."""
    extract = require("kyc_ocr.extract", "extract")
    acc = FieldAccuracy()
    try:
        docs = extract([case.path], settings=settings, engine=engine)
    except KycError as err:
        log.warning("extraction of %s failed: %s", case.path.name, err)
        acc.add_document({}, case.gt.field_values)
        return acc, True
    doc = docs[0] if docs else None
    values = {name: f.value for name, f in doc.fields.items()} if doc else {}
    right = bool(doc and doc.template and doc.template.template_id == case.gt.template_id)
    acc.add_document(values, case.gt.field_values, template_right=right)
    return acc, False


def _run_documents(report: EvalReport, name: str, customers: Sequence[CustomerCase], engine: Engine,
                   settings: Settings) -> None:
    clock = report.timing.setdefault(name, StageTiming())
    groups: Any = report.ocr if name == "ocr" else report.fields
    score = _ocr_document if name == "ocr" else _fields_document
    for customer in customers:
        for case in customer.documents:
            start = time.perf_counter()
            with timing.collect() as parts:
                item, failed = score(case, engine, settings)
            clock.seconds += time.perf_counter() - start
            clock.items += 1
            clock.errors += int(failed)
            clock.add_parts(parts)
            groups.add(item, preset=case.gt.preset, kind=case.gt.kind, template=case.gt.template_id)


def _run_verdicts(report: EvalReport, customers: Sequence[CustomerCase], engine: Engine, settings: Settings,
                  primers: Sequence[CustomerCase] = ()) -> None:
    """Verify ``customers`` in a private database and score the verdicts.

    ``primers`` (customers of other splits whose documents an evaluated customer reuses) are verified
    first and not scored, so ``document_reused`` has the earlier submission to find, as in production.
    """
    verifier_cls = require("kyc_ocr.verify", "Verifier")
    clock = report.timing.setdefault("verdicts", StageTiming())
    with tempfile.TemporaryDirectory(prefix="kyc-ocr-eval-") as tmp:
        # a private database, so evaluation never writes into the user's verdict store
        private = settings.model_copy(update={"db_url": f"sqlite:///{Path(tmp) / 'eval.db'}"})
        verifier = verifier_cls(private, engine=engine)
        try:
            for primer in primers:
                files = [primer.folder / d.file for d in primer.profile.documents] or [d.path for d in primer.documents]
                try:
                    verifier.verify_profile(primer.profile.customer_id, files, primer.as_of)
                except KycError as err:
                    log.warning("verification of an earlier customer in %s failed: %s", primer.folder.name, err)
            _verify_customers(report, customers, verifier, clock)
        finally:
            store = getattr(verifier, "store", None)
            if store is not None:
                store.close()  # release the private database before its folder is removed


def _verify_customers(report: EvalReport, customers: Sequence[CustomerCase], verifier: Any, clock: StageTiming
                      ) -> None:
    for customer in customers:
        files = [customer.folder / d.file for d in customer.profile.documents] or [
            d.path for d in customer.documents]
        start = time.perf_counter()
        with timing.collect() as parts:
            try:
                verdict = verifier.verify_profile(customer.profile.customer_id, files, customer.as_of)
            except KycError as err:
                log.warning("verification of a customer in %s failed: %s", customer.folder.name, err)
                clock.errors += 1
                continue
            finally:
                clock.seconds += time.perf_counter() - start
                clock.items += 1
                clock.add_parts(parts)
        report.verdicts.add(customer.profile.expected_decision, verdict.decision.value,
                            customer.profile.expected_failing_checks,
                            [(c.name, c.status.value) for c in verdict.checks],
                            customer=customer.profile.customer_id)


def evaluate(dataset_dir: str | Path, *, engine: str | Engine = "onnx", stages: Sequence[str] = STAGES,
             split: str | None = "test", presets: Sequence[str] | None = None, limit: int | None = None,
             settings: Settings | None = None, engine_options: Mapping[str, Any] | None = None) -> EvalReport:
    """Evaluate the pipeline on ``dataset_dir`` (see ``docs/DATASET.md``) and return the report.

    ``engine`` is a registered engine name (created with ``engine_options``)
    or an engine object; ``split`` ``None`` takes every split; ``presets``
    keeps only documents of those augmentation presets; ``limit`` caps the
    number of customers.
    """
    unknown = [s for s in stages if s not in STAGES]
    if unknown or not stages:
        raise ConfigError(f"unknown stage(s) {', '.join(unknown) or '(none)'}; choose from: {', '.join(STAGES)}")
    if limit is not None and limit < 1:
        raise ConfigError(f"limit must be at least 1, got {limit}")
    settings = settings or Settings()
    dataset = Dataset.open(dataset_dir)
    customers = list(dataset.customers(split, presets, limit))
    report = EvalReport(dataset=str(dataset.root), engine=engine if isinstance(engine, str) else engine.name,
                        split=split, presets=tuple(presets) if presets else None, customers=len(customers),
                        documents=sum(len(c.documents) for c in customers))
    log.info("evaluating %d customers, %d documents of %s", report.customers, report.documents, dataset.root)
    ocr_engine: Engine | None = None
    for stage in STAGES:
        if stage not in stages:
            continue
        try:
            for module, attr in STAGE_NEEDS[stage]:
                require(module, attr)  # before loading any model for it
            if ocr_engine is None:
                ocr_engine = _engine(engine, engine_options or {})
                report.models = tuple(ocr_engine.model_ids)
            if stage == "verdicts":
                _run_verdicts(report, customers, ocr_engine, settings, _reused_originals(dataset, customers))
            else:
                _run_documents(report, stage, customers, ocr_engine, settings)
        except (StageUnavailable, ImportError) as err:
            # a pipeline module (or a module it needs) is not part of this installation yet
            report.stages[stage] = f"unavailable: {err}"
            report.timing.pop(stage, None)
            log.warning("stage %s skipped: %s", stage, err)
            continue
        report.stages[stage] = "ok"
    return report


def _reused_originals(dataset: Dataset, customers: Sequence[CustomerCase]) -> list[CustomerCase]:
    """Customers outside ``customers`` whose documents one of them reuses (``profile.reused_from``)."""
    chosen = {c.profile.customer_id for c in customers}
    wanted = {c.profile.reused_from for c in customers if c.profile.reused_from} - chosen
    return [c for c in dataset.customers(None) if c.profile.customer_id in wanted] if wanted else []


def _prepare_options(engine: Any) -> Any:
    """Preprocessing options using the engine's 0/180 line classifier, as extraction does (None if unavailable)."""
    try:
        from kyc_ocr.extract import prepare_options
    except ImportError:
        return None
    return prepare_options(engine)
