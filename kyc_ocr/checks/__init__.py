"""Verification checks, the policy that configures them, and the verdict they lead to.

:func:`run_checks` runs the policy's enabled checks in the stable order of
:data:`CHECK_NAMES`. In-document checks give one result per document they
apply to (the document is in the evidence; the result name stays the check
name, so results compare with the synthetic generator's labels), or one SKIP
with the reason when no document applies. Cross-document and fraud checks
give one result each.

>>> import datetime as dt
>>> from kyc_ocr.domain import ExtractedDocument, Field
>>> doc = ExtractedDocument("p.png", "0" * 64, "image/png", "passport", None,
...                         {"date_of_birth": Field("date_of_birth", "1974-08-12", "12 AUG 1974", 0.99)})
>>> results = run_checks([doc], policy=load_policy(), as_of=dt.date(2026, 6, 30))
>>> [(r.name, r.status.value) for r in results if r.name in ("minimum_age", "same_person")]
[('minimum_age', 'PASS'), ('same_person', 'SKIP')]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence

from kyc_ocr.checks import cross, document, fraud
from kyc_ocr.checks.base import CHECK_NAMES, CheckContext, skip
from kyc_ocr.checks.machine import birth_doubt_softened, doubt_softened, settle_by_machine
from kyc_ocr.checks.policy import Policy, load_policy
from kyc_ocr.checks.verdict import build_verdict, decide
from kyc_ocr.domain import CheckResult, DocumentLookup, ExtractedDocument, FieldRereader
from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

__all__ = ["CHECK_NAMES", "Policy", "build_verdict", "decide", "load_policy", "run_checks"]

DocCheck = Callable[[ExtractedDocument, CheckContext], CheckResult]
SetCheck = Callable[[Sequence[ExtractedDocument], CheckContext], CheckResult]


def _has(*names: str) -> Callable[[ExtractedDocument], bool]:
    return lambda d: all(n in d.fields and d.fields[n].value.strip() for n in names)


# name -> (which documents it applies to, the check, why it is skipped when none does)
PER_DOCUMENT: dict[str, tuple[Callable[[ExtractedDocument], bool], DocCheck, str]] = {
    "required_fields": (lambda d: True, document.required_fields, "no documents"),
    "mrz_check_digits": (_has("mrz"), document.mrz_check_digits, "no document carries an MRZ"),
    "document_number_format": (
        lambda d: document.is_identity(d) and _has("document_number")(d),
        document.document_number_format, "no identity document with a document number",
    ),
    "document_not_expired": (_has("date_of_expiry"), document.document_not_expired, "no document has an expiry date"),
    "issue_before_expiry": (_has("date_of_expiry"), document.issue_before_expiry, "no document has an expiry date"),
    "minimum_age": (_has("date_of_birth"), document.minimum_age, "no document gives a date of birth"),
    "impossible_dates": (lambda d: True, fraud.impossible_dates, "no documents"),
    "specimen_text": (lambda d: True, fraud.specimen_text, "no documents"),
}
PER_SET: dict[str, SetCheck] = {
    "identity_document_present": cross.identity_document_present,
    "same_person": cross.same_person,
    "same_date_of_birth": cross.same_date_of_birth,
    "document_number_matches_form": cross.document_number_matches_form,
    "address_matches_proof": cross.address_matches_proof,
    "proof_of_address_recent": cross.proof_of_address_recent,
    "nationality_consistent": cross.nationality_consistent,
    "sex_consistent": cross.sex_consistent,
    "document_reused": fraud.document_reused,
}


def _with_other_sides(name: str, documents: Sequence[ExtractedDocument], ctx: CheckContext) -> list[CheckResult]:
    """MRZ/barcode vs visual: per document carrying the machine-readable part, which may need the other side."""
    others = tuple(documents)
    if name == "mrz_matches_visual":
        docs = [d for d in documents if _has("mrz")(d)]
        if not docs:
            return [skip(name, "no document carries an MRZ")]
        return [document.mrz_matches_visual(d, ctx, others) for d in docs]
    docs = [d for d in documents if document.barcode_fields(d)]
    if not docs:
        return [skip(name, "no document carries a barcode")]
    return [document.barcode_matches_visual(d, ctx, others) for d in docs]


def run_checks(
    documents: Sequence[ExtractedDocument],
    *,
    policy: Policy,
    as_of: dt.date,
    lookup: DocumentLookup | None = None,
    customer_id: str | None = None,
    number_patterns: Mapping[str, str] | None = None,
    reread: FieldRereader | None = None,
) -> list[CheckResult]:
    """Run the policy's enabled checks on one customer's documents, in a stable order.

    ``number_patterns`` (template id -> regex) add to or override the policy's;
    ``lookup`` enables ``document_reused`` (SKIP without it); ``customer_id`` is
    left out of its lookups; ``reread`` (a :class:`~kyc_ocr.checks.reread.RereadTable`) lets
    ``document_number_matches_form`` settle an OCR misreading from the pixels.
    """
    if not documents:
        raise InputError("no documents to check: give at least one extracted document")
    patterns = {**policy.number_patterns, **(number_patterns or {})}
    ctx = CheckContext(policy, as_of, patterns, lookup, customer_id, reread)
    documents = [document.mrz_number_from_visual(d, tuple(documents), ctx) for d in documents]
    documents, settled = settle_by_machine(documents, ctx)
    ctx = dataclasses.replace(ctx, settled=settled)
    results: list[CheckResult] = []
    for name in policy.enabled_checks:
        if name in ("mrz_matches_visual", "barcode_matches_visual"):
            results.extend(_with_other_sides(name, documents, ctx))
        elif name == "required_fields":
            results.extend(document.required_fields(d, ctx, tuple(documents)) for d in documents)
        elif name == "impossible_dates":
            results.extend(doubt_softened(fraud.impossible_dates(d, ctx, tuple(documents)), d, ctx) for d in documents)
        elif name in PER_DOCUMENT:
            applies, check, none_reason = PER_DOCUMENT[name]
            docs = [d for d in documents if applies(d)]
            if docs:
                results.extend(doubt_softened(check(d, ctx), d, ctx) for d in docs)
            else:
                results.append(skip(name, none_reason))
        else:
            result = PER_SET[name](documents, ctx)
            results.append(birth_doubt_softened(result, documents, ctx) if name == "same_date_of_birth" else result)
    for r in results:
        log.debug("check %s: %s", r.name, r.status.value)
    log.info("%d checks on %d documents (policy %s)", len(results), len(documents), policy.version)
    return results

