"""Checks across one customer's documents: same person, same birth date, form vs documents, address.

Each check is ``check(documents, ctx) -> CheckResult``, one result per check,
with every document it looked at (file, short SHA-256, field, page, box) in
its evidence. Fewer than two things to compare is SKIP, with the reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

from kyc_ocr.checks.address import address_similarity, strip_recipient
from kyc_ocr.checks.base import (
    FORM_NUMBER_FIELDS,
    FORM_TYPES,
    FULL_NAME_FIELDS,
    IDENTITY_TYPES,
    PROOF_DATE_FIELDS,
    PROOF_OF_ADDRESS_TYPES,
    CheckContext,
    doc_fields,
    doc_ref,
    field_ref,
    first_field,
    grade,
    parse_iso,
    poor_read_note,
    poorly_read,
    skip,
)
from kyc_ocr.checks.compare import compare_mrz_name, compare_number
from kyc_ocr.checks.dates import date_like
from kyc_ocr.checks.document import mrz_names_cut
from kyc_ocr.checks.lines import blend_reread, lines_reread, lines_tried
from kyc_ocr.checks.names import name_similarity, partial_name_similarity
from kyc_ocr.checks.reread import cheapest_date, first_reread, name_hypotheses, proof_date_hypotheses, sex_printed
from kyc_ocr.domain import CheckResult, ExtractedDocument, Field, Status
from kyc_ocr.errors import InputError
from kyc_ocr.extract.normalize import normalize_country, normalize_sex

log = logging.getLogger(__name__)

_IDENTITY_ORDER = ("passport", "id_card", "residence_permit", "driver_license", "visa")


def _identity_rank(doc: ExtractedDocument) -> int:
    return _IDENTITY_ORDER.index(doc.document_type) if doc.document_type in _IDENTITY_ORDER else len(_IDENTITY_ORDER)


def person_name(doc: ExtractedDocument) -> tuple[str, list[str]] | None:
    """The holder's full name as printed and the fields it came from; None when the document has none."""
    surname = doc.value("surname")
    if surname and surname.strip():
        given = (doc.value("given_names") or "").strip()
        return f"{given} {surname.strip()}".strip(), [n for n in ("given_names", "surname") if n in doc.fields]
    f = first_field(doc, FULL_NAME_FIELDS)
    return (f.value.strip(), [f.name]) if f else None


def name_is_partial(doc: ExtractedDocument) -> bool:
    """Whether only the surname of the holder was read (the given names field is absent or empty).

    Such a name is compared with :func:`~kyc_ocr.checks.names.partial_name_similarity`:
    it can contradict another name, but cannot confirm it in full.
    """
    return bool((doc.value("surname") or "").strip()) and not (doc.value("given_names") or "").strip()


def _compare_names(ref: str, ref_partial: bool, other: str, other_partial: bool) -> float:
    if ref_partial and other_partial:
        return name_similarity(ref, other)
    if ref_partial:
        return partial_name_similarity(ref, other)
    if other_partial:
        return partial_name_similarity(other, ref)
    return name_similarity(ref, other)


def _cut_names_match(doc: ExtractedDocument, ref: ExtractedDocument, ctx: CheckContext) -> str | None:
    """The file whose MRZ cut the names, when ``doc`` and ``ref`` name the same holder once those
    names are read as a prefix; ``None`` otherwise.

    One of them reads the names from a full MRZ name field (:func:`mrz_names_cut`: ICAO 9303 cuts
    longer names, given names first), and its surname and given names each begin the other
    document's, after ICAO transliteration (``TORBEN JON PH`` for ``Torben Jon Philip``).
    """
    pass_at = ctx.policy.thresholds.name_pass
    for cut, printed in ((doc, ref), (ref, doc)):
        if not mrz_names_cut(cut, ctx):
            continue
        mrz_names = [cut.value(n) or "" for n in ("surname", "given_names")]
        for printed_names in _surname_and_given(printed):
            pairs = [(p, m) for p, m in zip(printed_names, mrz_names, strict=True) if p.strip() or m.strip()]
            if pairs and all(compare_mrz_name(p, m, truncated=True, pass_at=pass_at).outcome == "match"
                             for p, m in pairs):
                return cut.source
    return None


def _surname_and_given(doc: ExtractedDocument) -> list[tuple[str, str]]:
    """``(surname, given names)`` as ``doc`` gives them; for a one-line name (a statement's account
    holder) every way its words split into the two, given names first or last.

    >>> bill = ExtractedDocument("b.pdf", "b" * 64, "application/pdf", "utility_bill", None,
    ...                          {"full_name": Field("full_name", "Ann Lee-Dodd", "Ann Lee-Dodd", 0.9)})
    >>> _surname_and_given(bill)
    [('Lee-Dodd', 'Ann'), ('Ann', 'Lee-Dodd')]
    """
    surname, given = doc.value("surname") or "", doc.value("given_names") or ""
    full = first_field(doc, FULL_NAME_FIELDS)
    if surname.strip() or given.strip() or full is None:
        return [(surname, given)]
    words = full.value.split()
    return [split for k in range(1, len(words))
            for split in ((" ".join(words[k:]), " ".join(words[:k])), (" ".join(words[:k]), " ".join(words[k:])))]


def _names_reread(entry: dict[str, Any], doc: ExtractedDocument, ref: ExtractedDocument, ref_name: str,
                  ref_partial: bool, ctx: CheckContext) -> dict[str, Any]:
    """``entry`` re-scored after re-reading the name fields the two documents read differently.

    A field is taken as the reference's spelling when its pixels read that spelling within the
    policy's ``reread_max_cost`` (or the reference's pixels read this document's spelling): what
    differed was the OCR. The score is kept when no field is settled, and the re-reads are evidence.
    When every field left unsettled still re-reads within ``name_doubt_cost``, the pixels do not
    rule the reference's spelling out: ``reread_doubt`` lists those re-reads (see :func:`same_person`).
    """
    settled: dict[str, Field] = {}
    used: list[dict[str, Any]] = []
    doubts: dict[str, dict[str, Any] | None] = {}
    theirs = name_hypotheses(ref, doc)
    for field, hypothesis in name_hypotheses(doc, ref):
        if field.name in settled:
            continue
        # the reference's own misread parts too (all of them against a one-line name: ``NomLE MUNOZ``)
        tries = [(doc, field, hypothesis),
                 *((ref, f, h) for f, h in theirs if f.name == field.name or field.name in FULL_NAME_FIELDS)]
        found = first_reread(ctx, tries)
        if found is not None:
            settled[field.name] = dataclasses.replace(field, value=hypothesis)
            used.append(found)
            doubts.pop(field.name, None)
        elif doubts.get(field.name) is None:
            doubts[field.name] = first_reread(ctx, tries, ctx.policy.thresholds.name_doubt_cost)
    if doubts and all(doubts.values()):
        entry = {**entry, "reread_doubt": list(doubts.values())}
    if not settled:
        return entry
    again = person_name(dataclasses.replace(doc, fields={**doc.fields, **settled}))
    if again is None:
        return entry
    score = _compare_names(ref_name, ref_partial, again[0], name_is_partial(doc))
    if score <= entry["score"]:
        return entry
    return {**entry, "score": score, "read_score": entry["score"], "reread": used}


def same_person(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """Every document names the same person as the main identity document (graded, see names.py).

    The reference is the highest-ranked identity document whose full name was read; a
    document with only a surname read is compared on that surname (``partial`` in the evidence).
    """
    name = "same_person"
    t = ctx.policy.thresholds
    named = [(d, n) for d in documents if (n := person_name(d)) is not None]
    thresholds = {"pass_at": t.name_pass, "review_at": t.name_warn}
    if len(named) < 2:
        return skip(name, f"{len(named)} document(s) carry a name; need two to compare", thresholds=thresholds)
    named.sort(key=lambda item: (_identity_rank(item[0]), name_is_partial(item[0])))
    ref_doc, (ref_name, ref_fields) = named[0]
    ref_partial = name_is_partial(ref_doc)
    comparisons = []
    for doc, (other, fields) in named[1:]:
        partial = name_is_partial(doc)
        score = _compare_names(ref_name, ref_partial, other, partial)
        entry = {**doc_fields(doc, fields), "name": other, "score": score, "partial": partial}
        cut_in = _cut_names_match(doc, ref_doc, ctx) if score < t.name_pass else None
        if cut_in is not None:
            entry = {**entry, "score": 1.0, "read_score": score, "mrz_names_cut": cut_in}
        if entry["score"] < t.name_pass:
            entry = _names_reread(entry, doc, ref_doc, ref_name, ref_partial, ctx)
        comparisons.append(entry)
    worst = min(comparisons, key=lambda c: c["score"])
    status = grade(worst["score"], t.name_pass, t.name_warn)
    evidence = {"reference": {**doc_fields(ref_doc, ref_fields), "name": ref_name, "partial": ref_partial},
                "compared": comparisons, "thresholds": thresholds}
    faint = [f["name"] for f in worst["fields"].values() if f["confidence"] < t.min_field_confidence]
    faint_ref = [n for n in ref_fields if ref_doc.fields[n].confidence < t.min_field_confidence]
    doubt = worst.get("reread_doubt")
    if status is Status.FAIL and (faint or faint_ref):  # a name read this unsurely (on either document)
        status = Status.WARN                              # cannot prove another person: a person looks
        evidence["low_confidence_fields"] = faint
        if faint_ref:
            evidence["low_confidence_reference_fields"] = faint_ref
    elif status is Status.FAIL and doubt:  # nor one whose pixels may well say the reference's spelling
        status = Status.WARN
        evidence["reread_doubt"] = doubt
    poor = poorly_read([d for d in documents if d.source in (worst["source"], ref_doc.source)],
                       t.min_read_confidence) if status is Status.FAIL else []
    if poor:  # nor a name read on a document read poorly as a whole
        status = Status.WARN
        evidence["poorly_read"] = poor
    partial_note = " (surname only where the given names were not read)" if ref_partial or any(
        c["partial"] for c in comparisons) else ""
    reread_note = ""
    cut = sorted({c["mrz_names_cut"] for c in comparisons if c.get("mrz_names_cut")})
    if cut:
        partial_note += f"; the MRZ of {', '.join(cut)} holds the names cut to its field's length (ICAO 9303)"
    if any("reread" in c for c in comparisons):
        fixed = [c for c in comparisons if "reread" in c]
        reread_note = (f"; re-read from the pixels, {', '.join(c['source'] for c in fixed)} "
                       f"spell(s) the name as {ref_doc.source} does (OCR misread first)")
    if status is Status.PASS:
        detail = (f"{len(comparisons) + 1} documents name the same person (lowest score {worst['score']:.2f})"
                  f"{partial_note}{reread_note}")
    else:
        detail = (f"{worst['source']} names {worst['name']!r}, {ref_doc.source} names {ref_name!r}: score "
                  f"{worst['score']:.2f} (pass at {t.name_pass}, review at {t.name_warn}){partial_note}{reread_note}")
        if faint or faint_ref:
            unsure = [f"{worst['source']}'s {n}" for n in faint] + [f"{ref_doc.source}'s {n}" for n in faint_ref]
            detail += (f"; {', '.join(unsure)} read with confidence under {t.min_field_confidence}: "
                       f"not enough to reject on")
        elif status is Status.WARN and doubt:
            costs = ", ".join(f"{d['field']} {d['cost']:.1f}" for d in doubt)
            detail += (f"; re-read, the pixels give the reference's spelling at a cost of {costs} nats: over "
                       f"{t.reread_max_cost} to accept, within {t.name_doubt_cost} so not enough to reject on")
        detail += poor_read_note(poor)
    return CheckResult(name, status, worst["score"], detail, evidence)


def _consistent(
    name: str, documents: Sequence[ExtractedDocument], field: str, norm: Callable[[str], str], label: str
) -> CheckResult:
    """All documents that carry ``field`` agree on its normalised value."""
    seen: list[tuple[ExtractedDocument, str]] = []
    for doc in documents:
        value = doc.value(field)
        if value and value.strip():
            try:
                seen.append((doc, norm(value)))
            except InputError:
                seen.append((doc, value.strip().upper()))
    entries = [{**doc_fields(d, [field]), "normalized": v} for d, v in seen]
    if len(seen) < 2:
        return skip(name, f"{len(seen)} document(s) carry {field}; need two to compare", documents=entries)
    values = {v for _, v in seen}
    if len(values) == 1:
        return CheckResult(name, Status.PASS, 1.0, f"{len(seen)} documents agree on {label}", {"documents": entries})
    listing = ", ".join(f"{d.source}: {v}" for d, v in seen)
    top = max(sum(v == x for _, v in seen) for x in values)
    return CheckResult(name, Status.FAIL, round(top / len(seen), 4), f"{label} differs ({listing})",
                       {"documents": entries})


def _iso_or_text(value: str) -> str:
    d = parse_iso(value)
    return d.isoformat() if d else value.strip()


_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[./\-\s](\d{1,2})[./\-\s](\d{4})\s*$")


def other_date_order(raw: str, value: str) -> str | None:
    """The other reading of a numeric date whose day and month could be either way round.

    ``value`` is the ISO date the extractor chose; None when the printed date is unambiguous.

    >>> other_date_order("06/10/1951", "1951-10-06"), other_date_order("25/10/1951", "1951-10-25")
    ('1951-06-10', None)
    >>> other_date_order("1951-06-10", "1951-06-10"), other_date_order("06/06/1951", "1951-06-06")
    (None, None)
    """
    m = _NUMERIC_DATE.match(raw or "")
    chosen = parse_iso(value)
    if m is None or chosen is None or chosen.day > 12 or chosen.day == chosen.month:
        return None
    return chosen.replace(month=chosen.day, day=chosen.month).isoformat()


def _date_order_unknown(doc: ExtractedDocument) -> bool:
    """Whether the document's layout is a generic one that cannot know the country's date order."""
    from kyc_ocr.templates.loader import builtin_templates

    tid = doc.template.template_id if doc.template else None
    templates = builtin_templates()
    return tid is not None and tid in templates and templates.get(tid).generic


def same_date_of_birth(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """Every document with a date of birth gives the same one.

    A date printed as ``NN/NN/YYYY`` on a generic layout (whose date order is a guess) that
    agrees with at least two unambiguous readings (an MRZ, a barcode, an ISO date on the form)
    when read the other way round gives WARN (a person looks), not FAIL.
    """
    result = _consistent("same_date_of_birth", documents, "date_of_birth", _iso_or_text, "date of birth")
    if result.status is not Status.FAIL:
        return result
    settled = _birth_dates_reread(documents, ctx)
    if settled is not None:
        target, used = settled
        return CheckResult(result.name, Status.PASS, 1.0, f"{result.detail}; re-read from the pixels, "
                           f"{', '.join(u['source'] for u in used)} print(s) {target} (OCR misread first)",
                           {**result.evidence, "reread": used})
    values: list[str] = []
    reread: list[str] = []
    for doc in documents:
        f = doc.fields.get("date_of_birth")
        if f is None or not f.value.strip():
            continue
        alt = other_date_order(f.raw, f.value) if _date_order_unknown(doc) else None
        if alt is not None and alt != _iso_or_text(f.value):
            reread.append(doc.source)
            values.append(alt)
        else:
            values.append(_iso_or_text(f.value))
    if not reread or len(set(values)) != 1 or len(values) - len(reread) < 2:
        return result  # the other order must be corroborated by two unambiguous readings
    evidence = {**result.evidence, "read_other_order": reread}
    return CheckResult(result.name, Status.WARN, 0.5, f"{result.detail}; {', '.join(reread)} print(s) the date "
                       f"day/month-ambiguously on a layout of unknown date order, and read the other way round "
                       f"all agree on {values[0]}", evidence)


def _birth_dates_reread(documents: Sequence[ExtractedDocument], ctx: CheckContext
                        ) -> tuple[str, list[dict[str, Any]]] | None:
    """One date of birth every document's pixels support, with the re-reads that show it (``None``:
    none; see :func:`_agreed_by_reread` and :func:`~kyc_ocr.checks.reread.birth_date_hypotheses`)."""
    return _agreed_by_reread(documents, ctx, "date_of_birth", _iso_or_text,
                             lambda target, f: date_like(target, f.raw, f.value))


def _agreed_by_reread(documents: Sequence[ExtractedDocument], ctx: CheckContext, field: str,
                      norm: Callable[[str], str], printed: Callable[[str, Field], str | None]
                      ) -> tuple[str, list[dict[str, Any]]] | None:
    """One value of ``field`` every document's pixels support, with the re-reads that show it (``None``:
    none). Tried from the most often read value; each document reading another must re-read it, written
    as it prints its own (``printed(target, field)``), within the policy's ``reread_max_cost``."""
    dated = [(d, f) for d in documents if (f := d.fields.get(field)) is not None and f.value.strip()]
    values = [norm(f.value) for _, f in dated]
    for target in sorted(set(values), key=lambda v: (-values.count(v), v)):
        used = []
        for doc, f in dated:
            if norm(f.value) == target:
                continue
            hypothesis = printed(target, f) if f.raw else None
            found = first_reread(ctx, [(doc, f, hypothesis)]) if hypothesis else None
            if found is None:
                break
            used.append(found)
        else:
            return target, used
    return None


def _unless_faint(result: CheckResult, documents: Sequence[ExtractedDocument], field: str, ctx: CheckContext
                  ) -> CheckResult:
    """``result`` (a FAIL of ``_consistent``) made a WARN when every document that disagrees with the most
    common value read its ``field`` under ``min_field_confidence`` (a form photo's ``X`` at 0.55 where both
    sides of the licence say ``F``): so unsure a reading proves nothing."""
    threshold = ctx.policy.thresholds.min_field_confidence
    seen = [(d, f) for d in documents if (f := d.fields.get(field)) is not None and f.value.strip()]
    values = [f.value.strip().upper() for _, f in seen]
    common = max(set(values), key=values.count)
    odd = [(d, f) for d, f in seen if f.value.strip().upper() != common]
    if values.count(common) < 2 or not odd or any(f.confidence >= threshold for _, f in odd):
        return result
    faint = [d.source for d, _ in odd]
    return CheckResult(result.name, Status.WARN, result.score, f"{result.detail}; {', '.join(faint)} read it with "
                       f"confidence under {threshold}: not enough to call a difference",
                       {**result.evidence, "low_confidence_documents": faint})


def nationality_consistent(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """Every document with a nationality gives the same country (alpha-3 after normalising)."""
    return _consistent("nationality_consistent", documents, "nationality", normalize_country, "nationality")


def sex_consistent(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """Every document with a sex gives the same M/F/X; a one-letter sex read otherwise whose pixels
    re-read as the others' within ``reread_max_cost`` (a blurred ``M`` read ``X``) was the OCR's."""
    result = _consistent("sex_consistent", documents, "sex", normalize_sex, "sex")
    if result.status is not Status.FAIL:
        return result
    settled = _agreed_by_reread(documents, ctx, "sex", lambda v: v.strip().upper(), sex_printed)
    if settled is None:
        return _unless_faint(result, documents, "sex", ctx)
    target, used = settled
    return CheckResult(result.name, Status.PASS, 1.0, f"{result.detail}; re-read from the pixels, "
                       f"{', '.join(u['source'] for u in used)} print(s) {target} (OCR misread first)",
                       {**result.evidence, "reread": used})


def _settled_by_reread(form: ExtractedDocument, number: Field, identity: ExtractedDocument,
                       ctx: CheckContext, look_alike: bool = False) -> dict[str, Any] | None:
    """A re-read of the pixels that reconciles the two numbers, as evidence (``None``: none does).

    First the form's field against the identity document's number, then (when it was read
    visually, not from an MRZ or barcode) the identity document's field against the form's.
    Numbers that differ only in look-alike characters (``Y56814339`` / ``YS6814339``) are settled
    within the policy's ``reread_doubt_cost``: such a difference is OCR's far more often than the
    customer's, so the pixels need only not speak clearly against it.
    """
    theirs = identity.fields.get("document_number")
    if theirs is None:
        return None
    limit = ctx.policy.thresholds.reread_doubt_cost if look_alike else None
    return first_reread(ctx, [(form, number, theirs.value), (identity, theirs, number.value)], limit)


def document_number_matches_form(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """The ID document number written on the application form is that of a submitted identity document.

    When the readings differ, the pixels decide: if the form's field, re-read, says the identity
    document's number nearly as surely as what OCR first made of it (or the other way round), the
    difference was the OCR's and the check passes, citing the re-read (policy ``reread_max_cost``).
    """
    name = "document_number_matches_form"
    forms = [(d, f) for d in documents if d.document_type in FORM_TYPES and (f := first_field(d, FORM_NUMBER_FIELDS))]
    ids = [d for d in documents if d.document_type in IDENTITY_TYPES and d.value("document_number")]
    if not forms:
        return skip(name, "no application form with an ID document number")
    if not ids:
        return skip(name, "no identity document with a document number")
    results: list[dict[str, Any]] = []
    for form, f in forms:
        ranked = sorted(((compare_number(f.value, d.value("document_number") or ""), d) for d in ids),
                        key=lambda cd: -cd[0].score)
        cmp, best = ranked[0]
        result = {"form": {**doc_ref(form), "field": field_ref(f)}, "identity": doc_fields(best, ["document_number"]),
                  "outcome": cmp.outcome, "score": cmp.score}
        if cmp.outcome != "match":
            for near, doc in ranked:
                settled = _settled_by_reread(form, f, doc, ctx, look_alike=near.outcome == "near")
                if settled is not None:
                    result = {**result, "identity": doc_fields(doc, ["document_number"]), "outcome": "reread",
                              "score": 0.9, "reread": settled}
                    break
        results.append(result)
    worst = min(results, key=lambda r: r["score"])
    evidence = {"compared": results}
    form_src, id_src = worst["form"]["source"], worst["identity"]["source"]
    if worst["outcome"] == "match":
        return CheckResult(name, Status.PASS, 1.0, f"{form_src}'s ID number is {id_src}'s", evidence)
    if worst["outcome"] == "reread":
        r = worst["reread"]
        return CheckResult(name, Status.PASS, worst["score"], f"{form_src} was read {worst['form']['field']['value']!r} "
                           f"and {id_src} {worst['identity']['fields']['document_number']['value']!r}; re-read, "
                           f"{r['source']} reads {r['tested']!r} within {r['cost']:.1f} nats of its best reading "
                           f"(at most {r['max_cost']}): the same number, misread once", evidence)
    if worst["outcome"] == "near":
        return CheckResult(name, Status.WARN, worst["score"], f"{form_src}'s ID number equals {id_src}'s only up "
                           "to OCR look-alike characters (O/0, I/1, S/5, B/8)", evidence)
    numbers = ", ".join(d.value("document_number") or "" for d in ids)
    poor = poorly_read([d for d in documents if d.source in (form_src, id_src)], ctx.policy.thresholds.min_read_confidence)
    if poor:
        evidence["poorly_read"] = poor
    return CheckResult(name, Status.WARN if poor else Status.FAIL, 0.0, f"{form_src} gives ID number "
                       f"{worst['form']['field']['value']!r}, no submitted identity document has it ({numbers})"
                       f"{poor_read_note(poor)}", evidence)


def address_matches_proof(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """The address on the form (else on an identity document) matches a proof of address."""
    name = "address_matches_proof"
    t = ctx.policy.thresholds
    proofs = [d for d in documents if d.document_type in PROOF_OF_ADDRESS_TYPES and d.value("address")]
    claims = sorted((d for d in documents if d.document_type not in PROOF_OF_ADDRESS_TYPES and d.value("address")),
                    key=lambda d: (d.document_type not in FORM_TYPES, _identity_rank(d)))
    thresholds = {"pass_at": t.address_pass, "review_at": t.address_warn}
    if not proofs:
        return skip(name, "no proof of address (utility bill, bank statement) with an address", thresholds=thresholds)
    if not claims:
        return skip(name, "no application form or identity document gives an address", thresholds=thresholds)
    claim = claims[0]
    country = claim.value("country")
    holder_names = [n[0] for d in documents if (n := person_name(d)) is not None]
    scored = []
    for proof in proofs:
        proof_address, dropped = strip_recipient(proof.value("address") or "", holder_names, t.name_pass)
        claim_address, claim_dropped = strip_recipient(claim.value("address") or "", holder_names, t.name_pass)
        cmp = address_similarity(claim_address, proof_address, country)
        scored.append((cmp, proof, [x for x in (claim_dropped, dropped) if x]))
    cmp, proof, recipient_lines = max(scored, key=lambda cp: cp[0].score)
    parts = {k: {"claimed": getattr(cmp.left, k), "proof": getattr(cmp.right, k)}
             for k in ("postcode", "house_number", "apartment", "street", "city")}
    evidence = {"claimed": doc_fields(claim, ["address"]), "proof": doc_fields(proof, ["address"]),
                "parts": parts, "mismatches": list(cmp.mismatches), "not_comparable": list(cmp.missing),
                "street_score": cmp.street_score, "city_score": cmp.city_score, "thresholds": thresholds,
                "proofs_compared": len(proofs), "recipient_lines_ignored": recipient_lines}
    status = grade(cmp.score, t.address_pass, t.address_warn)
    reread = None if status is Status.PASS else _address_reread(ctx, claim, proof)
    if reread is not None:
        evidence["reread"] = reread
        detail = (f"{claim.source}'s address {claim.value('address')!r} vs {proof.source}'s "
                  f"{proof.value('address')!r}: score {cmp.score:.2f}; re-read line by line, the pixels of "
                  f"{reread['source']} give " + (f"{reread['blend']!r}" if "blend" in reread else "the other's")
                  + f" at a cost of {reread['cost']} nats (at most {reread['max_cost_per_line']} a line)")
        return CheckResult(name, Status.PASS, cmp.score, detail, evidence)
    if status is Status.PASS:
        detail = f"{claim.source}'s address matches {proof.source} (score {cmp.score:.2f})"
    else:
        differ = f"; {', '.join(cmp.mismatches)} differ" if cmp.mismatches else ""
        detail = (f"{claim.source}'s address {claim.value('address')!r} vs {proof.source}'s "
                  f"{proof.value('address')!r}: score {cmp.score:.2f}{differ} (pass at {t.address_pass})")
    tried = [{**doc_ref(doc), **r} for doc, other in ((claim, proof), (proof, claim))
             if status is not Status.PASS and "address" in doc.fields
             for r in lines_tried(ctx, doc, doc.fields["address"], other.value("address") or "")]
    if tried:  # the pixels re-read as the other address, over the limit on some line: what a person checks
        evidence["reread_tried"] = {"lines": tried, "max_cost_per_line": t.reread_max_cost}
    poor = poorly_read([claim, proof], t.min_read_confidence) if status is Status.FAIL else []
    if poor:
        status, evidence["poorly_read"] = Status.WARN, poor
        detail += poor_read_note(poor)
    return CheckResult(name, status, cmp.score, detail, evidence)


def _address_reread(ctx: CheckContext, claim: ExtractedDocument, proof: ExtractedDocument) -> dict[str, Any] | None:
    """Either document's address re-read line by line as the other's (:func:`kyc_ocr.checks.lines.lines_reread`),
    else both re-read as one mix of their two readings (:func:`kyc_ocr.checks.lines.blend_reread`)."""
    for doc, other in ((claim, proof), (proof, claim)):
        found = lines_reread(ctx, doc, doc.fields["address"], other.value("address") or "")
        if found is not None:
            return found
    return blend_reread(ctx, claim, proof, "address")


def identity_document_present(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """At least one of the customer's documents was recognised as an identity document (passport, ID
    card, driver's licence, residence permit, visa): a form and a bill alone identify nobody."""
    name = "identity_document_present"
    found = [doc_ref(d) for d in documents if d.document_type in IDENTITY_TYPES]
    kinds = sorted({d.document_type for d in documents})
    if not found:
        return CheckResult(name, Status.FAIL, 0.0, f"no identity document among the {len(documents)} documents "
                           f"({', '.join(kinds)})", {"document_types": kinds})
    return CheckResult(name, Status.PASS, 1.0, f"{len(found)} identity document(s): "
                       f"{', '.join(sorted({r['document_type'] for r in found}))}", {"identity_documents": found})


def proof_of_address_recent(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """The newest proof of address is dated within the policy's limit and not in the future.

    A date read outside the limit whose pixels, re-read, give a date within it at most
    ``reread_max_cost`` less likely (one or two digits misread: ``16/04/2028`` for ``16/04/2026``) is
    taken as that date, and the re-read is cited.
    """
    name = "proof_of_address_recent"
    limit = ctx.policy.thresholds.max_proof_of_address_age_days
    dated = []
    undated = []
    for doc in documents:
        if doc.document_type not in PROOF_OF_ADDRESS_TYPES:
            continue
        f = first_field(doc, PROOF_DATE_FIELDS)
        when = parse_iso(f.value) if f else None
        if f is None or when is None:
            undated.append(doc_ref(doc))
            continue
        entry = {**doc_ref(doc), "field": field_ref(f)}
        if not 0 <= (ctx.as_of - when).days <= limit:
            found = _reread_proof_date(doc, ctx, limit)
            if found is not None:
                when, entry["reread"] = found
        dated.append((when, {**entry, "age_days": (ctx.as_of - when).days}))
    base = {"as_of": ctx.as_of.isoformat(), "max_age_days": limit, "undated": undated}
    if not dated:
        why = "no proof of address" if not undated else "no proof of address carries a readable date"
        return skip(name, why, **base)
    when, newest = max(dated, key=lambda item: item[0])
    evidence = {**base, "proofs": [e for _, e in dated], "newest": newest["source"]}
    age = newest["age_days"]
    if age < 0:
        return CheckResult(name, Status.FAIL, 0.0, f"{newest['source']} is dated {when.isoformat()}, after the "
                           f"verification date {ctx.as_of.isoformat()}", evidence)
    if age > limit:
        return CheckResult(name, Status.FAIL, round(limit / age, 4), f"newest proof of address {newest['source']} "
                           f"is dated {when.isoformat()}, {age} days before {ctx.as_of.isoformat()} "
                           f"(limit {limit} days)", evidence)
    reread = f"; read {newest['field']['raw']!r}, re-read as {newest['reread']['tested']!r}" if "reread" in newest else ""
    return CheckResult(name, Status.PASS, 1.0, f"{newest['source']} is dated {when.isoformat()}, {age} days old "
                       f"(limit {limit}){reread}", evidence)


def _reread_proof_date(doc: ExtractedDocument, ctx: CheckContext, limit: int) -> tuple[dt.date, dict[str, Any]] | None:
    """The date within ``limit`` days before the verification that ``doc``'s date re-reads as most
    cheaply (within ``reread_max_cost``), with the re-read as evidence; ``None`` when none does."""
    return cheapest_date(ctx, doc, proof_date_hypotheses(doc, ctx.as_of, limit))