"""The one exception tree of kyc-ocr.

Every failure the library can foresee is a :class:`KycError` subclass with an
exit code and a message that tells the user what to do. The CLI maps them to
exit codes in one place (:mod:`kyc_ocr.cli`); library code never returns
``None`` or ``{}`` to signal failure and never catches bare ``Exception``.

>>> err = InputError("passport.jpg: not an image (truncated JPEG)")
>>> int(err.exit_code), str(err)
(2, 'passport.jpg: not an image (truncated JPEG)')
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    INTERNAL = 1
    BAD_INPUT = 2
    TEMPLATE = 3
    ENGINE = 4
    STORE = 5
    CONFIG = 6
    INTEGRITY = 7  # audit chain broken
    PARTIAL = 8  # a batch finished but some customers failed


class KycError(Exception):
    """Base of every error kyc-ocr raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL


class InputError(KycError):
    """A file or value the user gave cannot be used (corrupt, too large, wrong type)."""

    exit_code = ExitCode.BAD_INPUT


class TemplateError(KycError):
    """A document template is invalid; the message names the file and the field."""

    exit_code = ExitCode.TEMPLATE


class EngineError(KycError):
    """An OCR engine cannot load or run (missing weights, unavailable device)."""

    exit_code = ExitCode.ENGINE


class StoreError(KycError):
    """The database cannot be reached or written."""

    exit_code = ExitCode.STORE


class ConfigError(KycError):
    """A setting or a name (engine, device, policy) is not valid."""

    exit_code = ExitCode.CONFIG


class MRZError(InputError):
    """Text that is not a machine-readable zone at all."""


class IntegrityError(KycError):
    """The audit trail does not verify: a row was edited or deleted."""

    exit_code = ExitCode.INTEGRITY
