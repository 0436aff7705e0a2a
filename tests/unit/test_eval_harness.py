"""`evaluate` and `kyc-ocr eval` end to end on a tiny hand-written dataset, OCR served by the replay engine.

Dataset (split test): customer c0 has id.png (preset clean), c1 has bill.png (preset scan); c2 is in
train. Ground truth and what OCR read, in the decoded 200x100 pages' pixels (the `recorded` fixture
moves these readings onto the preprocessed page, as an engine would have recorded them there):

    id.png    GT "KYC" (10,10)-(60,30)   read "KIC"  same box, conf .90  (IoU 1)
              GT "UTO" (10,50)-(60,70)   read "UTO"  (10,50)-(60,62.8), conf .80  (IoU 640/1000 = .64)
              -                          read "X"    (150,80)-(160,90), conf .30  (spurious)
    bill.png  GT "ANNA MARIA" (0,0)-(100,20)  read the same, conf .95 (IoU 1)
              GT "STREET 5" (0,40)-(100,60)   not read
"""

from __future__ import annotations

import importlib
import importlib.machinery
import json
import sys
import types
from pathlib import Path

import cv2
import numpy as np
import pytest

from kyc_ocr.cli import main
from kyc_ocr.domain import (
    CheckResult,
    Decision,
    ExtractedDocument,
    Field,
    PageImage,
    Status,
    TemplateMatch,
    TextLine,
    Verdict,
)
from kyc_ocr.errors import ConfigError, InputError
from kyc_ocr.eval import evaluate
from kyc_ocr.eval.dataset import GtPage
from kyc_ocr.eval.geometry import apply_homography
from kyc_ocr.eval.harness import to_ground_truth_coords
from kyc_ocr.ocr.replay import ReplayEngine


def box(x0: float, y0: float, x1: float, y1: float) -> list[list[float]]:
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


GT = {
    "id.png": {"kind": "id_card", "template_id": "uto-id-td1-front", "preset": "clean",
               "lines": [("KYC", box(10, 10, 60, 30), None), ("UTO", box(10, 50, 60, 70), "nationality")],
               "fields": {"surname": "ERIKSSON", "date_of_birth": "1974-08-12"}},
    "bill.png": {"kind": "utility_bill", "template_id": "utility-bill", "preset": "scan",
                 "lines": [("ANNA MARIA", box(0, 0, 100, 20), None), ("STREET 5", box(0, 40, 100, 60), "address")],
                 "fields": {"address": "STREET 5"}},
}
READ = {"pages": [  # what the engine read, in the decoded image's pixels
    {"source": "id.png", "page": 1, "width": 200, "height": 100, "lines": [
        {"text": "KIC", "confidence": 0.9, "quad": box(10, 10, 60, 30)},
        {"text": "UTO", "confidence": 0.8, "quad": box(10, 50, 60, 62.8)},
        {"text": "X", "confidence": 0.3, "quad": box(150, 80, 160, 90)}]},
    {"source": "bill.png", "page": 1, "width": 200, "height": 100, "lines": [
        {"text": "ANNA MARIA", "confidence": 0.95, "quad": box(0, 0, 100, 20)}]},
]}
CUSTOMERS = [("c0", "test", "id.png", "APPROVED", []), ("c1", "test", "bill.png", "REJECTED", ["same_name"]),
             ("c2", "train", "id.png", "APPROVED", [])]


def write_dataset(root: Path) -> Path:
    entries = []
    for cid, split, name, decision, failing in CUSTOMERS:
        folder = root / cid
        folder.mkdir(parents=True)
        gt = GT[name]
        image = np.full((100, 200, 3), 255, np.uint8)
        for text, quad, _ in gt["lines"]:
            cv2.putText(image, text, (int(quad[0][0]), int(quad[3][1]) - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0))
        cv2.imwrite(str(folder / name), image)
        (folder / f"{Path(name).stem}.gt.json").write_text(json.dumps({
            "file": name, "kind": gt["kind"], "template_id": gt["template_id"], "side": "front",
            "preset": gt["preset"], "split": split,
            "pages": [{"page": 1, "width": 200, "height": 100,
                       "lines": [{"text": t, "quad": q, "field": f} for t, q, f in gt["lines"]]}],
            "fields": {k: {"value": v, "page": 1, "box": None} for k, v in gt["fields"].items()},
        }))
        (folder / "profile.json").write_text(json.dumps({
            "customer_id": cid, "split": split, "identity": {}, "expected_decision": decision, "faults": [],
            "expected_failing_checks": failing,
            "documents": [{"file": name, "kind": gt["kind"], "template_id": gt["template_id"], "side": "front",
                           "preset": gt["preset"]}]}))
        entries.append({"customer_id": cid, "split": split, "expected_decision": decision, "documents": [name]})
    (root / "manifest.json").write_text(json.dumps({
        "generator": "test", "seed": 1, "count": 3, "presets": ["clean", "scan"],
        "splits": {"train": ["c2"], "val": [], "test": ["c0", "c1"]}, "customers": entries}))
    return root


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_dataset(tmp_path / "ds")


@pytest.fixture
def recorded(dataset) -> dict:
    """READ as the engine would have recorded it: on the *preprocessed* page, in its pixels.

    Preprocessing may deskew or crop (``transform`` maps prepared -> decoded pixels), so each quad
    is mapped through the inverse; the harness must map it back to score it against the ground truth.
    """
    load = importlib.import_module("kyc_ocr.io").load
    prepare = importlib.import_module("kyc_ocr.preprocess").prepare
    pages = []
    for page in READ["pages"]:
        folder = "c0" if page["source"] == "id.png" else "c1"
        (prepared,) = prepare(load([str(dataset / folder / page["source"])]))
        inverse = np.linalg.inv(np.asarray(prepared.transform, dtype=np.float64))
        lines = [{**line, "quad": [list(p) for p in apply_homography(line["quad"], inverse)]} for line in page["lines"]]
        pages.append({**page, "width": prepared.width, "height": prepared.height, "lines": lines})
    return {"pages": pages}


@pytest.fixture(autouse=True)
def pipeline_io(monkeypatch):
    """Use kyc_ocr.io / kyc_ocr.preprocess; while either is not written yet, a plain PNG decoder / no-op stands in."""
    if not _has("kyc_ocr.io", "load"):
        def load(sources, settings=None):
            out = []
            for src in sources:
                bgr = cv2.imread(str(src), cv2.IMREAD_COLOR)
                out.append(PageImage(np.ascontiguousarray(bgr[:, :, ::-1]), str(src), 1, "sha-" + Path(src).name))
            return out
        monkeypatch.setitem(sys.modules, "kyc_ocr.io", _module("kyc_ocr.io", load=load))
    if not _has("kyc_ocr.preprocess", "prepare"):
        monkeypatch.setitem(sys.modules, "kyc_ocr.preprocess", _module("kyc_ocr.preprocess", prepare=list))


def _has(module: str, attr: str) -> bool:
    try:
        return hasattr(importlib.import_module(module), attr)
    except ImportError:
        return False


def _module(name: str, **attrs):
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    module.__dict__.update(attrs)
    return module


def test_ocr_stage_numbers(dataset, recorded):
    report = evaluate(dataset, engine=ReplayEngine(recordings=recorded), stages=("ocr",))
    assert report.stages == {"ocr": "ok", "fields": "skipped", "verdicts": "skipped"}
    assert (report.customers, report.documents) == (2, 2)  # c2 is train
    o = report.ocr.overall
    # matched pairs: KIC/KYC (1 of 3), UTO/UTO (0 of 3), ANNA MARIA (0 of 10): 1/16; words 1/4; exact 2/3
    assert (o.recognition.cer, o.recognition.wer, o.recognition.line_accuracy) == pytest.approx((1 / 16, 1 / 4, 2 / 3))
    # end to end adds the missed "STREET 5" (8 chars, 2 words): (1 + 8) / 24, (1 + 2) / 6, exact 2/4
    assert (o.end_to_end.cer, o.end_to_end.wer, o.end_to_end.line_accuracy) == pytest.approx((9 / 24, 3 / 6, 0.5))
    # 4 predictions, 4 GT lines, 3 matched at IoU >= .5
    assert (o.detection.precision, o.detection.recall, o.detection.hmean) == (0.75, 0.75, 0.75)
    assert (o.spurious_lines, o.spurious_chars) == (1, 1)
    # ranked .95 T, .90 T, .80 (IoU .64: T up to .60), .30 F; 4 GT. IoU .50-.60: recall reaches .75 at
    # precision 1 -> 76 of 101 points; .65-.95: recall .5 -> 51 points. mAP = (3*76 + 7*51) / 1010
    assert o.ap.map == pytest.approx(585 / 1010)
    clean, scan = report.ocr.by["preset"]["clean"], report.ocr.by["preset"]["scan"]
    assert clean.recognition.cer == pytest.approx(1 / 6) and clean.detection.precision == pytest.approx(2 / 3)
    assert scan.end_to_end.cer == pytest.approx(8 / 18) and scan.detection.recall == 0.5
    assert set(report.ocr.by["kind"]) == {"id_card", "utility_bill"}
    assert report.timing["ocr"].items == 2 and report.timing["ocr"].errors == 0
    data = report.to_dict()
    assert data["ocr"]["by_template"]["utility-bill"]["end_to_end"]["chars"] == 18
    assert data["fields"] is None and data["split"] == "test"


def test_filters_split_preset_limit(dataset, recorded):
    engine = ReplayEngine(recordings=recorded)
    assert evaluate(dataset, engine=engine, stages=("ocr",), presets=["scan"]).documents == 1
    assert evaluate(dataset, engine=engine, stages=("ocr",), split=None).customers == 3
    assert evaluate(dataset, engine=engine, stages=("ocr",), split="test", limit=1).customers == 1


def test_missing_recording_counts_as_read_nothing(dataset, recorded):
    only_id = {"pages": [recorded["pages"][0]]}
    report = evaluate(dataset, engine=ReplayEngine(recordings=only_id), stages=("ocr",))
    assert report.timing["ocr"].errors == 1  # bill.png has no recording: EngineError, scored as empty
    assert report.ocr.by["preset"]["scan"].end_to_end.cer == 1.0


def _recorded_extract(files, settings=None, engine=None):
    """Stands in for kyc_ocr.extract.extract with what extraction returned on these files."""
    name = Path(files[0]).name
    if name == "id.png":
        fields = {"surname": Field("surname", "Eriksson", "Eriksson", 0.9),  # right only when normalised
                  "date_of_birth": Field("date_of_birth", "1974-08-12", "12 08 1974", 0.9)}
        match = TemplateMatch("uto-id-td1-front", "1", "id_card", 0.9, "labels")
    else:
        fields, match = {}, None  # nothing found on the bill
    return [ExtractedDocument(str(files[0]), "", "image/png", "id_card", match, fields)]


def test_fields_stage_with_recorded_extraction(dataset, recorded, monkeypatch, tmp_path):
    import kyc_ocr.extract

    monkeypatch.setattr(kyc_ocr.extract, "extract", _recorded_extract, raising=False)
    report = evaluate(dataset, engine=ReplayEngine(recordings=recorded), stages=("fields",))
    assert report.stages["fields"] == "ok"
    acc = report.fields.overall
    # 3 GT fields: surname (normalised only), date_of_birth (exact), address (missing)
    assert (acc.overall.total, acc.overall.exact, acc.overall.normalized, acc.overall.missing) == (3, 1, 2, 1)
    assert acc.templates_right == 1 and acc.documents == 2
    assert report.fields.by["template"]["utility-bill"].overall.normalized == 0
    data = report.to_dict()["fields"]
    assert data["overall"]["template_accuracy"] == 0.5
    assert data["overall"]["by_field"]["surname"] == {"exact": 0.0, "normalized": 1.0, "n": 1, "n_exact": 0,
                                                      "n_normalized": 1, "n_missing": 0}
    assert data["by_preset"]["scan"]["documents"] == 1
    written = {p.name for p in report.write(tmp_path / "r")}
    assert written == {"report.json", "report.md", "field_accuracy.png", "error_by_preset.png"}
    assert "| surname | 1 | 0.00% | 100.00% | 0 |" in (tmp_path / "r" / "report.md").read_text()


def test_verdict_stage_confusion(dataset, recorded, monkeypatch):
    import kyc_ocr.verify

    class RecordedVerifier:
        """Answers what verification decided on the two test customers."""

        def __init__(self, settings=None, *, engine=None):
            assert settings.db_url.startswith("sqlite:///") and "kyc-ocr-eval-" in settings.db_url

        def verify_profile(self, customer_id, files, as_of=None):
            assert [Path(f).name for f in files] == [("id.png" if customer_id == "c0" else "bill.png")]
            status = Status.PASS if customer_id == "c0" else Status.WARN
            return Verdict(customer_id, Decision.APPROVED if customer_id == "c0" else Decision.REVIEW, (),
                           (CheckResult("same_name", status),), "test", "2026-01-01")

    monkeypatch.setattr(kyc_ocr.verify, "Verifier", RecordedVerifier)
    report = evaluate(dataset, engine=ReplayEngine(recordings=recorded), stages=("verdicts",))
    v = report.verdicts
    assert v.confusion["APPROVED"]["APPROVED"] == 1 and v.confusion["REJECTED"]["REVIEW"] == 1
    assert v.accuracy == 0.5
    assert (v.checks["same_name"].tp, v.checks["same_name"].fp) == (1, 0)  # WARN on c1, who expected it
    from kyc_ocr.eval.markdown import to_markdown

    md = to_markdown(report)  # columns: decided APPROVED, REVIEW, REJECTED
    assert "| APPROVED | 1 | 0 | 0 |" in md and "| REJECTED | 0 | 1 | 0 |" in md
    assert "| same_name | 1 | 0 | 0 | 100.00% | 100.00% |" in md


def test_unavailable_stage_is_reported_not_raised(dataset, recorded, monkeypatch):
    monkeypatch.setitem(sys.modules, "kyc_ocr.verify", None)  # as if the module were not installed
    report = evaluate(dataset, engine=ReplayEngine(recordings=recorded), stages=("ocr", "verdicts"))
    assert report.stages["ocr"] == "ok"
    assert report.stages["verdicts"].startswith("unavailable: ")
    assert report.to_dict()["verdicts"] is None


def test_quads_mapped_back_through_preprocessing():
    # prepared page = original cropped at (50, 20) and scaled by 2; transform maps prepared -> original
    h = np.array([[0.5, 0, 50], [0, 0.5, 20], [0, 0, 1.0]])
    original = PageImage(np.zeros((400, 600, 3), np.uint8), "a.png")
    prepared = PageImage(np.zeros((200, 300, 3), np.uint8), "a.png", transform=h, orig_size=(600, 400))
    gt_page = GtPage(page=1, width=1200, height=800)  # ground truth drawn at twice the decoded size
    line = TextLine("A", 1.0, ((0, 0), (100, 0), (100, 10), (0, 10)))
    (mapped,) = to_ground_truth_coords([line], prepared, original, gt_page)
    # (0, 0) -> original (50, 20) -> GT (100, 40); (100, 10) -> (100, 25) -> (200, 50)
    np.testing.assert_allclose(mapped.quad, [(100, 40), (200, 40), (200, 50), (100, 50)])


def test_bad_dataset_inputs(tmp_path, dataset, recorded):
    with pytest.raises(InputError, match="no manifest.json"):
        evaluate(tmp_path)
    with pytest.raises(ConfigError, match="unknown stage"):
        evaluate(dataset, stages=("ocr", "speed"))
    with pytest.raises(InputError, match="unknown split"):
        evaluate(dataset, engine=ReplayEngine(recordings=recorded), split="dev")
    (dataset / "c0" / "id.gt.json").write_text("{not json")
    with pytest.raises(InputError, match=r"id\.gt\.json: not readable JSON"):
        evaluate(dataset, engine=ReplayEngine(recordings=recorded))
    (dataset / "c0" / "id.gt.json").write_text(json.dumps({"file": "id.png"}))
    with pytest.raises(InputError, match="invalid GroundTruth at kind"):
        evaluate(dataset, engine=ReplayEngine(recordings=recorded))


def test_cli_json_and_report(dataset, recorded, tmp_path, monkeypatch, capsys):
    recordings = tmp_path / "rec"
    recordings.mkdir()
    (recordings / "pages.json").write_text(json.dumps(recorded))
    monkeypatch.setenv("KYC_OCR_OCR_RECORDINGS", str(recordings))
    out = tmp_path / "report"
    code = main(["eval", str(dataset), "--engine", "replay", "--stages", "ocr", "--json", "--report", str(out)])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["engine"] == "replay" and data["ocr"]["overall"]["detection"]["hmean"] == 0.75
    assert sorted(p.name for p in out.iterdir()) == [
        "cer_by_preset_kind.png", "error_by_preset.png", "report.json", "report.md"]
    assert (out / "cer_by_preset_kind.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    md = (out / "report.md").read_text()
    assert "| preset: scan |" in md and "44.44%" in md  # scan end-to-end CER 8/18
    assert main(["eval", str(dataset), "--engine", "replay", "--stages", "ocr"]) == 0
    assert "CER (end-to-end)" in capsys.readouterr().out
    assert main(["eval", str(tmp_path / "nope"), "--json"]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_reused_document_original_is_verified_first_and_not_scored(dataset, recorded, monkeypatch):
    import kyc_ocr.verify

    profile = dataset / "c1" / "profile.json"
    profile.write_text(json.dumps({**json.loads(profile.read_text()), "reused_from": "c2"}))  # c2: train split
    calls = []

    class RecordingVerifier:
        def __init__(self, settings=None, *, engine=None):
            pass

        def verify_profile(self, customer_id, files, as_of=None):
            calls.append(customer_id)
            return Verdict(customer_id, Decision.REVIEW, (), (), "test", "2026-01-01")

    monkeypatch.setattr(kyc_ocr.verify, "Verifier", RecordingVerifier)
    report = evaluate(dataset, engine=ReplayEngine(recordings=recorded), stages=("verdicts",))
    assert calls == ["c2", "c0", "c1"]  # the original submission is in the database before the reuse
    assert sum(sum(row.values()) for row in report.verdicts.confusion.values()) == 2
