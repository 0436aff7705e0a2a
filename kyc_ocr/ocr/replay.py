"""Recorded OCR output served as an engine, so later stages are tested without a model.

A recording is the JSON that ``kyc-ocr ocr --json`` prints (``{"pages": [...]}``)
with two optional additions: each page's ``sha256`` (of the source file) and
a ``crops`` map from a crop's fingerprint to what ``recognize`` answered.
:class:`Recorder` wraps any engine and writes such files while it works::

    from kyc_ocr.ocr import get
    from kyc_ocr.ocr.replay import Recorder, ReplayEngine
    rec = Recorder(get("onnx"), "tests/data/ocr/passport")   # record once with a real model
    rec.read(pages); rec.recognize(crops)
    replay = ReplayEngine(recordings="tests/data/ocr/passport")  # then replay anywhere
    replay.read(pages)

Pages are matched by source SHA-256 and page number, else by file name and
page number. Anything not recorded raises :class:`~kyc_ocr.errors.EngineError`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kyc_ocr.domain import Page, PageImage, TextLine
from kyc_ocr.errors import ConfigError, EngineError, InputError
from kyc_ocr.ocr.base import Engine
from kyc_ocr.ocr.common import check_crops, check_pages, text_layer_page

log = logging.getLogger(__name__)

CROPS_FILE = "crops.json"


def crop_key(crop: np.ndarray) -> str:
    """Fingerprint of a crop: SHA-256 of its shape and RGB bytes (first 16 hex digits).

    >>> crop_key(np.zeros((2, 3, 3), np.uint8))
    '912c1186b206cf99'
    """
    rgb = np.ascontiguousarray(check_crops([crop])[0])
    digest = hashlib.sha256(f"{rgb.shape}".encode())
    digest.update(rgb.tobytes())
    return digest.hexdigest()[:16]


def page_record(page: Page, sha256: str = "") -> dict[str, Any]:
    """A page as recorded: the CLI's JSON shape plus ``sha256`` and per-line character confidences."""
    data = page.to_dict()
    data["sha256"] = sha256
    for line, out in zip(page.lines, data["lines"]):
        if line.char_confidences is not None:
            out["char_confidences"] = [round(float(c), 4) for c in line.char_confidences]
    return data


def _page_from_record(data: Mapping[str, Any]) -> Page:
    try:
        page = Page.from_dict(dict(data))
        lines = []
        for line, raw in zip(page.lines, data.get("lines", [])):
            chars = raw.get("char_confidences")
            lines.append(TextLine(line.text, line.confidence, line.quad,
                                  tuple(float(c) for c in chars) if chars is not None else None))
    except (KeyError, TypeError, ValueError, IndexError) as err:
        raise ConfigError(f"recorded OCR page is malformed: {err!r}") from err
    return Page(page.source, page.page, page.width, page.height, tuple(lines), page.engine, page.models)


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise ConfigError(f"cannot read OCR recording {path}: {err}") from err


class ReplayEngine:
    """Serves recorded pages and crop readings; never runs a model."""

    name = "replay"

    def __init__(self, recordings: str | Path | Mapping[str, Any] | None = None, device: str = "cpu",
                 threads: int = 0, rec_model: str | None = None) -> None:
        del device, threads, rec_model  # accepted so the engine can be built from Settings like the others
        if recordings is None:
            raise ConfigError("the replay engine needs recordings: a folder of recorded OCR JSON "
                              "(KYC_OCR_OCR_RECORDINGS) or a dict")
        self._by_sha: dict[tuple[str, int], Page] = {}
        self._by_name: dict[tuple[str, int], Page] = {}
        self._crops: dict[str, tuple[str, float]] = {}
        if isinstance(recordings, Mapping):
            self._add(recordings)
        else:
            folder = Path(recordings)
            if not folder.is_dir():
                raise ConfigError(f"OCR recordings folder not found: {folder}")
            for path in sorted(folder.rglob("*.json")):
                self._add(_load_json(path))
        log.debug("replay: %d pages, %d crops recorded", len(self._by_name), len(self._crops))

    def _add(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            raise ConfigError("an OCR recording must be a JSON object with 'pages' and/or 'crops'")
        for raw in data.get("pages", []):
            page = _page_from_record(raw)
            if raw.get("sha256"):
                self._by_sha[(str(raw["sha256"]), page.page)] = page
            self._by_name[(Path(page.source).name, page.page)] = page
        for key, value in dict(data.get("crops", {})).items():
            self._crops[str(key)] = (str(value["text"]), float(value["confidence"]))

    @property
    def model_ids(self) -> tuple[str, ...]:
        return ()

    def _find(self, image: PageImage) -> Page:
        page = self._by_sha.get((image.sha256, image.page)) if image.sha256 else None
        if page is None:
            page = self._by_name.get((Path(image.source).name, image.page))
        if page is None:
            raise EngineError(f"no recorded OCR for {Path(image.source).name} page {image.page}; "
                              "record it with kyc_ocr.ocr.replay.Recorder")
        if (page.width, page.height) != (image.width, image.height):
            raise EngineError(f"recorded OCR for {Path(image.source).name} page {image.page} was made on a "
                              f"{page.width}x{page.height} image, this one is {image.width}x{image.height}")
        return page

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        """The recorded pages, with the caller's source and page number."""
        out = []
        for image in check_pages(pages):
            if image.text_layer is not None:
                out.append(text_layer_page(image, self.name))
                continue
            rec = self._find(image)
            out.append(Page(image.source, image.page, rec.width, rec.height, rec.lines,
                            engine=self.name, models=rec.models))
        return out

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        """The recorded reading of each crop (matched by :func:`crop_key`)."""
        out = []
        for i, crop in enumerate(crops):
            key = crop_key(crop)
            if key not in self._crops:
                raise EngineError(f"crop {i} ({crop.shape[1]}x{crop.shape[0]}, key {key}) was not recorded")
            out.append(self._crops[key])
        return out


class Recorder:
    """Wraps an engine; every page it reads and crop it recognises is written to ``folder``.

    Pages go to ``<folder>/<source file name>.ocr.json`` (pages of one source
    together), crop readings to ``<folder>/crops.json``. Existing records are
    kept and updated, so several runs can add to one folder.
    """

    def __init__(self, engine: Engine, folder: str | Path) -> None:
        self.engine = engine
        self.name = engine.name
        self.folder = Path(folder)
        self._lock = threading.Lock()

    @property
    def model_ids(self) -> tuple[str, ...]:
        return self.engine.model_ids

    def _update(self, path: Path, merge: Any) -> None:
        data = _load_json(path) if path.exists() else {}
        merge(data)
        self.folder.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(path)

    def read(self, pages: Sequence[PageImage]) -> list[Page]:
        result = self.engine.read(pages)
        with self._lock:
            for image, page in zip(pages, result):
                if image.text_layer is not None:
                    continue
                name = Path(image.source).name or "page"
                record = page_record(page, image.sha256)

                def merge(data: dict[str, Any], record: dict[str, Any] = record) -> None:
                    kept = [p for p in data.get("pages", []) if p.get("page") != record["page"]]
                    data["pages"] = sorted([*kept, record], key=lambda p: p["page"])

                self._update(self.folder / f"{name}.ocr.json", merge)
        return result

    def recognize(self, crops: Sequence[np.ndarray]) -> list[tuple[str, float]]:
        result = self.engine.recognize(crops)
        entries = {crop_key(c): {"text": t, "confidence": round(float(s), 4)} for c, (t, s) in zip(crops, result)}
        with self._lock:
            self._update(self.folder / CROPS_FILE, lambda data: data.setdefault("crops", {}).update(entries))
        return result


def record_pages(engine: Engine, pages: Sequence[PageImage], folder: str | Path) -> list[Page]:
    """Read ``pages`` with ``engine`` and record the result under ``folder``."""
    if not pages:
        raise InputError("no pages to record")
    return Recorder(engine, folder).read(pages)
