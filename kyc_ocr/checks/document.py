"""Checks within one document: MRZ digits and consistency, barcode, dates, age, number format, fields.

Each check is ``check(doc, ctx) -> CheckResult`` and is pure: it reads the
document's fields and the :class:`~kyc_ocr.checks.base.CheckContext` (policy,
verification date ``as_of``, number patterns) and nothing else. A check with
nothing to compare returns SKIP and says why.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from typing import Any

from kyc_ocr.checks.base import (
    FORM_NUMBER_FIELDS,
    FORM_TYPES,
    FULL_NAME_FIELDS,
    IDENTITY_TYPES,
    CheckContext,
    doc_fields,
    doc_ref,
    field_ref,
    first_field,
    parse_iso,
    skip,
)
from kyc_ocr.checks.compare import (
    COUNTRY_FIELDS,
    DATE_FIELDS,
    Comparison,
    compare_codes,
    compare_dates,
    compare_field,
    compare_mrz_name,
    compare_number,
    normalize_number,
)
from kyc_ocr.checks.reread import NAME_FIELDS, cased_like, cheapest_date, first_reread, issue_date_hypotheses
from kyc_ocr.domain import CheckResult, ExtractedDocument, Field, FieldSource, Status
from kyc_ocr.errors import InputError
from kyc_ocr.extract.labels import fold

log = logging.getLogger(__name__)

MRZ_COMPARED = ("surname", "given_names", "document_number", "date_of_birth", "date_of_expiry", "sex",
                "nationality", "issuing_country")
BARCODE_COMPARED = ("surname", "given_names", "document_number", "date_of_birth", "date_of_expiry",
                    "date_of_issue", "sex", "nationality", "address", "postal_code")


def parsed_mrz(doc: ExtractedDocument, as_of: dt.date) -> Any:
    """The document's ``mrz`` field re-parsed (without repair: the field is already corrected);
    InputError when it cannot be."""
    from kyc_ocr.extract.mrz import parse_mrz  # local: keeps checks importable while extract grows

    text = doc.fields["mrz"].value
    try:
        return parse_mrz(text, today=as_of, repair=False)
    except InputError:
        return parse_mrz(text, today=as_of, repair=True)


def _parse(doc: ExtractedDocument, ctx: CheckContext) -> Any:
    return parsed_mrz(doc, ctx.as_of)


def _failed_digit(mrz: Any, name: str) -> dict[str, Any]:
    """Where a failing check digit sits (1-based), what it says and what the data needs."""
    from kyc_ocr.extract.mrz_layout import LAYOUTS, check_digit, document_number_parts

    layout = LAYOUTS[mrz.format]
    chk = next(c for c in layout.checks if c.name == name)
    lines = list(mrz.lines)
    line, pos = chk.digit
    found = lines[line][pos]
    data = "".join(lines[ln][s:e] for ln, s, e in chk.parts)
    if name == "document_number" and layout.long_number_field:
        number, long_found, _ = document_number_parts(layout, lines)
        if len(number) > 9:
            data, found = number, long_found
    try:
        expected = check_digit(data)
    except InputError:
        expected = "?"  # the data itself holds characters an MRZ cannot
    return {"check": name, "line": line + 1, "position": pos + 1, "found": found, "expected": expected}


def mrz_check_digits(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """Every ICAO check digit of the MRZ (composite included) verifies; names the failing digit.

    An MRZ field that is no MRZ at all (a line missed on a photo: two lines of a three-line TD1) is a
    WARN: nothing was read to check, which is a question for a person, not evidence of tampering. So is
    a failing check digit read as a filler or a letter (``<`` where the composite digit goes: a photo's
    line read with a character more, the rest shifted along): no MRZ prints one there."""
    name = "mrz_check_digits"
    f = doc.fields["mrz"]
    evidence: dict[str, Any] = {"document": doc_ref(doc), "field": field_ref(f)}
    try:
        mrz = _parse(doc, ctx)
    except InputError as exc:
        return CheckResult(name, Status.WARN, 0.0, f"{doc.source}: the mrz field is not a readable MRZ ({exc})",
                           evidence)
    evidence.update(format=mrz.format, checks=dict(mrz.checks),
                    corrections=[c.to_dict() for c in mrz.corrections])
    total = len(mrz.checks)
    if mrz.valid:
        return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: all {total} check digits of the "
                           f"{mrz.format} MRZ verify", evidence)
    failing = [_failed_digit(mrz, n) for n in mrz.failed_checks]
    evidence["failing"] = failing
    parts = "; ".join(
        f"{d['check']} digit (line {d['line']}, position {d['position']}) is {d['found']!r}, "
        f"expected {d['expected']!r}" for d in failing
    )
    score = (total - len(failing)) / total
    misread = [d["found"] for d in failing if not d["found"].isdigit()]
    if misread:  # a forger keeps the MRZ machine-readable: no filler or letter where a digit goes
        return CheckResult(name, Status.WARN, score, f"{doc.source}: {parts}; a check digit read as "
                           f"{misread[0]!r} means the line was misread (a character more or fewer), which is "
                           "no evidence of tampering", evidence)
    return CheckResult(name, Status.FAIL, score, f"{doc.source}: {parts}", evidence)


def _names_truncated(mrz: Any, doc: ExtractedDocument) -> bool:
    """Whether the MRZ may hold only a prefix of the printed names.

    ICAO 9303 Part 3 (4.6): names longer than the field are cut (given names first);
    a letter in the field's last position signals it, but a cut at a word boundary
    leaves a filler there, so the printed names' transliterated length decides too.
    """
    from kyc_ocr.extract.mrz_layout import LAYOUTS
    from kyc_ocr.extract.normalize import transliterate_icao

    names_line = mrz.lines[2] if mrz.format == "TD1" else mrz.lines[0]
    if names_line and names_line[-1] != "<":
        return True
    width = LAYOUTS[mrz.format].field("names").length
    full = f"{transliterate_icao(doc.value('surname') or '')}<<{transliterate_icao(doc.value('given_names') or '')}"
    return len(full) > width


def mrz_names_cut(doc: ExtractedDocument, ctx: CheckContext) -> bool:
    """Whether ``doc``'s holder names were read from its MRZ and that MRZ's name field is full, so it
    may hold only a prefix of the names (ICAO 9303 cuts longer names; see :func:`_names_truncated`)."""
    named = [doc.fields.get(n) for n in ("surname", "given_names")]
    if "mrz" not in doc.fields or not any(f is not None and f.source is FieldSource.MRZ for f in named):
        return False
    try:
        mrz = _parse(doc, ctx)
    except InputError:
        return False
    return _names_truncated(mrz, doc)


def _outcome_result(
    name: str, doc: ExtractedDocument, compared: dict[str, dict[str, Any]], what: str, min_confidence: float = 0.0
) -> CheckResult:
    """Grade a field-by-field comparison: any mismatch FAIL, any near WARN, else PASS. Mismatches only
    on printed fields read under ``min_confidence`` give WARN: so unsure a reading proves nothing."""
    evidence: dict[str, Any] = {"document": doc_ref(doc), "fields": compared}
    if not compared:
        return skip(name, f"{doc.source}: no field appears in both the {what}", **evidence)
    bad = [k for k, v in compared.items() if v["outcome"] == "mismatch"]
    near = [k for k, v in compared.items() if v["outcome"] == "near"]
    score = round(sum(v["score"] for v in compared.values()) / len(compared), 4)
    faint = [k for k in bad if compared[k]["visual"]["confidence"] < min_confidence]
    if bad and len(faint) == len(bad):
        evidence["low_confidence_fields"] = faint
        return CheckResult(name, Status.WARN, score, f"{doc.source}: the {what} disagree on {', '.join(bad)}, "
                           f"read with confidence under {min_confidence}: not enough to reject on", evidence)
    if bad:
        return CheckResult(name, Status.FAIL, score, f"{doc.source}: the {what} disagree on {', '.join(bad)}",
                           evidence)
    if near:
        return CheckResult(name, Status.WARN, score, f"{doc.source}: the {what} agree only up to an OCR slip "
                           f"on {', '.join(near)}", evidence)
    return CheckResult(name, Status.PASS, score, f"{doc.source}: the {what} agree on {len(compared)} fields "
                       f"({', '.join(compared)})", evidence)


def _entry(a: Field, b_value: str, b_where: dict[str, Any], c: Comparison) -> dict[str, Any]:
    return {"visual": field_ref(a), "other": {"value": b_value, **b_where}, "outcome": c.outcome,
            "score": round(c.score, 4), **({"note": c.note} if c.note else {})}


def _with_reread(entry: dict[str, Any], holder: ExtractedDocument, field_name: str, ctx: CheckContext
                 ) -> dict[str, Any]:
    """``entry`` citing the re-read that settled the printed field as the machine-readable value
    (:mod:`kyc_ocr.checks.machine`), or a mismatch made a doubt (``near``) by one within ``reread_doubt_cost``."""
    found = ctx.settled.get((holder.sha256, field_name))
    if found is None:
        return entry
    if found.get("doubt") and entry["outcome"] == "mismatch":
        return {**entry, "outcome": "near", "reread_doubt": found,
                "note": f"the pixels re-read as the machine-readable value at {found['cost']} nats: a doubt"}
    return {**entry, "reread": found} if not found.get("doubt") else entry


def visual_partner(doc: ExtractedDocument, others: tuple[ExtractedDocument, ...]) -> ExtractedDocument | None:
    """The other side of a card: a document of the same type without an MRZ (TD1 cards print the
    visual zone on the front and the MRZ on the back). None when the document stands alone."""
    for other in others:
        if other is not doc and other.document_type == doc.document_type and "mrz" not in other.fields:
            return other
    return None


def _against_mrz(field_name: str, printed: str, mrz_value: str, truncated: bool, ctx: CheckContext) -> Comparison:
    """A printed value against the MRZ's value of the same field, with the rule for its kind."""
    if field_name in ("surname", "given_names"):
        return compare_mrz_name(printed, mrz_value, truncated=truncated, pass_at=ctx.policy.thresholds.name_pass)
    if field_name in DATE_FIELDS:
        return compare_dates(printed, mrz_value, two_digit_year=True)
    if field_name in COUNTRY_FIELDS:
        return compare_codes(printed, mrz_value, "country")
    if field_name == "sex":
        return compare_codes(printed, mrz_value, "sex")
    return compare_number(printed, mrz_value)


def mrz_number_from_visual(doc: ExtractedDocument, others: tuple[ExtractedDocument, ...], ctx: CheckContext
                           ) -> ExtractedDocument:
    """``doc`` with its MRZ's document number as the visual zone prints it (here or on the other side),
    when the two differ only by characters OCR confuses (or fillers) and the printed number makes
    every check digit pass (:func:`~kyc_ocr.extract.mrz_repair.with_number`); else ``doc`` itself.

    ICAO check digits cannot tell ``XX`` from ``<<`` or ``G`` from ``6`` (their values differ by
    multiples of 10 at weights that sum to 10); the printed zone can. Where the visual zone's number
    was not read, or misread past settling anything, the application form's is tried the same way (``Z``
    read ``2`` in a photo's MRZ: only look-alike differences, and only if every check digit then passes). The ``mrz`` field
    keeps the OCR text as ``raw``; the checks then judge the settled MRZ.
    """
    from kyc_ocr.extract.mrz_layout import LAYOUTS
    from kyc_ocr.extract.mrz_repair import with_number

    own = doc.fields.get("document_number")
    partner = visual_partner(doc, others)
    printed = own if own is not None and own.source is FieldSource.VISUAL else (
        partner.fields.get("document_number") if partner is not None else None)
    # the printed number first, then the numbers the customer's forms give (the check digits still decide)
    forms = [f for d in others if d.document_type in FORM_TYPES and (f := first_field(d, FORM_NUMBER_FIELDS))]
    candidates = [c for c in ([printed] if printed is not None else []) + forms if c.value.strip()]
    if "mrz" not in doc.fields or not candidates:
        return doc
    try:
        mrz = _parse(doc, ctx)
    except InputError:
        return doc
    for candidate in candidates:
        number = normalize_number(candidate.value)
        if number == mrz.document_number:
            return doc  # a reading that confirms the MRZ's number: nothing to settle
        if len(number) > 9:
            continue
        lines = with_number(list(mrz.lines), LAYOUTS[mrz.format], number)
        if lines is not None:
            break
    else:
        return doc
    fields = {**doc.fields, "mrz": dataclasses.replace(doc.fields["mrz"], value="\n".join(lines))}
    for key in ("document_number", "document_number_mrz"):
        f = doc.fields.get(key)
        if f is not None and f.source is FieldSource.MRZ:
            fields[key] = dataclasses.replace(f, value=number)
    log.debug("%s: MRZ document number settled by the printed one", doc.source)
    return dataclasses.replace(doc, fields=fields)


def mrz_matches_visual(
    doc: ExtractedDocument, ctx: CheckContext, others: tuple[ExtractedDocument, ...] = ()
) -> CheckResult:
    """The visual zone's fields agree with the MRZ (names after ICAO transliteration/truncation).

    Fields the document itself does not print are taken from its other side (see :func:`visual_partner`).
    """
    name = "mrz_matches_visual"
    try:
        mrz = _parse(doc, ctx)
    except InputError:
        return skip(name, f"{doc.source}: the MRZ is not readable (see mrz_check_digits)", document=doc_ref(doc))
    values = mrz.to_dict()
    partner = visual_partner(doc, others)
    where = {"source": "mrz", "format": mrz.format}
    compared: dict[str, dict[str, Any]] = {}
    for field_name in MRZ_COMPARED:
        holder, f = doc, doc.fields.get(field_name)
        if (f is None or f.source is FieldSource.MRZ) and partner is not None:
            holder, f = partner, partner.fields.get(field_name)
        mrz_value = doc.value(f"{field_name}_mrz") or values.get(field_name)
        if f is None or f.source is FieldSource.MRZ or not f.value.strip() or not mrz_value:
            continue
        c = _against_mrz(field_name, f.value, mrz_value, _names_truncated(mrz, holder), ctx)
        compared[field_name] = _with_reread(_entry(f, mrz_value, where, c), holder, field_name, ctx)
        if holder is not doc:
            compared[field_name]["visual_document"] = doc_ref(holder)
    return _outcome_result(name, doc, compared, "visual zone and MRZ", ctx.policy.thresholds.min_field_confidence)


def barcode_fields(doc: ExtractedDocument) -> dict[str, Field]:
    """The document's barcode-sourced fields by canonical name (``surname_barcode`` -> ``surname``)."""
    out: dict[str, Field] = {}
    for key, f in doc.fields.items():
        if f.source is FieldSource.BARCODE:
            out[key.removesuffix("_barcode")] = f
    return out


def barcode_matches_visual(
    doc: ExtractedDocument, ctx: CheckContext, others: tuple[ExtractedDocument, ...] = ()
) -> CheckResult:
    """Barcode (PDF417/AAMVA) fields agree with the printed ones, on this document or its other side."""
    name = "barcode_matches_visual"
    barcode = barcode_fields(doc)
    candidates = [doc, *(o for o in others if o is not doc and o.document_type == doc.document_type)]
    compared: dict[str, dict[str, Any]] = {}
    for field_name in BARCODE_COMPARED:
        if field_name not in barcode:
            continue
        for cand in candidates:
            f = cand.fields.get(field_name)
            if f is not None and f.source is not FieldSource.BARCODE and f.value.strip():
                t = ctx.policy.thresholds
                c = compare_field(field_name, f.value, barcode[field_name].value, name_pass=t.name_pass,
                                  address_pass=t.address_pass, address_warn=t.address_warn)
                entry = _with_reread(_entry(f, barcode[field_name].value, {"source": "barcode"}, c), cand, field_name,
                                     ctx)
                compared[field_name] = {**entry, "visual_document": doc_ref(cand)}
                break
    return _outcome_result(name, doc, compared, "barcode and printed fields",
                           ctx.policy.thresholds.min_field_confidence)


def document_not_expired(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """The document's expiry date is on or after the verification date."""
    name = "document_not_expired"
    f = doc.fields["date_of_expiry"]
    evidence = {**doc_fields(doc, ["date_of_expiry"]), "as_of": ctx.as_of.isoformat()}
    expiry = parse_iso(f.value)
    if expiry is None:
        return skip(name, f"{doc.source}: date_of_expiry {f.value!r} is not a calendar date", **evidence)
    days = (expiry - ctx.as_of).days
    evidence["days_left"] = days
    if days < 0:
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: expired on {expiry.isoformat()}, "
                           f"{-days} days before {ctx.as_of.isoformat()}", evidence)
    return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: valid until {expiry.isoformat()} "
                       f"({days} days after {ctx.as_of.isoformat()})", evidence)


def issue_before_expiry(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """The issue date lies before the expiry date and not after the verification date.

    An issue date read after the verification date whose pixels, re-read, give a date before both at most
    ``reread_max_cost`` less likely (one or two digits misread: ``23/06/2102`` for ``23/06/2022``) is taken as
    that date, and the re-read is cited (:func:`kyc_ocr.checks.reread.issue_date_hypotheses`); within
    ``reread_doubt_cost`` the check WARNs (a doubt, cited as ``reread_doubt``) instead of failing.
    """
    name = "issue_before_expiry"
    evidence: dict[str, Any] = {**doc_fields(doc, ["date_of_issue", "date_of_expiry"]), "as_of": ctx.as_of.isoformat()}
    issue, expiry = parse_iso(doc.value("date_of_issue")), parse_iso(doc.value("date_of_expiry"))
    if issue is None or expiry is None:
        missing = "date_of_issue" if issue is None else "date_of_expiry"
        return skip(name, f"{doc.source}: no usable {missing} to compare", **evidence)
    t = ctx.policy.thresholds
    tries = issue_date_hypotheses(doc, ctx.as_of) if issue > ctx.as_of else []
    best = cheapest_date(ctx, doc, tries, t.reread_doubt_cost) if tries else None  # one pass: settled or doubted
    found = best is not None and best[1]["cost"] <= t.reread_max_cost
    if best is not None and found:
        issue, evidence["reread"] = best[0], {**best[1], "max_cost": t.reread_max_cost}
    elif best is not None:  # the pixels may well give a possible date: a misread, not evidence of a bad document
        evidence["reread_doubt"] = best[1]
        return CheckResult(name, Status.WARN, 0.5, f"{doc.source}: issue date {issue.isoformat()} is after the "
                           f"verification date, but its pixels give {best[1]['tested']!r} at {best[1]['cost']} nats "
                           f"(within {t.reread_doubt_cost}): a doubt, not enough to reject on", evidence)
    if issue >= expiry:
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: issued {issue.isoformat()}, not before its "
                           f"expiry {expiry.isoformat()}", evidence)
    if issue > ctx.as_of:
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: issue date {issue.isoformat()} is after the "
                           f"verification date {ctx.as_of.isoformat()}", evidence)
    reread = f"; read {evidence['reread']['read']!r}, re-read as {evidence['reread']['tested']!r}" if found else ""
    return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: issued {issue.isoformat()}, before expiry "
                       f"{expiry.isoformat()} and the verification date{reread}", evidence)


def age_at(dob: dt.date, as_of: dt.date) -> int:
    """Whole years between a date of birth and a date (negative for a future birth).

    Someone born on 29 February comes of age on 1 March in common years (the
    conservative reading for a minimum-age rule).

    >>> age_at(dt.date(1974, 8, 12), dt.date(2026, 6, 30)), age_at(dt.date(2008, 6, 30), dt.date(2026, 6, 30))
    (51, 18)
    >>> age_at(dt.date(2008, 7, 1), dt.date(2026, 6, 30)), age_at(dt.date(2000, 2, 29), dt.date(2018, 2, 28))
    (17, 17)
    """
    return as_of.year - dob.year - ((as_of.month, as_of.day) < (dob.month, dob.day))


def minimum_age(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """The holder is at least the policy's minimum age at the verification date."""
    name = "minimum_age"
    minimum = ctx.policy.thresholds.min_age
    evidence = {**doc_fields(doc, ["date_of_birth"]), "as_of": ctx.as_of.isoformat(), "min_age": minimum}
    dob = parse_iso(doc.value("date_of_birth"))
    if dob is None:
        return skip(name, f"{doc.source}: date_of_birth is not a calendar date", **evidence)
    age = age_at(dob, ctx.as_of)
    evidence["age"] = age
    if age < minimum:
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: holder is {age} at {ctx.as_of.isoformat()}, "
                           f"under the minimum age {minimum}", evidence)
    return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: holder is {age} at {ctx.as_of.isoformat()} "
                       f"(minimum {minimum})", evidence)


def document_number_format(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """The document number fits the pattern its template prescribes."""
    name = "document_number_format"
    evidence = doc_fields(doc, ["document_number"])
    template = doc.template.template_id if doc.template else None
    pattern = ctx.number_patterns.get(template) if template else None
    if pattern is None:
        why = "no template matched" if template is None else f"no number pattern for template {template}"
        return skip(name, f"{doc.source}: {why}", **evidence)
    number = normalize_number(doc.fields["document_number"].value)
    evidence.update(pattern=pattern, normalized=number)
    if re.fullmatch(pattern, number):
        return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: document number fits {template}'s pattern",
                           evidence)
    return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: document number {number!r} does not fit "
                       f"{template}'s pattern {pattern}", evidence)


def other_sides(doc: ExtractedDocument, others: tuple[ExtractedDocument, ...]) -> list[ExtractedDocument]:
    """The other side(s) of a two-sided card: same document type, the other template side, and no
    contradicting document number (TD1 cards print the names on the front and the MRZ on the back)."""
    side = doc.template.side if doc.template else None
    if side not in ("front", "back"):
        return []
    number = doc.value("document_number")
    out = []
    for other in others:
        o_side = other.template.side if other.template else None
        if other is doc or other.document_type != doc.document_type or o_side not in ("front", "back") \
                or o_side == side:
            continue
        o_number = other.value("document_number")
        if number and o_number and compare_number(number, o_number).outcome == "mismatch":
            continue
        out.append(other)
    return out


def _mrz_confirmation(doc: ExtractedDocument, f: Field, others: tuple[ExtractedDocument, ...], ctx: CheckContext
                      ) -> dict[str, Any] | None:
    """The MRZ of ``doc`` or of its other side giving the printed value of ``f``, as evidence."""
    if f.source is not FieldSource.VISUAL or f.name not in MRZ_COMPARED:
        return None
    for holder in (doc, *other_sides(doc, others)):
        if "mrz" not in holder.fields:
            continue
        try:
            mrz = _parse(holder, ctx)
        except InputError:
            continue
        mrz_value = holder.value(f"{f.name}_mrz") or mrz.to_dict().get(f.name)
        if mrz_value and _against_mrz(f.name, f.value, mrz_value, _names_truncated(mrz, doc), ctx).outcome == "match":
            return {"by": "mrz", "document": doc_ref(holder), "value": mrz_value}
    return None


def corroboration(doc: ExtractedDocument, f: Field, others: tuple[ExtractedDocument, ...], ctx: CheckContext
                  ) -> dict[str, Any] | None:
    """Another reading that confirms the value of ``f`` (a field of ``doc``), as evidence; ``None`` if none does.

    An MRZ read unsurely is confirmed when every one of its check digits verifies (what they do not
    cover, the names, ``mrz_matches_visual`` compares). Another field read unsurely is confirmed
    by, in this order: the MRZ of this document or of its
    other side giving the same value (names after ICAO transliteration); the same field read
    with at least ``min_field_confidence`` (or confirmed by its own MRZ) on another of the
    customer's documents (or a barcode) with the same value; or such a reading re-read from this
    field's own pixels within the policy's ``reread_max_cost`` (names and document numbers, see
    :mod:`kyc_ocr.checks.reread`).
    """
    t = ctx.policy.thresholds
    if f.name == "mrz":
        try:
            valid = _parse(doc, ctx).valid
        except InputError:
            valid = False
        return {"by": "check_digits", "document": doc_ref(doc)} if valid else None
    by_mrz = _mrz_confirmation(doc, f, others, ctx)
    if by_mrz is not None:
        return by_mrz
    readings = [(d, g) for d in others if d is not doc
                for g in (d.fields.get(f.name), barcode_fields(d).get(f.name)) if g is not None]
    readings += [(doc, g) for g in (barcode_fields(doc).get(f.name),) if g is not None and g is not f]
    readings = [(d, g) for d, g in readings if g.value.strip() and (
        g.confidence >= t.min_field_confidence or _mrz_confirmation(d, g, others, ctx) is not None)]
    for d, g in readings:
        c = compare_field(f.name, f.value, g.value, name_pass=t.name_pass, address_pass=t.address_pass,
                          address_warn=t.address_warn)
        if c.outcome == "match":
            return {"by": g.source.value, "document": doc_ref(d), "field": field_ref(g)}
    if f.name in NAME_FIELDS:  # a name part found word for word in another document's one-line name
        words = fold(f.value).split()
        for d in others:
            g = first_field(d, FULL_NAME_FIELDS) if d is not doc else None
            if g is not None and g.confidence >= t.min_field_confidence and words and set(words) <= set(
                    fold(g.value).split()):
                return {"by": g.source.value, "document": doc_ref(d), "field": field_ref(g)}
    if f.name in NAME_FIELDS or f.name == "document_number":
        for d, g in readings:
            hypothesis = cased_like(g.value, f.raw or f.value) if f.name in NAME_FIELDS else g.value
            found = first_reread(ctx, [(doc, f, hypothesis)])
            if found is not None:
                return {"by": "reread", "document": doc_ref(d), "field": field_ref(g), "reread": found}
    return None


def required_fields(doc: ExtractedDocument, ctx: CheckContext, others: tuple[ExtractedDocument, ...] = ()
                    ) -> CheckResult:
    """The fields the policy requires for this template or document type are there and confident.

    A two-sided card is one document: a field the policy requires of one side that was
    not read there but was read on the other side (see :func:`other_sides`) counts as
    present; the evidence lists it under ``from_other_side``. A field read under
    ``min_field_confidence`` whose value another reading confirms (see :func:`corroboration`)
    counts as confident; the evidence lists it under ``corroborated``. A document not recognised at
    all FAILs (the customer sent it; a person looks at what it is).
    """
    name = "required_fields"
    template = doc.template.template_id if doc.template else None
    required = ctx.policy.required_fields.get(template or "") or ctx.policy.required_fields.get(doc.document_type)
    threshold = ctx.policy.thresholds.min_field_confidence
    evidence: dict[str, Any] = {"document": doc_ref(doc), "min_field_confidence": threshold}
    if doc.document_type == "unknown":  # a submitted document nobody knows what it is: never silently left out
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: not recognised as any known document, so no "
                           "field of it could be read", evidence)
    if not required:
        return skip(name, f"{doc.source}: the policy requires no fields of a {doc.document_type}", **evidence)
    fields = dict(doc.fields)
    holders = {n: doc for n in required}
    borrowed: dict[str, dict[str, Any]] = {}
    for side in other_sides(doc, others):
        for n in required:
            f = side.fields.get(n)
            if (n not in fields or not fields[n].value.strip()) and f is not None and f.value.strip():
                fields[n], holders[n] = f, side
                borrowed[n] = {**doc_ref(side), "field": field_ref(f)}
    missing = [n for n in required if n not in fields or not fields[n].value.strip()]
    unsure = [n for n in required if n not in missing and fields[n].confidence < threshold]
    corroborated = {n: c for n in unsure if (c := corroboration(holders[n], fields[n], others, ctx)) is not None}
    weak = {n: round(fields[n].confidence, 4) for n in unsure if n not in corroborated}
    evidence.update(required=list(required), missing=missing, low_confidence=weak)
    if corroborated:
        evidence["corroborated"] = {n: {"confidence": round(fields[n].confidence, 4), **c}
                                    for n, c in corroborated.items()}
    if borrowed:
        evidence["from_other_side"] = borrowed
    score = round((len(required) - len(missing) - len(weak)) / len(required), 4)
    if missing:
        return CheckResult(name, Status.FAIL, score, f"{doc.source}: missing {', '.join(missing)}", evidence)
    if weak:
        return CheckResult(name, Status.WARN, score, f"{doc.source}: read with confidence under {threshold}: "
                           f"{', '.join(weak)}", evidence)
    notes = [f"{', '.join(borrowed)} read on the other side"] if borrowed else []
    notes += [f"{n} read under {threshold} but confirmed by the {c['by']}" for n, c in corroborated.items()]
    note = f" ({'; '.join(notes)})" if notes else ""
    return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: all {len(required)} required fields present{note}",
                       evidence)


def is_identity(doc: ExtractedDocument) -> bool:
    """Whether the document identifies a person (passport, ID card, licence, permit, visa)."""
    return doc.document_type in IDENTITY_TYPES
