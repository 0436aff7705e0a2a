"""In-document checks on hand-made documents; every expected value is worked out by hand below.

The ICAO 9303 Part 4 specimen passport (Anna Maria Eriksson, Utopia) is the base:
    P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
    L898902C36UTO7408122F1204159ZE184226B<<<<<10
Check digits by the 7-3-1 rule: L898902C3 -> 21*7+8*3+9+8*7+9*3+0+2*7+12*3+3 = 316 -> 6;
740812 -> 49+12+0+56+3+2 = 122 -> 2; 120415 -> 7+6+0+28+3+5 = 49 -> 9.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib

import pytest

from kyc_ocr.checks import document, load_policy
from kyc_ocr.checks.base import CheckContext
from kyc_ocr.domain import ExtractedDocument, Field, FieldSource, Status, TemplateMatch
from kyc_ocr.extract.mrz_build import build_mrz

AS_OF = dt.date(2026, 6, 30)
SPECIMEN = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
POLICY = load_policy()


def fld(name: str, value: str, conf: float = 0.99, source: FieldSource = FieldSource.VISUAL) -> Field:
    return Field(name, value, value, conf, source, 1, (10.0, 20.0, 110.0, 40.0))


def mkdoc(source: str, kind: str, values: dict[str, str], template: str | None = None,
          extra: tuple[Field, ...] = ()) -> ExtractedDocument:
    fields = {k: fld(k, v, source=FieldSource.MRZ if k == "mrz" else FieldSource.VISUAL) for k, v in values.items()}
    fields.update({f.name: f for f in extra})
    match = TemplateMatch(template, "1", kind, 0.9, "test") if template else None
    return ExtractedDocument(source, hashlib.sha256(source.encode()).hexdigest(), "image/png", kind, match, fields)


def passport(**over: str) -> ExtractedDocument:
    values = {"surname": "Eriksson", "given_names": "Anna María", "document_number": "L898902C3",
              "nationality": "UTO", "date_of_birth": "1974-08-12", "sex": "F", "date_of_expiry": "2012-04-15",
              "issuing_country": "UTO", "mrz": SPECIMEN}
    values.update(over)
    return mkdoc("passport.png", "passport", values, template="uto-passport-td3")


CTX = CheckContext(POLICY, AS_OF, POLICY.number_patterns)


def test_mrz_check_digits_specimen_passes() -> None:
    r = document.mrz_check_digits(passport(), CTX)
    assert r.status is Status.PASS and r.score == 1.0
    assert r.evidence["checks"] == {"document_number": True, "date_of_birth": True, "date_of_expiry": True,
                                    "personal_number": True, "composite": True}
    assert r.evidence["document"]["sha256"] == hashlib.sha256(b"passport.png").hexdigest()[:12]


def test_mrz_check_digits_names_the_failing_digit() -> None:
    # Composite digit 0 replaced by 1: only the composite fails, at line 2 position 44.
    r = document.mrz_check_digits(passport(mrz=SPECIMEN[:-1] + "1"), CTX)
    assert r.status is Status.FAIL
    assert r.evidence["failing"] == [{"check": "composite", "line": 2, "position": 44, "found": "1", "expected": "0"}]
    assert r.score == pytest.approx(4 / 5)
    assert "composite digit (line 2, position 44) is '1', expected '0'" in r.detail


def test_mrz_birth_digit_wrong_breaks_two_checks() -> None:
    # DOB check digit 2 -> 3 (line 2 position 20). It has weight 3 in the composite (its index there
    # is 10 + 6 = 16, 16 % 3 == 1), so the composite sum rises by 3: expected composite becomes 3.
    line2 = "L898902C36UTO7408123F1204159ZE184226B<<<<<10"
    r = document.mrz_check_digits(passport(mrz=SPECIMEN.split("\n")[0] + "\n" + line2), CTX)
    failing = {d["check"]: (d["position"], d["found"], d["expected"]) for d in r.evidence["failing"]}
    assert failing == {"date_of_birth": (20, "3", "2"), "composite": (44, "0", "3")}


def test_mrz_unreadable_is_a_warning_not_a_crash() -> None:
    # nothing read to check is a question for a person (REVIEW under the default policy), not a tampered digit
    r = document.mrz_check_digits(passport(mrz="HELLO WORLD"), CTX)
    assert r.status is Status.WARN and "not a readable MRZ" in r.detail
    assert CTX.policy.action("mrz_check_digits", Status.WARN) == "review"


def test_mrz_matches_visual_specimen() -> None:
    r = document.mrz_matches_visual(passport(), CTX)
    assert r.status is Status.PASS, r.detail
    assert set(r.evidence["fields"]) == {"surname", "given_names", "document_number", "date_of_birth",
                                         "date_of_expiry", "sex", "nationality", "issuing_country"}


def test_mrz_matches_visual_flags_changed_birth_date() -> None:
    r = document.mrz_matches_visual(passport(date_of_birth="1974-08-21"), CTX)
    assert r.status is Status.FAIL
    assert r.evidence["fields"]["date_of_birth"]["outcome"] == "mismatch"
    assert "date_of_birth" in r.detail


def test_a_mismatch_read_under_the_confidence_floor_is_only_a_warning() -> None:
    # a garbled label read as the surname ("Nomibres", confidence 0.52 under min_field_confidence 0.6) proves nothing
    doc = passport(surname="Nomibres")
    faint = dataclasses.replace(doc, fields={**doc.fields, "surname": dataclasses.replace(doc.fields["surname"],
                                                                                           confidence=0.52)})
    r = document.mrz_matches_visual(faint, CTX)
    assert r.status is Status.WARN and r.evidence["low_confidence_fields"] == ["surname"]
    assert document.mrz_matches_visual(doc, CTX).status is Status.FAIL  # read surely (0.97): a mismatch


def test_mrz_matches_visual_icao_transliteration_and_truncation() -> None:
    # ICAO 9303 Part 3 4.6: given names cut from the end; the field ends in a letter ("K").
    mrz = build_mrz("TD3", document_code="P", issuing_country="UTO", surname="Nilavadhanananda",
                    given_names="Chayapa Dejthamrong Krasuang", document_number="X1234567", nationality="UTO",
                    date_of_birth="1990-01-31", sex="M", date_of_expiry="2030-01-30")
    assert mrz.split("\n")[0].endswith("DEJTHAMRONG<K")
    doc = passport(surname="Nilavadhanananda", given_names="Chayapa Dejthamrong Krasuang",
                   document_number="X1234567", date_of_birth="1990-01-31", sex="M", date_of_expiry="2030-01-30",
                   mrz=mrz)
    r = document.mrz_matches_visual(doc, CTX)
    assert r.status is Status.PASS, r.detail
    assert r.evidence["fields"]["given_names"]["note"] == "MRZ name truncated"
    # Müller on the visual zone, MUELLER in the MRZ (ICAO Ü -> UE).
    mrz = build_mrz("TD3", document_code="P", issuing_country="D", surname="Müller", given_names="Jürgen",
                    document_number="C01X00T47", nationality="D", date_of_birth="1964-08-12", sex="M",
                    date_of_expiry="2030-10-31")
    assert mrz.startswith("P<D<<MUELLER<<JUERGEN")
    doc = passport(surname="Müller", given_names="Jürgen", document_number="C01X00T47", nationality="DEU",
                   issuing_country="DEU", date_of_birth="1964-08-12", sex="M", date_of_expiry="2030-10-31", mrz=mrz)
    r = document.mrz_matches_visual(doc, CTX)
    assert r.status is Status.PASS, r.detail


def test_mrz_matches_visual_ocr_slip_in_name_is_warn() -> None:
    r = document.mrz_matches_visual(passport(surname="Erikssen"), CTX)
    assert r.status is Status.WARN and r.evidence["fields"]["surname"]["outcome"] == "near"


def test_barcode_matches_visual_across_sides() -> None:
    front = mkdoc("dl-front.png", "driver_license", {"surname": "Smith", "given_names": "John Paul",
                                                      "date_of_birth": "1990-03-04", "document_number": "D1234567"})
    bar = (FieldSource.BARCODE,)
    back_fields = tuple(fld(n, v, source=bar[0]) for n, v in (("surname", "SMITH"), ("given_names", "JOHN PAUL"),
                        ("date_of_birth", "1990-03-04"), ("document_number", "D1234567")))
    back = mkdoc("dl-back.png", "driver_license", {}, extra=back_fields)
    r = document.barcode_matches_visual(back, CTX, (front, back))
    assert r.status is Status.PASS, r.detail
    assert r.evidence["fields"]["surname"]["visual_document"]["source"] == "dl-front.png"
    tampered = mkdoc("dl-back.png", "driver_license", {},
                     extra=(*back_fields[:2], fld("date_of_birth", "1991-03-04", source=bar[0]), back_fields[3]))
    r = document.barcode_matches_visual(tampered, CTX, (front, tampered))
    assert r.status is Status.FAIL and "date_of_birth" in r.detail


def test_barcode_without_visual_counterpart_is_skip() -> None:
    back = mkdoc("dl-back.png", "driver_license", {},
                 extra=(fld("surname", "SMITH", source=FieldSource.BARCODE),))
    assert document.barcode_matches_visual(back, CTX, (back,)).status is Status.SKIP


def test_expiry() -> None:
    # 2012-04-15 -> 2026-04-15 is 14 years with 3 leap days (29 Feb 2016, 2020, 2024; 2012's is
    # before April) = 14 * 365 + 3 = 5113 days; then 15 + 31 + 30 = 76 days to 2026-06-30: 5189.
    r = document.document_not_expired(passport(), CTX)
    assert r.status is Status.FAIL and r.evidence["days_left"] == -5189
    assert document.document_not_expired(passport(date_of_expiry="2026-06-30"), CTX).status is Status.PASS
    assert document.document_not_expired(passport(date_of_expiry="2026-06-29"), CTX).status is Status.FAIL


def test_issue_before_expiry() -> None:
    ok = passport(date_of_issue="2016-04-16", date_of_expiry="2026-04-15")
    assert document.issue_before_expiry(ok, CTX).status is Status.PASS
    after = passport(date_of_issue="2027-01-01", date_of_expiry="2026-04-15")
    assert document.issue_before_expiry(after, CTX).status is Status.FAIL
    future = passport(date_of_issue="2026-07-01", date_of_expiry="2036-06-30")
    r = document.issue_before_expiry(future, CTX)
    assert r.status is Status.FAIL and "after the verification date" in r.detail
    assert document.issue_before_expiry(passport(), CTX).status is Status.SKIP  # no date_of_issue


def test_minimum_age() -> None:
    # 1974-08-12 at 2026-06-30: 2026 - 1974 = 52, birthday (08-12) not reached yet -> 51.
    r = document.minimum_age(passport(), CTX)
    assert r.status is Status.PASS and r.evidence["age"] == 51 and r.evidence["min_age"] == 18
    assert document.minimum_age(passport(date_of_birth="2008-06-30"), CTX).evidence["age"] == 18
    r = document.minimum_age(passport(date_of_birth="2008-07-01"), CTX)
    assert r.status is Status.FAIL and r.evidence["age"] == 17


def test_document_number_format() -> None:
    assert document.document_number_format(passport(), CTX).status is Status.PASS
    r = document.document_number_format(passport(document_number="L89-8902C3X"), CTX)
    assert r.status is Status.FAIL and r.evidence["normalized"] == "L898902C3X"  # 10 chars, pattern allows 8-9
    custom = CheckContext(POLICY, AS_OF, {"uto-passport-td3": r"[A-Z]\d{8}"})
    assert document.document_number_format(passport(), custom).status is Status.FAIL  # C at position 8
    no_template = mkdoc("x.png", "passport", {"document_number": "123"})
    assert document.document_number_format(no_template, CTX).status is Status.SKIP


def test_required_fields() -> None:
    assert document.required_fields(passport(), CTX).status is Status.PASS
    doc = passport()
    missing = ExtractedDocument(doc.source, doc.sha256, doc.media_type, doc.document_type, doc.template,
                                {k: v for k, v in doc.fields.items() if k != "mrz"})
    r = document.required_fields(missing, CTX)
    assert r.status is Status.FAIL and r.evidence["missing"] == ["mrz"]
    # read unsurely, and nothing else says so: a person looks (the specimen's MRZ says F, not M)
    weak = ExtractedDocument(doc.source, doc.sha256, doc.media_type, doc.document_type, doc.template,
                             {**doc.fields, "sex": fld("sex", "M", conf=0.41)})
    r = document.required_fields(weak, CTX)
    assert r.status is Status.WARN and r.evidence["low_confidence"] == {"sex": 0.41}
    # read unsurely, but the document's own MRZ says the same: confirmed
    weak = ExtractedDocument(doc.source, doc.sha256, doc.media_type, doc.document_type, doc.template,
                             {**doc.fields, "sex": fld("sex", "F", conf=0.41)})
    r = document.required_fields(weak, CTX)
    assert r.status is Status.PASS and r.evidence["low_confidence"] == {}
    assert r.evidence["corroborated"]["sex"]["by"] == "mrz" and "sex read under 0.6 but confirmed" in r.detail
    assert document.required_fields(mkdoc("n.png", "note", {}), CTX).status is Status.SKIP


def test_truncated_mrz_name_must_still_be_a_prefix() -> None:
    mrz = build_mrz("TD3", document_code="P", issuing_country="UTO", surname="Nilavadhanananda",
                    given_names="Chayapa Dejthamrong Krasuang", document_number="X1234567", nationality="UTO",
                    date_of_birth="1990-01-31", sex="M", date_of_expiry="2030-01-30")
    doc = passport(surname="Nilavadhanananda", given_names="Chayapa Somchai Krasuang", document_number="X1234567",
                   date_of_birth="1990-01-31", sex="M", date_of_expiry="2030-01-30", mrz=mrz)
    r = document.mrz_matches_visual(doc, CTX)
    # CHAYAPA 1, K vs KRASUANG an initial 0.8, DEJTHAMRONG vs SOMCHAI 0 (ratio 4/18): 1.8 / 3 = 0.6,
    # minus 0.05 for the one token left unpaired: 0.55 < 0.85
    assert r.status is Status.FAIL and r.evidence["fields"]["given_names"]["score"] == pytest.approx(0.55)


def test_td1_back_mrz_is_compared_with_the_front() -> None:
    # ICAO 9303 Part 5 TD1 example (a 12-character document number continues in the optional data).
    mrz = build_mrz("TD1", document_code="I", issuing_country="UTO", surname="Stevenson", given_names="Peter John",
                    document_number="D23145890734", nationality="UTO", date_of_birth="1934-07-12", sex="M",
                    date_of_expiry="1995-07-12")
    front = mkdoc("id-front.png", "id_card", {"surname": "STEVENSON", "given_names": "PETER JOHN",
                                              "document_number": "D23145890734", "date_of_birth": "1934-07-12",
                                              "sex": "M", "date_of_expiry": "1995-07-12", "nationality": "UTO"})
    back = mkdoc("id-back.png", "id_card", {"mrz": mrz, "address": "1 Main St"})
    r = document.mrz_matches_visual(back, CTX, (front, back))
    assert r.status is Status.PASS, r.detail
    assert r.evidence["fields"]["document_number"]["visual_document"]["source"] == "id-front.png"
    assert len(r.evidence["fields"]) == 7
    assert document.mrz_matches_visual(back, CTX).status is Status.SKIP  # alone: nothing printed to compare


def _side(source: str, side: str, values: dict[str, str], source_kind: FieldSource) -> ExtractedDocument:
    fields = {k: fld(k, v, source=source_kind) for k, v in values.items()}
    match = TemplateMatch(f"uto-id-td1-{side}", "1", "id_card", 0.9, "test", "UTO", side)
    return ExtractedDocument(source, hashlib.sha256(source.encode()).hexdigest(), "image/png", "id_card", match,
                             fields)


def test_required_fields_of_a_card_read_on_its_other_side() -> None:
    front = _side("front.png", "front", {"given_names": "ANNA", "document_number": "AB1234567",
                                         "date_of_birth": "1974-08-12", "date_of_expiry": "2031-01-01"},
                  FieldSource.VISUAL)
    back = _side("back.png", "back", {"surname": "ERIKSSON", "document_number": "AB1234567",
                                      "mrz": "I<UTO..."}, FieldSource.MRZ)
    assert document.required_fields(front, CTX).status is Status.FAIL  # alone: surname missing
    r = document.required_fields(front, CTX, (front, back))
    assert r.status is Status.PASS and r.evidence["from_other_side"]["surname"]["source"] == "back.png"
    assert "surname read on the other side" in r.detail
    # a back side of another card (another number) lends nothing
    stranger = _side("back2.png", "back", {"surname": "ERIKSSON", "document_number": "ZZ7654321"}, FieldSource.MRZ)
    assert document.required_fields(front, CTX, (front, stranger)).status is Status.FAIL


def test_an_unsure_field_is_confirmed_by_another_document_or_its_pixels() -> None:
    from kyc_ocr.domain import Reread

    form = mkdoc("form.jpg", "application_form", {"surname": "Hübel", "given_names": "Lilly", "address": "1 Main St",
                                                   "date_of_birth": "1966-08-13", "document_number": "AB1234567"})
    form.fields["date_of_birth"] = fld("date_of_birth", "1966-08-13", conf=0.45)
    form.fields["surname"] = fld("surname", "Hiibel", conf=0.52)
    card = mkdoc("id.png", "id_card", {"surname": "HÜBEL", "given_names": "LILLY", "date_of_birth": "1966-08-13"})
    r = document.required_fields(form, CTX, (form, card))
    # the date: the same date read surely on the ID; the surname: read otherwise, and not re-read
    assert r.status is Status.WARN and r.evidence["low_confidence"] == {"surname": 0.52}
    assert r.evidence["corroborated"]["date_of_birth"]["document"]["source"] == "id.png"
    # the ID's spelling re-read from the form's pixels, within the policy's cost: confirmed
    rereads = {("Hiibel", "Hübel"): Reread("Hiibel", "Hübel", 1.5)}
    ctx = CheckContext(POLICY, AS_OF, POLICY.number_patterns, reread=lambda d, f, h: rereads.get((f.value, h)))
    r = document.required_fields(form, ctx, (form, card))
    assert r.status is Status.PASS and r.evidence["corroborated"]["surname"]["reread"]["cost"] == 1.5
    # a re-read that costs more than the policy allows confirms nothing
    rereads = {("Hiibel", "Hübel"): Reread("Hiibel", "Hübel", 9.0)}
    assert document.required_fields(form, ctx, (form, card)).status is Status.WARN
    # an unsure reading on the other document confirms nothing either
    card.fields["surname"] = fld("surname", "HÜBEL", conf=0.3)
    rereads = {("Hiibel", "Hübel"): Reread("Hiibel", "Hübel", 1.5)}
    assert document.required_fields(form, ctx, (form, card)).status is Status.WARN


def test_an_unsure_reading_its_own_mrz_confirms_may_confirm_another_document() -> None:
    from kyc_ocr.domain import Reread

    pp = passport()
    pp.fields["surname"] = fld("surname", "ERIKSSON", conf=0.4)  # unsure, but the specimen MRZ says ERIKSSON
    form = mkdoc("form.jpg", "application_form", {"given_names": "Anna María", "address": "1 Main St",
                                                   "date_of_birth": "1974-08-12", "document_number": "L898902C3"})
    form.fields["surname"] = fld("surname", "Erikson", conf=0.5)
    table = {("Erikson", "Eriksson"): Reread("Erikson", "Eriksson", 1.0, any_marks=True)}
    ctx = CheckContext(POLICY, AS_OF, POLICY.number_patterns, reread=lambda d, f, h: table.get((f.value, h)))
    r = document.required_fields(form, ctx, (form, pp))
    assert r.status is Status.PASS and r.evidence["corroborated"]["surname"]["by"] == "reread"
    no_mrz = mkdoc("passport.png", "passport", {"surname": "ERIKSSON"}, template="uto-passport-td3")
    no_mrz.fields["surname"] = fld("surname", "ERIKSSON", conf=0.4)
    assert document.required_fields(form, ctx, (form, no_mrz)).status is Status.WARN


def test_the_printed_number_settles_what_the_mrz_check_digits_cannot() -> None:
    from kyc_ocr.checks import run_checks

    # a clean synthetic card: XX read as << on the back; X (33) twice at weights 7 and 3 leaves the
    # check digit as it is, so the MRZ verifies while its number does not fit the card's pattern
    read = "I<UTO<<09752276<<<<<<<<<<<<<<<\n5401082M2711117UTO<<<<<<<<<<<4\nBACHANEK<<JEREMI<KAROL<<<<<<<<"
    back = mkdoc("back.png", "id_card", {"mrz": read}, template="uto-id-td1-back",
                 extra=(fld("document_number", "0975227", source=FieldSource.MRZ),))
    front = mkdoc("front.png", "id_card", {"surname": "BACHANEK", "given_names": "JEREMI KAROL",
                                           "document_number": "XX0975227", "date_of_birth": "1954-01-08",
                                           "date_of_expiry": "2027-11-11", "sex": "M", "nationality": "UTO"},
                  template="uto-id-td1-front")
    settled = document.mrz_number_from_visual(back, (front, back), CTX)
    assert settled.value("document_number") == "XX0975227"
    assert settled.fields["mrz"].value.startswith("I<UTOXX0975227") and settled.fields["mrz"].raw == read
    got = {c.name: c.status for c in run_checks([front, back], policy=POLICY, as_of=AS_OF)
           if c.evidence.get("document", c.evidence).get("source") == "back.png"}
    assert got["mrz_check_digits"] is Status.PASS and got["mrz_matches_visual"] is Status.PASS
    assert got["document_number_format"] is Status.PASS
    # a printed number that differs by more than look-alikes settles nothing
    other = mkdoc("front.png", "id_card", {"document_number": "XX0975228"}, template="uto-id-td1-front")
    assert document.mrz_number_from_visual(back, (other, back), CTX) is back
    # alone, the back keeps what its MRZ says
    assert document.mrz_number_from_visual(back, (back,), CTX) is back


def test_the_printed_number_settles_an_mrz_read_with_a_z_as_2_and_a_y_as_v() -> None:
    # a passport photo (synthetic, round 10's held-out set 2236067): "MC971Z9Y3" read "MC97129V3" in the MRZ (two
    # slips, the number's and the composite check digit fail: REJECTED), printed and on the form as MC971Z9Y3
    read = "P<UTOCATALANO<<MICHELOTTO<<<<<<<<<<<<<<<<<<<\nMC97129V34UTO8111214M2612166<<<<<<<<<<<<<<<8"
    pp = mkdoc("passport.jpg", "passport", {"mrz": read, "document_number": "MC971Z9Y3"}, template="uto-passport-td3")
    assert document.mrz_check_digits(pp, CTX).status is Status.FAIL
    settled = document.mrz_number_from_visual(pp, (pp,), CTX)
    assert settled.fields["mrz"].value == read.replace("MC97129V3", "MC971Z9Y3")
    assert document.mrz_check_digits(settled, CTX).status is Status.PASS
    # a printed number one more non-look-alike character away (Y read W) settles nothing
    other = mkdoc("passport.jpg", "passport", {"mrz": read.replace("V34UTO", "W34UTO"), "document_number": "MC971Z9Y3"},
                  template="uto-passport-td3")
    assert document.mrz_number_from_visual(other, (other,), CTX) is other


def photo_mrz_z_read_as_2() -> tuple[str, str]:
    """A passport photo's MRZ (synthetic, seed 5772156) as printed and as read: ``E4ZZ86GB1`` read ``E4Z286GB1``."""
    from kyc_ocr.extract.mrz_build import build_mrz

    true = build_mrz("TD3", document_code="P", issuing_country="UTO", surname="HEIN", given_names="KARL",
                     document_number="E4ZZ86GB1", nationality="UTO", date_of_birth="1970-03-04", sex="M",
                     date_of_expiry="2031-05-06")
    line1, line2 = true.split("\n")
    return true, line1 + "\n" + line2[:3] + "2" + line2[4:]


def test_the_forms_number_settles_a_photo_mrz_whose_printed_number_was_not_read() -> None:
    # the MRZ's "E4ZZ86GB1" read "E4Z286GB1" (Z as 2), so the number's check digit fails; the visual zone's
    # number was not read; the application form gives E4ZZ86GB1
    true, read = photo_mrz_z_read_as_2()
    pp = mkdoc("passport.jpg", "passport", {"mrz": read, "surname": "HEIN"}, template="uto-passport-td3")
    assert document.mrz_check_digits(pp, CTX).status is Status.FAIL
    form = mkdoc("form.png", "application_form", {"document_number": "E4ZZ86GB1"})
    settled = document.mrz_number_from_visual(pp, (pp, form), CTX)
    assert settled.fields["mrz"].value == true and settled.fields["mrz"].raw == read
    assert document.mrz_check_digits(settled, CTX).status is Status.PASS
    # a form number that differs by more than look-alikes (1 -> 7) settles nothing: the check digits fail on
    other = mkdoc("form.png", "application_form", {"document_number": "E4ZZ86GB7"})
    assert document.mrz_number_from_visual(pp, (pp, other), CTX) is pp


def test_the_forms_number_settles_a_photo_mrz_whose_printed_number_was_misread_too() -> None:
    # the same photo MRZ (Z read as 2), its visual zone's number also misread past look-alikes (``E4ZZ86GB1``
    # read ``E4ZZ8EGR1``): the printed reading settles nothing, the form's still does
    true, read = photo_mrz_z_read_as_2()
    pp = mkdoc("passport.jpg", "passport", {"mrz": read, "surname": "HEIN", "document_number": "E4ZZ8EGR1"},
               template="uto-passport-td3")
    form = mkdoc("form.png", "application_form", {"document_number": "E4ZZ86GB1"})
    settled = document.mrz_number_from_visual(pp, (pp, form), CTX)
    assert settled.fields["mrz"].value == true and settled.fields["mrz"].raw == read
    # a printed number that confirms the MRZ's own reading leaves the MRZ as read, whatever the form says
    same = mkdoc("passport.jpg", "passport", {"mrz": read, "document_number": "E4Z286GB1"}, template="uto-passport-td3")
    assert document.mrz_number_from_visual(same, (same, form), CTX) is same


def test_an_unsure_name_part_is_confirmed_word_for_word_by_a_one_line_name() -> None:
    # an ID card photo read "Matthieu" at 0.56; the bill names "Matthieu Pereira" surely
    card = mkdoc("id.jpg", "id_card", {"surname": "PEREIRA", "given_names": "Matthieu", "document_number": "874816344726",
                                       "date_of_birth": "2005-09-15", "date_of_expiry": "2034-08-28"})
    card.fields["given_names"] = fld("given_names", "Matthieu", conf=0.56)
    bill = mkdoc("bill.jpg", "utility_bill", {"full_name": "Matthieu Pereira", "address": "1 Main St"})
    assert document.required_fields(card, CTX, (card,)).status is Status.WARN
    r = document.required_fields(card, CTX, (card, bill))
    assert r.status is Status.PASS and r.evidence["corroborated"]["given_names"]["document"]["source"] == "bill.jpg"
    # another given name on the bill confirms nothing
    other = mkdoc("bill.jpg", "utility_bill", {"full_name": "Mathis Pereira", "address": "1 Main St"})
    assert document.required_fields(card, CTX, (card, other)).status is Status.WARN


def test_a_check_digit_read_as_a_filler_is_a_misread_line_not_tampering() -> None:
    # a residence permit photo: "ITA" read "IIT4", the last check digit lost, the line shifted by one:
    # the composite digit's place holds a filler, which no MRZ prints there
    mrz = "IRUTOCIVASCHI<<MELANIA<<<<<<<<<<<<<<\nR481265450IIT40705224F2610232<<<<<<<"
    doc = mkdoc("permit.jpg", "residence_permit", {"mrz": mrz}, template="uto-residence-permit-td2")
    r = document.mrz_check_digits(doc, CTX)
    assert r.status is Status.WARN and "misread" in r.detail, r.detail
    assert any(not d["found"].isdigit() for d in r.evidence["failing"])
    # a digit changed where a digit goes stays a FAIL (test_mrz_check_digits_names_the_failing_digit)
