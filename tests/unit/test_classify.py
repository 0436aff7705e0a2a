"""Template matching on hand-made OCR pages: known layouts, generic fallbacks, unknown and ambiguous."""

from __future__ import annotations

from kyc_ocr.classify import AMBIGUOUS, UNKNOWN, match, score_all
from kyc_ocr.domain import Page, TextLine, quad_from_box
from kyc_ocr.templates import builtin_templates, load_template_text

# ICAO 9303 Part 4 / Part 5 specimens (Anna Maria Eriksson, Utopia)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")


def page(rows: list[tuple[str, float, float, float, float]], width: int = 1250, height: int = 880) -> Page:
    lines = tuple(TextLine(t, 0.98, quad_from_box((x0, y0, x1, y1))) for t, x0, y0, x1, y1 in rows)
    return Page("doc.png", 1, width, height, lines)


def mrz_rows(mrz: tuple[str, ...], y: float = 700, step: float = 70) -> list[tuple[str, float, float, float, float]]:
    return [(text, 60, y + i * step, 60 + 25 * len(text), y + i * step + 34) for i, text in enumerate(mrz)]


UTO_PASSPORT = [
    ("PASSPORT / PASSEPORT UTOPIA", 400, 20, 1190, 60),
    ("Surname / Nom", 400, 166, 580, 186), ("ERIKSSON", 400, 188, 550, 218),
    ("Given names / Prénoms", 400, 230, 640, 250), ("ANNA MARIA", 400, 253, 560, 282),
    ("Date of birth / Date de naissance", 400, 375, 770, 392), ("12 AUG 1974", 400, 398, 566, 423),
    ("Authority / Autorité", 812, 511, 1018, 530), ("UTOPIA CITY", 812, 533, 967, 557),
    *mrz_rows(TD3),
]


def test_uto_passport_is_recognised_with_reason() -> None:
    tm = match([page(UTO_PASSPORT)], builtin_templates())
    assert (tm.template_id, tm.document_type, tm.version) == ("uto-passport-td3", "passport", "1.0")
    assert tm.score >= 0.9
    assert "MRZ TD3" in tm.reason and "keywords 2/2" in tm.reason


def test_german_like_passport_is_not_the_utopian_one() -> None:
    rows = [("REISEPASS / PASSPORT", 40, 16, 500, 56),
            ("Name / Surname", 430, 160, 600, 180), ("MÜLLER", 430, 182, 560, 214),
            ("Vornamen / Given names", 430, 235, 700, 255), ("JOHANNA", 430, 258, 600, 288),
            ("Geburtstag / Date of birth", 430, 310, 740, 330), ("12.08.1974", 430, 333, 600, 360),
            ("Staatsangehörigkeit / Nationality", 850, 310, 1200, 330),
            ("Behörde / Authority", 850, 450, 1100, 470), ("Gültig bis / Date of expiry", 430, 520, 740, 540),
            *mrz_rows(TD3)]
    tm = match([page(rows)], builtin_templates())
    assert tm.template_id == "xde-passport-td3", tm.reason


def test_only_an_mrz_gives_generic_mrz_with_its_kind() -> None:
    rows = [("REPUBLIC OF NOWHERE", 100, 20, 600, 60), ("some text we have never seen", 100, 200, 700, 230),
            *mrz_rows(TD1, y=420, step=68)]
    tm = match([page(rows, 1000, 630)], builtin_templates())
    assert (tm.template_id, tm.document_type) == ("generic-mrz", "id_card")
    assert "only an MRZ" in tm.reason


def test_unseen_layout_with_common_labels_is_generic_id() -> None:
    rows = [("REPUBBLICA ITALIANA", 300, 10, 700, 40), ("CARTA D'IDENTITÀ", 300, 45, 650, 75),
            ("COGNOME", 300, 100, 420, 120), ("ROSSI", 300, 122, 420, 150),
            ("NOME", 300, 160, 380, 180), ("MARIO", 300, 182, 420, 210),
            ("DATA DI NASCITA", 300, 220, 500, 240), ("01.02.1980", 300, 242, 460, 270),
            ("SESSO", 600, 220, 680, 240), ("M", 600, 242, 620, 270)]
    tm = match([page(rows, 1000, 630)], builtin_templates())
    assert (tm.template_id, tm.document_type) == ("generic-id", "id_card"), tm.reason


def test_unrecognisable_document_is_unknown_not_forced() -> None:
    rows = [("Dear customer,", 100, 100, 400, 130), ("thank you for your letter of last week.", 100, 140, 900, 170),
            ("Kind regards", 100, 400, 350, 430)]
    tm = match([page(rows, 1240, 1754)], builtin_templates())
    assert (tm.template_id, tm.document_type) == (UNKNOWN, UNKNOWN)
    assert "no template recognised" in tm.reason


def test_mrz_of_another_format_rules_a_template_out() -> None:
    # passport words but a TD1 card MRZ: the TD3 passport template must not win
    rows = [r for r in UTO_PASSPORT if not r[0].startswith(("P<", "L8"))] + mrz_rows(TD1)
    ranked = {s.template.id: s.score for s in score_all([page(rows)], builtin_templates())}
    assert ranked["uto-passport-td3"] < 0.7


def test_two_equally_good_templates_are_ambiguous() -> None:
    text = """\
id: {id}
version: 1
document_type: membership_card
match:
  keywords: [["MEMBER CARD"]]
  anchors: [["Member since"]]
fields:
  - name: surname
    locators: [{{label: [Surname]}}]
"""
    templates = [load_template_text(text.format(id=i), f"{i}.yaml") for i in ("club-a", "club-b")]
    rows = [("MEMBER CARD", 10, 10, 300, 40), ("Member since 2001", 10, 60, 300, 80)]
    tm = match([page(rows, 1000, 630)], templates)
    assert tm.template_id == AMBIGUOUS
    assert tm.document_type == "membership_card"  # both candidates agree on the kind
    assert "club-a" in tm.reason and "club-b" in tm.reason


def test_no_pages_is_unknown() -> None:
    assert match([], builtin_templates()).template_id == UNKNOWN


def test_card_back_with_unreadable_labels_is_known_by_its_mrz_issuer_and_layout() -> None:
    # a photographed UTO TD1 back: every label too small to read, the values where the layout prints them
    rows = [("ELONKUJA 0", 30, 50, 200, 80), ("NOKIA", 30, 150, 130, 175), ("07.11.2018", 510, 150, 650, 175),
            ("MUNICIPALITY OF UTOPIA CITY", 30, 230, 400, 255), *mrz_rows(TD1, y=400, step=68)]
    tm = match([page(rows, 1000, 630)], builtin_templates())
    assert tm.template_id == "uto-id-td1-back", tm.reason
    assert "MRZ issuer matches" in tm.reason
    # the same MRZ issued by another state: nothing ties the page to the Utopian layout
    other = [r if not r[0].startswith("I<UTO") else (r[0].replace("I<UTO", "I<NLD"), *r[1:]) for r in rows]
    assert match([page(other, 1000, 630)], builtin_templates()).template_id != "uto-id-td1-back"


def test_licence_front_whose_title_was_cropped_off_is_recognised_by_its_labels() -> None:
    # a photo cropped below the "DRIVER LICENSE / USA" title; 5 of the 6 AAMVA label groups read
    rows = [("4d DL NO.", 300, 8, 369, 27), ("4D EXPIKES", 633, 11, 719, 28), ("V7730388", 301, 29, 444, 56),
            ("1 FAMILY NAME", 305, 70, 416, 88), ("HARRIS", 305, 90, 422, 119),
            ("3 DATE OF BIRTH", 316, 290, 449, 311), ("4a ISSUED", 685, 294, 771, 315),
            ("06/10/1951", 318, 314, 478, 346), ("15 SEX", 322, 363, 383, 386), ("F", 324, 387, 347, 413),
            ("5 DD", 328, 440, 371, 461), ("8830377V240403", 330, 462, 487, 487)]
    found = match([page(rows, width=1090, height=541)], builtin_templates())
    assert found.template_id == "usa-driver-license-front"
    assert found.document_type == "driver_license"


def test_a_few_labels_without_a_title_do_not_make_a_licence() -> None:
    rows = [("3 DATE OF BIRTH", 316, 290, 449, 311), ("06/10/1951", 318, 314, 478, 346), ("15 SEX", 322, 363, 383, 386)]
    assert match([page(rows, width=1090, height=541)], builtin_templates()).template_id != "usa-driver-license-front"


def test_a_licence_back_whose_text_was_lost_is_recognised_by_its_barcode() -> None:
    # a blurred photo of a licence back: the two printed lines unread, only short noise left
    rows = [("Il", 80, 40, 120, 60), ("1", 900, 600, 920, 620)]
    pages = [page(rows, 1056, 689)]
    asked: list[bool] = []

    def barcode() -> object:
        asked.append(True)
        return {"document_number": "D1234562"}

    assert match(pages, builtin_templates()).template_id == UNKNOWN
    tm = match(pages, builtin_templates(), barcode=barcode)
    assert tm.template_id == "usa-driver-license-back" and "AAMVA barcode decoded" in tm.reason, tm.reason
    assert match(pages, builtin_templates(), barcode=lambda: None).template_id == UNKNOWN
    # a page recognised from its text never pays for a barcode search
    asked.clear()
    assert match([page(UTO_PASSPORT)], builtin_templates(), barcode=barcode).template_id == "uto-passport-td3"
    assert not asked


def test_permit_photo_with_unreadable_labels_is_known_by_its_title_and_mrz_issuer() -> None:
    # a residence permit photo (round 10's training split): every small label garbled, the title, the values
    # and a TD2 MRZ issued by UTO read well; some garbled label reads outside the template's zones
    td2 = ("IRUT0SVEC<<JIRI<<<<<<<<<<<<<<<<<<<<<", "R339249993CZE0602253M3004168<<<<<<<2")
    rows = [("UTOPIA", 31, 16, 146, 45), ("RESIDENCE PERMIT", 649, 22, 910, 47), ("Wald umti", 626, 70, 696, 87),
            ("R33924999", 294, 87, 459, 112), ("16/04/2030", 624, 89, 766, 116), ("ŠVEC", 291, 148, 381, 183),
            ("Dante odf dith", 625, 264, 718, 284), ("CZE", 290, 280, 344, 308), ("25/02/2006", 624, 284, 768, 311),
            ("TEMPORARY RESIDENCE", 292, 345, 560, 370), ("17/04/2025", 289, 415, 420, 442),
            (td2[0], 52, 530, 873, 562), (td2[1], 51, 592, 873, 625)]
    tm = match([page(rows, 943, 669)], builtin_templates())
    assert tm.template_id == "uto-residence-permit-td2", tm.reason
    # the same page with an MRZ issued by another state: title words alone do not make the Utopian permit
    other = [r if not r[0].startswith("IRUT0") else ("IRNLDSVEC<<JIRI<<<<<<<<<<<<<<<<<<<<<", *r[1:]) for r in rows]
    assert match([page(other, 943, 669)], builtin_templates()).template_id != "uto-residence-permit-td2"
    # and without the title, the MRZ issuer alone does not place the layout
    untitled = [r for r in rows if r[0] not in ("RESIDENCE PERMIT", "UTOPIA")]
    assert match([page(untitled, 943, 669)], builtin_templates()).template_id != "uto-residence-permit-td2"
