"""Verdict metrics: the expected-vs-decided confusion matrix and per-check precision/recall.

A check counts as *flagged* on a customer when its status is in ``FLAGGED``
(FAIL or WARN: a warning sends the case to review, so it does raise the
issue). Per check name, a flag is a true positive when the customer's
profile lists that check in ``expected_failing_checks``, a false positive
otherwise; an expected failing check that was not flagged is a false negative.

>>> m = VerdictAccuracy()
>>> m.add("APPROVED", "APPROVED", [], [("same_date_of_birth", "PASS")])
>>> m.add("REJECTED", "REVIEW", ["same_date_of_birth"], [("same_date_of_birth", "WARN")])
>>> m.confusion["REJECTED"]["REVIEW"], m.accuracy, m.checks["same_date_of_birth"].recall
(1, 0.5, 1.0)

Customers decided otherwise than expected are listed in ``misses`` (with the
checks that flagged), when ``add`` is given their id, so they can be looked at:

>>> m.add("APPROVED", "REVIEW", [], [("required_fields", "WARN")], customer="c-0007")
>>> m.misses[-1]
{'customer': 'c-0007', 'expected': 'APPROVED', 'decided': 'REVIEW', 'flagged': ['required_fields:WARN']}
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kyc_ocr.domain import Decision, Status
from kyc_ocr.errors import InputError

DECISIONS: tuple[str, ...] = tuple(d.value for d in Decision)
FLAGGED: frozenset[str] = frozenset({Status.FAIL.value, Status.WARN.value})


@dataclass
class CheckCounts:
    """Flags of one check against the profiles' expected failing checks."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        """Right flags over all flags (1 when never flagged).

        >>> CheckCounts(tp=3, fp=1).precision, CheckCounts().precision
        (0.75, 1.0)
        """
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """Expected failures flagged (1 when none was expected).

        >>> CheckCounts(tp=1, fn=3).recall
        0.25
        """
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def merge(self, other: CheckCounts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def to_dict(self) -> dict[str, Any]:
        return {"precision": round(self.precision, 6), "recall": round(self.recall, 6),
                "tp": self.tp, "fp": self.fp, "fn": self.fn}


def _empty_matrix() -> dict[str, dict[str, int]]:
    return {e: {d: 0 for d in DECISIONS} for e in DECISIONS}


@dataclass
class VerdictAccuracy:
    """Decisions and check flags over many customers."""

    confusion: dict[str, dict[str, int]] = field(default_factory=_empty_matrix)
    checks: dict[str, CheckCounts] = field(default_factory=dict)
    flagged_statuses: frozenset[str] = FLAGGED
    misses: list[dict[str, Any]] = field(default_factory=list)

    def add(self, expected: str, decided: str, expected_failing: Iterable[str],
            checks: Iterable[tuple[str, str]], customer: str | None = None) -> None:
        """One customer: expected and decided decisions, expected failing checks, ``(name, status)`` pairs;
        ``customer`` (an id) is listed in ``misses`` when the decision is not the expected one."""
        for value in (expected, decided):
            if value not in DECISIONS:
                raise InputError(f"unknown decision {value!r}; expected one of {', '.join(DECISIONS)}")
        self.confusion[expected][decided] += 1
        want = set(expected_failing)
        checks = list(checks)
        flagged = {name for name, status in checks if status in self.flagged_statuses}
        if customer is not None and expected != decided:
            self.misses.append({"customer": customer, "expected": expected, "decided": decided,
                                "flagged": [f"{n}:{s}" for n, s in checks if s in self.flagged_statuses]})
        for name in want | flagged:
            counts = self.checks.setdefault(name, CheckCounts())
            counts.tp += int(name in want and name in flagged)
            counts.fp += int(name in flagged and name not in want)
            counts.fn += int(name in want and name not in flagged)

    def merge(self, other: VerdictAccuracy) -> None:
        for e in DECISIONS:
            for d in DECISIONS:
                self.confusion[e][d] += other.confusion[e][d]
        for name, counts in other.checks.items():
            self.checks.setdefault(name, CheckCounts()).merge(counts)
        self.misses.extend(other.misses)

    @property
    def total(self) -> int:
        return sum(sum(row.values()) for row in self.confusion.values())

    @property
    def accuracy(self) -> float:
        """Share of customers whose decision is the expected one."""
        right = sum(self.confusion[d][d] for d in DECISIONS)
        return right / self.total if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "customers": self.total,
            "accuracy": round(self.accuracy, 6),
            "labels": list(DECISIONS),
            "confusion": {e: dict(self.confusion[e]) for e in DECISIONS},
            "flagged_statuses": sorted(self.flagged_statuses),
            "checks": {k: self.checks[k].to_dict() for k in sorted(self.checks)},
            "misses": list(self.misses),
        }
