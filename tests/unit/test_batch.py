"""`kyc-ocr batch` for real: kill -9 and resume, crashed workers, failed customers, manifests, CLI output.

OCR is replayed (``tests/data/batch/ocr``, recorded from four sample customers with the
ONNX engine by ``tests/data/batch/record.py``); everything else — decoding, preprocessing,
classification, extraction, checks, the spawn pool, SQLite — runs for real.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kyc_ocr.batch import BatchOptions, BatchRunner, discover, run_batch
from kyc_ocr.batch import workers as batch_workers
from kyc_ocr.config import Settings
from kyc_ocr.ocr import registry
from kyc_ocr.ocr.replay import ReplayEngine
from kyc_ocr.store import Store
from kyc_ocr.verify import Verifier, documents_in

ROOT = Path(__file__).resolve().parents[2]
RECORDINGS = ROOT / "tests" / "data" / "batch" / "ocr"
CUSTOMERS = ("cust-2026-00003", "cust-2026-00008", "cust-2026-00009", "cust-2026-00010")
AS_OF = "2026-06-30"
POISON_ENV = "KYC_OCR_TEST_RECORDINGS"


class PoisonReplay(ReplayEngine):
    """Replayed OCR whose worker process dies (``os._exit``) on any page of a file named ``poison*``."""

    name = "poison"

    def __init__(self, **_options: object) -> None:
        super().__init__(recordings=os.environ[POISON_ENV])

    def read(self, pages):
        if any(Path(p.source).name.startswith("poison") for p in pages):
            os._exit(3)  # what a segfaulting native library looks like to the pool
        return super().read(pages)


def copy_customers(dest: Path, names: tuple[str, ...] = CUSTOMERS) -> Path:
    """The documents (not the ground truth) of some sample customers, one folder each."""
    for name in names:
        (dest / name).mkdir(parents=True)
        for f in documents_in(ROOT / "samples" / name):
            shutil.copy(f, dest / name / f.name)
    return dest


def replay_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KYC_OCR_")}
    env.update(KYC_OCR_ENGINE="replay", KYC_OCR_OCR_RECORDINGS=str(RECORDINGS), KYC_OCR_THREADS="1", **extra)
    return env


def settings(url: str, **kw: object) -> Settings:
    return Settings(**{"engine": "replay", "ocr_recordings": RECORDINGS, "db_url": url, "threads": 1, **kw})


def snapshot(url: str) -> dict[str, object]:
    """The database content that matters, without ids, uuids and timestamps."""
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        q = lambda sql: [tuple(r) for r in conn.execute(sql)]
        return {
            "customers": q("SELECT customer_id FROM customers ORDER BY customer_id"),
            "verdicts": q("SELECT c.customer_id, v.decision, v.reasons, v.policy_version, v.as_of, v.input_fingerprint,"
                          " v.supersedes_pk IS NULL FROM verdicts v JOIN customers c ON c.id = v.customer_pk"
                          " ORDER BY c.customer_id"),
            "checks": q("SELECT c.customer_id, k.position, k.name, k.status, k.score, k.detail, k.evidence FROM checks k"
                        " JOIN verdicts v ON v.id = k.verdict_pk JOIN customers c ON c.id = v.customer_pk"
                        " ORDER BY c.customer_id, k.position"),
            "documents": q("SELECT c.customer_id, d.sha256, d.document_type, d.template_id, d.content_digest, d.pages"
                           " FROM documents d JOIN customers c ON c.id = d.customer_pk ORDER BY 1, 2"),
            "fields": q("SELECT d.sha256, f.name, f.value, f.source FROM fields f JOIN documents d ON d.id = f.document_pk"
                        " ORDER BY 1, 2"),
            "audit_actions": sorted(q("SELECT action, CASE entity WHEN 'verdict' THEN '' ELSE entity_id END"
                                      " FROM audit_events")),  # verdict ids are fresh uuids
            "failures": q("SELECT customer_id FROM batch_failures"),
        }


def verdict_count(path: Path) -> int:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.2) as conn:
            return conn.execute("SELECT count(*) FROM verdicts").fetchone()[0]
    except sqlite3.Error:  # not created or not migrated yet
        return 0


def batch_cmd(source: Path, url: str, workers: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "kyc_ocr", "batch", str(source), "--workers", str(workers), "--db", url,
            "--as-of", AS_OF, *extra]


def test_kill_9_mid_run_then_resume_gives_the_same_database_as_a_clean_run(tmp_path):
    src = copy_customers(tmp_path / "in")
    killed_db, clean_db = tmp_path / "killed.db", tmp_path / "clean.db"
    proc = subprocess.Popen(batch_cmd(src, f"sqlite:///{killed_db}", 1), env=replay_env(), cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 40
    while verdict_count(killed_db) < 1 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)  # the whole run: parent and its spawn workers
    proc.wait()
    stored = verdict_count(killed_db)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    assert 1 <= stored < len(CUSTOMERS), "the kill must land after the first commit and before the last"

    resumed = subprocess.run(batch_cmd(src, f"sqlite:///{killed_db}", 2, "--json"), check=False, env=replay_env(), cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    summary = json.loads(resumed.stdout)
    assert summary["statuses"] == {"already_done": stored, "verified": len(CUSTOMERS) - stored}

    clean = subprocess.run(batch_cmd(src, f"sqlite:///{clean_db}", 2), check=False, env=replay_env(), cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert clean.returncode == 0, clean.stderr[-2000:]

    after_kill, uninterrupted = snapshot(f"sqlite:///{killed_db}"), snapshot(f"sqlite:///{clean_db}")
    assert after_kill == uninterrupted
    assert [c for c, *_ in after_kill["verdicts"]] == list(CUSTOMERS)  # one verdict each, none twice
    assert len(after_kill["documents"]) == sum(len(documents_in(src / c)) for c in CUSTOMERS)
    assert after_kill["checks"] and after_kill["failures"] == []
    for db in (killed_db, clean_db):
        with Store(f"sqlite:///{db}") as store:
            assert store.verify_audit().ok


def test_a_worker_that_dies_is_replaced_and_only_the_poison_job_fails(tmp_path, monkeypatch):
    src = copy_customers(tmp_path / "in", CUSTOMERS[:3])
    (src / "cust-poison").mkdir()
    recorded = documents_in(src / CUSTOMERS[1])[0]  # a recorded page under another name: only the name poisons
    shutil.copy(recorded, src / "cust-poison" / f"poison{recorded.suffix}")
    monkeypatch.setenv(POISON_ENV, str(RECORDINGS))  # spawn workers inherit the environment
    monkeypatch.setattr(batch_workers, "MAX_CRASHES", 2)
    url = f"sqlite:///{tmp_path / 'kyc.db'}"
    v = Verifier(settings(url, engine="poison"))
    opts = BatchOptions(workers=2, as_of=AS_OF, engine_factories={"poison": f"{__name__}:PoisonReplay"})
    items, summary = run_batch(v, discover(src), opts)

    by_id = {it.customer_id: it for it in items}
    assert {c: by_id[c].status for c in CUSTOMERS[:3]} == dict.fromkeys(CUSTOMERS[:3], "verified")
    assert by_id["cust-poison"].status == "failed"
    assert by_id["cust-poison"].error == "worker process died 2 times"
    assert summary["statuses"] == {"verified": 3, "failed": 1}
    assert summary["failures"] == [{"customer_id": "cust-poison", "error": "worker process died 2 times"}]
    assert v.store.latest_verdict("cust-poison") is None
    fp = BatchRunner(v, opts)._fingerprint(discover(src)[-1])
    assert v.store.failure("cust-poison", fp) == "worker process died 2 times"


def test_a_bad_document_is_stored_failed_skipped_then_retried_on_request(tmp_path):
    src = copy_customers(tmp_path / "in", CUSTOMERS[:1])
    (src / "cust-bad").mkdir()
    (src / "cust-bad" / "passport.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)
    url = f"sqlite:///{tmp_path / 'kyc.db'}"
    v = Verifier(settings(url))
    jobs = discover(src)

    items, _ = run_batch(v, jobs, BatchOptions(workers=0, as_of=AS_OF))
    assert [it.status for it in items] == ["verified", "failed"]
    error = items[1].error
    assert error.startswith("InputError: ") and "passport.png" in error and "\n" not in error

    again, _ = run_batch(v, jobs, BatchOptions(workers=0, as_of=AS_OF))
    assert [(it.status, it.error) for it in again] == [("already_done", None), ("failed_before", error)]

    retried, _ = run_batch(v, jobs, BatchOptions(workers=0, as_of=AS_OF, retry_failed=True))
    assert [it.status for it in retried] == ["already_done", "failed"]
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("SELECT customer_id, attempts FROM batch_failures").fetchall() == [("cust-bad", 2)]
        events = conn.execute("SELECT payload FROM audit_events WHERE action = 'batch.failed'").fetchall()
    assert len(events) == 2
    payload = json.loads(events[-1][0])
    assert payload["attempts"] == 2 and payload["error_kind"] == "InputError"
    assert "passport" not in events[-1][0]  # the message (a file name) stays out of the audit trail
    assert v.store.verify_audit().ok

    # the customer sends a good document: new inputs, a new key, verified without --retry-failed
    shutil.copy(documents_in(ROOT / "samples" / CUSTOMERS[1])[0], src / "cust-bad" / "passport.png")
    fixed, _ = run_batch(v, discover(src), BatchOptions(workers=0, as_of=AS_OF))
    assert [it.status for it in fixed] == ["already_done", "verified"]


def test_manifest_csv_json_summary_plain_progress_and_exit_code(tmp_path):
    src = copy_customers(tmp_path / "in", CUSTOMERS[:2])
    rows = ["customer_id,files"]
    for c in CUSTOMERS[:2]:
        rows += [f"{c},in/{c}/{f.name}" for f in documents_in(src / c)]  # one row per file
    rows.append("cust-missing,in/nowhere.png")
    (tmp_path / "batch.csv").write_text("\n".join(rows) + "\n")
    url = f"sqlite:///{tmp_path / 'kyc.db'}"

    run = subprocess.run(batch_cmd(tmp_path / "batch.csv", url, 0, "--json"), check=False, env=replay_env(), cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 8, run.stderr[-2000:]  # ExitCode.PARTIAL: some customers failed
    summary = json.loads(run.stdout)
    assert set(summary) == {"customers", "statuses", "decisions", "documents_verified", "seconds",
                            "documents_per_second", "stage_seconds", "failures"}
    assert summary["customers"] == 3 and summary["statuses"] == {"failed": 1, "verified": 2}
    assert summary["documents_verified"] == sum(len(documents_in(src / c)) for c in CUSTOMERS[:2])
    assert sum(summary["decisions"].values()) == 2
    assert {"decode", "preprocess", "checks", "database"} <= set(summary["stage_seconds"])
    (failure,) = summary["failures"]
    assert failure["customer_id"] == "cust-missing" and "nowhere.png" in failure["error"]
    # stderr is a pipe, not a terminal: plain progress lines, no bar escape codes
    lines = [ln for ln in run.stderr.splitlines() if ln.startswith("batch: ")]
    assert lines and lines[-1].startswith("batch: 3/3 customers,") and "\x1b[" not in run.stderr

    # the same decisions as verifying each customer on its own
    single = settings(f"sqlite:///{tmp_path / 'single.db'}")
    v = Verifier(single, engine=registry.from_settings(single))
    for c in CUSTOMERS[:2]:
        with Store(url) as store:
            assert store.latest_verdict(c).decision == v.verify_profile(c, [src / c], AS_OF).decision

    table = subprocess.run(batch_cmd(tmp_path / "batch.csv", url, 0), check=False, env=replay_env(), cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert table.returncode == 8  # the missing file still fails (it has no fingerprint to remember)
    assert "already_done" in table.stdout and "batch summary" in table.stdout


def test_verify_batch_yields_items_and_bad_sources_are_one_line_errors(tmp_path):
    from kyc_ocr.errors import InputError

    src = copy_customers(tmp_path / "in", CUSTOMERS[:1])
    v = Verifier(settings(f"sqlite:///{tmp_path / 'kyc.db'}"))
    (item,) = v.verify_batch(src, workers=0, as_of=AS_OF)
    assert item.status == "verified" and item.documents == len(documents_in(src / CUSTOMERS[0]))
    assert {"decode", "checks", "database"} <= set(item.times)
    with pytest.raises(InputError, match="not a folder or a manifest"):
        list(v.verify_batch(tmp_path / "nope", workers=0))
    (tmp_path / "bad.csv").write_text("id,path\nc1,a.png\n")
    with pytest.raises(InputError, match="needs a header"):
        list(v.verify_batch(tmp_path / "bad.csv", workers=0))


def test_an_engine_that_cannot_load_stops_the_batch_without_failing_customers(tmp_path):
    from kyc_ocr.errors import EngineError

    src = copy_customers(tmp_path / "in", CUSTOMERS[:1])
    url = f"sqlite:///{tmp_path / 'kyc.db'}"
    v = Verifier(settings(url, ocr_recordings=tmp_path / "no-recordings"))
    with pytest.raises(EngineError, match="workers cannot start: ConfigError: OCR recordings folder not found"):
        run_batch(v, discover(src), BatchOptions(workers=1, as_of=AS_OF))
    assert snapshot(url)["failures"] == [] and snapshot(url)["verdicts"] == []
