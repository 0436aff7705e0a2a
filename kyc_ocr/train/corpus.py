"""What the recogniser is fine-tuned on: field texts of every kind the templates print.

Each sample is a ``(kind, text, font_role)``: ``font_role`` is ``"mrz"`` for
OCR-B machine-readable lines and ``"text"`` for everything else. General text
(mixed-case sentences, addresses, amounts) is mixed in so the model does not
forget how to read what is not a KYC field.

>>> import random
>>> c = Corpus(random.Random(3))
>>> kind, text, role = c.sample("mrz")
>>> kind, role, len(text) in (30, 36, 44)
('mrz', 'mrz', True)
>>> c.sample("date")[1][:2].isdigit() or c.sample("date")[1][:1].isalpha()
True
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker

FIELD_KINDS = ("name", "date", "document_number", "mrz", "address", "country", "general")
LOCALES = ("de_DE", "fr_FR", "es_ES", "it_IT", "pl_PL", "sv_SE", "en_GB", "en_US", "nl_NL", "pt_PT", "cs_CZ", "da_DK")
MONTHS = {
    "en": ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
    "fr": ["JANV", "FÉVR", "MARS", "AVR", "MAI", "JUIN", "JUIL", "AOÛT", "SEPT", "OCT", "NOV", "DÉC"],
    "de": ["JAN", "FEB", "MÄR", "APR", "MAI", "JUN", "JUL", "AUG", "SEP", "OKT", "NOV", "DEZ"],
}
COUNTRY_WORDS = ("UTO", "DEU", "FRA", "ESP", "ITA", "POL", "SWE", "GBR", "USA", "NLD", "PRT", "D", "Utopia",
                 "Deutsch", "Française", "Español", "Italiana", "Polska", "Svensk", "British Citizen")


@dataclass(frozen=True)
class Sample:
    kind: str
    text: str
    font_role: str  # "mrz" (OCR-B) or "text"


class Corpus:
    """Draws field texts; deterministic for a given ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.fakers = {loc: Faker(loc) for loc in LOCALES}
        for i, fk in enumerate(self.fakers.values()):
            fk.seed_instance(rng.randrange(1 << 30) + i)

    def _faker(self) -> Faker:
        return self.fakers[self.rng.choice(LOCALES)]

    def _date(self) -> str:
        r = self.rng
        d = dt.date(1930, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 110))
        style = r.randrange(6)
        if style == 0:
            return d.strftime("%d.%m.%Y")
        if style == 1:
            return d.strftime("%m/%d/%Y")
        if style == 2:
            return d.isoformat()
        if style == 3:
            return f"{d.day:02d} {MONTHS['en'][d.month - 1]} {d.year}"
        lang = r.choice(("fr", "de"))
        return f"{d.day:02d} {MONTHS[lang][d.month - 1]}/{MONTHS['en'][d.month - 1]} {d.year % 100:02d}"

    def _number(self) -> str:
        r = self.rng
        letters, digits = "ABCDEFGHJKLMNPRSTUVWXYZ", "0123456789"
        pattern = r.choice(("LLNNNNNNN", "NNNNNNNNN", "XXXXXXXXX", "LNNNNNNN", "LLNNNNNN", "NNNNNNNNNNNN"))
        pools = {"L": letters, "N": digits, "X": letters + digits}
        return "".join(r.choice(pools[p]) for p in pattern)

    def _mrz_line(self) -> str:
        from kyc_ocr.extract.mrz_build import build_mrz

        r, fk = self.rng, self._faker()
        fmt = r.choice(("TD3", "TD3", "TD1", "TD2"))
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 65))
        expiry = dt.date(2020, 1, 1) + dt.timedelta(days=r.randrange(0, 365 * 15))
        country = r.choice(("UTO", "DEU", "FRA", "ESP", "ITA", "POL", "SWE", "GBR", "NLD"))
        mrz = build_mrz(
            fmt,
            document_code="P" if fmt == "TD3" else r.choice(("I", "ID", "IR", "AR")),
            issuing_country=country,
            surname=fk.last_name(),
            given_names=fk.first_name() + (" " + fk.first_name() if r.random() < 0.4 else ""),
            document_number=self._number()[:9],
            nationality=country,
            date_of_birth=birth.isoformat(),
            sex=r.choice("MF"),
            date_of_expiry=expiry.isoformat(),
        )
        return r.choice(mrz.split("\n"))

    def text_for(self, kind: str) -> str:
        r, fk = self.rng, self._faker()
        if kind == "name":
            name = r.choice((fk.last_name(), fk.first_name(), f"{fk.first_name()} {fk.first_name()}", fk.name()))
            return name.upper() if r.random() < 0.6 else name
        if kind == "date":
            return self._date()
        if kind == "document_number":
            return self._number()
        if kind == "mrz":
            return self._mrz_line()
        if kind == "address":
            return r.choice(fk.address().splitlines())
        if kind == "country":
            return r.choice(COUNTRY_WORDS)
        if kind == "general":
            return r.choice((fk.sentence(nb_words=r.randint(3, 8)).rstrip("."), fk.company(), fk.email(),
                             f"{r.uniform(1, 9999):.2f} EUR", fk.phone_number(), fk.catch_phrase()))
        raise ValueError(f"unknown sample kind {kind!r}")

    def sample(self, kind: str | None = None, general_share: float = 0.4, mrz: bool = True) -> tuple[str, str, str]:
        """One ``(kind, text, font_role)``; with ``kind=None`` general text has ``general_share``
        (and ``mrz=False`` leaves MRZ lines out of the draw)."""
        if kind is None:
            fields = [k for k in FIELD_KINDS if k != "general" and (mrz or k != "mrz")]
            kind = "general" if self.rng.random() < general_share else self.rng.choice(fields)
        return kind, self.text_for(kind), "mrz" if kind == "mrz" else "text"
