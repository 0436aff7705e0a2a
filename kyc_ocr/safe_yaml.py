"""YAML from files users give us (templates, policies), read defensively.

A safe loader that also refuses anchors and aliases (no "billion laughs"),
duplicate keys (the second would silently win) and absurd nesting.

>>> load("a: 1\\nb: [x, y]", source="t.yaml")
{'a': 1, 'b': ['x', 'y']}
>>> load("a: &x [1]\\nb: *x", source="t.yaml")
Traceback (most recent call last):
...
kyc_ocr.safe_yaml.UnsafeYAML: t.yaml: not valid YAML (line 1): anchors and aliases are not allowed
>>> load("a: 1\\na: 2", source="t.yaml")
Traceback (most recent call last):
...
kyc_ocr.safe_yaml.UnsafeYAML: t.yaml: not valid YAML (line 2): duplicate key 'a'
"""

from __future__ import annotations

from typing import Any

import yaml

DEFAULT_MAX_DEPTH = 24


class UnsafeYAML(ValueError):
    """The text is not YAML we accept; callers turn it into their own KycError subclass."""


def _loader(max_depth: int) -> type[yaml.SafeLoader]:
    class Loader(yaml.SafeLoader):
        def __init__(self, stream: Any) -> None:
            super().__init__(stream)
            self._depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent) or getattr(self.peek_event(), "anchor", None):
                raise yaml.constructor.ConstructorError(
                    None, None, "anchors and aliases are not allowed", self.peek_event().start_mark)
            self._depth += 1
            try:
                if self._depth > max_depth:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"nested more than {max_depth} levels deep", self.peek_event().start_mark)
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1

        def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
            seen: set[Any] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return Loader


def load(text: str, *, source: str, max_depth: int = DEFAULT_MAX_DEPTH) -> Any:
    """Parse ``text``; :class:`UnsafeYAML` with ``source`` and the line for anything refused."""
    try:
        return yaml.load(text, Loader=_loader(max_depth))  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UnsafeYAML(f"{source}: not valid YAML{at}: {problem}") from None
