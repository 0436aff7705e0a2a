"""One OCR'd page as the locators see it: its lines, the template's labels found on them, its layout.

:class:`PageContext` is built once per page (:meth:`PageContext.build`) and answers the questions the
locators ask about a line: is it (a garbled) label of this field or another, a title, a label prefix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz

from kyc_ocr.domain import Box, FieldSource, Page
from kyc_ocr.extract.labels import LabelHit, find_labels, fold, label_like, label_ratio
from kyc_ocr.ocr.common import TEXT_LAYER_SUFFIX

if TYPE_CHECKING:
    from kyc_ocr.extract.layout import Layout


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
