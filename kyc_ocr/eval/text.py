"""Recognition metrics: character and word error rates, exact-line accuracy.

Edit distances come from :mod:`rapidfuzz` (Levenshtein on characters, and on
word tokens for WER). Rates are *micro* averages: total edits over total
ground-truth units, so long lines weigh more than short ones.

>>> cer("KIC", "KYC")  # one substitution in three characters
0.3333333333333333
>>> wer("ANNA MARIA", "ANNA MARIE")  # one of two words wrong
0.5
>>> acc = TextErrors()
>>> acc.add("KIC", "KYC"); acc.add("ANNA", "ANNA")
>>> acc.cer, acc.line_accuracy  # (1 + 0) / (3 + 4); 1 of 2 lines exact
(0.14285714285714285, 0.5)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein


def char_errors(pred: str, ref: str) -> int:
    """Character edits (insertions, deletions, substitutions) turning ``pred`` into ``ref``.

    >>> char_errors("KIC", "KYC"), char_errors("", "KYC"), char_errors("KYCC", "KYC")
    (1, 3, 1)
    """
    return int(Levenshtein.distance(pred, ref))


def words(text: str) -> list[str]:
    """Word tokens: runs of non-whitespace.

    >>> words("  ANNA   MARIA\\n")
    ['ANNA', 'MARIA']
    """
    return text.split()


def word_errors(pred: str, ref: str) -> int:
    """Word edits between the token lists of ``pred`` and ``ref``.

    >>> word_errors("ANNA MARIE X", "ANNA MARIA")  # substitute MARIE, delete X
    2
    """
    return int(Levenshtein.distance(words(pred), words(ref)))


def _rate(errors: int, total: int) -> float:
    """Errors over total; an empty reference gives 0 when nothing was predicted, else 1.

    >>> _rate(0, 0), _rate(2, 0), _rate(1, 4)
    (0.0, 1.0, 0.25)
    """
    if total == 0:
        return 0.0 if errors == 0 else 1.0
    return errors / total


def cer(pred: str, ref: str) -> float:
    """Character error rate of one string against its reference.

    >>> cer("KYC", "KYC"), cer("", "KYC")
    (0.0, 1.0)
    """
    return _rate(char_errors(pred, ref), len(ref))


def wer(pred: str, ref: str) -> float:
    """Word error rate of one string against its reference.

    >>> wer("P<UTO", "P<UTO")
    0.0
    """
    return _rate(word_errors(pred, ref), len(words(ref)))


@dataclass
class TextErrors:
    """Accumulated recognition errors over many (prediction, reference) line pairs."""

    char_errors: int = 0
    chars: int = 0
    word_errors: int = 0
    words: int = 0
    lines_exact: int = 0
    lines: int = 0

    def add(self, pred: str, ref: str) -> None:
        """Count one line pair; a missed line is ``add("", ref)``."""
        self.char_errors += char_errors(pred, ref)
        self.chars += len(ref)
        self.word_errors += word_errors(pred, ref)
        self.words += len(words(ref))
        self.lines_exact += int(pred == ref)
        self.lines += 1

    def merge(self, other: TextErrors) -> None:
        """Add another accumulator's counts to this one."""
        self.char_errors += other.char_errors
        self.chars += other.chars
        self.word_errors += other.word_errors
        self.words += other.words
        self.lines_exact += other.lines_exact
        self.lines += other.lines

    @property
    def cer(self) -> float:
        return _rate(self.char_errors, self.chars)

    @property
    def wer(self) -> float:
        return _rate(self.word_errors, self.words)

    @property
    def line_accuracy(self) -> float:
        return self.lines_exact / self.lines if self.lines else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "cer": round(self.cer, 6),
            "wer": round(self.wer, 6),
            "line_accuracy": round(self.line_accuracy, 6),
            "char_errors": self.char_errors,
            "chars": self.chars,
            "word_errors": self.word_errors,
            "words": self.words,
            "lines_exact": self.lines_exact,
            "lines": self.lines,
        }
