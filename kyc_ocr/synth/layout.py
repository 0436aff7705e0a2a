"""Layouts as data, and the one renderer that draws any of them.

A :class:`Layout` is a page size, a background and a tuple of elements
(labelled value slots, static text, portrait, signature, MRZ, barcode,
colour bands). The renderer draws them with per-document variation — font
family, label language variant, a global offset and a small per-element
jitter — and records ground truth through :class:`~kyc_ocr.synth.canvas.Canvas`.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pdf417gen  # type: ignore[import-untyped]

from kyc_ocr.synth import background as art
from kyc_ocr.synth.canvas import Canvas, RenderedDoc, box_quad
from kyc_ocr.synth.fonts import MRZ_FAMILY, SANS, SERIF, get_font

Color = tuple[int, int, int]
Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Value:
    """A field's printed line(s) and its canonical value (ISO dates, alpha-3 codes...)."""

    printed: tuple[str, ...]
    canonical: str

    @classmethod
    def of(cls, printed: str | tuple[str, ...], canonical: str | None = None) -> Value:
        lines = (printed,) if isinstance(printed, str) else tuple(printed)
        return cls(lines, canonical if canonical is not None else ", ".join(lines))


@dataclass(frozen=True)
class Slot:
    """A value with its label: the label above (or left of, when ``inline``) the value."""

    field: str
    x: int
    y: int
    labels: dict[str, str] = dataclasses.field(default_factory=dict)  # `field` is also a member name here
    size: int = 26
    label_size: int = 15
    width: int | None = None
    inline: bool = False
    bold: bool = False
    line_gap: float = 1.25
    value_dy: int = 0  # extra gap between label and value (boxed form fields)


@dataclass(frozen=True)
class Text:
    """Static text (per-language dict or fixed); ``field`` marks a title carrying e.g. document_type."""

    text: str | dict[str, str]
    x: int
    y: int
    size: int = 20
    bold: bool = False
    colour: Color | None = None
    align: str = "left"
    field: str | None = None
    family: str | None = None
    width: int | None = None  # the font shrinks to fit (another column starts there)


@dataclass(frozen=True)
class Portrait:
    box: Box


@dataclass(frozen=True)
class Signature:
    box: Box
    field: str | None = None


@dataclass(frozen=True)
class Band:
    box: Box
    colour: Color


@dataclass(frozen=True)
class Frame:
    """An outlined box (form fields, table borders)."""

    box: Box
    colour: Color = (90, 90, 100)
    width: int = 2


@dataclass(frozen=True)
class Mrz:
    """The machine-readable zone: lines from ``values["mrz"]``, OCR-B at ``pitch`` pixels per character."""

    x: int
    y: int
    pitch: float
    line_step: int
    name_line: int  # which MRZ line holds the names (for surname_mrz / given_names_mrz)


@dataclass(frozen=True)
class Barcode:
    """A PDF417 of ``values["barcode"]``; ``fields`` are the values the barcode carries."""

    box: Box
    fields: tuple[str, ...] = ()


Element = Slot | Text | Portrait | Signature | Band | Frame | Mrz | Barcode


@dataclass(frozen=True)
class Layout:
    """One document side: what is printed where."""

    template_id: str
    kind: str
    side: str
    size: tuple[int, int]
    elements: tuple[Element, ...]
    languages: tuple[tuple[str, ...], ...] = (("en",),)
    faces: tuple[str, ...] = SANS + SERIF
    background: str = "guilloche"  # guilloche | paper
    jitter: int = 3
    offset: int = 8
    dpi: float | None = None


@dataclass
class Style:
    """The per-document choices: fonts, label languages, offsets."""

    family: str
    languages: tuple[str, ...]
    dx: int
    dy: int
    ink: Color
    label_ink: Color


def choose_style(layout: Layout, rng: random.Random, languages: tuple[str, ...] | None = None) -> Style:
    """Draw fonts, label language variant (unless given) and offsets for one document."""
    family = rng.choice(layout.faces)
    shade = rng.randint(10, 45)
    chosen = rng.choice(layout.languages)
    return Style(family=family, languages=languages or chosen,
                 dx=rng.randint(-layout.offset, layout.offset), dy=rng.randint(-layout.offset, layout.offset),
                 ink=(shade, shade, shade + rng.randint(0, 20)),
                 label_ink=(rng.randint(40, 90), rng.randint(40, 90), rng.randint(60, 120)))


def label_text(labels: dict[str, str], languages: tuple[str, ...]) -> str:
    """Join a label's variants in the chosen languages.

    >>> label_text({"en": "Surname", "fr": "Nom"}, ("en", "fr"))
    'Surname / Nom'
    >>> label_text({"en": "Surname"}, ("de", "en"))
    'Surname'
    """
    parts = [labels[lang] for lang in languages if lang in labels]
    if not parts and labels:
        parts = [next(iter(labels.values()))]
    return " / ".join(dict.fromkeys(parts))


def _background(layout: Layout, np_rng: np.random.Generator) -> np.ndarray:
    w, h = layout.size
    if layout.background == "guilloche":
        return art.guilloche(w, h, np_rng)
    tone = int(np_rng.integers(246, 256))
    return np.full((h, w, 3), tone, np.uint8)


def _draw_slot(c: Canvas, el: Slot, values: dict[str, Value], st: Style, x: int, y: int) -> None:
    value = values.get(el.field)
    if value is None:
        return
    label = label_text(el.labels, st.languages)
    if label:
        c.text(x, y, label, st.family, el.label_size, fill=st.label_ink, max_width=None if el.inline else el.width)
    if el.inline:
        vx = x + (c.text_width(label + "  ", st.family, el.label_size) if label else 0)
        vy = y - (el.size - el.label_size) * 0.35
    else:
        vx, vy = x, y + (el.label_size * 1.3 if label else 0) + el.value_dy
    width = None if el.width is None else el.width - (vx - x)
    ids = []
    for i, line in enumerate(value.printed):
        if line.strip():
            ids.append(c.text(vx, vy + i * el.size * el.line_gap, line, st.family, el.size, bold=el.bold,
                              field=el.field, fill=st.ink, max_width=width))
    c.field(el.field, value.canonical, ids)


def _draw_mrz(c: Canvas, el: Mrz, values: dict[str, Value], x: int, y: int) -> None:
    value = values["mrz"]
    width = len(value.printed[0])
    probe = get_font(MRZ_FAMILY, 100).getlength("<" * width) / 100.0
    size = max(10, round(el.pitch * width / probe))
    ids = [c.text(x, y + i * el.line_step, line, MRZ_FAMILY, size, field="mrz", fill=(10, 10, 10))
           for i, line in enumerate(value.printed)]
    c.field("mrz", value.canonical, ids)
    for name in ("surname_mrz", "given_names_mrz"):
        if name in values:
            c.field(name, values[name].canonical, [ids[el.name_line]])


def _draw_barcode(c: Canvas, el: Barcode, values: dict[str, Value], x: int, y: int) -> None:
    payload = values["barcode"].canonical
    codes = pdf417gen.encode(payload, columns=8, security_level=4)
    x0, y0, x1, y1 = el.box
    unit = pdf417gen.render_image(codes, scale=1, ratio=3, padding=0)
    scale = max(1, min((x1 - x0) // (unit.width + 8), (y1 - y0) // (unit.height + 8)))
    img = pdf417gen.render_image(codes, scale=scale, ratio=3, padding=4 * scale).convert("RGB")
    x += (x1 - x0 - img.width) // 2
    c.paste(np.asarray(img), x, y)
    quad = box_quad(x, y, x + img.width, y + img.height)
    c.field("barcode", payload, quad=quad)
    for name in el.fields:
        if name in values:
            c.field(name, values[name].canonical, quad=quad)


AfterHook = Callable[[Canvas, Style, random.Random, tuple[int, int]], None]


def render(layout: Layout, values: dict[str, Value], rng: random.Random, np_rng: np.random.Generator, *,
           languages: tuple[str, ...] | None = None, after: AfterHook | None = None) -> RenderedDoc:
    """Draw ``layout`` filled with ``values``; fields absent from ``values`` are left out.

    ``languages`` forces the label language variant; ``after(canvas, style, rng, (dx, dy))``
    draws procedural parts (tables) once the elements are down.
    """
    st = choose_style(layout, rng, languages)
    w, h = layout.size
    c = Canvas(w, h, _background(layout, np_rng))
    for el in layout.elements:
        j = layout.jitter
        dx, dy = st.dx + rng.randint(-j, j), st.dy + rng.randint(-j, j)
        if isinstance(el, Band):
            x0, y0, x1, y1 = el.box
            c.rect((x0, y0, x1, y1), fill=el.colour)
        elif isinstance(el, Frame):
            x0, y0, x1, y1 = el.box
            c.rect((x0 + st.dx, y0 + st.dy, x1 + st.dx, y1 + st.dy), outline=el.colour, width=el.width)
        elif isinstance(el, Slot):
            _draw_slot(c, el, values, st, el.x + dx, el.y + dy)
        elif isinstance(el, Text):
            text = el.text if isinstance(el.text, str) else label_text(el.text, st.languages)
            i = c.text(el.x + dx, el.y + dy, text, el.family or st.family, el.size, bold=el.bold,
                       fill=el.colour or st.ink, align=el.align, field=el.field, max_width=el.width)
            if el.field and el.field in values:
                c.field(el.field, values[el.field].canonical, [i])
        elif isinstance(el, Portrait):
            x0, y0, x1, y1 = el.box
            c.paste(art.portrait(x1 - x0, y1 - y0, np_rng), x0 + dx, y0 + dy)
        elif isinstance(el, Signature):
            x0, y0, x1, y1 = el.box
            mask = art.signature(x1 - x0, y1 - y0, np_rng)
            ink = np.zeros((y1 - y0, x1 - x0, 3), np.uint8) + np.array([20, 30, 110], np.uint8)
            c.paste(ink, x0 + dx, y0 + dy, mask)
        elif isinstance(el, Mrz):
            _draw_mrz(c, el, values, el.x + dx // 2, el.y + dy // 2)
        elif isinstance(el, Barcode):
            _draw_barcode(c, el, values, el.box[0] + dx // 2, el.box[1] + dy // 2)
    if after is not None:
        after(c, st, rng, (st.dx, st.dy))
    return c.finish(layout.dpi)
