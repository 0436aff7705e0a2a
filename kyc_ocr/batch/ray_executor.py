"""Ray actors for a batch on a cluster (the ``[ray]`` extra, imported only here).

Each actor holds one OCR engine (loaded once) and runs one job at a time;
the driver keeps at most one task per actor in flight with ``ray.wait``.
Actors restart when their process dies and their task is retried
(``max_restarts=-1, max_task_retries=-1``): a retried task may run twice,
which is harmless because workers only extract and the driver writes.

Lessons from running Ray on small machines (see FINDINGS.md): actors get a
fractional ``num_cpus`` so they never starve each other; an embedded run uses
``address="local"`` (a bare ``ray.init()`` joins any cluster it finds); Ray's
own log lines are kept off stdout so JSON output stays clean.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

from kyc_ocr.batch.jobs import Job
from kyc_ocr.batch.workers import JobOutcome, _Extractor, register_engines
from kyc_ocr.config import Settings
from kyc_ocr.errors import ConfigError, KycError

log = logging.getLogger(__name__)


class _RayWorker:
    """One actor: one engine, loaded when the actor (re)starts."""

    def __init__(self, settings_json: str, factories: dict[str, str]) -> None:
        register_engines(factories)
        self.error: str | None = None
        try:
            self.extract = _Extractor(Settings.model_validate_json(settings_json))
        except KycError as err:  # answered as fatal by every task: the driver stops the batch
            self.error = f"{type(err).__name__}: {err}"

    def run(self, job: Job) -> JobOutcome:
        if self.error is not None:
            return JobOutcome(job.customer_id, error=self.error, fatal=True)
        return self.extract(job)

    def pid(self) -> int:
        import os

        return os.getpid()


def _ray() -> Any:
    try:
        import ray
    except ImportError as err:
        raise ConfigError("--ray needs the [ray] extra: pip install 'kyc-ocr[ray]'") from err
    return ray


class RayExecutor:
    """Jobs on Ray actors; ``address`` is ``"local"`` for an embedded instance or a cluster address."""

    def __init__(self, settings: Settings, workers: int, address: str = "local", cpus_per_worker: float = 0.5,
                 factories: dict[str, str] | None = None) -> None:
        ray = _ray()
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            options: dict[str, Any] = {"log_to_driver": False, "logging_level": "ERROR", "include_dashboard": False}
            if address == "local":
                # Short temp dir: Ray's socket paths fail beyond 107 bytes.
                options.update(address="local", num_cpus=max(1, workers),
                               object_store_memory=128 * 1024 * 1024,
                               _temp_dir=tempfile.mkdtemp(prefix="ray", dir="/tmp"))
            else:
                options["address"] = address
            ray.init(**options)
        gpus = ray.cluster_resources().get("GPU", 0)
        per_gpu = gpus / workers if gpus and settings.device.startswith("cuda") else 0
        actor = ray.remote(num_cpus=cpus_per_worker, num_gpus=per_gpu, max_restarts=-1,
                           max_task_retries=-1)(_RayWorker)
        threads = settings.threads or 1
        settings_json = settings.model_copy(update={"threads": threads}).model_dump_json()
        self.actors = [actor.remote(settings_json, dict(factories or {})) for _ in range(workers)]

    def outcomes(self, jobs: Sequence[Job], window: int) -> Iterator[tuple[int, JobOutcome]]:
        ray = self.ray
        todo = list(range(len(jobs)))[::-1]
        idle = list(self.actors)
        pending: dict[Any, tuple[int, Any]] = {}
        while todo or pending:
            while todo and idle and len(pending) < max(window, 1):
                i = todo.pop()
                worker = idle.pop()
                pending[worker.run.remote(jobs[i])] = (i, worker)
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                i, worker = pending.pop(ref)
                idle.append(worker)
                try:
                    outcome = ray.get(ref)
                except ray.exceptions.RayError as err:
                    outcome = JobOutcome(jobs[i].customer_id, error=f"ray: {type(err).__name__}")
                yield i, outcome

    def worker_pids(self) -> list[int]:
        return self.ray.get([a.pid.remote() for a in self.actors])

    def close(self) -> None:
        for a in self.actors:
            self.ray.kill(a)
        if self.started:
            self.ray.shutdown()
