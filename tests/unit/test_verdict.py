"""decide() and build_verdict(), then run_checks end to end on a hand-made customer file."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from kyc_ocr.checks import CHECK_NAMES, build_verdict, decide, load_policy, run_checks
from kyc_ocr.checks.policy import Policy
from kyc_ocr.domain import CheckResult, Decision, ExtractedDocument, Field, FieldSource, Status, TemplateMatch
from kyc_ocr.errors import InputError
from kyc_ocr.extract.mrz_build import build_mrz

AS_OF = dt.date(2026, 6, 30)
POLICY = load_policy()


def r(name: str, status: Status, detail: str = "detail") -> CheckResult:
    return CheckResult(name, status, 1.0 if status is Status.PASS else 0.0, detail)


def test_decide_mapping() -> None:
    assert decide([r("minimum_age", Status.PASS), r("document_reused", Status.SKIP)], POLICY)[0] is Decision.APPROVED
    # address FAIL -> review; same_person WARN -> review; mrz_check_digits FAIL -> reject
    decision, reasons = decide([r("address_matches_proof", Status.FAIL, "addr"),
                                r("same_person", Status.WARN, "names")], POLICY)
    assert decision is Decision.REVIEW
    assert reasons == ["address_matches_proof failed (review): addr", "same_person warned (review): names"]
    decision, reasons = decide([r("same_person", Status.WARN, "names"),
                                r("mrz_check_digits", Status.FAIL, "digit")], POLICY)
    assert decision is Decision.REJECTED
    assert reasons == ["mrz_check_digits failed (reject): digit", "same_person warned (review): names"]
    # a WARN that the policy does not map (document_not_expired has no on_warn) decides nothing
    assert decide([r("minimum_age", Status.PASS), r("document_not_expired", Status.WARN)], POLICY)[0] is Decision.APPROVED
    # names the policy does not know (e.g. an extractor's own checks) are ignored
    assert decide([r("minimum_age", Status.PASS), r("ocr_quality", Status.FAIL)], POLICY)[0] is Decision.APPROVED


def test_decide_with_custom_policy_and_nothing_evaluated() -> None:
    p = Policy.from_yaml_text('version: "t"\nchecks:\n  same_person: {on_skip: review}\n'
                              "  minimum_age: {enabled: false, on_fail: reject}\n", "t.yaml")
    decision, reasons = decide([r("minimum_age", Status.FAIL), r("same_person", Status.SKIP, "one name")], p)
    assert decision is Decision.REVIEW and reasons == ["same_person could not run (review): one name"]
    assert decide([], POLICY)[0] is Decision.REVIEW  # nothing evaluated is never an approval
    decision, reasons = decide([r("minimum_age", Status.PASS)], POLICY)
    assert decision is Decision.APPROVED and "policy 2026.6: 1 passed" in reasons[0]


def test_build_verdict() -> None:
    checks = [r("minimum_age", Status.PASS), r("document_not_expired", Status.FAIL, "id.png: expired")]
    v = build_verdict("cust-42", checks, POLICY, AS_OF)
    assert (v.customer_id, v.decision, v.policy_version, v.as_of) == ("cust-42", Decision.REJECTED, "2026.6",
                                                                      "2026-06-30")
    assert v.reasons == ("document_not_expired failed (reject): id.png: expired",)
    assert v.to_dict()["checks"][1]["status"] == "FAIL"


# --- end to end: one customer, a passport, an application form and a utility bill ------------

MRZ = build_mrz("TD3", document_code="P", issuing_country="UTO", surname="Eriksson", given_names="Anna María",
                document_number="L898902C3", nationality="UTO", date_of_birth="1974-08-12", sex="F",
                date_of_expiry="2031-04-15", optional_data="ZE184226B")


def mkdoc(source: str, kind: str, template: str, **values: str) -> ExtractedDocument:
    fields = {k: Field(k, v, v, 0.95, FieldSource.MRZ if k == "mrz" else FieldSource.VISUAL, 1, (0, 0, 9, 9))
              for k, v in values.items()}
    match = TemplateMatch(template, "1", kind, 0.9, "test")
    return ExtractedDocument(source, hashlib.sha256(source.encode()).hexdigest(), "image/png", kind, match, fields)


def customer(form_over: dict[str, str] | None = None, bill_over: dict[str, str] | None = None
             ) -> list[ExtractedDocument]:
    passport = mkdoc("passport.png", "passport", "uto-passport-td3", surname="Eriksson", given_names="Anna María",
                     document_number="L898902C3", nationality="UTO", date_of_birth="1974-08-12", sex="F",
                     date_of_issue="2021-04-16", date_of_expiry="2031-04-15", issuing_country="UTO", mrz=MRZ)
    form = {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "date_of_birth": "1974-08-12",
            "nationality": "UTO", "document_number": "L898 902 C3", "address": "Hauptstraße 5, 10115 Berlin"}
    bill = {"full_name": "Anna Eriksson", "address": "HAUPTSTR. 5\n10115 BERLIN", "statement_date": "2026-05-20"}
    form.update(form_over or {})
    bill.update(bill_over or {})
    return [passport, mkdoc("form.pdf", "application_form", "kyc-application-form", **form),
            mkdoc("bill.pdf", "utility_bill", "utility-bill", **bill)]


def statuses(results: list[CheckResult]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for res in results:
        out.setdefault(res.name, set()).add(res.status.value)
    return out


def test_clean_customer_is_approved() -> None:
    results = run_checks(customer(), policy=POLICY, as_of=AS_OF, customer_id="cust-1")
    assert [x.name for x in results] == sorted((x.name for x in results), key=CHECK_NAMES.index)  # stable order
    got = statuses(results)
    assert set(got) == set(CHECK_NAMES)
    assert got["barcode_matches_visual"] == {"SKIP"} and got["document_reused"] == {"SKIP"}
    assert got["sex_consistent"] == {"SKIP"}  # only the passport gives a sex
    failing = {n: s for n, s in got.items() if s - {"PASS", "SKIP"}}
    assert failing == {}, [x.detail for x in results if x.status in (Status.FAIL, Status.WARN)]
    assert sum(x.name == "required_fields" for x in results) == 3  # one per document
    v = build_verdict("cust-1", results, POLICY, AS_OF, customer())
    assert v.decision is Decision.APPROVED


@pytest.mark.parametrize(
    ("form_over", "bill_over", "failing", "decision"),
    [
        ({"date_of_birth": "1974-08-21"}, {}, "same_date_of_birth", Decision.REJECTED),
        ({"document_number": "L898902C4"}, {}, "document_number_matches_form", Decision.REVIEW),
        ({}, {"statement_date": "2026-03-01"}, "proof_of_address_recent", Decision.REVIEW),
        ({}, {"address": "Hauptstraße 7, 10115 Berlin"}, "address_matches_proof", Decision.REVIEW),
        ({"nationality": "FRA"}, {}, "nationality_consistent", Decision.REVIEW),
        # ANA/ANNA 6/7, ERIKSEN/ERIKSSON 12/15: (0.857 + 0.8) / 2 - 0.05 (MARIA left over) = 0.779 -> WARN
        ({"surname": "Eriksen", "given_names": "Ana"}, {}, "same_person", Decision.REVIEW),
    ],
)
def test_one_fault_one_failing_check(form_over: dict[str, str], bill_over: dict[str, str], failing: str,
                                     decision: Decision) -> None:
    results = run_checks(customer(form_over, bill_over), policy=POLICY, as_of=AS_OF)
    bad = {x.name for x in results if x.status in (Status.FAIL, Status.WARN)}
    assert bad == {failing}, [x.detail for x in results if x.status in (Status.FAIL, Status.WARN)]
    v = build_verdict("cust-1", results, POLICY, AS_OF)
    assert v.decision is decision
    assert v.reasons[0].startswith(failing)


def test_run_checks_number_patterns_and_lookup() -> None:
    class Reused:
        def customers_using_sha256(self, sha256: str, exclude_customer: str | None = None) -> list[str]:
            return []

        def customers_with_document(self, number: str, country: str | None,
                                    exclude_customer: str | None = None) -> list[str]:
            return ["cust-other"] if number == "L898902C3" else []

    results = run_checks(customer(), policy=POLICY, as_of=AS_OF, lookup=Reused(), customer_id="cust-1",
                         number_patterns={"uto-passport-td3": r"\d{9}"})
    got = {x.name: x for x in results}
    assert got["document_reused"].status is Status.FAIL
    assert got["document_number_format"].status is Status.FAIL
    assert build_verdict("cust-1", results, POLICY, AS_OF).decision is Decision.REJECTED
    with pytest.raises(InputError, match="no documents"):
        run_checks([], policy=POLICY, as_of=AS_OF)
