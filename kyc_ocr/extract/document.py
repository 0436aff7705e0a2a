"""Fields of one classified document: locators in priority order, normalised, cross-checked with the MRZ.

For each field of the template the locators are tried in order; the first
candidate whose text the field type accepts (:mod:`kyc_ocr.extract.values`)
wins. Confidence starts from the OCR confidence, is kept for a value that
passed a real rule (date, country, checksum, pattern) and lowered 5% for free
text; a value the MRZ confirms gets half its doubt removed, one the MRZ
contradicts loses 40% (the contradiction itself is reported by the
in-document checks of :mod:`kyc_ocr.checks`, never hidden here).

Cross-fill: when the pages carry an MRZ, ``mrz`` (corrected lines joined by
``\\n``), ``surname_mrz`` and ``given_names_mrz`` always come from it, and
every MRZ field the visual zone lacks is added under its canonical name with
``source="mrz"``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from kyc_ocr.domain import Field, FieldSource, Page, PageImage, TemplateMatch
from kyc_ocr.errors import InputError
from kyc_ocr.extract.fast import ZONES_SUFFIX, read_zones
from kyc_ocr.extract.labels import fold, match_label
from kyc_ocr.extract.locators import (
    Candidate,
    Layout,
    PageContext,
    assumed_layout,
    label_candidates,
    layout_offset,
    regex_candidates,
    registered_layout,
    union,
    zone_candidates,
)
from kyc_ocr.extract.mrz_locate import MRZCandidate
from kyc_ocr.extract.normalize import transliterate_icao
from kyc_ocr.extract.values import normalize_value
from kyc_ocr.templates.schema import FieldSpec, Locator, Template

log = logging.getLogger(__name__)

#: canonical field -> MRZ attribute (``MRZ.to_dict`` keys, plus ``text`` and ``personal_number``)
MRZ_CANONICAL = ("surname", "given_names", "document_number", "nationality", "date_of_birth", "sex",
                 "date_of_expiry", "issuing_country")
_MRZ_TYPES = {"date_of_birth": "date", "date_of_expiry": "date", "nationality": "country",
              "issuing_country": "country", "sex": "sex", "document_number": "document_number",
              "surname": "name", "given_names": "name"}


@dataclass
class Evidence:
    """What extraction looks at for one document: OCR'd pages, the MRZ, the barcode (decoded lazily)."""

    pages: Sequence[Page]
    images: Sequence[PageImage] = ()
    mrz: MRZCandidate | None = None
    engine: Any = None  # to re-read an impossible value's pixels (:func:`_repaired_date`); none: no repair
    _barcode: tuple[str, dict[str, str], Candidate] | None = field(default=None, init=False)
    _barcode_done: bool = field(default=False, init=False)

    def barcode(self) -> tuple[str, dict[str, str], Candidate] | None:
        """``(payload, canonical AAMVA fields, candidate)`` of the first AAMVA PDF417 found, or ``None``."""
        if self._barcode_done:
            return self._barcode
        self._barcode_done = True
        from kyc_ocr.extract.barcode import decode_pdf417, parse_aamva

        for image in self.images:  # prepared pages: preprocessing has straightened the symbol
            for found in decode_pdf417(image.image):
                try:
                    record = parse_aamva(found.text)
                except InputError as err:
                    log.debug("PDF417 on %s page %d is not AAMVA: %s", image.source, image.page, err)
                    continue
                xs, ys = [float(p[0]) for p in found.quad], [float(p[1]) for p in found.quad]
                cand = Candidate(found.text, 0.99, (min(xs), min(ys), max(xs), max(ys)), image.page,
                                 FieldSource.BARCODE)
                self._barcode = (found.text, record.fields, cand)
                return self._barcode
        return None


def _mrz_value(mrz: MRZCandidate, name: str) -> str | None:
    m = mrz.mrz
    if name == "text":
        return m.text
    if name in ("personal_number", "optional_data"):
        return m.optional_data or None
    value = m.to_dict().get(name)
    return str(value) if value else None


def _mrz_candidate(mrz: MRZCandidate, name: str, page: int) -> Candidate | None:
    value = _mrz_value(mrz, name)
    if value is None:
        return None
    box = union([(min(p[0] for p in q), min(p[1] for p in q), max(p[0] for p in q), max(p[1] for p in q))
                 for q in mrz.quads])
    conf = mrz.confidence * (1.0 if mrz.mrz.valid else 0.5)
    return Candidate(value, conf, box, page, FieldSource.MRZ)


def _mrz_page(ev: Evidence) -> int:
    if ev.mrz is None:
        return 1
    for page in ev.pages:
        if any(ln in page.lines for ln in ev.mrz.lines[:1]):
            return page.page
    return ev.pages[0].page if ev.pages else 1


def _candidates(spec: FieldSpec, loc: Locator, contexts: Sequence[PageContext], ev: Evidence
                ) -> Iterator[Candidate]:
    if loc.label is not None:
        for ctx in contexts:
            yield from label_candidates(ctx, spec.name, loc.label)
    elif loc.zone is not None:
        for ctx in contexts:
            yield from zone_candidates(ctx, spec.name, loc.zone)
    elif loc.regex is not None:
        for ctx in contexts:
            yield from regex_candidates(ctx, loc.regex)
    elif loc.mrz is not None:
        if ev.mrz is not None:
            cand = _mrz_candidate(ev.mrz, loc.mrz, _mrz_page(ev))
            if cand is not None:
                yield cand
    elif loc.barcode is not None:
        found = ev.barcode()
        if found is not None:
            payload, fields, cand = found
            value = payload if loc.barcode == "raw" else fields.get(loc.barcode)
            if value:
                yield Candidate(value, cand.confidence, cand.box, cand.page, FieldSource.BARCODE)


def mrz_agrees(name: str, value: str, mrz: MRZCandidate) -> bool | None:
    """Whether a visual value agrees with the MRZ (``None`` when the MRZ has no such field).

    Names compare in ICAO transliteration, allowing the MRZ's truncation.
    """
    theirs = _mrz_value(mrz, name)
    if theirs is None or name not in MRZ_CANONICAL:
        return None
    if name in ("surname", "given_names"):
        mine = transliterate_icao(value).replace("<", " ")
        other = theirs.replace("<", " ").strip()
        return bool(other) and (mine == other or (len(other) >= 10 and mine.startswith(other))
                                or mine.replace(" ", "") == other.replace(" ", ""))
    if name == "document_number":
        return value.replace("<", "") == theirs.replace("<", "")
    return value == theirs


def spaced_like_mrz(value: str, mrz_name: str) -> str:
    """A printed name whose letters are the MRZ's but whose spaces OCR lost or added, split where the MRZ
    splits it (its ``<`` fillers are sure); ``value`` itself otherwise.

    >>> spaced_like_mrz("FIONADIANA", "FIONA<DIANA"), spaced_like_mrz("ANNA", "ANNA"), spaced_like_mrz("JÖRG", "JOERG")
    ('FIONA DIANA', 'ANNA', 'JÖRG')
    """
    from kyc_ocr.extract.reread import respaced

    mine = transliterate_icao(value).replace("<", " ")
    spaced = " ".join(mrz_name.replace("<", " ").split())
    if mine.replace(" ", "") != spaced.replace(" ", "") or mine.split() == spaced.split():
        return value
    letters = value.replace(" ", "")
    return respaced(letters, spaced) if len(letters) == len(spaced.replace(" ", "")) else value


def _confidence(cand: Candidate, validated: bool, agrees: bool | None) -> float:
    conf = cand.confidence if validated else cand.confidence * 0.95
    if cand.source is FieldSource.MRZ or agrees is None:
        return conf
    return 1 - (1 - conf) * 0.5 if agrees else conf * 0.6


def same_line(a: Field | Candidate, b: Field | Candidate, overlap: float = 0.5) -> bool:
    """Whether two values were read from one printed line: same page, boxes overlapping by more than
    ``overlap`` of the smaller one's area.

    >>> one = Candidate("21.08.2012", 0.9, (100, 400, 300, 430), 1)
    >>> same_line(one, Candidate("21.08,2012", 0.8, (98, 402, 305, 431), 1))
    True
    >>> same_line(one, Candidate("21.08.2022", 0.9, (100, 440, 300, 470), 1)), same_line(one, Candidate("x", 1, None, 1))
    (False, False)
    """
    if a.box is None or b.box is None or a.page != b.page:
        return False
    w = min(a.box[2], b.box[2]) - max(a.box[0], b.box[0])
    h = min(a.box[3], b.box[3]) - max(a.box[1], b.box[1])
    smaller = min((a.box[2] - a.box[0]) * (a.box[3] - a.box[1]), (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]))
    return w > 0 and h > 0 and w * h > overlap * max(smaller, 1e-6)


def extract_field(spec: FieldSpec, template: Template, contexts: Sequence[PageContext], ev: Evidence,
                  taken: Sequence[Field] = ()) -> Field | None:
    """The field's value from the first locator candidate its type accepts, or ``None`` when none does.

    A label or zone candidate read from the line an earlier field in ``taken`` was read from is passed over
    (two dates of a card are never one line: an ID card photo's layout fitted high put the expiry zone on the issue
    date's line).

    A printed candidate that a valid MRZ contradicts gives way to a later printed one the MRZ confirms (a
    passport photo's label locator took the nationality ``UTO`` under "Given names", its zone held ``BŁAŻEJ``);
    never to the MRZ's own value, so a printed zone that really differs still reaches ``mrz_matches_visual``.
    """
    contradicted: Field | None = None
    for loc in spec.locators:
        for cand in _candidates(spec, loc, contexts, ev):
            if loc.regex is None and cand.source is FieldSource.VISUAL and any(same_line(cand, f) for f in taken):
                log.debug("%s: %s candidate is another field's line", spec.name, loc.kind)
                continue
            try:
                value, validated = normalize_value(spec, cand.text, template.date_order, template.number_pattern)
            except InputError as err:
                repaired = _repaired_date(spec, template, cand, ev) if spec.type == "date" else None
                if repaired is not None:
                    return repaired
                log.debug("%s: %s candidate rejected: %s", spec.name, loc.kind, err)
                continue
            agrees = mrz_agrees(spec.name, value, ev.mrz) if ev.mrz is not None else None
            if agrees and ev.mrz is not None and spec.name in ("surname", "given_names"):
                value = spaced_like_mrz(value, _mrz_value(ev.mrz, spec.name) or "")
            if spec.verify_mrz and agrees is False:
                log.debug("%s: visual value disagrees with the MRZ; not kept for a generic layout", spec.name)
                continue
            found = Field(spec.name, value, cand.text, _confidence(cand, validated, agrees), cand.source,
                          cand.page, cand.box)
            if cand.source is FieldSource.MRZ and contradicted is not None:
                return contradicted
            if agrees is False and ev.mrz is not None and ev.mrz.mrz.valid:
                contradicted = contradicted or found
                continue
            return found
    return contradicted


REPAIRED_CONFIDENCE = 0.8  # a date repaired from its pixels keeps this share of its OCR confidence


def _repaired_date(spec: FieldSpec, template: Template, cand: Candidate, ev: Evidence) -> Field | None:
    """A date OCR read impossibly (``05.41.2033``) whose pixels clearly give one of the dates a single slip
    away (:func:`kyc_ocr.checks.dates.possible_readings`, chosen by
    :func:`kyc_ocr.extract.reread.cheapest_reading`); ``raw`` keeps what OCR read. ``None``: no repair."""
    from kyc_ocr.checks.dates import invalid_dates_in, possible_readings
    from kyc_ocr.extract.reread import cheapest_reading

    bad = invalid_dates_in(cand.text)
    image = next((im for im in ev.images if im.page == cand.page and im.text_layer is None), None)
    if not bad or image is None or ev.engine is None or cand.box is None or cand.source is not FieldSource.VISUAL:
        return None
    found = cheapest_reading(ev.engine, image.image, cand.box, cand.text, possible_readings(cand.text, bad[0]))
    if found is None:
        return None
    try:
        value, _ = normalize_value(spec, found[0], template.date_order, template.number_pattern)
    except InputError:
        return None
    log.debug("%s: an impossible date repaired from its pixels (%.1f nats)", spec.name, found[1])
    return Field(spec.name, value, cand.text, cand.confidence * REPAIRED_CONFIDENCE, cand.source, cand.page, cand.box)


def _cross_fill(fields: dict[str, Field], template: Template, ev: Evidence) -> None:
    if ev.mrz is None:
        return
    page = _mrz_page(ev)
    always = {"mrz": "text", "surname_mrz": "surname", "given_names_mrz": "given_names"}
    wanted = [(name, src, "mrz" if name == "mrz" else "name") for name, src in always.items()]
    wanted += [(name, name, _MRZ_TYPES[name]) for name in MRZ_CANONICAL if name not in fields]
    for name, src, kind in wanted:
        if name in fields and name not in always:
            continue
        if name in always and name in fields and fields[name].source is FieldSource.MRZ:
            continue
        cand = _mrz_candidate(ev.mrz, src, page)
        if cand is None:
            continue
        date_kind = {"date_of_birth": "birth", "date_of_expiry": "expiry"}.get(name)
        spec = FieldSpec.model_validate({"name": name, "type": kind, "locators": [{"mrz": src}], "date_kind": date_kind})
        try:
            value, _ = normalize_value(spec, cand.text, "YMD")
        except InputError:
            continue
        fields[name] = Field(name, value, cand.text, cand.confidence, FieldSource.MRZ, cand.page, cand.box)


def _title(template: Template, pages: Sequence[Page]) -> tuple[str, float]:
    """The printed line that names the document (a keyword line), if any."""
    for group in template.match.keywords[:1]:
        for page in pages:
            for line in page.lines:
                folded = fold(line.text)
                if any(match_label(k, folded, 85.0) for k in group):
                    return line.text, line.confidence
    return "", 0.0


def _layout(page: Page, template: Template) -> Layout | None:
    """Where the template's zones are on ``page``: read zone by zone, measured from anchors, or assumed."""
    if page.engine.endswith(ZONES_SUFFIX):
        return Layout()
    found = layout_offset(page, template.match.anchor_zones)
    if found is None and template.match.anchor_zones:
        boxes = [a.box for a in template.match.anchor_zones]
        boxes += [loc.zone.box for spec in template.fields for loc in spec.locators if loc.zone is not None]
        found = assumed_layout(page, template.match.aspect_ratio, union(boxes))
        if found is not None:
            found = registered_layout(page, [loc.zone.box for spec in template.fields for loc in spec.locators
                                             if loc.zone is not None])
    return found


def _date_fields(template: Template) -> set[str]:
    return {spec.name for spec in template.fields if spec.type == "date"}


def extract_document(template: Template, match: TemplateMatch, ev: Evidence) -> dict[str, Field]:
    """Every field ``template`` finds in ``ev``, plus ``document_type`` and the MRZ cross-fill."""
    labels: dict[str, list[str]] = {}
    for spec in template.fields:
        for loc in spec.locators:
            if loc.label is not None:
                labels.setdefault(spec.name, []).extend(loc.label.labels)
    titles = template.match.keywords[0] if template.match.keywords else ()
    contexts = [PageContext.build(page, labels, offset=_layout(page, template), titles=titles) for page in ev.pages]
    fields: dict[str, Field] = {}
    dates = _date_fields(template)  # two dates are never read from one line
    for spec in template.fields:
        taken = [f for f in fields.values() if f.source is FieldSource.VISUAL and f.name in dates]
        found = extract_field(spec, template, contexts, ev, taken if spec.type == "date" else ())
        if found is not None:
            fields[spec.name] = found
        elif spec.required:
            log.info("required field %s not found (template %s)", spec.name, template.id)
    _cross_fill(fields, template, ev)
    raw, conf = _title(template, ev.pages)
    page = ev.pages[0].page if ev.pages else 1
    fields["document_type"] = Field("document_type", match.document_type, raw, match.score * (conf or 1.0),
                                    FieldSource.VISUAL, page, None)
    return fields


ZONE_READ_MIN_CONFIDENCE = 0.6  # a missed line read from its zone is kept only when read this surely


def read_missing_zones(template: Template, match: TemplateMatch, fields: dict[str, Field], ev: Evidence,
                       engine: Any) -> dict[str, Field]:
    """Fields the full-page read missed, recognised straight from their zones (no detection).

    On a blurred photo the detector can miss a whole value line (a surname, a date) that the
    recogniser reads once it is cut out: the zone (moved by the page's layout, measured or
    assumed) is split into text bands like the speed path does (:func:`kyc_ocr.extract.fast.read_zones`)
    and read with ``engine.recognize``. Only single-page documents with a layout and no text layer.
    """
    if len(ev.pages) != 1 or len(ev.images) != 1 or not hasattr(engine, "recognize"):
        return {}
    page, image = ev.pages[0], ev.images[0]
    if image.text_layer is not None or page.engine.endswith(ZONES_SUFFIX):
        return {}
    missing = [s for s in template.fields if s.name not in fields and any(loc.zone for loc in s.locators)]
    layout = _layout(page, template) if missing else None
    if layout is None:
        return {}
    moved = [s.model_copy(update={"locators": [loc.model_copy(update={"zone": layout.apply(loc.zone)})
                                               for loc in s.locators if loc.zone is not None]}) for s in missing]
    sub = template.model_copy(update={"fields": moved})
    sparse = read_zones(image, engine, sub, f"{page.engine}{ZONES_SUFFIX}")
    found = extract_document(sub, match, Evidence([sparse], ev.images, None, ev.engine))
    scale = 1.0 if layout.confirmed else 0.85  # where the zones are was assumed, not measured
    dates = _date_fields(template)
    taken = [f for f in fields.values() if f.source is FieldSource.VISUAL and f.name in dates]
    out = {}
    for spec in moved:
        f = found.get(spec.name)
        if f is not None and spec.type == "date" and any(same_line(f, g) for g in taken):
            log.debug("%s: its zone read another date's line", spec.name)
        elif f is not None and f.confidence >= ZONE_READ_MIN_CONFIDENCE:  # a guess from a blurred band is no value
            out[spec.name] = Field(f.name, f.value, f.raw, f.confidence * scale, f.source, page.page, f.box)
            log.debug("%s: read from its zone after the full-page read missed it", spec.name)
    return out
