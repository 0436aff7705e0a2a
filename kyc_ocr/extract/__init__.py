"""Field extraction: decode, prepare, OCR, classify, locate fields — one :class:`ExtractedDocument` per file.

>>> from kyc_ocr.extract import extract                          # doctest: +SKIP
>>> doc = extract(["passport.jpg"])[0]                          # doctest: +SKIP
>>> doc.template.template_id, doc.value("date_of_birth")        # doctest: +SKIP
('uto-passport-td3', '1974-08-12')

``template`` forces a template id (a :class:`~kyc_ocr.errors.ConfigError`
lists the choices when it is unknown); otherwise :func:`kyc_ocr.classify.match`
decides, and an ``unknown`` document comes back with no fields. ``fast``
turns on the template-guided speed path (:mod:`kyc_ocr.extract.fast`): a page
whose layout is confirmed by its anchor zones is read zone by zone with
``Engine.recognize`` instead of full-page OCR, falling back to full OCR when
the anchors or a required field fail.

The ``checks`` of each returned document are empty: in-document checks (MRZ
against visual zone, expiry...) are run by :mod:`kyc_ocr.checks` in ``verify``.
Sub-modules: locators, labels, values, document (field assembly), fast (speed
path), mrz*, barcode, normalize.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from kyc_ocr.config import Settings
from kyc_ocr.domain import (
    ExtractedDocument,
    Field,
    Page,
    PageImage,
    Quad,
    TemplateMatch,
    TextLine,
    bbox_of,
    quad_from_box,
)
from kyc_ocr.errors import InputError, KycError
from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX
from kyc_ocr.timing import stage

log = logging.getLogger(__name__)

Source = str | Path | bytes
TURNED_SHARE = 0.3  # a page with this share of its lines read turned 180 degrees is also read upside down
REVERSED_FILLER = ">>>>>"  # MRZ fillers ``<<<<<`` read upside down
LOW_READING = 0.85  # mean line confidence below which a page is also read upside down (kept if it reads better)

__all__ = ["extract", "extract_pages", "prepare_options"]


def _load(source: Source, settings: Settings) -> list[PageImage]:
    """Decoded pages of one source (:func:`kyc_ocr.io.load`; a PDF gives one page per PDF page)."""
    from kyc_ocr.io import load

    return list(load([source], settings))


def prepare_options(engine: Any) -> Any:
    """:class:`kyc_ocr.preprocess.Options` for ``engine``.

    An engine with a 0/180 text-line classifier (a public ``upside_down(crops) -> list[bool]``,
    as :class:`~kyc_ocr.ocr.onnx.OnnxEngine` has) judges upside-down pages; otherwise
    preprocessing falls back to its typographic heuristic.
    """
    from kyc_ocr.preprocess import Options, scorer_from_line_classifier

    classify = getattr(engine, "upside_down", None)
    if not callable(classify):
        return Options()
    return Options(orientation_scorer=scorer_from_line_classifier(classify))


def _prepare(pages: list[PageImage], options: Any = None) -> list[PageImage]:
    """:func:`kyc_ocr.preprocess.prepare`: crop, orientation, deskew, photometric clean-up.

    ``options`` from :func:`prepare_options` (default ones, without a line classifier, when ``None``).
    """
    from kyc_ocr.preprocess import prepare

    return list(prepare(pages, options=options))


def _quad_to_original(quad: Quad, image: PageImage) -> Quad:
    """Map four corners from prepared-page pixels to the decoded page (through the page's homography)."""
    if np.allclose(image.transform, np.eye(3)):
        return quad
    pts = cv2.perspectiveTransform(np.asarray([quad], dtype=np.float64), np.asarray(image.transform, np.float64))[0]
    tl, tr, br, bl = ((float(x), float(y)) for x, y in pts)
    return (tl, tr, br, bl)


def _to_original(box: Any, image: PageImage) -> tuple[Any, Quad | None]:
    """Map a box from prepared-page pixels to the decoded page: its bounding box there, and its four
    corners (top-left first, clockwise)."""
    if box is None:
        return None, None
    quad = _quad_to_original(quad_from_box(box), image)
    return bbox_of(quad), quad


def _boxes_to_original(fields: dict[str, Field], prepared: Sequence[PageImage]) -> dict[str, Field]:
    by_page = {p.page: p for p in prepared}
    out = {}
    for name, f in fields.items():
        image = by_page.get(f.page)
        if image is None:
            out[name] = f
            continue
        box, quad = _to_original(f.box, image)
        out[name] = Field(f.name, f.value, f.raw, f.confidence, f.source, f.page, box, quad)
    return out


def extract_pages(decoded: Sequence[PageImage], prepared: Sequence[PageImage], engine: Any, templates: Any,
                  template: Any = None, *, fast: bool = False) -> ExtractedDocument:
    """Extract one document from its decoded and prepared pages with ``engine``.

    ``templates`` is a :class:`~kyc_ocr.templates.TemplateSet`; ``template`` a
    :class:`~kyc_ocr.templates.Template` to force, or ``None`` to classify.
    """
    from kyc_ocr.classify import AMBIGUOUS, match, page_mrz, score_template
    from kyc_ocr.extract.document import Evidence, extract_document, read_missing_zones

    if not decoded or not prepared:
        raise InputError("no pages to extract from")
    first = decoded[0]
    if fast:
        with stage("extraction"):
            done = _fast(prepared, engine, templates, template)
        if done is not None:
            return _document(first, done[0], done[1], done[2], prepared)
    pages: list[Page] = list(engine.read(prepared))  # the engine times detection and recognition
    if template is None and _maybe_on_its_side(pages, templates):
        pages, prepared = _best_quarter(pages, prepared, decoded, engine)
    if template is None and (_reads_badly(pages) or _turned_share(pages) >= TURNED_SHARE or _mrz_upside_down(pages)):
        turned = [_turned(p, 2) for p in prepared]
        again = list(engine.read(turned))
        better = _unrecognised(pages, templates) or _reading(again) > 1.2 * _reading(pages)
        upright = _turned_share(again) < _turned_share(pages) / 3 and _reading(again) >= 0.9 * _reading(pages)
        if not _unrecognised(again, templates) and (better or upright):
            log.debug("document read better after a half turn: preprocessing had it upside down")
            pages, prepared = again, turned
    with stage("extraction"):
        mrz = page_mrz(pages)
        evidence = Evidence(pages, prepared, mrz, engine)
        if template is not None:
            score = score_template(template, pages, mrz)
            tm = TemplateMatch(template.id, template.version, template.document_type, score.score,
                               f"forced by the caller; {score.reason}", template.country, template.side)
            chosen = template
        else:
            tm = match(pages, templates, mrz, barcode=evidence.barcode)
            chosen = _template_for(tm, templates, mrz is not None)
    with stage("extraction"):
        if chosen is None:
            fields: dict[str, Field] = {}
        else:
            fields = extract_document(chosen, tm, evidence)
            fields.update(read_missing_zones(chosen, tm, fields, evidence, engine))
            if tm.template_id == AMBIGUOUS:
                fields["document_type"] = Field("document_type", tm.document_type, "", tm.score)
    return _document(first, tm, fields, pages, prepared)


def _reads_badly(pages: Sequence[Page]) -> bool:
    """OCR that mostly reads with low confidence, on a page without a text layer or an MRZ: maybe upside down.

    Orientation is judged before OCR (:func:`kyc_ocr.preprocess.orient`) and is sometimes wrong on
    a blurred photo; text read upside down comes out as low-confidence garbage (the recogniser's own
    line classifier may still turn its biggest lines, so the document can even be recognised).
    """
    from kyc_ocr.classify import page_mrz

    lines = [ln for p in pages for ln in p.lines]
    if any(p.engine.endswith(TEXT_LAYER_SUFFIX) for p in pages) or page_mrz(pages) is not None:
        return False
    return bool(lines) and sum(ln.confidence for ln in lines) / len(lines) < LOW_READING


def _mrz_upside_down(pages: Sequence[Page]) -> bool:
    """A line holding a run of MRZ fillers turned over (``>>>>>``): an MRZ line read upside down, so the
    page may be upside down even though its other MRZ line, turned by the line classifier, reads well
    (a passport photo whose MRZ's first line paired with a label line above it: a false MRZ).

    >>> from kyc_ocr.domain import TextLine, quad_from_box
    >>> line = TextLine("27>2>>>>>>>>>>>>>>0212112081220", 0.68, quad_from_box((0, 0, 900, 30)))
    >>> _mrz_upside_down([Page("p.png", 1, 1000, 800, (line,))])
    True
    """
    return any(REVERSED_FILLER in ln.text for p in pages for ln in p.lines)


def _turned_share(pages: Sequence[Page], min_lines: int = 5) -> float:
    """The share of lines read from their crops turned 180 degrees (the engine's line classifier; 0 with
    fewer than ``min_lines`` lines). A large share: the page is upside down even if every line reads well,
    and its lines lie in reverse order (labels under their values).

    >>> from kyc_ocr.domain import TextLine, quad_from_box
    >>> rows = tuple(TextLine("TEXT", 0.95, quad_from_box((0, 20 * i, 90, 20 * i + 15))) for i in range(6))
    >>> _turned_share([Page("p.png", 1, 100, 200, rows, turned_lines=3)]), _turned_share([Page("p.png", 1, 100, 200, rows)])
    (0.5, 0.0)
    """
    lines = sum(len(p.lines) for p in pages)
    return sum(p.turned_lines for p in pages) / lines if lines >= min_lines else 0.0


def _reading(pages: Sequence[Page]) -> float:
    """Characters read, weighted by confidence."""
    return sum(ln.confidence * len(ln.text) for p in pages for ln in p.lines)


def _unrecognised(pages: Sequence[Page], templates: Any) -> bool:
    """No specific template recognised on the pages."""
    from kyc_ocr.classify import THRESHOLD, score_all

    ranked = score_all(pages, templates)
    return not ranked or ranked[0].score < THRESHOLD


def _turned(page: PageImage, quarters: int) -> PageImage:
    """``page`` turned by ``quarters`` x 90 degrees clockwise, its transform (prepared -> decoded pixels) updated."""
    from kyc_ocr.preprocess.geometry import quarter_turn, rotation

    if page.text_layer is not None:
        return page
    h_step, _ = rotation(90 * quarters, page.width, page.height)
    transform = np.asarray(page.transform, dtype=np.float64) @ h_step
    image = quarter_turn(page.image, quarters)
    return replace(page, image=image, transform=transform / transform[2, 2],
                   orig_size=page.orig_size or (page.width, page.height))


def _quarter_turned(pages: Sequence[Page], min_lines: int = 5) -> bool:
    """Most detected lines are taller than wide: preprocessing left the page on its side.

    Text on its side is mostly not even detected (a form photo left on its side gave one line), so
    ``extract_pages`` asks for fewer lines when nothing was recognised on the page.

    >>> from kyc_ocr.domain import TextLine, quad_from_box
    >>> tall = [TextLine("31/05/2026", 1.0, quad_from_box((10 * i, 0, 10 * i + 8, 90))) for i in range(6)]
    >>> _quarter_turned([Page("s.png", 1, 200, 100, tuple(tall))]), _quarter_turned([Page("s.png", 1, 200, 100, ())])
    (True, False)
    >>> _quarter_turned([Page("s.png", 1, 200, 100, tuple(tall[:1]))], min_lines=1)
    True
    """
    lines = [ln for p in pages for ln in p.lines if len(ln.text) >= 3]
    tall = [ln for ln in lines if (ln.bbox[3] - ln.bbox[1]) > 1.5 * (ln.bbox[2] - ln.bbox[0])]
    return len(lines) >= min_lines and len(tall) > len(lines) / 2


def _maybe_on_its_side(pages: Sequence[Page], templates: Any) -> bool:
    """Whether the page may lie on its side: most lines run up and down (:func:`_quarter_turned`), or,
    when nothing was recognised on it, any of its few lines does, or not one line was detected at all
    (a motion-blurred form photo on its side gave none)."""
    if _quarter_turned(pages):
        return True
    if not _unrecognised(pages, templates) or any(p.engine.endswith(TEXT_LAYER_SUFFIX) for p in pages):
        return False
    return _quarter_turned(pages, min_lines=1) or not any(p.lines for p in pages)


def _best_quarter(pages: list[Page], prepared: Sequence[PageImage], decoded: Sequence[PageImage], engine: Any
                  ) -> tuple[list[Page], list[PageImage]]:
    """The page as preprocessing left it or flattened afresh and turned 0, 1 or 3 quarters, whichever reads
    with most confidence without lying on its side.

    The fresh copies are cropped and cleaned up but neither turned nor deskewed by preprocessing: when its
    quarter turn was wrong (text lines judged from the blobs of a motion-blurred photo), the small skew it then
    measured on the turned page is wrong too.
    """
    from kyc_ocr.preprocess import prepare

    def score(read: Sequence[Page]) -> float:
        lines = [ln for p in read for ln in p.lines]
        return sum(ln.confidence * len(ln.text) for ln in lines) if not _quarter_turned(read) else -1.0

    options = replace(prepare_options(engine), orientation=False, deskew=False)
    flat = prepare(decoded, options=options)
    best = (score(pages), pages, list(prepared))
    for quarters in (0, 1, 3):
        turned = [_turned(p, quarters) for p in flat]
        try:
            read = list(engine.read(turned))
        except KycError as err:  # e.g. a replay engine holds recordings of the page as it was
            log.debug("page not read turned a quarter: %s", err)
            continue
        if score(read) > best[0]:
            best = (score(read), read, turned)
    if best[1] is not pages:
        log.debug("page read on its side: turned a quarter before extraction")
    return best[1], best[2]


def _fast(prepared: Sequence[PageImage], engine: Any, templates: Any, template: Any
          ) -> tuple[TemplateMatch, dict[str, Field], list[Page]] | None:
    """The speed path (:mod:`kyc_ocr.extract.fast`); ``None`` when full-page OCR is needed."""
    from kyc_ocr.classify import page_mrz, score_template
    from kyc_ocr.extract.document import Evidence, extract_document
    from kyc_ocr.extract.fast import try_fast

    found = try_fast(prepared, engine, templates, template)
    if found is None:
        return None
    chosen, pages = found
    mrz = page_mrz(pages)
    score = score_template(chosen, pages, mrz)
    tm = TemplateMatch(chosen.id, chosen.version, chosen.document_type, max(score.score, 0.9 if template is None
                       else score.score), f"anchor zones aligned (speed path); {score.reason}", chosen.country,
                       chosen.side)
    fields = extract_document(chosen, tm, Evidence(pages, prepared, mrz, engine))
    missing = [f.name for f in chosen.fields if f.required and f.name not in fields]
    if missing:
        log.debug("speed path: required fields missing (%s); full-page OCR", ", ".join(missing))
        return None
    return tm, fields, pages


def _template_for(tm: TemplateMatch, templates: Any, has_mrz: bool) -> Any:
    """The template whose fields are extracted for a match (generic ones for an ambiguous document)."""
    from kyc_ocr.classify import AMBIGUOUS, UNKNOWN

    if tm.template_id == UNKNOWN:
        return None
    if tm.template_id == AMBIGUOUS:
        generic = "generic-mrz" if has_mrz else "generic-id"
        return templates.get(generic) if generic in templates else None
    return templates.get(tm.template_id)


def _document(first: PageImage, tm: TemplateMatch, fields: dict[str, Field], pages: Sequence[Page],
              prepared: Sequence[PageImage]) -> ExtractedDocument:
    return ExtractedDocument(
        source=first.source, sha256=first.sha256, media_type=first.media_type,
        document_type=tm.document_type, template=tm, fields=_boxes_to_original(fields, prepared),
        pages=tuple(_lines_to_original(pages, prepared)),
    )


def _lines_to_original(pages: Sequence[Page], prepared: Sequence[PageImage]) -> list[Page]:
    """The pages' lines in the file's pixels, like the fields' boxes (the engine read prepared pages)."""
    by_page = {p.page: p for p in prepared}
    out = []
    for page in pages:
        image = by_page.get(page.page)
        if image is None or np.allclose(image.transform, np.eye(3)):
            out.append(page)
            continue
        lines = [TextLine(ln.text, ln.confidence, _quad_to_original(ln.quad, image)) for ln in page.lines]
        width, height = image.orig_size or (page.width, page.height)
        out.append(replace(page, lines=tuple(lines), width=width, height=height))
    return out


def extract(files: Source | Sequence[Source], *, template: str | None = None, settings: Settings | None = None,
            engine: Any = None, fast: bool = False) -> list[ExtractedDocument]:
    """Extract every file (image or PDF; a PDF's pages form one document).

    ``engine`` is an engine object or a registered name (default: ``settings.engine``); ``fast``
    (or ``settings.extract_fast``, ``KYC_OCR_EXTRACT_FAST=1``) turns on the speed path.
    """
    from kyc_ocr.ocr import registry
    from kyc_ocr.templates import load_templates

    settings = settings or Settings()
    templates = load_templates(settings.templates_dirs)
    forced = templates.get(template) if template else None
    if engine is None:
        engine = registry.from_settings(settings)
    elif isinstance(engine, str):
        engine = registry.from_settings(settings.model_copy(update={"engine": engine}))
    sources = [files] if isinstance(files, str | Path | bytes) else list(files)
    if not sources:
        raise InputError("no files to extract")
    options = prepare_options(engine)
    out = []
    for source in sources:
        with stage("decode"):
            decoded = _load(source, settings)
        with stage("preprocess"):
            prepared = _prepare(decoded, options)
        doc = extract_pages(decoded, prepared, engine, templates, forced, fast=fast or settings.extract_fast)
        log.info("%s: template %s (%.2f), %d fields", Path(doc.source).name if doc.source else "document",
                 doc.template.template_id if doc.template else "-", doc.template.score if doc.template else 0,
                 len(doc.fields))
        out.append(doc)
    return out
