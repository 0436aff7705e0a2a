"""Label and zone locators on hand-made pages; the speed path with a fake recogniser engine."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from kyc_ocr.domain import Page, PageImage, TextLine, quad_from_box
from kyc_ocr.extract.fast import read_zones, text_bands, try_fast
from kyc_ocr.extract.labels import fold, match_label
from kyc_ocr.extract.locators import (
    Layout,
    PageContext,
    assumed_layout,
    label_candidates,
    layout_offset,
    zone_candidates,
)
from kyc_ocr.templates import LabelLocator, ZoneLocator, load_template_text
from kyc_ocr.templates.schema import AnchorZone

DOB = ("Date of birth", "Date de naissance", "Geburtsdatum", "Fecha de nacimiento", "Data di nascita", "3 DOB", "DOB")


def page(rows: Sequence[tuple[str, float, float, float, float]], width: int = 1000, height: int = 630) -> Page:
    return Page("card.png", 1, width, height,
                tuple(TextLine(t, 0.97, quad_from_box((x0, y0, x1, y1))) for t, x0, y0, x1, y1 in rows))


def values(rows: Sequence[tuple[str, float, float, float, float]], field: str, labels: Sequence[str],
           others: dict[str, Sequence[str]] | None = None, **opts: object) -> list[str]:
    ctx = PageContext.build(page(rows), {field: tuple(labels), **(others or {})})
    return [c.text for c in label_candidates(ctx, field, LabelLocator(labels=tuple(labels), **opts))]


@pytest.mark.parametrize("label", ["Geburtsdatum", "Data di nascita", "Fecha de nacimiento", "3 DOB"])
def test_value_to_the_right_of_a_label_in_several_languages(label: str) -> None:
    rows = [(label, 40, 100, 260, 124), ("12.08.1974", 300, 98, 460, 126), ("M", 700, 98, 720, 126)]
    assert values(rows, "date_of_birth", DOB)[0] == "12.08.1974"


@pytest.mark.parametrize("label", ["Date of birth / Date de naissance", "DATE DE NAISSANCE", "Date 0f birth"])
def test_value_below_a_label(label: str) -> None:
    rows = [(label, 330, 250, 600, 268), ("12 AUG 1974", 330, 272, 500, 300),
            ("Sex / Sexe", 720, 250, 820, 268), ("F", 720, 272, 740, 300)]
    assert values(rows, "date_of_birth", DOB)[0] == "12 AUG 1974"


def test_value_after_the_label_on_the_same_line_needs_a_colon() -> None:
    assert values([("Né(e) le : 12.08.1974", 330, 325, 560, 350)], "date_of_birth", ["Né(e) le"]) == ["12.08.1974"]
    # a heading that contains a label word is not an inline label
    assert values([("2. Address and contact", 100, 430, 500, 460)], "address", ["Address"]) == []


def test_multi_line_value_below() -> None:
    rows = [("8 ADDRESS", 320, 305, 410, 325), ("7430 BAKER ISLAND", 320, 330, 560, 356),
            ("LAKE SHERRYBERG, NJ 08486", 320, 360, 675, 386), ("3 DOB", 320, 410, 400, 430)]
    assert values(rows, "address", ["8 ADDRESS"], lines=3) == ["7430 BAKER ISLAND\nLAKE SHERRYBERG, NJ 08486"]


def test_the_more_specific_label_wins_the_line() -> None:
    rows = [("Date of birth", 100, 100, 250, 120), ("01.02.1990", 100, 124, 250, 150),
            ("Date", 600, 100, 650, 120), ("03.04.2026", 600, 124, 750, 150)]
    got = values(rows, "application_date", ["Date"], others={"date_of_birth": DOB})
    assert got == ["03.04.2026"]


def test_short_labels_match_whole_words_only() -> None:
    assert match_label("Nom", fold("Nombres")) is None
    assert match_label("Name", fold("Given names")) is None
    assert match_label("Nom", fold("Nom / Surname")) is not None
    assert match_label("Given names", fold("G1ven names")) is not None  # one OCR slip is tolerated


def test_label_lines_are_never_values() -> None:
    rows = [("Surname / Nom", 330, 100, 480, 118), ("Given names / Prénoms", 330, 130, 560, 148)]
    got = values(rows, "surname", ["Surname", "Nom"], others={"given_names": ("Given names", "Prénoms")})
    assert got == []


def test_zone_locator_takes_lines_inside_the_box() -> None:
    rows = [("ERIKSSON", 330, 130, 480, 160), ("ANNA MARIA", 330, 200, 520, 230)]
    ctx = PageContext.build(page(rows), {}, offset=Layout())
    zone = ZoneLocator(box=(0.3, 0.18, 0.9, 0.28))
    assert [c.text for c in zone_candidates(ctx, "surname", zone)] == ["ERIKSSON"]
    assert list(zone_candidates(ctx, "surname", ZoneLocator(box=(0.0, 0.8, 0.2, 0.9)))) == []
    # the layout printed 40 px (of 630) lower: the zone follows the measured offset
    moved = PageContext.build(page([(t, x0, y0 + 40, x1, y1 + 40) for t, x0, y0, x1, y1 in rows]), {},
                              offset=Layout(0.0, 40 / 630))
    assert [c.text for c in zone_candidates(moved, "surname", zone)] == ["ERIKSSON"]
    # no measured offset (the page is not this layout, or not cropped): zones are not trusted at all
    assert list(zone_candidates(PageContext.build(page(rows), {}), "surname", zone)) == []


ANCHORS = [AnchorZone(box=(0.0, 0.0, 0.4, 0.2), text=("Surname",), at=(0.1, 0.1)),
           AnchorZone(box=(0.4, 0.0, 0.9, 0.2), text=("Given names",), at=(0.5, 0.1)),
           AnchorZone(box=(0.0, 0.2, 0.4, 0.4), text=("Date of birth",), at=(0.1, 0.3))]


def test_layout_offset_fits_a_document_scanned_smaller_on_its_page() -> None:
    # the card printed at 80% of its size, 10% from the left and 5% from the top of a 1000 x 630 page
    def at(x: float, y: float) -> tuple[float, float]:
        return (0.1 + 0.8 * x) * 1000, (0.05 + 0.8 * y) * 630
    rows = [(text, *at(x, y), at(x, y)[0] + 120, at(x, y)[1] + 15)
            for text, (x, y) in [("Surname", (0.1, 0.1)), ("Given names", (0.5, 0.1)), ("Date of birth", (0.1, 0.3))]]
    layout = layout_offset(page(rows), ANCHORS)
    assert layout is not None and layout.confirmed
    assert layout.scale == pytest.approx(0.8, abs=0.01)
    assert (layout.dx, layout.dy) == (pytest.approx(0.1, abs=0.005), pytest.approx(0.05, abs=0.005))
    # two anchors that disagree on any one placement: no layout
    wild = [("Surname", 100, 63, 220, 78), ("Given names", 900, 600, 1000, 615)]
    assert layout_offset(page(wild), ANCHORS[:2]) is None


def test_layout_is_assumed_only_for_a_page_that_is_the_whole_document() -> None:
    # unreadable labels, but text from edge to edge of a page with the card's proportions
    edge_to_edge = [("UTOPIA", 30, 20, 130, 45), ("ERIKSSON", 330, 130, 480, 160), ("31.12.2031", 600, 300, 820, 325),
                    ("signature", 280, 560, 480, 580)]
    extent = (0.05, 0.05, 0.9, 0.9)  # what the template's zones span
    layout = assumed_layout(page(edge_to_edge), (1.4, 1.75), extent)
    assert layout is not None and not layout.confirmed
    ctx = PageContext.build(page(edge_to_edge), {}, offset=layout)
    [cand] = zone_candidates(ctx, "surname", ZoneLocator(box=(0.3, 0.18, 0.9, 0.28)))
    assert cand.text == "ERIKSSON" and cand.confidence < 0.9  # an assumed layout lowers confidence
    # the same text in the middle of a photo (background all round): not the whole document
    middle = [(t, 250 + x0 / 2, 160 + y0 / 2, 250 + x1 / 2, 160 + y1 / 2) for t, x0, y0, x1, y1 in edge_to_edge]
    assert assumed_layout(page(middle), (1.4, 1.75), extent) is None
    assert assumed_layout(page(edge_to_edge), (0.6, 0.8), extent) is None  # proportions of another document


# --- the speed path ------------------------------------------------------------------------

CARD = """\
id: test-card
version: 1
document_type: id_card
match:
  keywords: [[TEST CARD]]
  aspect_ratio: [1.4, 1.8]
  anchor_zones:
    - {box: [0.05, 0.05, 0.5, 0.15], text: [Surname]}
    - {box: [0.05, 0.35, 0.5, 0.45], text: [Date of birth]}
fields:
  - name: surname
    type: name
    required: true
    locators:
      - label: [Surname]
      - zone: [0.05, 0.18, 0.6, 0.3]
  - name: date_of_birth
    type: date
    required: true
    locators:
      - label: [Date of birth]
      - zone: [0.05, 0.48, 0.6, 0.6]
"""

# (text, grey level of its ink, box): the fake engine "reads" a crop by the grey level of its ink
INK = {12: "Surname", 24: "ERIKSSON", 36: "Date of birth", 48: "12.08.1974"}
BOXES = {12: (60, 50, 240, 70), 24: (60, 130, 320, 170), 36: (60, 240, 300, 262), 48: (60, 320, 330, 360)}


def card_image() -> np.ndarray:
    image = np.full((630, 1000, 3), 230, np.uint8)
    for level, (x0, y0, x1, y1) in BOXES.items():
        image[y0:y1, x0:x1] = level
    return image


class FakeRecognizer:
    """Recognises a crop as the text whose ink grey level it holds; counts what it was asked."""

    name = "fake"
    model_ids = ()

    def __init__(self) -> None:
        self.crops = 0

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        self.crops += len(crops)
        return [(INK[int(crop.min())], 0.96) for crop in crops]

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        raise AssertionError("the speed path must not run full-page OCR")


def test_text_bands_are_found_and_tightened() -> None:
    bands = text_bands(card_image(), (40, 110, 600, 190))
    assert [(b.x0, b.y0, b.x1, b.y1) for b in bands] == [(60, 130, 320, 170)]


def test_speed_path_reads_only_zones_and_anchors() -> None:
    template = load_template_text(CARD, "test-card.yaml")
    image = PageImage(card_image(), "card.png", 1, "0" * 64)
    engine = FakeRecognizer()
    found = try_fast([image], engine, [template], None)
    assert found is not None
    chosen, pages = found
    assert chosen.id == "test-card"
    assert [ln.text for ln in pages[0].lines] == ["ERIKSSON", "12.08.1974"]
    assert engine.crops == 4  # two anchors, two zones; never a whole page


def test_speed_path_refuses_a_page_whose_anchors_are_elsewhere() -> None:
    template = load_template_text(CARD, "test-card.yaml")
    shifted = np.roll(card_image(), 200, axis=0)  # the document moved: anchors no longer in their zones
    assert try_fast([PageImage(shifted, "card.png", 1)], FakeRecognizer(), [template], None) is None


def test_read_zones_keeps_positions() -> None:
    template = load_template_text(CARD, "test-card.yaml")
    sparse = read_zones(PageImage(card_image(), "card.png", 1), FakeRecognizer(), template)
    x0, y0, x1, y1 = sparse.lines[0].bbox
    assert x0 <= 60 and y0 <= 130 and x1 >= 320 and y1 >= 170 and y1 - y0 < 70


def test_value_overlapping_a_padded_small_label_box_is_still_to_its_right() -> None:
    # Seen on a phone photo of a French-like card: the detector's box of the small "Nom:" reaches
    # past where the bigger value starts; the taller line below is the next label's row, not the value.
    rows = [("Nom:", 303, 154, 357, 184), ("PRUVOST", 339, 149, 491, 190),
            ("Prenemish: Georges, Laurent", 303, 201, 596, 240)]
    assert values(rows, "surname", ("Nom :", "Nom"))[0] == "PRUVOST"


def test_small_label_over_a_bigger_value_still_skips_the_far_column() -> None:
    rows = [("Surname", 40, 100, 120, 112), ("ERIKSSON", 40, 116, 260, 146),
            ("M", 600, 99, 620, 113)]  # something far to the right on the label's row: the next column
    assert values(rows, "surname", ("Surname",))[0] == "ERIKSSON"


def test_a_faint_garbled_label_in_a_zone_comes_after_the_value() -> None:
    # a blurred photo of a form: the small label above the box, unreadable ("Cadome 19)" for
    # "Customer ID", confidence 0.58), falls inside the value's zone together with the value
    lines = (TextLine("Cadome 19)", 0.58, quad_from_box((82, 536, 162, 554))),
             TextLine("CU61-31337-00133", 0.82, quad_from_box((82, 554, 231, 577))))
    ctx = PageContext.build(Page("form.png", 1, 1000, 1000, lines), {}, offset=Layout())
    zone = ZoneLocator(box=(0.06, 0.53, 0.4, 0.58))
    assert [c.text for c in zone_candidates(ctx, "customer_id", zone)] == ["CU61-31337-00133", "Cadome 19)"]
    block = ZoneLocator(box=(0.06, 0.53, 0.4, 0.60), lines=2)
    assert [c.text for c in zone_candidates(ctx, "address", block)] == ["CU61-31337-00133"]
    # a confident line of label size is still a value (small print is not garbled print)
    sure = (TextLine("Jose", 0.99, quad_from_box((82, 536, 162, 554))), lines[1])
    ctx = PageContext.build(Page("form.png", 1, 1000, 1000, sure), {}, offset=Layout())
    assert [c.text for c in zone_candidates(ctx, "given_names", zone)] == ["Jose", "CU61-31337-00133"]


def test_a_value_line_the_detector_missed_is_read_from_its_zone() -> None:
    from kyc_ocr.domain import TemplateMatch
    from kyc_ocr.extract.document import Evidence, extract_document, read_missing_zones

    template = load_template_text(CARD, "test-card.yaml")
    image = PageImage(card_image(), "card.png", 1, "0" * 64)
    # the full-page read found the labels and the date, not the surname line
    detected = Page("card.png", 1, 1000, 630, tuple(
        TextLine(INK[level], 0.95, quad_from_box(BOXES[level])) for level in (12, 36, 48)), engine="onnx")
    match = TemplateMatch("test-card", "1", "id_card", 0.9, "test")
    evidence = Evidence([detected], [image], None)
    fields = extract_document(template, match, evidence)
    assert "surname" not in fields and fields["date_of_birth"].value == "1974-08-12"
    engine = FakeRecognizer()
    found = read_missing_zones(template, match, fields, evidence, engine)
    assert list(found) == ["surname"] and found["surname"].value == "ERIKSSON"
    assert engine.crops == 1  # only the missing field's zone, one text band
    x0, y0, x1, y1 = found["surname"].box
    assert x0 <= 60 and y0 <= 130 and x1 >= 320 and y1 >= 170
    # a digital PDF's text layer is what it is: nothing to re-read
    assert read_missing_zones(template, match, {}, Evidence([detected], [image.__class__(
        image.image, "card.pdf", 1, "0" * 64, text_layer=())], None), FakeRecognizer()) == {}


def test_a_zone_read_without_confidence_is_not_a_value() -> None:
    from kyc_ocr.domain import TemplateMatch
    from kyc_ocr.extract.document import Evidence, read_missing_zones

    class Unsure(FakeRecognizer):
        def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
            return [(text, 0.3) for text, _ in super().recognize(crops)]

    template = load_template_text(CARD, "test-card.yaml")
    image = PageImage(card_image(), "card.png", 1, "0" * 64)
    detected = Page("card.png", 1, 1000, 630, tuple(
        TextLine(INK[level], 0.95, quad_from_box(BOXES[level])) for level in (12, 36, 48)), engine="onnx")
    match = TemplateMatch("test-card", "1", "id_card", 0.9, "test")
    assert read_missing_zones(template, match, {}, Evidence([detected], [image], None), Unsure()) == {}


def test_a_bare_field_number_heading_another_label_is_not_the_label() -> None:
    # licence photo: "1 FAMILY NAME" misread "2 BAMLY NANE"; the bare label "2" (given names) must not take
    # the family name below it
    rows = [("2 BAMLY NANE", 280, 150, 380, 172), ("ADAMS", 280, 172, 390, 202),
            ("2 GNEN NANES", 280, 213, 388, 235), ("JASON", 278, 232, 363, 268)]
    got = values(rows, "given_names", ("2", "2 GIVEN NAMES", "Given names"))
    assert "ADAMS" not in got
    assert values([("2", 250, 150, 262, 172), ("JASON", 280, 150, 380, 172)], "given_names", ("2",)) == ["JASON"]


def test_a_faint_label_ending_in_a_colon_comes_after_the_value() -> None:
    # a French ID photo (synthetic, seed 8675309): "Prénom(s):" read "Paonig):" (confidence 0.57) at almost the
    # value's height, left of the value "Robert" and (the photo tilted) a little higher, both in the given-names zone
    lines = (TextLine("Paonig):", 0.57, quad_from_box((499, 298, 573, 323))),
             TextLine("Robert", 0.96, quad_from_box((565, 301, 646, 330))))
    ctx = PageContext.build(Page("card.jpg", 1, 1000, 630, lines), {}, offset=Layout())
    zone = ZoneLocator(box=(0.45, 0.45, 0.7, 0.55))
    assert [c.text for c in zone_candidates(ctx, "given_names", zone)][0] == "Robert"


def test_a_small_misread_label_above_a_zone_block_is_left_out() -> None:
    # a German form photo (synthetic, seed 8675309): "Wohnanschrift" read "Wotmarsctrit", printed at half the
    # value's height above the two-line address, all three lines in the address zone
    lines = (TextLine("Wotmarsctrit", 0.92, quad_from_box((330, 794, 441, 825))),
             TextLine("Lia-Freudenberger-Gasse 64/93", 0.94, quad_from_box((329, 824, 655, 881))),
             TextLine("21320 Badalzungen", 0.99, quad_from_box((329, 853, 543, 904))))
    labels = {"address": ("Residential address", "Wohnanschrift", "Adresse", "Anschrift")}
    ctx = PageContext.build(Page("form.jpg", 1, 1000, 1000, lines), labels, offset=Layout())
    zone = ZoneLocator(box=(0.3, 0.78, 0.7, 0.92), lines=2)
    assert [c.text for c in zone_candidates(ctx, "address", zone)] == ["Lia-Freudenberger-Gasse 64/93\n21320 Badalzungen"]


def test_a_small_unsure_line_in_a_one_line_zone_comes_after_the_full_size_value() -> None:
    # a form photo: "Nom" printed small above its box read "Nost" (0.73), the value below at full size
    lines = (TextLine("Nost", 0.73, quad_from_box((94, 229, 139, 253))),
             TextLine("Maillet-Courtois", 0.98, quad_from_box((93, 260, 267, 292))))
    ctx = PageContext.build(Page("form.png", 1, 1000, 1000, lines), {}, offset=Layout())
    zone = ZoneLocator(box=(0.06, 0.22, 0.4, 0.30))
    assert [c.text for c in zone_candidates(ctx, "surname", zone)] == ["Maillet-Courtois", "Nost"]


def test_a_garbled_label_under_a_heading_holding_a_label_is_no_part_of_the_address() -> None:
    # a German form photo: the heading "2. Anschrift und Kontakt" holds the label word "Anschrift"; the
    # field's own label below it, "Wohnanschrift", was read "Wohnamchuin" at full height (motion blur)
    rows = [("2. Anschrift und Kontakt", 79, 380, 322, 410), ("Wohnamchuin", 81, 418, 181, 447),
            ("Maximilian-Wulf-Straße 9245", 79, 448, 354, 481), ("30220 Lüneburg", 79, 475, 235, 513)]
    labels = ["Wohnanschrift", "Anschrift"]
    assert values(rows, "address", labels, lines=2)[0] == "Maximilian-Wulf-Straße 9245\n30220 Lüneburg"


def test_a_short_label_beginning_a_garbled_longer_label_is_not_found_there() -> None:
    # "Date" (the application date's label) starts "Date de naissance", read "Date de snosnuce": the date
    # under it is the date of birth, not the application date
    rows = [("Date de snosnuce", 74, 280, 226, 305), ("07/05/1963", 74, 307, 209, 339),
            ("Date", 77, 995, 124, 1020), ("28/06/2026", 76, 1022, 212, 1054)]
    others = {"date_of_birth": ("Date de naissance",)}
    assert values(rows, "application_date", ["Date"], others=others)[0] == "28/06/2026"


def test_an_address_word_that_begins_with_a_label_keeps_the_address_whole() -> None:
    rows = [("8 ADDRESS", 292, 270, 379, 290), ("1515 MICHAEL HEIGHTS APT. 710", 293, 291, 664, 315),
            ("WANDABERG, CA 95570", 293, 319, 561, 341), ("16 HEIGHT", 405, 431, 484, 450)]
    got = values(rows, "address", ["8 ADDRESS"], others={"height": ("16 HEIGHT", "Height")}, lines=2)
    assert got[0] == "1515 MICHAEL HEIGHTS APT. 710\nWANDABERG, CA 95570"


def test_a_date_in_its_zone_is_no_garbled_label() -> None:
    # "08" reads like "DOB" once 0/O and 8/B are taken as look-alikes: a date is a value all the same
    lines = (TextLine("Fecte de naciniento", 0.69, quad_from_box((97, 332, 249, 356))),
             TextLine("10/08/1971", 0.96, quad_from_box((97, 365, 216, 394))))
    ctx = PageContext.build(Page("form.png", 1, 1251, 1786, lines), {"date_of_birth": DOB}, offset=Layout())
    zone = ZoneLocator(box=(0.0677, 0.1893, 0.2935, 0.2235))
    assert next(c.text for c in zone_candidates(ctx, "date_of_birth", zone)) == "10/08/1971"


def test_the_value_under_a_bilingual_label_matched_on_its_second_language_starts_where_the_label_does() -> None:
    # an ID card photo: "Given names / Prénoms" read "Civees Annes /Prenoms"; only "Prenoms" matched, but the
    # value sits under the label's start, not under "Prenoms" (where the next column's "Nationality" begins)
    rows = [("Civees Annes /Prenoms", 342, 179, 539, 202), ("HENRY DENIS", 342, 203, 576, 233),
            ("Sex/Sexe", 342, 256, 435, 282), ("Matonlly / Medonaine", 500, 260, 706, 288)]
    assert values(rows, "given_names", ["Given names", "Prénoms"])[0] == "HENRY DENIS"


def test_a_trilingual_date_of_birth_label_is_no_expiry_label() -> None:
    # "Fecha de nacimiento" fuzzy-matches the expiry's "Fecha de vencimiento" (92): the exact match of the
    # date of birth's own label wins, and the expiry's value is the one under its own label
    rows = [("Date of birth / Date de naissance / Fecha de nacimiento", 406, 377, 794, 400),
            ("30 AUG 1943", 407, 401, 581, 431),
            ("Date of expiry / Date d'expiration / Fecha de caducidad", 404, 583, 785, 604),
            ("29 MAR 2031", 403, 604, 581, 636)]
    expiry = ("Date of expiry", "Date d'expiration", "Fecha de caducidad", "Fecha de vencimiento")
    dob = ("Date of birth", "Date de naissance", "Fecha de nacimiento")
    assert values(rows, "date_of_expiry", expiry, others={"date_of_birth": dob}, max_dy=2.6)[0] == "29 MAR 2031"
    assert values(rows, "date_of_birth", dob, others={"date_of_expiry": expiry}, max_dy=2.6)[0] == "30 AUG 1943"


def test_a_label_glued_to_its_value_in_a_zone_is_cut_off() -> None:
    # a French ID card photo: "Nom: LE HUMBERT" read without its colon and space
    lines = (TextLine("NomLE HUMBERT", 0.98, quad_from_box((455, 255, 733, 307))),
             TextLine("prénomts): Tristan", 0.88, quad_from_box((462, 318, 663, 363))))
    labels = {"surname": ("Nom :", "Surname", "Nom"), "given_names": ("Prénom(s)", "Given names")}
    ctx = PageContext.build(Page("id.jpg", 1, 1000, 700, lines), labels, offset=Layout())
    zone = ZoneLocator(box=(0.44, 0.35, 0.97, 0.45))
    assert [c.text for c in zone_candidates(ctx, "surname", zone)] == ["LE HUMBERT"]


def test_a_licence_photo_not_cropped_from_its_background_is_placed_by_its_numbered_labels() -> None:
    from kyc_ocr.templates import builtin_templates

    # a licence front photo (synthetic, seed 6674300) whose card preprocessing left uncropped, at 70% of the page:
    # the lines as read (1286 x 922 page); the signature read as "2", the tiny "1" and "2" labels not at all
    rows = [("4d DLN", 517, 273, 570, 294), ("4b EXP", 835, 279, 886, 300), ("J0784791", 513, 291, 646, 325),
            ("GUERRA", 508, 357, 631, 390), ("SHELBY", 503, 419, 611, 450), ("3 DOB", 491, 554, 540, 577),
            ("4a ISS", 818, 554, 865, 576), ("07/07/1961", 489, 574, 633, 605), ("15 SEX", 487, 622, 543, 645),
            ("2", 232, 653, 320, 704), ("F", 485, 644, 508, 670), ("5 DD", 484, 699, 525, 720)]
    licence = next(t for t in builtin_templates() if t.id == "usa-driver-license-front")
    read = page(rows, 1286, 922)
    layout = layout_offset(read, licence.match.anchor_zones)
    assert layout is not None and layout.confirmed and layout.scale == pytest.approx(0.70, abs=0.03)
    labels = {f.name: next(loc.label.labels for loc in f.locators if loc.label) for f in licence.fields
              if f.name in ("surname", "given_names")}
    ctx = PageContext.build(read, labels, offset=layout)
    zones = {f.name: next(loc.zone for loc in f.locators if loc.zone) for f in licence.fields if f.name in labels}
    assert [c.text for c in zone_candidates(ctx, "given_names", zones["given_names"])] == ["SHELBY"]
    assert [c.text for c in zone_candidates(ctx, "surname", zones["surname"])] == ["GUERRA"]
    # the signature read "2", twice as tall as the line to its right, is no field number labelling it
    assert [c.text for c in label_candidates(ctx, "given_names", LabelLocator(labels=labels["given_names"]))] == []
    # a field number printed small before its value still is one
    small = page([("2", 300, 200, 310, 215), ("SHELBY", 330, 196, 440, 222)], 1286, 922)
    ctx = PageContext.build(small, labels)
    assert [c.text for c in label_candidates(ctx, "given_names", LabelLocator(labels=labels["given_names"]))] == [
        "SHELBY"]


def test_a_form_photo_not_cropped_from_its_background_is_placed_by_its_section_headings() -> None:
    from kyc_ocr.templates import builtin_templates

    # an application form photo (synthetic, seed 6674300) left uncropped at about 69% of a 1726 x 2544 page:
    # the lines as read; "Dokumentnummer" and "Vornamen" not read, the top labels garbled
    rows = [("KUNDENANTRAG", 371, 390, 728, 447), ("1. Angaben zur Person", 373, 500, 676, 548),
            ("Nachnsme", 373, 544, 477, 576), ("Müller-Roht", 371, 572, 528, 615), ("Geburtodatum", 374, 637, 506, 668),
            ("07.05.1995", 372, 666, 520, 706), ("2. Anschrift und Kontakt", 376, 751, 712, 794),
            ("Tlustekring 8-5", 374, 823, 569, 863), ("47059 Luckenwalde", 375, 851, 628, 894),
            ("3. Ausweisdokument", 379, 1042, 665, 1081), ("Dokumentart", 379, 1084, 503, 1115),
            ("Reisepass", 377, 1115, 513, 1157), ("HK0KF550W", 805, 1126, 968, 1160), ("4. Vertrag", 379, 1203, 527, 1245),
            ("Kundennummer", 380, 1250, 527, 1279), ("Policennummer", 809, 1250, 948, 1277),
            ("cust-6674300-00048", 379, 1284, 638, 1316), ("POL-58076594", 808, 1279, 994, 1314)]
    form = next(t for t in builtin_templates() if t.id == "kyc-application-form")
    read = page(rows, 1726, 2544)
    layout = layout_offset(read, form.match.anchor_zones)
    assert layout is not None and layout.confirmed and layout.scale == pytest.approx(0.69, abs=0.02)
    ctx = PageContext.build(read, {}, offset=layout)
    zones = {f.name: next(loc.zone for loc in f.locators if loc.zone) for f in form.fields
             if any(loc.zone for loc in f.locators)}
    got = {name: [c.text for c in zone_candidates(ctx, name, zones[name])]
           for name in ("document_number", "customer_id", "policy_number")}
    assert got == {"document_number": ["HK0KF550W"], "customer_id": ["cust-6674300-00048"],
                   "policy_number": ["POL-58076594"]}


def test_a_block_zone_takes_back_its_first_line_from_just_over_its_top_edge() -> None:
    # a bill photo (synthetic, seed 6674300): the layout fitted a few pixels low, so the recipient's street line
    # sits just over the address zone's top edge, under the name (lines as read on a 1734 x 2276 page)
    rows = [("Lubomír Dušek Beránek", 437, 498, 694, 534), ("Hnězdenská 8", 439, 533, 590, 567),
            ("792 65 Odry", 436, 563, 576, 604)]
    read = page(rows, 1734, 2276)
    zone = ZoneLocator(box=(0.244, 0.243, 0.572, 0.28), lines=2)
    ctx = PageContext.build(read, {}, offset=Layout())
    assert [c.text for c in zone_candidates(ctx, "address", zone)] == ["Hnězdenská 8\n792 65 Odry"]
    # a line further up (its centre over half its height above the edge) stays out
    far = page([("Hnězdenská 8", 439, 515, 590, 549), ("792 65 Odry", 436, 563, 576, 604)], 1734, 2276)
    assert [c.text for c in zone_candidates(PageContext.build(far, {}, offset=Layout()), "address", zone)] == [
        "792 65 Odry"]
    # and so does a smaller line above the block (a label)
    label = page([("Address", 439, 540, 520, 562), ("792 65 Odry", 436, 563, 576, 604)], 1734, 2276)
    assert [c.text for c in zone_candidates(PageContext.build(label, {}, offset=Layout()), "address", zone)] == [
        "792 65 Odry"]


def test_a_block_zone_holding_one_line_too_many_takes_the_lines_it_covers_best() -> None:
    # a bill photo (synthetic, round 10's held-out set 2236067): the layout fitted a little high, so the recipient's
    # name line sits just inside the top of the two-line address zone, above the street and town lines
    zone = ZoneLocator(box=(0.087, 0.158, 0.554, 0.211), lines=2)
    rows = [("Madison Arsmong", 110, 268, 330, 300), ("95065 Mank Extomsions Suine 037", 110, 300, 520, 332),
            ("Pont Comeyshire. CA 93073", 110, 332, 460, 364)]
    ctx = PageContext.build(page(rows, 1240, 1754), {}, offset=Layout())
    assert [c.text for c in zone_candidates(ctx, "address", zone)] == [
        "95065 Mank Extomsions Suine 037\nPont Comeyshire. CA 93073"]
    # the block at the zone's top with the next line's top just inside its bottom: the top lines, as before
    low = [("95065 Mark Extensions Suite 037", 110, 282, 520, 314), ("Port Coreyshire, CA 93073", 110, 314, 460, 346),
           ("Account number", 110, 350, 300, 382)]
    ctx = PageContext.build(page(low, 1240, 1754), {}, offset=Layout())
    assert [c.text for c in zone_candidates(ctx, "address", zone)] == [
        "95065 Mark Extensions Suite 037\nPort Coreyshire, CA 93073"]


DATES_CARD = """\
id: dates-card
version: 1
document_type: id_card
match:
  keywords: [[DATES CARD]]
  anchor_zones:
    - {box: [0.05, 0.02, 0.5, 0.12], text: [Republic]}
    - {box: [0.05, 0.85, 0.5, 0.98], text: [Signature]}
fields:
  - name: date_of_issue
    type: date
    date_kind: issue
    locators:
      - zone: [0.05, 0.40, 0.6, 0.55]
  - name: date_of_expiry
    type: date
    date_kind: expiry
    locators:
      - zone: [0.05, 0.50, 0.6, 0.70]
"""


def test_two_dates_are_never_read_from_one_line() -> None:
    # an ID card photo whose expiry zone, fitted a little high, held the issue date's line (misread
    # ``21.08,2012``) above its own: the expiry is the line below, not the issue date again
    from kyc_ocr.domain import TemplateMatch
    from kyc_ocr.extract.document import Evidence, extract_document

    template = load_template_text(DATES_CARD, "dates-card.yaml")
    anchors = [("Republic", 60, 20, 300, 50), ("Signature", 60, 560, 300, 600)]
    rows = [("21.08,2012", 60, 300, 330, 340), ("21.08.2022", 60, 400, 330, 440)]
    detected = page(anchors + rows)
    fields = extract_document(template, TemplateMatch("dates-card", "1", "id_card", 0.9, "test"),
                              Evidence([detected], [], None))
    assert fields["date_of_issue"].value == "2012-08-21"
    assert fields["date_of_expiry"].value == "2022-08-21"
    # with no second line, the expiry is missing rather than the issue date again
    fields = extract_document(template, TemplateMatch("dates-card", "1", "id_card", 0.9, "test"),
                              Evidence([page(anchors + rows[:1])], [], None))
    assert "date_of_expiry" not in fields
    # nor read again from the expiry zone's pixels once the full-page read left it missing
    from kyc_ocr.extract.document import read_missing_zones

    class Reader(FakeRecognizer):
        def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
            self.crops += len(crops)
            return [("21.08,2012", 0.9) for _ in crops]

    image = np.full((630, 1000, 3), 230, np.uint8)
    image[300:340, 60:330] = 12  # the issue date's line, the only ink in the expiry zone
    match = TemplateMatch("dates-card", "1", "id_card", 0.9, "test")
    evidence = Evidence([page(anchors + rows[:1])], [PageImage(image, "card.png", 1, "0" * 64)], None)
    reader = Reader()
    assert read_missing_zones(template, match, fields, evidence, reader) == {} and reader.crops == 1


def test_a_photo_s_zones_are_registered_where_its_lines_sit_centred() -> None:
    # lines of a French ID card photo, flattened but cropped a little loose, its labels unreadable and its sex
    # never detected (page fractions as read). Counting the zones that hold any line pulled the layout up
    # 3% so that the sex zone held the given names' line and the expiry zone the issue date's line above its own
    from kyc_ocr.extract.locators import registered_layout, zone_lines
    from kyc_ocr.templates.loader import builtin_templates

    rows = [("542994842848", 0.357, 0.159, 0.536, 0.209), ("NmLOUIS", 0.328, 0.254, 0.477, 0.316),
            ("Prénomés): Madeleine", 0.331, 0.343, 0.538, 0.401), ("Na:FRANÇAISE", 0.557, 0.432, 0.794, 0.494),
            ("N():19.05.1991", 0.333, 0.511, 0.531, 0.566), ("SAINTASTRID", 0.332, 0.608, 0.538, 0.659),
            ("Deliviée le: 21.08.2012", 0.330, 0.699, 0.529, 0.749),
            ("Falable joquau:20.08.2027", 0.332, 0.772, 0.562, 0.824)]
    card = page([(t, x0 * 1044, y0 * 618, x1 * 1044, y1 * 618) for t, x0, y0, x1, y1 in rows], 1044, 618)
    template = builtin_templates().get("xfr-id-card")
    zones = {spec.name: loc.zone for spec in template.fields for loc in spec.locators if loc.zone is not None}
    layout = registered_layout(card, [z.box for z in zones.values()])
    held = {name: [card.lines[i].text for i in zone_lines(card, layout.apply(z))] for name, z in zones.items()}
    assert held["sex"] == []
    assert held["date_of_issue"] == ["Deliviée le: 21.08.2012"]
    assert held["date_of_expiry"] == ["Falable joquau:20.08.2027"]
    assert all(len(lines) == 1 for name, lines in held.items() if name != "sex")


def test_text_after_a_small_label_over_a_bigger_value_is_more_label() -> None:
    # an ID card photo read the bilingual label "Surname / Nom" as "Sumame: Noth": after the colon is the
    # label's second language, the surname is the big line under it
    rows = [("Sumame: Noth", 543, 185, 654, 216), ("ESPEJO-PORTERO", 541, 208, 837, 265),
            ("Gave aanes: Pwoos", 535, 268, 698, 307), ("HIPOLITO", 530, 289, 682, 336)]
    found = values(rows, "surname", ["Surname", "Nom"])
    assert found[0] == "ESPEJO-PORTERO" and found[-1] == "Noth"  # still offered, after what lies below
    # an inline label and its value on one line, the next field's line as tall: the value is after the colon
    rows = [("Nom : LOUIS", 330, 160, 600, 200), ("Prénom(s) : Madeleine", 330, 215, 640, 255)]
    assert values(rows, "surname", ["Nom"])[0] == "LOUIS"
