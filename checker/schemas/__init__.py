"""JSON Schemas shipped with repcheck (article, profile, report) and the one way to apply them.

Every input file is validated at load. Error messages have the same shape everywhere:
``<file>: <JSON path>: <what is wrong>``, naming the allowed keys or values.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from checker.errors import ConfigError


@cache
def load_schema(name: str) -> dict[str, Any]:
    """The schema ``<name>.schema.json`` shipped in this package."""
    text = resources.files(__package__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def json_path(parts: Any) -> str:
    """``$.rules[2].severity`` from a jsonschema path deque."""
    out = "$"
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out


def explain(error: ValidationError) -> str:
    """One readable sentence for a validation error, naming what is allowed."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"unknown key {', '.join(repr(e) for e in extra)}; allowed keys: {', '.join(allowed) or 'none'}"
    if error.validator == "enum":
        return f"{error.instance!r} is not allowed; allowed values: {', '.join(map(str, error.validator_value))}"
    if error.validator == "required":
        return str(error.message).replace("is a required property", "is required")
    return str(error.message)


def validate(
    instance: Any, schema: dict[str, Any] | str, source: str, error: type[ConfigError] = ConfigError, prefix: str = "$"
) -> None:
    """Raise *error* with ``source: path: message`` when *instance* does not follow *schema*."""
    if isinstance(schema, str):
        schema = load_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    found = best_match(validator.iter_errors(instance))
    if found is not None:
        path = json_path(found.absolute_path)
        path = prefix + path[1:] if prefix != "$" else path
        raise error(f"{source}: {path}: {explain(found)}")
