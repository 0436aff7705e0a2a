"""Evaluation metrics against hand-computed values (the arithmetic is in the comments)."""

from __future__ import annotations

import pytest

from kyc_ocr.errors import InputError
from kyc_ocr.eval import geometry
from kyc_ocr.eval.detection import APAccumulator, DetectionCounts, average_precision
from kyc_ocr.eval.fields import FieldAccuracy, MrzCounts, extracted_values, values_match
from kyc_ocr.eval.text import TextErrors, cer, wer
from kyc_ocr.eval.verdicts import VerdictAccuracy


def box(x0: float, y0: float, x1: float, y1: float):
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


# -- recognition --------------------------------------------------------------------------
def test_cer_wer_single_strings():
    assert cer("KIC", "KYC") == pytest.approx(1 / 3)  # one substitution (I for Y), 3 reference chars
    assert cer("KYCC", "KYC") == pytest.approx(1 / 3)  # one insertion
    assert cer("", "PASSPORT") == 1.0  # 8 deletions / 8
    assert cer("ERIKSON", "ERIKSSON") == pytest.approx(1 / 8)  # one deletion of 8
    assert wer("ANNA MARIE", "ANNA MARIA") == 0.5  # 1 of 2 words substituted
    assert wer("ANNA", "ANNA MARIA") == 0.5  # 1 word deleted of 2
    assert wer("ANNA  MARIA", "ANNA MARIA") == 0.0  # whitespace runs do not make words


def test_text_errors_are_micro_averaged():
    acc = TextErrors()
    acc.add("KIC", "KYC")  # 1 char error / 3, 1 word error / 1
    acc.add("ANNA MARIA", "ANNA MARIA")  # 0 / 10 chars, 0 / 2 words
    acc.add("", "UTO")  # missed: 3 / 3 chars, 1 / 1 word
    assert acc.cer == pytest.approx(4 / 16)
    assert acc.wer == pytest.approx(2 / 4)
    assert acc.line_accuracy == pytest.approx(1 / 3)
    assert acc.to_dict()["char_errors"] == 4


# -- geometry and detection ---------------------------------------------------------------
@pytest.mark.parametrize("use_shapely", [True, False])
def test_quad_iou_both_backends(monkeypatch, use_shapely):
    if not use_shapely:
        monkeypatch.setattr(geometry, "_Polygon", None)  # the OpenCV fallback
    assert geometry.quad_iou(box(0, 0, 2, 1), box(0, 0, 1, 1)) == pytest.approx(0.5)  # 1 / 2
    assert geometry.quad_iou(box(0, 0, 10, 10), box(5, 0, 15, 10)) == pytest.approx(50 / 150)
    # a diamond inscribed in the 2x2 square: area 2, inside the square (area 4) -> 2 / 4
    diamond = ((1, 0), (2, 1), (1, 2), (0, 1))
    assert geometry.quad_iou(diamond, box(0, 0, 2, 2)) == pytest.approx(0.5)
    assert geometry.quad_iou(box(0, 0, 1, 1), box(3, 3, 4, 4)) == 0.0


def test_detection_iou_boundary_at_half():
    d = DetectionCounts()
    pairs = d.add([box(0, 0, 2, 1)], [box(0, 0, 1, 1)])  # IoU exactly 0.5: matches (>=)
    assert pairs == [(0, 0)]
    assert (d.precision, d.recall, d.hmean) == (1.0, 1.0, 1.0)
    below = DetectionCounts()
    assert below.add([box(0, 0, 2.02, 1)], [box(0, 0, 1, 1)]) == []  # IoU 1 / 2.02 < 0.5
    assert (below.tp, below.n_pred, below.n_gt) == (0, 1, 1)
    assert below.hmean == 0.0


def test_detection_one_to_one_and_counts():
    gts = [box(0, 0, 10, 10), box(20, 0, 30, 10), box(40, 0, 50, 10)]
    preds = [
        box(0, 0, 10, 10),  # IoU 1 with gt 0
        box(0, 0, 10, 9),  # IoU 0.9 with gt 0, but gt 0 is taken by the better pair: false positive
        box(20, 0, 30, 6),  # IoU 0.6 with gt 1
        box(100, 0, 110, 10),  # nothing
    ]
    d = DetectionCounts()
    assert d.add(preds, gts) == [(0, 0), (2, 1)]
    # P = 2/4, R = 2/3, Hmean = 2 * (1/2) * (2/3) / (1/2 + 2/3) = (2/3) / (7/6) = 4/7
    assert d.precision == 0.5
    assert d.recall == pytest.approx(2 / 3)
    assert d.hmean == pytest.approx(4 / 7)


def test_detection_empty_conventions():
    assert DetectionCounts(n_pred=0, n_gt=0).hmean == 1.0  # nothing to find, nothing found
    assert DetectionCounts(n_pred=2, n_gt=0).precision == 0.0


def test_map_hand_worked_example():
    # One page, two GT boxes. p1 (0.9) = g1 (IoU 1); p2 (0.8) far away; p3 (0.7) on g2 with IoU 64/100.
    gts = [box(0, 0, 10, 10), box(20, 0, 30, 10)]
    preds = [box(0, 0, 10, 10), box(100, 100, 110, 110), box(20, 0, 30, 6.4)]
    acc = APAccumulator()
    acc.add(preds, [0.9, 0.8, 0.7], gts)
    # IoU .50/.55/.60: ranks T F T -> recall .5 .5 1, precision 1 .5 2/3, envelope 1 2/3 2/3:
    # 51 recall points (0..0.50) at 1, 50 points (0.51..1) at 2/3 -> AP = (51 + 100/3) / 101 = 253/303
    assert acc.ap(0.5) == pytest.approx(253 / 303)
    assert acc.ap(0.6) == pytest.approx(253 / 303)
    # IoU .65 ... .95: ranks T F F -> recall stays .5: 51 points at 1, the rest 0 -> AP = 51/101
    assert acc.ap(0.65) == pytest.approx(51 / 101)
    assert acc.ap(0.95) == pytest.approx(51 / 101)
    # mAP = (3 * 253/303 + 7 * 153/303) / 10 = 1830 / 3030 = 61/101
    assert acc.map == pytest.approx(61 / 101)


def test_map_ranks_across_pages_and_merges():
    a, b = APAccumulator(), APAccumulator()
    a.add([box(0, 0, 10, 10)], [0.2], [box(0, 0, 10, 10)])  # a low-confidence hit
    b.add([box(50, 50, 60, 60)], [0.9], [box(0, 0, 10, 10)])  # a confident miss on another page
    a.merge(b)
    # ranked: F (0.9) then T (0.2): recall 0 .5, precision 0 .5 -> envelope .5 .5; 51 points at .5
    assert a.ap(0.5) == pytest.approx(0.5 * 51 / 101)
    assert average_precision([], [], 3) == 0.0


# -- fields -------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "pred", "gt", "ok"), [
    ("date_of_birth", "12.08.1974", "1974-08-12", True),  # day-first print
    ("date_of_expiry", "08/12/2030", "2030-08-12", True),  # US month-first print
    ("date_of_birth", "1974-08-13", "1974-08-12", False),
    ("statement_date", "12 AUG 1974", "1974-08-12", True),
    ("surname", "Müller", "MULLER", True),  # diacritics and case
    ("given_names", "ANNA  MARIA", "Anna Maria", True),  # whitespace
    ("address", "1 Rue de l'Église\nParis", "1 RUE DE L'EGLISE PARIS", True),
    ("document_number", "L898902C3", "L898902C4", False),
])
def test_normalised_field_match(name, pred, gt, ok):
    assert values_match(name, pred, gt) is ok


def test_field_accuracy_from_recorded_extracted_documents():
    # what `kyc-ocr extract --json` prints for two documents (ExtractedDocument.to_dict shape)
    recorded = [
        {"source": "passport.png", "template": {"id": "uto-passport-td3"}, "document_type": "passport",
         "fields": {"surname": {"value": "Eriksson", "raw": "ERIKSSON", "confidence": 0.99},
                    "date_of_birth": {"value": "1974-08-12", "raw": "12 AUG/AOUT 1974", "confidence": 0.97},
                    "nationality": {"value": "UTO", "raw": "UTO", "confidence": 0.9}}},
        {"source": "id.png", "template": {"id": "uto-id-td1-front"}, "document_type": "id_card",
         "fields": {"surname": {"value": "ERIKSSON", "raw": "ERIKSSON", "confidence": 0.99}}},
    ]
    truths = [{"surname": "ERIKSSON", "date_of_birth": "1974-08-12", "document_number": "L898902C3"},
              {"surname": "ERIKSSON", "date_of_birth": "1974-08-12"}]
    acc = FieldAccuracy()
    for doc, gt in zip(recorded, truths):
        acc.add_document(extracted_values(doc), gt, is_valid=lambda _: True)
    s, d, n = acc.by_field["surname"], acc.by_field["date_of_birth"], acc.by_field["document_number"]
    assert (s.total, s.exact, s.normalized) == (2, 1, 2)  # "Eriksson" is right only once normalised
    assert (d.total, d.exact, d.normalized, d.missing) == (2, 1, 1, 1)  # missing on the ID card
    assert (n.total, n.exact, n.missing) == (1, 0, 1)
    assert "nationality" not in acc.by_field  # extra extracted fields are not scored
    overall = acc.overall  # 5 GT fields: exact 2, normalised 3
    assert (overall.total, overall.exact, overall.normalized) == (5, 2, 3)


TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"


def test_mrz_full_read_rate():
    m = MrzCounts()
    m.add(TD3, TD3)  # read exactly, check digits pass
    m.add(TD3.replace("ERIKSSON", "ERIKSS0N"), TD3)  # one O read as 0 in the name: not a full read
    m.add(None, TD3)  # not extracted
    m.add(" " + TD3 + "\n", TD3)  # surrounding whitespace ignored
    bad_gt = TD3[:-1] + "1"  # a deliberately wrong composite check digit in the ground truth
    m.add(bad_gt, bad_gt)
    assert (m.full_reads, m.total, m.gt_invalid) == (2, 4, 1)
    assert m.rate == 0.5


# -- verdicts -----------------------------------------------------------------------------
def test_confusion_matrix_and_per_check_precision_recall():
    v = VerdictAccuracy()
    v.add("APPROVED", "APPROVED", [], [("same_name", "PASS"), ("document_not_expired", "PASS")])
    v.add("APPROVED", "REVIEW", [], [("same_name", "WARN")])  # a WARN counts as a flag: FP
    v.add("REJECTED", "REJECTED", ["same_date_of_birth"], [("same_date_of_birth", "FAIL")])  # TP
    v.add("REJECTED", "APPROVED", ["document_not_expired"], [("document_not_expired", "SKIP")])  # FN
    v.add("REVIEW", "REVIEW", ["same_name"], [("same_name", "WARN"), ("same_date_of_birth", "FAIL")])
    c = v.confusion
    assert (c["APPROVED"]["APPROVED"], c["APPROVED"]["REVIEW"], c["REJECTED"]["REJECTED"],
            c["REJECTED"]["APPROVED"], c["REVIEW"]["REVIEW"]) == (1, 1, 1, 1, 1)
    assert v.total == 5 and v.accuracy == pytest.approx(3 / 5)
    same_name, dob, expiry = v.checks["same_name"], v.checks["same_date_of_birth"], v.checks["document_not_expired"]
    assert (same_name.tp, same_name.fp, same_name.fn) == (1, 1, 0)  # precision 1/2, recall 1
    assert (dob.tp, dob.fp, dob.fn) == (1, 1, 0)
    assert (expiry.tp, expiry.fp, expiry.fn) == (0, 0, 1)
    assert expiry.recall == 0.0 and expiry.precision == 1.0
    assert v.to_dict()["flagged_statuses"] == ["FAIL", "WARN"]


def test_confusion_rejects_unknown_decision():
    with pytest.raises(InputError, match="unknown decision"):
        VerdictAccuracy().add("ACCEPT", "APPROVED", [], [])


def test_padded_and_merged_lines_pair_for_reading():
    from kyc_ocr.domain import TextLine
    from kyc_ocr.eval.scores import OcrMetrics

    word = box(10, 10, 30, 20)  # tight GT box, area 200
    padded = box(7, 7, 33, 23)  # detector box around it, area 416: IoU 200/416 = .48, area precision .48
    merged = box(100, 0, 300, 20)  # one detected line over two GT items on one baseline
    gts = [("M", word), ("ANNA", box(100, 0, 180, 20)), ("MARIA", box(220, 0, 300, 20))]
    m = OcrMetrics()
    m.add_page([TextLine("M", 0.9, padded), TextLine("ANNA MARIA", 0.9, merged)], gts)
    assert m.detection.tp == 0  # nothing reaches IoU .5 (ANNA: 1600/4000 = .4)
    # merge: the box covers all of ANNA and MARIA, which make up (1600 + 1600)/4000 = .8 >= .4 of it;
    # one-to-one: M (area recall 1, area precision .48)
    p = m.pairing
    assert (p.pred_paired, p.gt_paired, p.merges, p.splits) == (2, 3, 1, 0)
    assert (m.recognition.lines, m.recognition.char_errors) == (2, 0)  # "ANNA MARIA" == "ANNA" + " " + "MARIA"
    assert (m.end_to_end.chars, m.end_to_end.char_errors) == (1 + 10, 0)


def test_split_line_and_unpaired_lines():
    from kyc_ocr.domain import TextLine
    from kyc_ocr.eval.scores import OcrMetrics

    gt = box(0, 0, 90, 10)  # "BILL DATE 21/06" read as two pieces, right piece first in the output
    left, right = box(0, -1, 44, 11), box(48, -1, 90, 11)  # each lies 440/528, 420/504 on the GT line
    m = OcrMetrics()
    m.add_page([TextLine("21/06", 0.9, right), TextLine("BILL DATE", 0.9, left),
                TextLine("NOISE", 0.2, box(0, 50, 30, 60))], [("BILL DATE 21/06", gt), ("UTO", box(0, 80, 30, 90))])
    assert m.pairing.splits == 1
    assert m.recognition.char_errors == 0  # joined left to right: "BILL DATE 21/06"
    assert (m.end_to_end.char_errors, m.end_to_end.chars) == (3, 15 + 3)  # UTO unread
    assert (m.spurious_lines, m.spurious_chars) == (1, 5)


def test_merge_on_upside_down_document_joins_in_reading_order():
    from kyc_ocr.domain import TextLine
    from kyc_ocr.eval.scores import OcrMetrics

    def turned(x0, y0, x1, y1):  # a quad of text rotated 180 degrees: its own top-left is the image's bottom-right
        return ((x1, y1), (x0, y1), (x0, y0), (x1, y0))

    # printed "Nom :" then "MICHAUD"; on the turned page "Nom :" lies to the right of "MICHAUD"
    gts = [("Nom :", turned(120, 0, 160, 10)), ("MICHAUD", turned(0, 0, 100, 10))]
    m = OcrMetrics()
    m.add_page([TextLine("Nom : MICHAUD", 0.9, box(-2, -2, 162, 12))], gts)
    assert m.pairing.merges == 1
    assert m.recognition.char_errors == 0  # joined as "Nom : MICHAUD", not "MICHAUD Nom :"
