"""Loading template YAML files safely, and the set of templates a run uses.

Only :mod:`kyc_ocr.safe_yaml` (a hardened SafeLoader) reads them, files of at most :data:`MAX_BYTES`; YAML
aliases are refused outright (templates never need them, and they are how
"billion laughs" documents blow up). Every problem is a
:class:`~kyc_ocr.errors.TemplateError` naming the file and the field; a bad
template is never skipped silently.

>>> load_template_text("id: x\\nversion: 1\\ndocument_type: passport\\nfields: []", "x.yaml")
Traceback (most recent call last):
...
kyc_ocr.errors.TemplateError: x.yaml: fields: Tuple should have at least 1 item after validation, not 0
>>> "generic-mrz" in builtin_templates().ids
True
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kyc_ocr import safe_yaml
from kyc_ocr.errors import ConfigError, TemplateError
from kyc_ocr.templates.schema import Template

log = logging.getLogger(__name__)

BUILTIN_DIR = Path(__file__).with_name("builtin")
MAX_BYTES = 256 * 1024
MAX_DEPTH = 24


def _where(loc: Sequence[Any], data: Any) -> str:
    """A pydantic error location as ``fields[2](surname).locators[0].label``."""
    out: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            name = node[part].get("name") if isinstance(node, list) and part < len(node) and isinstance(
                node[part], dict) else None
            out.append(f"[{part}]" + (f"({name})" if isinstance(name, str) else ""))
            node = node[part] if isinstance(node, list) and part < len(node) else None
        else:
            out.append(("." if out else "") + str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return "".join(out) or "(top level)"


def load_template_text(text: str, source: str = "<template>") -> Template:
    """Validate one template given as YAML text; ``source`` names it in errors."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise TemplateError(f"{source}: larger than {MAX_BYTES // 1024} KiB; a template is a small file")
    try:
        data = safe_yaml.load(text, source=source, max_depth=MAX_DEPTH)
    except safe_yaml.UnsafeYAML as err:
        raise TemplateError(str(err)) from None
    if not isinstance(data, dict):
        raise TemplateError(f"{source}: a template must be a YAML mapping (id, version, document_type, fields)")
    try:
        return Template.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        msg = first.get("msg", "invalid value").removeprefix("Value error, ")
        raise TemplateError(f"{source}: {_where(first.get('loc', ()), data)}: {msg}") from None


def load_template_file(path: str | Path) -> Template:
    """Read and validate one template file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise TemplateError(f"{path}: larger than {MAX_BYTES // 1024} KiB; a template is a small file")
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TemplateError(f"{path}: not UTF-8 text") from None
    except OSError as err:
        raise TemplateError(f"{path}: cannot read ({err.strerror or err})") from None
    template = load_template_text(text, str(path))
    if path.stem != template.id:
        log.debug("template file %s holds id %s", path.name, template.id)
    return template


def _dir_templates(folder: Path) -> list[Template]:
    if not folder.is_dir():
        raise TemplateError(f"{folder}: templates folder not found")
    found: dict[str, Path] = {}
    out = []
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")]):
        template = load_template_file(path)
        if template.id in found:
            raise TemplateError(f"{path}: id: {template.id!r} is also defined in {found[template.id].name}")
        found[template.id] = path
        out.append(template)
    return out


class TemplateSet:
    """The templates of a run, by id, in load order (built-ins first, then user folders)."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._by_id: dict[str, Template] = {}
        for template in templates:
            if template.id in self._by_id:
                log.info("template %s replaced by a user template (version %s)", template.id, template.version)
            self._by_id[template.id] = template

    def __iter__(self) -> Iterator[Template]:
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._by_id

    @property
    def ids(self) -> list[str]:
        return sorted(self._by_id)

    def get(self, template_id: str) -> Template:
        """The template ``template_id``; :class:`ConfigError` listing the choices when unknown."""
        try:
            return self._by_id[template_id]
        except KeyError:
            raise ConfigError(f"unknown template {template_id!r}; choose one of: {', '.join(self.ids)}") from None


@functools.lru_cache(maxsize=1)
def builtin_templates() -> TemplateSet:
    """The templates shipped with kyc-ocr (``kyc_ocr/templates/builtin/*.yaml``)."""
    return TemplateSet(_dir_templates(BUILTIN_DIR))


def load_templates(dirs: Sequence[str | Path] = ()) -> TemplateSet:
    """Built-in templates plus those in ``dirs`` (a user template replaces a built-in of the same id)."""
    if not dirs:
        return builtin_templates()
    extra = [t for d in dirs for t in _dir_templates(Path(d))]
    return TemplateSet([*builtin_templates(), *extra])
