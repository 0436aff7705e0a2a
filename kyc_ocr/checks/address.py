"""A small postal-address parser and comparer (no libpostal).

An address is folded (ASCII, upper case, punctuation gone, ``Straße``/``Str.`` →
``STRASSE``, ``St`` → ``STREET``, ``Apt``/``Flat``/``#`` → ``APARTMENT`` ...), then
split into postcode, house number, apartment, street and city. Postcodes come
from per-country patterns where the country is known or printed, otherwise from
a generic rule (the right-most group of 4-6 digits, or a UK/Canada/Netherlands
style code). Postcode, house number and apartment compare exactly; street and
city compare fuzzily (rapidfuzz ``token_set_ratio``, and ``ratio`` with spaces
removed so ``Haupt Strasse`` meets ``Hauptstrasse``).

>>> normalize_address_text("12, Hauptstr. 5a")
'12 HAUPTSTRASSE 5A'
>>> normalize_address_text("Flat 3, 221B Baker St.")
'APARTMENT 3 221B BAKER STREET'
>>> parse_address("Hauptstraße 5, 10115 Berlin, Germany")
ParsedAddress(postcode='10115', house_number='5', apartment='', street='HAUPTSTRASSE', city='BERLIN')
>>> parse_address("Apt 4, 123 Main St., Springfield, IL 62704")
ParsedAddress(postcode='62704', house_number='123', apartment='4', street='MAIN STREET', city='SPRINGFIELD IL')
>>> parse_address("10 Downing Street, London SW1A 2AA")
ParsedAddress(postcode='SW1A2AA', house_number='10', apartment='', street='DOWNING STREET', city='LONDON')
>>> address_similarity("Hauptstraße 5, 10115 Berlin", "HAUPTSTR. 5, 10115 BERLIN").score
1.0
>>> address_similarity("Hauptstraße 5, 10115 Berlin", "Hauptstraße 7, 10115 Berlin").mismatches
('house_number',)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

# Whole-token abbreviations (after folding), mapped to one spelling.
_ABBREVIATIONS: dict[str, str] = {
    "ST": "STREET", "STR": "STRASSE", "STRAßE": "STRASSE", "AVE": "AVENUE", "AV": "AVENUE",
    "AVDA": "AVENIDA", "RD": "ROAD", "BLVD": "BOULEVARD", "BD": "BOULEVARD", "DR": "DRIVE",
    "LN": "LANE", "CT": "COURT", "PL": "PLACE", "SQ": "SQUARE", "HWY": "HIGHWAY", "PKWY": "PARKWAY",
    "CRES": "CRESCENT", "TERR": "TERRACE", "MT": "MOUNT", "CHEM": "CHEMIN", "PZA": "PIAZZA",
    "APT": "APARTMENT", "APPT": "APARTMENT", "APP": "APARTMENT", "FLAT": "APARTMENT", "UNIT": "APARTMENT",
    "STE": "APARTMENT", "SUITE": "APARTMENT", "WHG": "APARTMENT", "WOHNUNG": "APARTMENT",
    "APPARTAMENTO": "APARTMENT", "APPARTEMENT": "APARTMENT", "LGH": "APARTMENT", "APTO": "APARTMENT", "N": "NORTH", "S": "SOUTH",
    "E": "EAST", "W": "WEST", "C": "CALLE",
}
_APARTMENT_WORDS = {"APARTMENT"}
_NUMBER_WORDS = {"NO", "NR", "NUM", "NUMBER", "N0"}
# Compound endings: ``HAUPTSTR`` → ``HAUPTSTRASSE``, ``MARKTPL`` → ``MARKTPLATZ``.
_SUFFIXES = (("STR", "STRASSE"), ("PL", "PLATZ"))

_POSTCODE_PATTERNS: dict[str, str] = {
    "GB": r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}\b",
    "CA": r"\b[A-Z]\d[A-Z] ?\d[A-Z]\d\b",
    "NL": r"\b\d{4} ?[A-Z]{2}\b",
    "PL": r"\b\d{2}-\d{3}\b",
    "PT": r"\b\d{4}-\d{3}\b",
    "US": r"\b\d{5}(?:-\d{4})?\b",
    "SE": r"\b\d{3} ?\d{2}\b",
    "IE": r"\b[AC-FHKNPRTV-Y]\d{2}W? ?[0-9AC-FHKNPRTV-Y]{4}\b",
    "FIVE": r"\b\d{5}\b",  # DE, FR, IT, ES, FI ...
    "FOUR": r"\b\d{4}\b",  # AT, CH, BE, DK, NO, AU ...
}
_COUNTRY_POSTCODES: dict[str, tuple[str, ...]] = {
    "GB": ("GB",), "UK": ("GB",), "UNITED KINGDOM": ("GB",), "CA": ("CA",), "CANADA": ("CA",),
    "NL": ("NL",), "NETHERLANDS": ("NL",), "PL": ("PL",), "POLAND": ("PL",), "PT": ("PT",), "PORTUGAL": ("PT",),
    "US": ("US",), "USA": ("US",), "UNITED STATES": ("US",), "SE": ("SE",), "SWEDEN": ("SE",),
    "IE": ("IE",), "IRELAND": ("IE",), "GERMANY": ("FIVE",), "DEUTSCHLAND": ("FIVE",), "FRANCE": ("FIVE",),
    "ITALY": ("FIVE",), "ITALIA": ("FIVE",), "SPAIN": ("FIVE",), "ESPANA": ("FIVE",), "FINLAND": ("FIVE",),
    "AUSTRIA": ("FOUR",), "OSTERREICH": ("FOUR",), "SWITZERLAND": ("FOUR",), "SCHWEIZ": ("FOUR",),
    "SUISSE": ("FOUR",), "BELGIUM": ("FOUR",), "BELGIQUE": ("FOUR",), "DENMARK": ("FOUR",),
    "NORWAY": ("FOUR",), "AUSTRALIA": ("FOUR",), "UTOPIA": ("FIVE", "FOUR"),
}
# Without a country: specific shapes first, then the right-most 5- or 4-digit group.
_GENERIC_ORDER = ("GB", "CA", "NL", "PL", "PT", "US", "FIVE", "FOUR")
_HOUSE = re.compile(r"^\d{1,5}[A-Z]?$|^\d{1,5}-\d{1,5}$|^\d{1,5}/\d{1,5}$")


def _fold(text: str) -> str:
    """ASCII, upper case; a postcode-like group glued to a word (OCR lost the space) is split.

    >>> _fold("64, 90640Akaa"), _fold("221B Baker"), _fold("6249-036Portalegre"), _fold("00-625Warszawa")
    ('64, 90640 AKAA', '221B BAKER', '6249-036 PORTALEGRE', '00-625 WARSZAWA')

    A postcode ending in capitals is told from the town glued to it by the town's small letters:

    >>> _fold("4036BFAnnerveenschekanaal"), _fold("Leeds LS1 4ABLeeds"), _fold("221BBaker Street")
    ('4036BF ANNERVEENSCHEKANAAL', 'LEEDS LS1 4AB LEEDS', '221BBAKER STREET')
    """
    text = _GLUED_CAPS.sub(r"\1 \2", unicodedata.normalize("NFC", text).replace("ß", "ss").replace("ẞ", "SS"))
    return _GLUED.sub(r"\1 \2", anyascii(text).upper())


_GLUED = re.compile(r"\b(\d{4,6}(?:-\d{3,4})?|\d{2}-\d{3})([A-Z]{3,})\b")
_GLUED_CAPS = re.compile(r"(\d[A-Z]{2})([A-Z][a-z]{2,})")


def strip_recipient(text: str, names: Iterable[str], pass_at: float = 0.85) -> tuple[str, str]:
    """Drop a leading line that names the addressee (``Anna Berg, 5 Elm Road``): a proof of
    address often prints the holder's name above the address. Returns (address, removed line).

    >>> strip_recipient("Gaja Szczepaniec, plac Stefana Batorego 146", ["Gaja Szczepaniec"])
    ('plac Stefana Batorego 146', 'Gaja Szczepaniec')
    >>> strip_recipient("Anna Berg, 5 Elm Road", ["John Smith"])
    ('Anna Berg, 5 Elm Road', '')
    """
    from kyc_ocr.checks.names import name_similarity

    parts = re.split(r"\s*[,\n;]\s*", text.strip(), maxsplit=1)
    if len(parts) < 2 or any(c.isdigit() for c in parts[0]):
        return text, ""
    if any(name_similarity(parts[0], n) >= pass_at for n in names if n):
        return parts[1], parts[0]
    return text, ""


def _expand(token: str) -> str:
    if token in _ABBREVIATIONS:
        return _ABBREVIATIONS[token]
    for short, full in _SUFFIXES:
        if len(token) > len(short) + 2 and token.endswith(short) and not token.endswith(full):
            return token[: -len(short)] + full
    return token


def _tokens(part: str) -> list[str]:
    text = re.sub(r"#\s*", " APT ", _fold(part))
    text = re.sub(r"(\d)\s*/\s*(\d)", r"\1/\2", text)
    text = re.sub(r"(\d)\s*-\s*(\d)", r"\1-\2", text)
    raw = re.findall(r"[A-Z0-9]+(?:[-/][A-Z0-9]+)*", text.replace(".", " ").replace("'", ""))
    return [_expand(t) for t in raw]


def normalize_address_text(text: str) -> str:
    """Folded, abbreviations expanded, punctuation dropped, one space between tokens.

    >>> normalize_address_text("Rue de l'Église 3, Apt. #2")
    'RUE DE LEGLISE 3 APARTMENT APARTMENT 2'
    >>> normalize_address_text("Calle García-López 12")
    'CALLE GARCIA-LOPEZ 12'
    """
    return " ".join(t for part in re.split(r"[,\n;]+", text) for t in _tokens(part))


@dataclass(frozen=True)
class ParsedAddress:
    """The comparable parts of an address (all folded; empty when absent)."""

    postcode: str
    house_number: str
    apartment: str
    street: str
    city: str


def find_postcode(text: str, country: str | None = None, *, number_first: bool = False) -> str:
    """The postcode in an address (spaces removed), or ``""`` when there is none.

    ``country`` (a name or ISO code) narrows the patterns; a country name printed at the
    end of the address does the same. ``number_first`` reads a number that opens a one-line
    address as the house number (``34712 Porter Islands``), not a postcode (``75002 Paris``).

    >>> find_postcode("1 Rue X, 75002 Paris"), find_postcode("Damrak 1, 1012 LG Amsterdam")
    ('75002', '1012LG')
    >>> find_postcode("ul. Polna 3, 00-625 Warszawa"), find_postcode("Hauptstrasse 12")
    ('00-625', '')
    >>> find_postcode("Storgatan 4, 114 55 Stockholm", "SE")
    '11455'
    """
    folded = _fold(text)
    keys = _country_patterns(folded, country)
    # Masked so a house number that opens a line ("1234 Main St") is not taken for a postcode.
    lines = [p.strip() for p in re.split(r"[,\n;]+", folded) if p.strip()]
    for key in keys:
        best: tuple[int, str] | None = None
        offset = 0
        for line in lines:
            for m in re.finditer(_POSTCODE_PATTERNS[key], line):
                starts_line = m.start() == 0 and (len(lines) > 1 or number_first) and re.search(
                    r"[A-Z]{3,}", line[m.end() :])
                if key in ("FIVE", "FOUR", "US") and starts_line and line is lines[0]:
                    continue
                if best is None or offset + m.start() > best[0]:
                    best = (offset + m.start(), m.group(0).replace(" ", ""))
            offset += len(line) + 1
        if best is not None:
            return best[1]
    return ""


def _country_patterns(folded: str, country: str | None) -> tuple[str, ...]:
    if country:
        key = _fold(country).strip()
        if key in _COUNTRY_POSTCODES:
            return _COUNTRY_POSTCODES[key]
    last = re.split(r"[,\n;]+", folded)[-1].strip()
    return _COUNTRY_POSTCODES.get(last, _GENERIC_ORDER)


def parse_address(text: str, country: str | None = None, *, number_first: bool = False) -> ParsedAddress:
    """Split an address into postcode, house number, apartment, street and city (see module doc).

    >>> parse_address("12, rue de la Paix 75002 PARIS")
    ParsedAddress(postcode='75002', house_number='12', apartment='', street='RUE DE LA PAIX', city='PARIS')
    """
    postcode = find_postcode(text, country, number_first=number_first)
    parts = [p for p in (_tokens(x) for x in re.split(r"[,\n;]+", text)) if p]
    if parts and " ".join(parts[-1]) in _COUNTRY_POSTCODES and len(parts) > 1:
        parts = parts[:-1]  # a trailing country name
    apartment, house, street = "", "", ""
    city_parts: list[str] = []
    for tokens in parts:
        tokens, after = _split_at_postcode(tokens, postcode)
        tokens, apt = _take_apartment(tokens)
        apartment = apartment or apt
        numbers = [t for t in tokens if _HOUSE.match(t)]
        words = [t for t in tokens if not _HOUSE.match(t) and t not in _NUMBER_WORDS]
        if not street and words:
            street = " ".join(words)
            house = house or (numbers[0] if numbers else "")
        elif numbers and not words:
            house = house or numbers[0]
        elif words:
            city_parts.append(" ".join(words))
        if after:
            city_parts.append(" ".join(after))
    return ParsedAddress(postcode, house, apartment, street, " ".join(city_parts))


def _split_at_postcode(tokens: list[str], postcode: str) -> tuple[list[str], list[str]]:
    """The tokens before the postcode and the words after it (the city), postcode dropped."""
    if postcode:
        for size in (2, 1):
            for i in range(len(tokens) - size + 1):
                if "".join(tokens[i : i + size]) == postcode:
                    return tokens[:i], tokens[i + size :]
    return tokens, []


def _take_apartment(tokens: list[str]) -> tuple[list[str], str]:
    for i, tok in enumerate(tokens):
        if tok in _APARTMENT_WORDS:
            j = i + 1
            while j < len(tokens) and tokens[j] in _APARTMENT_WORDS:
                j += 1
            if j < len(tokens) and re.fullmatch(r"[A-Z0-9]{1,5}", tokens[j]):
                return tokens[:i] + tokens[j + 1 :], tokens[j]
    return tokens, ""


@dataclass(frozen=True)
class AddressComparison:
    """How two addresses compare: a 0..1 score, the parts that differ and those not comparable."""

    score: float
    left: ParsedAddress
    right: ParsedAddress
    mismatches: tuple[str, ...]
    missing: tuple[str, ...]
    street_score: float
    city_score: float


_STREET_KINDS = ("STRASSE", "STREET", "AVENUE", "ROAD", "LANE", "DRIVE", "RUE", "CALLE", "VIA", "BOULEVARD",
                 "PLACE", "PLATZ", "WEG", "GASSE", "GATAN", "VEJ", "AVENIDA", "CHEMIN", "COURT", "SQUARE")


def street_similarity(a: str, b: str) -> float:
    """Street names graded on their distinctive part, the street kind counting 20%.

    >>> street_similarity("HAUPTSTRASSE", "HAUPT STRASSE"), street_similarity("MAIN STREET", "MAIN ROAD")
    (1.0, 0.8)
    >>> street_similarity("HAUPTSTRASSE", "BAHNHOFSTRASSE") < 0.5
    True
    >>> street_similarity("AVEME DE DAMAS", "AVENUE DE DUMAS")  # OCR slips: whole strings, LCS 12 of 14+15
    0.8276
    """
    (name_a, kind_a), (name_b, kind_b) = _street_parts(a), _street_parts(b)
    if not name_a or not name_b:
        return _fuzzy(a, b)
    kind = 1.0 if kind_a == kind_b else 0.0
    split = 0.8 * _fuzzy(name_a, name_b) + 0.2 * kind
    if bool(kind_a) != bool(kind_b):
        # only one side's kind word was recognised (an OCR slip such as AVEME for AVENUE): the
        # kind then sits in the other side's name part, so the whole strings compare better
        split = max(split, _fuzzy(a, b))
    return round(split, 4)


def _street_parts(street: str) -> tuple[str, str]:
    words = street.split()
    kinds = [w for w in words if w in _STREET_KINDS]
    rest = [w for w in words if w not in _STREET_KINDS]
    for i, w in enumerate(rest):
        for kind in _STREET_KINDS:
            if w.endswith(kind) and len(w) > len(kind):
                rest[i] = w[: -len(kind)]
                kinds.append(kind)
                break
    return " ".join(rest), " ".join(kinds)


def _fuzzy(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return max(fuzz.token_set_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", ""))) / 100.0


def address_similarity(a: str, b: str, country: str | None = None) -> AddressComparison:
    """Compare two addresses: exact parts must agree, street and city are graded.

    A postcode or house-number mismatch caps the score at 0.3; an apartment
    mismatch multiplies it by 0.8. Street counts 0.6 and city 0.4 of the rest (0.8
    and 0.2 when the postcodes agree; street alone when either side has no city), and
    the score never exceeds the street's by more than 0.2: a different street in the
    same town is not the address.

    >>> r = address_similarity("Flat 2, 14 Rose Ave, Leeds LS1 4AB", "14 Rose Avenue, Apt 2, Leeds, LS1 4AB")
    >>> r.score, r.mismatches, r.missing
    (1.0, (), ())
    >>> address_similarity("14 Rose Ave, Leeds LS1 4AB", "14 Rose Ave, Leeds LS2 4AB").score
    0.3
    >>> address_similarity("34712 Porter Islands, East Amyville, CA 90125", "34712 Porter Islands").score
    1.0

    A town misread on both photos (``Rømø`` read ``Rama`` and ``Rømo``) weighs less under one postcode:

    >>> address_similarity("Oehlenschlaegersgade 88, 9459 Rama", "Ochlenschlæegersgade 88, 9459 Rømo").score
    0.8532
    >>> address_similarity("Oehlenschlaegersgade 88, Rama", "Ochlenschlæegersgade 88, Rømo").score
    0.7649
    """
    readings_a = {parse_address(a, country), parse_address(a, country, number_first=True)}
    readings_b = {parse_address(b, country), parse_address(b, country, number_first=True)}
    # a one-line address opening with a number is ambiguous (house number or postcode): the
    # reading under which the two addresses agree best is the one compared
    return max((_compare(x, y) for x in readings_a for y in readings_b), key=lambda c: (c.score, -len(c.missing)))


CITY_WEIGHT = 0.4  # of the graded score (street the rest)
CITY_WEIGHT_SAME_POSTCODE = 0.2  # where the postcodes agree: the postcode names the town already, and a town's
                                 # name misread on a photo (``Rama`` for ``Rømø``) is the likelier difference


def _compare(left: ParsedAddress, right: ParsedAddress) -> AddressComparison:
    mismatches: list[str] = []
    missing: list[str] = []
    for part in ("postcode", "house_number", "apartment"):
        x, y = getattr(left, part), getattr(right, part)
        if x and y:
            if x != y:
                mismatches.append(part)
        elif x or y:
            missing.append(part)
    street = street_similarity(left.street, right.street)
    city = _fuzzy(left.city, right.city)
    if not left.street and not right.street:
        score = city
        missing.append("street")
    elif left.city and right.city:
        weight = CITY_WEIGHT_SAME_POSTCODE if left.postcode and left.postcode == right.postcode else CITY_WEIGHT
        score = min((1 - weight) * street + weight * city, street + 0.2)
    else:
        score = street
        if left.city or right.city:
            missing.append("city")
    if "apartment" in mismatches:
        score *= 0.8
    if "postcode" in mismatches or "house_number" in mismatches:
        score = min(score, 0.3)
    return AddressComparison(
        round(score, 4), left, right, tuple(mismatches), tuple(missing), round(street, 4), round(city, 4)
    )
