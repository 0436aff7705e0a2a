"""Fraud signals: specimen text, impossible dates, and a document already used by another customer.

>>> find_specimen_words("PASSPORT  SPEC1MEN  No. 123", ("SPECIMEN", "VOID"))
[('SPECIMEN', 'SPEC1MEN')]
>>> find_specimen_words("Erika MUSTERMANN, Simple sample-free text", ("MUSTER", "SAMPLE"))
[('SAMPLE', 'sample')]
>>> find_specimen_words("SPECIMN 5PECIMEN SPECIMENS SPACEMEN", ("SPECIMEN",))
[('SPECIMEN', 'SPECIMN'), ('SPECIMEN', '5PECIMEN'), ('SPECIMEN', 'SPECIMENS')]
>>> find_specimen_words("Vehicle model: VOIDED? no; Espécimen", ("VOID", "ESPÉCIMEN", "MODELO"))
[('ESPECIMEN', 'Espécimen')]
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from rapidfuzz.distance import Levenshtein

from kyc_ocr.checks.base import CheckContext, doc_ref, field_ref, parse_iso, poor_read_note, poorly_read, skip
from kyc_ocr.checks.compare import DATE_FIELDS
from kyc_ocr.checks.dates import (
    ascii_upper,
    count_dates,
    date_like,
    impossible_date_lines,
    invalid_dates_in,
    possible_readings,
)
from kyc_ocr.checks.document import age_at, is_identity
from kyc_ocr.checks.reread import cheapest_reread, first_reread
from kyc_ocr.domain import CheckResult, ExtractedDocument, Field, FieldSource, Status, TextLine

log = logging.getLogger(__name__)

_WORD = re.compile(r"[^\W_]+")
_DIGIT_AS_LETTER = str.maketrans({"0": "O", "1": "I", "5": "S", "8": "B", "3": "E", "4": "A"})


def _matches(word: str, token: str) -> bool:
    """Whole-word match; words of 7+ letters forgive one OCR slip (shorter ones are too
    close to ordinary words: SAMPLE/SIMPLE)."""
    if token == word:
        return True
    return len(word) >= 7 and Levenshtein.distance(token, word) <= 1


def find_specimen_words(text: str, words: Sequence[str]) -> list[tuple[str, str]]:
    """Specimen words found in ``text`` as (word, as printed), accents folded, whole words only."""
    folded_words = [ascii_upper(w) for w in words]
    hits: list[tuple[str, str]] = []
    for m in _WORD.finditer(text):
        printed = m.group(0)
        token = ascii_upper(printed)
        if any(ch.isalpha() for ch in token):
            token = token.translate(_DIGIT_AS_LETTER)
        for word in folded_words:
            if _matches(word, token):
                hits.append((word, printed))
                break
    return hits


#: Fields that name places: a specimen word there is a place name (Campione d'Italia), not a marking.
PLACE_FIELDS = frozenset({"address", "place_of_birth", "issuer", "place_of_issue", "authority", "city"})
#: Fields that name the person: a specimen word there may be a real name (Sample, Muster), so WARN.
PERSON_FIELDS = frozenset({"surname", "given_names", "full_name", "surname_mrz", "given_names_mrz", "name",
                           "account_holder", "holder_name", "customer_name", "mrz"})


def _zone(key: str) -> str:
    return "place" if key in PLACE_FIELDS else "person" if key in PERSON_FIELDS else "other"


def _line_zone(line: TextLine, page_no: int, doc: ExtractedDocument) -> str:
    """Which kind of field an OCR line belongs to: by its text (the field's value or raw text)
    or by its centre lying in the field's box."""
    text = ascii_upper(line.text).strip()
    x0, y0, x1, y1 = line.bbox
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for key, f in doc.fields.items():
        zone = _zone(key)
        if zone == "other":
            continue
        values = [v for v in (ascii_upper(f.value), ascii_upper(f.raw)) if v]
        if len(text) >= 3 and any(text in v or (v in text and 2 * len(v) >= len(text)) for v in values):
            return zone
        if f.box is not None and f.page == page_no and f.box[0] <= cx <= f.box[2] and f.box[1] <= cy <= f.box[3]:
            return zone
    return "other"


def _texts(doc: ExtractedDocument) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every piece of text on the document with where it is: OCR lines, then field values.

    ``zone`` says whether the text is a place, the person's name, or anything else.
    """
    for page in doc.pages:
        for i, line in enumerate(page.lines, start=1):
            box = [round(float(v), 1) for v in line.bbox]
            yield line.text, {"page": page.page, "line": i, "box": box, "zone": _line_zone(line, page.page, doc)}
    for key, f in doc.fields.items():
        where = {"field": key, "page": f.page, "box": field_ref(f)["box"], "zone": _zone(key)}
        yield f.value, where
        if f.raw and f.raw != f.value:
            yield f.raw, {**where, "raw": True}


def specimen_text(doc: ExtractedDocument, ctx: CheckContext) -> CheckResult:
    """No specimen/sample/void marking in the document's text or fields.

    Words inside place fields (addresses, places of birth, issuers) are ignored; words
    only inside the holder's name (or the MRZ) give WARN, since they may be a real name.
    """
    name = "specimen_text"
    words = ctx.policy.specimen_words
    evidence: dict[str, Any] = {"document": doc_ref(doc), "words": list(words)}
    if not words:
        return skip(name, "the policy lists no specimen words", **evidence)
    hits: list[dict[str, Any]] = []
    n_texts = 0
    for text, where in _texts(doc):
        n_texts += 1
        if where["zone"] != "place":
            hits.extend({"word": w, "printed": p, **where} for w, p in find_specimen_words(text, words))
    if n_texts == 0:
        return skip(name, f"{doc.source}: no text was read", **evidence)
    evidence["hits"] = hits
    if not hits:
        return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: no specimen marking in {n_texts} texts", evidence)
    strong = [h for h in hits if h["zone"] == "other"]
    first = (strong or hits)[0]
    at = f"field {first['field']}" if "field" in first else f"page {first['page']} line {first['line']}"
    more = f" and {len(hits) - 1} more" if len(hits) > 1 else ""
    if strong:
        return CheckResult(name, Status.FAIL, 0.0, f"{doc.source}: specimen marking {first['printed']!r} "
                           f"({first['word']}) at {at}{more}", evidence)
    return CheckResult(name, Status.WARN, 0.5, f"{doc.source}: the holder's name contains the specimen word "
                       f"{first['word']} ({first['printed']!r} at {at}{more})", evidence)


def _date_fields(doc: ExtractedDocument) -> Iterable[str]:
    return [k for k in doc.fields if k in DATE_FIELDS or k.endswith("_date") or k.startswith("date_")]


def impossible_dates(doc: ExtractedDocument, ctx: CheckContext, others: Sequence[ExtractedDocument] = ()
                     ) -> CheckResult:
    """No date that cannot be: invalid calendar dates, a birth in the future or after issue, age > max.

    An impossible date on an OCR line whose pixels, re-read, give a possible date one OCR slip
    away within the policy's ``reread_max_cost`` was the OCR's (``settled_by_reread`` in the
    evidence); so is an impossible date of birth whose pixels give the possible one another of the
    customer's documents (``others``) prints (``2009/1885`` read on a form photo for ``20/09/1935``, the
    permit's). One in an extracted field, or that no re-read settles, is a problem: FAIL, or WARN on a
    document read poorly as a whole (:func:`~kyc_ocr.checks.base.poorly_read`). An OCR line's impossible date
    whose pixels give a possible one within ``reread_doubt_cost`` (a bill photo's billing period
    ``01/00/2026``: ``01/02/2026`` at 6.6 nats) is a doubt, cited as ``reread_doubt``: WARN, not FAIL.
    """
    name = "impossible_dates"
    keys = list(_date_fields(doc))
    evidence: dict[str, Any] = {"document": doc_ref(doc), "as_of": ctx.as_of.isoformat(),
                                "max_age": ctx.policy.thresholds.max_age,
                                "fields": {k: field_ref(doc.fields[k]) for k in keys}}
    problems: list[str] = []
    for key in keys:
        if parse_iso(doc.fields[key].value) is None:
            problems.append(f"{key} {doc.fields[key].value!r} is not a calendar date")
    seen: set[str] = set()
    settled: list[dict[str, Any]] = []
    doubts: list[dict[str, Any]] = []  # impossible as read, but the pixels may well give a possible date
    for line, bad in impossible_date_lines(doc):
        if bad in seen:
            continue
        seen.add(bad)
        tries = [(doc, line, h) for h in possible_readings(line.value, bad)]
        found = first_reread(ctx, tries) or _read_possible_again(ctx, tries)
        problem = f"{bad!r} at page {line.page} line {line.name.rpartition(':')[2]} is not a calendar date"
        doubt = cheapest_reread(ctx, tries, ctx.policy.thresholds.reread_doubt_cost) if found is None else None
        if found is not None:
            settled.append(found)
        elif doubt is not None:
            doubts.append({**doubt[1], "problem": problem})
        else:
            problems.append(problem)
    n_texts = 0
    for text, where in _texts(doc):
        n_texts += 1
        for bad in invalid_dates_in(text) if "field" in where else ():
            if bad not in seen:
                seen.add(bad)
                problems.append(f"{bad!r} at field {where['field']} is not a calendar date")
    birth = _birth_problems(doc, ctx, parse_iso(doc.value("date_of_birth")))
    if birth:
        agreed = _birth_date_from_others(doc, ctx, others)
        if agreed is not None:
            settled.append(agreed[1])
            birth = _birth_problems(doc, ctx, agreed[0])
    problems.extend(birth)
    if settled:
        evidence["settled_by_reread"] = settled
    if not keys and n_texts == 0:
        return skip(name, f"{doc.source}: no dates to examine", **evidence)
    evidence["problems"] = problems
    poor = poorly_read([doc], ctx.policy.thresholds.min_read_confidence) if problems else []
    if poor:  # an impossible date read on a blurred photo proves a misreading as much as a forgery
        evidence["poorly_read"] = poor
    if doubts:
        evidence["reread_doubt"] = doubts
    if problems:
        return CheckResult(name, Status.WARN if poor else Status.FAIL, 0.0,
                           f"{doc.source}: " + "; ".join(problems) + poor_read_note(poor), evidence)
    if doubts:
        return CheckResult(name, Status.WARN, 0.5, f"{doc.source}: " + "; ".join(
            f"{d['problem']}, but its pixels give {d['tested']!r} at {d['cost']} nats" for d in doubts)
            + f" (within {ctx.policy.thresholds.reread_doubt_cost}): a doubt, not enough to reject on", evidence)
    note = (f"; {len(settled)} impossible reading(s) re-read from the pixels as a possible date "
            f"({', '.join(repr(s['read']) for s in settled)})" if settled else "")
    return CheckResult(name, Status.PASS, 1.0, f"{doc.source}: {len(keys)} date fields are possible{note}", evidence)


def _read_possible_again(ctx: CheckContext, tries: Sequence[tuple[ExtractedDocument, Field, str]]
                         ) -> dict[str, Any] | None:
    """Evidence that the line's pixels, read again (rectified, as a re-read crops them), give only
    possible dates: two readings that disagree on a date cannot prove an impossible one."""
    if ctx.reread is None or ctx.policy.thresholds.reread_max_cost <= 0:
        return None
    for doc, line, hypothesis in tries:
        found = ctx.reread(doc, line, hypothesis)
        if found is not None:
            again = found.read
            if count_dates(again) >= count_dates(line.value) and not invalid_dates_in(again):
                return {**doc_ref(doc), "field": line.name, "read": again, "first_read": line.value,
                        "read_again": True}
            return None
    return None


def _birth_date_from_others(doc: ExtractedDocument, ctx: CheckContext, others: Sequence[ExtractedDocument]
                            ) -> tuple[dt.date, dict[str, Any]] | None:
    """A possible date of birth another document gives that ``doc``'s visually read one, re-read, supports
    within the policy's ``reread_max_cost`` (the hypotheses :func:`~kyc_ocr.checks.reread.birth_date_hypotheses`
    plans): the date and the re-read's evidence; ``None`` when none does."""
    mine = doc.fields.get("date_of_birth")
    if mine is None or mine.source is not FieldSource.VISUAL or not mine.raw:
        return None
    values = {v for d in others if d is not doc and (v := d.value("date_of_birth")) and v != mine.value}
    for value in sorted(values):
        dob, hypothesis = parse_iso(value), date_like(value, mine.raw, mine.value)
        if dob is None or hypothesis is None or _birth_problems(doc, ctx, dob):
            continue
        found = first_reread(ctx, [(doc, mine, hypothesis)])
        if found is not None:
            return dob, {**found, "date_of_birth": value}
    return None


def _birth_problems(doc: ExtractedDocument, ctx: CheckContext, dob: dt.date | None) -> list[str]:
    """What makes ``dob`` (``doc``'s date of birth, or the one a re-read settled) impossible for ``doc``."""
    if dob is None:
        return []
    out: list[str] = []
    if dob > ctx.as_of:
        out.append(f"date_of_birth {dob.isoformat()} is after the verification date {ctx.as_of.isoformat()}")
    elif age_at(dob, ctx.as_of) > ctx.policy.thresholds.max_age:
        out.append(f"date_of_birth {dob.isoformat()} makes the holder older than {ctx.policy.thresholds.max_age}")
    for other in ("date_of_issue", "date_of_expiry"):
        when = parse_iso(doc.value(other))
        if when is not None and when < dob:
            out.append(f"{other} {when.isoformat()} is before date_of_birth {dob.isoformat()}")
    return out


def document_reused(documents: Sequence[ExtractedDocument], ctx: CheckContext) -> CheckResult:
    """No file (same SHA-256) and no identity document (same number and issuing country) of another customer."""
    name = "document_reused"
    if ctx.lookup is None:
        return skip(name, "no document store was given to look for other customers")
    hits: list[dict[str, Any]] = []
    looked = 0
    for doc in documents:
        if doc.sha256:
            looked += 1
            others = ctx.lookup.customers_using_sha256(doc.sha256, ctx.customer_id)
            if others:
                hits.append({"document": doc_ref(doc), "match": "sha256", "other_customers": sorted(others)})
        number = doc.value("document_number")
        if is_identity(doc) and number:
            looked += 1
            country = doc.value("issuing_country")
            others = ctx.lookup.customers_with_document(number, country, ctx.customer_id)
            if others:
                hits.append({"document": doc_ref(doc), "match": "document_number", "issuing_country": country,
                             "field": field_ref(doc.fields["document_number"]), "other_customers": sorted(others)})
    evidence: dict[str, Any] = {"customer_id": ctx.customer_id, "lookups": looked, "hits": hits}
    if looked == 0:
        return skip(name, "no document has a SHA-256 or an identity document number to look up", **evidence)
    if hits:
        parts = [f"{h['document']['source']} ({h['match']}) used by {len(h['other_customers'])} other customer(s)"
                 for h in hits]
        return CheckResult(name, Status.FAIL, 0.0, "; ".join(parts), evidence)
    return CheckResult(name, Status.PASS, 1.0, f"no other customer used these documents ({looked} lookups)",
                       evidence)
