"""Printed labels on OCR lines: fuzzy, multilingual, word-aligned, most specific first.

Text is *folded* before comparison: accents dropped, upper case, ``°``/``º``
read as ``O``, every run of punctuation and spaces one space. A label of at
most four folded characters must appear as a whole word; a longer one is
found with rapidfuzz's ``partial_ratio`` alignment, widened to whole words and
re-scored, so ``NOM`` never matches inside ``NOMBRES`` and ``NAME`` never
inside ``GIVEN NAMES``. When labels of several fields match on one line the
longest label wins its characters (``Date of birth`` beats ``Date``).

>>> fold("Né(e) le : 04.09.1961")
'NE E LE 04 09 1961'
>>> line = TextLine("Given names / Prénoms / Nombres", 0.9, ((0, 0), (310, 0), (310, 20), (0, 20)))
>>> [(h.field, line.text[h.start:h.end]) for h in find_labels([line], {"surname": ("Nom", "Surname"),
...     "given_names": ("Given names", "Prénoms", "Nombres")})[0]]
[('given_names', 'Given names / Prénoms / Nombres')]
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from kyc_ocr.domain import Box, TextLine

SHORT = 4  # folded labels this short must match a whole word exactly
_SEPARATORS = set(" /|:-,.;")
_ATTACHED = set(")]}.°º:")


def _fold_char(ch: str) -> str:
    if ch in "°º":
        return "O"
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    base = base.upper().replace("ß", "SS")
    return "".join(c if c.isalnum() else " " for c in base)


def fold_map(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each folded character, the index of the original character it came from.

    >>> fold_map("N° 5")
    ('NO 5', [0, 1, 2, 3])
    """
    out: list[str] = []
    pos: list[int] = []
    for i, ch in enumerate(text):
        for c in _fold_char(ch):
            if c == " " and (not out or out[-1] == " "):
                continue
            out.append(c)
            pos.append(i)
    while out and out[-1] == " ":
        out.pop()
        pos.pop()
    return "".join(out), pos


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Folded form of ``text`` (see the module docstring)."""
    return fold_map(text)[0]


def _word_span(folded: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and folded[start - 1] != " ":
        start -= 1
    while end < len(folded) and folded[end] != " ":
        end += 1
    return start, end


def match_label(label: str, folded_line: str, min_score: float = 86.0) -> tuple[float, int, int] | None:
    """``(score, start, end)`` of ``label`` in a folded line (positions in the folded line), or ``None``.

    >>> match_label("Date of birth", fold("3. Date 0f birth / Date de naissance"))
    (92.3076923076923, 2, 15)
    >>> match_label("Nom", fold("Nombres")) is None, match_label("Nom", fold("Nom / Surname"))
    (True, (100.0, 0, 3))

    A long label misread glyph for glyph (``rn`` read ``m``) is found on the lines' :func:`glyph_skeleton`:

    >>> match_label("Surname", fold("Sumame/Nom /Apelidos"))
    (100.0, 0, 6)

    A word that only begins with the label is another word (``HEIGHTS`` in an address is no "HEIGHT"):

    >>> match_label("Height", fold("1515 MICHAEL HEIGHTS APT. 710")) is None, match_label("Height", fold("16 HEIGHT"))
    (True, (100.0, 3, 9))
    """
    key = fold(label)
    if not key or not folded_line:
        return None
    if len(key) <= SHORT:
        m = re.search(rf"(?<![A-Z0-9]){re.escape(key)}(?![A-Z0-9])", folded_line)
        return (100.0, m.start(), m.end()) if m else None
    found = _match_long(key, folded_line, min_score)
    if found is None:
        skeleton, where = skeleton_map(folded_line)
        found = _match_long(glyph_skeleton(key), skeleton, min_score)
        if found is None:
            return None
        score, start, end = found
        found = score, where[start][0], where[end - 1][1]
    span = folded_line[found[1]:found[2]]
    if len(span) > len(key) and span.startswith(key) and span[len(key)].isalpha():
        return None
    return found


def _match_long(key: str, folded_line: str, min_score: float) -> tuple[float, int, int] | None:
    if len(folded_line) < len(key) * 0.8:
        return None
    al = fuzz.partial_ratio_alignment(key, folded_line, score_cutoff=min_score)
    if al is not None:
        start, end = _word_span(folded_line, al.dest_start, al.dest_end)
        span = folded_line[start:end]
        score = fuzz.ratio(key, span)
        # fewer words than the label: the words must run together, not stop short ("DOCUMENTO" is no "DOCUMENT NO")
        merged = span.count(" ") >= key.count(" ") or fuzz.ratio(key.replace(" ", ""), span.replace(" ", "")) >= 95
        if score >= min_score and merged:
            return score, start, end
    return _match_unspaced(key, folded_line, min_score)


def _match_unspaced(key: str, folded_line: str, min_score: float) -> tuple[float, int, int] | None:
    """A long label found with every space ignored: the OCR often runs words together (``CARTENATIONALE``).

    >>> _match_unspaced("CARTE NATIONALE D IDENTITE", "CARTENATIONALEDIDENIITE", 86.0)
    (95.65217391304348, 0, 23)
    >>> _match_unspaced("DATE OF BIRTH", "DATE OF ISSUE", 86.0), _match_unspaced("PASAPORTE NO", "PASAPORTE", 86.0)
    (None, None)
    >>> _match_unspaced("DOCUMENT NO", "3 DOCUMENTO DE IDENTIDAD", 86.0) is None  # not inside other words
    True
    """
    compact_key = key.replace(" ", "")
    if " " not in key or len(compact_key) < 12:
        return None
    where = [i for i, ch in enumerate(folded_line) if ch != " "]
    compact = folded_line.replace(" ", "")
    al = fuzz.partial_ratio_alignment(compact_key, compact, score_cutoff=min_score - 10)
    if al is None or al.dest_end <= al.dest_start:
        return None
    start, end = _word_span(folded_line, where[al.dest_start], where[al.dest_end - 1] + 1)  # whole words
    span = folded_line[start:end]
    if span.count(" ") >= key.count(" "):  # no words run together: the spaced match decides
        return None
    seg = span.replace(" ", "")
    score = fuzz.ratio(compact_key, seg)
    if score < min_score or len(seg) < 0.9 * len(compact_key):  # most of the label must be there
        return None
    return score, start, end


@dataclass(frozen=True)
class LabelHit:
    """A field's label found on line ``line`` at characters ``start:end`` of its original text."""

    field: str
    line: int
    start: int
    end: int
    score: float
    length: int  # folded length of the best label variant (specificity)


def span_box(line: TextLine, start: int, end: int) -> Box:
    """The part of a line's box that holds characters ``start:end`` (proportional to character count)."""
    x0, y0, x1, y1 = line.bbox
    n = max(1, len(line.text))
    return (x0 + (x1 - x0) * start / n, y0, x0 + (x1 - x0) * end / n, y1)


def _hits_on_line(index: int, line: TextLine, labels: Mapping[str, Sequence[str]], min_score: float
                  ) -> list[LabelHit]:
    folded, pos = fold_map(line.text)
    found: list[LabelHit] = []
    for name, variants in labels.items():
        for variant in variants:
            m = match_label(variant, folded, min_score)
            if m is not None:
                score, s, e = m
                end = pos[e - 1] + 1
                while end < len(line.text) and line.text[end] in _ATTACHED:  # "Prénom(s)", "No.", "N°:"
                    end += 1
                if not _begins_longer_label(variant, name, folded, labels):
                    found.append(LabelHit(name, index, pos[s], end, score, len(fold(variant))))
    # most characters matched first (a longer label matched as well is more specific; an exact label beats a
    # longer one matched loosely: "Fecha de nacimiento" is no "Fecha de vencimiento"); a hit may not overlap
    # characters already claimed
    found.sort(key=lambda h: (-h.length * h.score, -h.length, h.start))
    taken: list[LabelHit] = []
    for hit in found:
        if all(hit.end <= t.start or hit.start >= t.end for t in taken):
            taken.append(hit)
    return _merge(sorted(taken, key=lambda h: h.start), line.text)


def _merge(hits: list[LabelHit], text: str) -> list[LabelHit]:
    """Join neighbouring hits of the same field separated only by ``/``, ``:`` or spaces."""
    out: list[LabelHit] = []
    for hit in hits:
        prev = out[-1] if out else None
        if prev and prev.field == hit.field and set(text[prev.end:hit.start]) <= _SEPARATORS:
            out[-1] = LabelHit(hit.field, hit.line, prev.start, hit.end, max(prev.score, hit.score),
                               max(prev.length, hit.length))
        else:
            out.append(hit)
    return out


def _begins_longer_label(variant: str, name: str, folded: str, labels: Mapping[str, Sequence[str]],
                         min_score: float = 75.0) -> bool:
    """Whether a short label (``Date``) is only the start of another field's longer label (``Date de
    naissance``) which the whole line reads like, misread (``Date de snosnuce``): the line is that label.

    >>> labs = {"application_date": ["Date"], "date_of_birth": ["Date de naissance"]}
    >>> _begins_longer_label("Date", "application_date", fold("Date de snosnuce"), labs)
    True
    >>> _begins_longer_label("Date", "application_date", fold("Date: 28/06/2026"), labs)
    False
    """
    short = fold(variant)
    return any(longer.startswith(short + " ") and label_ratio(longer, folded) >= min_score
               for other, variants in labels.items() if other != name for longer in map(fold, variants))


def find_labels(lines: Sequence[TextLine], labels: Mapping[str, Sequence[str]], min_score: float = 86.0
                ) -> list[list[LabelHit]]:
    """For each line, the label hits on it (left to right), fields competing for characters."""
    return [_hits_on_line(i, line, labels, min_score) for i, line in enumerate(lines)]


# Letter groups a recogniser reads as one glyph (or one glyph as two), both sides mapped the same way.
_MERGED_GLYPHS = (("RN", "M"), ("VV", "W"), ("CL", "D"), ("LI", "H"), ("0", "O"), ("1", "I"), ("5", "S"), ("8", "B"))


def glyph_skeleton(folded: str) -> str:
    """``folded`` with look-alike glyph groups made one (``RN`` → ``M``): misreads and their label meet.

    >>> glyph_skeleton("SURNAME"), glyph_skeleton("SUMANE"), glyph_skeleton("VORNAMEN")
    ('SUMAME', 'SUMANE', 'VOMAMEN')
    """
    return skeleton_map(folded)[0]


@lru_cache(maxsize=8192)
def skeleton_map(folded: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """:func:`glyph_skeleton` of ``folded`` and, per skeleton character, the span of ``folded`` it stands for.

    >>> skeleton_map("SURNAME")
    ('SUMAME', ((0, 1), (1, 2), (2, 4), (4, 5), (5, 6), (6, 7)))
    """
    out: list[str] = []
    where: list[tuple[int, int]] = []
    i = 0
    while i < len(folded):
        for group, glyph in _MERGED_GLYPHS:
            if folded.startswith(group, i):
                out.append(glyph)
                where.append((i, i + len(group)))
                i += len(group)
                break
        else:
            out.append(folded[i])
            where.append((i, i + 1))
            i += 1
    return "".join(out), tuple(where)


def label_ratio(key: str, text: str, **_: object) -> float:
    """How close folded ``text`` reads to folded label ``key``: rapidfuzz ``ratio`` of the two, or of their
    :func:`glyph_skeleton` when that is higher. Usable as a rapidfuzz ``scorer`` (its keywords are ignored:
    ``process.extractOne`` applies the cutoff itself).

    >>> round(label_ratio("SURNAME", "SUMANE")), round(label_ratio("VORNAMEN", "VEMAMEN"))
    (83, 86)
    """
    return max(fuzz.ratio(key, text), fuzz.ratio(glyph_skeleton(key), glyph_skeleton(text)))


def label_like(text: str, labels: Sequence[str], min_score: float = 80.0, min_length: int = 5) -> bool:
    """Whether ``text`` reads as one of ``labels`` (misread) rather than as a value: ``Sumname``, ``Vomamen``.

    Every ``/``-separated part must be close (:func:`label_ratio` on folded text, spaces ignored) to a
    label of at least ``min_length`` folded characters; short labels (``Nom``, ``Sex``) are too close
    to real values to judge this way.

    >>> labs = ("Surname", "Vornamen", "Prénom(s)", "Nom")
    >>> [label_like(t, labs) for t in ("Sumname", "Vomamen", "Prenemls):", "Surname / Vomamen", "Sumane", "Vemamen")]
    [True, True, True, True, True, True]
    >>> [label_like(t, labs) for t in ("ERIKSSON", "Simon", "NOM", "Surname / ERIKSSON", "")]
    [False, False, False, False, False]
    """
    keys = _compact_keys(tuple(labels), min_length)
    parts = [fold(p).replace(" ", "") for p in text.split("/")]
    parts = [p for p in parts if p]
    if not parts or not keys:
        return False
    return all(process.extractOne(p, keys, scorer=label_ratio, score_cutoff=min_score) is not None for p in parts)


@lru_cache(maxsize=64)
def _compact_keys(labels: tuple[str, ...], min_length: int) -> tuple[str, ...]:
    keys = {fold(label).replace(" ", "") for label in labels}
    return tuple(sorted(k for k in keys if len(k) >= min_length))


def strip_separators(text: str) -> str:
    """Trim separators a label leaves around its value.

    >>> strip_separators(" : / VALENTÍN ")
    'VALENTÍN'
    """
    return text.strip(" /|:;,-–—\t")
