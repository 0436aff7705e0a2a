"""Render a :class:`~kyc_ocr.synth.spec.DocSpec` to a page image with ground truth (before augmentation)."""

from __future__ import annotations

import random

import numpy as np

from kyc_ocr.errors import InputError
from kyc_ocr.synth import cards, license, paper
from kyc_ocr.synth.canvas import RenderedDoc
from kyc_ocr.synth.layout import Layout, render
from kyc_ocr.synth.spec import DocSpec

LAYOUTS: dict[str, Layout] = {**cards.LAYOUTS, **license.LAYOUTS, **paper.LAYOUTS}
#: every template id the generator can draw
TEMPLATE_IDS = tuple(sorted(LAYOUTS))


def render_document(spec: DocSpec) -> RenderedDoc:
    """Draw one document side; the same spec (seed included) always gives the same pixels."""
    layout = LAYOUTS.get(spec.template_id)
    if layout is None:
        raise InputError(f"unknown synthetic template {spec.template_id!r}; known: {', '.join(TEMPLATE_IDS)}")
    rng = random.Random(spec.seed)
    np_rng = np.random.default_rng(spec.seed)
    if spec.template_id in cards.LAYOUTS:
        return render(layout, cards.card_values(spec), rng, np_rng)
    if spec.template_id in license.LAYOUTS:
        return render(layout, license.license_values(spec), rng, np_rng)
    lang = spec.extras.get("language", "en")
    hook = {"utility-bill": paper.bill_table, "bank-statement": paper.statement_table}.get(spec.template_id)
    return render(layout, paper.paper_values(spec), rng, np_rng, languages=(lang,),
                  after=hook(spec) if hook else None)
