"""Dates printed as text: the ones no calendar has, and the possible ones an OCR slip away.

>>> invalid_dates_in("born 31.02.1990, issued 2020-02-29, due 02/30/2024 or 13/12/2024")
['31.02.1990', '02/30/2024']
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator

from anyascii import anyascii

from kyc_ocr.domain import ExtractedDocument, Field, FieldSource, bbox_of

_MONTHS = {
    "JAN": 1, "JANV": 1, "FEB": 2, "FEV": 2, "FEVR": 2, "MAR": 3, "MARS": 3, "MAER": 3, "MRZ": 3, "APR": 4,
    "AVR": 4, "MAY": 5, "MAI": 5, "JUN": 6, "JUIN": 6, "JUL": 7, "JUIL": 7, "AUG": 8, "AOUT": 8, "SEP": 9,
    "SEPT": 9, "OCT": 10, "OKT": 10, "NOV": 11, "DEC": 12, "DEZ": 12,
}
_NUMERIC_DATE = re.compile(r"(?<![\d.])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?![\d.])")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")
_TEXT_DATE = re.compile(r"(?<!\d)(\d{1,2})\s*([A-Z]{3,5})\.?\s*(?:/\s*[A-Z]{3,5}\.?\s*)?(\d{4})(?!\d)")


def ascii_upper(text: str) -> str:
    """``text`` in ASCII capitals (``Août`` -> ``AOUT``), as the date and word patterns read it."""
    return anyascii(text).upper()


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def invalid_dates_in(text: str) -> list[str]:
    """Complete dates in ``text`` that no calendar has (31.02, 30/02, 2023-02-29, 31 APR 1990).

    Dotted dates read day.month.year; slashed and dashed ones are invalid only when
    neither day/month nor month/day order gives a real date.
    """
    out: list[str] = []
    upper = ascii_upper(text)
    for m in _NUMERIC_DATE.finditer(upper):
        a, sep, b, year = int(m.group(1)), m.group(2), int(m.group(3)), int(m.group(4))
        ok = _valid(year, b, a) if sep == "." else _valid(year, b, a) or _valid(year, a, b)
        if not ok:
            out.append(m.group(0))
    for m in _ISO_DATE.finditer(upper):
        if not _valid(int(m.group(1)), int(m.group(2)), int(m.group(3))):
            out.append(m.group(0))
    for m in _TEXT_DATE.finditer(upper):
        month = _MONTHS.get(m.group(2))
        if month is not None and not _valid(int(m.group(3)), month, int(m.group(1))):
            out.append(m.group(0))
    return out


def count_dates(text: str) -> int:
    """How many complete dates (numeric, ISO or with a month name) ``text`` holds."""
    upper = ascii_upper(text)
    return sum(len(p.findall(upper)) for p in (_NUMERIC_DATE, _ISO_DATE, _TEXT_DATE))


def possible_readings(text: str, bad: str, limit: int = 120) -> list[str]:
    """``text`` with its impossible date ``bad`` made possible by undoing one OCR slip near it: a
    digit misread, a digit lost, or a character read in excess (at most ``limit``, misread digits
    first). Each keeps every date the text has; the hypotheses a line is re-read against.

    >>> possible_readings("Date: 32.06.2026", "32.06.2026")[:4]
    ['Date: 02.06.2026', 'Date: 12.06.2026', 'Date: 22.06.2026', 'Date: 30.06.2026']
    >>> "07/05/2026 Card payment" in possible_readings("07/0/5/2026 Card payment", "0/5/2026")
    True
    >>> possible_readings("Date: 22.06.2026", "22.06.2026")  # nothing to make possible
    []
    """
    at = text.find(bad)
    n_bad = len(invalid_dates_in(text))
    if at < 0 or not n_bad:
        return []
    lo, hi = max(0, at - 3), min(len(text), at + len(bad) + 3)
    digits = "0123456789"
    changed = [text[:i] + d + text[i + 1 :] for i in range(lo, hi) if text[i].isdigit() for d in digits
               if d != text[i]]
    lost = [text[:i] + d + text[i:] for i in range(lo, hi + 1) for d in digits]
    extra = [text[:i] + text[i + 1 :] for i in range(lo, hi)]
    n_dates = count_dates(text)
    out = [c for c in dict.fromkeys(changed + lost + extra)
           if len(invalid_dates_in(c)) < n_bad and count_dates(c) >= n_dates]
    return out[:limit]


def date_like(iso: str, raw: str, read_as: str) -> str | None:
    """The ISO date ``iso`` written the way ``raw`` writes ``read_as`` (the ISO date ``raw`` was read
    as): same order, separators and widths; ``None`` for a layout this cannot tell (month names).

    >>> date_like("1986-03-09", "09.03.1966", "1966-03-09"), date_like("1986-03-09", "03/09/66", "1966-03-09")
    ('09.03.1986', '03/09/86')
    >>> date_like("1986-03-09", "9 MAR 1966", "1966-03-09") is None
    True
    >>> date_like("2021-12-10", "12/102121", "2121-12-10")  # a slash lost
    '12/102021'
    """
    groups = list(re.finditer(r"\d+", raw))
    if re.search(r"[^\W\d_]", raw):
        return None
    try:
        have, want = dt.date.fromisoformat(read_as), dt.date.fromisoformat(iso)
    except ValueError:
        return None
    if len(groups) != 3:  # a separator lost ("12/102121"): the digits in the order they were read
        layout = _digit_layout(raw, have)
        return _with_digits(raw, layout, want) if layout is not None else None

    def part(date: dt.date, kind: str, width: int) -> str:
        value = {"d": date.day, "m": date.month, "y": date.year if width != 2 else date.year % 100}[kind]
        return str(value).zfill(width)

    for order in ("dmy", "mdy", "ymd"):
        if all(int(g.group()) == int(part(have, k, len(g.group()))) for g, k in zip(groups, order, strict=True)):
            out, last = [], 0
            for g, k in zip(groups, order, strict=True):
                out += [raw[last : g.start()], part(want, k, len(g.group()))]
                last = g.end()
            return "".join(out) + raw[last:]
    return None


def _digit_layout(raw: str, read_as: dt.date) -> tuple[str, ...] | None:
    """The order the digits of ``raw`` write ``read_as`` in (``("d", "d", "m", "m", "y", "y", "y", "y")``
    for ``08/06/2025``), whatever separators were read or lost; ``None`` when no day/month/year order fits."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    for order in ("dmy", "mdy", "ymd"):
        for year_width in (4, 2):
            widths = {"d": 2, "m": 2, "y": year_width}
            values = {"d": read_as.day, "m": read_as.month, "y": read_as.year % 10**year_width}
            if digits == "".join(str(values[k]).zfill(widths[k]) for k in order):
                return tuple(k for k in order for _ in range(widths[k]))
    return None


def slipped_dates(raw: str, read_as: str, days: Iterable[dt.date], max_slips: int = 2) -> list[tuple[dt.date, str]]:
    """Of ``days``, those ``raw`` (read as the ISO date ``read_as``) would write with at most ``max_slips``
    digits misread, each with ``raw`` as it would then be printed (its separators kept, read or lost);
    fewer slips first.

    >>> [text for _, text in slipped_dates("16/04/2028", "2028-04-16", [dt.date(2026, 4, 16), dt.date(2026, 3, 1)])]
    ['16/04/2026']
    >>> slipped_dates("13062125", "2125-06-13", [dt.date(2026, 6, 13)])  # slashes lost, two digits misread
    [(datetime.date(2026, 6, 13), '13062026')]
    >>> slipped_dates("08 JUN 2025", "2025-06-08", [dt.date(2026, 6, 8)])  # month names: not by digits
    []
    """
    try:
        have = dt.date.fromisoformat(read_as)
    except ValueError:
        return []
    layout = _digit_layout(raw, have) if not re.search(r"[^\W\d_]", raw) else None
    if layout is None:
        return []
    digits = [ch for ch in raw if ch.isdigit()]
    out: list[tuple[int, dt.date, str]] = []
    for day in days:
        text = _with_digits(raw, layout, day)
        slips = sum(a != b for a, b in zip(digits, (ch for ch in text if ch.isdigit()), strict=True))
        if 0 < slips <= max_slips:
            out.append((slips, day, text))
    return [(day, text) for _, day, text in sorted(out, key=lambda item: item[0])]


def _with_digits(raw: str, layout: tuple[str, ...], day: dt.date) -> str:
    """``raw`` with its digits (in ``layout`` order, see :func:`_digit_layout`) those of ``day``."""
    parts = {"d": f"{day.day:02d}", "m": f"{day.month:02d}", "y": str(day.year)[-layout.count("y"):]}
    seen = dict.fromkeys("dmy", 0)
    new = []
    for kind in layout:
        new.append(parts[kind][seen[kind]])
        seen[kind] += 1
    chars = iter(new)
    return "".join(next(chars) if ch.isdigit() else ch for ch in raw)


def impossible_date_lines(doc: ExtractedDocument) -> Iterator[tuple[Field, str]]:
    """Each impossible date on the document's OCR lines, with a :class:`Field` standing for its line
    (named ``line P:N``, valued the line's text, boxed like the line) so the line can be re-read."""
    for page in doc.pages:
        for i, line in enumerate(page.lines, start=1):
            for bad in invalid_dates_in(line.text):
                yield Field(f"line {page.page}:{i}", line.text, line.text, line.confidence, FieldSource.VISUAL,
                            page.page, bbox_of(line.quad), line.quad), bad


__all__ = ["ascii_upper", "date_like", "impossible_date_lines", "invalid_dates_in", "possible_readings"]
