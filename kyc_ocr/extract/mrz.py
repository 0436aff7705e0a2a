"""ICAO Doc 9303 machine-readable zones: parse (with OCR repair) and build.

Pure text in, frozen :class:`MRZ` out. The five formats (TD1, TD2, TD3, MRV-A,
MRV-B) are tables in :mod:`kyc_ocr.extract.mrz_layout`; OCR repair lives in
:mod:`kyc_ocr.extract.mrz_repair`; :func:`build_mrz` in
:mod:`kyc_ocr.extract.mrz_build`.

The ICAO 9303 Part 4 specimen passport:

>>> m = parse_mrz("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\n"
...               "L898902C36UTO7408122F1204159ZE184226B<<<<<10", today=dt.date(2010, 1, 1))
>>> m.format, m.valid, m.score, m.surname, m.given_names, m.document_number
('TD3', True, 100, 'ERIKSSON', 'ANNA MARIA', 'L898902C3')
>>> m.date_of_birth, m.date_of_expiry, m.sex, m.personal_number
('1974-08-12', '2012-04-15', 'F', 'ZE184226B')

Read by an OCR engine that took the letter O of ``UTO`` for a zero:

>>> m = parse_mrz("P<UT0ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\\n"
...               "L898902C36UT07408122F1204159ZE184226B<<<<<10")
>>> m.valid, m.issuing_country, [c.to_dict()["to"] for c in m.corrections]
(True, 'UTO', ['O', 'O'])

A wrong check digit is reported, not raised:

>>> parse_mrz("I<UTOD231458907<<<<<<<<<<<<<<<\\n7408122F1204159UTO<<<<<<<<<<<5\\n"
...           "ERIKSSON<<ANNA<MARIA<<<<<<<<<<").failed_checks
('composite',)
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import Any

from kyc_ocr.errors import MRZError
from kyc_ocr.extract.mrz_build import build_mrz, name_field
from kyc_ocr.extract.mrz_layout import (
    FILLER,
    LAYOUTS,
    Layout,
    check_digit,
    document_number_parts,
    evaluate_checks,
    layout_for,
)
from kyc_ocr.extract.mrz_repair import Correction, repair_lines

log = logging.getLogger(__name__)

__all__ = ["LAYOUTS", "MRZ", "Correction", "build_mrz", "check_digit", "name_field", "parse_mrz"]

_WIDTHS = {30: 3, 36: 2, 44: 2}
_KINDS = {"P": "passport", "V": "visa", "I": "id_card", "A": "id_card", "C": "id_card"}
_MRZ_CHARS = re.compile(r"[A-Z0-9<]")


@dataclass(frozen=True)
class MRZ:
    """A parsed machine-readable zone.

    ``checks`` has one boolean per check digit of the format; ``valid`` is true
    when all pass (after any repair listed in ``corrections``). ``score``
    (0-100, like PassportEye's) gives 70 points in proportion to the passing
    check digits, 10 for each real calendar date (birth, expiry), 5 for each
    3-letter code that is a known ICAO/ISO country, minus 1 per correction (at most 10).
    Dates are ISO strings, or ``None`` when the MRZ digits are not a calendar date.
    """

    format: str
    lines: tuple[str, ...]
    document_code: str
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    date_of_birth: str | None
    sex: str
    date_of_expiry: str | None
    optional_data: str
    optional_data_2: str = ""
    checks: dict[str, bool] = field(default_factory=dict)
    corrections: tuple[Correction, ...] = ()
    score: int = 0

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(self.checks.values())

    @property
    def failed_checks(self) -> tuple[str, ...]:
        return tuple(name for name, ok in self.checks.items() if not ok)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def document_type(self) -> str:
        """The document code without fillers: ``P``, ``ID``, ``I``, ``V``, ``AC``..."""
        return self.document_code.strip(FILLER).replace(FILLER, "")

    @property
    def kind(self) -> str:
        """The canonical document_type of CONTRACT.md guessed from the code (``passport``...)."""
        return _KINDS.get(self.document_code[:1], "id_card")

    @property
    def personal_number(self) -> str:
        """TD3's personal number (the optional data of other formats)."""
        return self.optional_data

    def to_dict(self) -> dict[str, Any]:
        """Canonical field names -> values (document_type is the MRZ code, e.g. ``P``)."""
        out: dict[str, Any] = {
            "mrz_format": self.format,
            "document_type": self.document_type,
            "issuing_country": self.issuing_country,
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "date_of_birth": self.date_of_birth,
            "sex": self.sex,
            "date_of_expiry": self.date_of_expiry,
        }
        if self.format == "TD3":
            out["personal_number"] = self.optional_data
        else:
            out["optional_data"] = self.optional_data
        if self.format == "TD1":
            out["optional_data_2"] = self.optional_data_2
        out["mrz"] = self.text
        return out


def split_lines(text: str) -> list[str]:
    """Upper-case, drop spaces, expand ``«`` to ``<<`` and split into non-empty lines.

    One unbroken string of 2 x 44, 2 x 36 or 3 x 30 characters is cut into lines.

    >>> split_lines(" p<uto eriksson \\n\\n L898 « ")
    ['P<UTOERIKSSON', 'L898<<']
    >>> [len(x) for x in split_lines("I" * 90)]
    [30, 30, 30]
    """
    text = text.upper().replace("«", "<<").replace("‹", "<")
    lines = [re.sub(r"\s+", "", line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) == 1:
        total = len(lines[0])
        for width, n in ((44, 2), (36, 2), (30, 3)):
            if total == width * n:
                return [lines[0][i * width : (i + 1) * width] for i in range(n)]
    return lines


def _pick_layout(lines: list[str]) -> Layout:
    if len(lines) not in (2, 3):
        raise MRZError(f"not an MRZ: {len(lines)} lines of text (an MRZ has 2 or 3)")
    mean = sum(len(x) for x in lines) / len(lines)
    width = min(_WIDTHS, key=lambda w: abs(w - mean) + (0 if _WIDTHS[w] == len(lines) else 99))
    if _WIDTHS[width] != len(lines) or any(abs(len(x) - width) > 2 for x in lines):
        lengths = "/".join(str(len(x)) for x in lines)
        raise MRZError(f"not an MRZ: line lengths {lengths} fit none of TD1 (3x30), TD2/MRV-B (2x36), TD3/MRV-A (2x44)")
    joined = "".join(lines)
    if len(_MRZ_CHARS.findall(joined)) < 0.9 * len(joined) or joined.count(FILLER) < 2:
        raise MRZError("not an MRZ: too few MRZ characters (A-Z, 0-9, <)")
    return layout_for(len(lines), width, lines[0][:2])


def _iso_date(yymmdd: str, kind: str, today: dt.date) -> str | None:
    """YYMMDD -> ISO with ICAO's missing century: births in the past, expiries up to 50 years ahead.

    >>> _iso_date("740812", "birth", dt.date(2024, 1, 1)), _iso_date("120415", "expiry", dt.date(2024, 1, 1))
    ('1974-08-12', '2012-04-15')
    >>> _iso_date("231231", "birth", dt.date(2024, 1, 1)), _iso_date("991231", "expiry", dt.date(2024, 1, 1))
    ('2023-12-31', '1999-12-31')
    >>> _iso_date("74<<<<", "birth", dt.date(2024, 1, 1)) is None
    True
    """
    if not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    year = 2000 + yy
    try:
        value = dt.date(year, mm, dd)
        if kind == "birth" and value > today or kind == "expiry" and year > today.year + 50:
            value = value.replace(year=year - 100)
    except ValueError:
        return None
    return value.isoformat()


def _names(raw: str) -> tuple[str, str]:
    surname, _, given = raw.strip(FILLER).partition("<<")
    return surname.replace(FILLER, " ").strip(), given.replace(FILLER, " ").strip()


def _known_code(code: str) -> bool:
    from kyc_ocr.errors import InputError
    from kyc_ocr.extract.normalize import normalize_country  # local: pycountry loads lazily

    try:
        normalize_country(code)
    except InputError:
        return False
    return True


def _score(checks: dict[str, bool], dates: list[str | None], codes: list[str], n_fixes: int) -> int:
    points = 70 * sum(checks.values()) / len(checks)
    points += sum(10 for d in dates if d)
    points += sum(5 for c in codes if _known_code(c))
    return max(0, round(points - min(n_fixes, 10)))


def parse_mrz(text: str, *, today: dt.date | None = None, repair: bool = True) -> MRZ:
    """Parse MRZ text (lines joined by newlines) into an :class:`MRZ`.

    Raises :class:`~kyc_ocr.errors.MRZError` for text that is not an MRZ at all.
    With ``repair`` (default) OCR confusions are fixed as described in
    :mod:`kyc_ocr.extract.mrz_repair`; without it the lines must have the exact length.
    """
    today = today or dt.date.today()
    lines = split_lines(text)
    layout = _pick_layout(lines)
    fixes: list[Correction] = []
    if repair:
        lines, fixes = repair_lines(lines, layout)
    elif any(len(x) != layout.width for x in lines):
        raise MRZError(f"not an MRZ: {layout.name} lines must have {layout.width} characters")
    raw = {spec.name: lines[spec.line][spec.start : spec.end] for spec in layout.fields}
    checks = evaluate_checks(layout, lines)
    number, _, optional = document_number_parts(layout, lines)
    surname, given = _names(raw["names"])
    dob = _iso_date(raw["date_of_birth"], "birth", today)
    doe = _iso_date(raw["date_of_expiry"], "expiry", today)
    issuer = raw["issuing_country"].replace(FILLER, "")
    nationality = raw["nationality"].replace(FILLER, "")
    sex = raw["sex"] if raw["sex"] in ("M", "F") else "X"
    if fixes:
        log.debug("MRZ %s: %d corrections", layout.name, len(fixes))
    return MRZ(
        format=layout.name,
        lines=tuple(lines),
        document_code=raw["document_code"],
        issuing_country=issuer,
        surname=surname,
        given_names=given,
        document_number=number.replace(FILLER, ""),
        nationality=nationality,
        date_of_birth=dob,
        sex=sex,
        date_of_expiry=doe,
        optional_data=optional,
        optional_data_2=raw.get("optional_data_2", "").strip(FILLER),
        checks=checks,
        corrections=tuple(fixes),
        score=_score(checks, [dob, doe], [issuer, nationality], len(fixes)),
    )
