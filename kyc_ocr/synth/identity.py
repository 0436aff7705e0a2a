"""Synthetic people: names, dates of birth, addresses and document numbers.

Names come from Faker in several European and US locales, shaped on purpose
into the hard cases extraction meets (diacritics, two-part and hyphenated
surnames, several given names, names too long for the MRZ). Everything is
drawn from a :class:`random.Random`, so one seed gives one person.
"""

from __future__ import annotations

import functools
import random
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date, timedelta

from anyascii import anyascii
from dateutil.relativedelta import relativedelta
from faker import Faker

#: locale -> (ISO alpha-3 of the country its addresses are in, name locale has diacritics)
LOCALES: dict[str, tuple[str, bool]] = {
    "de_DE": ("DEU", True), "fr_FR": ("FRA", True), "es_ES": ("ESP", True), "it_IT": ("ITA", True),
    "pl_PL": ("POL", True), "sv_SE": ("SWE", True), "en_GB": ("GBR", False), "en_US": ("USA", False),
    "nl_NL": ("NLD", True), "pt_PT": ("PRT", True), "cs_CZ": ("CZE", True), "hu_HU": ("HUN", True),
    "da_DK": ("DNK", True), "fi_FI": ("FIN", True),
}
_PARTICLES = {"nl_NL": ("van", "van der", "de", "van den"), "pt_PT": ("da", "de", "dos"), "fr_FR": ("de", "Le")}


@dataclass(frozen=True)
class Identity:
    """One synthetic person as the world knows them (natural case, Unicode kept)."""

    locale: str
    surname: str
    given_names: str
    sex: str  # M | F | X
    date_of_birth: date
    place_of_birth: str
    nationality: str  # ISO 3166-1 alpha-3 or ICAO code
    address_lines: tuple[str, ...]
    email: str
    phone: str

    @property
    def address(self) -> str:
        """The address in canonical form: lines joined with ``", "``."""
        return ", ".join(self.address_lines)

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.surname}"

    def age_on(self, day: date) -> int:
        """Completed years on ``day``.

        >>> ident = Identity("en_GB", "Doe", "Jo", "F", date(2000, 6, 30), "", "GBR", (), "", "")
        >>> ident.age_on(date(2026, 6, 29)), ident.age_on(date(2026, 6, 30))
        (25, 26)
        """
        return relativedelta(day, self.date_of_birth).years


#: provider lists Faker builds from a set: their order follows Python's per-process string hashing
_SET_DERIVED = {("it_IT", "cities")}


@functools.cache
def _faker(locale: str) -> Faker:
    fake = Faker(locale)
    for provider in fake.providers:
        for loc, attr in _SET_DERIVED:
            if loc == locale and isinstance(getattr(provider, attr, None), list):
                setattr(provider, attr, sorted(getattr(provider, attr)))  # same order in every process
    return fake


def faker_for(locale: str, rng: random.Random) -> Faker:
    """The (per-process cached) Faker of ``locale``, reseeded from ``rng``."""
    fake = _faker(locale)
    fake.seed_instance(rng.getrandbits(48))
    return fake


def clean(text: str) -> str:
    """Whitespace-normalise a value.

    >>> clean("  Cuesta  María Sancho 46 Apt. 70 ")
    'Cuesta María Sancho 46 Apt. 70'
    """
    return " ".join(text.split())


def has_diacritics(text: str) -> bool:
    """True when ``text`` has a non-ASCII letter.

    >>> has_diacritics("Müller"), has_diacritics("Miller")
    (True, False)
    """
    return any(ord(c) > 127 for c in text)


def strip_diacritics(text: str) -> str:
    """Drop accents the way a careless form-filler does (Müller -> Muller, Łukasz -> Lukasz).

    >>> strip_diacritics("Müller-Łódź")
    'Muller-Lodz'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c if ord(c) < 128 else anyascii(c) for c in decomposed if not unicodedata.combining(c))


def _surname(fake: Faker, locale: str, sex: str, rng: random.Random, shape: str) -> str:
    def one() -> str:
        if sex == "F" and hasattr(fake, "last_name_female"):
            return clean(fake.last_name_female())
        if sex == "M" and hasattr(fake, "last_name_male"):
            return clean(fake.last_name_male())
        return clean(fake.last_name())

    first = one()
    if shape == "hyphenated":
        second = one()
        return f"{first}-{second}" if second != first else first
    if shape == "two_part":
        if locale in _PARTICLES and rng.random() < 0.5:
            return f"{rng.choice(_PARTICLES[locale])} {first}"
        return f"{first} {one()}"
    return first


def _given(fake: Faker, sex: str, count: int) -> str:
    pick = fake.first_name_female if sex == "F" else fake.first_name_male if sex == "M" else fake.first_name
    names: list[str] = []
    for _ in range(count * 4):
        name = clean(pick())
        if name not in names:
            names.append(name)
        if len(names) == count:
            break
    return " ".join(names)


def _address(fake: Faker, locale: str, us_state: str | None) -> tuple[str, ...]:
    street = clean(fake.street_address())
    city = clean(fake.city())
    if locale == "en_US":
        state = us_state or fake.state_abbr()
        return (street, f"{city}, {state} {fake.zipcode_in_state(state)}")
    if locale == "en_GB":
        return (street, f"{city} {clean(fake.postcode())}")
    return (street, f"{clean(fake.postcode())} {city}")


def _email(given: str, surname: str, rng: random.Random) -> str:
    def slug(s: str) -> str:
        return re.sub(r"[^a-z0-9]", "", anyascii(s).lower())

    first = slug(given.split()[0]) or "mail"
    last = slug(surname.split()[-1]) or "box"
    return f"{first}.{last}{rng.randint(1, 99)}@{rng.choice(('example.com', 'example.org', 'example.net'))}"


def make_identity(
    rng: random.Random,
    as_of: date,
    *,
    locale: str | None = None,
    age: tuple[int, int] = (18, 90),
    min_given: int = 1,
    need_diacritics: bool = False,
    nationality: str | None = None,
    us_state: str | None = None,
) -> Identity:
    """Draw a person living in ``locale`` (random when ``None``) aged within ``age`` on ``as_of``."""
    if locale is None:
        pool = [k for k, (_, dia) in LOCALES.items() if dia or not need_diacritics]
        locale = rng.choice(sorted(pool))
    fake = faker_for(locale, rng)
    sex = "X" if rng.random() < 0.02 else rng.choice("MF")
    shape = rng.choices(["simple", "hyphenated", "two_part", "long"], weights=[60, 12, 16, 12])[0]
    surname = given = ""
    for _ in range(30):
        n_given = max(min_given, 3 if shape == "long" else 2 if rng.random() < 0.2 else 1)
        surname = _surname(fake, locale, sex, rng, "hyphenated" if shape == "long" else shape)
        given = _given(fake, sex, n_given)
        if not need_diacritics or has_diacritics(surname + given):
            break
    years = rng.randint(*age)
    dob = as_of - relativedelta(years=years) - timedelta(days=rng.randint(1, 364))
    return Identity(
        locale=locale, surname=surname, given_names=given, sex=sex, date_of_birth=dob,
        place_of_birth=clean(fake.city()), nationality=nationality or LOCALES[locale][0],
        address_lines=_address(fake, locale, us_state), email=_email(given, surname, rng),
        phone=clean(fake.phone_number()),
    )


def move_house(ident: Identity, rng: random.Random) -> Identity:
    """The same person at another address in the same locale (for the address-mismatch fault)."""
    fake = faker_for(ident.locale, rng)
    state = ident.address_lines[-1].split(",")[-1].split()[0] if ident.locale == "en_US" else None
    for _ in range(10):
        lines = _address(fake, ident.locale, state)
        if lines != ident.address_lines:
            return replace(ident, address_lines=lines)
    return replace(ident, address_lines=(f"{rng.randint(2, 99)} {ident.address_lines[0]}", *ident.address_lines[1:]))


# --- document numbers --------------------------------------------------------------------

_ALNUM = "CFGHJKLMNPRTVWXYZ0123456789"  # no vowels, no I/O/Q/S (as e.g. German passports)

#: template_id -> regular expression every generated document number matches
NUMBER_PATTERNS: dict[str, str] = {
    "uto-passport-td3": r"^[A-Z][0-9A-Z]{8}$",
    "xde-passport-td3": r"^[CFGHJK][CFGHJKLMNPRTVWXYZ0-9]{8}$",
    "uto-id-td1": r"^[A-Z]{2}[0-9]{7}$",
    "xfr-id-card": r"^[0-9]{12}$",
    "uto-residence-permit-td2": r"^R[0-9]{8}$",
    "usa-driver-license": r"^[A-Z][0-9]{7}$",
}


def document_number(template: str, rng: random.Random) -> str:
    """A fresh document number in the format of ``template`` (see :data:`NUMBER_PATTERNS`).

    >>> r = random.Random(3)
    >>> all(re.match(NUMBER_PATTERNS[t], document_number(t, r)) for t in NUMBER_PATTERNS)
    True
    """
    up = "ABCDEFGHJKLMNPRSTUVWXYZ"
    digits = "0123456789"

    def pick(chars: str, n: int) -> str:
        return "".join(rng.choice(chars) for _ in range(n))

    makers = {
        "uto-passport-td3": lambda: rng.choice(up) + pick(up + digits * 3, 8),
        "xde-passport-td3": lambda: rng.choice("CFGHJK") + pick(_ALNUM, 8),
        "uto-id-td1": lambda: pick(up, 2) + pick(digits, 7),
        "xfr-id-card": lambda: pick(digits, 12),
        "uto-residence-permit-td2": lambda: "R" + pick(digits, 8),
        "usa-driver-license": lambda: rng.choice(up) + pick(digits, 7),
    }
    return makers[template]()


def personal_number(rng: random.Random) -> str:
    """An optional personal number (fits the MRZ optional-data field of every format)."""
    return "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rng.randint(7, 10)))


def issue_and_expiry(rng: random.Random, dob: date, as_of: date, years: int, *, expired: bool = False) -> tuple[date, date]:
    """Issue and expiry dates of a ``years``-valid document (expiry = issue + years - 1 day).

    Valid documents expire at least 30 days after ``as_of``; expired ones 10..700 days before.
    The issue date is always after the date of birth.

    >>> r = random.Random(1)
    >>> iss, exp = issue_and_expiry(r, date(1980, 1, 1), date(2026, 6, 30), 10)
    >>> iss < date(2026, 6, 30) < exp and (exp - iss).days in (3651, 3652)
    True
    """
    if expired:
        expiry = as_of - timedelta(days=rng.randint(10, 700))
        issue = expiry - relativedelta(years=years) + timedelta(days=1)
    else:
        span = (as_of - (as_of - relativedelta(years=years))).days
        issue = as_of - timedelta(days=rng.randint(20, max(21, span - 60)))
        expiry = issue + relativedelta(years=years) - timedelta(days=1)
    floor = dob + timedelta(days=30)
    if issue <= floor:  # a baby's document: issue it after birth, keep the validity
        issue = floor + timedelta(days=rng.randint(0, 30))
        expiry = issue + relativedelta(years=years) - timedelta(days=1)
    return issue, expiry
