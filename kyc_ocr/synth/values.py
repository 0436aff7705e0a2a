"""Printed forms of values (date styles, names) and the MRZ of a document spec."""

from __future__ import annotations

from datetime import date

from kyc_ocr.errors import InputError
from kyc_ocr.extract.mrz_build import build_mrz
from kyc_ocr.synth.layout import Value
from kyc_ocr.synth.spec import DocSpec

_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

#: template_id -> (MRZ format, document code, which line holds the names)
MRZ_FORMATS: dict[str, tuple[str, str, int]] = {
    "uto-passport-td3": ("TD3", "P", 0),
    "xde-passport-td3": ("TD3", "P", 0),
    "uto-id-td1-back": ("TD1", "I", 2),
    "uto-residence-permit-td2": ("TD2", "IR", 0),
}


def fmt_date(day: date, style: str) -> str:
    """A date as a document prints it.

    >>> d = date(1974, 8, 12)
    >>> [fmt_date(d, s) for s in ("mon", "dots", "slash", "us", "iso", "spaces")]
    ['12 AUG 1974', '12.08.1974', '12/08/1974', '08/12/1974', '1974-08-12', '12 08 1974']
    """
    if style == "mon":
        return f"{day.day:02d} {_MONTHS[day.month - 1]} {day.year}"
    patterns = {"dots": "%d.%m.%Y", "slash": "%d/%m/%Y", "us": "%m/%d/%Y", "iso": "%Y-%m-%d", "spaces": "%d %m %Y"}
    return day.strftime(patterns[style])


def date_value(day: date, style: str) -> Value:
    """A date value: printed in ``style``, canonical ISO."""
    return Value.of(fmt_date(day, style), day.isoformat())


def upper(text: str) -> str:
    """Upper-case as documents print names (German ß stays ß).

    >>> upper("Weiß-Müller")
    'WEIß-MÜLLER'
    """
    return "".join(c if c == "ß" else c.upper() for c in text)


def mrz_names(mrz: str, template_id: str) -> tuple[str, str]:
    """Surname and given names as the MRZ holds them (fillers -> spaces, truncation kept).

    >>> mrz_names("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\nL898902C36UTO7408122F1204159ZE184226B<<<<<10",
    ...           "uto-passport-td3")
    ('ERIKSSON', 'ANNA MARIA')
    """
    fmt, _, line = MRZ_FORMATS[template_id]
    text = mrz.split("\n")[line]
    name = text[5:] if fmt in ("TD3", "TD2") else text
    surname, _, given = name.partition("<<")
    return " ".join(p for p in surname.split("<") if p), " ".join(p for p in given.split("<") if p)


def tamper(mrz: str, template_id: str) -> str:
    """Change the document-number check digit (a forged or mistyped MRZ).

    >>> tamper("I<UTOD231458907<<<<<<<<<<<<<<<\\n3407127M9507122UTO<<<<<<<<<<<2\\nX<<Y<<<<<<<<<<<<<<<<<<<<<<<<<<",
    ...        "uto-id-td1-back").split("\\n")[0]
    'I<UTOD231458908<<<<<<<<<<<<<<<'
    """
    fmt = MRZ_FORMATS[template_id][0]
    lines = mrz.split("\n")
    row, pos = (0, 14) if fmt == "TD1" else (1, 9)
    digit = lines[row][pos]
    new = str((int(digit) + 1) % 10) if digit.isdigit() else "1"
    lines[row] = lines[row][:pos] + new + lines[row][pos + 1:]
    return "\n".join(lines)


def mrz_values(spec: DocSpec) -> dict[str, Value]:
    """``mrz``, ``surname_mrz`` and ``given_names_mrz`` for a spec whose template has an MRZ."""
    fmt, code, _ = MRZ_FORMATS[spec.template_id]
    p = spec.person
    if spec.expires is None:
        raise InputError(f"{spec.template_id}: an MRZ needs a date of expiry")
    mrz = build_mrz(fmt, document_code=code, issuing_country=spec.issuing_country, surname=p.surname,
                    given_names=p.given_names, document_number=spec.number, nationality=p.nationality,
                    date_of_birth=p.date_of_birth.isoformat(), sex=p.sex, date_of_expiry=spec.expires.isoformat(),
                    optional_data=spec.personal_number)
    if spec.tamper_mrz:
        mrz = tamper(mrz, spec.template_id)
    surname, given = mrz_names(mrz, spec.template_id)
    return {
        "mrz": Value(tuple(mrz.split("\n")), mrz),
        "surname_mrz": Value((), surname),
        "given_names_mrz": Value((), given),
    }
