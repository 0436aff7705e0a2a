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

The page they search is a :class:`~kyc_ocr.extract.context.PageContext`; where a template's zones sit
on it is a :class:`~kyc_ocr.extract.layout.Layout`.

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

from collections.abc import Iterator, Sequence

from kyc_ocr.domain import Box, Page, TextLine  # noqa: F401 - TextLine: the module doctest
from kyc_ocr.extract.context import Candidate, PageContext, _height, union
from kyc_ocr.extract.labels import LabelHit, span_box, strip_separators
from kyc_ocr.extract.layout import (
    Layout,
    assumed_layout,
    layout_offset,
    registered_layout,
    zone_lines,
)
from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX
from kyc_ocr.templates.schema import LabelLocator, RegexLocator, ZoneLocator

__all__ = ["Candidate", "Layout", "PageContext", "assumed_layout", "label_candidates", "layout_offset",
           "regex_candidates", "registered_layout", "strip_unread_label", "union", "zone_candidates", "zone_lines"]


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
        later: list[Candidate] = []
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
                    same = Candidate(cand.text, conf, cand.box, cand.page, cand.source)
                    # a label printed small over a bigger value: what follows it on its line is more label (the
                    # second language of "Surname / Nom" read "Sumame: Noth"), offered only after the value below
                    small = not numbered and "below" in opts.directions and _big_value_below(ctx, hit, box, opts)
                    if small:
                        later.append(same)
                    else:
                        yield same
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
        yield from later


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

