"""The policy file: the shipped default, and hostile or invalid YAML turned into one-line ConfigErrors."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kyc_ocr.checks import CHECK_NAMES, PER_DOCUMENT, PER_SET
from kyc_ocr.checks.policy import MAX_POLICY_BYTES, Policy, load_policy
from kyc_ocr.domain import Status
from kyc_ocr.errors import ConfigError, ExitCode


def test_default_policy_covers_every_check() -> None:
    p = load_policy()
    assert p.version == "2026.6"
    assert p.enabled_checks == CHECK_NAMES  # all enabled, in the stable order
    assert set(PER_DOCUMENT) | set(PER_SET) | {"mrz_matches_visual", "barcode_matches_visual"} == set(CHECK_NAMES)
    t = p.thresholds
    assert (t.min_age, t.max_proof_of_address_age_days, t.name_pass, t.name_warn) == (18, 90, 0.85, 0.70)
    assert p.action("mrz_check_digits", Status.FAIL) == "reject"
    assert p.action("address_matches_proof", Status.FAIL) == "review"
    assert p.action("same_person", Status.WARN) == "review"
    assert p.action("same_person", Status.PASS) == "ignore"
    assert p.action("document_reused", Status.SKIP) == "ignore"


def test_loading_a_file_and_disabled_checks(tmp_path: Path) -> None:
    f = tmp_path / "strict.yaml"
    f.write_text('version: "x-1"\nthresholds: {min_age: 21}\n'
                 "checks:\n  minimum_age: {on_fail: reject}\n  same_person: {enabled: false}\n")
    p = load_policy(f)
    assert p.thresholds.min_age == 21 and p.thresholds.name_pass == 0.85  # unspecified keep defaults
    assert p.enabled_checks == ("minimum_age",)  # checks left out do not run
    assert p.action("same_person", Status.FAIL) == "ignore"


def _error(text: str, tmp_path: Path) -> str:
    f = tmp_path / "bad.yaml"
    f.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_policy(f)
    assert info.value.exit_code is ExitCode.CONFIG
    msg = str(info.value)
    assert msg.startswith(str(f)) and "\n" not in msg
    return msg


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('version: "1"\nbogus: 1\n', "bogus: unknown key"),
        ('version: "1"\nthresholds: {min_age: "18"}\n', "thresholds.min_age: Input should be a valid integer"),
        ('version: "1"\nthresholds: {min_agee: 18}\n', "thresholds.min_agee: unknown key"),
        ("version: 2026.1\n", "version: Input should be a valid string"),
        ('version: "1"\nchecks: {same_persn: {enabled: true}}\n', "checks.same_persn: unknown check name"),
        ('version: "1"\nchecks: {same_person: {on_warn: approve}}\n', "checks.same_person.on_warn: Input should be"),
        ('version: "1"\nchecks: {same_person: {enabled: "yes"}}\n', "checks.same_person.enabled: Input should be"),
        ('version: "1"\nthresholds: {name_pass: 1.5}\n', "thresholds.name_pass: Input should be less than"),
        ('version: "1"\nthresholds: {name_pass: 0.6, name_warn: 0.7}\n', "name_warn must not exceed name_pass"),
        ('version: "1"\nnumber_patterns: {uto-passport-td3: "[A-Z"}\n', "number_patterns: uto-passport-td3: not a"),
        ('version: "1"\nversion: "2"\n', "duplicate key 'version'"),
        ("thresholds: {min_age: 18}\n", "version: Field required"),
        ("- a\n- b\n", "a policy must be a mapping"),
        ("", "a policy must be a mapping"),
        ('version: "1"\nchecks: {same_person: [\n', "not valid YAML (line 3)"),
        ("!!python/object/apply:os.system ['echo hi']\n", "not valid YAML"),
    ],
)
def test_invalid_policies(text: str, expected: str, tmp_path: Path) -> None:
    assert expected in _error(text, tmp_path)


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    start = time.perf_counter()
    msg = _error('version: "1"\n' + "\n".join(lines) + "\n", tmp_path)
    assert "anchors and aliases are not allowed" in msg
    assert time.perf_counter() - start < 1.0


def test_deep_nesting_and_huge_files(tmp_path: Path) -> None:
    assert "nested more than" in _error('version: "1"\nx: ' + "[" * 5000 + "]" * 5000 + "\n", tmp_path)
    huge = 'version: "1"\n# ' + "x" * (MAX_POLICY_BYTES + 10) + "\n"
    assert "larger than" in _error(huge, tmp_path)
    with pytest.raises(ConfigError, match="larger than"):
        Policy.from_yaml_text(huge, "inline")


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="missing.yaml: cannot read the policy file"):
        load_policy(tmp_path / "missing.yaml")
    binary = tmp_path / "latin1.yaml"
    binary.write_bytes(b'version: "caf\xe9"\n')
    with pytest.raises(ConfigError, match="latin1.yaml: cannot read the policy file .UnicodeDecodeError"):
        load_policy(binary)
