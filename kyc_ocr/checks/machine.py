"""Printed fields settled by the machine-readable zones of the same card, when the pixels agree.

An MRZ carries check digits and a PDF417 barcode error correction: what they give is read far
more reliably than the small print of a blurred phone photo. When a printed field (a date, a
number, a name) disagrees with the value the card's own MRZ or barcode (or those of its other
side) gives, the field's pixels are re-read against that value, written as the card prints it
(:mod:`kyc_ocr.checks.reread` plans the re-reads). Within the policy's ``reread_max_cost`` the
printed field is taken to say the same: :func:`settle_by_machine` gives the checks documents
with such fields settled (the field's ``raw`` still shows what OCR read) and the re-reads as
evidence, which ``mrz_matches_visual`` and ``barcode_matches_visual`` cite. Within
``reread_doubt_cost`` the field stays as read, but a mismatch on it is only a doubt (WARN).

A disagreement the pixels do not resolve is left as read, for the checks to judge.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from kyc_ocr.checks.base import CheckContext
from kyc_ocr.checks.compare import compare_field
from kyc_ocr.checks.dates import date_like
from kyc_ocr.checks.lines import lines_reread
from kyc_ocr.domain import CheckResult, ExtractedDocument, Field, FieldSource, Status
from kyc_ocr.errors import InputError

SETTLED_FIELDS = ("surname", "given_names", "document_number", "date_of_birth", "date_of_expiry", "date_of_issue")

Key = tuple[str, str]  # document sha256, field name


def _mrz_values(doc: ExtractedDocument, as_of: dt.date) -> dict[str, str]:
    from kyc_ocr.checks.document import parsed_mrz

    if not doc.value("mrz"):
        return {}
    try:
        parsed = parsed_mrz(doc, as_of)
    except InputError:
        return {}
    values = {k: str(v) for k, v in parsed.to_dict().items() if k in SETTLED_FIELDS and v}
    for name in ("surname", "given_names"):
        if doc.value(f"{name}_mrz"):
            values[name] = doc.value(f"{name}_mrz") or ""
    return values


def machine_values(doc: ExtractedDocument, documents: Sequence[ExtractedDocument], as_of: dt.date
                   ) -> dict[str, str]:
    """What the MRZ and barcode of ``doc`` and of its other side(s) give, by canonical field name
    (the document's own MRZ first; the address from a barcode)."""
    from kyc_ocr.checks.document import barcode_fields, other_sides

    out: dict[str, str] = {}
    for holder in (doc, *other_sides(doc, tuple(documents))):
        for name, value in _mrz_values(holder, as_of).items():
            out.setdefault(name, value)
        for name, f in barcode_fields(holder).items():
            if name in (*SETTLED_FIELDS, "address") and f.value.strip():
                out.setdefault(name, f.value)
    return out


def as_printed(f: Field, value: str) -> str | None:
    """``value`` (canonical) written as field ``f`` prints its own; ``None`` when that cannot be told
    (a date printed with a month name).

    >>> as_printed(Field("date_of_issue", "2121-12-10", "12/10/2121", 0.8), "2021-12-10")
    '12/10/2021'
    >>> as_printed(Field("given_names", "AWA", "AWA", 0.6), "Anna")
    'ANNA'
    """
    from kyc_ocr.checks.reread import cased_like

    if f.name.startswith("date_"):
        return date_like(value, f.raw, f.value) if f.raw else None
    if f.name in ("surname", "given_names"):
        return cased_like(value, f.raw or f.value)
    return value


def _disagreements(doc: ExtractedDocument, machine: dict[str, str]) -> list[tuple[Field, str, str]]:
    """``(field, machine value, that value as the field prints it)`` for each printed field of ``doc``
    that disagrees with ``machine`` (see :func:`machine_values`)."""
    out = []
    for name in SETTLED_FIELDS:
        f, value = doc.fields.get(name), machine.get(name)
        if f is None or f.source is not FieldSource.VISUAL or not value or not f.value.strip():
            continue
        if compare_field(name, f.value, value).outcome != "match" and (printed := as_printed(f, value)):
            out.append((f, value, printed))
    return out


def machine_hypotheses(doc: ExtractedDocument, documents: Sequence[ExtractedDocument], as_of: dt.date | None
                       ) -> list[tuple[ExtractedDocument, Field, str]]:
    """``doc``'s printed fields that disagree with the card's machine-readable value, each with that
    value as printed (the re-reads :func:`settle_by_machine` looks up; a multi-line address is planned
    line by line with the other addresses, :func:`kyc_ocr.checks.reread.address_hypotheses`)."""
    if as_of is None:
        return []
    return [(doc, f, printed) for f, _, printed in _disagreements(doc, machine_values(doc, documents, as_of))]


def settle_by_machine(documents: Sequence[ExtractedDocument], ctx: CheckContext
                      ) -> tuple[list[ExtractedDocument], dict[Key, dict[str, Any]]]:
    """The documents with each printed field whose pixels re-read as the card's machine-readable value
    (within ``reread_max_cost``; an address line by line, :func:`kyc_ocr.checks.lines.lines_reread`)
    given that value, and the re-reads by (sha256, field name)."""
    t = ctx.policy.thresholds
    if ctx.reread is None or t.reread_max_cost <= 0:
        return list(documents), {}
    settled: dict[Key, dict[str, Any]] = {}
    out = []
    for doc in documents:
        fields = dict(doc.fields)
        machine = machine_values(doc, documents, ctx.as_of)
        for f, value, printed in _disagreements(doc, machine):
            found = ctx.reread(doc, f, printed)
            if found is None:
                continue
            if found.cost <= t.reread_max_cost:
                fields[f.name] = dataclasses.replace(f, value=value)
                settled[(doc.sha256, f.name)] = {**found.to_dict(), "max_cost": t.reread_max_cost, "was": f.value}
            elif found.cost <= t.reread_doubt_cost:  # not settled, but not enough to call a mismatch on
                settled[(doc.sha256, f.name)] = {**found.to_dict(), "doubt_cost": t.reread_doubt_cost, "doubt": True,
                                                 "machine": value}
        address, value = doc.fields.get("address"), machine.get("address")
        if (address is not None and address.source is FieldSource.VISUAL and value
                and compare_field("address", address.value, value).outcome != "match"):
            lines = lines_reread(ctx, doc, address, value)
            if lines is not None:
                fields["address"] = dataclasses.replace(address, value=value)
                settled[(doc.sha256, "address")] = {**lines, "was": address.value}
        out.append(dataclasses.replace(doc, fields=fields) if fields != doc.fields else doc)
    return out, settled


#: per-document checks and the printed fields their outcome rests on
DATE_CHECK_FIELDS = {"document_not_expired": ("date_of_expiry",), "issue_before_expiry": ("date_of_issue", "date_of_expiry"),
                     "minimum_age": ("date_of_birth",)}


def doubt_softened(result: CheckResult, doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """A FAIL of a date check resting on a printed field that disagrees with its card's machine-readable
    value but whose pixels re-read as that value within ``reread_doubt_cost``, made a WARN (a person looks):
    two readings of the card disagree, and the one that fails may be the OCR's.

    >>> from kyc_ocr.checks import load_policy
    >>> doc = ExtractedDocument("dl.jpg", "d" * 64, "image/jpeg", "driver_license", None, {})
    >>> ctx = CheckContext(load_policy(), dt.date(2026, 6, 30), settled={("d" * 64, "date_of_issue"): {"doubt": True}})
    >>> failed = CheckResult("issue_before_expiry", Status.FAIL, 0.0, "dl.jpg: issued 2121-12-10", {})
    >>> doubt_softened(failed, doc, ctx).status
    <Status.WARN: 'WARN'>
    """
    fields = DATE_CHECK_FIELDS.get(result.name, ())
    doubts = {n: ctx.settled[(doc.sha256, n)] for n in fields if ctx.settled.get((doc.sha256, n), {}).get("doubt")}
    if result.status is not Status.FAIL or not doubts:
        return result
    return CheckResult(result.name, Status.WARN, result.score,
                       f"{result.detail}; but the pixels of {', '.join(doubts)} re-read as the card's machine-readable "
                       f"value within {ctx.policy.thresholds.reread_doubt_cost} nats: not enough to reject on",
                       {**result.evidence, "reread_doubt": doubts})


def birth_doubt_softened(result: CheckResult, documents: Sequence[ExtractedDocument], ctx: CheckContext
                         ) -> CheckResult:
    """A ``same_date_of_birth`` FAIL that goes away when each printed date of birth in doubt (its pixels re-read
    as its card's machine-readable date within ``reread_doubt_cost``) is taken as that date, made a WARN: the
    card's own two readings disagree, as ``barcode_matches_visual`` / ``mrz_matches_visual`` then say too.

    >>> from kyc_ocr.checks import load_policy
    >>> from kyc_ocr.domain import Field
    >>> front = ExtractedDocument("dl.jpg", "d" * 64, "image/jpeg", "driver_license", None,
    ...                           {"date_of_birth": Field("date_of_birth", "1964-04-13", "04/13/1964", 0.9)})
    >>> form = ExtractedDocument("f.png", "f" * 64, "image/png", "application_form", None,
    ...                          {"date_of_birth": Field("date_of_birth", "1964-04-18", "18/04/1964", 0.9)})
    >>> ctx = CheckContext(load_policy(), dt.date(2026, 6, 30),
    ...                    settled={("d" * 64, "date_of_birth"): {"doubt": True, "machine": "1964-04-18"}})
    >>> failed = CheckResult("same_date_of_birth", Status.FAIL, 0.0, "date of birth differs", {})
    >>> birth_doubt_softened(failed, [front, form], ctx).status
    <Status.WARN: 'WARN'>
    """
    if result.name != "same_date_of_birth" or result.status is not Status.FAIL:
        return result
    values, doubts = set(), {}
    for doc in documents:
        value = doc.value("date_of_birth")
        entry = ctx.settled.get((doc.sha256, "date_of_birth"), {})
        if entry.get("doubt") and entry.get("machine"):
            doubts[doc.source] = entry
            value = entry["machine"]
        if value:
            values.add(value)
    if not doubts or len(values) != 1:
        return result
    return CheckResult(result.name, Status.WARN, result.score,
                       f"{result.detail}; but the pixels of the date of birth on {', '.join(doubts)} re-read as the "
                       f"card's machine-readable date within {ctx.policy.thresholds.reread_doubt_cost} nats, which "
                       "every document then gives: not enough to reject on", {**result.evidence, "reread_doubt": doubts})


__all__ = ["DATE_CHECK_FIELDS", "SETTLED_FIELDS", "as_printed", "birth_doubt_softened", "doubt_softened",
           "machine_hypotheses", "machine_values", "settle_by_machine"]
