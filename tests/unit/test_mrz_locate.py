"""Locating the MRZ among OCR lines."""

from __future__ import annotations

from kyc_ocr.domain import TextLine, quad_from_box
from kyc_ocr.extract.mrz_locate import find_mrz

L1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
L2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"


def _line(text: str, box: tuple[float, float, float, float], conf: float = 0.95) -> TextLine:
    return TextLine(text, conf, quad_from_box(box))


def test_finds_bottom_band_among_other_text() -> None:
    lines = [
        _line("PASSPORT / PASSEPORT", (10, 10, 300, 40)),
        _line("Surname / Nom", (10, 60, 200, 80)),
        _line("ERIKSSON", (10, 85, 200, 110)),
        _line(L1, (10, 500, 900, 530)),
        _line(L2.replace("UTO", "UT0"), (10, 540, 900, 570), 0.9),
    ]
    cand = find_mrz(lines)
    assert cand is not None
    assert cand.text == f"{L1}\n{L2}" and cand.mrz.valid
    assert cand.quads == (quad_from_box((10, 500, 900, 530)), quad_from_box((10, 540, 900, 570)))
    assert abs(cand.confidence - 0.925) < 1e-9


def test_joins_pieces_and_drops_spaces() -> None:
    lines = [
        _line("L898902C36UTO 7408122F1204159", (10, 541, 600, 569)),   # second line split in two, spaced
        _line("ZE184226B<<<<<10", (610, 540, 900, 570)),
        _line("P<UTOERIKSSON<<ANNA<MARIA", (10, 500, 500, 530)),
        _line("<<<<<<<<<<<<<<<<<<<", (505, 502, 900, 531)),
    ]
    cand = find_mrz(lines)
    assert cand is not None and cand.mrz.valid and cand.text == f"{L1}\n{L2}"
    assert len(cand.lines) == 4


def test_one_ocr_line_holding_the_whole_mrz() -> None:
    cand = find_mrz([_line(L1 + L2, (0, 0, 900, 60))])
    assert cand is not None and cand.mrz.valid and len(cand.quads) == 2


def test_page_without_mrz() -> None:
    lines = [_line("INVOICE 12345", (0, 0, 100, 20)), _line("<<<<<<<<<", (0, 30, 100, 50)),
             _line("TOTAL 12.00 EUR", (0, 60, 100, 80))]
    assert find_mrz(lines) is None
    assert find_mrz([]) is None


def test_prefers_the_valid_td1_over_noise() -> None:
    td1 = ["IDCHES0002068<8<<<<<<<<<<<<<<<", "8102287F1301014CHE<<<<<<<<<<<4", "VADIS<<QUO<<<<<<<<<<<<<<<<<<<<"]
    lines = [_line("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", (0, 100, 300, 120))]
    lines += [_line(t, (0, 400 + 30 * i, 300, 425 + 30 * i)) for i, t in enumerate(td1)]
    cand = find_mrz(lines)
    assert cand is not None and cand.mrz.format == "TD1" and cand.mrz.valid


def test_tilted_lines_in_swapped_vertical_order() -> None:
    # a tilted photo: the boxes overlap vertically and the second MRZ line's box starts higher
    lines = [_line(L2, (10, 495, 900, 540)), _line(L1, (12, 505, 905, 545))]
    cand = find_mrz(lines)
    assert cand is not None and cand.mrz.valid and cand.text == f"{L1}\n{L2}"


def test_a_label_line_far_above_is_not_an_mrz_line() -> None:
    # an ID card photo whose MRZ's third line the detector missed: the long bilingual label above, nearly all
    # MRZ characters once cleaned, made a three-line TD1 with the two real lines (and a false REJECT)
    t1, t2 = "I<UTOYS86187633VT8XLCEU<<<<<<<", "8507217F3112021UTO<<<<<<<<<<<0"
    lines = [_line("Date of issue / Date de délivrance", (518, 128, 785, 149)), _line(t1, (56, 397, 964, 441)),
             _line(t2, (55, 462, 963, 506))]
    assert find_mrz(lines) is None
    # the same three rows one under the other at an MRZ's pitch would be tried as one
    stacked = [_line("DATEOFISSUE<DATEDEDELIVRANCE<<", (56, 332, 964, 376)), *lines[1:]]
    found = find_mrz(stacked)
    assert found is not None and found.mrz.format == "TD1"
