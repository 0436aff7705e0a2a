"""Synthetic verification records (invented people, no real data) for tests, benchmarks and demos.

The shape follows a real customer file: a passport, a utility bill and an
application form of about 15 fields each, and one result per check name of
:data:`kyc_ocr.checks.base.CHECK_NAMES` (18 checks).

>>> docs, verdict = sample_verification("cust-1", seed=3)
>>> len(docs), [len(d.fields) for d in docs], len(verdict.checks)
(3, [15, 15, 15], 19)
"""

from __future__ import annotations

import hashlib
import random

from kyc_ocr.checks.base import CHECK_NAMES
from kyc_ocr.domain import (
    CheckResult,
    Decision,
    ExtractedDocument,
    Field,
    FieldSource,
    Page,
    Status,
    TemplateMatch,
    Verdict,
)

_KINDS = (("passport", "uto_passport_td3"), ("utility_bill", "uto_utility_bill"),
          ("application_form", "kyc_application_form"))
_NAMES = ("document_number", "issuing_country", "surname", "given_names", "date_of_birth", "date_of_issue",
          "date_of_expiry", "sex", "nationality", "personal_number", "place_of_birth", "address", "mrz",
          "customer_id", "account_number")


def sample_document(kind: str, template: str, seed: int, number: str) -> ExtractedDocument:
    rng = random.Random(f"{kind}:{seed}")
    fields = {}
    for i, name in enumerate(_NAMES):
        value = number if name == "document_number" else "UTO" if name == "issuing_country" else \
            "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ0123456789") for _ in range(rng.randint(4, 24)))
        fields[name] = Field(name, value, value.replace("0", "O"), round(rng.uniform(0.6, 1.0), 4),
                             FieldSource.MRZ if name == "mrz" else FieldSource.VISUAL, 1,
                             (40.0, 30.0 + 40 * i, 400.0, 60.0 + 40 * i))
    sha = hashlib.sha256(f"{kind}:{seed}:{number}".encode()).hexdigest()
    page = Page(f"{kind}.png", 1, 1000, 700, (), "onnx", ("PP-OCRv6_det_small@sha256:1d2e", "PP-OCRv6_rec_small@sha256:9f3a"))
    return ExtractedDocument(f"{kind}-{seed}.png", sha, "image/png", kind,
                             TemplateMatch(template, "1.0", kind, 0.93, "keywords"), fields, (page,))


def sample_verification(customer_id: str, seed: int = 0, *, policy_version: str = "2024.1",
                        as_of: str = "2024-05-01") -> tuple[list[ExtractedDocument], Verdict]:
    """Three documents and a verdict with 18 checks whose evidence names document fields."""
    rng = random.Random(seed)
    number = f"L{rng.randrange(10**7, 10**8)}"
    docs = [sample_document(kind, tpl, seed, number) for kind, tpl in _KINDS]
    checks = []
    for name in CHECK_NAMES:
        status = rng.choices([Status.PASS, Status.WARN, Status.FAIL, Status.SKIP], [80, 8, 7, 5])[0]
        doc = docs[rng.randrange(len(docs))]
        evidence = {"sha256": doc.sha256[:12], "document_type": doc.document_type,
                    "fields": {"surname": doc.fields["surname"].to_dict()}, "threshold": 0.85}
        checks.append(CheckResult(name, status, round(rng.random(), 4), f"{name}: {status.value.lower()}", evidence))
    worst = Decision.REJECTED if any(c.status is Status.FAIL for c in checks) else \
        Decision.REVIEW if any(c.status is Status.WARN for c in checks) else Decision.APPROVED
    reasons = tuple(f"{c.name} {c.status.value}" for c in checks if c.status in (Status.FAIL, Status.WARN))
    return docs, Verdict(customer_id, worst, reasons, tuple(checks), policy_version, as_of)
