"""From check results to a decision: the policy maps each status to reject, review or nothing.

REJECTED when any result maps to ``reject``, REVIEW when any maps to ``review``
(or when no check could run at all), APPROVED otherwise. Reasons are sentences
that cite the check name and its decisive detail; they are stored with the
verdict, never logged.

>>> from kyc_ocr.checks.policy import load_policy
>>> policy = load_policy()
>>> ok = CheckResult("minimum_age", Status.PASS, 1.0, "passport.png: holder is 51 at 2026-06-30 (minimum 18)")
>>> decide([ok], policy)[0].value
'APPROVED'
>>> warn = CheckResult("same_person", Status.WARN, 0.8, "form.pdf names 'J. Smith', passport.png names 'John Smith'")
>>> decide([ok, warn], policy)
(<Decision.REVIEW: 'REVIEW'>, ["same_person warned (review): form.pdf names 'J. Smith', passport.png names 'John Smith'"])
>>> bad = CheckResult("mrz_check_digits", Status.FAIL, 0.8, "passport.png: composite digit is '1', expected '0'")
>>> decide([ok, warn, bad], policy)[1][0]
"mrz_check_digits failed (reject): passport.png: composite digit is '1', expected '0'"
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Sequence

from kyc_ocr.checks.policy import Policy
from kyc_ocr.domain import CheckResult, Decision, ExtractedDocument, Status, Verdict

log = logging.getLogger(__name__)

_STATUS_WORDS = {Status.FAIL: "failed", Status.WARN: "warned", Status.SKIP: "could not run"}


def reason(check: CheckResult, action: str) -> str:
    """One sentence: the check, what it did, what that means, and its detail.

    >>> reason(CheckResult("document_not_expired", Status.FAIL, 0.0, "id.png: expired on 2020-01-31"), "reject")
    'document_not_expired failed (reject): id.png: expired on 2020-01-31'
    """
    return f"{check.name} {_STATUS_WORDS.get(check.status, check.status.value)} ({action}): {check.detail}"


def decide(checks: Sequence[CheckResult], policy: Policy) -> tuple[Decision, list[str]]:
    """The decision and its reasons (reject reasons first, then review reasons, in check order).

    >>> from kyc_ocr.checks.policy import load_policy
    >>> decide([CheckResult("same_person", Status.SKIP, 0.0, "1 document(s) carry a name")], load_policy())
    (<Decision.REVIEW: 'REVIEW'>, ['no check could be evaluated (1 skipped): a person must look at the documents'])
    """
    rejects: list[str] = []
    reviews: list[str] = []
    for check in checks:
        action = policy.action(check.name, check.status)
        if action == "reject":
            rejects.append(reason(check, action))
        elif action == "review":
            reviews.append(reason(check, action))
    counts = Counter(c.status for c in checks)
    log.debug("decide: %s", {s.value: n for s, n in counts.items()})
    if rejects:
        return Decision.REJECTED, rejects + reviews
    if reviews:
        return Decision.REVIEW, reviews
    evaluated = len(checks) - counts[Status.SKIP]
    if evaluated == 0:
        nothing = f"no check could be evaluated ({counts[Status.SKIP]} skipped): a person must look at the documents"
        return Decision.REVIEW, [nothing]
    summary = (f"no check calls for rejection or review under policy {policy.version}: {counts[Status.PASS]} passed, "
               f"{counts[Status.WARN]} warned, {counts[Status.FAIL]} failed, {counts[Status.SKIP]} skipped")
    return Decision.APPROVED, [summary]


def build_verdict(
    customer_id: str,
    checks: Sequence[CheckResult],
    policy: Policy,
    as_of: dt.date,
    documents: Sequence[ExtractedDocument] = (),
) -> Verdict:
    """The :class:`~kyc_ocr.domain.Verdict` for a customer: decision, reasons, checks, policy version.

    >>> from kyc_ocr.checks.policy import load_policy
    >>> ok = CheckResult("minimum_age", Status.PASS, 1.0, "holder is 51")
    >>> v = build_verdict("cust-1", [ok], load_policy(), dt.date(2026, 6, 30))
    >>> v.decision.value, v.policy_version, v.as_of, len(v.checks)
    ('APPROVED', '2026.6', '2026-06-30', 1)
    """
    decision, reasons = decide(checks, policy)
    log.info("verdict %s under policy %s from %d checks", decision.value, policy.version, len(checks))
    return Verdict(
        customer_id=customer_id,
        decision=decision,
        reasons=tuple(reasons),
        checks=tuple(checks),
        policy_version=policy.version,
        as_of=as_of.isoformat(),
        documents=tuple(documents),
    )
