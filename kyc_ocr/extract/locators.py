"""Locators: where a field's raw text is on the OCR'd pages.

Each locator yields :class:`Candidate` texts in preference order; the caller
keeps the first one its type's normaliser accepts.

* ``label``: a printed label (see :mod:`kyc_ocr.extract.labels`), the value
  after it on the same OCR line, on a line to its right, or below it (left
  edges aligned); distances in multiples of the label's text height;
* ``zone``: the OCR lines whose centre lies in a box of the (aligned) page,
  in document-normalised coordinates (the speed path reads the same box with
  ``Engine.recognize`` instead, see :mod:`kyc_ocr.extract.fast`);
* ``regex``: a pattern over the page text.

>>> from kyc_ocr.domain import quad_from_box
>>> lines = (TextLine("Surname / Nom", .99, quad_from_box((10, 10, 120, 25))),
...          TextLine("ERIKSSON", .97, quad_from_box((10, 28, 110, 50))),
...          TextLine("Né(e) le : 12.08.1974", .95, quad_from_box((10, 70, 200, 90))))
>>> ctx = PageContext.build(Page("p.png", 1, 300, 100, lines), {"surname": ("Surname", "Nom"),
...                                                               "date_of_birth": ("Né(e) le",)})
>>> [c.text for c in label_candidates(ctx, "surname", LabelLocator(labels=("Surname", "Nom")))]
['ERIKSSON']
>>> [c.text for c in label_candidates(ctx, "date_of_birth", LabelLocator(labels=("Né(e) le",)))]
['12.08.1974']
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from kyc_ocr.domain import Box, FieldSource, Page, TextLine  # noqa: F401 - TextLine: the module doctest
from kyc_ocr.extract.labels import (
    LabelHit,
    find_labels,
    fold,
    label_like,
    label_ratio,
    match_label,
    span_box,
    strip_separators,
)
from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX
from kyc_ocr.templates.schema import AnchorZone, LabelLocator, RegexLocator, ZoneLocator


@dataclass(frozen=True)
class Candidate:
    """A raw value found on a page, with the evidence for it."""

    text: str
    confidence: float
    box: Box | None
    page: int
    source: FieldSource = FieldSource.VISUAL


def union(boxes: Sequence[Box]) -> Box:
    """The box around ``boxes``.

    >>> union([(0, 0, 2, 2), (1, 1, 5, 3)])
    (0, 0, 5, 3)
    """
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass(frozen=True)
class PageContext:
    """One OCR'd page with the template's labels found on it."""

    page: Page
    hits: tuple[tuple[LabelHit, ...], ...]  # per line
    offset: Layout | None = None  # where the template's layout sits on the page; None: zones not trusted
    titles: frozenset[int] = frozenset()  # lines that print the document's name: never a field's value
    labels: Mapping[str, Sequence[str]] | None = None  # the labels looked for, by field
    label_lines: frozenset[int] = frozenset()  # lines that read as a (misread) label: a value only as a last resort

    @classmethod
    def build(cls, page: Page, labels: Mapping[str, Sequence[str]], min_score: float = 86.0,
              offset: Layout | None = None, titles: Sequence[str] = ()) -> PageContext:
        """The page with its label hits; ``titles`` are the document's names (a whole line printing one is a title)."""
        keys = [fold(t) for t in titles]
        title_lines = frozenset(i for i, ln in enumerate(page.lines)
                                if any(fuzz.ratio(k, fold(ln.text)) >= min_score for k in keys))
        every = tuple(v for variants in labels.values() for v in variants)
        label_lines = frozenset(i for i, ln in enumerate(page.lines) if label_like(ln.text, every))
        outsized = _outsized(page)
        hits = tuple(() if i in outsized else tuple(h) for i, h in enumerate(find_labels(page.lines, labels, min_score)))
        return cls(page, hits, offset, title_lines, labels, label_lines)

    def label_words(self, index: int, name: str) -> bool:
        """Whether line ``index`` reads as words of one of field ``name``'s labels only, each of four letters
        or more (``names`` of "Given names": the rest of the label lost on a photo).

        >>> from kyc_ocr.domain import TextLine, quad_from_box
        >>> ctx = PageContext.build(Page("f.jpg", 1, 100, 100, (TextLine("names", 0.93, quad_from_box((1, 1, 9, 3))),
        ...                         TextLine("Brett", 0.99, quad_from_box((1, 4, 9, 9))))), {"given_names": ("Given names",)})
        >>> ctx.label_words(0, "given_names"), ctx.label_words(1, "given_names")
        (True, False)
        """
        words = fold(self.page.lines[index].text).split()
        if not words or any(len(w) < 4 for w in words):
            return False
        return any(set(words) <= set(fold(v).split()) for v in (self.labels or {}).get(name, ()))

    def garbled_label(self, index: int, name: str, min_score: float = 75.0) -> bool:
        """Whether line ``index`` is (a part of) one of field ``name``'s labels misread (``Sumame``). A part
        with more digits than letters is a value (``08`` of a date is no ``DOB``, though ``0``/``O`` and
        ``8``/``B`` are look-alikes)."""
        parts = [fold(p) for p in self.page.lines[index].text.split("/")]
        worded = [p for p in parts if p and sum(c.isalpha() for c in p) >= sum(c.isdigit() for c in p)]
        return any(label_ratio(fold(v), p) >= min_score for v in (self.labels or {}).get(name, ()) for p in worded)

    def opens_with_other_label(self, index: int, name: str, min_score: float = 75.0) -> bool:
        """Whether line ``index`` opens with another field's label, garbled, read closer to it than to any
        of field ``name``'s (``Ddivrée ke11.01.2018``: the issue date after its label "Délivrée le", in the
        expiry's zone of a card photo cropped a little off): that line holds the other field's value.

        >>> from kyc_ocr.domain import TextLine, quad_from_box
        >>> rows = (TextLine("Ddivrée ke11.01.2018", 0.8, quad_from_box((1, 1, 9, 3))),
        ...         TextLine("Valable juqu:10.01.2033", 0.9, quad_from_box((1, 4, 9, 6))))
        >>> ctx = PageContext.build(Page("c.jpg", 1, 100, 100, rows),
        ...                         {"date_of_issue": ("Délivrée le",), "date_of_expiry": ("Valable jusqu'au",)})
        >>> ctx.opens_with_other_label(0, "date_of_expiry"), ctx.opens_with_other_label(1, "date_of_expiry")
        (True, False)
        """
        head = fold(self.page.lines[index].text.split("/")[0])
        head = head[: next((k for k, ch in enumerate(head) if ch.isdigit()), len(head))].strip(" :.")
        if len(head) < 4:
            return False
        labels = self.labels or {}

        def closest(field: str) -> float:
            return max((label_ratio(fold(v), head) for v in labels.get(field, ())), default=0.0)

        others = max((closest(f) for f in labels if f != name), default=0.0)
        return others >= min_score and others > closest(name)

    def label_start(self, index: int, name: str) -> bool:
        """Whether line ``index`` is only the first letters (two or more) of one of field ``name``'s labels.

        >>> from kyc_ocr.domain import TextLine, quad_from_box
        >>> rows = tuple(TextLine(t, 0.87, quad_from_box((1, 1, 9, 3))) for t in ("Ad", "Adr.", "A", "Adams St 5"))
        >>> ctx = PageContext.build(Page("f.jpg", 1, 100, 100, rows), {"address": ("Adresse", "Address")})
        >>> [ctx.label_start(i, "address") for i in range(4)]
        [True, True, False, False]
        """
        text = fold(self.page.lines[index].text).strip(" .:")
        return (len(text) >= 2 and text.isalpha()
                and any(fold(v).replace(" ", "").startswith(text) for v in (self.labels or {}).get(name, ())))

    def other_label_alone(self, index: int, name: str, unsure: float = 0.9) -> bool:
        """Whether line ``index``, read with less than ``unsure`` confidence, is another field's label, garbled,
        and nothing else: no digit, no ``/`` (a second language or a value) after it (``Dante odf dith`` at 0.34
        for "Date of birth" in a permit photo's given-names zone, whose value the detector missed). Such a line
        holds no value of any field; a name read surely is kept whatever label it resembles.

        >>> from kyc_ocr.domain import TextLine, quad_from_box
        >>> rows = (TextLine("Dante odf dith", 0.34, quad_from_box((1, 1, 9, 3))),
        ...         TextLine("Ddivrée ke11.01.2018", 0.8, quad_from_box((1, 4, 9, 6))),
        ...         TextLine("JIŘÍ", 0.9, quad_from_box((1, 7, 9, 9))))
        >>> ctx = PageContext.build(Page("c.jpg", 1, 100, 100, rows), {"date_of_birth": ("Date of birth",),
        ...                         "date_of_issue": ("Délivrée le",), "given_names": ("Given names",)})
        >>> [ctx.other_label_alone(i, "given_names") for i in range(3)]
        [True, False, False]
        """
        line = self.page.lines[index]
        return (line.confidence < unsure and not any(ch.isdigit() or ch == "/" for ch in line.text)
                and self.opens_with_other_label(index, name))

    def strip_glued_label(self, text: str, name: str) -> str:
        """``text`` without one of field ``name``'s labels glued on in front, its separator lost: the label
        in lower case ends where the value in capitals starts (``NomLE HUMBERT`` for "Nom: LE HUMBERT").

        >>> ctx = PageContext.build(Page("c.jpg", 1, 100, 100, ()), {"surname": ("Nom", "Surname")})
        >>> ctx.strip_glued_label("NomLE HUMBERT", "surname"), ctx.strip_glued_label("SurnameDOE", "surname")
        ('LE HUMBERT', 'DOE')
        >>> ctx.strip_glued_label("Nomura", "surname"), ctx.strip_glued_label("NOMAD", "surname")
        ('Nomura', 'NOMAD')
        """
        for variant in (self.labels or {}).get(name, ()):
            key = variant.strip(" :")
            n = len(key)
            if (n >= 3 and key.isalpha() and fold(text[:n]) == fold(key) and text[n - 1 : n].islower()
                    and text[n : n + 1].isupper()):
                return text[n:]
        return text

    @property
    def source(self) -> FieldSource:
        return FieldSource.TEXT_LAYER if self.page.engine.endswith(TEXT_LAYER_SUFFIX) else FieldSource.VISUAL

    def values_first(self, indexes: Sequence[int]) -> list[int]:
        """``indexes`` with the lines that read as a label (``Sumname``, ``Vomamen``) moved last, order kept."""
        return sorted(indexes, key=lambda i: i in self.label_lines)

    def is_label_line(self, index: int) -> bool:
        return bool(self.hits[index])

    def field_hits(self, name: str) -> list[LabelHit]:
        return [h for line in self.hits for h in line if h.field == name]


def _outsized(page: Page, factor: float = 3.0) -> set[int]:
    """Lines more than ``factor`` times the page's median line height: not printed text but a picture
    the detector boxed (a licence portrait read as ``1``); never a label."""
    heights = sorted(_height(ln.bbox) for ln in page.lines)
    if len(heights) < 3:
        return set()
    median = heights[len(heights) // 2]
    return {i for i, ln in enumerate(page.lines) if _height(ln.bbox) > factor * median}


def _height(box: Box) -> float:
    return max(1.0, box[3] - box[1])


def _same_line_value(ctx: PageContext, hit: LabelHit) -> tuple[str, Box] | None:
    """The text after a label on its own line, when a colon separates them (``Nom : DUPONT``).

    Without the colon a label is part of a heading ("2. Address and contact"), not an inline label.
    """
    line = ctx.page.lines[hit.line]
    later = [h.start for h in ctx.hits[hit.line] if h.start >= hit.end]
    end = min(later) if later else len(line.text)
    after = line.text[hit.end:end]
    text = strip_separators(after)
    if not text or ":" not in line.text[max(0, hit.end - 2):hit.end] + after[: after.index(text[0]) + 1]:
        return None
    start = line.text.index(text, hit.end)
    return text, span_box(line, start, start + len(text))


def _right_of(ctx: PageContext, hit: LabelHit, box: Box, opts: LabelLocator) -> list[int]:
    h = _height(box)
    out = []
    for i, line in enumerate(ctx.page.lines):
        if i == hit.line or ctx.is_label_line(i):
            continue
        b = line.bbox
        overlap = min(b[3], box[3]) - max(b[1], box[1])
        # detector boxes are padded: a value may start up to a line height before the label's box ends
        if (overlap > 0.5 * min(_height(b), h) and b[0] >= box[2] - h and (b[0] + b[2]) / 2 > box[2]
                and b[0] - box[2] <= opts.max_dx * h):
            out.append(i)
    return sorted(out, key=lambda i: ctx.page.lines[i].bbox[0])


def _below(ctx: PageContext, hit: LabelHit, box: Box, opts: LabelLocator) -> list[int]:
    h = _height(box)
    out = []
    for i, line in enumerate(ctx.page.lines):
        if i == hit.line or ctx.is_label_line(i):
            continue
        b = line.bbox
        gap = b[1] - box[3]
        aligned = box[0] - 2 * h <= b[0] <= max(box[2], box[0] + 3 * h)
        if -0.4 * h <= gap <= opts.max_dy * h and aligned:
            out.append(i)
    return sorted(out, key=lambda i: (ctx.page.lines[i].bbox[1], abs(ctx.page.lines[i].bbox[0] - box[0])))


def _continue_down(ctx: PageContext, first: Box, used: list[int], count: int) -> list[int]:
    """Lines that continue a multi-line value below ``first`` (same left edge, no label)."""
    last = first
    for _ in range(count - 1):
        h = _height(last)
        nxt = [i for i, ln in enumerate(ctx.page.lines)
               if i not in used and not ctx.is_label_line(i) and i not in ctx.label_lines
               and -0.3 * h <= ln.bbox[1] - last[3] <= 0.9 * h and abs(ln.bbox[0] - first[0]) <= 2 * h]
        if not nxt:
            break
        best = min(nxt, key=lambda i: ctx.page.lines[i].bbox[1])
        used.append(best)
        last = ctx.page.lines[best].bbox
    return used


def _from_lines(ctx: PageContext, indexes: Sequence[int], head: tuple[str, Box] | None = None) -> Candidate:
    lines = [ctx.page.lines[i] for i in indexes]
    texts = ([head[0]] if head else []) + [ln.text for ln in lines]
    boxes = ([head[1]] if head else []) + [ln.bbox for ln in lines]
    confs = [ln.confidence for ln in lines] or [ctx.page.lines[0].confidence]
    if head is not None and not lines:
        confs = []
    return Candidate("\n".join(texts), sum(confs) / len(confs) if confs else 0.0, union(boxes), ctx.page.page,
                     ctx.source)


def _big_value_below(ctx: PageContext, hit: LabelHit, box: Box, opts: LabelLocator) -> bool:
    """The label-above-value pattern: the nearest line below is taller than the label and close."""
    below = _below(ctx, hit, box, opts)
    if not below:
        return False
    b = ctx.page.lines[below[0]].bbox
    return _height(b) >= 1.2 * _height(box) and b[1] - box[3] <= 1.0 * _height(box)


BARE_NUMBER_TALLER = 1.3  # a line holding only a field number this much taller than the value found is no label


def _small_label(ctx: PageContext, name: str, line: int, below: int, extra: bool = False, block: bool = False
                 ) -> bool:
    """Whether ``line`` is the field's own label misread, printed smaller above its value ``below``:
    smaller than that line (or one line more than the zone's block holds, ``extra``: motion blur
    swells small print) and close to one of the field's labels (``Abtesse`` for "Adresse",
    ``Wotmarsctrit`` and ``Wohnamchuin`` for "Wohnanschrift"; a looser match than
    :meth:`PageContext.garbled_label` alone, since the size or the count says label too). Above a
    multi-line value (``block``) the label's first letters alone do too (``Ad`` for "Adresse": the rest
    lost on a photo; no line of an address is two letters of its label)."""
    small = extra or _height(ctx.page.lines[line].bbox) < 0.85 * _height(ctx.page.lines[below].bbox)
    return small and (ctx.garbled_label(line, name, min_score=60.0) or (block and ctx.label_start(line, name)))


def _unsure_head(ctx: PageContext, used: list[int], count: int, unsure: float = 0.8, sure: float = 0.9) -> bool:
    """Whether the block ``used`` (``count`` lines, the field's) goes on one line further below and its
    first line alone reads unsurely: that line is the field's small label garbled past any match
    (``Acheane`` for "Adresse" under the heading "2. Adresse et contact"), the value the lines after it.

    A label printed small on a blurred photo reads far less surely than the values printed big.
    """
    block = _continue_down(ctx, ctx.page.lines[used[0]].bbox, [used[0]], count + 1)
    if len(block) != count + 1 or ctx.page.engine.endswith(TEXT_LAYER_SUFFIX):
        return False
    confs = [ctx.page.lines[i].confidence for i in block]
    return confs[0] < unsure and min(confs[1:]) >= sure


def label_candidates(ctx: PageContext, name: str, opts: LabelLocator) -> Iterator[Candidate]:
    """Values next to each label of field ``name`` on the page, in the locator's direction order."""
    for hit in ctx.field_hits(name):
        line = ctx.page.lines[hit.line]
        # the second language of a bilingual label ("Given names / Prénoms", the first garbled past matching,
        # no other field's label before it): the label, and the value under it, start where the line starts
        first = not any(h.end <= hit.start for h in ctx.hits[hit.line] if h.field != name)
        start = 0 if first and line.text[:hit.start].rstrip().endswith("/") else hit.start
        box = span_box(line, start, hit.end)
        # a bare field number ("2") followed by more text is that line's own label ("2 GIVEN NAMES", or a
        # garbled "2 BAMLY NANE" for "1 FAMILY NAME"): only its same-line value can belong to it
        numbered = line.text[hit.start:hit.end].strip(" .:").isdigit() and bool(line.text[hit.end:].strip(" .:"))
        bare = line.text.strip(" .:").isdigit()  # the line is only a field number ("2" above or before the value)
        for direction in opts.directions:
            if numbered and direction != "same":
                continue
            if direction == "same":
                found = _same_line_value(ctx, hit)
                if found is not None:
                    used = _continue_down(ctx, found[1], [hit.line], opts.lines)[1:]
                    cand = _from_lines(ctx, used, found)
                    conf = line.confidence if not used else (line.confidence + cand.confidence * len(used)) / (
                        1 + len(used))
                    yield Candidate(cand.text, conf, cand.box, cand.page, cand.source)
                continue
            picks = _right_of(ctx, hit, box, opts) if direction == "right" else _below(ctx, hit, box, opts)
            if bare and picks and _height(box) > BARE_NUMBER_TALLER * _height(ctx.page.lines[picks[0]].bbox):
                continue  # a field number is never printed taller than its value: a speck or a signature read "2"
            adjacent = bool(picks) and ctx.page.lines[picks[0]].bbox[0] - box[2] <= 1.5 * _height(box)
            if (direction == "right" and not adjacent and "below" in opts.directions
                    and _big_value_below(ctx, hit, box, opts)):
                continue  # small label over a bigger value: what is (further) to its right is the next column
            faint = _faint_lines(ctx.page, picks)
            for first in sorted(ctx.values_first(picks), key=lambda i: i in faint)[: 1 if opts.lines > 1 else 2]:
                used = _continue_down(ctx, ctx.page.lines[first].bbox, [first], opts.lines)
                kept = _value_lines(ctx.page, used)
                # under a heading that holds a label ("2. Anschrift und Kontakt"), the line reading like the
                # field's own label is that label, whatever its size
                if opts.lines > 1 and len(used) > 1 and (
                        _small_label(ctx, name, used[0], used[1], extra=direction == "below", block=True)
                        or _unsure_head(ctx, used, opts.lines)):
                    kept = used[1:]
                if opts.lines > 1 and kept and kept[0] != used[0]:  # a small unread label above the value block
                    used = _continue_down(ctx, ctx.page.lines[kept[0]].bbox, [kept[0]], opts.lines)
                yield _from_lines(ctx, used)


def zone_lines(page: Page, zone: ZoneLocator) -> list[int]:
    """Indexes of the page's lines whose centre lies in the zone, top to bottom."""
    x0, y0, x1, y1 = zone.box
    bx = (x0 * page.width, y0 * page.height, x1 * page.width, y1 * page.height)
    out = []
    for i, line in enumerate(page.lines):
        b = line.bbox
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        if bx[0] <= cx <= bx[2] and bx[1] <= cy <= bx[3]:
            out.append(i)
    return sorted(out, key=lambda i: (page.lines[i].bbox[1], page.lines[i].bbox[0]))


@dataclass(frozen=True)
class Layout:
    """Where the template's layout sits on a page: ``page = scale * template + (dx, dy)`` in page fractions.

    ``confirmed`` is false for a layout assumed (not measured) because the page is the whole document
    but its anchor labels could not be read; zone values found through it get less confidence.
    """

    dx: float = 0.0
    dy: float = 0.0
    scale: float = 1.0
    confirmed: bool = True

    def apply(self, zone: ZoneLocator) -> ZoneLocator:
        """``zone`` moved onto the page (clipped to it).

        >>> Layout(0.1, 0.0, 0.5).apply(ZoneLocator(box=(0.2, 0.2, 0.4, 0.4))).box
        (0.2, 0.1, 0.30000000000000004, 0.2)
        """
        x0, y0, x1, y1 = zone.box
        s = self.scale
        box = (max(0.0, s * x0 + self.dx), max(0.0, s * y0 + self.dy), min(1.0, s * x1 + self.dx),
               min(1.0, s * y1 + self.dy))
        return zone if box[0] >= box[2] or box[1] >= box[3] else ZoneLocator(box=box, lines=zone.lines)


def _fit(pairs: Sequence[tuple[tuple[float, float], tuple[float, float]]], tolerance: float = 0.02
         ) -> Layout | None:
    """A uniform scale and shift taking template points to page points, when the points agree on one.

    With anchors spread over at least 5% of the page a scale is fitted (a document scanned smaller or
    larger on its page); otherwise, or when the scale is implausible, a shift alone (the median).

    >>> fit = _fit([((0.1, 0.1), (0.2, 0.18)), ((0.5, 0.1), (0.52, 0.18)), ((0.1, 0.3), (0.2, 0.34))])
    >>> round(fit.dx, 4), round(fit.dy, 4), fit.scale
    (0.12, 0.1, 0.8)
    """
    src = np.array([p[0] for p in pairs], dtype=np.float64)
    dst = np.array([p[1] for p in pairs], dtype=np.float64)
    need = min(2, len(pairs))
    if len(pairs) >= 2 and np.ptp(src, axis=0).max() >= 0.05:
        sc, dc = src - src.mean(0), dst - dst.mean(0)
        scale = float((sc * dc).sum() / (sc * sc).sum())
        if 0.6 <= scale <= 1.4:
            d = dst.mean(0) - scale * src.mean(0)
            ok = np.abs(scale * src + d - dst).max(axis=1) <= tolerance
            if ok.sum() >= max(need, len(pairs) - 1) and abs(scale - 1.0) > 0.02:
                if not ok.all():  # one stray anchor: refit on the others
                    return _fit([p for p, good in zip(pairs, ok) if good], tolerance)
                return Layout(float(d[0]), float(d[1]), round(scale, 4))
    shift = dst - src
    dx, dy = float(np.median(shift[:, 0])), float(np.median(shift[:, 1]))
    agree = int(np.sum((np.abs(shift[:, 0] - dx) <= tolerance) & (np.abs(shift[:, 1] - dy) <= tolerance)))
    return Layout(dx, dy) if agree >= need else None


def layout_offset(page: Page, anchors: Sequence[AnchorZone], min_score: float = 80.0, reach: float = 0.08
                  ) -> Layout | None:
    """Where the template's layout sits on the page (:class:`Layout`), or ``None``.

    Each anchor label is looked for in its zone widened by ``reach``; the page counts as aligned when
    at least two anchors (all, when there are fewer) are found and agree (within 2% of the page) on
    one shift, or on one scale and shift. Zone locators are only trusted on such a page (or, see
    :func:`assumed_layout`, on a page that is the whole document) — never on a photo whose document
    was not cropped, or a page of another layout.
    """
    if not anchors:
        return None
    pairs: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for anchor in anchors:
        x0, y0, x1, y1 = anchor.box
        wide = ZoneLocator(box=(max(0.0, x0 - reach), max(0.0, y0 - reach), min(1.0, x1 + reach),
                                min(1.0, y1 + reach)))
        for i in zone_lines(page, wide):
            line = page.lines[i]
            if any(match_label(v, fold(line.text), min_score) for v in anchor.text):
                at = anchor.at
                seen = (line.bbox[0] / page.width, line.bbox[1] / page.height)
                pairs.append((at, seen) if at is not None else (seen, seen))
                break
    if len(pairs) < min(2, len(anchors)):
        return None
    return _fit(pairs)


def registered_layout(page: Page, zones: Sequence[Box], reach: float = 0.03, step: float = 0.005) -> Layout:
    """An unconfirmed :class:`Layout` shifted (at most ``reach`` of the page each way, in steps of
    ``step``) to where the most ``zones`` hold a line's centre; the smallest such shift, none on a tie.

    A phone photo's document, found and flattened, is rarely cropped to the exact edge: its rows sit
    a little lower or higher than the template's, enough for a value to fall out of its zone.

    >>> rows = [TextLine(t, 0.9, ((40, y), (300, y), (300, y + 30), (40, y + 30))) for t, y in (("A", 185), ("B", 385))]
    >>> page = Page("p.png", 1, 1000, 1000, tuple(rows))
    >>> registered_layout(page, [(0.03, 0.16, 0.4, 0.19), (0.03, 0.36, 0.4, 0.39)])  # centres at 0.2, 0.4
    Layout(dx=0.0, dy=0.01, scale=1.0, confirmed=False)
    """
    centres = [((ln.bbox[0] + ln.bbox[2]) / 2 / page.width, (ln.bbox[1] + ln.bbox[3]) / 2 / page.height)
               for ln in page.lines]
    if not centres or not zones or page.width <= 0 or page.height <= 0:
        return Layout(confirmed=False)
    xs, ys = np.array(centres).T

    def held(dx: float, dy: float) -> int:
        return sum(bool(np.any((x0 + dx <= xs) & (xs <= x1 + dx) & (y0 + dy <= ys) & (ys <= y1 + dy)))
                   for x0, y0, x1, y1 in zones)

    n = round(reach / step)
    shifts = sorted(((i * step, j * step) for i in range(-n, n + 1) for j in range(-n, n + 1)),
                    key=lambda d: (abs(d[0]) + abs(d[1]), abs(d[1])))
    best = max(shifts, key=lambda d: held(*d))  # max keeps the first (smallest) shift among equals
    return Layout(dx=round(best[0], 4), dy=round(best[1], 4), confirmed=False)


def assumed_layout(page: Page, aspect_ratio: tuple[float, float] | None, extent: Box | None,
                   slack: float = 0.1) -> Layout | None:
    """An unconfirmed identity :class:`Layout` for a page that is the whole document, else ``None``.

    A photo whose document was found and flattened by preprocessing, or a clean image, has the
    template's proportions, and its text spans what the template's zones span (``extent``, page
    fractions), even when its small anchor labels are unreadable. A page with background around the
    document (text drawn in from the edges by more than ``slack``) or of other proportions gets no layout.
    """
    if aspect_ratio is None or extent is None or not page.lines or page.height <= 0:
        return None
    low, high = aspect_ratio
    if not low * 0.97 <= page.width / page.height <= high * 1.03:
        return None
    x0, y0, x1, y1 = union([ln.bbox for ln in page.lines])
    w, h = page.width, page.height
    ex0, ey0, ex1, ey1 = extent
    if x0 / w <= ex0 + slack and y0 / h <= ey0 + slack and x1 / w >= ex1 - 3 * slack and y1 / h >= ey1 - 3 * slack:
        return Layout(confirmed=False)
    return None


def _value_lines(page: Page, indexes: list[int], sure: float = 0.9) -> list[int]:
    """The zone's lines without those under 3/4 of its tallest that were read with less than ``sure``
    confidence (small printed labels above values, garbled past recognition on a blurred photo).

    A line read surely is kept whatever its size: a readable label is found by its text, and line
    boxes are taller for a line with accented capitals or descenders (``rue Brunet`` / ``41363 Lévy``).
    Never on a text layer (its labels read exactly; its boxes are the fonts' boxes).
    """
    if len(indexes) < 2 or page.engine.endswith(TEXT_LAYER_SUFFIX):
        return indexes
    tallest = max(_height(page.lines[i].bbox) for i in indexes)
    return [i for i in indexes
            if _height(page.lines[i].bbox) >= 0.75 * tallest or page.lines[i].confidence >= sure]


def _faint_lines(page: Page, indexes: list[int], size: float = 0.85, confidence: float = 0.7) -> set[int]:
    """Lines read with low confidence that are smaller than the zone's tallest or end in a colon: on a
    blurred photo a printed label garbled past recognition (``Cadome 19)`` for "Customer ID",
    ``Paonig):`` for "Prénom(s):") looks like this."""
    if len(indexes) < 2:
        return set()
    tallest = max(_height(page.lines[i].bbox) for i in indexes)
    return {i for i in indexes if page.lines[i].confidence < confidence and (
        _height(page.lines[i].bbox) < size * tallest or page.lines[i].text.rstrip().endswith(":"))}


def _line_just_above(ctx: PageContext, zone: ZoneLocator, inside: list[int], sure: float = 0.9) -> list[int]:
    """The line a multi-line zone holding too few lines lost over its top edge, as a list (or ``[]``): right
    above the zone's first line (no gap wider than its height, overlapping it by at most half, left edges
    within its height), its centre less than half its height above the zone, at least 3/4 as tall (not a small
    label), read surely, and no label or title. A photo's layout fitted a few pixels off puts the first line of
    a tightly printed block (a bill's recipient address under the name) just outside.
    """
    page = ctx.page
    first = page.lines[inside[0]].bbox
    h = _height(first)
    top = zone.box[1] * page.height
    for i, line in enumerate(page.lines):
        b = line.bbox
        if i in inside or i in ctx.titles or ctx.hits[i] or i in ctx.label_lines or line.confidence < sure:
            continue
        if (_height(b) >= 0.75 * h and -h / 2 <= first[1] - b[3] <= h and abs(b[0] - first[0]) <= h
                and top - h / 2 <= (b[1] + b[3]) / 2 < top):
            return [i]
    return []


def _best_window(page: Page, zone: ZoneLocator, lines: list[int], count: int) -> list[int]:
    """Of more than ``count`` lines (top to bottom) in a block zone, the ``count`` consecutive ones the zone
    covers best (the share of each line's height inside it, summed; the topmost on a tie): a layout fitted a
    little high puts the line above the block (a bill's recipient name over the address) just inside.

    >>> from kyc_ocr.domain import quad_from_box
    >>> rows = [TextLine(t, 0.9, quad_from_box((10, y, 200, y + 30))) for t, y in (("NAME", 95), ("STREET", 130),
    ...                                                                            ("TOWN", 165))]
    >>> _best_window(Page("b.jpg", 1, 1000, 1000, tuple(rows)), ZoneLocator(box=(0.0, 0.1, 0.5, 0.2)), [0, 1, 2], 2)
    [1, 2]
    """
    if len(lines) <= count:
        return lines
    top, bottom = zone.box[1] * page.height, zone.box[3] * page.height

    def covered(i: int) -> float:
        y0, y1 = page.lines[i].bbox[1], page.lines[i].bbox[3]
        return max(0.0, min(y1, bottom) - max(y0, top)) / max(y1 - y0, 1e-6)

    starts = range(len(lines) - count + 1)
    best = max(starts, key=lambda k: (sum(covered(i) for i in lines[k : k + count]), -k))
    return lines[best : best + count]


def zone_candidates(ctx: PageContext, name: str, zone: ZoneLocator) -> Iterator[Candidate]:
    """The text inside the zone, moved by the page's layout (an inline label in it is cut off).

    Lines much smaller than the zone's tallest (labels) are passed over; for a one-line zone each
    remaining line is offered in turn, top to bottom, so a stray line the type rejects does not hide the value.
    """
    if ctx.offset is None:
        return
    placed = ctx.offset.apply(zone)
    inside = [i for i in zone_lines(ctx.page, placed) if i not in ctx.titles]
    if not inside:
        return
    if len(inside) < zone.lines:
        inside = _line_just_above(ctx, placed, inside) + inside
    head = None
    first_hits = [h for h in ctx.hits[inside[0]] if h.field == name]
    if first_hits:
        head = _same_line_value(ctx, first_hits[0])
        inside = inside[1:]
        if head is None and not inside:
            return
    if any(ctx.hits[i] for i in inside):  # another field's label inside: the page is not where we think
        return
    small = _faint_lines(ctx.page, inside, confidence=1.01)  # under 0.85 of the zone's tallest (or ending in ":")
    inside = [i for i in _value_lines(ctx.page, inside) if not ctx.garbled_label(i, name)
              and not (i in small and ctx.label_words(i, name))]
    if head is None and not inside:
        return
    faint = _faint_lines(ctx.page, inside)
    if zone.lines > 1 and len(inside) > 1 and _small_label(ctx, name, inside[0], inside[1], len(inside) > zone.lines,
                                                           block=True):
        inside = inside[1:]  # the field's own label, misread, printed small above the block
    if zone.lines > 1 or head is not None:  # a block: a line that reads as a label is no part of it
        block = ([i for i in inside if i not in ctx.label_lines and i not in faint]
                 or [i for i in inside if i not in ctx.label_lines] or inside)
        groups = [_best_window(ctx.page, placed, block, zone.lines) if head is None else block[: zone.lines]]
    else:  # values before lines that read as labels, confident full-size lines before faint ones, then small
        # unsure ones (a label printed small, misread: ``Nost`` for "Nom" at 0.73; small print read surely is a value).
        # Offered last: the top one of more lines than the zone holds when it reads loosely like the field's own
        # label and the next does not (``Sormme`` over ``Foster-Pisher`` for "Surname"), then a line opening with
        # another field's garbled label (that field's value); such a label alone is never offered
        inside = [i for i in inside if not ctx.other_label_alone(i, name)]
        small = _faint_lines(ctx.page, inside, confidence=0.9)
        own = inside[0] if len(inside) > 1 and _small_label(ctx, name, inside[0], inside[1], extra=True) and not (
            ctx.garbled_label(inside[1], name, min_score=60.0)) else None
        groups = [[i] for i in sorted(ctx.values_first(inside), key=lambda i: (
            i == own, ctx.opens_with_other_label(i, name), i in faint, i in small))]
    for picked in groups:
        cand = _from_lines(ctx, picked, head)
        text = cand.text if head is not None else ctx.strip_glued_label(strip_unread_label(cand.text), name)
        conf = cand.confidence if ctx.offset.confirmed else cand.confidence * 0.85
        yield Candidate(text, conf, cand.box, cand.page, cand.source)


def strip_unread_label(text: str) -> str:
    """A zone's text without a leading ``words:`` prefix (an inline label the OCR garbled past recognition).

    >>> strip_unread_label("Ndecoke:5137817928"), strip_unread_label("N0uveau s0lde : 5.053,18 EUR")
    ('5137817928', '5.053,18 EUR')
    >>> strip_unread_label("N:190279992369")
    '190279992369'
    >>> strip_unread_label("12:30"), strip_unread_label("ERIKSSON")
    ('12:30', 'ERIKSSON')
    """
    first, sep, rest = text.partition(":")
    if not sep or not rest.strip() or "\n" in first:
        return text
    letters = sum(ch.isalpha() for ch in first)
    if letters < 1 or letters < 0.7 * len(first.replace(" ", "")):
        return text
    return rest.strip()


def regex_candidates(ctx: PageContext, rx: RegexLocator) -> Iterator[Candidate]:
    """Matches of a pattern over the page text (lines joined by newlines)."""
    text = ctx.page.text
    starts = [0]
    for line in ctx.page.lines:
        starts.append(starts[-1] + len(line.text) + 1)
    for m in rx.compiled().finditer(text):
        group = "value" if "value" in m.re.groupindex else (1 if m.re.groups else 0)
        value = m.group(group)
        if not value:
            continue
        index = max(i for i, s in enumerate(starts[:-1]) if s <= m.start(group))
        line = ctx.page.lines[index]
        yield Candidate(value, line.confidence, line.bbox, ctx.page.page, ctx.source)

