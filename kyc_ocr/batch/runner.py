"""The batch runner: resumable, exactly-once verification of many customers.

Exactly-once comes from the database, not from a journal beside it:

* a customer is *done* when its latest verdict was made from the same files
  (SHA-256), policy version and as-of date — the store's idempotency key; done
  customers are skipped, so a run killed at any moment (``kill -9``) and started
  again finishes the set;
* each customer's documents, checks, verdict and audit events are written in
  one transaction, so nothing is ever half-written;
* workers never write: a task that runs twice (a crash, a Ray retry) yields
  the same outcome twice and the second save is a no-op;
* results are committed in job order (a small reorder buffer), so fraud checks
  that look at other customers ("same document already used") see the same
  earlier customers whether the run was interrupted or not: a resumed run ends
  with the same database as an uninterrupted one.

A customer whose documents cannot be read or checked is recorded as failed
with its error and skipped by later runs until ``retry_failed`` is given.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from kyc_ocr.batch.jobs import Job
from kyc_ocr.batch.workers import Executor, InProcessExecutor, JobOutcome, LocalExecutor
from kyc_ocr.errors import EngineError, KycError
from kyc_ocr.timing import collect

if TYPE_CHECKING:
    from kyc_ocr.verify import Verifier

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchItem:
    """The result of one customer in a batch."""

    customer_id: str
    status: str  # "verified", "already_done", "failed", "failed_before"
    documents: int = 0
    decision: str | None = None
    verdict_id: str | None = None
    error: str | None = None
    times: dict[str, float] = field(default_factory=dict)


@dataclass
class BatchOptions:
    workers: int = 2
    as_of: dt.date | None = None
    retry_failed: bool = False
    ray_address: str | None = None
    window: int | None = None  # jobs in flight; default 2 per worker
    #: extra OCR engines, ``name -> "module:Callable"``, registered here and in every worker (plugins, tests)
    engine_factories: dict[str, str] = field(default_factory=dict)


def make_executor(verifier: Verifier, opts: BatchOptions) -> Executor:
    settings = verifier.settings
    if opts.ray_address:
        from kyc_ocr.batch.ray_executor import RayExecutor

        return RayExecutor(settings, max(1, opts.workers), opts.ray_address, factories=opts.engine_factories)
    if opts.workers <= 0:
        return InProcessExecutor(settings, opts.engine_factories)
    return LocalExecutor(settings, opts.workers, opts.engine_factories)


class BatchRunner:
    """Runs jobs through an executor and writes their results through a :class:`~kyc_ocr.verify.Verifier`."""

    def __init__(self, verifier: Verifier, opts: BatchOptions) -> None:
        from kyc_ocr.verify import parse_as_of

        self.v = verifier
        self.opts = opts
        self.as_of = parse_as_of(opts.as_of)

    def _fingerprint(self, job: Job) -> str:
        from kyc_ocr.store.convert import fingerprint
        from kyc_ocr.verify import sha256_of

        return fingerprint([sha256_of(p) for p in job.files], self.v.policy.version, self.as_of.isoformat())

    def plan(self, jobs: Sequence[Job]) -> tuple[list[tuple[Job, str]], list[BatchItem]]:
        """Split jobs into those to run (with their fingerprint) and those already settled."""
        todo, settled = [], []
        store = self.v.store
        for job in jobs:
            try:
                fp = self._fingerprint(job)
            except KycError as err:  # an unreadable file: fail the customer, not the batch
                settled.append(BatchItem(job.customer_id, "failed", len(job.files), error=str(err)))
                continue
            done = store.find_verdict(job.customer_id, fp)
            if done is not None:
                settled.append(BatchItem(job.customer_id, "already_done", len(job.files), done.decision.value,
                                         done.verdict_id))
                continue
            failure = store.failure(job.customer_id, fp)
            if failure is not None and not self.opts.retry_failed:
                settled.append(BatchItem(job.customer_id, "failed_before", len(job.files), error=failure))
                continue
            todo.append((job, fp))
        return todo, settled

    def _commit(self, job: Job, fp: str, outcome: JobOutcome) -> BatchItem:
        from kyc_ocr.checks import run_checks
        from kyc_ocr.checks.reread import RereadTable
        from kyc_ocr.checks.verdict import build_verdict

        store, times = self.v.store, dict(outcome.times)
        if outcome.fatal:  # the workers cannot work at all: stop before recording anyone as failed
            raise EngineError(f"batch workers cannot start: {outcome.error}")
        if outcome.error is None:
            try:
                with collect() as parent_times:
                    from kyc_ocr.timing import stage

                    with stage("checks"):
                        checks = run_checks(list(outcome.documents), policy=self.v.policy, as_of=self.as_of,
                                            lookup=store, customer_id=job.customer_id,
                                            reread=RereadTable(outcome.rereads))
                        verdict = build_verdict(job.customer_id, checks, self.v.policy, self.as_of,
                                                list(outcome.documents))
                    with stage("database"):
                        saved = store.save_verification(job.customer_id, list(outcome.documents), verdict,
                                                        actor=self.v.actor or "batch")
                        store.clear_failure(job.customer_id, fp)
                for k, sec in parent_times.items():
                    times[k] = times.get(k, 0.0) + sec
                return BatchItem(job.customer_id, "verified", len(job.files), saved.decision.value, saved.verdict_id,
                                 times=times)
            except KycError as err:
                error = f"{type(err).__name__}: {err}"
        else:
            error = outcome.error
        store.record_failure(job.customer_id, fp, error, actor=self.v.actor or "batch")
        log.warning("customer %s failed: %s", job.customer_id, error)
        return BatchItem(job.customer_id, "failed", len(job.files), error=error, times=times)

    def run(self, jobs: Sequence[Job]) -> Iterator[BatchItem]:
        """Yield one :class:`BatchItem` per job: settled ones first, then as results are committed."""
        todo, settled = self.plan(jobs)
        yield from settled
        if not todo:
            return
        workers = max(1, self.opts.workers)
        window = self.opts.window or 2 * workers
        executor = make_executor(self.v, self.opts)
        buffered: dict[int, JobOutcome] = {}
        next_index = 0
        try:
            for i, outcome in executor.outcomes([replace(job, as_of=self.as_of) for job, _ in todo], window):
                buffered[i] = outcome
                while next_index in buffered:  # commit in job order: a stable, resumable result
                    job, fp = todo[next_index]
                    yield self._commit(job, fp, buffered.pop(next_index))
                    next_index += 1
        finally:
            executor.close()


def summarize(items: Sequence[BatchItem], seconds: float) -> dict[str, object]:
    """Counts by status and decision, stage times, throughput — the batch's closing table."""
    decisions: dict[str, int] = {}
    statuses: dict[str, int] = {}
    stages: dict[str, float] = {}
    docs = 0
    for it in items:
        statuses[it.status] = statuses.get(it.status, 0) + 1
        if it.decision and it.status == "verified":
            decisions[it.decision] = decisions.get(it.decision, 0) + 1
        if it.status == "verified":
            docs += it.documents
        for k, v in it.times.items():
            stages[k] = stages.get(k, 0.0) + v
    return {
        "customers": len(items), "statuses": statuses, "decisions": decisions, "documents_verified": docs,
        "seconds": round(seconds, 2), "documents_per_second": round(docs / seconds, 3) if seconds > 0 else None,
        "stage_seconds": {k: round(v, 3) for k, v in sorted(stages.items(), key=lambda kv: -kv[1])},
        "failures": [{"customer_id": it.customer_id, "error": it.error} for it in items if it.error],
    }


def run_batch(verifier: Verifier, jobs: Sequence[Job], opts: BatchOptions) -> tuple[list[BatchItem], dict[str, object]]:
    """Run a whole batch and return its items and summary (no progress display)."""
    started = time.perf_counter()
    items = list(BatchRunner(verifier, opts).run(jobs))
    return items, summarize(items, time.perf_counter() - started)
