"""Engines chosen by name.

Each engine module registers a factory; optional engines import their heavy
dependencies only when created, so a missing extra fails with a clear
:class:`~kyc_ocr.errors.EngineError` naming the package to install.

>>> "onnx" in available()
True
>>> create("nope")
Traceback (most recent call last):
...
kyc_ocr.errors.ConfigError: unknown OCR engine 'nope'; choose one of: onnx, paddle, replay, tesseract, torch
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import Any

from kyc_ocr.errors import ConfigError
from kyc_ocr.ocr.base import Engine

# name -> "module:factory"; the module is imported only when the engine is created.
_FACTORIES: dict[str, str] = {
    "onnx": "kyc_ocr.ocr.onnx:OnnxEngine",
    "paddle": "kyc_ocr.ocr.paddle:PaddleEngine",
    "tesseract": "kyc_ocr.ocr.tesseract:TesseractEngine",
    "replay": "kyc_ocr.ocr.replay:ReplayEngine",
    "torch": "kyc_ocr.ocr.torch:TorchEngine",
}
_CACHE: dict[tuple[str, tuple[tuple[str, Any], ...]], Engine] = {}
_LOCK = threading.Lock()


def available() -> list[str]:
    return sorted(_FACTORIES)


def register(name: str, target: str) -> None:
    """Register an engine factory as ``"package.module:Callable"``."""
    _FACTORIES[name] = target


def _factory(name: str) -> Callable[..., Engine]:
    try:
        target = _FACTORIES[name]
    except KeyError:
        raise ConfigError(f"unknown OCR engine {name!r}; choose one of: {', '.join(available())}") from None
    module_name, attr = target.split(":")
    return getattr(importlib.import_module(module_name), attr)


def create(name: str, **options: Any) -> Engine:
    """A new engine instance (loads its models)."""
    return _factory(name)(**options)


def get(name: str, **options: Any) -> Engine:
    """The process-wide engine for ``name`` and ``options``: models load once per process."""
    key = (name, tuple(sorted(options.items())))
    with _LOCK:
        engine = _CACHE.get(key)
        if engine is None:
            engine = _CACHE[key] = create(name, **options)
        return engine


def from_settings(settings: Any) -> Engine:
    """The process-wide engine a :class:`~kyc_ocr.config.Settings` asks for.

    ``replay`` takes its recordings folder from ``settings.ocr_recordings``;
    the other engines take ``device``, ``threads`` and ``rec_model``.
    """
    if settings.engine == "replay":
        if settings.ocr_recordings is None:
            raise ConfigError("engine 'replay' needs a recordings folder: set KYC_OCR_OCR_RECORDINGS")
        return get("replay", recordings=str(settings.ocr_recordings))
    return get(settings.engine, device=settings.device, threads=settings.threads, rec_model=settings.rec_model)
