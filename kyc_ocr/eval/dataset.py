"""Reading an evaluation dataset (``docs/DATASET.md``): manifest, customer profiles, ground truth.

The JSON files are validated with pydantic at this edge; anything missing
or malformed raises :class:`~kyc_ocr.errors.InputError` naming the file.
Unknown keys are ignored so the generator can add information freely.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from kyc_ocr.domain import Quad
from kyc_ocr.errors import InputError

log = logging.getLogger(__name__)

SPLITS = ("train", "val", "test")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class GtLine(_Model):
    text: str
    quad: tuple[tuple[float, float], tuple[float, float], tuple[float, float], tuple[float, float]]
    field: str | None = None


class GtPage(_Model):
    page: int = 1
    width: int
    height: int
    lines: tuple[GtLine, ...] = ()


class GtField(_Model):
    value: str
    page: int = 1
    box: tuple[float, float, float, float] | None = None


class GroundTruth(_Model):
    """One document's ground truth (``<stem>.gt.json``)."""

    file: str
    kind: str
    template_id: str
    side: str = "front"
    preset: str = "clean"
    split: str = "test"
    pages: tuple[GtPage, ...] = ()
    fields: dict[str, GtField] = {}

    @property
    def field_values(self) -> dict[str, str]:
        return {name: f.value for name, f in self.fields.items()}

    def quads(self, page_index: int) -> list[Quad]:
        return [line.quad for line in self.pages[page_index].lines]


class ProfileDocument(_Model):
    file: str
    kind: str = ""
    template_id: str = ""
    side: str = ""
    preset: str = ""


class Profile(_Model):
    """One customer's ``profile.json``."""

    customer_id: str
    split: str = "test"
    expected_decision: Literal["APPROVED", "REVIEW", "REJECTED"] = "APPROVED"
    as_of: str | None = None  # the date the checks are evaluated at, when the generator fixes one
    faults: tuple[str, ...] = ()
    expected_failing_checks: tuple[str, ...] = ()
    documents: tuple[ProfileDocument, ...] = ()
    reused_from: str | None = None  # a document_reused fault: the customer whose document this one submits


class ManifestCustomer(_Model):
    customer_id: str
    split: str = "test"
    expected_decision: str = "APPROVED"
    documents: tuple[str, ...] = ()


class Manifest(_Model):
    generator: str = ""
    seed: int | None = None
    count: int | None = None
    presets: tuple[str, ...] = ()
    as_of: str | None = None
    customers: tuple[ManifestCustomer, ...] = ()


M = TypeVar("M", bound=BaseModel)


def read_json(path: Path, model: type[M]) -> M:
    """Parse a JSON file into ``model``; a clear :class:`InputError` when it cannot be."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"{path}: not readable JSON ({err})") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(top level)"
        raise InputError(f"{path}: invalid {model.__name__} at {where}: {first['msg']}") from None


@dataclass(frozen=True)
class DocumentCase:
    """One document to evaluate: its file, its ground truth and its customer."""

    path: Path
    gt: GroundTruth
    customer_id: str


@dataclass(frozen=True)
class CustomerCase:
    """One customer to evaluate: the profile and the documents kept by the filters."""

    folder: Path
    profile: Profile
    documents: tuple[DocumentCase, ...]
    as_of: str | None = None  # the date checks are evaluated at (profile's, else the manifest's)


@dataclass(frozen=True)
class Dataset:
    root: Path
    manifest: Manifest

    @classmethod
    def open(cls, root: str | Path) -> Dataset:
        """Open a dataset folder; :class:`InputError` if it has no readable ``manifest.json``."""
        path = Path(root)
        if not path.is_dir():
            raise InputError(f"{path}: not a directory")
        manifest = path / "manifest.json"
        if not manifest.is_file():
            raise InputError(f"{path}: no manifest.json; not a kyc-ocr dataset (make one with "
                             "'kyc-ocr samples generate --out DIR')")
        return cls(path, read_json(manifest, Manifest))

    def customers(self, split: str | None = "test", presets: Sequence[str] | None = None,
                  limit: int | None = None) -> Iterator[CustomerCase]:
        """Customers of ``split`` (all when ``None``), keeping documents of ``presets`` (all when ``None``).

        ``limit`` caps the number of customers. A customer left with no
        document after the preset filter is skipped.
        """
        if split is not None and split not in SPLITS:
            raise InputError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)} (or all)")
        wanted = set(presets) if presets else None
        taken = 0
        for entry in self.manifest.customers:
            if limit is not None and taken >= limit:
                return
            if split is not None and entry.split != split:
                continue
            folder = self.root / entry.customer_id
            profile = read_json(folder / "profile.json", Profile)
            names = [d.file for d in profile.documents] or list(entry.documents)
            docs = []
            for name in names:
                gt = read_json(folder / f"{Path(name).stem}.gt.json", GroundTruth)
                if wanted is None or gt.preset in wanted:
                    docs.append(DocumentCase(folder / name, gt, entry.customer_id))
            if not docs:
                continue
            taken += 1
            yield CustomerCase(folder, profile, tuple(docs), profile.as_of or self.manifest.as_of)
