"""Labelled faults a synthetic customer may carry, with the checks they must trip and the expected decision.

The check names are the ones :mod:`kyc_ocr.checks` reports. Decisions follow the
default policy: a fault that is evidence of fraud or of an invalid document
rejects; a discrepancy a human can resolve (a typo in a number, a move, an old
bill) goes to review; name variants a person really writes (no accents, ICAO
transliteration, swapped order, middle name left out) still pass.

>>> expected_outcome(["name_transliterated"])
('APPROVED', [])
>>> expected_outcome(["address_mismatch", "dob_mismatch"])
('REJECTED', ['address_matches_proof', 'same_date_of_birth'])
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from kyc_ocr.extract.normalize import transliterate_icao
from kyc_ocr.synth.identity import Identity, strip_diacritics

DECISION_RANK = {"APPROVED": 0, "REVIEW": 1, "REJECTED": 2}


@dataclass(frozen=True)
class Fault:
    """One fault kind: the checks it must make fail and the decision it leads to on its own."""

    checks: tuple[str, ...]
    decision: str
    needs_form: bool = False
    needs_mrz: bool = False
    touches_id: bool = False  # changes the identity document itself
    description: str = ""


FAULTS: dict[str, Fault] = {
    "name_diacritics_dropped": Fault((), "APPROVED", needs_form=True,
                                     description="form spells the name without accents (Müller -> Muller)"),
    "name_transliterated": Fault((), "APPROVED", needs_form=True,
                                 description="form writes the ICAO transliteration (Müller -> MUELLER)"),
    "name_order_swapped": Fault((), "APPROVED", needs_form=True,
                                description="form has surname and given names swapped"),
    "middle_name_missing": Fault((), "APPROVED", needs_form=True,
                                 description="form leaves out the second given name"),
    "dob_mismatch": Fault(("same_date_of_birth",), "REJECTED", needs_form=True,
                          description="form states another date of birth than the ID"),
    "expired_document": Fault(("document_not_expired",), "REJECTED", touches_id=True,
                              description="the identity document expired before the verification date"),
    "mrz_check_digit_tampered": Fault(("mrz_check_digits",), "REJECTED", needs_mrz=True, touches_id=True,
                                      description="the MRZ document-number check digit is wrong"),
    "document_number_mismatch": Fault(("document_number_matches_form",), "REVIEW", needs_form=True,
                                      description="form states another ID document number"),
    "address_mismatch": Fault(("address_matches_proof",), "REVIEW", needs_form=True,
                              description="form address differs from the proof of address"),
    "proof_of_address_old": Fault(("proof_of_address_recent",), "REVIEW",
                                  description="proof of address dated more than 3 months before as_of"),
    "document_reused": Fault(("document_reused",), "REJECTED", touches_id=True,
                             description="the ID image (same bytes) was already submitted by the previous customer"),
    "underage": Fault(("minimum_age",), "REJECTED", touches_id=True,
                      description="applicant is under 18 on the verification date"),
}
#: the order `--all-faults` cycles through (document_reused right after a fault that leaves the ID intact)
FAULT_CYCLE = (None, "name_transliterated", "document_reused", "dob_mismatch", "expired_document",
               "mrz_check_digit_tampered", "document_number_mismatch", "address_mismatch", "proof_of_address_old",
               "underage", "name_diacritics_dropped", "name_order_swapped", "middle_name_missing")


def expected_outcome(faults: list[str]) -> tuple[str, list[str]]:
    """The expected decision and the sorted failing checks of a set of faults."""
    decision = "APPROVED"
    checks: set[str] = set()
    for name in faults:
        fault = FAULTS[name]
        checks.update(fault.checks)
        if DECISION_RANK[fault.decision] > DECISION_RANK[decision]:
            decision = fault.decision
    return decision, sorted(checks)


def transliterate_words(text: str) -> str:
    """ICAO-transliterate each word, keeping spaces and hyphens.

    >>> transliterate_words("Müller-Lüdenscheidt"), transliterate_words("José María")
    ('MUELLER-LUEDENSCHEIDT', 'JOSE MARIA')
    """
    return re.sub(r"[^\s-]+", lambda m: transliterate_icao(m.group(0)).replace("<", ""), text)


def form_name_variant(person: Identity, fault: str) -> Identity:
    """The applicant's name as written on the form under a name fault.

    >>> p = Identity("de_DE", "Müller", "Anna Maria", "F", date(1990, 1, 2), "Köln", "DEU", (), "", "")
    >>> [(v.surname, v.given_names) for v in (form_name_variant(p, f) for f in ("name_diacritics_dropped",
    ...   "name_transliterated", "name_order_swapped", "middle_name_missing"))]
    [('Muller', 'Anna Maria'), ('MUELLER', 'ANNA MARIA'), ('Anna Maria', 'Müller'), ('Müller', 'Anna')]
    """
    if fault == "name_diacritics_dropped":
        return replace(person, surname=strip_diacritics(person.surname), given_names=strip_diacritics(person.given_names))
    if fault == "name_transliterated":
        return replace(person, surname=transliterate_words(person.surname),
                       given_names=transliterate_words(person.given_names))
    if fault == "name_order_swapped":
        return replace(person, surname=person.given_names, given_names=person.surname)
    if fault == "middle_name_missing":
        return replace(person, given_names=person.given_names.split()[0])
    return person


def other_birth_date(dob: date, rng: random.Random) -> date:
    """A plausible wrong date of birth: day and month swapped, or shifted.

    >>> other_birth_date(date(1980, 3, 7), random.Random(0)) != date(1980, 3, 7)
    True
    """
    if dob.day <= 12 and dob.day != dob.month and rng.random() < 0.5:
        return date(dob.year, dob.day, dob.month)
    if rng.random() < 0.5:
        return dob + relativedelta(years=rng.choice((-1, 1)))
    return dob - timedelta(days=rng.randint(1, 60))


def other_document_number(number: str, rng: random.Random) -> str:
    """A different number of the same shape: two neighbouring characters swapped, or one digit changed.

    >>> n = other_document_number("L898902C3", random.Random(1))
    >>> n != "L898902C3" and len(n) == 9
    True
    """
    chars = list(number)
    for _ in range(20):
        i = rng.randrange(len(chars) - 1)
        if chars[i] != chars[i + 1]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
            return "".join(chars)
    digits = [i for i, c in enumerate(chars) if c.isdigit()] or [len(chars) - 1]
    i = rng.choice(digits)
    chars[i] = str((int(chars[i]) + 1) % 10) if chars[i].isdigit() else "7"
    return "".join(chars)
