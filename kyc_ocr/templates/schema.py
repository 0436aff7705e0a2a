"""The document template schema: what a template YAML file may say, validated with pydantic.

A template describes one document layout (or, for ``generic-*`` templates, a
family of layouts): how to recognise it and where each field is. Fields are
found by *locators* tried in priority order; the first one whose value passes
the field type's normaliser wins.

>>> t = Template.model_validate({"id": "demo", "version": "1", "document_type": "passport",
...     "match": {"keywords": ["PASSPORT"], "mrz": "TD3"},
...     "fields": [{"name": "surname", "type": "name", "locators": [{"label": ["Surname", "Nom"]}, {"mrz": "surname"}]}]})
>>> t.fields[0].locators[0].kind, t.fields[0].locators[0].label.labels
('label', ('Surname', 'Nom'))
>>> t.field("surname").locators[1].mrz
'surname'
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

FieldType = Literal["text", "name", "date", "country", "sex", "document_number", "address", "amount", "mrz",
                    "code", "email", "phone", "iban", "period", "document_kind", "identifier", "raw"]
MrzType = Literal["TD1", "TD2", "TD3", "MRVA", "MRVB", "none", "any"]
Direction = Literal["same", "right", "below"]
LOCATOR_KINDS = ("label", "zone", "regex", "mrz", "barcode")



def _regex(value: str | None) -> str | None:
    """A pydantic validator: ``value`` must compile as a regular expression.

    >>> _regex("[A-Z]{2}[0-9]+")
    '[A-Z]{2}[0-9]+'
    >>> _regex("(")
    Traceback (most recent call last):
    ...
    ValueError: not a valid regular expression: missing ), unterminated subpattern at position 0
    """
    if value is not None:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
    return value


Regex = Annotated[str | None, AfterValidator(_regex)]

class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _labels(value: object) -> object:
    """``"Surname"`` or ``["Surname", "Nom"]`` -> a tuple of non-empty strings."""
    if isinstance(value, str):
        value = [value]
    if isinstance(value, list | tuple):
        if not value or any(not isinstance(v, str) or not v.strip() for v in value):
            raise ValueError("must be a non-empty list of non-empty strings")
        return tuple(value)
    return value


class LabelLocator(_Strict):
    """A printed label (any of ``labels``, fuzzily matched) with the value beside or below it.

    Distances are in multiples of the label's text height.
    """

    labels: tuple[str, ...]
    directions: tuple[Direction, ...] = ("same", "right", "below")
    max_dx: float = Field(default=14.0, gt=0)
    max_dy: float = Field(default=2.6, gt=0)
    lines: int = Field(default=1, ge=1, le=6, description="value lines to join (addresses)")
    min_score: float = Field(default=86.0, ge=50, le=100)

    @field_validator("labels", mode="before")
    @classmethod
    def _check(cls, v: object) -> object:
        return _labels(v)


class ZoneLocator(_Strict):
    """A box in document-normalised coordinates (0..1) of the aligned page: ``[x0, y0, x1, y1]``."""

    box: tuple[float, float, float, float]
    lines: int = Field(default=1, ge=1, le=6)

    @field_validator("box")
    @classmethod
    def _box(cls, v: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = v
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise ValueError("box must be [x0, y0, x1, y1] with 0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1")
        return v


class RegexLocator(_Strict):
    """A regular expression over the page text (lines joined by newlines); group ``value`` or 1 or 0."""

    pattern: str
    flags: tuple[Literal["IGNORECASE", "MULTILINE"], ...] = ("MULTILINE",)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from None
        return v

    def compiled(self) -> re.Pattern[str]:
        flags = 0
        for name in self.flags:
            flags |= getattr(re, name)
        return re.compile(self.pattern, flags)


class Locator(_Strict):
    """Exactly one of ``label``, ``zone``, ``regex``, ``mrz`` (an MRZ field), ``barcode`` (an AAMVA field)."""

    label: LabelLocator | None = None
    zone: ZoneLocator | None = None
    regex: RegexLocator | None = None
    mrz: str | None = None
    barcode: str | None = None

    @field_validator("label", mode="before")
    @classmethod
    def _label_short(cls, v: object) -> object:
        return {"labels": v} if isinstance(v, str | list | tuple) else v

    @field_validator("regex", mode="before")
    @classmethod
    def _regex_short(cls, v: object) -> object:
        return {"pattern": v} if isinstance(v, str) else v

    @field_validator("zone", mode="before")
    @classmethod
    def _zone_short(cls, v: object) -> object:
        return {"box": v} if isinstance(v, list | tuple) else v

    @model_validator(mode="after")
    def _exactly_one(self) -> Locator:
        given = [k for k in LOCATOR_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"a locator needs exactly one of {', '.join(LOCATOR_KINDS)}; got {given or 'none'}")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in LOCATOR_KINDS if getattr(self, k) is not None)


class FieldSpec(_Strict):
    """One field: canonical name, value type, locators in priority order."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    type: FieldType = "text"
    required: bool = False
    locators: tuple[Locator, ...] = Field(min_length=1)
    pattern: Regex = Field(default=None, description="regex the normalised value must match")
    date_kind: Literal["birth", "expiry", "issue", "any"] | None = None
    verify_mrz: bool = Field(default=False, description="accept a visual value only when it agrees with the MRZ")



class AnchorZone(_Strict):
    """Printed text expected at a place on the aligned page (used to confirm alignment on the speed path)."""

    box: tuple[float, float, float, float]
    text: tuple[str, ...]
    at: tuple[float, float] | None = Field(default=None, description="where the label's top-left corner is printed")

    @field_validator("text", mode="before")
    @classmethod
    def _check(cls, v: object) -> object:
        return _labels(v)


class MatchSpec(_Strict):
    """How a page is recognised as this template.

    ``keywords`` and ``anchors`` are lists whose entries are a string or a list of
    alternatives (any one counts). ``exclude`` keywords count against the template.
    """

    keywords: tuple[tuple[str, ...], ...] = ()
    anchors: tuple[tuple[str, ...], ...] = ()
    exclude: tuple[str, ...] = ()
    mrz: MrzType = "none"
    aspect_ratio: tuple[float, float] | None = None
    anchor_zones: tuple[AnchorZone, ...] = ()

    @field_validator("keywords", "anchors", mode="before")
    @classmethod
    def _groups(cls, v: object) -> object:
        if isinstance(v, list | tuple):
            return tuple(_labels(item) for item in v)
        return v

    @field_validator("aspect_ratio")
    @classmethod
    def _ratio(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not 0 < v[0] <= v[1]:
            raise ValueError("aspect_ratio must be [low, high] with 0 < low <= high (width / height)")
        return v


class Template(_Strict):
    """A versioned document template."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str
    document_type: str
    country: str | None = None
    side: Literal["front", "back", "page", "any"] = "front"
    description: str = ""
    generic: bool = False
    match: MatchSpec = MatchSpec()
    date_order: Literal["DMY", "MDY", "YMD"] = "DMY"
    number_pattern: Regex = None
    fields: tuple[FieldSpec, ...] = Field(min_length=1)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) else v


    @model_validator(mode="after")
    def _unique_fields(self) -> Template:
        names = [f.name for f in self.fields]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"field names appear twice: {', '.join(dup)}")
        return self

    def field(self, name: str) -> FieldSpec:
        """The field called ``name`` (``KeyError`` when the template has none)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def uses_mrz(self) -> bool:
        return self.match.mrz != "none" or any(loc.mrz for f in self.fields for loc in f.locators)

    @property
    def uses_barcode(self) -> bool:
        return any(loc.barcode for f in self.fields for loc in f.locators)

    @property
    def has_zones(self) -> bool:
        return any(loc.zone for f in self.fields for loc in f.locators)
