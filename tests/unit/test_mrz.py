"""ICAO 9303 MRZ: golden specimens, OCR repair, building, and the cross-check with the `mrz` package."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from kyc_ocr.errors import InputError, KycError, MRZError
from kyc_ocr.extract.mrz import build_mrz, check_digit, parse_mrz

GOLDEN = sorted((Path(__file__).parents[1] / "golden" / "mrz").glob("*.json"))
UTO_TD3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
UTO_TD2 = "I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<\nD231458907UTO7408122F1204159<<<<<<<6"
CHE_TD1 = "IDCHES0002068<8<<<<<<<<<<<<<<<\n8102287F1301014CHE<<<<<<<<<<<4\nVADIS<<QUO<<<<<<<<<<<<<<<<<<<<"


def _load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_specimens_parse(path: Path) -> None:
    case = _load(path)
    m = parse_mrz(case["mrz"], today=dt.date.fromisoformat(case["today"]))
    assert m.valid is case["valid"]
    assert m.score == 100
    assert m.corrections == ()
    assert m.to_dict() == case["expected"]


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_golden_specimens_rebuild_exactly(path: Path) -> None:
    exp = _load(path)["expected"]
    text = build_mrz(
        exp["mrz_format"], document_code=exp["document_type"], issuing_country=exp["issuing_country"],
        surname=exp["surname"], given_names=exp["given_names"], document_number=exp["document_number"],
        nationality=exp["nationality"], date_of_birth=exp["date_of_birth"], sex=exp["sex"],
        date_of_expiry=exp["date_of_expiry"],
        optional_data=exp.get("personal_number", exp.get("optional_data", "")),
        optional_data_2=exp.get("optional_data_2", ""),
    )
    assert text == exp["mrz"]


def test_check_digit_icao_examples() -> None:
    # ICAO 9303 Part 3, 4.9: the worked examples
    assert check_digit("520727") == "3"
    assert check_digit("AB2134<<<") == "5"


@pytest.mark.parametrize(
    ("noisy", "fixes"),
    [
        (UTO_TD3.replace("UTO", "UT0"), 2),                                  # O read as zero, both codes
        (UTO_TD3.replace("L898902C3", "L8989O2C3"), 1),                      # zero read as O in the number
        (UTO_TD3.replace("7408122", "74O8122"), 1),                          # letter in a date
        (UTO_TD3.replace("ZE184226B", "2E184226B"), 1),                      # Z read as 2, check digits decide
        (UTO_TD3.replace("MARIA<<<<<<<<<<<", "MARIA<<<<<<<K<<<<"), 1),       # filler read as K in padding
        (UTO_TD3.replace("<<<<<10", "<<<<10"), 1),                           # a filler dropped
        (UTO_TD3.replace("<<<<<10", "<<<<<<10"), 1),                         # a filler doubled
        (UTO_TD3.replace("<<<<<<<<<<<<<<<<<<<\n", "<<<<<<<<<<<<<<<<<\n"), 1),  # two fillers lost at line end
        (UTO_TD3.replace("<<ANNA", "«ANNA").lower().replace("\n", " \n "), 0),  # « for <<, case, spaces
        (CHE_TD1.replace("S0002068", "S0002O68"), 1),                        # O for zero between digits
        (CHE_TD1.replace("<<<<4\nVADIS", "<<<<A\nVADIS"), 1),                # letter in the composite digit
        (UTO_TD2.replace("D23145890", "D2314589O"), 1),
        (UTO_TD2.replace("<<<<<<<6", "<<<<<<6"), 1),
    ],
)
def test_ocr_confusions_are_repaired(noisy: str, fixes: int) -> None:
    m = parse_mrz(noisy, today=dt.date(2024, 1, 1))
    assert m.valid, m.failed_checks
    clean = UTO_TD3 if m.format == "TD3" else (UTO_TD2 if m.format == "TD2" else CHE_TD1)
    assert m.text == clean
    assert len(m.corrections) >= fixes
    assert all(c.to_dict().keys() == {"line", "position", "from", "to", "why"} for c in m.corrections)


def test_repair_is_reported_with_positions() -> None:
    m = parse_mrz(UTO_TD3.replace("L898902C3", "L8989O2C3"))
    assert [c.to_dict() for c in m.corrections] == [
        {"line": 2, "position": 6, "from": "O", "to": "0", "why": "check digits confirm"}
    ]


def test_bad_check_digit_is_reported_not_raised() -> None:
    m = parse_mrz(UTO_TD3.replace("7408122", "7408123"))
    assert not m.valid
    assert m.failed_checks == ("date_of_birth", "composite")
    assert m.score < 100
    # a digit misread as another digit cannot be repaired: the number stays as read
    m = parse_mrz(UTO_TD3.replace("C36", "C35"))
    assert m.failed_checks == ("document_number", "composite") and m.document_number == "L898902C3"


def test_repair_can_be_switched_off() -> None:
    m = parse_mrz(UTO_TD3.replace("UTO", "UT0"), repair=False)
    # no check digit covers the country codes: still valid, but the score drops (unknown codes)
    assert m.valid and m.issuing_country == "UT0" and m.nationality == "UT0" and m.score == 90
    with pytest.raises(MRZError):
        parse_mrz(UTO_TD3.replace("<<<<<10", "<<<<10"), repair=False)


@pytest.mark.parametrize(
    "text",
    ["", "hello world", "INVOICE 2024\nTotal: 12.00 EUR", "A" * 44 + "\n" + "B" * 44,
     UTO_TD3 + "\n" + UTO_TD3, UTO_TD3[:20], "Ø" * 44 + "\n" + "§" * 44],
)
def test_not_an_mrz_raises_mrz_error(text: str) -> None:
    with pytest.raises(MRZError) as err:
        parse_mrz(text)
    assert isinstance(err.value, InputError) and isinstance(err.value, KycError)
    assert "\n" not in str(err.value)


def test_unreachable_error_is_not_forced_valid() -> None:
    # 9 read as S is not an OCR-B confusion the repair tries: the MRZ stays invalid
    m = parse_mrz(UTO_TD3.replace("L898902C3", "L8S8902C3"))
    assert not m.valid and "document_number" in m.failed_checks


def test_single_unbroken_string_is_split() -> None:
    assert parse_mrz(UTO_TD3.replace("\n", "")).valid


def test_dates_century_rules() -> None:
    m = parse_mrz(UTO_TD3, today=dt.date(1990, 1, 1))
    assert m.date_of_birth == "1974-08-12" and m.date_of_expiry == "2012-04-15"


def test_visa_vs_td2_by_document_code() -> None:
    common = dict(issuing_country="UTO", surname="Eriksson", given_names="Anna", document_number="X1234567",
                  nationality="UTO", date_of_birth="1980-01-31", sex="F", date_of_expiry="2030-12-31")
    assert parse_mrz(build_mrz("MRVB", document_code="V", **common)).format == "MRVB"
    assert parse_mrz(build_mrz("TD2", document_code="I", **common)).format == "TD2"
    assert parse_mrz(build_mrz("MRVA", document_code="V", **common)).format == "MRVA"


def test_build_transliterates_and_truncates_names() -> None:
    text = build_mrz("TD1", document_code="ID", issuing_country="DEU", surname="Müller-Lüdenscheidt",
                     given_names="Hans-Jürgen Karl-Theodor", document_number="T22000129", nationality="DEU",
                     date_of_birth="1964-08-12", sex="X", date_of_expiry="2030-10-31")
    name_line = text.splitlines()[2]
    assert name_line == "MUELLER<LUEDENSCHEIDT<<HANS<JU"
    m = parse_mrz(text)
    assert m.valid and m.sex == "X" and m.surname == "MUELLER LUEDENSCHEIDT"


@pytest.mark.parametrize(
    "kwargs",
    [dict(date_of_birth="12.08.1974"), dict(sex="Q"), dict(issuing_country="U1O"), dict(document_number="TOOLONG123")],
)
def test_build_rejects_bad_values(kwargs: dict) -> None:
    base = dict(document_code="P", issuing_country="UTO", surname="A", given_names="B", document_number="1",
                nationality="UTO", date_of_birth="1974-08-12", sex="F", date_of_expiry="2030-01-01")
    base.update(kwargs)
    with pytest.raises(InputError):
        build_mrz("TD3", **base)
    with pytest.raises(InputError):
        build_mrz("TD9", **{**base, **dict(document_number="1")})


def test_td3_empty_personal_number_check_may_be_filler_or_zero() -> None:
    text = build_mrz("TD3", document_code="P", issuing_country="UTO", surname="Eriksson", given_names="Anna",
                     document_number="L898902C3", nationality="UTO", date_of_birth="1974-08-12", sex="F",
                     date_of_expiry="2012-04-15")
    line2 = text.splitlines()[1]
    assert line2[28:43] == "<" * 15
    assert parse_mrz(text).valid
    assert parse_mrz(text[:-2] + "0" + text[-1]).valid  # '0' in the check position is equally correct


def test_fillers_read_as_c_between_words_are_padding() -> None:
    # A phone photo of a synthetic passport: every other filler after the given name read as C.
    m = parse_mrz("P<UTOMACEDO<LEITE<<ISMAEL<C<CC<CC<CCC<<<<<<<\n"
                  "Y66U7J2121UTO0008213M3108262<<<<<<<<<<<<<<<2", today=dt.date(2026, 6, 30))
    assert m.valid and (m.surname, m.given_names) == ("MACEDO LEITE", "ISMAEL")
    assert {(c.before, c.after, c.why) for c in m.corrections} == {("C", "<", "filler padding")}
    # A lone letter after the given names may be an initial: kept.
    m = parse_mrz("P<UTOMACEDO<LEITE<<ISMAEL<C<<<<<<<<<<<<<<<<<\n"
                  "Y66U7J2121UTO0008213M3108262<<<<<<<<<<<<<<<2", today=dt.date(2026, 6, 30))
    assert m.given_names == "ISMAEL C"


def test_a_letter_read_as_a_filler_inside_the_number_is_found_by_the_check_digits() -> None:
    # a clean synthetic ID card back: the X of MX8935127 read as '<' (a field has no inner gap)
    m = parse_mrz("I<UTOM<89351278<<<<<<<<<<<<<<<\n7811218F2812036UTO<<<<<<<<<<<4\n"
                  "VAN<DER<KLOPPERT<<MAARTJE<<<<<", today=dt.date(2026, 6, 30))
    assert m.valid and m.document_number == "MX8935127"
    assert [(c.before, c.after, c.why) for c in m.corrections] == [("<", "X", "check digits confirm")]


def test_m_read_as_n_in_the_number_is_found_by_the_check_digits() -> None:
    # a German passport photo (synthetic, round 10's training split): "CVPH0NM5N" read "CVPH0NN5N" in a shaken
    # OCR-B line; the number's check digit and the composite both fail, and both pass with the one N that was an M
    read = "P<D<<WARMER<HUEBEL<<BRUNI<FRANCESCA<<<<<<<<<\nCVPH0NN5N6D<<5008045F2810157<<<<<<<<<<<<<<<0"
    m = parse_mrz(read, today=dt.date(2026, 6, 30))
    assert m.valid, m.failed_checks
    assert m.document_number == "CVPH0NM5N"
    assert [(c.line, c.position, c.before, c.after) for c in m.corrections] == [(2, 7, "N", "M")]
    # a number whose check digit no single M/N swap satisfies stays invalid: nothing is guessed
    assert not parse_mrz(read.replace("N6D<<", "N7D<<"), today=dt.date(2026, 6, 30)).valid
