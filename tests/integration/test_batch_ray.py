"""The batch on a local Ray instance: actors with restart and retry, one killed mid-run, nothing lost."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray", reason="the [ray] extra is not installed")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_batch import AS_OF, CUSTOMERS, copy_customers, settings

from kyc_ocr.batch import BatchOptions, BatchRunner, discover
from kyc_ocr.batch.ray_executor import RayExecutor
from kyc_ocr.verify import Verifier


def test_an_actor_killed_mid_run_is_restarted_and_its_job_retried(tmp_path):
    src = copy_customers(tmp_path / "in")
    jobs = discover(src)
    v = Verifier(settings(f"sqlite:///{tmp_path / 'kyc.db'}"))
    executor = RayExecutor(v.settings, workers=2, address="local")
    try:
        pids = executor.worker_pids()
        assert len(set(pids)) == 2
        seen: list[int] = []
        for i, outcome in executor.outcomes(jobs, window=2):
            if not seen:  # the other actor is busy with the next job right now
                os.kill(pids[1], signal.SIGKILL)
            seen.append(i)
            assert outcome.error is None, outcome.error
            assert outcome.customer_id == jobs[i].customer_id and outcome.documents
        assert sorted(seen) == list(range(len(jobs)))  # each job exactly once, none lost
        assert pids[1] not in executor.worker_pids()  # the killed actor came back in a new process
    finally:
        executor.close()

    # the same jobs through the runner on Ray: committed in order, then all done on a rerun
    opts = BatchOptions(workers=2, as_of=AS_OF, ray_address="local")
    items = list(BatchRunner(v, opts).run(jobs))
    assert [(it.customer_id, it.status) for it in items] == [(c, "verified") for c in CUSTOMERS]
    assert [it.status for it in BatchRunner(v, opts).run(jobs)] == ["already_done"] * len(CUSTOMERS)
    assert v.store.verify_audit().ok
