"""Turn a located raw text into a field's canonical value, by the field's type.

:func:`normalize_value` returns ``(value, validated)``: ``validated`` is true
when the type has a real rule the text passed (a calendar date, a known
country, an IBAN checksum, a template number pattern) and false for free text.
Text that cannot be a value of the type raises
:class:`~kyc_ocr.errors.InputError`, so the next locator is tried.

>>> from kyc_ocr.templates.schema import FieldSpec
>>> spec = FieldSpec.model_validate({"name": "date_of_birth", "type": "date", "date_kind": "birth",
...                                  "locators": [{"mrz": "date_of_birth"}]})
>>> normalize_value(spec, "03/27/1984", "MDY")
('1984-03-27', True)
>>> normalize_value(FieldSpec.model_validate({"name": "iban", "type": "iban", "locators": [{"regex": "x"}]}),
...                 "DE89 3704 0044 0532 0130 00", "DMY")
('DE89370400440532013000', True)
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from kyc_ocr.errors import InputError
from kyc_ocr.extract.labels import fold
from kyc_ocr.extract.normalize import (
    ICAO_SPECIAL,
    normalize_address,
    normalize_amount,
    normalize_country,
    normalize_date,
    normalize_document_number,
    normalize_name,
    normalize_sex,
)
from kyc_ocr.templates.schema import FieldSpec

#: printed words for the kinds of identity document (forms ask which one the customer holds)
DOCUMENT_KINDS = {
    "passport": "PASSPORT PASSEPORT PASAPORTE REISEPASS PASSAPORTO PASSAPORTE PASPOORT PASZPORT PASS",
    "id_card": "IDENTITY CARD|ID CARD|NATIONAL ID|PERSONALAUSWEIS|CARTE D IDENTITE|CARTE NATIONALE D IDENTITE|"
               "DOCUMENTO DE IDENTIDAD|DNI|CARTA D IDENTITA|IDENTITEITSKAART|DOWOD OSOBISTY",
    "residence_permit": "RESIDENCE PERMIT|AUFENTHALTSTITEL|TITRE DE SEJOUR|PERMISO DE RESIDENCIA|"
                        "PERMESSO DI SOGGIORNO|VERBLIJFSVERGUNNING",
    "driver_license": "DRIVER LICENSE|DRIVER LICENCE|DRIVERS LICENSE|DRIVING LICENCE|FUHRERSCHEIN|"
                      "PERMIS DE CONDUIRE|PERMISO DE CONDUCIR|CARNET DE CONDUCIR|PATENTE DI GUIDA|RIJBEWIJS",
}
_KIND_WORDS = [(w.strip(), kind) for kind, words in DOCUMENT_KINDS.items()
               for w in (words.split("|") if "|" in words else words.split())]
_DIGIT_AS_LETTER = str.maketrans("01258", "OIZSB")


def document_kind(text: str) -> str:
    """The canonical document_type a printed document name stands for.

    One OCR slip is forgiven in names of eight letters or more (``Driver Hicence``).

    >>> document_kind("Reisepass"), document_kind("Carte d'identité"), document_kind("Permiso de residencia")
    ('passport', 'id_card', 'residence_permit')
    >>> document_kind("Driver Hicence")
    'driver_license'
    """
    key = f" {fold(text)} "
    by_length = sorted(_KIND_WORDS, key=lambda wk: -len(wk[0]))
    for word, kind in by_length:
        if f" {word} " in key:
            return kind
    for word, kind in by_length:
        if len(word) >= 8 and fuzz.partial_ratio(word, key) >= 100 * (1 - 1.5 / len(word)):
            return kind
    raise InputError(f"not a kind of identity document: {text!r}")


def _country(text: str) -> str:
    code = text.strip().upper()
    if code in ICAO_SPECIAL and ICAO_SPECIAL[code] != code and len(code) < 3:
        return code  # an ICAO code printed as such (D for Germany) stays as printed, like the MRZ has it
    try:
        return normalize_country(text)
    except InputError:
        compact = re.sub(r"\s", "", text)
        if len(compact) == 3:  # an OCR'd code with a digit for a letter: UT0 -> UTO
            return normalize_country(compact.upper().translate(_DIGIT_AS_LETTER))
        raise


def _before_digits(text: str) -> str:
    """A name's line up to the first digit: names hold none, so what follows is another column's text the
    OCR read on the same line (an IBAN, its two-letter country code glued to the name's last word).

    >>> _before_digits("Samantha Laurie Zimmerman-GonBalesGB27 CHRL 1124 6563 017107"), _before_digits("Anna Berg")
    ('Samantha Laurie Zimmerman-GonBales', 'Anna Berg')
    >>> _before_digits("ANNA BERG DE89 3704 0044"), _before_digits("4711")
    ('ANNA BERG', '4711')
    """
    found = re.search(r"\d", text)
    if found is None:
        return text
    cut = found.start()
    if cut >= 2 and text[cut - 2:cut].isalpha() and text[cut - 2:cut].isupper():
        cut -= 2
    head = text[:cut].rstrip(" ,;:/-")
    return head if sum(ch.isalpha() for ch in head) >= 2 else text


def _name(text: str) -> str:
    """A person's name; a line opening with a number (a street address: ``84246 Kathleen Estate``) is none.

    >>> _name("Anna Berg DE89 3704"), _name("0lga Berg")
    ('Anna Berg', '0lga Berg')
    >>> _name("84246 Kathleen Estate")
    Traceback (most recent call last):
    ...
    kyc_ocr.errors.InputError: not a name: opens with a number
    """
    if re.match(r"\W*(\d{2,}|\d+\s)", text):
        raise InputError("not a name: opens with a number")
    value = normalize_name(re.sub(r"\s*,\s*", " ", _before_digits(text)))
    letters = sum(ch.isalpha() for ch in value)
    if letters < max(1, 0.7 * len(value.replace(" ", ""))):
        raise InputError("not a name: too few letters")
    return value


def iban_valid(iban: str) -> bool:
    """ISO 13616 mod-97 check.

    >>> iban_valid("DE89370400440532013000"), iban_valid("DE89370400440532013001")
    (True, False)
    """
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{8,30}", iban):
        return False
    moved = iban[4:] + iban[:4]
    return int("".join(str(int(ch, 36)) for ch in moved)) % 97 == 1


_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{1,2}[./,-]\d{1,2}[./,-]\d{2,4})(?!\d)")


def _date(text: str, order: str, kind: str) -> str:
    """A date; when the text has more than the date (a label the OCR garbled), its one numeric date.

    >>> _date("Dabvek=04.04.2018", "DMY", "issue"), _date("12 AUG 1974", "DMY", "birth")
    ('2018-04-04', '1974-08-12')
    >>> _date("Ne(@)ie:17,10,1937", "DMY", "birth")  # a photo's dots read as commas
    '1937-10-17'
    """
    try:
        return normalize_date(text, order, kind=kind)
    except InputError:
        found = _NUMERIC_DATE.findall(text)
        if len(found) != 1 or found[0] == text.strip():
            raise
        return normalize_date(found[0], order, kind=kind)


def _period(text: str, order: str) -> str:
    """Two dates as ``start/end``.

    >>> _period("01.05.2026- 31.05.2026", "DMY"), _period("2026-05-01 to 2026-05-31", "DMY")
    ('2026-05-01/2026-05-31', '2026-05-01/2026-05-31')
    """
    # a hyphen with a space on either side separates (the OCR often loses one); inside an ISO date it does not
    parts = [p for p in re.split(r"\s+(?:to|bis|au|al|a)\s+|\s*[–—]\s*|\s+-\s*|\s*-\s+", text.strip()) if p.strip()]
    if len(parts) != 2:
        raise InputError(f"not a period (two dates): {text!r}")
    start, end = (normalize_date(p, order, kind="issue") for p in parts)
    if end < start:
        raise InputError(f"period ends before it starts: {text!r}")
    return f"{start}/{end}"


def plausible_document_number(value: str) -> bool:
    """At least five letters/digits, one of them a digit, nothing but ``-./`` between them: what identity
    document numbers look like (a garbled label such as ``M`` read where the number should be is not one).
    Eight or more letters without a vowel are a number too, not a word (German passport numbers use no
    vowels, and may happen to have no digit: ``FRPZLJFYK``).

    >>> [plausible_document_number(v) for v in ("L898902C3", "788545088866", "D123-4567-89", "M", "ZUNNWTV", "N°:X12")]
    [True, True, True, False, False, False]
    >>> [plausible_document_number(v) for v in ("FRPZLJFYK", "REISEPASS", "PASSPORT")]
    [True, False, False]
    """
    alnum = [ch for ch in value if ch.isalnum()]
    coded = any(ch.isdigit() for ch in alnum) or (len(alnum) >= 8 and not any(ch in "AEIOUaeiou" for ch in alnum))
    return len(alnum) >= 5 and coded and all(ch.isascii() and (ch.isalnum() or ch in "-./") for ch in value)


def normalize_value(spec: FieldSpec, raw: str, date_order: str, number_pattern: str | None = None
                    ) -> tuple[str, bool]:
    """``(canonical value, validated)`` of ``raw`` for a field of ``spec``'s type; InputError when impossible."""
    kind = spec.type
    if kind == "raw":  # a barcode payload: every byte as decoded
        if not raw:
            raise InputError(f"{spec.name}: empty")
        return raw, False
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in raw.splitlines()]
    text = " ".join(ln for ln in lines if ln)
    if not text:
        raise InputError(f"{spec.name}: empty")
    validated = False
    if kind == "date":
        value, validated = _date(text, date_order, spec.date_kind or "any"), True
    elif kind == "period":
        value, validated = _period(text, date_order), True
    elif kind == "country":
        value, validated = _country(text), True
    elif kind == "sex":
        value, validated = normalize_sex(text), True
    elif kind == "name":
        value = _name(text)
    elif kind == "address":
        value = normalize_address("\n".join(lines))
    elif kind == "mrz":
        value = "\n".join(ln.replace(" ", "") for ln in lines if ln)
    elif kind == "amount":  # kept as printed ("1,234.50 EUR"), once it reads as an amount
        normalize_amount(text)
        value, validated = text, True
    elif kind == "iban":
        value = re.sub(r"\s", "", text).upper()
        if not iban_valid(value):
            raise InputError(f"{spec.name}: IBAN checksum fails")
        validated = True
    elif kind == "email":
        value = re.sub(r"\s", "", text)
        if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}", value):
            raise InputError(f"{spec.name}: not an e-mail address")
        validated = True
    elif kind == "document_kind":
        value, validated = document_kind(text), True
    elif kind == "identifier":  # customer ids, policy and account numbers: case kept, spaces dropped
        value = re.sub(r"\s+", "", text)
    elif kind in ("document_number", "code"):
        value = normalize_document_number(text)
        if spec.name == "document_number" and not plausible_document_number(value):
            raise InputError(f"{spec.name}: too short, no digit or stray characters: not a document number")
    else:  # text, phone
        value = text
    pattern = spec.pattern or (number_pattern if spec.name == "document_number" else None)
    if pattern:
        if not re.search(pattern, value):
            value = _glued_label_removed(value, pattern, spec.name)
        validated = True
    return value, validated


def _glued_label_removed(value: str, pattern: str, name: str, max_rest: int = 3) -> str:
    """The one part of ``value`` that matches an anchored ``pattern`` once a short glued label is cut off.

    OCR often joins a tiny label to its value (``N°`` read as ``N``): the pattern is searched
    unanchored, and kept only when it matches once and what is left is at most ``max_rest``
    characters without a digit.

    >>> _glued_label_removed("N788545088866", "^[0-9]{12}$", "document_number")
    '788545088866'
    >>> _glued_label_removed("NO:X1234567", "^[A-Z][0-9]{7}$", "document_number")
    'X1234567'
    >>> _glued_label_removed("1788545088866", "^[0-9]{12}$", "document_number")
    Traceback (most recent call last):
    kyc_ocr.errors.InputError: document_number: does not match the template's pattern
    """
    core = pattern.removeprefix("^").removesuffix("$")
    found = [m for m in re.finditer(core, value) if m.group(0)] if core != pattern else []
    if len(found) == 1:
        rest = value[: found[0].start()] + value[found[0].end():]
        if len(rest) <= max_rest and not any(ch.isdigit() for ch in rest):
            return found[0].group(0)
    raise InputError(f"{name}: does not match the template's pattern")
