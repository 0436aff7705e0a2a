"""Fraud signals: reused documents (with a stand-in lookup), specimen text, impossible dates."""

from __future__ import annotations

import datetime as dt
import hashlib

from kyc_ocr.checks import fraud, load_policy
from kyc_ocr.checks.base import CheckContext
from kyc_ocr.domain import ExtractedDocument, Field, Page, Status, TextLine, quad_from_box

AS_OF = dt.date(2026, 6, 30)
POLICY = load_policy()


class FakeLookup:
    """A DocumentLookup over two dicts, excluding the asking customer like the store does."""

    def __init__(self, by_sha: dict[str, list[str]], by_number: dict[tuple[str, str | None], list[str]]) -> None:
        self.by_sha, self.by_number = by_sha, by_number
        self.calls: list[tuple[str, ...]] = []

    def customers_using_sha256(self, sha256: str, exclude_customer: str | None = None) -> list[str]:
        self.calls.append(("sha", sha256))
        return sorted(c for c in self.by_sha.get(sha256, []) if c != exclude_customer)

    def customers_with_document(self, number: str, country: str | None,
                                exclude_customer: str | None = None) -> list[str]:
        self.calls.append(("number", number, country or ""))
        return sorted(c for c in self.by_number.get((number, country), []) if c != exclude_customer)


def mkdoc(source: str, kind: str, lines: tuple[str, ...] = (), raw: dict[str, str] | None = None,
          **values: str) -> ExtractedDocument:
    raw = raw or {}
    fields = {k: Field(k, v, raw.get(k, v), 0.97, page=1, box=(1.0, 2.0, 3.0, 4.0)) for k, v in values.items()}
    page_lines = tuple(TextLine(t, 0.9, quad_from_box((10, 30 * i, 300, 30 * i + 20))) for i, t in enumerate(lines))
    pages = (Page(source, 1, 800, 600, page_lines),) if lines else ()
    return ExtractedDocument(source, hashlib.sha256(source.encode()).hexdigest(), "image/png", kind, None, fields,
                             pages)


def test_document_reused_by_sha_and_by_number() -> None:
    pp = mkdoc("passport.png", "passport", document_number="L898902C3", issuing_country="UTO")
    bill = mkdoc("bill.pdf", "utility_bill", account_number="998877")
    lookup = FakeLookup({bill.sha256: ["cust-1", "cust-7"]}, {("L898902C3", "UTO"): ["cust-1", "cust-9"]})
    ctx = CheckContext(POLICY, AS_OF, lookup=lookup, customer_id="cust-1")
    r = fraud.document_reused([pp, bill], ctx)
    assert r.status is Status.FAIL
    hits = {(h["document"]["source"], h["match"]): h["other_customers"] for h in r.evidence["hits"]}
    assert hits == {("passport.png", "document_number"): ["cust-9"], ("bill.pdf", "sha256"): ["cust-7"]}
    # a utility bill's account number is not an identity document number: not looked up
    assert ("number", "998877", "") not in lookup.calls
    clean = FakeLookup({}, {})
    r = fraud.document_reused([pp, bill], CheckContext(POLICY, AS_OF, lookup=clean, customer_id="cust-1"))
    assert r.status is Status.PASS and r.evidence["lookups"] == 3
    assert fraud.document_reused([pp], CheckContext(POLICY, AS_OF)).status is Status.SKIP


def test_specimen_text_on_page_and_in_fields() -> None:
    ctx = CheckContext(POLICY, AS_OF)
    doc = mkdoc("id.png", "id_card", lines=("REPUBLIC OF UTOPIA", "IDENTITY CARD", "SPÉCIMEN"), surname="Muster")
    r = fraud.specimen_text(doc, ctx)
    assert r.status is Status.FAIL
    found = [(h["word"], h["printed"], h.get("line"), h.get("field"), h["zone"]) for h in r.evidence["hits"]]
    assert found == [("SPECIMEN", "SPÉCIMEN", 3, None, "other"), ("MUSTER", "Muster", None, "surname", "person")]
    assert r.evidence["hits"][0]["box"] == [10.0, 60.0, 300.0, 80.0]
    ocr_slip = mkdoc("id.png", "id_card", lines=("SPEClMEN",))  # l for I: one edit in an 8-letter word
    assert fraud.specimen_text(ocr_slip, ctx).status is Status.FAIL
    clean = mkdoc("id.png", "id_card", lines=("Erika MUSTERMANN", "Simple example", "Avoid folding"))
    assert fraud.specimen_text(clean, ctx).status is Status.PASS
    assert fraud.specimen_text(mkdoc("e.png", "id_card"), ctx).status is Status.SKIP


def test_specimen_words_in_names_and_places() -> None:
    ctx = CheckContext(POLICY, AS_OF)
    # Sample is a real English surname: only a WARN (review), on the field and on its OCR line.
    named = mkdoc("id.png", "id_card", lines=("SAMPLE", "JOHN"), surname="SAMPLE", given_names="John")
    r = fraud.specimen_text(named, ctx)
    assert r.status is Status.WARN and {h["zone"] for h in r.evidence["hits"]} == {"person"}
    # Campione d'Italia is a town: an address there is no specimen marking.
    town = "Via Roma 1, 22061 Campione d'Italia"
    placed = mkdoc("bill.pdf", "utility_bill", lines=("Via Roma 1", "22061 Campione d'Italia"), address=town)
    assert fraud.specimen_text(placed, ctx).status is Status.PASS


def test_impossible_dates() -> None:
    ctx = CheckContext(POLICY, AS_OF)
    ok = mkdoc("p.png", "passport", date_of_birth="1974-08-12", date_of_issue="2016-01-01",
               date_of_expiry="2026-01-01", lines=("Date of birth 12.08.1974", "Total 31.02 EUR"))
    r = fraud.impossible_dates(ok, ctx)
    assert r.status is Status.PASS, r.detail  # "31.02 EUR" is an amount, not a complete date
    raw = mkdoc("p.png", "passport", raw={"date_of_birth": "31.02.1990"}, date_of_birth="1990-02-28")
    r = fraud.impossible_dates(raw, ctx)
    assert r.status is Status.FAIL and "'31.02.1990' at field date_of_birth" in r.detail
    on_page = mkdoc("f.pdf", "application_form", lines=("Signed on 2025-02-29",))  # 2025 is not a leap year
    assert fraud.impossible_dates(on_page, ctx).status is Status.FAIL
    future = mkdoc("p.png", "passport", date_of_birth="2027-01-01")
    assert "after the verification date" in fraud.impossible_dates(future, ctx).detail
    # 1890-01-01 at 2026-06-30 is 136 years > 130
    ancient = mkdoc("p.png", "passport", date_of_birth="1890-01-01")
    assert "older than 130" in fraud.impossible_dates(ancient, ctx).detail
    before_birth = mkdoc("p.png", "passport", date_of_birth="1990-05-05", date_of_issue="1989-01-01")
    assert "date_of_issue 1989-01-01 is before date_of_birth" in fraud.impossible_dates(before_birth, ctx).detail
    assert fraud.impossible_dates(mkdoc("x.png", "passport"), ctx).status is Status.SKIP


def test_invalid_dates_in_text() -> None:
    # 29.02.2024 is real (leap year); 29.02.2023 is not; 04/31/2024 is invalid both ways (no 31 April,
    # no month 31); 12/31/2024 is fine read month-first; "31 APR 2024" has no 31st.
    text = "29.02.2024 29.02.2023 04/31/2024 12/31/2024 31 APR 2024 30 APR 2024"
    assert fraud.invalid_dates_in(text) == ["29.02.2023", "04/31/2024", "31 APR 2024"]


def test_an_impossible_date_the_pixels_read_as_possible_was_the_ocrs() -> None:
    from kyc_ocr.checks.reread import RereadTable, planned_rereads
    from kyc_ocr.domain import Reread

    form = mkdoc("form.jpg", "application_form", lines=("Name: Lilly Hübel", "Date: 32.06.2026"))
    plan = [(f.name, h) for d, f, h in planned_rereads([form])]
    # the line is re-read against the possible dates one OCR slip away (32 -> 22, 02, 12, 30 ...)
    assert ("line 1:2", "Date: 22.06.2026") in plan and ("line 1:2", "Date: 30.06.2026") in plan
    assert all(name == "line 1:2" for name, _ in plan)
    line = {f.name: f for _, f, _ in planned_rereads([form])}["line 1:2"]
    assert line.value == "Date: 32.06.2026" and line.quad is not None

    def table(cost: float, read: str = "Date: 22.06.2026") -> RereadTable:
        return RereadTable({(form.sha256, "line 1:2", "Date: 22.06.2026"): Reread(read, "Date: 22.06.2026", cost)})

    ctx = CheckContext(POLICY, AS_OF)
    assert fraud.impossible_dates(form, ctx).status is Status.FAIL  # nothing re-read: the reading stands
    r = fraud.impossible_dates(form, CheckContext(POLICY, AS_OF, reread=table(0.0)))
    assert r.status is Status.PASS and r.evidence["settled_by_reread"][0]["tested"] == "Date: 22.06.2026"
    assert "re-read from the pixels as a possible date" in r.detail
    crisp = table(15.0, read="Date: 32.06.2026")  # the pixels read as before; 22 over reread_doubt_cost
    r = fraud.impossible_dates(form, CheckContext(POLICY, AS_OF, reread=crisp))
    assert r.status is Status.FAIL and "'32.06.2026' at page 1 line 2 is not" in r.detail
    # over reread_max_cost (6) but within reread_doubt_cost (12): a doubt, a person looks (a bill photo's
    # billing period "01/00/2026" gave "01/08/2026" at 6.08 nats)
    over = table(9.0, read="Date: 32.06.2026")
    r = fraud.impossible_dates(form, CheckContext(POLICY, AS_OF, reread=over))
    assert r.status is Status.WARN and r.evidence["reread_doubt"][0]["tested"] == "Date: 22.06.2026"
    assert r.evidence["reread_doubt"][0]["cost"] == 9.0 and "not enough to reject on" in r.detail
    # the rectified crop read again gives another, possible date ("30/05/2126" for "31/15/2125" on a blurred
    # statement photo): two readings that disagree cannot prove an impossible date
    again = table(9.0, read="Date: 30.06.2026")
    r = fraud.impossible_dates(form, CheckContext(POLICY, AS_OF, reread=again))
    assert r.status is Status.PASS and r.evidence["settled_by_reread"][0]["read_again"] is True


def test_an_ancient_birth_date_the_pixels_read_as_another_documents_was_the_ocrs() -> None:
    from kyc_ocr.checks import run_checks
    from kyc_ocr.checks.reread import RereadTable, planned_rereads
    from kyc_ocr.domain import Reread

    # a form photo (round 10's training split) read its "20/09/1935" as "2009/1885" (a slash lost, 3 read 8):
    # over 130 years old; the residence permit gives 1935-09-20
    form = mkdoc("form.jpg", "application_form", raw={"date_of_birth": "2009/1885"}, date_of_birth="1885-09-20")
    permit = mkdoc("permit.png", "residence_permit", date_of_birth="1935-09-20")
    assert (form.sha256, "date_of_birth", "2009/1935") in {(d.sha256, f.name, h) for d, f, h in
                                                           planned_rereads([form, permit])}

    def ctx(cost: float) -> CheckContext:
        return CheckContext(POLICY, AS_OF, reread=RereadTable(
            {(form.sha256, "date_of_birth", "2009/1935"): Reread("2009/1885", "2009/1935", cost)}))

    assert fraud.impossible_dates(form, CheckContext(POLICY, AS_OF), (form, permit)).status is Status.FAIL
    r = fraud.impossible_dates(form, ctx(2.0), (form, permit))
    assert r.status is Status.PASS, r.detail
    assert r.evidence["settled_by_reread"][0]["date_of_birth"] == "1935-09-20"
    # the pixels do not give the permit's date: the impossible reading stands
    assert fraud.impossible_dates(form, ctx(9.0), (form, permit)).status is Status.FAIL
    # another document's date that is itself impossible settles nothing
    older = mkdoc("permit.png", "residence_permit", date_of_birth="1880-09-20")
    cheap = CheckContext(POLICY, AS_OF, reread=RereadTable(
        {(form.sha256, "date_of_birth", "2009/1880"): Reread("2009/1885", "2009/1880", 0.5)}))
    assert fraud.impossible_dates(form, cheap, (form, older)).status is Status.FAIL
    # run_checks hands the check the customer's other documents
    got = [c for c in run_checks([form, permit], policy=POLICY, as_of=AS_OF, reread=ctx(2.0).reread)
           if c.name == "impossible_dates" and c.evidence["document"]["source"] == "form.jpg"]
    assert got[0].status is Status.PASS
