"""ICAO Doc 9303 machine-readable-zone layouts as data, plus the 7-3-1 check digit.

One table per format says where each field sits, which characters it may hold
and which positions every check digit covers; the parser, the builder and the
OCR repair all read these tables instead of hard-coding five parsers.

Positions are 0-based ``(line, start, end)`` slices here; corrections reported
to users are 1-based like ICAO's own tables.

>>> check_digit("L898902C3")
'6'
>>> check_digit("740812"), check_digit("120415")
('2', '9')
>>> LAYOUTS["TD3"].width, LAYOUTS["TD1"].n_lines
(44, 3)
>>> LAYOUTS["TD1"].char_class(1, 7)
'S'
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from kyc_ocr.errors import InputError

FILLER = "<"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
DIGITS = "0123456789"

# Character classes of a position: A letters (and filler), N digits (and filler: unknown
# date parts are fillers), X letters or digits or filler, S sex (M, F or filler), C check digit.
CLASS_CHARS: dict[str, str] = {
    "A": ALPHABET + FILLER,
    "N": DIGITS + FILLER,
    "X": ALPHABET + DIGITS + FILLER,
    "S": "MFX" + FILLER,
    "C": DIGITS + FILLER,
}


def char_value(ch: str) -> int:
    """The value of one MRZ character for the check digit.

    >>> char_value("7"), char_value("A"), char_value("Z"), char_value("<")
    (7, 10, 35, 0)
    """
    if ch in DIGITS:
        return ord(ch) - ord("0")
    if ch in ALPHABET:
        return ord(ch) - ord("A") + 10
    if ch == FILLER:
        return 0
    raise InputError(f"character {ch!r} is not allowed in a machine-readable zone")


def check_digit(s: str) -> str:
    """ICAO 9303 check digit: weights 7, 3, 1 repeating, sum modulo 10.

    >>> check_digit("D23145890734")  # a 12-character document number (TD1 rule)
    '9'
    >>> check_digit("<<<<<<<<<<<<<<")
    '0'
    >>> check_digit("a")
    Traceback (most recent call last):
    ...
    kyc_ocr.errors.InputError: character 'a' is not allowed in a machine-readable zone
    """
    weights = (7, 3, 1)
    return str(sum(char_value(ch) * weights[i % 3] for i, ch in enumerate(s)) % 10)


@dataclass(frozen=True)
class FieldSpec:
    """One field: its line, 0-based start, length and character class."""

    name: str
    line: int
    start: int
    length: int
    cls: str

    @property
    def end(self) -> int:
        return self.start + self.length


@dataclass(frozen=True)
class CheckSpec:
    """A check digit at ``digit`` (line, position) over the slices ``parts``."""

    name: str
    digit: tuple[int, int]
    parts: tuple[tuple[int, int, int], ...]
    filler_ok: bool = False  # TD3 personal-number check may be '<' when the field is empty


@dataclass(frozen=True)
class Layout:
    """A whole MRZ format."""

    name: str
    n_lines: int
    width: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]
    long_number_field: str | None = None  # optional-data field that carries a >9 char number

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def has(self, name: str) -> bool:
        return any(spec.name == name for spec in self.fields)

    @cached_property
    def _classes(self) -> tuple[str, ...]:
        grid = [["X"] * self.width for _ in range(self.n_lines)]
        for spec in self.fields:
            for pos in range(spec.start, spec.end):
                grid[spec.line][pos] = spec.cls
        for chk in self.checks:
            grid[chk.digit[0]][chk.digit[1]] = "C"
        return tuple("".join(row) for row in grid)

    def char_class(self, line: int, pos: int) -> str:
        """The character class of one position (see ``CLASS_CHARS``)."""
        return self._classes[line][pos]

    def covering_checks(self, line: int, pos: int) -> tuple[CheckSpec, ...]:
        """The checks whose digit or data include this position."""
        return tuple(
            c for c in self.checks
            if c.digit == (line, pos) or any(ln == line and s <= pos < e for ln, s, e in c.parts)
        )


def _f(name: str, line: int, start: int, length: int, cls: str) -> FieldSpec:
    return FieldSpec(name, line, start, length, cls)


def _header(name_line: int, name_len: int) -> tuple[FieldSpec, ...]:
    head = (_f("document_code", 0, 0, 2, "A"), _f("issuing_country", 0, 2, 3, "A"))
    if name_line == 0:
        return (*head, _f("names", 0, 5, name_len, "A"))
    return head


def _visa_or_td_line2(opt_len: int, opt_name: str) -> tuple[FieldSpec, ...]:
    """Line 2 of TD2, TD3, MRV-A, MRV-B: number, nationality, dates, sex, optional data."""
    return (
        _f("document_number", 1, 0, 9, "X"),
        _f("nationality", 1, 10, 3, "A"),
        _f("date_of_birth", 1, 13, 6, "N"),
        _f("sex", 1, 20, 1, "S"),
        _f("date_of_expiry", 1, 21, 6, "N"),
        _f(opt_name, 1, 28, opt_len, "X"),
    )


def _basic_checks() -> tuple[CheckSpec, ...]:
    return (
        CheckSpec("document_number", (1, 9), ((1, 0, 9),)),
        CheckSpec("date_of_birth", (1, 19), ((1, 13, 19),)),
        CheckSpec("date_of_expiry", (1, 27), ((1, 21, 27),)),
    )


TD1 = Layout(
    "TD1", 3, 30,
    (
        *_header(-1, 0),
        _f("document_number", 0, 5, 9, "X"),
        _f("optional_data", 0, 15, 15, "X"),
        _f("date_of_birth", 1, 0, 6, "N"),
        _f("sex", 1, 7, 1, "S"),
        _f("date_of_expiry", 1, 8, 6, "N"),
        _f("nationality", 1, 15, 3, "A"),
        _f("optional_data_2", 1, 18, 11, "X"),
        _f("names", 2, 0, 30, "A"),
    ),
    (
        CheckSpec("document_number", (0, 14), ((0, 5, 14),)),
        CheckSpec("date_of_birth", (1, 6), ((1, 0, 6),)),
        CheckSpec("date_of_expiry", (1, 14), ((1, 8, 14),)),
        CheckSpec("composite", (1, 29), ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29))),
    ),
    long_number_field="optional_data",
)
TD2 = Layout(
    "TD2", 2, 36,
    (*_header(0, 31), *_visa_or_td_line2(7, "optional_data")),
    (*_basic_checks(), CheckSpec("composite", (1, 35), ((1, 0, 10), (1, 13, 20), (1, 21, 35)))),
    long_number_field="optional_data",
)
TD3 = Layout(
    "TD3", 2, 44,
    (*_header(0, 39), *_visa_or_td_line2(14, "personal_number")),
    (
        *_basic_checks(),
        CheckSpec("personal_number", (1, 42), ((1, 28, 42),), filler_ok=True),
        CheckSpec("composite", (1, 43), ((1, 0, 10), (1, 13, 20), (1, 21, 43))),
    ),
)
MRVA = Layout("MRVA", 2, 44, (*_header(0, 39), *_visa_or_td_line2(16, "optional_data")), _basic_checks())
MRVB = Layout("MRVB", 2, 36, (*_header(0, 31), *_visa_or_td_line2(8, "optional_data")), _basic_checks())

LAYOUTS: dict[str, Layout] = {lay.name: lay for lay in (TD1, TD2, TD3, MRVA, MRVB)}


def layout_for(n_lines: int, width: int, document_code: str) -> Layout:
    """Pick the layout from the line count, the (nominal) width and the document code.

    A ``V`` document code means a visa (MRV-A/MRV-B), anything else a travel document.

    >>> layout_for(2, 36, "V<").name, layout_for(2, 36, "I<").name, layout_for(2, 44, "VA").name
    ('MRVB', 'TD2', 'MRVA')
    """
    visa = document_code[:1] == "V"
    key = {(3, 30): "TD1", (2, 36): "MRVB" if visa else "TD2", (2, 44): "MRVA" if visa else "TD3"}
    name = key.get((n_lines, width))
    if name is None:
        raise InputError(f"no MRZ format has {n_lines} lines of {width} characters")
    return LAYOUTS[name]


def document_number_parts(layout: Layout, lines: list[str]) -> tuple[str, str, str]:
    """The full document number, its check character and what is left of the optional data.

    On TD1/TD2 a ``<`` in the number's check-digit position means the number
    continues at the start of the optional data, up to a check digit and a filler.

    >>> document_number_parts(TD1, ["I<UTOD23145890<7349<<<<<<<<<<<", "", ""])
    ('D23145890734', '9', '')
    >>> document_number_parts(TD3, ["", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    ('L898902C3', '6', 'ZE184226B')
    """
    num = layout.field("document_number")
    chk = next(c for c in layout.checks if c.name == "document_number")
    raw = lines[num.line][num.start : num.end]
    check = lines[chk.digit[0]][chk.digit[1]]
    opt_name = "personal_number" if layout.has("personal_number") else "optional_data"
    opt = layout.field(opt_name)
    opt_raw = lines[opt.line][opt.start : opt.end]
    if layout.long_number_field and check == FILLER and FILLER not in raw:
        ext = opt_raw.split(FILLER, 1)[0]
        if len(ext) >= 2:
            return raw + ext[:-1], ext[-1], opt_raw[len(ext) :].strip(FILLER)
    return raw.strip(FILLER), check, opt_raw.strip(FILLER)


def evaluate_checks(layout: Layout, lines: list[str]) -> dict[str, bool]:
    """Whether each check digit of the layout matches its data.

    >>> evaluate_checks(TD3, ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
    ...                       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"])
    {'document_number': True, 'date_of_birth': True, 'date_of_expiry': True, 'personal_number': True, 'composite': True}
    """
    out: dict[str, bool] = {}
    for chk in layout.checks:
        actual = lines[chk.digit[0]][chk.digit[1]]
        if chk.name == "document_number" and layout.long_number_field:
            number, actual, _ = document_number_parts(layout, lines)
            data = number if len(number) > 9 else lines[chk.parts[0][0]][chk.parts[0][1] : chk.parts[0][2]]
        else:
            data = "".join(lines[ln][s:e] for ln, s, e in chk.parts)
        if any(ch not in CLASS_CHARS["X"] for ch in data):
            out[chk.name] = False
        elif chk.filler_ok and actual == FILLER and set(data) == {FILLER}:
            out[chk.name] = True
        else:
            out[chk.name] = actual == check_digit(data)
    return out
