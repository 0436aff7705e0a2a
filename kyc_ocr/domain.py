"""Domain values passed between the pipeline stages.

Every stage takes and returns these frozen dataclasses; none of them does I/O.
Coordinates are pixels of the page image they belong to, ``(x, y)`` with the
origin at the top-left corner. A *quad* is four corners clockwise from the
top-left: ``((x0, y0), (x1, y1), (x2, y2), (x3, y3))``.

>>> line = TextLine("HELLO", 0.98, ((0, 0), (50, 0), (50, 10), (0, 10)))
>>> line.bbox
(0.0, 0.0, 50.0, 10.0)
>>> line.to_dict()["quad"]
[[0.0, 0.0], [50.0, 0.0], [50.0, 10.0], [0.0, 10.0]]
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

Point = tuple[float, float]
Quad = tuple[Point, Point, Point, Point]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def quad_from_box(box: Box) -> Quad:
    """Turn an axis-aligned box into a quad.

    >>> quad_from_box((1, 2, 3, 4))
    ((1.0, 2.0), (3.0, 2.0), (3.0, 4.0), (1.0, 4.0))
    """
    x0, y0, x1, y1 = (float(v) for v in box)
    return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))


def bbox_of(quad: Quad) -> Box:
    """The axis-aligned bounding box of a quad.

    >>> bbox_of(((1, 5), (9, 4), (10, 8), (2, 9)))
    (1.0, 4.0, 10.0, 9.0)
    """
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return (min(xs), min(ys), max(xs), max(ys))


def _quad_list(quad: Quad) -> list[list[float]]:
    return [[round(float(x), 2), round(float(y), 2)] for x, y in quad]


@dataclass(frozen=True, eq=False)
class PageImage:
    """One decoded page, ready for OCR.

    ``image`` is an RGB ``uint8`` array of shape (H, W, 3). ``transform`` is a
    3x3 homography that maps pixel coordinates of ``image`` back to the
    original decoded page (identity until preprocessing changes the image),
    so boxes found later can be drawn on what the customer sent.
    ``text_layer`` holds the lines of a digital PDF's own text (already in
    pixel coordinates of ``image``); ``None`` for scans and photos.
    """

    image: np.ndarray
    source: str
    page: int = 1
    sha256: str = ""
    media_type: str = "application/octet-stream"
    dpi: float | None = None
    text_layer: tuple[TextLine, ...] | None = None
    transform: np.ndarray = field(default_factory=lambda: np.eye(3))
    orig_size: tuple[int, int] | None = None  # (width, height) before preprocessing

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def height(self) -> int:
        return int(self.image.shape[0])


@dataclass(frozen=True)
class TextLine:
    """A line of text with its recognition confidence (0..1) and its quad."""

    text: str
    confidence: float
    quad: Quad
    char_confidences: tuple[float, ...] | None = None

    @property
    def bbox(self) -> Box:
        return bbox_of(self.quad)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "confidence": round(float(self.confidence), 4),
            "quad": _quad_list(self.quad),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TextLine:
        quad = tuple((float(p[0]), float(p[1])) for p in data["quad"])
        return cls(str(data["text"]), float(data["confidence"]), quad)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Page:
    """What an OCR engine read on one page."""

    source: str
    page: int
    width: int
    height: int
    lines: tuple[TextLine, ...]
    engine: str = ""
    models: tuple[str, ...] = ()  # model ids, e.g. "PP-OCRv6_rec_small@sha256:ab12..."
    # lines the engine read from their crop turned 180 degrees (its line classifier found them upside
    # down): most of a page's, and the page itself is upside down. Not stored or recorded.
    turned_lines: int = field(default=0, compare=False)

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "page": self.page,
            "width": self.width,
            "height": self.height,
            "engine": self.engine,
            "models": list(self.models),
            "lines": [line.to_dict() for line in self.lines],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        return cls(
            source=str(data.get("source", "")),
            page=int(data.get("page", 1)),
            width=int(data["width"]),
            height=int(data["height"]),
            lines=tuple(TextLine.from_dict(x) for x in data.get("lines", [])),
            engine=str(data.get("engine", "")),
            models=tuple(data.get("models", ())),
        )


class FieldSource(str, enum.Enum):
    VISUAL = "visual"
    MRZ = "mrz"
    BARCODE = "barcode"
    TEXT_LAYER = "text_layer"


@dataclass(frozen=True)
class TemplateMatch:
    """Which template a document matched, how well, and why."""

    template_id: str
    version: str
    document_type: str
    score: float
    reason: str
    country: str | None = None
    side: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.template_id,
            "version": self.version,
            "document_type": self.document_type,
            "country": self.country,
            "side": self.side,
            "score": round(float(self.score), 4),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Field:
    """One extracted field with its evidence."""

    name: str
    value: str
    raw: str
    confidence: float
    source: FieldSource = FieldSource.VISUAL
    page: int = 1
    box: Box | None = None
    # The box as read on the prepared (straightened) page, its corners top-left, top-right,
    # bottom-right, bottom-left in the file's pixels: lets a re-read rectify the region of a
    # phone photo. Known right after extraction; not stored (``box`` is).
    quad: Quad | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "raw": self.raw,
            "confidence": round(float(self.confidence), 4),
            "source": self.source.value,
            "page": self.page,
            "box": [round(float(v), 1) for v in self.box] if self.box else None,
        }


class Status(str, enum.Enum):
    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one rule, with what it looked at."""

    name: str
    status: Status
    score: float = 1.0
    detail: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "score": round(float(self.score), 4),
            "detail": self.detail,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class ExtractedDocument:
    """A document after classification and extraction."""

    source: str
    sha256: str
    media_type: str
    document_type: str
    template: TemplateMatch | None
    fields: dict[str, Field]
    pages: tuple[Page, ...] = ()
    checks: tuple[CheckResult, ...] = ()

    def value(self, name: str) -> str | None:
        f = self.fields.get(name)
        return f.value if f else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "media_type": self.media_type,
            "template": self.template.to_dict() if self.template else None,
            "document_type": self.document_type,
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
            "checks": [c.to_dict() for c in self.checks],
        }


class Decision(str, enum.Enum):
    APPROVED = "APPROVED"
    REVIEW = "REVIEW"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class Verdict:
    """The decision on one customer, with its reasons and the checks behind it."""

    customer_id: str
    decision: Decision
    reasons: tuple[str, ...]
    checks: tuple[CheckResult, ...]
    policy_version: str
    as_of: str  # ISO date the checks were evaluated at
    verdict_id: str | None = None
    created_at: str | None = None
    supersedes: str | None = None
    documents: tuple[ExtractedDocument, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict_id": self.verdict_id,
            "customer_id": self.customer_id,
            "decision": self.decision.value,
            "reasons": list(self.reasons),
            "checks": [c.to_dict() for c in self.checks],
            "policy_version": self.policy_version,
            "as_of": self.as_of,
            "created_at": self.created_at,
            "supersedes": self.supersedes,
        }


class DocumentLookup(Protocol):
    """Read-only lookups the cross-customer fraud checks need.

    :class:`kyc_ocr.store.repo.Store` implements it over the database; tests can
    pass any object with these two methods. Both return the ids of *other*
    customers (``exclude_customer`` left out), sorted, without duplicates.
    """

    def customers_using_sha256(self, sha256: str, exclude_customer: str | None = None) -> list[str]:
        """Customers who submitted a file with exactly this SHA-256."""
        ...

    def customers_with_document(
        self, number: str, country: str | None, exclude_customer: str | None = None
    ) -> list[str]:
        """Customers who submitted a document with this number (and issuing country, when given)."""
        ...


@dataclass(frozen=True)
class Reread:
    """A field's image region read again against a value another document gives (evidence for a check).

    ``read`` is the region's best reading now, ``tested`` the hypothesis as it would read there
    (the region's surrounding text kept), ``cost`` how many nats less likely the recogniser finds
    it than its best reading (0: it is the best reading). ``any_marks``: each letter of ``tested``
    was allowed any accent (names are compared with accents folded, so only the letters are tested).
    """

    read: str
    tested: str
    cost: float
    any_marks: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"read": self.read, "tested": self.tested, "cost": round(float(self.cost), 3)}
        if self.any_marks:
            out["any_marks"] = True
        return out


class FieldRereader(Protocol):
    """Re-reads one field's image region against a hypothesis; ``None`` when it cannot (no image,
    a text layer, an engine without frame probabilities, a region that no longer shows the value)."""

    def __call__(self, document: ExtractedDocument, field: Field, hypothesis: str) -> Reread | None: ...
