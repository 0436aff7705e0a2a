"""Graded person-name similarity across documents and transliterations.

A name is compared as a bag of tokens, so order does not matter (``Smith John``
is ``John Smith``), separators do not matter (``García-López`` is ``GARCIA
LOPEZ``) and a missing middle name costs a little instead of everything.
Every name is folded several ways and the best pairing wins: ICAO 9303
transliteration (``Müller`` → ``MUELLER``), plain ASCII folding with
``anyascii`` (``Müller`` → ``MULLER``) and the two with ``AE/OE/UE`` collapsed,
so an MRZ's ``MUELLER``, a form's ``Muller`` and a passport's ``Müller`` agree.

Tokens pair up one-to-one, best first: equal tokens score 1, an initial
(``J``) against a name starting with it scores :data:`INITIAL_SCORE`, other
tokens score their rapidfuzz ``ratio`` when it reaches :data:`TOKEN_MIN`
(OCR slips such as ``ERIKSS0N``) and 0 otherwise. The score is the mean over
the shorter name's tokens, minus :data:`MISSING_PENALTY` for each token of the
longer name left over. A name of one token against a longer one is capped at
:data:`SINGLE_TOKEN_CAP`: a surname alone does not identify a person.

Plain ``rapidfuzz.fuzz.token_sort_ratio`` is not used as the score because it
rewards shared letters across different names: ``John Smith`` / ``Jane Smith``
gets 80 there, but 0.45 here.

>>> name_similarity("Anna Maria Eriksson", "ERIKSSON ANNA MARIA")
1.0
>>> name_similarity("Anna Maria Eriksson", "ERIKSSON ANNA")  # middle name left out
0.95
>>> name_similarity("Müller", "MUELLER"), name_similarity("Müller", "MULLER"), name_similarity("MUELLER", "Muller")
(1.0, 1.0, 1.0)
>>> name_similarity("Smith John", "John Smith")
1.0
>>> name_similarity("J. Smith", "John Smith")
0.9
>>> name_similarity("John Smith", "Jane Smith")
0.45
>>> name_similarity("María García López", "MARIA GARCIA-LOPEZ"), name_similarity("García López", "GARCIALOPEZ")
(1.0, 1.0)
>>> name_similarity("Erika Smith", "Smith")
0.6
>>> name_similarity("Peter Nowak", "Anna Eriksson")
0.0
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz import fuzz

from kyc_ocr.extract.labels import glyph_skeleton
from kyc_ocr.extract.normalize import transliterate_icao

INITIAL_SCORE = 0.8
TOKEN_MIN = 0.8
SKELETON_SCORE = 0.95  # two tokens that differ only in look-alike glyphs (``RN``/``M``): a misread
MISSING_PENALTY = 0.05
SINGLE_TOKEN_CAP = 0.6

_SEPARATORS = re.compile(r"[^A-Z0-9]+")
_UMLAUT_DIGRAPHS = re.compile(r"(?<=[A-Z])(AE|OE|UE)|^(AE|OE|UE)")


def _plain(text: str) -> str:
    """ASCII-fold with anyascii, upper-case, drop apostrophes."""
    text = unicodedata.normalize("NFC", text).replace("'", "").replace("’", "")
    return anyascii(text).upper()


def _collapse_umlauts(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """``MUELLER`` → ``MULLER``: undo the ICAO digraphs so both spellings meet.

    >>> _collapse_umlauts(("MUELLER", "GOETHE", "AEBI"))
    ('MULLER', 'GOTHE', 'ABI')
    """
    return tuple(_UMLAUT_DIGRAPHS.sub(lambda m: m.group(0)[0], t) for t in tokens)


def _split(text: str) -> tuple[str, ...]:
    return tuple(t for t in _SEPARATORS.split(text) if t)


@lru_cache(maxsize=4096)
def name_forms(name: str) -> frozenset[tuple[str, ...]]:
    """The token tuples a printed name folds to (ICAO, plain ASCII, umlaut-collapsed).

    >>> sorted(name_forms("Jürgen O'Neil"))
    [('JUERGEN', 'ONEIL'), ('JURGEN', 'ONEIL')]
    >>> sorted(name_forms("GARCÍA-LÓPEZ<<MARÍA"))
    [('GARCIA', 'LOPEZ', 'MARIA')]
    """
    icao = _split(transliterate_icao(name.replace("’", "").replace("'", "")))
    plain = _split(_plain(name))
    forms = {icao, plain, _collapse_umlauts(icao), _collapse_umlauts(plain)}
    return frozenset(f for f in forms if f)


def token_similarity(a: str, b: str) -> float:
    """Similarity of two name tokens (already folded); two tokens with one glyph skeleton
    (:func:`~kyc_ocr.extract.labels.glyph_skeleton`: ``RN`` and ``M``, ``0`` and ``O`` are one glyph) score
    at least :data:`SKELETON_SCORE`: a bill photo's ``EMST`` is ``ERNST`` misread, not another surname.

    >>> token_similarity("ERIKSSON", "ERIKSS0N"), token_similarity("J", "JOHN"), token_similarity("JOHN", "JANE")
    (0.95, 0.8, 0.0)
    >>> token_similarity("EMST", "ERNST"), token_similarity("ERNST", "ERNSTE"), token_similarity("EMMA", "ERNA")
    (0.95, 0.9091, 0.0)
    """
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SCORE if a[0] == b[0] else 0.0
    ratio = fuzz.ratio(a, b) / 100.0
    if glyph_skeleton(a) == glyph_skeleton(b):
        ratio = max(ratio, SKELETON_SCORE)
    return round(ratio, 4) if ratio >= TOKEN_MIN else 0.0


def _merge_compounds(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[str, ...]:
    """Join runs of 2-3 tokens of ``a`` that the other name writes as one token.

    >>> _merge_compounds(("VAN", "DER", "BERG", "JAN"), ("JAN", "VANDERBERG"))
    ('VANDERBERG', 'JAN')
    """
    targets = set(b)
    out: list[str] = []
    i = 0
    while i < len(a):
        for size in (3, 2):
            joined = "".join(a[i : i + size])
            if i + size <= len(a) and joined in targets and a[i] not in targets:
                out.append(joined)
                i += size
                break
        else:
            out.append(a[i])
            i += 1
    return tuple(out)


def _align(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    a, b = _merge_compounds(a, b), _merge_compounds(b, a)
    pairs = sorted(
        ((token_similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
        reverse=True,
    )
    used_a: set[int] = set()
    used_b: set[int] = set()
    total = 0.0
    for sim, i, j in pairs:
        if sim <= 0.0 or i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        total += sim
    short, long_ = sorted((len(a), len(b)))
    left_over = long_ - len(used_a)
    score = total / short - MISSING_PENALTY * left_over
    if short == 1 and long_ > 1:
        score = min(score, SINGLE_TOKEN_CAP)
    return max(0.0, min(1.0, score))


def _align_part(part: tuple[str, ...], full: tuple[str, ...]) -> float:
    part, full = _merge_compounds(part, full), _merge_compounds(full, part)
    pairs = sorted(((token_similarity(x, y), i, j) for i, x in enumerate(part) for j, y in enumerate(full)),
                   reverse=True)
    used_p: set[int] = set()
    used_f: set[int] = set()
    total = 0.0
    for sim, i, j in pairs:
        if sim > 0.0 and i not in used_p and j not in used_f:
            used_p.add(i)
            used_f.add(j)
            total += sim
    return max(0.0, min(1.0, total / len(part)))


def partial_name_similarity(part: str, full: str) -> float:
    """How well a name known to be incomplete fits a full name (0..1, 4 places).

    For a document whose given names were not read (only the surname is there):
    the mean of the partial name's tokens' best one-to-one matches in the full
    name, with no deduction for the full name's other tokens and no single-token
    cap. It says the names read do not contradict each other; that the name is
    incomplete is the ``required_fields`` check's finding, not a different person.

    >>> partial_name_similarity("Oláh", "AGNES OLAH"), partial_name_similarity("Smith", "Erika Smith")
    (1.0, 1.0)
    >>> partial_name_similarity("Jones", "Erika Smith"), partial_name_similarity("Erikss0n", "Anna Eriksson")
    (0.0, 0.95)
    >>> partial_name_similarity("", "Anna")
    0.0
    """
    forms_p, forms_f = name_forms(part), name_forms(full)
    if not forms_p or not forms_f:
        return 0.0
    return round(max(_align_part(x, y) for x in forms_p for y in forms_f), 4)


def name_similarity(a: str, b: str) -> float:
    """Graded similarity (0..1, rounded to 4 places) of two printed full names; see the module doc.

    >>> name_similarity("", "John")
    0.0
    """
    forms_a, forms_b = name_forms(a), name_forms(b)
    if not forms_a or not forms_b:
        return 0.0
    return round(max(_align(x, y) for x in forms_a for y in forms_b), 4)
