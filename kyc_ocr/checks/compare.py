"""Value comparators shared by the checks: one printed value against another of the same field.

Each returns a :class:`Comparison`: ``match`` (equal after normalising), ``near``
(equal only after forgiving an OCR slip: worth a person's look) or
``mismatch``, with a score in 0..1.

>>> compare_field("document_number", "L898 902C3", "L898902C3").outcome
'match'
>>> compare_field("document_number", "L898902C3", "L8989O2C3").outcome
'near'
>>> compare_field("date_of_birth", "1974-08-12", "1974-08-21").outcome
'mismatch'
>>> compare_field("nationality", "Germany", "D<<").outcome, compare_field("sex", "Féminin", "F").outcome
('match', 'match')
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kyc_ocr.checks.address import address_similarity
from kyc_ocr.checks.base import parse_iso
from kyc_ocr.checks.names import name_forms, name_similarity
from kyc_ocr.errors import InputError
from kyc_ocr.extract.normalize import normalize_country, normalize_sex

# Characters OCR engines confuse in document numbers, mapped to one representative.
_CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "S": "5",
                             "B": "8", "G": "6"})
NAME_FIELDS = frozenset({"surname", "given_names", "full_name"})
DATE_FIELDS = frozenset({"date_of_birth", "date_of_expiry", "date_of_issue"})
COUNTRY_FIELDS = frozenset({"nationality", "issuing_country"})


@dataclass(frozen=True)
class Comparison:
    """The outcome of comparing two values of one field."""

    outcome: str  # match | near | mismatch
    score: float
    note: str = ""


MATCH = Comparison("match", 1.0)


def normalize_number(text: str) -> str:
    """A document number without spaces, fillers, dashes, dots or slashes, upper case.

    >>> normalize_number(" ab-12.345<6 ")
    'AB123456'
    """
    return re.sub(r"[\s<\-./]+", "", text).upper()


def compare_number(a: str, b: str) -> Comparison:
    """Document numbers: equal (match), equal up to O/0, I/1, S/5, B/8... (near), or not. Two neighbours
    swapped is a typing slip, not OCR's, even when they are look-alikes (``5S`` for ``S5``).

    >>> compare_number("X1234567", "x 1234567"), compare_number("AB1234", "AB1235").outcome
    (Comparison(outcome='match', score=1.0, note=''), 'mismatch')
    >>> compare_number("YS6814339", "Y56814339").outcome, compare_number("YS6814339", "Y5S814339").outcome
    ('near', 'mismatch')
    """
    x, y = normalize_number(a), normalize_number(b)
    if x == y:
        return MATCH
    if x.translate(_CONFUSABLE) == y.translate(_CONFUSABLE) and not _swapped(x, y):
        return Comparison("near", 0.8, "equal only up to OCR look-alike characters")
    return Comparison("mismatch", 0.0)


def _swapped(x: str, y: str) -> bool:
    """``y`` is ``x`` with two neighbouring characters swapped."""
    diff = [i for i, (p, q) in enumerate(zip(x, y)) if p != q]
    return len(x) == len(y) and len(diff) == 2 and diff[1] == diff[0] + 1 and x[diff[0]] == y[diff[1]] \
        and x[diff[1]] == y[diff[0]]


def compare_dates(a: str, b: str, *, two_digit_year: bool = False) -> Comparison:
    """ISO dates; with ``two_digit_year`` only YYMMDD counts (an MRZ has no century).

    >>> compare_dates("2074-08-12", "1974-08-12", two_digit_year=True).outcome
    'match'
    >>> compare_dates("1974-08-12", "not a date").outcome
    'mismatch'
    """
    x, y = parse_iso(a), parse_iso(b)
    if x is None or y is None:
        same = a.strip() == b.strip()
        return MATCH if same else Comparison("mismatch", 0.0, "not a calendar date")
    if two_digit_year:
        return MATCH if x.strftime("%y%m%d") == y.strftime("%y%m%d") else Comparison("mismatch", 0.0)
    return MATCH if x == y else Comparison("mismatch", 0.0)


def compare_codes(a: str, b: str, kind: str) -> Comparison:
    """Countries (alpha-3 after :func:`normalize_country`) or sex (``M``/``F``/``X``)."""
    norm = normalize_country if kind == "country" else normalize_sex
    try:
        x, y = norm(a), norm(b)
    except InputError:
        x, y = a.strip().upper().strip("<"), b.strip().upper().strip("<")
    return MATCH if x == y else Comparison("mismatch", 0.0)


def compare_mrz_name(visual: str, mrz: str, *, truncated: bool, pass_at: float) -> Comparison:
    """A visual-zone name against its MRZ form (ICAO transliteration, possible truncation).

    ``truncated`` says the MRZ name field is full, so the MRZ may hold only a prefix.

    >>> compare_mrz_name("Müller", "MUELLER", truncated=False, pass_at=0.85).outcome
    'match'
    >>> compare_mrz_name("Chayapa Dejthamrong Krasuang", "CHAYAPA DEJTHAMRONG K", truncated=True, pass_at=0.85)
    Comparison(outcome='match', score=1.0, note='MRZ name truncated')
    >>> compare_mrz_name("Anna Maria", "ANNA MAIRA", truncated=False, pass_at=0.85).outcome
    'near'
    >>> compare_mrz_name("Anna", "EVA", truncated=False, pass_at=0.85).outcome
    'mismatch'
    >>> compare_mrz_name("KARLAREBECCAYASMIN", "KARLA REBECCA", truncated=True, pass_at=0.85).outcome
    'match'
    """
    mrz_forms = {" ".join(f) for f in name_forms(mrz)}
    vis_forms = {" ".join(f) for f in name_forms(visual)}
    if mrz_forms & vis_forms:
        return MATCH
    if truncated and any(v.startswith(m) and m for v in vis_forms for m in mrz_forms):
        return Comparison("match", 1.0, "MRZ name truncated")
    # the same letters, a space lost or added by the OCR on the printed zone (the MRZ's fillers are sure)
    glued_mrz, glued_vis = {m.replace(" ", "") for m in mrz_forms}, {v.replace(" ", "") for v in vis_forms}
    if glued_mrz & glued_vis or (truncated and any(v.startswith(m) and m for v in glued_vis for m in glued_mrz)):
        return Comparison("match", 1.0, "the printed name read with a space lost or added")
    score = name_similarity(visual, mrz)
    if score >= pass_at:
        return Comparison("near", score, "names differ by an OCR-sized slip")
    return Comparison("mismatch", score)


def compare_field(
    name: str, a: str, b: str, *, name_pass: float = 0.85, address_pass: float = 0.85, address_warn: float = 0.65
) -> Comparison:
    """Compare two printed values of the canonical field ``name`` with the rule for its kind.

    >>> compare_field("address", "1 Main St, Sacramento, CA 95814", "1 MAIN STREET, SACRAMENTO, CA 95814").outcome
    'match'
    """
    if name == "document_number":
        return compare_number(a, b)
    if name in DATE_FIELDS:
        return compare_dates(a, b)
    if name in COUNTRY_FIELDS:
        return compare_codes(a, b, "country")
    if name == "sex":
        return compare_codes(a, b, "sex")
    if name in NAME_FIELDS:
        score = name_similarity(a, b)
        if score >= 0.999:
            return MATCH
        return Comparison("near" if score >= name_pass else "mismatch", score)
    if name == "address":
        score = address_similarity(a, b).score
        outcome = "match" if score >= address_pass else "near" if score >= address_warn else "mismatch"
        return Comparison(outcome, score)
    x, y = re.sub(r"\s+", " ", a).strip().upper(), re.sub(r"\s+", " ", b).strip().upper()
    return MATCH if x == y else Comparison("mismatch", 0.0)
