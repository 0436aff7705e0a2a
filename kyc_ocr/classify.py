"""Which template a document is: scored evidence, never a forced guess.

Each specific template scores 0..1 from five parts, weighted and renormalised
over the parts it defines: keywords found (fuzzy, see
:mod:`kyc_ocr.extract.labels`; 0.3), required anchors found (0.4), the MRZ
format (0.2), the page's aspect ratio (0.1) and, when the page's MRZ has the
template's format, whether the MRZ's issuing state is the template's country
and the layout is confirmed (an anchor found, every keyword group found — the document's
title and country print — or every line inside the template's zones) (0.3: a card back
whose small labels are unreadable, or a permit photo whose only legible lines are its
title, its values and its MRZ, is still recognised). An ``exclude`` keyword found
costs 0.25; an MRZ of another format than the template's costs 0.3. A template with at least
:data:`TITLELESS_ANCHORS` anchor groups of which 80% are found is not judged on its keywords when none
is found (a photo whose title was cropped off or is unreadable: the labels themselves are the evidence).

The decision (:func:`match`):

* the best specific template at or above :data:`THRESHOLD`, ahead of the
  second by more than :data:`MARGIN`, wins;
* none there and the caller can look for an AAMVA barcode: when one is found, the
  templates that read one score again with it as evidence (weight 0.4);
* two specific templates within :data:`MARGIN` of each other at or above the
  threshold: ``template_id="ambiguous"`` (document_type shared by both, else
  ``unknown``) — extraction then uses the generic templates;
* otherwise ``generic-mrz`` when an MRZ is on the pages, ``generic-id`` when
  enough common identity labels are, and ``template_id="unknown"``
  (document_type ``unknown``, no fields) when neither is.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kyc_ocr.domain import Page, TemplateMatch
from kyc_ocr.extract.labels import fold, match_label
from kyc_ocr.extract.mrz_locate import MRZCandidate, find_mrz
from kyc_ocr.templates.schema import Template

log = logging.getLogger(__name__)

THRESHOLD = 0.6
MARGIN = 0.05
GENERIC_ID_MIN = 3  # anchor groups of generic-id that must be found
TITLELESS_ANCHORS = 4  # a template with this many anchor groups, 80% of them found, needs no title keyword
AMBIGUOUS, UNKNOWN = "ambiguous", "unknown"
_WEIGHTS = {"keywords": 0.3, "anchors": 0.4, "mrz": 0.2, "aspect": 0.1, "issuer": 0.3, "barcode": 0.4}


@dataclass(frozen=True)
class Score:
    """One template's score and the evidence behind it."""

    template: Template
    score: float
    parts: dict[str, float]
    notes: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.notes)


def _found(groups: Sequence[Sequence[str]], folded: Sequence[str], min_score: float = 85.0) -> list[str]:
    """The first variant of each group found on any line."""
    out = []
    for group in groups:
        for variant in group:
            if any(match_label(variant, line, min_score) for line in folded):
                out.append(variant)
                break
    return out


def page_mrz(pages: Sequence[Page]) -> MRZCandidate | None:
    """The best MRZ over all pages (highest parse score)."""
    best: MRZCandidate | None = None
    for page in pages:
        cand = find_mrz(page.lines)
        if cand is not None and (best is None or cand.mrz.score > best.mrz.score):
            best = cand
    return best


def _aspect(pages: Sequence[Page]) -> float:
    page = pages[0]
    return page.width / max(1, page.height)


def _all_in_zones(template: Template, pages: Sequence[Page], margin: float = 0.0) -> bool:
    """Whether every line of the first page lies where the template prints something (its zones, as drawn).

    Evidence that a page whose small labels are unreadable is this layout: nothing is printed elsewhere.
    """
    boxes = [a.box for a in template.match.anchor_zones]
    boxes += [loc.zone.box for f in template.fields for loc in f.locators if loc.zone is not None]
    page = pages[0]
    if not boxes or not page.lines:
        return False
    for line in page.lines:
        x0, y0, x1, y1 = line.bbox
        cx, cy = (x0 + x1) / 2 / max(page.width, 1), (y0 + y1) / 2 / max(page.height, 1)
        if not any(b[0] - margin <= cx <= b[2] + margin and b[1] - margin <= cy <= b[3] + margin for b in boxes):
            return False
    return True


def score_template(template: Template, pages: Sequence[Page], mrz: MRZCandidate | None,
                   folded: Sequence[str] | None = None, barcode: bool = False) -> Score:
    """Score one template against the pages (``folded``: the pages' lines, folded, when already computed).

    ``barcode``: an AAMVA barcode was decoded on the pages, which a template reading
    its fields from one counts as evidence (0.4).
    """
    folded = folded if folded is not None else [fold(ln.text) for p in pages for ln in p.lines]
    spec = template.match
    parts: dict[str, float] = {}
    notes: list[str] = []
    penalty = 0.0
    if spec.keywords:
        kw = _found(spec.keywords, folded)
        parts["keywords"] = len(kw) / len(spec.keywords)
        notes.append(f"keywords {len(kw)}/{len(spec.keywords)}")
    if spec.anchors:
        an = _found(spec.anchors, folded)
        parts["anchors"] = len(an) / len(spec.anchors)
        notes.append(f"anchors {len(an)}/{len(spec.anchors)}")
    found_fmt = mrz.mrz.format if mrz is not None else None
    if spec.mrz == "none":
        parts["mrz"] = 1.0 if found_fmt is None else 0.0
    elif spec.mrz == "any" or spec.mrz == found_fmt:
        parts["mrz"] = 1.0 if found_fmt else 0.2
    else:
        parts["mrz"] = 0.2 if found_fmt is None else 0.0
        penalty += 0.3 if found_fmt else 0.0
    notes.append(f"MRZ {found_fmt or 'none'} (template: {spec.mrz})")
    if mrz is not None and template.country and spec.mrz == found_fmt:
        same = mrz.mrz.issuing_country.replace("<", "") == template.country.replace("<", "")
        placed = parts.get("anchors", 0.0) > 0 or parts.get("keywords") == 1.0 or _all_in_zones(template, pages)
        parts["issuer"] = 1.0 if same and placed else 0.0
        notes.append(f"MRZ issuer {'differs' if not same else 'matches' if placed else 'matches, layout does not'}")
    if spec.aspect_ratio:
        ratio = _aspect(pages)
        low, high = spec.aspect_ratio
        parts["aspect"] = 1.0 if low <= ratio <= high else max(0.0, 1 - 4 * min(abs(ratio - low), abs(ratio - high)))
        notes.append(f"aspect {ratio:.2f}")
    if barcode and template.uses_barcode:
        parts["barcode"] = 1.0
        notes.append("AAMVA barcode decoded")
    if parts.get("keywords") == 0.0 and len(spec.anchors) >= TITLELESS_ANCHORS and parts.get("anchors", 0.0) >= 0.8:
        del parts["keywords"]  # the title cropped off or unreadable: the layout's own labels speak for it
        notes.append("title unread, judged on its labels")
    excluded = _found([[w] for w in spec.exclude], folded)
    if excluded:
        penalty += 0.25 * len(excluded)
        notes.append(f"excluded words: {len(excluded)}")
    weight = sum(_WEIGHTS[k] for k in parts)
    score = sum(_WEIGHTS[k] * v for k, v in parts.items()) / weight - penalty
    return Score(template, round(max(0.0, min(1.0, score)), 6), parts, tuple(notes))  # no float dust at the threshold


def _generic_mrz(template: Template, mrz: MRZCandidate) -> Score:
    checks = mrz.mrz.checks
    passed = sum(checks.values())
    note = f"only an MRZ is recognisable: {mrz.mrz.format}, {passed}/{len(checks)} check digits"
    return Score(template, 0.4 + 0.2 * passed / max(1, len(checks)), {"mrz": 1.0}, (note,))


def _match(score: Score, kind: str | None = None, template_id: str | None = None, reason: str | None = None
           ) -> TemplateMatch:
    t = score.template
    return TemplateMatch(template_id or t.id, t.version if template_id is None else "",
                         kind or t.document_type, score.score, reason or score.reason, t.country, t.side)


def score_all(pages: Sequence[Page], templates: Iterable[Template], mrz: MRZCandidate | None = None
              ) -> list[Score]:
    """Scores of every specific (non-generic) template, best first (``mrz`` found on the pages when not given)."""
    mrz = mrz if mrz is not None else page_mrz(pages)
    folded = [fold(ln.text) for p in pages for ln in p.lines]
    scores = [score_template(t, pages, mrz, folded) for t in templates if not t.generic]
    return sorted(scores, key=lambda s: -s.score)


def _with_barcode(ranked: list[Score], pages: Sequence[Page], mrz: MRZCandidate | None,
                  barcode: Callable[[], object]) -> list[Score]:
    """``ranked`` with the templates that read a barcode scored again when ``barcode()`` finds one on the pages."""
    readers = [s.template for s in ranked if s.template.uses_barcode]
    if not readers or barcode() is None:
        return ranked
    again = {t.id: score_template(t, pages, mrz, barcode=True) for t in readers}
    return sorted((again.get(s.template.id, s) for s in ranked), key=lambda s: -s.score)


def match(pages: Sequence[Page], templates: Iterable[Template], mrz: MRZCandidate | None = None,
          barcode: Callable[[], object] | None = None) -> TemplateMatch:
    """The template of the document whose OCR'd pages are ``pages`` (see the module docstring).

    ``barcode``, when given, is asked (only when no template is recognised from the text)
    for the AAMVA barcode on the pages, ``None`` when there is none: a licence back whose
    printed lines a blurred photo lost is still recognised by its barcode.
    """
    templates = list(templates)
    if not pages:
        return TemplateMatch(UNKNOWN, "", UNKNOWN, 0.0, "no pages")
    mrz = mrz if mrz is not None else page_mrz(pages)
    ranked = score_all(pages, templates, mrz)
    if barcode is not None and (not ranked or ranked[0].score < THRESHOLD):
        ranked = _with_barcode(ranked, pages, mrz, barcode)
    if ranked and ranked[0].score >= THRESHOLD:
        best = ranked[0]
        close = [s for s in ranked[1:] if s.score >= THRESHOLD and best.score - s.score <= MARGIN]
        if not close:
            log.debug("matched %s (%.2f)", best.template.id, best.score)
            return _match(best)
        kinds = {best.template.document_type, *(s.template.document_type for s in close)}
        why = " vs ".join(f"{s.template.id} {s.score:.2f}" for s in [best, *close])
        return _match(best, kinds.pop() if len(kinds) == 1 else UNKNOWN, AMBIGUOUS, f"ambiguous: {why}")
    generic = {t.id: t for t in templates if t.generic}
    best_note = f"; best specific {ranked[0].template.id} {ranked[0].score:.2f}" if ranked else ""
    if mrz is not None and "generic-mrz" in generic:
        score = _generic_mrz(generic["generic-mrz"], mrz)
        return _match(score, mrz.mrz.kind, reason=score.reason + best_note)
    if "generic-id" in generic:
        score = score_template(generic["generic-id"], pages, mrz)
        found = round(score.parts.get("anchors", 0.0) * len(generic["generic-id"].match.anchors))
        if found >= GENERIC_ID_MIN:
            return _match(Score(score.template, 0.3 + 0.3 * score.parts["anchors"], score.parts, score.notes),
                          reason=f"common identity labels only: {score.reason}{best_note}")
    return TemplateMatch(UNKNOWN, "", UNKNOWN, ranked[0].score if ranked else 0.0,
                         f"no template recognised{best_note}")
