"""How well a CTC recogniser's output supports a given text: forced alignment against best path.

A greedy CTC read keeps only the most likely class per frame. When two documents
disagree on a value (the application form reads ``Z09A229SH``, the passport's
MRZ says ``Z09A2293H``), the question a reviewer asks is not "what is the best
reading of the form" but "could the form say ``Z09A2293H``?". :func:`text_cost`
answers it from the recogniser's frame probabilities: the log-probability of the
best path minus that of the best alignment that spells the hypothesis (Viterbi
over the CTC state graph). 0 means the hypothesis *is* the best reading; a blurred
``3`` the model put at 30% against 60% for ``S`` costs ``ln 2 ≈ 0.7``; a crisp
wrong digit costs 10 or more.

>>> import numpy as np
>>> charset = ["", "A", "B", "3", "S"]
>>> frames = np.log(np.array([          # frames: A, blank, 3-or-S, blank
...     [0.01, 0.97, 0.01, 0.005, 0.005],
...     [0.97, 0.01, 0.01, 0.005, 0.005],
...     [0.02, 0.01, 0.01, 0.32, 0.64],
...     [0.97, 0.01, 0.01, 0.005, 0.005]]))
>>> greedy_text(frames, charset)
'AS'
>>> round(text_cost(frames, "AS", charset), 3), round(text_cost(frames, "A3", charset), 3)
(0.0, 0.693)
>>> text_cost(frames, "AB", charset) > 3.0
True
>>> text_cost(frames, "AX", charset)  # a character the model cannot output
inf
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np

NEG_INF = -np.inf


def greedy_text(logp: np.ndarray, charset: Sequence[str]) -> str:
    """Best-path decoding of one line's ``(T, C)`` log-probabilities (class 0 is the blank)."""
    best = logp.argmax(axis=1)
    keep = np.ones(len(best), dtype=bool)
    keep[1:] = best[1:] != best[:-1]
    return "".join(charset[c] for c in best[keep & (best != 0)])


def alignment_logp(logp: np.ndarray, labels: Sequence[int]) -> float:
    """Log-probability of the best CTC alignment of ``labels`` (class indices, no blanks) to the frames."""
    frames = logp.shape[0]
    ext = np.zeros(2 * len(labels) + 1, dtype=np.int64)
    ext[1::2] = labels
    states = len(ext)
    if states > 2 * frames + 1:
        return float(NEG_INF)
    # a state may skip the blank before it unless it repeats the label two states back
    skip = np.zeros(states, dtype=bool)
    skip[3::2] = ext[3::2] != ext[1:-2:2]
    alpha = np.full(states, NEG_INF)
    alpha[0] = logp[0, ext[0]]
    if states > 1:
        alpha[1] = logp[0, ext[1]]
    for t in range(1, frames):
        stay = alpha
        step = np.concatenate(([NEG_INF], alpha[:-1]))
        jump = np.where(skip, np.concatenate(([NEG_INF, NEG_INF], alpha[:-2])), NEG_INF)
        alpha = np.maximum(np.maximum(stay, step), jump) + logp[t, ext]
    end = alpha[-1] if states == 1 else max(alpha[-1], alpha[-2])
    return float(end)


def base_letter(ch: str) -> str:
    """``ch`` without its accents (``ů`` -> ``u``, ``Ł`` -> ``L``; other characters unchanged).

    >>> "".join(base_letter(c) for c in "Růžičková Łódź ß")
    'Ruzickova Lodz ß'
    """
    stripped = unicodedata.normalize("NFD", ch)[:1]
    return _STROKED.get(ch, stripped)


_SEPARATORS, _SEPARATOR = "- ", "separator"  # names: a hyphen and a space compare alike
_TWINS = {"I": "l"}  # names: a capital I and a small L are one glyph in most sans-serif faces ("Ian" printed, "lan" read)


def _letter_class(ch: str) -> str:
    """The class a name's character is compared in: its base letter (an ``I`` with the ``l``s), or the separator."""
    if ch in _SEPARATORS:
        return _SEPARATOR
    base = base_letter(ch)
    return _TWINS.get(base, base)
_STROKED = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H"}


def text_cost(logp: np.ndarray, text: str, charset: Sequence[str], *, any_marks: bool = False) -> float:
    """Best-path log-probability minus the best alignment's for ``text`` (>= 0; ``inf`` if unspellable).

    With ``any_marks`` each letter of ``text`` may be read with any accent (or none), a hyphen
    or a space as either, and a capital ``I`` as a small ``l`` (one glyph in sans-serif faces): a
    frame's score for it is its best over those characters, so ``Rüžičková`` costs nothing where
    ``Růžičková`` is printed and read (names are compared so).

    >>> charset = ["", "u", "ü", "ů"]
    >>> frames = np.log(np.array([[0.05, 0.05, 0.1, 0.8], [0.9, 0.04, 0.03, 0.03]]))
    >>> round(text_cost(frames, "ü", charset), 2), text_cost(frames, "ü", charset, any_marks=True)
    (2.08, 0.0)
    >>> frames = np.log(np.array([[0.02, 0.96, 0.02], [0.96, 0.02, 0.02]]))  # "l" read where "I" is printed
    >>> text_cost(frames, "I", ["", "l", "I"], any_marks=True)
    0.0
    """
    index = {ch: i for i, ch in enumerate(charset) if i}
    if any(ch not in index for ch in text) and not any_marks:
        return float("inf")
    if any_marks:
        logp, labels = _with_letter_classes(logp, text, charset)
        if labels is None:
            return float("inf")
    else:
        labels = [index[ch] for ch in text]
    best = float(logp[:, : len(charset)].max(axis=1).sum())
    return max(0.0, best - alignment_logp(logp, labels))


def _with_letter_classes(logp: np.ndarray, text: str, charset: Sequence[str]
                         ) -> tuple[np.ndarray, list[int] | None]:
    """``logp`` with one extra column per distinct letter of ``text``: the best, per frame, of the
    charset's characters sharing its base letter; and ``text`` as indices into the result."""
    groups: dict[str, list[int]] = {}
    for i, ch in enumerate(charset):
        if i:
            groups.setdefault(_letter_class(ch), []).append(i)
    extra: dict[str, int] = {}
    columns: list[np.ndarray] = []
    labels = []
    for ch in text:
        key = _letter_class(ch)
        members = groups.get(key) if ch.isalpha() or ch in _SEPARATORS else None
        if not members:
            plain = charset.index(ch) if ch in charset[1:] else -1
            if plain < 1:
                return logp, None
            labels.append(plain)
            continue
        if key not in extra:
            extra[key] = len(charset) + len(columns)
            columns.append(logp[:, members].max(axis=1))
        labels.append(extra[key])
    return (np.column_stack([logp, *columns]) if columns else logp), labels


__all__ = ["alignment_logp", "base_letter", "greedy_text", "text_cost"]
