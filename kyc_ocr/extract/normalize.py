"""Normalisers: turn printed values into the canonical forms of CONTRACT.md.

Every function is pure and raises :class:`~kyc_ocr.errors.InputError` when the
text cannot be a value of its kind (never returns ``None`` for failure).

>>> transliterate_icao("Müller-Lüdenscheidt")
'MUELLER<LUEDENSCHEIDT'
>>> normalize_date("12 AOUT/AUG 1974"), normalize_country("Deutsch"), normalize_sex("Féminin")
('1974-08-12', 'DEU', 'F')
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import pycountry
from anyascii import anyascii
from dateutil import parser as date_parser

from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

# ICAO Doc 9303 Part 3 (7th ed.), section 6, "Transliteration of multinational Latin-based
# characters": the recommended transliteration (first column) for each character.
_ICAO_LATIN: dict[str, str] = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS", "Þ": "TH",
    "Ð": "D", "Đ": "D", "Ñ": "N", "Œ": "OE", "Ĳ": "IJ", "Ł": "L", "Ŀ": "L", "Ħ": "H",
    "Ŧ": "T", "Ŋ": "N", "ı": "I", "ĸ": "K",
}
# Apostrophes (and other punctuation) are omitted without a filler; hyphens, commas and
# spaces separate name components and become the filler ``<``.
_TO_FILLER = {" ", "-", "‐", "‑", "‒", "–", "—", ",", "<", "\t"}


def transliterate_icao(name: str) -> str:
    """Transliterate a printed name into MRZ characters (``A-Z`` and ``<``).

    Diacritics follow ICAO 9303 Part 3's table (Ä→AE, Ö→OE, Ü→UE, Å→AA, Ø→OE,
    ß→SS, Þ→TH, Ñ→N); other scripts and accents go through ``anyascii``.
    Spaces, hyphens and commas become ``<``; apostrophes and other marks vanish.
    Runs of separators collapse to one ``<`` (the ``<<`` between surname and
    given names is the caller's to add); leading/trailing fillers are trimmed.

    >>> transliterate_icao("Ørsted Þórsdóttir")
    'OERSTED<THORSDOTTIR'
    >>> transliterate_icao("d'Artagnan")
    'DARTAGNAN'
    >>> transliterate_icao("Groß  Peña")
    'GROSS<PENA'
    >>> transliterate_icao("Åsa-Cécile")
    'AASA<CECILE'
    >>> transliterate_icao("Юлия")
    'YULIYA'
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", name):
        up = ch.upper() if ch != "ß" else ch
        if up in _ICAO_LATIN:
            out.append(_ICAO_LATIN[up])
        elif ch in _TO_FILLER:
            out.append("<")
        else:
            ascii_text = anyascii(up).upper()
            out.append("".join(c for c in ascii_text if "A" <= c <= "Z" or c.isdigit() or c == " "))
    text = re.sub("<+", "<", "".join(out).replace(" ", "<"))
    return text.strip("<")


# --- dates ---------------------------------------------------------------------------------

_MONTH_WORDS = {
    1: "JANUARY JAN JANVIER JANV JANUAR ENERO ENE GENNAIO GEN JANEIRO JANUARI",
    2: "FEBRUARY FEB FEVRIER FEVR FEV FEBRUAR FEBRERO FEBBRAIO FEVEREIRO FEBRUARI",
    3: "MARCH MAR MARS MAERZ MARZ MRZ MARZO MARCO MAART MRT",
    4: "APRIL APR AVRIL AVR ABRIL ABR APRILE",
    5: "MAY MAI MAYO MAGGIO MAG MAIO MEI",
    6: "JUNE JUN JUIN JUNI JUNIO GIUGNO GIU JUNHO",
    7: "JULY JUL JUILLET JUIL JULI JULIO LUGLIO LUG JULHO",
    8: "AUGUST AUG AOUT AGOSTO AGO AUGUSTUS",
    9: "SEPTEMBER SEP SEPT SEPTEMBRE SEPTIEMBRE SETIEMBRE SETTEMBRE SET SETEMBRO",
    10: "OCTOBER OCT OCTOBRE OKTOBER OKT OCTUBRE OTTOBRE OTT OUTUBRO OUT",
    11: "NOVEMBER NOV NOVEMBRE NOVIEMBRE NOVEMBRO",
    12: "DECEMBER DEC DECEMBRE DEZEMBER DEZ DICIEMBRE DIC DICEMBRE DEZEMBRO",
}
_MONTHS = {word: num for num, words in _MONTH_WORDS.items() for word in words.split()}
_EN = ["", "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_KINDS = ("birth", "expiry", "issue", "any")


def _fold(text: str) -> str:
    """Upper case without accents (AOÛT -> AOUT, MÄRZ -> MARZ)."""
    decomposed = unicodedata.normalize("NFKD", text.upper())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _english_months(text: str) -> str:
    """Replace month words (first of a bilingual pair like ``AOUT/AUG``) by English abbreviations."""
    text = re.sub(r"([A-Z]{3,})\.?\s*/\s*[A-Z]{3,}\.?", r"\1", text)

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        if word not in _MONTHS:
            raise InputError(f"not a date: unknown word {word!r}")
        return f" {_EN[_MONTHS[word]]} "

    return re.sub(r"[A-Z]+", repl, text)


def _close_digit_gaps(text: str) -> str:
    """A space OCR put between two digits of a date that has ``/``, ``.`` or ``-`` separators removed.

    >>> _close_digit_gaps("16/1 1/1935"), _close_digit_gaps("12 08 1974"), _close_digit_gaps("3. 10. 2001")
    ('16/11/1935', '12 08 1974', '3. 10. 2001')
    """
    if not re.search(r"\d[/.\-]\d", text):
        return text
    return re.sub(r"(?<=\d) (?=\d)", "", text)


def _comma_for_dot(text: str) -> str:
    """A comma OCR read between the digit groups of a dotted date is the dot (``12.07,1999``; both dots read
    as commas on a blurred photo: ``17,10,1937``).

    >>> _comma_for_dot("12.07,1999"), _comma_for_dot("12,07.1999"), _comma_for_dot("MARCH 3, 2001")
    ('12.07.1999', '12.07.1999', 'MARCH 3, 2001')
    >>> _comma_for_dot("17,10,1937"), _comma_for_dot("1,234,567")
    ('17.10.1937', '1,234,567')
    """
    if not re.fullmatch(r"\d{1,4}[.,]\d{1,2}[.,]\d{2,4}", text):
        return text
    return text.replace(",", ".")


def _expand_compact(text: str, order: str) -> str:
    """``740812`` / ``19740812`` -> separated parts in the given order; so are eight digits of which OCR
    lost one separator (``08/101939``): two groups cannot be a day, a month and a year otherwise.

    >>> _expand_compact("19740812", "YMD"), _expand_compact("08/101939", "DMY"), _expand_compact("12.08.1974", "DMY")
    ('1974 08 12', '08 10 1939', '12.08.1974')
    """
    groups = re.findall(r"\d+", text)
    if re.fullmatch(r"[\d./\- ]+", text) and len(groups) == 2 and sum(map(len, groups)) == 8:
        text = "".join(groups)
    if not re.fullmatch(r"\d{6}|\d{8}", text):
        return text
    ylen = len(text) - 4
    sizes = {"Y": ylen, "M": 2, "D": 2}
    parts, pos = [], 0
    for key in order:
        parts.append(text[pos : pos + sizes[key]])
        pos += sizes[key]
    return " ".join(parts)


def _century(value: dt.date, kind: str, today: dt.date) -> dt.date:
    """Choose the century of a 2-digit year by the kind of date."""
    year = 2000 + value.year % 100
    if kind in ("birth", "issue"):
        year = year if dt.date(year, 1, 1) <= today else year - 100
    elif kind == "expiry":
        year = year if year <= today.year + 50 else year - 100
    else:
        year = year if year <= today.year + 20 else year - 100
    try:
        return value.replace(year=year)
    except ValueError as exc:  # 29 February in a non-leap year
        raise InputError(f"not a date: {value.month:02d}-{value.day:02d} in {year}") from exc


def normalize_date(text: str, order: str = "DMY", *, kind: str = "any", today: dt.date | None = None) -> str:
    """Parse a printed date into ISO ``YYYY-MM-DD``.

    ``order`` is the field order the document prints (DMY, MDY or YMD); a leading
    4-digit year always means year first. Month names may be English, French,
    German, Spanish, Italian, Portuguese or Dutch, short or long, or bilingual
    (``AOUT/AUG``). Two-digit years get their century from ``kind``: a birth or
    issue date is not in the future, an expiry is at most 50 years ahead.

    >>> normalize_date("12.08.1974"), normalize_date("1974-08-12"), normalize_date("08/12/1974", "MDY")
    ('1974-08-12', '1974-08-12', '1974-08-12')
    >>> normalize_date("12 08 74", kind="birth", today=dt.date(2024, 1, 1))
    '1974-08-12'
    >>> normalize_date("12 JAN/JAN 30", kind="expiry", today=dt.date(2024, 1, 1))
    '2030-01-12'
    >>> normalize_date("3. März 2001"), normalize_date("15 DIC 1999"), normalize_date("740812", "YMD")
    ('2001-03-03', '1999-12-15', '1974-08-12')
    >>> normalize_date("31.02.2001")
    Traceback (most recent call last):
    ...
    kyc_ocr.errors.InputError: not a date: '31.02.2001'
    """
    order = order.upper()
    if sorted(order) != ["D", "M", "Y"] or kind not in _KINDS:
        raise InputError(f"bad date order {order!r} or kind {kind!r}")
    today = today or dt.date.today()
    folded = _expand_compact(_comma_for_dot(_close_digit_gaps(re.sub(r"\s+", " ", _fold(text)).strip())), order)
    cleaned = _english_months(folded)
    year_first = bool(re.match(r"\s*\d{4}\b", cleaned)) or order.startswith("Y")
    digits_only = re.sub(r"[^0-9]", " ", cleaned).split()
    two_digit_year = not any(len(tok) == 4 for tok in digits_only)
    try:
        first = date_parser.parse(cleaned, dayfirst=order.startswith("D") and not year_first,
                                  yearfirst=year_first, default=dt.datetime(2000, 1, 1))
        second = date_parser.parse(cleaned, dayfirst=order.startswith("D") and not year_first,
                                   yearfirst=year_first, default=dt.datetime(2001, 2, 2))
    except (ValueError, OverflowError) as exc:
        raise InputError(f"not a date: {text!r}") from exc
    if first != second:
        raise InputError(f"not a full date (day, month and year): {text!r}")
    value = first.date()
    if two_digit_year:
        value = _century(value, kind, today)
    return value.isoformat()


# --- countries -----------------------------------------------------------------------------

# ICAO Doc 9303 Part 3 codes that are not ISO 3166-1 (kept as ICAO writes them), and D for Germany.
ICAO_SPECIAL = {
    "D": "DEU", "UTO": "UTO", "GBD": "GBD", "GBN": "GBN", "GBO": "GBO", "GBP": "GBP", "GBS": "GBS",
    "UNO": "UNO", "UNA": "UNA", "UNK": "UNK", "XXA": "XXA", "XXB": "XXB", "XXC": "XXC", "XXX": "XXX",
    "EUE": "EUE", "XOM": "XOM", "XPO": "XPO", "XBA": "XBA", "XIM": "XIM", "XCC": "XCC", "XCE": "XCE",
    "XCO": "XCO", "XEC": "XEC", "XES": "XES", "XMP": "XMP", "XDC": "XDC", "RKS": "RKS",
}
_ADJECTIVES = {
    "DEU": "GERMAN DEUTSCH DEUTSCHE DEUTSCHLAND ALLEMAND ALLEMANDE ALLEMAGNE",
    "FRA": "FRENCH FRANCAIS FRANCAISE FRANZOSISCH",
    "GBR": "BRITISH UK ENGLISH",
    "USA": "AMERICAN US U.S.A. UNITED STATES",
    "ESP": "SPANISH ESPANOL ESPANOLA ESPANA ESPAGNOL ESPAGNOLE",
    "ITA": "ITALIAN ITALIANO ITALIANA ITALIE ITALIEN ITALIENNE",
    "NLD": "DUTCH NEDERLANDSE NEDERLAND NETHERLANDS HOLLAND",
    "PRT": "PORTUGUESE PORTUGUES PORTUGUESA",
    "BEL": "BELGIAN BELGE BELGISCH",
    "CHE": "SWISS SUISSE SCHWEIZ SCHWEIZER SCHWEIZERISCH",
    "AUT": "AUSTRIAN OSTERREICH OSTERREICHISCH",
    "POL": "POLISH POLSKA POLSKIE",
    "CAN": "CANADIAN CANADIEN CANADIENNE",
    "IRL": "IRISH",
    "UTO": "UTOPIAN UTOPIA",
}
_ADJ = {word: code for code, words in _ADJECTIVES.items() for word in words.split(" ") if word}
_ADJ.update({phrase: code for code, words in _ADJECTIVES.items() for phrase in [words] if " " in words})


def normalize_country(text: str) -> str:
    """A country (code, English name, or a common nationality word) as an ICAO/ISO alpha-3 code.

    >>> [normalize_country(x) for x in ("de", "Germany", "D<<", "UTO", "fra", "Française", "GBN", "Netherlands")]
    ['DEU', 'DEU', 'DEU', 'UTO', 'FRA', 'FRA', 'GBN', 'NLD']
    >>> normalize_country("Atlantis")
    Traceback (most recent call last):
    ...
    kyc_ocr.errors.InputError: not a country: 'Atlantis'
    """
    key = re.sub(r"\s+", " ", _fold(text).replace("<", " ")).strip()
    if key in ICAO_SPECIAL:
        return ICAO_SPECIAL[key]
    if key in _ADJ:
        return _ADJ[key]
    try:
        return str(pycountry.countries.lookup(key).alpha_3)
    except LookupError:
        pass
    for word in key.replace("/", " ").split():
        if word in _ADJ:
            return _ADJ[word]
    raise InputError(f"not a country: {text!r}")


# --- other fields --------------------------------------------------------------------------

_SEX = {
    "M": "M", "MALE": "M", "MAN": "M", "H": "M", "HOMME": "M", "MASCULIN": "M", "MANNLICH": "M",
    "MASCULINO": "M", "MASCHILE": "M", "MANNELIJK": "M", "1": "M",
    "F": "F", "FEMALE": "F", "WOMAN": "F", "FEMME": "F", "FEMININ": "F", "W": "F", "WEIBLICH": "F",
    "FEMENINO": "F", "FEMININO": "F", "FEMMINILE": "F", "V": "F", "VROUWELIJK": "F", "2": "F",
    "X": "X", "<": "X", "9": "X", "U": "X", "UNSPECIFIED": "X", "DIVERS": "X", "D": "X",
}


def normalize_sex(text: str) -> str:
    """``M``, ``F`` or ``X`` from a printed sex (``F/F``, ``Féminin``, ``W``, AAMVA ``1``/``2``/``9``).

    >>> [normalize_sex(x) for x in ("M/M", "female", "Weiblich", "<", "2")]
    ['M', 'F', 'F', 'X', 'F']
    """
    key = _fold(text).strip().strip(".")
    parts = [p.strip() for p in key.split("/") if p.strip()]
    values = {_SEX.get(p) for p in parts} if parts else {None}
    if len(values) != 1 or None in values:
        raise InputError(f"not a sex (M, F or X): {text!r}")
    return values.pop()  # type: ignore[return-value]


def normalize_name(text: str) -> str:
    """Whitespace collapsed, Unicode NFC, case kept as printed.

    >>> normalize_name("  Anna   Mari\\u0301a \\n")
    'Anna María'
    """
    value = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    if not value:
        raise InputError("empty name")
    return value


def normalize_document_number(text: str) -> str:
    """Upper case without spaces or MRZ fillers.

    >>> normalize_document_number(" l898 902<c3 ")
    'L898902C3'
    """
    value = re.sub(r"[\s<]+", "", text).upper()
    if not value:
        raise InputError("empty document number")
    return value


def normalize_address(text: str) -> str:
    """Lines joined with ``, ``, whitespace collapsed, stray commas removed.

    >>> normalize_address("12  Main St ,\\n Springfield,,  IL 62704 ")
    '12 Main St, Springfield, IL 62704'
    """
    parts = [re.sub(r"\s+", " ", p).strip() for p in re.split(r"[\n,]+", unicodedata.normalize("NFC", text))]
    value = ", ".join(p for p in parts if p)
    if not value:
        raise InputError("empty address")
    return value


def normalize_amount(text: str) -> str:
    """A money amount as a plain decimal string (sign kept, currency dropped).

    The last ``.`` or ``,`` followed by one or two digits is the decimal mark.

    >>> [normalize_amount(x) for x in ("1.234,56 EUR", "$1,234.56", "(12.00)", "-7", "1 000")]
    ['1234.56', '1234.56', '-12.00', '-7', '1000']
    """
    first_digit = re.search(r"\d", text)
    head = text[: first_digit.start()] if first_digit else text
    negative = ("(" in text and ")" in text) or "-" in head or "\u2212" in head or text.rstrip().endswith("-")
    digits = re.sub(r"[^\d.,]", "", text)
    if not re.search(r"\d", digits):
        raise InputError(f"not an amount: {text!r}")
    match = re.search(r"[.,](\d{1,2})$", digits)
    whole = re.sub(r"[.,]", "", digits[: match.start()] if match else digits)
    number = f"{whole or '0'}.{match.group(1)}" if match else whole
    try:
        value = Decimal(number)
    except InvalidOperation as exc:
        raise InputError(f"not an amount: {text!r}") from exc
    return str(-value if negative else value)
