"""OCR-confusion repair of a machine-readable zone, constrained by ICAO character classes.

Three steps, each reporting every change it makes as a :class:`Correction`:

1. line lengths off by one or two: add or drop fillers where the check digits
   (or, on a name line, the end of the line) say so;
2. deterministic class fixes: a letter in a digit-only position (``O`` -> ``0``)
   or a digit in a letter-only position (``0`` -> ``O``) cannot be right;
3. a bounded search over the ambiguous characters of alphanumeric fields
   (``0``/``O``, ``1``/``I``, ``8``/``B``, ``K``/``<`` ...) accepted only when it
   makes every check digit pass, with the fewest changes; among equally small
   repairs the one whose letters/digits fit their neighbours wins, if unique,
   and never one that forces a letter between digits (or a digit between letters).

>>> lines, fixes = repair_lines(["P<UT0ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
...                              "L898902C36UT07408122F1204159ZE184226B<<<<<10"], LAYOUTS["TD3"])
>>> lines[1][10:13], [(c.line, c.position, c.before, c.after) for c in fixes]
('UTO', [(1, 5, '0', 'O'), (2, 13, '0', 'O')])
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any

from anyascii import anyascii

from kyc_ocr.extract.mrz_layout import (
    CLASS_CHARS,
    FILLER,
    LAYOUTS,
    Layout,
    evaluate_checks,
)

log = logging.getLogger(__name__)

# A letter read where only a digit may stand, and the other way round.
DIGIT_FOR = {"O": "0", "Q": "0", "D": "0", "U": "0", "I": "1", "L": "1", "Z": "2", "S": "5",
             "G": "6", "T": "7", "B": "8", "A": "4"}
LETTER_FOR = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "7": "T", "8": "B"}
SEX_FOR = {"H": "M", "N": "M", "K": FILLER}
# Characters an OCR engine confuses in alphanumeric fields (tried by the check-digit search).
# Pairs whose values differ by a multiple of 10 (G/6, L/1, K/<) are left out: no 7-3-1 check
# digit can tell them apart, so a search could not confirm them (K in padding is fixed by position).
# M and N blur into each other in OCR-B on a shaken photo (their middle strokes run together), and so do
# Y and V (the stem lost).
AMBIGUOUS = {"0": "OD", "O": "0", "D": "0", "Q": "0O", "1": "I", "I": "1", "8": "B", "B": "8",
             "5": "S", "S": "5", "2": "Z", "Z": "2", "C": FILLER, "M": "N", "N": "M", "Y": "V", "V": "Y"}
# Letters read as a filler (X's crossing strokes blur into a chevron); tried only for a filler
# inside a field, between two other characters. K is left out: its value is a filler's plus 20.
INNER_FILLER = "XCEL"
# Glyphs a filler is misread as in the padding of a name field.
FILLER_LOOKALIKES = set("KCELX(")
MAX_TRIALS = 6000
# One check digit carries about 3.3 bits: searching more changes than this finds chance passes.
MAX_CHANGES = 2


@dataclass(frozen=True)
class Correction:
    """One change made to the OCR text; line and position are 1-based like ICAO's tables.

    ``position`` 0 means the whole line (a length fix).
    """

    line: int
    position: int
    before: str
    after: str
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "position": self.position, "from": self.before,
                "to": self.after, "why": self.why}


def repair_lines(lines: list[str], layout: Layout) -> tuple[list[str], list[Correction]]:
    """Fix lengths, character classes and check-digit-confirmed confusions (see module doc)."""
    fixes: list[Correction] = []
    lines = _fix_lengths(list(lines), layout, fixes)
    lines = _fix_classes(lines, layout, fixes)
    lines = _fix_name_padding(lines, layout, fixes)
    lines = _search_confusions(lines, layout, fixes)
    return lines, fixes


def _fix_classes(lines: list[str], layout: Layout, fixes: list[Correction]) -> list[str]:
    out = []
    for li, line in enumerate(lines):
        chars = list(line)
        for pos, ch in enumerate(chars):
            cls = layout.char_class(li, pos)
            if ch in CLASS_CHARS[cls]:
                continue
            if ch not in CLASS_CHARS["X"]:
                new, why = _homoglyph(ch), "not an MRZ character"
            elif cls in "NC" and ch in DIGIT_FOR:
                new, why = DIGIT_FOR[ch], "digit-only position"
            elif cls == "A" and ch in LETTER_FOR:
                new, why = LETTER_FOR[ch], "letter-only position"
            elif cls == "S" and ch in SEX_FOR:
                new, why = SEX_FOR[ch], "sex position (M, F or <)"
            else:
                continue
            fixes.append(Correction(li + 1, pos + 1, ch, new, why))
            chars[pos] = new
        out.append("".join(chars))
    return out


def _homoglyph(ch: str) -> str:
    """The MRZ character a foreign glyph stands for (Cyrillic ``О`` -> ``O``), else a filler."""
    ascii_text = anyascii(ch).upper()
    return ascii_text if len(ascii_text) == 1 and ascii_text in CLASS_CHARS["X"] else FILLER


def _padding_start(names: str) -> int:
    """Where the padding of a name field starts (``len(names)`` when it has none).

    Padding is what follows ``<<<``, or an earlier run of at least three "words" that are each
    one look-alike glyph repeated (``C<CC<CC<CCC``: fillers read as ``C``) ending the field: no
    one's names end so, while one or two such words may be initials (``JOHN<C``, ``ANNA<CC``).

    >>> _padding_start("MACEDO<LEITE<<ISMAEL<C<CC<CC<CCC<<<<<<<")
    20
    >>> f = "SMITH<<JOHN<C<<<<<<<<"; _padding_start(f), f.find("<<<")
    (13, 13)
    >>> _padding_start("A<<CC<<<<<<<<<")
    5
    >>> _padding_start("LEE<<ALEX<LEE<<<<<")
    13
    """
    end = names.find("<<<")
    end = len(names) if end < 0 else end
    words = names[:end].split(FILLER)
    run = 0
    while run < len(words) - 1 and (w := words[-1 - run]) and w[0] in FILLER_LOOKALIKES and w == w[0] * len(w):
        run += 1
    if run >= 3:
        return len(FILLER.join(words[: len(words) - run]))
    return end


def _fix_name_padding(lines: list[str], layout: Layout, fixes: list[Correction]) -> list[str]:
    """Misread fillers (K, C, E...) in padding go back to ``<``.

    In the name field the padding is found by :func:`_padding_start`; in other alphanumeric
    fields a lone look-alike with two fillers on one side and one on the other
    (``<<K<``) is. Check digits cannot judge ``K`` against ``<`` (their values differ by 20).
    """
    lines = list(lines)
    for spec in layout.fields:
        if spec.cls not in "AX" or spec.length < 4:
            continue
        chars = list(lines[spec.line])
        field = "".join(chars[spec.start : spec.end]) + "<<"
        if spec.name == "names":
            spots = range(_padding_start(field), spec.length)
        else:
            spots = range(spec.length)
        for i in spots:
            ch = field[i]
            before, after = field[max(i - 2, 0) : i], field[i + 1 : i + 3]
            lone = (before == "<<" and after[:1] == FILLER) or (before[-1:] == FILLER and after == "<<")
            if ch in FILLER_LOOKALIKES and (spec.name == "names" or (i >= 1 and lone)):
                fixes.append(Correction(spec.line + 1, spec.start + i + 1, ch, FILLER, "filler padding"))
                chars[spec.start + i] = FILLER
        lines[spec.line] = "".join(chars)
    return lines


def _length_candidates(line: str, width: int) -> list[tuple[str, bool]]:
    """Lines of the right length made by adding/dropping fillers; flag: change at the line end."""
    diff = width - len(line)
    cands: list[tuple[str, bool]] = []
    if diff > 0:
        cands.append((line + FILLER * diff, True))
        spots = [i for i in range(len(line) + 1) if FILLER in line[max(i - 1, 0) : i + 1]]
        for combo in itertools.combinations_with_replacement(spots, diff):
            text = line
            for i in sorted(combo, reverse=True):
                text = text[:i] + FILLER + text[i:]
            cands.append((text, False))
    else:
        cands.append((line[:width], True))
        spots = [i for i, ch in enumerate(line) if ch == FILLER]
        for combo in itertools.combinations(spots, -diff):
            cands.append(("".join(ch for i, ch in enumerate(line) if i not in combo), False))
    return cands


def _fix_lengths(lines: list[str], layout: Layout, fixes: list[Correction]) -> list[str]:
    for li, line in enumerate(lines):
        if len(line) == layout.width:
            continue
        relevant = [c.name for c in layout.checks if any(p[0] == li for p in c.parts) or c.digit[0] == li]
        scored: dict[str, tuple[int, bool]] = {}
        for text, at_end in _length_candidates(line, layout.width):
            # lines not fixed yet are padded or cut at the end just to judge this one
            others = [t[: layout.width].ljust(layout.width, FILLER) for t in lines]
            trial = _fix_classes([*others[:li], text, *others[li + 1 :]], layout, [])
            checks = evaluate_checks(layout, trial)
            passed = sum(checks[name] for name in relevant)
            prev = scored.get(text)
            scored[text] = (passed, at_end or (prev is not None and prev[1]))
        best = max(scored.values())[0]
        tops = [t for t, (p, _) in scored.items() if p == best]
        ends = [t for t in tops if scored[t][1]]
        chosen = tops[0] if len(tops) == 1 else (ends[0] if ends else tops[0])
        why = f"line {li + 1} had {len(line)} characters, expected {layout.width}"
        if len(tops) > 1 and not ends:
            why += " (ambiguous: first candidate kept)"
        fixes.append(Correction(li + 1, 0, line, chosen, why))
        lines[li] = chosen
    return lines


def _lookalike(old: str, new: str) -> bool:
    """Whether OCR could have read ``new`` as ``old`` (a confusable pair, or a filler either way)."""
    pairs = {(old, new), (new, old)}
    return (old == FILLER or (new == FILLER and old in FILLER_LOOKALIKES)
            or any(b in AMBIGUOUS.get(a, "") or DIGIT_FOR.get(a) == b or LETTER_FOR.get(a) == b for a, b in pairs))


def with_number(lines: list[str], layout: Layout, number: str) -> list[str] | None:
    """``lines`` with the document number field holding ``number`` (filler-padded), when every
    changed character is one OCR could have misread it as and every check digit then passes;
    ``None`` otherwise. The visual zone's reading can so settle what check digits cannot (``XX``
    read ``<<`` or ``G`` read ``6`` change no 7-3-1 check digit).

    >>> with_number(["I<UTO<<09752276<<<<<<<<<<<<<<<", "5401082M2711117UTO<<<<<<<<<<<4",
    ...              "BACHANEK<<JEREMI<KAROL<<<<<<<<"], LAYOUTS["TD1"], "XX0975227")[0]
    'I<UTOXX09752276<<<<<<<<<<<<<<<'
    >>> with_number(["I<UTO<<09752276<<<<<<<<<<<<<<<", "5401082M2711117UTO<<<<<<<<<<<4",
    ...              "BACHANEK<<JEREMI<KAROL<<<<<<<<"], LAYOUTS["TD1"], "XX0975228") is None
    True
    """
    spec = layout.field("document_number")
    if not number.isalnum() or len(number) > spec.length:
        return None
    line = lines[spec.line]
    old, new = line[spec.start : spec.start + spec.length], number.upper().ljust(spec.length, FILLER)
    if old == new or not all(a == b or _lookalike(a, b) for a, b in zip(old, new, strict=True)):
        return None
    out = list(lines)
    out[spec.line] = line[: spec.start] + new + line[spec.start + spec.length :]
    return out if all(evaluate_checks(layout, out).values()) else None


def _alternatives(line: str, pos: int) -> str:
    """What the character at ``pos`` may have been misread from: :data:`AMBIGUOUS`, and for a filler
    standing between two other characters (``M<8935127``: no field has a gap) the letters a filler
    is mistaken for (:data:`INNER_FILLER`)."""
    ch = line[pos]
    if ch == FILLER and 0 < pos < len(line) - 1 and FILLER not in (line[pos - 1], line[pos + 1]):
        return AMBIGUOUS.get(ch, "") + INNER_FILLER
    return AMBIGUOUS.get(ch, "")


def _search_positions(lines: list[str], layout: Layout, failing: set[str]) -> list[tuple[int, int]]:
    """Alphanumeric positions with a confusable character whose checks all fail."""
    positions = []
    for li, line in enumerate(lines):
        for pos, _ch in enumerate(line):
            if layout.char_class(li, pos) != "X" or not _alternatives(line, pos):
                continue
            names = {c.name for c in layout.covering_checks(li, pos)}
            if names and names <= failing:
                positions.append((li, pos))
    return positions


def _search_confusions(lines: list[str], layout: Layout, fixes: list[Correction]) -> list[str]:
    checks = evaluate_checks(layout, lines)
    failing = {name for name, ok in checks.items() if not ok}
    if not failing:
        return lines
    positions = _search_positions(lines, layout, failing)
    trials = 0
    for k in range(1, MAX_CHANGES + 1):
        solutions: list[list[str]] = []
        for combo in itertools.combinations(positions, k):
            for subs in itertools.product(*(_alternatives(lines[li], pos) for li, pos in combo)):
                trials += 1
                if trials > MAX_TRIALS:
                    log.debug("MRZ repair search stopped after %d trials", MAX_TRIALS)
                    return lines
                trial = [list(line) for line in lines]
                for (li, pos), new in zip(combo, subs):
                    trial[li][pos] = new
                joined = ["".join(t) for t in trial]
                if all(evaluate_checks(layout, joined).values()):
                    solutions.append(joined)
        fixed = _most_plausible(solutions, lines, layout)
        if fixed is not None:
            for li, (old, new) in enumerate(zip(lines, fixed)):
                for pos, (a, b) in enumerate(zip(old, new)):
                    if a != b:
                        fixes.append(Correction(li + 1, pos + 1, a, b, "check digits confirm"))
            return fixed
        if solutions:
            log.debug("MRZ repair: %d equally plausible repairs, none applied", len(solutions))
            return lines
    return lines


def _kind(ch: str) -> int:
    return 1 if ch.isdigit() else (-1 if ch.isalpha() else 0)


def _context(line: str, pos: int, new: str, layout: Layout, li: int) -> int:
    """+1 per alphanumeric neighbour of the same kind (digit/letter) as ``new``, -1 per other kind."""
    score = 0
    for npos in (pos - 1, pos + 1):
        if 0 <= npos < len(line) and layout.char_class(li, npos) == "X":
            score += _kind(line[npos]) * _kind(new)
    return score


def _most_plausible(solutions: list[list[str]], lines: list[str], layout: Layout) -> list[str] | None:
    """Among equally small repairs, the one whose changes best fit their neighbours (if unique).

    A check digit cannot tell ``2E184226B`` -> ``ZE184226B`` from ``2E1B4226B``:
    both pass. A letter between letters or a digit between digits is likelier.
    """
    if not solutions:
        return None
    scored = []
    for sol in solutions:
        score = sum(
            _context(sol[li], pos, sol[li][pos], layout, li)
            for li, (old, new) in enumerate(zip(lines, sol))
            for pos, (a, b) in enumerate(zip(old, new))
            if a != b
        )
        scored.append((score, sol))
    scored.sort(key=lambda t: t[0], reverse=True)
    if scored[0][0] < 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None  # a letter forced between digits (or the reverse), or a tie: no repair
    return scored[0][1]


__all__ = ["LAYOUTS", "Correction", "repair_lines", "with_number"]
