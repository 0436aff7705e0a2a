"""The verification policy: which checks run, their thresholds, and what each outcome decides.

A policy is a versioned YAML file (the default ships in the package at
``kyc_ocr/policies/default.yaml``). It is read with a safe loader that refuses
anchors and aliases (no "billion laughs"), duplicate keys, deep nesting and
files over :data:`MAX_POLICY_BYTES`, then validated strictly by pydantic:
unknown keys, wrong types and unknown check names are a
:class:`~kyc_ocr.errors.ConfigError` naming the file and the key.

>>> p = load_policy()
>>> p.version, p.thresholds.min_age, p.action("mrz_check_digits", Status.FAIL)
('2026.6', 18, 'reject')
>>> p.action("same_person", Status.WARN), p.action("address_matches_proof", Status.FAIL)
('review', 'review')
>>> Policy.from_yaml_text("version: '1'\\nchecks: {minimum_age: {enabled: true, on_fail: maybe}}", "p.yaml")
Traceback (most recent call last):
...
kyc_ocr.errors.ConfigError: p.yaml: checks.minimum_age.on_fail: Input should be 'reject', 'review' or 'ignore'
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from kyc_ocr import safe_yaml
from kyc_ocr.checks.base import CHECK_NAMES
from kyc_ocr.domain import Status
from kyc_ocr.errors import ConfigError

log = logging.getLogger(__name__)

MAX_POLICY_BYTES = 256 * 1024
# Beside the package's modules (not importlib.resources: the editable install here exposes
# ``kyc_ocr`` as a namespace package, which importlib.resources.files() cannot read).
DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "policies" / "default.yaml"
MAX_DEPTH = 12
Action = Literal["reject", "review", "ignore"]
CheckName = Literal[CHECK_NAMES]  # type: ignore[valid-type]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class CheckRule(_Strict):
    """Whether a check runs and what each of its statuses does to the verdict."""

    enabled: bool = True
    on_fail: Action = "review"
    on_warn: Action = "ignore"
    on_skip: Action = "ignore"


class Thresholds(_Strict):
    """Numbers the checks compare against."""

    min_age: int = Field(default=18, ge=0, le=150)
    max_age: int = Field(default=130, ge=1, le=200)
    name_pass: float = Field(default=0.85, ge=0.0, le=1.0)
    name_warn: float = Field(default=0.70, ge=0.0, le=1.0)
    address_pass: float = Field(default=0.85, ge=0.0, le=1.0)
    address_warn: float = Field(default=0.65, ge=0.0, le=1.0)
    max_proof_of_address_age_days: int = Field(default=90, ge=0, le=3660)
    min_field_confidence: float = Field(default=0.6, ge=0.0, le=1.0)
    reread_max_cost: float = Field(default=6.0, ge=0.0, le=50.0)
    reread_doubt_cost: float = Field(default=12.0, ge=0.0, le=100.0)
    name_doubt_cost: float = Field(default=20.0, ge=0.0, le=100.0)
    min_read_confidence: float = Field(default=0.85, ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _bands(self) -> Thresholds:
        if self.name_warn > self.name_pass:
            raise ValueError("name_warn must not exceed name_pass")
        if self.address_warn > self.address_pass:
            raise ValueError("address_warn must not exceed address_pass")
        for name in ("reread_doubt_cost", "name_doubt_cost"):
            if getattr(self, name) and getattr(self, name) < self.reread_max_cost:
                raise ValueError(f"{name} must not be under reread_max_cost (0 turns it off)")
        return self


class Policy(_Strict):
    """A whole policy file (see ``kyc_ocr/policies/default.yaml`` for every key)."""

    version: str = Field(min_length=1, max_length=64)
    thresholds: Thresholds = Thresholds()
    required_fields: dict[str, list[str]] = Field(default_factory=dict)
    number_patterns: dict[str, str] = Field(default_factory=dict)
    specimen_words: list[str] = Field(default_factory=list)
    checks: dict[CheckName, CheckRule] = Field(default_factory=dict)

    @field_validator("number_patterns")
    @classmethod
    def _compile(cls, value: dict[str, str]) -> dict[str, str]:
        for template, pattern in value.items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{template}: not a regular expression ({exc})") from exc
        return value

    @property
    def enabled_checks(self) -> tuple[str, ...]:
        """Enabled check names in the stable order of :data:`~kyc_ocr.checks.base.CHECK_NAMES`."""
        return tuple(n for n in CHECK_NAMES if n in self.checks and self.checks[n].enabled)

    def action(self, check: str, status: Status) -> Action:
        """What a result does to the verdict; checks the policy does not list are ignored."""
        rule = self.checks.get(check)  # type: ignore[call-overload]
        if rule is None or not rule.enabled or status is Status.PASS:
            return "ignore"
        return {Status.FAIL: rule.on_fail, Status.WARN: rule.on_warn, Status.SKIP: rule.on_skip}[status]

    @classmethod
    def from_yaml_text(cls, text: str, where: str) -> Policy:
        """Validate policy YAML text; ``where`` names it in error messages."""
        if len(text.encode("utf-8", "surrogatepass")) > MAX_POLICY_BYTES:
            raise ConfigError(f"{where}: policy file larger than {MAX_POLICY_BYTES} bytes")
        try:
            data = safe_yaml.load(text, source=where, max_depth=MAX_DEPTH)
        except safe_yaml.UnsafeYAML as exc:
            raise ConfigError(str(exc)) from None
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: a policy must be a mapping with at least a 'version' key")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{where}: {_first_error(exc)}") from exc


def _first_error(exc: ValidationError) -> str:
    """One line: the dotted key of the first problem and what is wrong with it."""
    errors = exc.errors()
    first = errors[0]
    loc = [str(p) for p in first["loc"]]
    msg = first["msg"].replace("Value error, ", "")
    if first["type"] == "extra_forbidden":
        msg = "unknown key"
    elif loc[-1:] == ["[key]"] and loc[0] == "checks":
        msg = f"unknown check name (known: {', '.join(CHECK_NAMES)})"
    key = ".".join(p for p in loc if p != "[key]") or "(top level)"
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    return f"{key}: {msg}{more}"


def load_policy(path: str | Path | None = None) -> Policy:
    """Load a policy file, or the default one shipped in the package when ``path`` is None."""
    if path is None:
        policy = Policy.from_yaml_text(DEFAULT_POLICY.read_text(encoding="utf-8"), str(DEFAULT_POLICY))
    else:
        p = Path(path)
        try:
            size = p.stat().st_size
            if size > MAX_POLICY_BYTES:
                raise ConfigError(f"{p}: policy file larger than {MAX_POLICY_BYTES} bytes ({size})")
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: cannot read the policy file ({exc.__class__.__name__}: {exc})") from exc
        policy = Policy.from_yaml_text(text, str(p))
    log.debug("policy %s: %d checks enabled", policy.version, len(policy.enabled_checks))
    return policy
