"""Write a machine-readable zone from field values (ICAO Doc 9303 Parts 3-7).

Used by the synthetic document generator and by the tests as the inverse of
:func:`kyc_ocr.extract.mrz.parse_mrz`.

>>> print(build_mrz("TD3", document_code="P", issuing_country="UTO", surname="Eriksson",
...     given_names="Anna María", document_number="L898902C3", nationality="UTO",
...     date_of_birth="1974-08-12", sex="F", date_of_expiry="2012-04-15",
...     optional_data="ZE184226B"))
P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
L898902C36UTO7408122F1204159ZE184226B<<<<<10
"""

from __future__ import annotations

import datetime as dt

from kyc_ocr.errors import InputError
from kyc_ocr.extract.mrz_layout import CLASS_CHARS, FILLER, LAYOUTS, Layout, check_digit
from kyc_ocr.extract.normalize import transliterate_icao


def name_field(surname: str, given_names: str, width: int) -> str:
    """The name field: ``SURNAME<<GIVEN<NAMES`` padded or truncated to ``width``.

    Truncation follows ICAO 9303 Part 3 (4.6): given names are cut from the end
    first, keeping at least the initial of the first given name; only then is
    the surname cut. A letter in the last position signals a possible truncation.

    >>> name_field("Eriksson", "Anna Maria", 30)
    'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'
    >>> name_field("Nilavadhanananda", "Chayapa Dejthamrong Krasuang", 39)
    'NILAVADHANANANDA<<CHAYAPA<DEJTHAMRONG<K'
    >>> name_field("Wolfeschlegelsteinhausenbergerdorff", "Hubert Blaine", 30)
    'WOLFESCHLEGELSTEINHAUSENBER<<H'
    >>> name_field("Madonna", "", 12)
    'MADONNA<<<<<'
    """
    primary = transliterate_icao(surname)
    secondary = transliterate_icao(given_names)
    if not primary:
        raise InputError("an MRZ needs a surname (primary identifier)")
    if not secondary:
        return _pad(primary[:width], width)
    full = f"{primary}<<{secondary}"
    if len(full) <= width:
        return _pad(full, width)
    room = width - len(primary) - 2
    if room >= 1:
        return f"{primary}<<{secondary[:room].rstrip(FILLER)}".ljust(width, FILLER)
    return f"{primary[: width - 3]}<<{secondary[0]}"


def _pad(text: str, width: int) -> str:
    return text.ljust(width, FILLER)


def _code(value: str, width: int, what: str, cls: str = "X") -> str:
    """Upper-case, spaces to fillers, pad; refuse characters or lengths an MRZ cannot hold."""
    text = value.strip().upper().replace(" ", FILLER).replace("-", FILLER)
    allowed = CLASS_CHARS[cls]
    if len(text) > width or any(ch not in allowed for ch in text):
        raise InputError(f"{what} {value!r} does not fit {width} MRZ characters of class {cls}")
    return _pad(text, width)


def _date(iso: str, what: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%y%m%d")
    except (TypeError, ValueError) as exc:
        raise InputError(f"{what} must be an ISO date (YYYY-MM-DD), got {iso!r}") from exc


def _sex(sex: str) -> str:
    s = (sex or "").strip().upper()[:1]
    if s in ("M", "F"):
        return s
    if s in ("X", "", "<"):
        return FILLER
    raise InputError(f"sex must be M, F or X, got {sex!r}")


def build_mrz(
    format: str,
    *,
    document_code: str,
    issuing_country: str,
    surname: str,
    given_names: str,
    document_number: str,
    nationality: str,
    date_of_birth: str,
    sex: str,
    date_of_expiry: str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> str:
    """Build the MRZ lines (joined with ``\\n``) of a TD1, TD2, TD3, MRVA or MRVB document.

    ``optional_data`` is the personal number on TD3. A document number longer
    than 9 characters on TD1/TD2 follows the ICAO extension rule: the first 9
    characters, ``<`` in the check-digit position, then the rest of the number,
    its check digit and a filler at the start of the optional data.

    The ICAO 9303 Part 5 example of a 12-character document number:

    >>> print(build_mrz("TD1", document_code="I", issuing_country="UTO", surname="Stevenson",
    ...     given_names="Peter John", document_number="D23145890734", nationality="UTO",
    ...     date_of_birth="1934-07-12", sex="M", date_of_expiry="1995-07-12"))
    I<UTOD23145890<7349<<<<<<<<<<<
    3407127M9507122UTO<<<<<<<<<<<2
    STEVENSON<<PETER<JOHN<<<<<<<<<
    """
    layout = LAYOUTS.get(format.upper())
    if layout is None:
        raise InputError(f"unknown MRZ format {format!r}; expected one of {', '.join(LAYOUTS)}")
    lines = [[FILLER] * layout.width for _ in range(layout.n_lines)]
    number = document_number.strip().upper().replace(" ", "")
    opt = optional_data
    if len(number) > 9:
        if layout.long_number_field is None:
            raise InputError(f"a {layout.name} document number has at most 9 characters")
        opt = f"{number[9:]}{check_digit(_code(number, len(number), 'document number'))}<{optional_data}"
        opt = opt.rstrip(FILLER) if not optional_data else opt
        number = number[:9]
    values = {
        "document_code": _code(document_code, 2, "document code", "A"),
        "issuing_country": _code(issuing_country, 3, "issuing country", "A"),
        "document_number": _code(number, 9, "document number"),
        "nationality": _code(nationality, 3, "nationality", "A"),
        "date_of_birth": _date(date_of_birth, "date of birth"),
        "sex": _sex(sex),
        "date_of_expiry": _date(date_of_expiry, "date of expiry"),
        "optional_data_2": optional_data_2,
    }
    opt_name = "personal_number" if layout.has("personal_number") else "optional_data"
    values[opt_name] = opt
    for spec in layout.fields:
        if spec.name == "names":
            text = name_field(surname, given_names, spec.length)
        else:
            text = _code(values[spec.name], spec.length, spec.name.replace("_", " "), spec.cls)
        lines[spec.line][spec.start : spec.end] = list(text)
    _fill_checks(layout, lines, long_number=len(document_number.strip()) > 9)
    return "\n".join("".join(row) for row in lines)


def _fill_checks(layout: Layout, lines: list[list[str]], *, long_number: bool) -> None:
    for chk in layout.checks:
        line, pos = chk.digit
        if chk.name == "document_number" and long_number:
            lines[line][pos] = FILLER
            continue
        data = "".join("".join(lines[ln][s:e]) for ln, s, e in chk.parts)
        if chk.filler_ok and set(data) == {FILLER}:
            lines[line][pos] = FILLER
            continue
        lines[line][pos] = check_digit(data)
