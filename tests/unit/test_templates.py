"""Template loading: the shipped templates, bad templates (file + field named), hostile YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from kyc_ocr.errors import ConfigError, TemplateError
from kyc_ocr.templates import builtin_templates, load_template_file, load_template_text, load_templates
from kyc_ocr.templates.loader import MAX_BYTES

DATASET_IDS = {
    "uto-passport-td3", "uto-id-td1-front", "uto-id-td1-back", "uto-residence-permit-td2", "xfr-id-card",
    "xde-passport-td3", "usa-driver-license-front", "usa-driver-license-back", "utility-bill", "bank-statement",
    "kyc-application-form", "generic-mrz", "generic-id",
}

GOOD = """\
id: my-card
version: 2
document_type: id_card
match:
  keywords: [["MY CARD", "MA CARTE"]]
fields:
  - name: surname
    type: name
    locators:
      - label: [Surname, Nom]
"""


def test_every_dataset_template_id_ships() -> None:
    # docs/DATASET.md's table of template ids, each with a built-in template
    assert set(builtin_templates().ids) == DATASET_IDS


def test_shipped_templates_cover_their_ids_and_mrz() -> None:
    ts = builtin_templates()
    assert ts.get("uto-passport-td3").match.mrz == "TD3"
    assert ts.get("uto-id-td1-back").match.mrz == "TD1"
    assert ts.get("usa-driver-license-front").date_order == "MDY"
    assert ts.get("generic-mrz").generic and ts.get("generic-id").generic
    for t in ts:
        assert t.fields, t.id


def test_good_template_parses_with_shorthand() -> None:
    t = load_template_text(GOOD, "my-card.yaml")
    assert (t.id, t.version, t.field("surname").locators[0].label.labels) == ("my-card", "2", ("Surname", "Nom"))


@pytest.mark.parametrize(("text", "where"), [
    (GOOD.replace("type: name", "type: colour"), "fields[0](surname).type"),
    (GOOD.replace("- label: [Surname, Nom]", "- label: [Surname]\n        zone: [0, 0, 1, 1]"),
     "fields[0](surname).locators[0]"),
    (GOOD.replace("- label: [Surname, Nom]", "- zone: [0.5, 0.2, 0.4, 0.3]"), "fields[0](surname).locators[0].zone.box"),
    (GOOD.replace("- label: [Surname, Nom]", "- regex: '(unclosed'"), "fields[0](surname).locators[0].regex.pattern"),
    (GOOD.replace("document_type: id_card\n", ""), "document_type"),
    (GOOD.replace("version: 2", "version: 2\ncolour: blue"), "colour"),
    (GOOD.replace("- name: surname", "- name: Surname Field"), "fields[0](Surname Field).name"),
])
def test_bad_template_names_file_and_field(text: str, where: str) -> None:
    with pytest.raises(TemplateError) as err:
        load_template_text(text, "/t/my-card.yaml")
    assert str(err.value).startswith(f"/t/my-card.yaml: {where}:"), str(err.value)


def test_duplicate_field_names_are_refused() -> None:
    text = GOOD + "  - name: surname\n    locators:\n      - mrz: surname\n"
    with pytest.raises(TemplateError, match="field names appear twice: surname"):
        load_template_text(text, "t.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("a: &a [1, 2]\nb: [*a, *a]\n", "anchors and aliases are not allowed"),
    ("id: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    ("- just\n- a list\n", "must be a YAML mapping"),
    ("id: [unclosed\n", "not valid YAML"),
    ("x: " + "[" * 40 + "]" * 40 + "\n", "nested more than"),
    ("", "must be a YAML mapping"),
])
def test_hostile_yaml_is_a_template_error(text: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        load_template_text(text, "evil.yaml")


def test_billion_laughs_is_refused_before_expansion() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(TemplateError, match="anchors and aliases"):
        load_template_text("\n".join(lines), "laughs.yaml")


def test_too_large_file(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("# " + "x" * MAX_BYTES + "\n" + GOOD)
    with pytest.raises(TemplateError, match=r"big\.yaml: larger than"):
        load_template_file(path)


def test_user_folder_adds_and_replaces(tmp_path: Path) -> None:
    (tmp_path / "my-card.yaml").write_text(GOOD)
    (tmp_path / "generic-id.yaml").write_text(GOOD.replace("id: my-card", "id: generic-id").replace("version: 2",
                                                                                                  "version: 9"))
    ts = load_templates([tmp_path])
    assert "my-card" in ts and ts.get("generic-id").version == "9"
    assert len(ts) == len(builtin_templates()) + 1


def test_bad_user_template_is_never_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text(GOOD)
    (tmp_path / "broken.yaml").write_text(GOOD.replace("type: name", "type: 42"))
    with pytest.raises(TemplateError, match=r"broken\.yaml: fields\[0\]\(surname\)\.type"):
        load_templates([tmp_path])


def test_same_id_twice_in_one_folder(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(TemplateError, match="also defined in a.yaml"):
        load_templates([tmp_path])


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(TemplateError, match="templates folder not found"):
        load_templates([tmp_path / "nope"])


def test_unknown_id_lists_choices() -> None:
    with pytest.raises(ConfigError, match=r"unknown template 'passport'; choose one of: bank-statement, "):
        builtin_templates().get("passport")
