"""Where the OCR work of a batch runs: in-process, a local process pool, or Ray actors.

Workers only *extract* (decode, prepare, OCR, classify, fields): that is
where the time goes, and it needs no database. The parent runs the checks
(which look up other customers in the database) and writes every result, so a
task that runs twice (a crash, a Ray retry) can never write twice.

Every executor has one method, :meth:`Executor.outcomes`, yielding
``(index, JobOutcome)`` as jobs finish, with at most ``window`` jobs in
flight (back-pressure: memory stays bounded however large the batch).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any, Protocol

from kyc_ocr.batch.jobs import Job
from kyc_ocr.config import Settings
from kyc_ocr.domain import ExtractedDocument, Reread
from kyc_ocr.errors import KycError
from kyc_ocr.timing import collect

log = logging.getLogger(__name__)

MAX_CRASHES = 3  # a job whose worker died this many times is recorded as failed


@dataclass(frozen=True)
class JobOutcome:
    """What a worker sends back: the extracted documents or the error, and where the time went."""

    customer_id: str
    documents: tuple[ExtractedDocument, ...] = ()
    error: str | None = None
    times: dict[str, float] = field(default_factory=dict)
    worker: int = 0
    fatal: bool = False  # the worker itself is unusable (its engine failed to load): stop the batch
    rereads: dict[tuple[str, str, str], Reread] = field(default_factory=dict)  # see kyc_ocr.checks.reread


# -- the worker side (runs in each worker process) -------------------------------------------------

_STATE: dict[str, Any] = {}


def register_engines(factories: dict[str, str]) -> None:
    """Register engine factories (``name -> "module:Callable"``) given to the batch, in this process."""
    from kyc_ocr.ocr import registry

    for name, target in factories.items():
        registry.register(name, target)


def init_worker(settings_json: str, factories: dict[str, str] | None = None) -> None:
    """Load settings and the OCR engine once per worker process.

    An engine that cannot load is not a customer's fault: the error is kept and
    every job answers it as *fatal*, which stops the batch with that message
    (a failing initializer would instead break the pool again and again).
    """
    import kyc_ocr.extract  # noqa: F401 - warm the modules the jobs use

    register_engines(factories or {})
    try:
        _STATE["extract"] = _Extractor(Settings.model_validate_json(settings_json))
    except KycError as err:
        _STATE["error"] = f"{type(err).__name__}: {err}"


class _Extractor:
    def __init__(self, settings: Settings) -> None:
        from kyc_ocr.ocr import registry

        self.settings = settings
        self.engine = registry.from_settings(settings)  # loaded once per process, cached by the registry

    def __call__(self, job: Job) -> JobOutcome:
        from kyc_ocr.extract import extract
        from kyc_ocr.extract.reread import measure_rereads

        with collect() as times:
            try:
                files = [str(p) for p in job.files]
                docs = extract(files, settings=self.settings, engine=self.engine)
                # pixels are re-read here, where the engine and the files are; the parent only looks up
                rereads = measure_rereads(docs, self.engine, {d.sha256: f for d, f in zip(docs, files)}, self.settings,
                                          job.as_of)
            except KycError as err:
                return JobOutcome(job.customer_id, error=f"{type(err).__name__}: {err}", times=dict(times),
                                  worker=os.getpid())
            except Exception as err:
                log.debug("job %s crashed", job.customer_id, exc_info=True)
                return JobOutcome(job.customer_id, error=f"internal error {type(err).__name__}: {err}",
                                  times=dict(times), worker=os.getpid())
        return JobOutcome(job.customer_id, tuple(docs), None, dict(times), os.getpid(), rereads=rereads.entries)


def run_job(job: Job) -> JobOutcome:
    """Entry point of a pool task (after :func:`init_worker`)."""
    if "error" in _STATE:
        return JobOutcome(job.customer_id, error=_STATE["error"], worker=os.getpid(), fatal=True)
    return _STATE["extract"](job)


# -- executors ---------------------------------------------------------------------------------


class Executor(Protocol):
    def outcomes(self, jobs: Sequence[Job], window: int) -> Iterator[tuple[int, JobOutcome]]: ...

    def close(self) -> None: ...


class InProcessExecutor:
    """Runs jobs one by one in this process (``--workers 0``: debugging, tests)."""

    def __init__(self, settings: Settings, factories: dict[str, str] | None = None) -> None:
        register_engines(factories or {})
        self.extract = _Extractor(settings)

    def outcomes(self, jobs: Sequence[Job], window: int) -> Iterator[tuple[int, JobOutcome]]:
        for i, job in enumerate(jobs):
            yield i, self.extract(job)

    def close(self) -> None:
        pass


class LocalExecutor:
    """A spawn process pool, one engine per worker, a bounded window, crashed workers replaced."""

    def __init__(self, settings: Settings, workers: int, factories: dict[str, str] | None = None) -> None:
        self.settings_json = settings.model_copy(update={"threads": settings.threads or 1}).model_dump_json()
        self.workers = workers
        self.factories = dict(factories or {})
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn, never fork: ONNX Runtime's thread pools hang in a forked child
        ctx = multiprocessing.get_context("spawn")
        return ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=init_worker,
                                   initargs=(self.settings_json, self.factories))

    def worker_pids(self) -> list[int]:
        """The pids of the pool's live worker processes (for tests and memory accounting)."""
        return [p.pid for p in (self.pool._processes or {}).values() if p.is_alive() and p.pid is not None]

    def outcomes(self, jobs: Sequence[Job], window: int) -> Iterator[tuple[int, JobOutcome]]:
        """Yield outcomes as they finish. When a worker dies, every job then in flight is a suspect:
        suspects are re-run one at a time, so only the job that really kills its worker is charged
        with the crash and, after :data:`MAX_CRASHES`, recorded as failed."""
        todo = list(range(len(jobs)))[::-1]  # a stack: pop() gives the next index in order
        suspects: list[int] = []
        running: dict[Future[JobOutcome], int] = {}
        crashes: dict[int, int] = {}
        while todo or suspects or running:
            if suspects:
                if not running:
                    i = suspects.pop(0)
                    running[self.pool.submit(run_job, jobs[i])] = i
            else:
                while todo and len(running) < window:
                    i = todo.pop()
                    running[self.pool.submit(run_job, jobs[i])] = i
            alone = len(running) == 1
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            broken: list[int] = []
            for fut in done:
                i = running.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                yield i, outcome
            if not broken:
                continue
            broken += list(running.values())
            running.clear()
            log.warning("a worker process died; new pool, %d jobs to re-run one at a time", len(broken))
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._new_pool()
            if alone:
                (i,) = broken
                crashes[i] = crashes.get(i, 0) + 1
                if crashes[i] >= MAX_CRASHES:
                    yield i, JobOutcome(jobs[i].customer_id, error=f"worker process died {MAX_CRASHES} times")
                    continue
            suspects.extend(sorted(broken))

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
