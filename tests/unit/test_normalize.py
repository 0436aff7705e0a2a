"""Field normalisers: dates, countries, sex, names, numbers, addresses, amounts."""

from __future__ import annotations

import datetime as dt

import pytest

from kyc_ocr.errors import InputError
from kyc_ocr.extract.normalize import (
    normalize_address,
    normalize_amount,
    normalize_country,
    normalize_date,
    normalize_document_number,
    normalize_name,
    normalize_sex,
    transliterate_icao,
)

TODAY = dt.date(2024, 6, 1)


@pytest.mark.parametrize(
    ("text", "order", "kind", "iso"),
    [
        ("12 AOUT/AUG 1974", "DMY", "birth", "1974-08-12"),
        ("12 AOÛT 1974", "DMY", "birth", "1974-08-12"),
        ("12.08.1974", "DMY", "birth", "1974-08-12"),
        ("1974-08-12", "DMY", "birth", "1974-08-12"),
        ("12 08 74", "DMY", "birth", "1974-08-12"),
        ("12 JAN/JAN 74", "DMY", "birth", "1974-01-12"),
        ("08/12/1974", "MDY", "birth", "1974-08-12"),
        ("08/12/30", "MDY", "expiry", "2030-08-12"),
        ("3 März 2001", "DMY", "issue", "2001-03-03"),
        ("15 DICIEMBRE 1999", "DMY", "any", "1999-12-15"),
        ("1 GIUGNO 2010", "DMY", "any", "2010-06-01"),
        ("5 OUTUBRO 2011", "DMY", "any", "2011-10-05"),
        ("5 MEI 2011", "DMY", "any", "2011-05-05"),
        ("740812", "YMD", "birth", "1974-08-12"),
        ("12081974", "DMY", "birth", "1974-08-12"),
        ("01 JAN 25", "DMY", "birth", "1925-01-01"),     # a birth is never in the future
        ("01 JAN 25", "DMY", "expiry", "2025-01-01"),
        ("31 DEC 99", "DMY", "expiry", "1999-12-31"),    # more than 50 years ahead: last century
    ],
)
def test_normalize_date(text: str, order: str, kind: str, iso: str) -> None:
    assert normalize_date(text, order, kind=kind, today=TODAY) == iso


@pytest.mark.parametrize("text", ["", "hello", "31.02.2001", "08/2030", "12 FOO 1974", "99.99.9999"])
def test_normalize_date_rejects(text: str) -> None:
    with pytest.raises(InputError):
        normalize_date(text, today=TODAY)


def test_normalize_date_bad_arguments() -> None:
    with pytest.raises(InputError):
        normalize_date("12.08.1974", "DDY")
    with pytest.raises(InputError):
        normalize_date("12.08.1974", kind="death")


@pytest.mark.parametrize(
    ("text", "code"),
    [("DEU", "DEU"), ("de", "DEU"), ("D", "DEU"), ("D<<", "DEU"), ("Germany", "DEU"), ("Deutsch", "DEU"),
     ("French", "FRA"), ("FRANÇAISE", "FRA"), ("UTO", "UTO"), ("Utopian", "UTO"), ("GBD", "GBD"), ("XXA", "XXA"),
     ("UNO", "UNO"), ("EUE", "EUE"), ("United Kingdom", "GBR"), ("british", "GBR"), ("CHE", "CHE"),
     ("Nationalité / Nationality: FRANÇAISE", "FRA")],
)
def test_normalize_country(text: str, code: str) -> None:
    assert normalize_country(text) == code


@pytest.mark.parametrize("text", ["", "Atlantis", "ZZZ", "12"])
def test_normalize_country_rejects(text: str) -> None:
    with pytest.raises(InputError):
        normalize_country(text)


@pytest.mark.parametrize(("text", "sex"), [("M", "M"), ("F/F", "F"), ("Masculin", "M"), ("FEMME", "F"),
                                           ("weiblich", "F"), ("<", "X"), ("X", "X"), ("1", "M"), ("9", "X")])
def test_normalize_sex(text: str, sex: str) -> None:
    assert normalize_sex(text) == sex


@pytest.mark.parametrize("text", ["", "Q", "M/F", "maybe"])
def test_normalize_sex_rejects(text: str) -> None:
    with pytest.raises(InputError):
        normalize_sex(text)


def test_other_normalisers() -> None:
    assert normalize_name("  Anna\tMaría ") == "Anna María"
    assert normalize_name("Zoe\u0308") == "Zoë"  # NFC
    assert normalize_document_number(" L898 902 C3< ") == "L898902C3"
    assert normalize_address("Flat 2\n 10  Downing St,\nLondon SW1A 2AA") == "Flat 2, 10 Downing St, London SW1A 2AA"
    assert normalize_amount("EUR 1.234.567,8") == "1234567.8"
    assert normalize_amount("-$ 99") == "-99"
    assert normalize_amount("99.00-") == "-99.00"
    for bad, fn in (("", normalize_name), ("<<", normalize_document_number), (" ,\n", normalize_address),
                    ("EUR", normalize_amount)):
        with pytest.raises(InputError):
            fn(bad)


@pytest.mark.parametrize(
    ("name", "mrz"),
    [("Ærøskøbing", "AEROESKOEBING"), ("Þór Ðaði", "THOR<DADI"), ("Straße", "STRASSE"), ("O'Neil", "ONEIL"),
     ("Jean-Luc, Marie", "JEAN<LUC<MARIE"), ("Łukasz Żółć", "LUKASZ<ZOLC"), ("Núñez", "NUNEZ"), ("Åström", "AASTROEM")],
)
def test_transliterate_icao(name: str, mrz: str) -> None:
    assert transliterate_icao(name) == mrz
