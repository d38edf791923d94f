"""``manifest.json``'s JSON Schema, and checking a manifest against it.

The schema (``aishellc/manifest/manifest.schema.json``, JSON Schema draft 2020-12, shipped in the
package and linked from ``docs/usage.md``) describes exactly what ``compile`` writes; a
test validates every golden manifest against it, so the two cannot drift apart.
``aishellc plan`` checks each manifest against it before reading anything, so a
hand-edited manifest is a located error, never a crash. Validation uses the
``jsonschema`` library.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

import attrs

SCHEMA_FILE = "manifest.schema.json"

_JSON_TYPES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "an integer",
    float: "a number",
    type(None): "null",
}
_SCHEMA_TYPES = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "boolean": "true or false",
    "integer": "an integer",
    "number": "a number",
    "null": "null",
}
_MAX_MESSAGE = 200
# Keywords whose jsonschema message starts with the value itself: said without it.
_SHAPES = {
    "pattern": "must match {expected}",
    "minLength": "must have at least {expected} characters",
    "maxLength": "must have at most {expected} characters",
    "minItems": "must have at least {expected} items",
    "maxItems": "must have at most {expected} items",
    "uniqueItems": "must not repeat an item",
    "minimum": "must be at least {expected}",
}


@attrs.frozen
class SchemaProblem:
    """Where a manifest breaks the schema (a JSONPath such as ``$.tiers.runtime``) and how."""

    json_path: str
    message: str
    keys: tuple[str | int, ...]
    """The keys leading to the offending value (for
    :func:`aishellc.manifest.json_locate.locate`)."""


@functools.cache
def manifest_schema() -> dict[str, Any]:
    """The schema, as shipped in the package."""
    text = resources.files("aishellc.manifest").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def manifest_problem(data: Any) -> SchemaProblem | None:
    """The most relevant way ``data`` breaks the schema (``jsonschema.exceptions.best_match``),
    or None when it is a valid manifest."""
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]
    from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

    validator = Draft202012Validator(manifest_schema())
    error = best_match(validator.iter_errors(data))
    if error is None:
        return None
    message = _describe(error.validator, error.validator_value, error)
    return SchemaProblem(error.json_path, message, tuple(error.absolute_path))


def _describe(keyword: object, expected: Any, error: Any) -> str:
    """The error in a few words: jsonschema's own messages start with the offending value's
    repr, which for a hand-edited manifest can be megabytes long."""
    instance = error.instance
    if keyword == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        names = " or ".join(_SCHEMA_TYPES.get(name, name) for name in wanted)
        return f"must be {names}, not {_JSON_TYPES.get(type(instance), 'that')}"
    if keyword == "const":
        return f"must be {json.dumps(expected)}"
    if keyword == "enum":
        return "must be one of " + ", ".join(json.dumps(item) for item in expected)
    if keyword in _SHAPES:
        return _SHAPES[keyword].format(expected=expected)
    message: str = error.message
    if len(message) > _MAX_MESSAGE:
        message = message[:_MAX_MESSAGE] + "..."
    return message
