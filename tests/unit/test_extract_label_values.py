"""A label the OCR misread (``Sumname``, ``Vomamen``, ``Prenemls):``) is never preferred as a field's value."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kyc_ocr.domain import Page, TextLine, quad_from_box
from kyc_ocr.extract.labels import label_like
from kyc_ocr.extract.locators import Layout, PageContext, label_candidates, zone_candidates
from kyc_ocr.templates import LabelLocator, ZoneLocator

SURNAME = ("Surname", "Nom", "Nachname", "Apellidos")
GIVEN = ("Given names", "Prénoms", "Prénom(s)", "Vornamen", "Vorname", "Nombres")
LABELS = {"surname": SURNAME, "given_names": GIVEN}


def page(rows: Sequence[tuple[str, float, float, float, float] | tuple[str, float, float, float, float, float]]
         ) -> Page:
    """A page of lines ``(text, x0, y0, x1, y1[, confidence])`` (confidence 0.95 when left out)."""
    return Page("card.png", 1, 1000, 630, tuple(TextLine(r[0], r[5] if len(r) > 5 else 0.95, quad_from_box(r[1:5]))
                                                for r in rows))


@pytest.mark.parametrize("text", ["Sumname", "Vomamen", "Prenemls):", "Nachnarne", "Given narnes / Prenoms", "Sumane",
                                  "Vemamen"])
def test_misread_labels_read_as_labels(text: str) -> None:
    assert label_like(text, SURNAME + GIVEN)


@pytest.mark.parametrize("text", ["ERIKSSON", "Simon", "Metcalfe", "MARÍA JOSÉ", "Nom", "12.08.1974"])
def test_values_do_not_read_as_labels(text: str) -> None:
    assert not label_like(text, SURNAME + GIVEN)


def test_label_below_is_passed_over_for_the_value_under_it() -> None:
    # "Surname" read; the given-names label under it misread "Vomamen", then the value
    rows = [("Surname", 300, 100, 420, 120), ("Vomamen", 300, 124, 430, 144), ("ERIKSSON", 300, 146, 500, 180)]
    ctx = PageContext.build(page(rows), LABELS)
    got = [c.text for c in label_candidates(ctx, "surname", LabelLocator(labels=SURNAME, max_dy=4.0))]
    assert got[0] == "ERIKSSON"


def test_a_label_like_line_is_still_offered_last() -> None:
    # the only line under the label: kept as a last resort (a name may resemble a label)
    rows = [("Given names", 300, 100, 460, 120), ("Vonamen", 300, 124, 430, 150)]
    ctx = PageContext.build(page(rows), LABELS)
    assert [c.text for c in label_candidates(ctx, "given_names", LabelLocator(labels=GIVEN))] == ["Vonamen"]


def test_a_label_misread_glyph_for_glyph_still_labels_its_value() -> None:
    # a passport photo (synthetic, seed 8675309): "Surname" read "Sumame" ("rn" as "m"); only "Nom /Apelidos"
    # matched before, so the value had to sit under those words, and the given-names label under them was taken
    rows = [("Sumame/Nom /Apelidos", 543, 280, 714, 308), ("COLLINS", 541, 300, 654, 333),
            ("Nomibres", 692, 351, 751, 368), ("LAWRENCE JEFFERY", 534, 360, 782, 402)]
    ctx = PageContext.build(page(rows), LABELS)
    got = [c.text for c in label_candidates(ctx, "surname", LabelLocator(labels=SURNAME, max_dy=4.0))]
    assert got[0] == "COLLINS"


def test_zone_offers_the_value_before_a_misread_label() -> None:
    # both lines in the surname zone, same height: the misread label of another field is tried last
    rows = [("Prenemls):", 320, 110, 480, 140), ("DUPONT", 320, 150, 480, 180)]
    ctx = PageContext.build(page(rows), LABELS, offset=Layout())
    got = [c.text for c in zone_candidates(ctx, "surname", ZoneLocator(box=(0.3, 0.15, 0.9, 0.3)))]
    assert got == ["DUPONT", "Prenemls):"]


def test_zone_holding_only_another_fields_label_read_unsurely_offers_nothing() -> None:
    # a permit photo: the given names' value missed by the detector, the next column's "Date of birth"
    # label, garbled, inside the wide zone; it must not become the given names (the MRZ then gives them)
    labels = {**LABELS, "date_of_birth": ("Date of birth",)}
    rows = [("Dante odf dith", 600, 160, 700, 180, 0.34)]
    ctx = PageContext.build(page(rows), labels, offset=Layout())
    assert list(zone_candidates(ctx, "given_names", ZoneLocator(box=(0.3, 0.15, 0.9, 0.3)))) == []
    # read surely, the same words are kept (a name may look like a label), after any other line
    sure = PageContext.build(page([("Dante odf dith", 600, 160, 700, 180, 0.97)]), labels, offset=Layout())
    assert [c.text for c in zone_candidates(sure, "given_names", ZoneLocator(box=(0.3, 0.15, 0.9, 0.3)))] == [
        "Dante odf dith"]


def test_multi_line_zone_leaves_out_a_misread_label() -> None:
    rows = [("Sumname", 320, 110, 480, 140), ("DE LA CRUZ", 320, 150, 520, 180), ("GARCÍA", 320, 184, 480, 214)]
    ctx = PageContext.build(page(rows), LABELS, offset=Layout())
    got = [c.text for c in zone_candidates(ctx, "surname", ZoneLocator(box=(0.3, 0.15, 0.9, 0.4), lines=2))]
    assert got == ["DE LA CRUZ\nGARCÍA"]


def test_block_below_a_heading_skips_a_small_unread_label() -> None:
    # "2. Address" heading, a small garbled sub-label, then the two-line address in bigger type
    rows = [("2. Address and contact", 100, 100, 420, 130), ("0ok a8es", 124, 146, 268, 164, 0.62),
            ("Flat 93b Shepherd Burg", 102, 170, 390, 205), ("Lake Josephine BN2 5ZT", 104, 203, 394, 235),
            ("jane@example.com", 101, 300, 400, 332)]
    ctx = PageContext.build(page(rows), {"address": ("Address",)})
    got = [c.text for c in label_candidates(ctx, "address", LabelLocator(labels=("Address",), lines=2))]
    assert got == ["Flat 93b Shepherd Burg\nLake Josephine BN2 5ZT"]


def test_block_below_a_heading_skips_the_first_letters_of_its_label() -> None:
    # a French form photo (round 10's training split): the small "Adresse" label read only "Ad" at 0.87
    rows = [("2. Adresse et contact", 94, 422, 311, 456), ("Ad", 92, 468, 156, 495, 0.87),
            ("30, chemin Gilbert Dupont", 91, 497, 357, 532, 0.98), ("44483 Bruneau", 93, 527, 248, 559, 0.98),
            ("Couriel", 93, 598, 160, 626, 0.77)]
    ctx = PageContext.build(page(rows), {"address": ("Adresse",)})
    got = [c.text for c in label_candidates(ctx, "address", LabelLocator(labels=("Adresse",), lines=2))]
    assert got[0] == "30, chemin Gilbert Dupont\n44483 Bruneau"
    # a first line that is no beginning of the label is the address's
    rows[1] = ("Apt 3", 92, 468, 156, 495, 0.87)
    ctx = PageContext.build(page(rows), {"address": ("Adresse",)})
    got = [c.text for c in label_candidates(ctx, "address", LabelLocator(labels=("Adresse",), lines=2))]
    assert got[0] == "Apt 3\n30, chemin Gilbert Dupont"


def test_block_below_a_heading_skips_its_own_label_misread_in_smaller_type() -> None:
    # measured on a photo of a French form: "Adresse" read "Abtesse", 21 px above 27-30 px lines; by
    # size alone the first two lines look alike, but the small line reads close to the field's label
    rows = [("2. Adresse et contact", 95, 417, 302, 445), ("Abtesse", 99, 462, 155, 483),
            ("rue de Lemonnier", 95, 492, 267, 519), ("90948 Morvan", 95, 519, 240, 549)]
    ctx = PageContext.build(page(rows), {"address": ("Adresse",)})
    got = [c.text for c in label_candidates(ctx, "address", LabelLocator(labels=("Adresse",), lines=2))]
    assert got == ["rue de Lemonnier\n90948 Morvan"]
    # a small first line that reads like no label of the field stays part of the value
    rows[1] = ("Bâtiment B", 99, 462, 185, 483)
    ctx = PageContext.build(page(rows), {"address": ("Adresse",)})
    got = [c.text for c in label_candidates(ctx, "address", LabelLocator(labels=("Adresse",), lines=2))]
    assert got == ["Bâtiment B\nrue de Lemonnier"]


def test_block_below_a_heading_skips_a_label_garbled_past_matching_when_it_alone_reads_unsurely() -> None:
    # measured on a photo of a French form: "Adresse" read "Acheane" at 0.63, nearly as tall as the value
    # lines read at 0.96 and 1.00, and the block runs one line longer than the address's two
    rows = [("2. Adresse et contact", 86, 387, 315, 417), ("Acheane", 83, 427, 149, 455, 0.63),
            ("rue de Petit", 81, 457, 202, 488, 0.96), ("18775 De Sousa", 85, 485, 252, 515, 1.0),
            ("Courrinl", 85, 555, 145, 581, 0.92)]
    opts = LabelLocator(labels=("Adresse",), lines=2)
    ctx = PageContext.build(page(rows), {"address": ("Adresse",)})
    assert [c.text for c in label_candidates(ctx, "address", opts)] == ["rue de Petit\n18775 De Sousa"]
    # read as surely as the rest, the first line is the address's (a building's name); so it is when the
    # block holds no more lines than the address
    sure = [*rows[:1], ("Acheane", 83, 427, 149, 455, 0.95), *rows[2:]]
    ctx = PageContext.build(page(sure), {"address": ("Adresse",)})
    assert [c.text for c in label_candidates(ctx, "address", opts)] == ["Acheane\nrue de Petit"]
    short = [*rows[:3], rows[4]]
    ctx = PageContext.build(page(short), {"address": ("Adresse",)})
    assert [c.text for c in label_candidates(ctx, "address", opts)] == ["Acheane\nrue de Petit"]


def test_a_text_layer_zone_keeps_a_line_its_font_box_makes_shorter() -> None:
    # a digital bank statement: "Újezd" (accented capital, descender) makes its font box taller than
    # the street's; on a text layer labels read exactly, so size says nothing about labels
    from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX

    rows = [("Petříkova 1", 153, 393, 327, 419), ("636 41 Újezd u Brna", 152, 429, 473, 465)]
    lines = tuple(TextLine(t, 1.0, quad_from_box((x0, y0, x1, y1))) for t, x0, y0, x1, y1 in rows)
    zone = ZoneLocator(box=(0.1, 0.6, 0.6, 0.8), lines=2)
    digital = Page("stmt.pdf", 1, 1000, 630, lines, engine=f"pdf{TEXT_LAYER_SUFFIX}")
    got = [c.text for c in zone_candidates(PageContext.build(digital, {}, offset=Layout()), "address", zone)]
    assert got == ["Petříkova 1\n636 41 Újezd u Brna"]
    scanned = Page("stmt.png", 1, 1000, 630, lines, engine="onnx")  # OCR, read surely: the same
    got = [c.text for c in zone_candidates(PageContext.build(scanned, {}, offset=Layout()), "address", zone)]
    assert got == ["Petříkova 1\n636 41 Újezd u Brna"]
    # OCR of a blurred photo: a smaller line read unsurely may be a label garbled past recognition
    unsure = (TextLine("Rsdenta adess", 0.71, lines[0].quad), lines[1])
    photo = Page("stmt.jpg", 1, 1000, 630, unsure, engine="onnx")
    got = [c.text for c in zone_candidates(PageContext.build(photo, {}, offset=Layout()), "address", zone)]
    assert got == ["636 41 Újezd u Brna"]


def test_a_picture_boxed_as_text_is_never_a_label() -> None:
    # a clean licence: the detector boxed the portrait and read it "1", the family name's field
    # number; the given names' line to its right must not become the family name
    rows = [("4d DLN", 321, 89, 377, 109), ("N5582671", 319, 111, 490, 145), ("1", 3, 145, 317, 472),
            ("MCGUIRE-LEWIS", 317, 180, 569, 212), ("2", 318, 233, 329, 248), ("SYDNEY THERESA", 316, 253, 548, 283)]
    ctx = PageContext.build(page(rows), {"surname": ("1",), "given_names": ("2",)})
    assert ctx.hits[2] == () and [h.line for h in ctx.field_hits("given_names")] == [4]
    got = [c.text for c in label_candidates(ctx, "surname", LabelLocator(labels=("1",)))]
    assert "SYDNEY THERESA" not in got


def test_a_line_opening_with_another_fields_garbled_label_is_offered_last_in_a_one_line_zone() -> None:
    # a French ID card photo cropped a little off: the expiry's zone holds the issue date's line too, its label
    # "Délivrée le" read "Ddivrée ke"; the expiry's own label garbled too ("Valable juqu:")
    rows = [("Ddivrée ke11.01.2018", 345, 428, 550, 457, 0.82), ("Valable juqu:10.01.2033", 349, 478, 588, 508, 0.88)]
    labels = {"date_of_issue": ("Délivrée le",), "date_of_expiry": ("Valable jusqu'au",)}
    ctx = PageContext.build(page(rows), labels, offset=Layout())
    zone = ZoneLocator(box=(0.3, 0.65, 0.7, 0.85), lines=1)
    assert [c.text for c in zone_candidates(ctx, "date_of_expiry", zone)] == ["10.01.2033", "Ddivrée ke11.01.2018"]
    # for the issue date's own zone the order is the page's
    assert next(c.text for c in zone_candidates(ctx, "date_of_issue", zone)) == "Ddivrée ke11.01.2018"


def test_the_top_line_of_a_one_line_zone_reading_like_its_own_label_is_offered_after_the_value() -> None:
    # a form photo: the small "Surname" label above the box read "Sormme" (66 against the label: a surname like
    # "Sommer" scores as much), the surname under it "Foster-Pisher"; both in the surname's one-line zone
    rows = [("Sormme", 83, 194, 146, 220, 0.78), ("Foster-Pisher", 81, 222, 206, 251, 0.78)]
    ctx = PageContext.build(page(rows), {"surname": ("Surname",)}, offset=Layout())
    zone = ZoneLocator(box=(0.05, 0.28, 0.45, 0.42), lines=1)
    assert [c.text for c in zone_candidates(ctx, "surname", zone)] == ["Foster-Pisher", "Sormme"]
    # a value alone in its zone is offered whatever it reads like
    ctx = PageContext.build(page(rows[:1]), {"surname": ("Surname",)}, offset=Layout())
    assert [c.text for c in zone_candidates(ctx, "surname", zone)] == ["Sormme"]
