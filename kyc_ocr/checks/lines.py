"""Multi-line fields (addresses) re-read line by line against another document's value.

A recogniser reads one line at a time, so a two-line address is re-read as its two
OCR lines: the other document's address is cut into as many parts, each part where
it reads closest to the line it is tested on, and each line is re-read against its
part (:mod:`kyc_ocr.checks.reread` plans them; the checks hold each line to the re-read threshold).

>>> split_like("0023 SHELLEY LODGE SUITE 848, EAST ANTHONY, CA 90162",
...            ["6029 SHELLEY LODGE SUITE 846", "EAST ANTHONY, GA 90162"])
['0023 SHELLEY LODGE SUITE 848', 'EAST ANTHONY, CA 90162']
>>> split_like("Kaliforniensvej 80, 3186 Løkken", ["Kaliforniensvej 60", "3186 Løkken"])
['Kaliforniensvej 80', '3186 Løkken']
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from rapidfuzz import fuzz

from kyc_ocr.checks.base import CheckContext, doc_ref
from kyc_ocr.domain import Box, ExtractedDocument, Field, FieldSource, bbox_of
from kyc_ocr.extract.labels import fold

MAX_LINES = 4  # a field of more lines is not re-read line by line


def split_like(value: str, lines: Sequence[str]) -> list[str] | None:
    """``value`` cut at word boundaries into ``len(lines)`` parts, where the parts read closest to
    ``lines`` (folded); a comma the line does not end with is dropped at a cut. ``None`` when
    ``value`` has fewer words than there are lines."""
    words = value.split()
    k = len(lines)
    if not k or len(words) < k:
        return None
    folded = [fold(line) for line in lines]
    best: tuple[float, list[str]] | None = None
    for cuts in itertools.combinations(range(1, len(words)), k - 1):
        bounds = (0, *cuts, len(words))
        parts = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
        score = sum(fuzz.ratio(fold(p), f) for p, f in zip(parts, folded))
        if best is None or score > best[0]:
            best = (score, parts)
    assert best is not None
    return [p if line.rstrip().endswith(",") else p.rstrip(",") for p, line in zip(best[1], lines)]


def cased_like(value: str, printed: str) -> str:
    """``value`` in the letter case ``printed`` uses: all capitals, all small, or word by word (a word
    printed in capitals among others stays so: ``East Anthony, CA``).

    >>> cased_like("JARGIŁO", "Jargite"), cased_like("van der Berg", "VAN DER BERC"), cased_like("ANNA", "anna")
    ('Jargiło', 'VAN DER BERG', 'anna')
    >>> cased_like("JAN VAN DER BERG", "Jan van der Berq"), cased_like("IAN ALLEN RILEY", "lan Allen Riley")
    ('Jan van der Berg', 'Ian Allen Riley')
    >>> cased_like("IAN", "lan"), cased_like("IAN", "LAN")  # a capital I read as a small l
    ('Ian', 'IAN')
    >>> cased_like("EAST ANTHONY, CA", "East Anthony, GA"), cased_like("1, chemin Michaud", "1. dhemin Midhaud")
    ('East Anthony, CA', '1, chemin Michaud')
    """
    shown = printed.split()
    words = value.split()
    # a small "l" where the value has an "I" is that capital misread ("lan" for "Ian"): the word is capitalised
    capital_i = [i < len(shown) and shown[i][:1] == "l" and w[:1] in "Ii" for i, w in enumerate(words)]
    letters = [c for i, word in enumerate(shown) for j, c in enumerate(word)
               if c.isalpha() and not (j == 0 and i < len(capital_i) and capital_i[i])]
    if letters and all(c.isupper() for c in letters):
        return value.upper()
    out = []
    for i, word in enumerate(words):
        mine = shown[i] if i < len(shown) else ""
        small = mine[:1].islower() and not capital_i[i]
        if letters and all(c.islower() for c in letters):
            out.append(word[:1].upper() + word[1:].lower() if capital_i[i] else word.lower())
        elif len(mine.strip(",.")) > 1 and mine.isupper():  # a word printed in capitals among others ("CA")
            out.append(word.upper())
        else:
            out.append(word.lower() if small else "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(out)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def field_lines(doc: ExtractedDocument, field: Field) -> list[Field]:
    """The OCR lines a multi-line visual field was read from, each as a :class:`Field` named
    ``"<field> line N"`` (its text, box and corners the line's); empty when the field is one line,
    not visual, or a line of it cannot be found on its page."""
    raw = [line for line in (field.raw or "").split("\n") if line.strip()]
    if field.source is not FieldSource.VISUAL or field.box is None or not 2 <= len(raw) <= MAX_LINES:
        return []
    page = next((p for p in doc.pages if p.page == field.page), None)
    if page is None:
        return []
    out: list[Field] = []
    for n, text in enumerate(raw, start=1):
        found = [ln for ln in page.lines if ln.text.endswith(text) and _overlaps(bbox_of(ln.quad), field.box)]
        if not found:
            return []
        line = min(found, key=lambda ln: len(ln.text))
        out.append(Field(f"{field.name} line {n}", text, text, line.confidence, FieldSource.VISUAL, field.page,
                         bbox_of(line.quad), line.quad))
    return out


def line_hypotheses(doc: ExtractedDocument, field: Field, value: str) -> list[tuple[Field, str]]:
    """Each line of ``doc``'s multi-line ``field`` with the part of ``value`` (another document's) it
    is tested against, written as the line prints; lines that already read so are left out. Empty
    when the field is not read line by line (see :func:`field_lines`) or ``value`` cannot be cut."""
    lines = field_lines(doc, field)
    parts = split_like(value, [ln.value for ln in lines]) if lines else None
    if parts is None:
        return []
    return [(ln, tested) for ln, part in zip(lines, parts) if fold(tested := cased_like(part, ln.value)) != fold(ln.value)]


def lines_reread(ctx: CheckContext, doc: ExtractedDocument, field: Field, value: str) -> dict[str, Any] | None:
    """Evidence that ``doc``'s ``field``, re-read line by line, gives ``value``: each line within the
    policy's ``reread_max_cost`` (a line is read as one field is), the total cited; ``None`` when a
    line does not or cannot be re-read."""
    limit = ctx.policy.thresholds.reread_max_cost
    tries = line_hypotheses(doc, field, value)
    if ctx.reread is None or limit <= 0 or not tries:
        return None
    found = [r for line, part in tries if (r := ctx.reread(doc, line, part)) is not None and r.cost <= limit]
    if len(found) < len(tries):
        return None
    return {**doc_ref(doc), "field": field.name, "lines": [r.to_dict() for r in found],
            "cost": round(sum(r.cost for r in found), 3), "max_cost_per_line": limit}


def lines_tried(ctx: CheckContext, doc: ExtractedDocument, field: Field, value: str) -> list[dict[str, Any]]:
    """Every line re-read of ``doc``'s ``field`` as ``value`` that was measured, accepted or not (evidence for
    a person: how far the pixels were from the other document's address), each with its line's name."""
    if ctx.reread is None:
        return []
    return [{"line": line.name, **r.to_dict()} for line, part in line_hypotheses(doc, field, value)
            if (r := ctx.reread(doc, line, part)) is not None]


def blends(a: str, b: str, max_words: int = 3) -> list[str]:
    """Two readings of one value (an address on two documents) with their differing words mixed: each
    word from either reading, the two readings themselves left out. Two photos misread in different
    places (``20399 Saiint`` on one, ``20390 Saint`` on the other) print what neither reads alone.
    Empty when the readings differ in their word count, in one word only, or in more than ``max_words``.

    >>> blends("84, rue de Bouvier, 20399 Saiint Benjamin", "84, rue de Bouvier, 20390 Saint Benjamin")
    ['84, rue de Bouvier, 20399 Saint Benjamin', '84, rue de Bouvier, 20390 Saiint Benjamin']
    >>> blends("12 Rose Ave", "12 Rose Avenue"), blends("12 Rose Ave", "12 Rose Ave Leeds")
    ([], [])
    """
    wa, wb = a.split(" "), b.split(" ")
    if len(wa) != len(wb):
        return []
    differ = [i for i, (x, y) in enumerate(zip(wa, wb)) if fold(x) != fold(y)]
    if not 2 <= len(differ) <= max_words:
        return []
    out = []
    for picks in itertools.product((wa, wb), repeat=len(differ)):
        if all(p is wa for p in picks) or all(p is wb for p in picks):
            continue
        words = list(wa)
        for i, source in zip(differ, picks):
            words[i] = source[i]
        out.append(" ".join(words))
    return out


def blend_reread(ctx: CheckContext, a: ExtractedDocument, b: ExtractedDocument, field: str) -> dict[str, Any] | None:
    """Evidence that both documents' ``field``, re-read line by line (:func:`lines_reread`), give one of the
    :func:`blends` of their two readings; ``None`` when none does."""
    for value in blends(a.value(field) or "", b.value(field) or ""):
        first = lines_reread(ctx, a, a.fields[field], value)
        second = lines_reread(ctx, b, b.fields[field], value) if first is not None else None
        if first is not None and second is not None:
            return {"source": f"{a.source} and {b.source}", "blend": value, "documents": [first, second],
                    "cost": round(first["cost"] + second["cost"], 3),
                    "max_cost_per_line": ctx.policy.thresholds.reread_max_cost}
    return None


__all__ = ["blend_reread", "blends", "cased_like", "field_lines", "line_hypotheses", "lines_reread", "lines_tried",
           "split_like"]
