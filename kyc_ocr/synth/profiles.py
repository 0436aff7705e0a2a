"""Plan synthetic customers: one identity, 2-4 documents, labelled faults, expected decision.

A plan is pure data (:class:`CustomerPlan` of :class:`~kyc_ocr.synth.spec.DocSpec`);
rendering happens later, per document, from each spec's own seed. Customer
``i`` of a run with seed ``S`` draws from ``random.Random(S * 1_000_003 + i)``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from kyc_ocr.synth import faults as F
from kyc_ocr.synth.identity import (
    LOCALES,
    Identity,
    document_number,
    faker_for,
    issue_and_expiry,
    make_identity,
    move_house,
    personal_number,
)
from kyc_ocr.synth.paper import LANGS
from kyc_ocr.synth.spec import STEMS, DocSpec

AS_OF = date(2026, 6, 30)
SPLITS = ("train",) * 7 + ("val",) + ("test",) * 2

#: primary document -> (stems, template ids, number pattern key, validity years, weight)
PRIMARY: dict[str, tuple[tuple[str, ...], tuple[str, ...], str, int, int]] = {
    "uto-passport": (("passport",), ("uto-passport-td3",), "uto-passport-td3", 10, 25),
    "xde-passport": (("passport",), ("xde-passport-td3",), "xde-passport-td3", 10, 12),
    "uto-id": (("id_card_front", "id_card_back"), ("uto-id-td1-front", "uto-id-td1-back"), "uto-id-td1", 10, 20),
    "xfr-id": (("id_card_front",), ("xfr-id-card",), "xfr-id-card", 15, 10),
    "uto-permit": (("residence_permit",), ("uto-residence-permit-td2",), "uto-residence-permit-td2", 5, 15),
    "usa-dl": (("driver_license_front", "driver_license_back"),
               ("usa-driver-license-front", "usa-driver-license-back"), "usa-driver-license", 5, 15),
}
_MRZ_PRIMARY = ("uto-passport", "xde-passport", "uto-id", "uto-permit")
ISSUERS = {
    "uto-passport": ("PASSPORT OFFICE", "MINISTRY OF FOREIGN AFFAIRS", "EMBASSY OF UTOPIA"),
    "xde-passport": ("STADT BERLIN", "STADT KÖLN", "STADT MÜNCHEN", "LANDKREIS HARZ"),
    "uto-id": ("CITY OF ZENITH", "MUNICIPALITY OF UTOPIA CITY", "CIVIL REGISTRY OFFICE"),
    "xfr-id": ("PRÉFECTURE DE POLICE",), "uto-permit": ("IMMIGRATION OFFICE", "FOREIGNERS AUTHORITY"),
    "usa-dl": ("",),
}
UTILITIES = ("Nordlicht Energie", "Utopia Power & Light", "Aurora Energía", "Électricité du Val",
             "Blue River Utilities", "Zenith Gas & Power")
BANKS = ("Bank of Utopia", "First Zenith Bank", "Banca del Lago", "Nordbank Utopia", "Crédit du Val",
         "Harbour Savings Bank")
INSURERS = ("Utopia Mutual Insurance", "Zenith Life Assurance", "Aurora Versicherung AG", "Mutuelle du Val")
CURRENCY = {"en_GB": "GBP", "en_US": "USD", "pl_PL": "PLN", "sv_SE": "SEK", "cs_CZ": "CZK", "hu_HU": "HUF",
            "da_DK": "DKK"}


@dataclass(frozen=True)
class PlanConfig:
    """Run-wide settings of the generator."""

    seed: int = 0
    presets: tuple[str, ...] = ("clean", "scan", "photo")
    fault_rate: float = 0.4
    all_faults: bool = False  # cycle through every fault kind (small showcase sets)
    as_of: date = AS_OF


@dataclass(frozen=True)
class CustomerPlan:
    """One customer: identity, documents (specs), faults and what the verifier should decide."""

    index: int
    customer_id: str
    split: str
    identity: Identity
    primary: str
    documents: tuple[DocSpec, ...]
    faults: tuple[str, ...]
    expected_decision: str
    expected_failing_checks: tuple[str, ...]
    reused_from: str | None = None
    facts: dict[str, str] = field(default_factory=dict)

    def profile(self, as_of: date) -> dict[str, Any]:
        """The ``profile.json`` content (documents listed by the caller, who knows formats)."""
        p = self.identity
        identity = {"surname": p.surname, "given_names": p.given_names, "date_of_birth": p.date_of_birth.isoformat(),
                    "sex": p.sex, "nationality": p.nationality, "place_of_birth": p.place_of_birth,
                    "address": p.address, "email": p.email, "phone": p.phone, **self.facts}
        out: dict[str, Any] = {"customer_id": self.customer_id, "split": self.split, "as_of": as_of.isoformat(),
                               "identity": identity, "expected_decision": self.expected_decision,
                               "faults": list(self.faults), "expected_failing_checks": list(self.expected_failing_checks)}
        if self.reused_from:
            out["reused_from"] = self.reused_from
        return out


def customer_id(seed: int, index: int) -> str:
    """The folder name and customer id of customer ``index``.

    >>> customer_id(7, 12)
    'cust-7-00012'
    """
    return f"cust-{seed}-{index:05d}"


def customer_rng(seed: int, index: int) -> random.Random:
    """The random source of customer ``index`` (docs/DATASET.md)."""
    return random.Random(seed * 1_000_003 + index)


def drawn_fault(cfg: PlanConfig, index: int) -> str | None:
    """The fault customer ``index`` draws first (before any validity rule)."""
    if cfg.all_faults:
        return F.FAULT_CYCLE[index % len(F.FAULT_CYCLE)]
    rng = customer_rng(cfg.seed, index)
    hit, pick = rng.random(), rng.random()  # always two draws: plan_customer skips exactly these
    if hit >= cfg.fault_rate:
        return None
    names = sorted(F.FAULTS)
    return names[int(pick * len(names))]


def _fault(cfg: PlanConfig, index: int) -> str | None:
    fault = drawn_fault(cfg, index)
    if fault == "document_reused":
        prev = drawn_fault(cfg, index - 1) if index > 0 else "document_reused"
        if prev is not None and (prev == "document_reused" or F.FAULTS[prev].touches_id):
            return None
    return fault


def _primary(fault: str | None, rng: random.Random, cycle: int | None = None) -> str:
    """The identity document: weighted draw, or (showcase sets) the next kind in turn that fits the fault."""
    names = sorted(PRIMARY)
    if fault == "mrz_check_digit_tampered":
        names = sorted(_MRZ_PRIMARY)
    elif fault in ("name_diacritics_dropped", "name_transliterated"):
        names = [n for n in names if n != "usa-dl"]
    pick = rng.choices(names, weights=[PRIMARY[n][4] for n in names])[0]
    if cycle is not None:
        ordered = sorted(PRIMARY)
        pick = next(n for k in range(len(ordered)) if (n := ordered[(cycle + k) % len(ordered)]) in names)
    return pick


def _person(primary: str, fault: str | None, rng: random.Random, as_of: date) -> Identity:
    age = (16, 17) if fault == "underage" else (18, 90)
    kw: dict[str, Any] = {"age": age, "min_given": 2 if fault == "middle_name_missing" else 1,
                          "need_diacritics": fault in ("name_diacritics_dropped", "name_transliterated")}
    if primary == "usa-dl":
        return make_identity(rng, as_of, locale="en_US", us_state="CA", **kw)
    if primary == "xfr-id":
        return make_identity(rng, as_of, locale="fr_FR", nationality="FRA", **kw)
    if primary == "xde-passport":
        return make_identity(rng, as_of, locale="de_DE", nationality="D", **kw)
    if primary == "uto-permit":
        return make_identity(rng, as_of, **kw)
    return make_identity(rng, as_of, nationality="UTO", **kw)


def _output(kind: str, preset: str, rng: random.Random) -> str:
    paper = kind in ("utility_bill", "bank_statement", "application_form")
    if preset == "photo":
        return "jpg"
    if preset == "scan":
        return "pdf-scan" if rng.random() < 0.4 else "png"
    return "pdf-digital" if paper and rng.random() < 0.4 else "png"


def _spec(stem: str, template: str, person: Identity, cfg: PlanConfig, rng: random.Random, **kw: Any) -> DocSpec:
    preset = rng.choice(cfg.presets)
    return DocSpec(template, stem, person, preset=preset, output=_output(STEMS[stem][0], preset, rng),
                   seed=rng.getrandbits(32), **kw)


def _id_documents(primary: str, person: Identity, fault: str | None, cfg: PlanConfig,
                  rng: random.Random) -> tuple[tuple[DocSpec, ...], dict[str, str]]:
    stems, templates, pattern, years, _ = PRIMARY[primary]
    number = document_number(pattern, rng)
    issued, expires = issue_and_expiry(rng, person.date_of_birth, cfg.as_of, years,
                                       expired=fault == "expired_document")
    country = {"xde-passport": "D", "xfr-id": "FRA", "usa-dl": "USA"}.get(primary, "UTO")
    personal = personal_number(rng) if primary in ("uto-passport", "uto-id") and rng.random() < 0.5 else ""
    issuer = rng.choice(ISSUERS[primary])
    specs = tuple(_spec(stem, tid, person, cfg, rng, number=number, issued=issued, expires=expires,
                        personal_number=personal, issuing_country=country, issuer=issuer,
                        tamper_mrz=fault == "mrz_check_digit_tampered")
                  for stem, tid in zip(stems, templates))
    kind = specs[0].kind
    facts = {"document_type": kind, "document_number": number, "issuing_country": country,
             "date_of_issue": issued.isoformat(), "date_of_expiry": expires.isoformat()}
    return specs, facts


def _language(person: Identity) -> str:
    lang = person.locale.split("_")[0]
    return lang if lang in LANGS else "en"


def _proof(person: Identity, fault: str | None, cfg: PlanConfig, rng: random.Random) -> DocSpec:
    old = fault == "proof_of_address_old"
    day = cfg.as_of - timedelta(days=rng.randint(100, 400) if old else rng.randint(3, 80))
    currency = CURRENCY.get(person.locale, "EUR")
    extra = {"language": _language(person), "statement_date": day.isoformat(), "currency": currency}
    if rng.random() < 0.5:
        amount = round(rng.uniform(35, 260), 2)
        start = (day.replace(day=1) - timedelta(days=1)).replace(day=1)
        extra.update(account_number="".join(rng.choice("0123456789") for _ in range(10)),
                     amount_due=f"{amount:,.2f} {currency}", amount_raw=f"{amount:.2f}",
                     period_start=start.isoformat(), period_end=(day.replace(day=1) - timedelta(days=1)).isoformat())
        return _spec("utility_bill", "utility-bill", person, cfg, rng, issuer=rng.choice(UTILITIES),
                     extra=tuple(extra.items()))
    iban = faker_for(person.locale if person.locale in LOCALES else "en_GB", rng).iban()
    balance = round(rng.uniform(-300, 9000), 2)
    extra.update(iban=iban, account_number=iban[-10:], closing_balance=f"{balance:,.2f} {currency}",
                 closing_raw=f"{balance:.2f}")
    return _spec("bank_statement", "bank-statement", person, cfg, rng, issuer=rng.choice(BANKS),
                 extra=tuple(extra.items()))


def _form(person: Identity, id_spec: DocSpec, cid: str, fault: str | None, cfg: PlanConfig,
          rng: random.Random) -> DocSpec:
    shown = F.form_name_variant(person, fault or "")
    if fault == "dob_mismatch":
        shown = replace(shown, date_of_birth=F.other_birth_date(person.date_of_birth, rng))
    if fault == "address_mismatch":
        shown = move_house(shown, rng)
    number = id_spec.number
    if fault == "document_number_mismatch":
        number = F.other_document_number(number, rng)
    lang = _language(person)
    extra = {"language": lang, "date_style": "iso" if rng.random() < 0.2 else {"en": "slash", "de": "dots"}.get(
        lang, "slash"), "customer_id": cid, "policy_number": f"POL-{rng.randint(10_000_000, 99_999_999)}",
        "application_date": (cfg.as_of - timedelta(days=rng.randint(0, 10))).isoformat(),
        "id_document_type": id_spec.kind}
    return _spec("application_form", "kyc-application-form", shown, cfg, rng, number=number,
                 issuer=rng.choice(INSURERS), extra=tuple(extra.items()))


def plan_customer(cfg: PlanConfig, index: int) -> CustomerPlan:
    """Plan customer ``index`` of the run (pure: the same config and index give the same plan)."""
    cid = customer_id(cfg.seed, index)
    split = SPLITS[index % 10]
    fault = _fault(cfg, index)
    rng = customer_rng(cfg.seed, index)
    rng.random(), rng.random()  # the two draws drawn_fault made
    reused_from = None
    if fault == "document_reused":
        prev = plan_customer(cfg, index - 1)  # its ID files are re-emitted from the same specs: same bytes
        person, primary, facts, reused_from = prev.identity, prev.primary, dict(prev.facts), prev.customer_id
        id_docs = prev.documents[:len(PRIMARY[primary][0])]
    else:
        primary = _primary(fault, rng, index if cfg.all_faults else None)
        person = _person(primary, fault, rng, cfg.as_of)
        id_docs, facts = _id_documents(primary, person, fault, cfg, rng)
    docs = list(id_docs)
    docs.append(_proof(person, fault, cfg, rng))
    if (fault is not None and F.FAULTS[fault].needs_form) or rng.random() < 0.85:
        docs.append(_form(person, id_docs[0], cid, fault, cfg, rng))
    faults = [fault] if fault else []
    decision, checks = F.expected_outcome(faults)
    return CustomerPlan(index, cid, split, person, primary, tuple(docs), tuple(faults), decision, tuple(checks),
                        reused_from, facts)
