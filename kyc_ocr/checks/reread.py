"""Which fields the cross-document checks may want re-read from their pixels, and the answers.

Re-reading needs the files and an OCR engine; the checks must stay pure functions
of data. So the re-reads are *planned* from the extracted documents
(:func:`planned_rereads`), measured where the engine is (the verifier, or a batch
worker, with :class:`kyc_ocr.extract.reread.PixelRereader`) and handed to the checks
as a :class:`RereadTable`, whose answers the checks cite as evidence.

Planned today: the ID document number an application form gives against each
identity document's number, and back (unless the identity document's number was
confirmed by the MRZ or a barcode, whose reading is not in doubt); the holder's
surname and given names of every document against every other document's, written
in the case the document prints them in; and each date on an OCR line that no
calendar has against the possible dates one OCR slip away (``32.06.2026`` may be
``22.06.2026``); each date of birth read on a document against the others'; and, given the
verification date, a proof of address's date against the dates of the year before it that are
at most two misread digits away (``16/04/2028`` may be ``16/04/2026``); and a multi-line address,
line by line, against every other address the documents give (:mod:`kyc_ocr.checks.lines`).

>>> from kyc_ocr.domain import ExtractedDocument, Field, Reread
>>> form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None,
...                          {"document_number": Field("document_number", "Z09A229SH", "Z09A229SH", 0.9)})
>>> card = ExtractedDocument("id.jpg", "c" * 64, "image/jpeg", "id_card", None,
...                          {"document_number": Field("document_number", "Z09A2293H", "Z09A2293H", 0.9)})
>>> [(d.source, f.name, h) for d, f, h in planned_rereads([form, card])]
[('form.jpg', 'document_number', 'Z09A2293H'), ('id.jpg', 'document_number', 'Z09A229SH')]
>>> table = RereadTable.measure([form, card], lambda d, f, h: Reread(f.value, h, 2.8))
>>> table(form, form.fields["document_number"], "Z09A2293H").cost
2.8
>>> table(form, form.fields["document_number"], "X") is None
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from rapidfuzz import fuzz

from kyc_ocr.checks.base import (
    FORM_NUMBER_FIELDS,
    FORM_TYPES,
    FULL_NAME_FIELDS,
    IDENTITY_TYPES,
    PROOF_DATE_FIELDS,
    PROOF_OF_ADDRESS_TYPES,
    CheckContext,
    doc_ref,
    first_field,
    parse_iso,
)
from kyc_ocr.checks.compare import compare_number
from kyc_ocr.checks.dates import date_like, impossible_date_lines, possible_readings, slipped_dates
from kyc_ocr.checks.lines import blends, cased_like, line_hypotheses
from kyc_ocr.domain import ExtractedDocument, Field, FieldRereader, FieldSource, Reread
from kyc_ocr.extract.labels import fold

Key = tuple[str, str, str]  # document sha256, field name, hypothesis
NAME_FIELDS = ("surname", "given_names")
PROOF_WINDOW_DAYS = 366  # a proof of address's date is re-read against the dates of the year before the verification
ISSUE_WINDOW_DAYS = 7305  # an issue date after the verification date: re-read against the 20 years before it


def names_differ(a: Field, b: Field) -> bool:
    return fold(a.value) != fold(b.value)


def full_names(doc: ExtractedDocument) -> list[str]:
    """The holder's name on one line as ``doc`` gives it: given names first and surname first when
    it reads them apart, else its one-line name field.

    >>> card = ExtractedDocument("id.png", "c" * 64, "image/png", "id_card", None,
    ...                          {"surname": Field("surname", "VASQUEZ-REYES", "VASQUEZ-REYES", 0.9),
    ...                           "given_names": Field("given_names", "ROBERT", "ROBERT", 0.9)})
    >>> full_names(card)
    ['ROBERT VASQUEZ-REYES', 'VASQUEZ-REYES ROBERT']
    """
    surname, given = (doc.value("surname") or "").strip(), (doc.value("given_names") or "").strip()
    if surname:
        return [f"{given} {surname}", f"{surname} {given}"] if given else [surname]
    f = first_field(doc, FULL_NAME_FIELDS)
    return [f.value.strip()] if f is not None and f.value.strip() else []


def name_hypotheses(doc: ExtractedDocument, other: ExtractedDocument) -> list[tuple[Field, str]]:
    """``doc``'s name fields that read differently from ``other``'s, each with ``other``'s value as
    ``doc`` would print it (the hypothesis to re-read ``doc``'s pixels against). A one-line name
    (a bank statement's account holder) is tested against ``other``'s full name in both orders.

    >>> stmt = ExtractedDocument("stmt.jpg", "s" * 64, "image/jpeg", "bank_statement", None,
    ...                          {"full_name": Field("full_name", "Roben Vasquez-Reyes", "Roben Vasquez-Reyes", 0.8)})
    >>> card = ExtractedDocument("id.png", "c" * 64, "image/png", "id_card", None,
    ...                          {"surname": Field("surname", "VASQUEZ-REYES", "VASQUEZ-REYES", 0.9),
    ...                           "given_names": Field("given_names", "ROBERT", "ROBERT", 0.9)})
    >>> [h for _, h in name_hypotheses(stmt, card)]
    ['Robert Vasquez-Reyes', 'Vasquez-Reyes Robert']

    A form that wrote the names the other way round is tested part against part:

    >>> form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None,
    ...                          {"surname": Field("surname", "Lissy", "Lissy", 0.8),
    ...                           "given_names": Field("given_names", "Ktota Bauer", "Ktota Bauer", 0.7)})
    >>> passport = ExtractedDocument("p.png", "p" * 64, "image/png", "passport", None,
    ...                              {"surname": Field("surname", "KLOTZ BAUER", "KLOTZ BAUER", 0.9),
    ...                               "given_names": Field("given_names", "LISSY", "LISSY", 0.9)})
    >>> [(f.name, h) for f, h in name_hypotheses(form, passport)]
    [('given_names', 'Klotz Bauer')]

    and so is a document naming the holder on one line, part against the words of it read closest:

    >>> card = ExtractedDocument("id.jpg", "i" * 64, "image/jpeg", "id_card", None,
    ...                          {"surname": Field("surname", "NomLE MUNOZ", "NomLE MUNOZ", 0.77),
    ...                           "given_names": Field("given_names", "Bernadette", "Bernadette", 0.95)})
    >>> statement = ExtractedDocument("s.png", "s" * 64, "image/png", "bank_statement", None,
    ...                               {"full_name": Field("full_name", "Bernadette Le Munoz", "", 0.95)})
    >>> [(f.name, h) for f, h in name_hypotheses(card, statement)]
    [('surname', 'Le MUNOZ')]

    A document of which only the surname was read tests it against the one field of mine reading closest to it
    (never my given names against that surname as well):

    >>> licence = ExtractedDocument("dl.jpg", "d" * 64, "image/jpeg", "id_card", None,
    ...                             {"surname": Field("surname", "REYNOLDS-MUNOZ", "REYNOLDS-MUNOZ", 0.95)})
    >>> form = ExtractedDocument("form.jpg", "f" * 64, "image/jpeg", "application_form", None,
    ...                          {"surname": Field("surname", "Reynokk-Mnnoe", "Reynokk-Mnnoe", 0.8),
    ...                           "given_names": Field("given_names", "Robent John Caeron", "Robent John Caeron", 0.8)})
    >>> [(f.name, h) for f, h in name_hypotheses(form, licence)]
    [('surname', 'Reynolds-Munoz')]
    """
    parts = [f for n in NAME_FIELDS if (f := other.fields.get(n)) is not None and f.value.strip()] or _spans(other)
    pairs: list[tuple[float, Field, Field]] = []
    for name in NAME_FIELDS:
        mine = doc.fields.get(name)
        if not mine or not mine.value.strip() or not parts:
            continue
        # the other document's part this one reads closest to: its own field, or the other one on a form
        # that wrote surname and given names the other way round
        theirs = max(parts, key=lambda f: (fuzz.ratio(fold(f.value), fold(mine.value)), f.name == name))
        pairs.append((fuzz.ratio(fold(theirs.value), fold(mine.value)), mine, theirs))
    if len(parts) == 1 and pairs:  # one part of the other's (a surname alone) stands for one field of mine
        pairs = [max(pairs, key=lambda pair: pair[0])]  # the first (the surname) on a tie
    out = [(mine, cased_like(theirs.value, mine.raw or mine.value)) for _, mine, theirs in pairs
           if names_differ(mine, theirs)]
    one_line = first_field(doc, FULL_NAME_FIELDS) if not (doc.value("surname") or "").strip() else None
    if one_line is not None and one_line.value.strip():
        for full in full_names(other):
            if fold(full) != fold(one_line.value):
                out.append((one_line, cased_like(full, one_line.raw or one_line.value)))
    return out


def _spans(doc: ExtractedDocument) -> list[Field]:
    """Every run of whole words of ``doc``'s one-line name, each as a field to test a name part against
    (``Le Munoz`` of ``Bernadette Le Munoz`` for an ID's surname read ``NomLE MUNOZ``)."""
    f = first_field(doc, FULL_NAME_FIELDS)
    words = f.value.split() if f is not None else []
    return [dataclasses.replace(f, value=" ".join(words[i:j])) for i in range(len(words))
            for j in range(i + 1, len(words) + 1)] if f is not None else []


def planned_rereads(documents: Sequence[ExtractedDocument], as_of: dt.date | None = None
                    ) -> list[tuple[ExtractedDocument, Field, str]]:
    """``(document, field, hypothesis)`` for every disagreement a check could settle by re-reading
    (the proof-of-address dates and the printed fields against their card's MRZ or barcode only when
    the verification date ``as_of`` is given)."""
    from kyc_ocr.checks.machine import machine_hypotheses  # checks.machine needs checks.document, which needs this

    forms = [(d, f) for d in documents
             if d.document_type in FORM_TYPES and (f := first_field(d, FORM_NUMBER_FIELDS)) is not None]
    ids = [(d, d.fields["document_number"]) for d in documents
           if d.document_type in IDENTITY_TYPES and "document_number" in d.fields and d.fields["document_number"].value]
    plan: list[tuple[ExtractedDocument, Field, str]] = []
    for form, number in forms:
        for doc, theirs in ids:
            if compare_number(number.value, theirs.value).outcome == "match":
                continue
            plan.append((form, number, theirs.value))
            if theirs.source is FieldSource.VISUAL:
                plan.append((doc, theirs, number.value))
    for doc in documents:
        for other in documents:
            if other is not doc:
                plan.extend((doc, f, h) for f, h in name_hypotheses(doc, other) if f.source is FieldSource.VISUAL)
        plan.extend((doc, line, h) for line, bad in impossible_date_lines(doc) for h in possible_readings(line.value, bad))
        plan.extend(birth_date_hypotheses(doc, documents))
        plan.extend(sex_hypotheses(doc, documents))
        if as_of is not None:
            plan.extend((doc, f, text) for f, _, text in proof_date_hypotheses(doc, as_of))
            plan.extend((doc, f, text) for f, _, text in issue_date_hypotheses(doc, as_of))
        plan.extend(address_hypotheses(doc, documents))
        plan.extend(machine_hypotheses(doc, documents, as_of))
    return plan


def address_hypotheses(doc: ExtractedDocument, documents: Sequence[ExtractedDocument]
                       ) -> list[tuple[ExtractedDocument, Field, str]]:
    """``doc``'s multi-line address, line by line, against each other address the customer's documents
    give (a barcode's too), and against their :func:`~kyc_ocr.checks.lines.blends` with its own reading:
    :func:`kyc_ocr.checks.lines.line_hypotheses`."""
    mine = doc.fields.get("address")
    if mine is None or mine.source is not FieldSource.VISUAL:
        return []
    found = [(v, f.source) for d in documents for f in d.fields.values()
             if f.name == "address" and (v := f.value.strip()) and fold(v) != fold(mine.value)]
    others = dict.fromkeys(v for v, _ in found)
    read = dict.fromkeys(v for v, source in found if source is FieldSource.VISUAL)  # a barcode's is exact
    values = [*others, *(mixed for value in read for mixed in blends(mine.value, value))]
    return [(doc, line, part) for value in values for line, part in line_hypotheses(doc, mine, value)]


def proof_date_hypotheses(doc: ExtractedDocument, as_of: dt.date, window_days: int = PROOF_WINDOW_DAYS
                          ) -> list[tuple[Field, dt.date, str]]:
    """A proof of address's visually read date against each date of the ``window_days`` up to ``as_of``
    it would be with one or two digits misread: ``(field, date, date as the document prints it)``.

    >>> bill = ExtractedDocument("bill.jpg", "b" * 64, "image/jpeg", "utility_bill", None,
    ...     {"statement_date": Field("statement_date", "2028-04-16", "16/04/2028", 0.84)})
    >>> [text for _, _, text in proof_date_hypotheses(bill, dt.date(2026, 6, 30))][:3]
    ['16/04/2026', '16/06/2026', '16/05/2026']
    """
    f = first_field(doc, PROOF_DATE_FIELDS) if doc.document_type in PROOF_OF_ADDRESS_TYPES else None
    if f is None or f.source is not FieldSource.VISUAL or not f.raw:
        return []
    days = (as_of - dt.timedelta(days=n) for n in range(window_days + 1))
    return [(f, day, text) for day, text in slipped_dates(f.raw, f.value, days)]


def issue_date_hypotheses(doc: ExtractedDocument, as_of: dt.date, window_days: int = ISSUE_WINDOW_DAYS
                          ) -> list[tuple[Field, dt.date, str]]:
    """An identity document's visually read issue date that lies after the verification date ``as_of``
    against each date of the ``window_days`` before it could be (on or before ``as_of``, before the expiry)
    it would be with one or two digits misread: ``(field, date, date as the document prints it)``.

    >>> card = ExtractedDocument("permit.jpg", "p" * 64, "image/jpeg", "residence_permit", None,
    ...     {"date_of_issue": Field("date_of_issue", "2102-06-23", "23/06/2102", 0.63),
    ...      "date_of_expiry": Field("date_of_expiry", "2027-03-22", "2027-03-22", 0.99, FieldSource.MRZ)})
    >>> [text for _, _, text in issue_date_hypotheses(card, dt.date(2026, 6, 30))][:2]
    ['23/06/2022', '23/06/2012']
    >>> issue_date_hypotheses(card, dt.date(2103, 1, 1))  # not in the future then: nothing to settle
    []
    """
    f = doc.fields.get("date_of_issue") if doc.document_type in IDENTITY_TYPES else None
    issue = parse_iso(f.value) if f is not None else None
    if f is None or issue is None or f.source is not FieldSource.VISUAL or not f.raw or issue <= as_of:
        return []
    expiry = parse_iso(doc.value("date_of_expiry"))
    latest = min(as_of, expiry - dt.timedelta(days=1)) if expiry is not None else as_of
    days = (latest - dt.timedelta(days=n) for n in range(window_days + 1))
    return [(f, day, text) for day, text in slipped_dates(f.raw, f.value, days)]


def cheapest_date(ctx: CheckContext, doc: ExtractedDocument, tries: Sequence[tuple[Field, dt.date, str]],
                  max_cost: float | None = None) -> tuple[dt.date, dict[str, Any]] | None:
    """Of ``tries`` (a date field, a date it may be, that date as the document prints it), the date the
    field's pixels re-read as most cheaply within ``max_cost`` (default: the policy's ``reread_max_cost``),
    with the re-read as evidence; ``None`` when none does (or nothing was re-read)."""
    best = cheapest_reread(ctx, [(doc, f, text) for f, _, text in tries], max_cost)
    return None if best is None else (tries[best[0]][1], best[1])


def agreement_hypotheses(doc: ExtractedDocument, documents: Sequence[ExtractedDocument], field: str,
                         printed: Callable[[str, Field], str | None]) -> list[tuple[ExtractedDocument, Field, str]]:
    """``doc``'s visually read ``field`` against each other value the customer's documents give for it,
    written as ``doc`` prints its own (``printed(value, field)``; ``None``: cannot be told)."""
    mine = doc.fields.get(field)
    if mine is None or mine.source is not FieldSource.VISUAL or not mine.raw:
        return []
    others = {v for d in documents if d is not doc and (v := d.value(field)) and v != mine.value}
    return [(doc, mine, h) for v in sorted(others) if (h := printed(v, mine)) is not None]


def birth_date_hypotheses(doc: ExtractedDocument, documents: Sequence[ExtractedDocument]
                          ) -> list[tuple[ExtractedDocument, Field, str]]:
    """``doc``'s visually read date of birth against each other date of birth the customer's documents
    give, written as ``doc`` prints its own (``09.03.1966`` read, ``09.03.1986`` tested)."""
    return agreement_hypotheses(doc, documents, "date_of_birth", lambda v, f: date_like(v, f.raw, f.value))


def sex_printed(value: str, field: Field) -> str | None:
    """A sex code (``M``/``F``/``X``) written as ``field`` prints one letter; ``None`` when it printed
    more (a word: a re-read of one letter against it tells nothing).

    >>> [sex_printed("m", Field("sex", v, raw, 0.6)) for v, raw in (("X", "X"), ("F", " f "), ("F", "Feminin"))]
    ['M', 'M', None]
    """
    return value.upper() if len(field.raw.strip()) == 1 else None


def sex_hypotheses(doc: ExtractedDocument, documents: Sequence[ExtractedDocument]
                   ) -> list[tuple[ExtractedDocument, Field, str]]:
    """``doc``'s visually read one-letter sex against each other sex the customer's documents give
    (a form photo's ``M`` read ``X``)."""
    return agreement_hypotheses(doc, documents, "sex", sex_printed)


def first_reread(ctx: CheckContext, tries: Sequence[tuple[ExtractedDocument, Field, str]],
                 limit: float | None = None) -> dict[str, Any] | None:
    """The first of ``tries`` (document, field, hypothesis) whose re-read is within ``limit`` (the
    policy's ``reread_max_cost`` by default), as evidence; ``None`` when none is (or re-reading is
    off or unmeasured)."""
    limit = ctx.policy.thresholds.reread_max_cost if limit is None else limit
    if ctx.reread is None or limit <= 0:
        return None
    for doc, field, hypothesis in tries:
        found = ctx.reread(doc, field, hypothesis)
        if found is not None and found.cost <= limit:
            return {**doc_ref(doc), "field": field.name, **found.to_dict(), "max_cost": limit}
    return None


def cheapest_reread(ctx: CheckContext, tries: Sequence[tuple[ExtractedDocument, Field, str]],
                    limit: float | None = None) -> tuple[int, dict[str, Any]] | None:
    """Of ``tries`` (document, field, hypothesis), the one re-read most cheaply within ``limit`` (the policy's
    ``reread_max_cost`` by default): its index in ``tries`` and the re-read as evidence (the first on a tie);
    ``None`` when none is (or re-reading is off or unmeasured)."""
    limit = ctx.policy.thresholds.reread_max_cost if limit is None else limit
    if ctx.reread is None or limit <= 0:
        return None
    found = [(r.cost, i, r) for i, (doc, field, h) in enumerate(tries)
             if (r := ctx.reread(doc, field, h)) is not None and r.cost <= limit]
    if not found:
        return None
    _, i, r = min(found, key=lambda item: item[:2])
    doc, field, _ = tries[i]
    return i, {**doc_ref(doc), "field": field.name, **r.to_dict(), "max_cost": limit}


class RereadTable:
    """Measured re-reads, looked up as a :class:`~kyc_ocr.domain.FieldRereader` (``None``: not measured)."""

    def __init__(self, entries: dict[Key, Reread] | None = None) -> None:
        self.entries = dict(entries or {})

    @classmethod
    def measure(cls, documents: Sequence[ExtractedDocument], rereader: FieldRereader | None,
                as_of: dt.date | None = None) -> RereadTable:
        """Run ``rereader`` on every planned re-read (an empty table without one)."""
        entries: dict[Key, Reread] = {}
        if rereader is not None:
            for doc, field, hypothesis in planned_rereads(documents, as_of):
                found = rereader(doc, field, hypothesis)
                if found is not None:
                    entries[(doc.sha256, field.name, hypothesis)] = found
        return cls(entries)

    def __call__(self, document: ExtractedDocument, field: Field, hypothesis: str) -> Reread | None:
        return self.entries.get((document.sha256, field.name, hypothesis))


__all__ = ["NAME_FIELDS", "RereadTable", "address_hypotheses", "agreement_hypotheses", "birth_date_hypotheses", "cased_like",
           "cheapest_date", "cheapest_reread", "first_reread", "full_names", "issue_date_hypotheses", "name_hypotheses",
           "planned_rereads", "proof_date_hypotheses", "sex_hypotheses", "sex_printed"]
