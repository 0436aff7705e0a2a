"""Re-reading a field's pixels against another document's value: CTC forced alignment, the real
recogniser on rendered lines, and the document-number check settling (or not) a disagreement."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import itertools
from typing import Any

import numpy as np
import pytest
from PIL import Image

from kyc_ocr.checks import cross, load_policy, run_checks
from kyc_ocr.checks.base import CheckContext
from kyc_ocr.checks.reread import RereadTable, planned_rereads
from kyc_ocr.domain import ExtractedDocument, Field, FieldSource, Reread, Status
from kyc_ocr.extract.reread import PixelRereader
from kyc_ocr.ocr.ctc import alignment_logp, greedy_text, text_cost
from kyc_ocr.synth import render_text_crop

AS_OF = dt.date(2026, 6, 30)
POLICY = load_policy()


# -- forced alignment ---------------------------------------------------------------------------

def _collapse(path: tuple[int, ...]) -> tuple[int, ...]:
    out = [c for i, c in enumerate(path) if c != 0 and (i == 0 or path[i - 1] != c)]
    return tuple(out)


@pytest.mark.parametrize("seed", range(5))
def test_alignment_is_the_best_path_spelling_the_labels(seed: int) -> None:
    rng = np.random.default_rng(seed)
    frames, classes = 6, 4
    logits = rng.normal(size=(frames, classes))
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    best: dict[tuple[int, ...], float] = {}
    for path in itertools.product(range(classes), repeat=frames):  # every path, brute force
        key = _collapse(path)
        score = float(sum(logp[t, c] for t, c in enumerate(path)))
        best[key] = max(best.get(key, -np.inf), score)
    for labels in [(1,), (2, 3), (1, 1), (3, 2, 1), (1, 2, 1, 2)]:
        assert alignment_logp(logp, labels) == pytest.approx(best.get(labels, -np.inf))
    assert alignment_logp(logp, (1, 2, 3, 1, 2, 3, 1)) == -np.inf  # needs more frames than there are
    charset = ["", "a", "b", "c"]
    assert text_cost(logp, greedy_text(logp, charset), charset) == pytest.approx(0.0, abs=1e-9)


# -- the real recogniser on rendered lines --------------------------------------------------------

def _page_with(text: str, turn: bool = False) -> tuple[bytes, tuple[float, float, float, float]]:
    crop = render_text_crop(text, family="dejavu-sans", size=30, seed=3, augment=False, margin=4).image
    page = np.full((200, 700, 3), 255, dtype=np.uint8)
    h, w = crop.shape[:2]
    page[80:80 + h, 100:100 + w] = crop
    box = (100.0, 80.0, 100.0 + w, 80.0 + h)
    if turn:  # the file as sent is upside down; extraction reports boxes in its pixels
        page = np.ascontiguousarray(page[::-1, ::-1])
        box = (700 - box[2], 200 - box[3], 700 - box[0], 200 - box[1])
    buf = io.BytesIO()
    Image.fromarray(page).save(buf, format="PNG")
    return buf.getvalue(), box


def _document(data: bytes, box: tuple[float, float, float, float], value: str, raw: str | None = None
              ) -> ExtractedDocument:
    field = Field("document_number", value, raw or value, 0.9, FieldSource.VISUAL, 1, box)
    return ExtractedDocument("form.png", hashlib.sha256(data).hexdigest(), "image/png", "application_form", None,
                             {"document_number": field})


@pytest.fixture(scope="module")
def engine():  # type: ignore[no-untyped-def]
    from kyc_ocr.ocr import get

    return get("onnx")


@pytest.mark.parametrize("turn", [False, True])
def test_crisp_line_supports_its_own_text_and_rejects_a_swap(engine, turn: bool) -> None:  # type: ignore[no-untyped-def]
    data, box = _page_with("Z09A2293H", turn)
    doc = _document(data, box, "Z09A2293H")
    reread = PixelRereader(engine, {doc.sha256: data})
    same = reread(doc, doc.fields["document_number"], "Z09A2293H")
    swapped = reread(doc, doc.fields["document_number"], "Z09A2239H")  # the generator's mismatch fault
    assert same is not None and swapped is not None
    assert same.read == "Z09A2293H" and same.cost < 0.5
    assert swapped.tested == "Z09A2239H" and swapped.cost > 10


def test_glued_label_is_kept_around_the_hypothesis(engine) -> None:  # type: ignore[no-untyped-def]
    data, box = _page_with("N°788545088866")
    doc = _document(data, box, "788545088866", raw="N°788545088866")
    found = PixelRereader(engine, {doc.sha256: data})(doc, doc.fields["document_number"], "788545088856")
    assert found is not None and found.tested.endswith("788545088856") and found.tested[0] == "N"
    assert found.cost > 6


def test_no_file_or_no_visual_reading_gives_no_reread(engine) -> None:  # type: ignore[no-untyped-def]
    data, box = _page_with("Z09A2293H")
    doc = _document(data, box, "Z09A2293H")
    assert PixelRereader(engine, {})(doc, doc.fields["document_number"], "Z09A2293H") is None
    layer = dataclasses.replace(doc.fields["document_number"], source=FieldSource.TEXT_LAYER)
    assert PixelRereader(engine, {doc.sha256: data})(doc, layer, "Z09A2293H") is None


def test_a_crop_that_no_longer_shows_the_first_reading_is_tested_whole(engine) -> None:  # type: ignore[no-untyped-def]
    # the page's OCR gave "Q7XK4" for this box (a blurred photo; the crop now reads what it prints): the
    # hypothesis is measured against the whole crop instead of not at all
    data, box = _page_with("Z09A2293H")
    doc = _document(data, box, "Q7XK4")
    found = PixelRereader(engine, {doc.sha256: data})(doc, doc.fields["document_number"], "Z09A2293H")
    assert found is not None and found.read == "Z09A2293H" and found.tested == "Z09A2293H" and found.cost < 0.5
    other = PixelRereader(engine, {doc.sha256: data})(doc, doc.fields["document_number"], "L898902C3")
    assert other is not None and other.cost > 20


# -- the check ------------------------------------------------------------------------------------

def _pair(id_source: FieldSource = FieldSource.VISUAL) -> tuple[ExtractedDocument, ExtractedDocument]:
    form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None,
                             {"document_number": Field("document_number", "Z09A229SH", "Z09A229SH", 0.8,
                                                       box=(1, 2, 3, 4))})
    card = ExtractedDocument("passport.png", "c" * 64, "image/png", "passport", None,
                             {"document_number": Field("document_number", "Z09A2293H", "Z09A2293H", 0.99,
                                                       id_source, box=(1, 2, 3, 4))})
    return form, card


def test_a_reread_within_the_policy_settles_the_number() -> None:
    form, card = _pair()
    table = RereadTable({(form.sha256, "document_number", "Z09A2293H"): Reread("Z09A229SH", "Z09A2293H", 2.8)})
    r = cross.document_number_matches_form([form, card], CheckContext(POLICY, AS_OF, reread=table))
    assert r.status is Status.PASS and r.score == 0.9
    assert r.evidence["compared"][0]["reread"]["cost"] == 2.8 and "2.8 nats" in r.detail


def test_an_unlikely_reread_or_none_leaves_the_mismatch() -> None:
    form, card = _pair()
    table = RereadTable({(form.sha256, "document_number", "Z09A2293H"): Reread("Z09A229SH", "Z09A2293H", 15.0)})
    assert cross.document_number_matches_form([form, card], CheckContext(POLICY, AS_OF, reread=table)
                                              ).status is Status.FAIL
    assert cross.document_number_matches_form([form, card], CheckContext(POLICY, AS_OF)).status is Status.FAIL
    off = POLICY.model_copy(update={"thresholds": POLICY.thresholds.model_copy(update={"reread_max_cost": 0.0})})
    cheap = RereadTable({(form.sha256, "document_number", "Z09A2293H"): Reread("Z09A229SH", "Z09A2293H", 0.0)})
    assert cross.document_number_matches_form([form, card], CheckContext(off, AS_OF, reread=cheap)
                                              ).status is Status.FAIL


def test_the_identity_side_is_reread_only_when_it_was_read_visually() -> None:
    form, card = _pair()
    assert [(d.source, h) for d, _, h in planned_rereads([form, card])] == [
        ("form.jpg", "Z09A2293H"), ("passport.png", "Z09A229SH")]
    form, mrz_card = _pair(FieldSource.MRZ)
    assert [(d.source, h) for d, _, h in planned_rereads([form, mrz_card])] == [("form.jpg", "Z09A2293H")]
    same = dataclasses.replace(form, fields={"document_number": dataclasses.replace(
        form.fields["document_number"], value="Z09A2293H")})
    assert planned_rereads([same, card]) == []
    # run_checks passes the table through to the check
    table = RereadTable({(card.sha256, "document_number", "Z09A229SH"): Reread("Z09A2293H", "Z09A229SH", 1.0)})
    results = {c.name: c for c in run_checks([form, card], policy=POLICY, as_of=AS_OF, reread=table)}
    assert results["document_number_matches_form"].status is Status.PASS


def _named(source: str, kind: str, surname: str, given: str, sha: str) -> ExtractedDocument:
    fields = {"surname": Field("surname", surname, surname, 0.8, box=(1, 2, 3, 4)),
              "given_names": Field("given_names", given, given, 0.9, box=(1, 2, 3, 4))}
    return ExtractedDocument(source, sha * 64, "image/jpeg", kind, None, fields)


def test_a_misread_surname_settled_by_a_reread_passes_same_person() -> None:
    passport = _named("passport.jpg", "passport", "JARGIŁO", "ADRIAN", "a")
    form = _named("form.jpg", "application_form", "Jargite", "Adrian", "b")
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([passport, form])]
    assert plan == [("passport.jpg", "surname", "JARGITE"), ("form.jpg", "surname", "Jargiło")]  # as each prints
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.same_person([passport, form], ctx).status is Status.FAIL
    cheap = RereadTable({(form.sha256, "surname", "Jargiło"): Reread("Jargite", "Jargiło", 3.1)})
    r = cross.same_person([passport, form], dataclasses.replace(ctx, reread=cheap))
    assert r.status is Status.PASS and "re-read" in r.detail
    compared = r.evidence["compared"][0]
    assert compared["read_score"] < 0.7 and compared["reread"][0]["cost"] == 3.1
    # over reread_max_cost (6) but within name_doubt_cost (20): not settled, not ruled out either
    doubtful = RereadTable({(form.sha256, "surname", "Jargiło"): Reread("Jargite", "Jargiło", 8.8)})
    r = cross.same_person([passport, form], dataclasses.replace(ctx, reread=doubtful))
    assert r.status is Status.WARN and r.evidence["reread_doubt"][0]["cost"] == 8.8
    assert "not enough to reject on" in r.detail and r.score < 0.7
    dear = RereadTable({(form.sha256, "surname", "Jargiło"): Reread("Jargite", "Jargiło", 20.5)})
    assert cross.same_person([passport, form], dataclasses.replace(ctx, reread=dear)).status is Status.FAIL


def test_a_doubtful_reread_of_one_name_field_does_not_excuse_another() -> None:
    passport = _named("passport.jpg", "passport", "JARGIŁO", "ADRIAN", "a")
    form = _named("form.jpg", "application_form", "Jargite", "Marek", "b")
    table = RereadTable({(form.sha256, "surname", "Jargiło"): Reread("Jargite", "Jargiło", 8.8),
                         (form.sha256, "given_names", "Adrian"): Reread("Marek", "Adrian", 60.0)})
    r = cross.same_person([passport, form], CheckContext(POLICY, AS_OF, reread=table))
    assert r.status is Status.FAIL and "reread_doubt" not in r.evidence


def test_a_name_read_with_low_confidence_cannot_reject() -> None:
    passport = _named("passport.jpg", "passport", "JESSEN", "ELLA", "a")
    form = _named("form.jpg", "application_form", "Jeset", "Ella", "b")
    faint = dataclasses.replace(form, fields={**form.fields, "surname": dataclasses.replace(
        form.fields["surname"], confidence=0.41)})
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.same_person([passport, form], ctx).status is Status.FAIL  # read surely: another name
    r = cross.same_person([passport, faint], ctx)
    assert r.status is Status.WARN and r.evidence["low_confidence_fields"] == ["surname"]
    assert "not enough to reject on" in r.detail


def test_any_marks_cost_is_never_above_the_best_accented_spelling() -> None:
    import itertools

    import numpy as np

    from kyc_ocr.ocr.ctc import text_cost

    charset = ["", "a", "á", "u", "ů", "ü", "R"]
    rng = np.random.default_rng(7)
    for _ in range(20):
        frames = rng.dirichlet(np.ones(len(charset)) * 0.3, size=9)
        logp = np.log(frames)
        spellings = ["".join(p) for p in itertools.product("R", "uůü", "aá")]
        best = min(text_cost(logp, s, charset) for s in spellings)
        free = text_cost(logp, "Rua", charset, any_marks=True)
        assert free <= best + 1e-9
        # with one accent per letter in the charset, it is exactly the plain cost
        assert text_cost(logp, "R", charset, any_marks=True) == text_cost(logp, "R", charset)


def test_any_marks_lets_a_hyphen_be_read_as_a_space() -> None:
    import numpy as np

    from kyc_ocr.ocr.ctc import text_cost

    charset = ["", "A", "B", "-", " "]
    onehot = np.full((3, 5), 1e-4)
    onehot[0, 1] = onehot[1, 4] = onehot[2, 2] = 1.0  # reads "A B"
    logp = np.log(onehot / onehot.sum(axis=1, keepdims=True))
    assert text_cost(logp, "A-B", charset) > 8.0
    assert text_cost(logp, "A-B", charset, any_marks=True) == 0.0


def test_a_birth_date_misread_on_one_document_is_settled_by_its_pixels() -> None:
    card = ExtractedDocument("id.png", "c" * 64, "image/png", "id_card", None, {
        "date_of_birth": Field("date_of_birth", "1986-03-09", "09.03.1986", 0.98, box=(1, 2, 3, 4))})
    form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None, {
        "date_of_birth": Field("date_of_birth", "1966-03-09", "09/03/1966", 0.81, box=(1, 2, 3, 4))})
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([card, form])]
    # each document's date tested as it prints dates: the form with slashes, the card with dots
    assert ("form.jpg", "date_of_birth", "09/03/1986") in plan and ("id.png", "date_of_birth", "09.03.1966") in plan
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.same_date_of_birth([card, form], ctx).status is Status.FAIL

    def table(cost: float) -> RereadTable:
        return RereadTable({(form.sha256, "date_of_birth", "09/03/1986"): Reread("09/03/1966", "09/03/1986", cost)})

    r = cross.same_date_of_birth([card, form], dataclasses.replace(ctx, reread=table(1.2)))
    assert r.status is Status.PASS and r.evidence["reread"][0]["tested"] == "09/03/1986" and "1986-03-09" in r.detail
    assert cross.same_date_of_birth([card, form], dataclasses.replace(ctx, reread=table(8.0))).status is Status.FAIL


def test_a_reference_name_read_with_low_confidence_cannot_reject_either() -> None:
    passport = _named("passport.jpg", "passport", "CANO", "MARTA", "a")  # the reference: a passport photo
    stmt = _named("stmt.jpg", "application_form", "Cano", "Anna", "b")
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.same_person([passport, stmt], ctx).status is Status.FAIL  # read surely: another name
    faint = dataclasses.replace(passport, fields={**passport.fields, "given_names": dataclasses.replace(
        passport.fields["given_names"], confidence=0.56)})
    r = cross.same_person([faint, stmt], ctx)
    assert r.status is Status.WARN and r.evidence["low_confidence_reference_fields"] == ["given_names"]
    assert "passport.jpg's given_names read with confidence under 0.6" in r.detail


# -- proof-of-address dates and multi-line addresses, re-read ----------------------------------------

def _bill(raw: str, value: str) -> ExtractedDocument:
    return ExtractedDocument("bill.jpg", "b" * 64, "image/jpeg", "utility_bill", None,
                             {"statement_date": Field("statement_date", value, raw, 0.84, box=(1, 2, 3, 4))})


def test_a_proof_date_read_in_the_future_is_settled_by_its_pixels() -> None:
    # a photo's "16/04/2026" read "16/04/2028": the planner tests the dates of the year before as_of one or two
    # digits away; 2026-04-16 is 75 days before 2026-06-30 (14 + 31 + 30), within the 90-day limit
    bill = _bill("16/04/2028", "2028-04-16")
    planned = [h for _, _, h in planned_rereads([bill], AS_OF)]
    assert planned[0] == "16/04/2026" and "16/04/2028" not in planned
    assert planned_rereads([bill]) == []  # no verification date, no date hypotheses
    table = RereadTable({(bill.sha256, "statement_date", "16/04/2026"): Reread("16/04/2028", "16/04/2026", 0.8)})
    r = cross.proof_of_address_recent([bill], CheckContext(POLICY, AS_OF, reread=table))
    assert r.status is Status.PASS and r.evidence["proofs"][0]["age_days"] == 75
    assert r.evidence["proofs"][0]["reread"]["cost"] == 0.8 and "re-read as '16/04/2026'" in r.detail
    dear = RereadTable({(bill.sha256, "statement_date", "16/04/2026"): Reread("16/04/2028", "16/04/2026", 9.0)})
    assert cross.proof_of_address_recent([bill], CheckContext(POLICY, AS_OF, reread=dear)).status is Status.FAIL


def test_an_old_proof_is_not_made_recent_by_a_date_its_pixels_do_not_give() -> None:
    # 2026-01-10 is 171 days old (21 + 28 + 31 + 30 + 31 + 30); 10/04/2026 (81 days: 20 + 31 + 30) is one digit
    # away, but the crisp pixels say "1"
    bill = _bill("10/01/2026", "2026-01-10")
    assert "10/04/2026" in [h for _, _, h in planned_rereads([bill], AS_OF)]
    table = RereadTable({(bill.sha256, "statement_date", "10/04/2026"): Reread("10/01/2026", "10/04/2026", 17.0)})
    r = cross.proof_of_address_recent([bill], CheckContext(POLICY, AS_OF, reread=table))
    assert r.status is Status.FAIL and r.evidence["proofs"][0]["age_days"] == 171



def test_an_issue_date_read_in_the_future_is_settled_or_doubted_by_its_pixels() -> None:
    # a residence permit photo read its issue date "23/06/2102"; its MRZ gives the expiry 2027-03-22. The planner
    # tests the dates of the 20 years up to the verification date one or two digits away ("23/06/2022": two)
    from kyc_ocr.checks.document import issue_before_expiry

    issue = Field("date_of_issue", "2102-06-23", "23/06/2102", 0.63, FieldSource.VISUAL, 1, (800, 330, 920, 370))
    expiry = Field("date_of_expiry", "2027-03-22", "2027-03-22", 0.99, FieldSource.MRZ)
    permit = ExtractedDocument("permit.jpg", "a" * 64, "image/jpeg", "residence_permit", None,
                               {"date_of_issue": issue, "date_of_expiry": expiry})
    planned = [h for d, f, h in planned_rereads([permit], AS_OF) if f.name == "date_of_issue"]
    assert "23/06/2022" in planned and "23/06/2102" not in planned and "23/06/2002" not in planned  # 24 years back

    def check(cost: float) -> Any:
        table = RereadTable({(permit.sha256, "date_of_issue", "23/06/2022"): Reread("2508/2102", "23/06/2022", cost)})
        return issue_before_expiry(permit, CheckContext(POLICY, AS_OF, reread=table))

    settled = check(2.0)
    assert settled.status is Status.PASS and settled.evidence["reread"]["tested"] == "23/06/2022"
    assert "issued 2022-06-23" in settled.detail
    doubt = check(6.55)  # over reread_max_cost (6), within reread_doubt_cost (12): a misread, a person may look
    assert doubt.status is Status.WARN and doubt.evidence["reread_doubt"]["cost"] == 6.55
    assert check(15.0).status is Status.FAIL  # the pixels say 2102
    assert issue_before_expiry(permit, CheckContext(POLICY, AS_OF)).status is Status.FAIL  # nothing re-read


def _licence() -> tuple[ExtractedDocument, ExtractedDocument]:
    from kyc_ocr.domain import Page, TextLine, quad_from_box

    # a licence photo (synthetic, seed 8675309) read "6029 ... 846" / "GA"; its barcode gives the address
    lines = (TextLine("6029 SHELLEY LODGE SUITE 846", 0.78, quad_from_box((522, 334, 867, 394))),
             TextLine("EAST ANTHONY,GA 90162", 0.78, quad_from_box((524, 366, 804, 419))))
    address = Field("address", "6029 SHELLEY LODGE SUITE 846, EAST ANTHONY, GA 90162",
                    "6029 SHELLEY LODGE SUITE 846\nEAST ANTHONY,GA 90162", 0.78, box=(522, 330, 870, 422))
    front = ExtractedDocument("front.jpg", "f" * 64, "image/jpeg", "driver_license", _side("front"),
                              {"address": address}, pages=(Page("front.jpg", 1, 1000, 630, lines),))
    back = ExtractedDocument("back.jpg", "d" * 64, "image/jpeg", "driver_license", _side("back"), {
        "address": Field("address", "0023 SHELLEY LODGE SUITE 848, EAST ANTHONY, CA 90162", "", 0.94,
                         FieldSource.BARCODE)})
    return front, back


def _side(side: str) -> Any:
    from kyc_ocr.domain import TemplateMatch

    return TemplateMatch(f"usa-driver-license-{side}", "1.0", "driver_license", 1.0, "", "USA", side)


def test_a_multi_line_address_is_reread_line_by_line() -> None:
    front, back = _licence()
    plan = [(f.name, h) for _, f, h in planned_rereads([front, back])]
    assert plan == [("address line 1", "0023 SHELLEY LODGE SUITE 848"), ("address line 2", "EAST ANTHONY, CA 90162")]

    def barcode_check(table: RereadTable | None) -> Any:
        results = run_checks([front, back], policy=POLICY, as_of=AS_OF, reread=table)
        return next(r for r in results if r.name == "barcode_matches_visual")

    assert barcode_check(None).status is Status.FAIL
    costs = {"address line 1": 4.1, "address line 2": 2.8}
    table = RereadTable({(front.sha256, name, h): Reread("", h, costs[name]) for name, h in plan})
    r = barcode_check(table)
    assert r.status is Status.PASS and r.evidence["fields"]["address"]["reread"]["cost"] == 6.9
    # each line is held to the threshold (6 nats): one line over it leaves the mismatch
    over = RereadTable({**table.entries, (front.sha256, "address line 2", plan[1][1]): Reread("", "", 6.5)})
    assert barcode_check(over).status is Status.FAIL


# -- printed fields against the card's machine-readable zones ------------------------------------------

def _licence_pair(issue_raw: str = "12/10/2121") -> tuple[ExtractedDocument, ExtractedDocument]:
    # a blurred licence photo read "12/10/2121" for "12/10/2021"; the back's barcode gives 2021-12-10
    front = ExtractedDocument("front.jpg", "f" * 64, "image/jpeg", "driver_license", _side("front"), {
        "date_of_issue": Field("date_of_issue", "2121-12-10", issue_raw, 0.78, box=(1, 2, 3, 4)),
        "date_of_expiry": Field("date_of_expiry", "2026-12-09", "12/09/2026", 0.85, box=(1, 2, 3, 4))})
    back = ExtractedDocument("back.jpg", "d" * 64, "image/jpeg", "driver_license", _side("back"), {
        "date_of_issue": Field("date_of_issue", "2021-12-10", "", 0.99, FieldSource.BARCODE),
        "date_of_expiry": Field("date_of_expiry", "2026-12-09", "", 0.99, FieldSource.BARCODE)})
    return front, back


def test_a_printed_date_is_settled_by_the_barcode_when_its_pixels_agree() -> None:
    front, back = _licence_pair()
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([front, back], AS_OF)]
    assert ("front.jpg", "date_of_issue", "12/10/2021") in plan
    assert planned_rereads([front, back]) == []  # planned with the verification date only

    def checks(cost: float) -> dict[str, Any]:
        table = RereadTable({(front.sha256, "date_of_issue", "12/10/2021"): Reread("12/10/2121", "12/10/2021", cost)})
        results = run_checks([front, back], policy=POLICY, as_of=AS_OF, reread=table)
        # the front's own checks (the back carries barcode dates of its own)
        return {c.name: c for c in results if c.name == "barcode_matches_visual" or c.detail.startswith("front.jpg")}

    settled = checks(2.0)
    assert settled["issue_before_expiry"].status is Status.PASS
    entry = settled["barcode_matches_visual"].evidence["fields"]["date_of_issue"]
    assert entry["outcome"] == "match" and entry["reread"]["cost"] == 2.0 and entry["reread"]["was"] == "2121-12-10"
    doubt = checks(9.0)  # over reread_max_cost (6), within reread_doubt_cost (12): a person looks
    assert doubt["issue_before_expiry"].status is Status.WARN and doubt["barcode_matches_visual"].status is Status.WARN
    crisp = checks(15.0)  # the pixels say 2121: the disagreement stands
    assert crisp["issue_before_expiry"].status is Status.FAIL and crisp["barcode_matches_visual"].status is Status.FAIL


def _addressed(source: str, kind: str, lines: tuple[str, str]) -> ExtractedDocument:
    from kyc_ocr.domain import Page, TextLine, quad_from_box

    rows = tuple(TextLine(t, 0.9, quad_from_box((100, 300 + 40 * i, 500, 330 + 40 * i))) for i, t in enumerate(lines))
    address = Field("address", ", ".join(lines), "\n".join(lines), 0.9, box=(95, 295, 505, 375))
    return ExtractedDocument(source, hashlib.sha256(source.encode()).hexdigest(), "image/jpeg", kind, None,
                             {"address": address}, pages=(Page(source, 1, 1000, 1400, rows),))


def test_two_addresses_misread_in_different_places_are_settled_by_what_both_pixels_give() -> None:
    # a form photo read "20399 Saiint Benjamin", a bill photo "20390 Saint Benjamin" (both print 20399 Saint)
    form = _addressed("form.jpg", "application_form", ("84, rue de Bouvier", "20399 Saiint Benjamin"))
    bill = _addressed("bill.jpg", "utility_bill", ("84, rue de Bouvier", "20390 Saint Benjamin"))
    plan = {(d.source, f.name, h) for d, f, h in planned_rereads([form, bill])}
    assert ("form.jpg", "address line 2", "20399 Saint Benjamin") in plan
    assert ("bill.jpg", "address line 2", "20399 Saint Benjamin") in plan
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.address_matches_proof([form, bill], ctx).status is not Status.PASS
    costs = {("form.jpg", "20399 Saint Benjamin"): 1.2, ("bill.jpg", "20399 Saint Benjamin"): 2.3}
    table = RereadTable({(d.sha256, "address line 2", h): Reread("", h, costs.get((d.source, h), 15.0))
                         for d in (form, bill) for h in ("20399 Saint Benjamin", "20390 Saiint Benjamin",
                                                          "20390 Saint Benjamin", "20399 Saiint Benjamin")})
    r = cross.address_matches_proof([form, bill], dataclasses.replace(ctx, reread=table))
    assert r.status is Status.PASS and r.evidence["reread"]["blend"] == "84, rue de Bouvier, 20399 Saint Benjamin"
    assert r.evidence["reread"]["cost"] == 3.5
    # the bill's pixels do not give it (a different postcode really printed): no settling
    costs[("bill.jpg", "20399 Saint Benjamin")] = 9.0
    table = RereadTable({(d.sha256, "address line 2", h): Reread("", h, costs.get((d.source, h), 15.0))
                         for d in (form, bill) for h in ("20399 Saint Benjamin", "20390 Saiint Benjamin",
                                                          "20390 Saint Benjamin", "20399 Saiint Benjamin")})
    r = cross.address_matches_proof([form, bill], dataclasses.replace(ctx, reread=table))
    assert r.status is not Status.PASS
    # ... and the evidence shows what each line's pixels gave against the other document's address
    tried = {(t["source"], t["line"], t["tested"]): t["cost"] for t in r.evidence["reread_tried"]["lines"]}
    assert tried == {("form.jpg", "address line 2", "20390 Saint Benjamin"): 15.0,
                     ("bill.jpg", "address line 2", "20399 Saiint Benjamin"): 15.0}
    assert r.evidence["reread_tried"]["max_cost_per_line"] == POLICY.thresholds.reread_max_cost
    assert "reread_tried" not in cross.address_matches_proof([form, form], ctx).evidence


def test_a_one_letter_sex_read_otherwise_is_settled_by_a_reread() -> None:
    form = _named("form.jpg", "application_form", "Moreau", "Paul", "b")
    form.fields["sex"] = Field("sex", "X", "X", 0.62, FieldSource.VISUAL, 1, (1, 2, 3, 4))
    card = _named("id.png", "id_card", "MOREAU", "PAUL", "a")
    card.fields["sex"] = Field("sex", "M", "M", 0.95, FieldSource.VISUAL, 1, (1, 2, 3, 4))
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([card, form]) if f.name == "sex"]
    assert plan == [("id.png", "sex", "X"), ("form.jpg", "sex", "M")]
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.sex_consistent([card, form], ctx).status is Status.FAIL
    cheap = RereadTable({(form.sha256, "sex", "M"): Reread("X", "M", 2.0), (card.sha256, "sex", "X"): Reread("M", "X", 30.0)})
    r = cross.sex_consistent([card, form], dataclasses.replace(ctx, reread=cheap))
    assert r.status is Status.PASS and r.evidence["reread"][0]["cost"] == 2.0
    dear = RereadTable({(form.sha256, "sex", "M"): Reread("X", "M", 6.3), (card.sha256, "sex", "X"): Reread("M", "X", 30.0)})
    assert cross.sex_consistent([card, form], dataclasses.replace(ctx, reread=dear)).status is Status.FAIL


def test_the_references_own_misread_part_is_re_read_against_a_one_line_name() -> None:
    # an ID card photo read its surname "NomLE MUNOZ" (the "Nom" label glued on); the statement names
    # "Bernadette Le Munoz": the ID's pixels give "Le MUNOZ" at 12.5 nats, within the names' doubt band
    card = _named("id.jpg", "id_card", "NomLE MUNOZ", "Bernadette", "a")
    statement = ExtractedDocument("stmt.png", "s" * 64, "image/png", "bank_statement", None,
                                  {"full_name": Field("full_name", "Bernadette Le Munoz", "Bernadette Le Munoz", 0.95,
                                                      box=(1, 2, 3, 4))})
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([card, statement])]
    assert ("id.jpg", "surname", "Le MUNOZ") in plan
    ctx = CheckContext(POLICY, AS_OF)
    assert cross.same_person([card, statement], ctx).status is Status.FAIL
    doubt = RereadTable({(card.sha256, "surname", "Le MUNOZ"): Reread("NomLE MUNOZ", "Le MUNOZ", 12.5)})
    r = cross.same_person([card, statement], dataclasses.replace(ctx, reread=doubt))
    assert r.status is Status.WARN and r.evidence["compared"][0]["reread_doubt"][0]["field"] == "surname"
    sure = RereadTable({(card.sha256, "surname", "Le MUNOZ"): Reread("NomLE MUNOZ", "Le MUNOZ", 3.0)})
    assert cross.same_person([card, statement], dataclasses.replace(ctx, reread=sure)).status is Status.PASS


def test_a_sex_read_unsurely_against_two_sure_readings_is_only_a_warning() -> None:
    front = _named("front.pdf", "driver_license", "NEWTON", "BILLY", "a")
    front.fields["sex"] = Field("sex", "F", "F", 0.99, FieldSource.VISUAL, 1, (1, 2, 3, 4))
    back = _named("back.pdf", "driver_license", "NEWTON", "BILLY", "c")
    back.fields["sex"] = Field("sex", "F", "F", 0.99, FieldSource.BARCODE)
    form = _named("form.jpg", "application_form", "Newton", "Billy", "b")
    form.fields["sex"] = Field("sex", "X", "X", 0.55, FieldSource.VISUAL, 1, (1, 2, 3, 4))
    ctx = CheckContext(POLICY, AS_OF)
    r = cross.sex_consistent([front, back, form], ctx)
    assert r.status is Status.WARN and r.evidence["low_confidence_documents"] == ["form.jpg"]
    form.fields["sex"] = Field("sex", "X", "X", 0.8, FieldSource.VISUAL, 1, (1, 2, 3, 4))  # read surely: a difference
    assert cross.sex_consistent([front, back, form], ctx).status is Status.FAIL
    form.fields["sex"] = Field("sex", "X", "X", 0.55, FieldSource.VISUAL, 1, (1, 2, 3, 4))
    assert cross.sex_consistent([front, form], ctx).status is Status.FAIL  # one against one: no majority to trust


def test_look_alike_numbers_settle_within_the_doubt_band_and_others_do_not() -> None:
    # a form photo read "Y56814339" where the ID card prints "YS6814339" (measured: 6.5 nats): S/5 is OCR's
    # slip far more often than the customer's, so a re-read short of the doubt band (12) settles it
    form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None,
                             {"document_number": Field("document_number", "Y56814339", "Y56814339", 0.93,
                                                       box=(1, 2, 3, 4))})
    card = ExtractedDocument("id.png", "c" * 64, "image/png", "id_card", None,
                             {"document_number": Field("document_number", "YS6814339", "YS6814339", 0.99,
                                                       FieldSource.MRZ, box=(1, 2, 3, 4))})

    def check(cost: float, form_doc: ExtractedDocument = form) -> Status:
        value = card.value("document_number") or ""
        table = RereadTable({(form_doc.sha256, "document_number", value): Reread("x", value, cost)})
        return cross.document_number_matches_form([form_doc, card], CheckContext(POLICY, AS_OF, reread=table)).status

    assert check(6.5) is Status.PASS and check(15.0) is Status.WARN
    # the same cost does not settle a difference that is no look-alike (7 for 1), nor two look-alikes swapped
    other = dataclasses.replace(form, fields={"document_number": dataclasses.replace(
        form.fields["document_number"], value="YS6874339")})
    swapped = dataclasses.replace(form, fields={"document_number": dataclasses.replace(
        form.fields["document_number"], value="Y5S814339")})
    assert check(6.5, other) is Status.FAIL and check(6.5, swapped) is Status.FAIL


def test_an_impossible_date_is_repaired_only_when_its_pixels_clearly_give_one_repair(engine) -> None:  # type: ignore[no-untyped-def]
    # OCR read the expiry "05.41.2033" (measured on an ID card photo: no month 41); the pixels print 05.11.2033
    from kyc_ocr.checks.dates import possible_readings
    from kyc_ocr.domain import PageImage
    from kyc_ocr.extract.document import Evidence, _repaired_date
    from kyc_ocr.extract.locators import Candidate
    from kyc_ocr.extract.reread import cheapest_reading
    from kyc_ocr.templates import builtin_templates

    data, box = _page_with("05.11.2033")
    image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    found = cheapest_reading(engine, image, box, "05.41.2033", possible_readings("05.41.2033", "05.41.2033"))
    assert found is not None and found[0] == "05.11.2033" and found[1] < 2.0
    template = builtin_templates().get("xfr-id-card")
    spec = next(s for s in template.fields if s.name == "date_of_expiry")
    ev = Evidence([], [PageImage(image, "id.png", 1)], None, engine)
    repaired = _repaired_date(spec, template, Candidate("05.41.2033", 0.77, box, 1), ev)
    assert repaired is not None and repaired.value == "2033-11-05" and repaired.raw == "05.41.2033"
    assert repaired.confidence < 0.77
    # no engine, or pixels that give none of the repairs clearly: no value is guessed
    assert _repaired_date(spec, template, Candidate("05.41.2033", 0.77, box, 1), Evidence([], ev.images)) is None
    data, box = _page_with("31.04.2033")  # printed impossible: 01.04, 30.04 and 31.01... all cost alike
    image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    ev = Evidence([], [PageImage(image, "id.png", 1)], None, engine)
    assert _repaired_date(spec, template, Candidate("31.04.2033", 0.9, box, 1), ev) is None


@pytest.mark.parametrize(("read", "value", "hypothesis", "tested"), [
    # a re-read with one character more than the first reading: the whole number is replaced, none left behind
    ("P9J1W4884L", "P9JW48S4L", "P9JW4884L", "P9JW4884L"),
    ("Nr. P9J1W4884L", "P9JW48S4L", "P9JW4884L", "Nr. P9JW4884L"),
    # ... and one character fewer
    ("P9W48S4L", "P9JW48S4L", "P9JW4884L", "P9JW4884L"),
])
def test_the_hypothesis_replaces_exactly_the_part_that_shows_the_value(read: str, value: str, hypothesis: str,
                                                                         tested: str) -> None:
    from kyc_ocr.extract.reread import in_context

    assert in_context(read, value, hypothesis) == tested


def test_a_form_name_doubted_against_a_surname_only_reference_is_a_warn_not_a_reject() -> None:
    # a licence front photo read as a generic ID card gave only its surname; a form photo read the holder's name
    # "Robent John Caeron Reynokk-Mnnoe", its surname's pixels 19 nats from "Reynolds-Munoz" (within name_doubt_cost).
    # The form's given names have nothing on the licence to be compared with: only its surname is re-read
    licence = ExtractedDocument("dl.jpg", "d" * 64, "image/jpeg", "id_card", None,
                                {"surname": Field("surname", "REYNOLDS-MUNOZ", "REYNOLDS-MUNOZ", 0.95, box=(1, 2, 3, 4))})
    form = _named("form.jpg", "application_form", "Reynokk-Mnnoe", "Robent John Caeron", "f")
    plan = [(d.source, f.name, h) for d, f, h in planned_rereads([licence, form])]
    assert ("form.jpg", "surname", "Reynolds-Munoz") in plan
    assert not any(source == "form.jpg" and name == "given_names" for source, name, _ in plan)
    table = RereadTable({(form.sha256, "surname", "Reynolds-Munoz"): Reread("ReywotA-MonMe", "Reynolds-Munoz", 19.1),
                         (licence.sha256, "surname", "REYNOKK-MNNOE"): Reread("REYNOLDS-MUNOZ", "REYNOKK-MNNOE", 75.8)})
    r = cross.same_person([licence, form], CheckContext(POLICY, AS_OF, reread=table))
    assert r.status is Status.WARN and r.evidence["reread_doubt"][0]["cost"] == 19.1
    assert cross.same_person([licence, form], CheckContext(POLICY, AS_OF)).status is Status.FAIL  # nothing re-read
