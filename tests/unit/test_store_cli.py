"""`kyc-ocr db upgrade` and `kyc-ocr audit list|show|export|verify` against a real SQLite file."""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json

import pytest
from PIL import Image

from kyc_ocr.checks.base import CHECK_NAMES
from kyc_ocr.cli import main
from kyc_ocr.domain import CheckResult, Status
from kyc_ocr.errors import ExitCode
from kyc_ocr.store import Store, db
from kyc_ocr.store.sample import sample_verification


@pytest.fixture()
def db_url(tmp_path):
    return f"sqlite:///{tmp_path / 'kyc.db'}"


@pytest.fixture()
def saved(db_url):
    with Store(db_url) as store:
        docs, verdict = sample_verification("cust-1", seed=1)
        v1 = store.save_verification("cust-1", docs, verdict)
        v2 = store.save_verification("cust-1", docs[:2], verdict)
        docs, verdict = sample_verification("cust-2", seed=2)
        v3 = store.save_verification("cust-2", docs, verdict)
    return v1, v2, v3


def test_db_upgrade_from_any_directory(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["db", "upgrade", "--db", "sqlite:///fresh.db"]) == 0
    assert f"at revision {db.head_revision()}" in capsys.readouterr().out and (tmp_path / "fresh.db").exists()
    monkeypatch.setenv("KYC_OCR_DB_URL", "sqlite:///from-env.db")
    assert main(["db", "upgrade"]) == 0 and (tmp_path / "from-env.db").exists()


def test_db_upgrade_unreachable_server_is_a_store_error(capsys):
    code = main(["db", "upgrade", "--db", "postgresql://kyc:s3cret@127.0.0.1:1/kyc"])
    err = capsys.readouterr().err
    assert code == ExitCode.STORE and "s3cret" not in err and len(err.strip().splitlines()) == 1


def test_audit_list_and_show(saved, db_url, capsys):
    v1, v2, v3 = saved
    assert main(["audit", "list", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert all(v.verdict_id in out for v in saved) and "3 verdict(s)" in out
    assert main(["audit", "list", "--customer", "cust-2", "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert v3.verdict_id in out and v1.verdict_id not in out
    assert main(["audit", "show", v2.verdict_id, "--db", db_url]) == 0
    out = capsys.readouterr().out
    assert f"supersedes {v1.verdict_id}" in out and "document_not_expired" in out and "threshold: 0.85" in out
    assert main(["audit", "show", "no-such-id", "--db", db_url]) == ExitCode.BAD_INPUT


def test_audit_export_json_and_csv(saved, db_url, capsys):
    v1, v2, v3 = saved
    assert main(["audit", "export", "--format", "json", "--db", db_url]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [v["verdict_id"] for v in data["verdicts"]] == [v1.verdict_id, v2.verdict_id, v3.verdict_id]
    second = data["verdicts"][1]
    assert {"verdict_id", "customer_id", "decision", "created_at", "supersedes", "checks"} <= second.keys()
    assert second["supersedes"] == v1.verdict_id and len(second["checks"]) == len(CHECK_NAMES)
    assert set(second["checks"][0]) == {"name", "status", "score", "detail", "evidence"}
    assert main(["audit", "export", "--format", "csv", "--db", db_url]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["verdict_id"] for r in rows] == [v1.verdict_id, v2.verdict_id, v3.verdict_id]
    assert rows[1]["supersedes"] == v1.verdict_id and rows[0]["checks"] == str(len(CHECK_NAMES))
    assert main(["audit", "export", "--format", "xml", "--db", db_url]) == ExitCode.BAD_INPUT


def test_audit_verify_exit_codes(saved, db_url, capsys):
    assert main(["audit", "verify", "--db", db_url]) == 0
    assert "audit trail intact: 12 events" in capsys.readouterr().out
    with Store(db_url) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
        conn.exec_driver_sql("UPDATE audit_events SET actor = 'mallory' WHERE id = 3")
    assert main(["audit", "verify", "--db", db_url]) == ExitCode.INTEGRITY
    assert "event #3: edited" in capsys.readouterr().err


def test_audit_show_annotate_colours_boxes_by_check_status(tmp_path, db_url, monkeypatch):
    docs, verdict = sample_verification("cust-1", seed=1)
    image = tmp_path / "passport.png"
    Image.new("RGB", (500, 700), "white").save(image)
    passport = dataclasses.replace(docs[0], source=str(image), sha256=hashlib.sha256(image.read_bytes()).hexdigest())
    surname, sex = passport.fields["surname"], passport.fields["sex"]
    checks = (CheckResult("same_person", Status.FAIL, 0.2, "names differ",
                          {"sha256": passport.sha256[:12], "fields": {"surname": surname.to_dict()}}),
              CheckResult("sex_consistent", Status.PASS, 1.0, "", {"field": "sex"}))
    with Store(db_url, blob_dir=tmp_path / "blobs") as store:
        saved = store.save_verification("cust-1", [passport], dataclasses.replace(verdict, checks=checks))
    image.unlink()  # the blob copy is what gets drawn on
    out = tmp_path / "annotated"
    monkeypatch.setenv("KYC_OCR_BLOB_DIR", str(tmp_path / "blobs"))
    assert main(["audit", "show", saved.verdict_id, "--annotate", str(out), "--db", db_url]) == 0
    [png] = sorted(out.glob("*.png"))
    drawn = Image.open(png).convert("RGB")
    x0, y0, _, y1 = (int(v) for v in surname.box)
    assert drawn.getpixel((x0 + 1, (y0 + y1) // 2)) == (220, 30, 30)  # FAIL: red
    x0, y0, _, y1 = (int(v) for v in sex.box)
    assert drawn.getpixel((x0 + 1, (y0 + y1) // 2)) == (20, 160, 60)  # PASS: green
    x0, y0, _, y1 = (int(v) for v in passport.fields["address"].box)
    assert drawn.getpixel((x0 + 1, (y0 + y1) // 2)) == (40, 90, 220)  # looked at by no check: blue
    assert drawn.getpixel((5, 5)) == (255, 255, 255)
