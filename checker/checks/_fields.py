"""Shared logic of the field checks (title, byline, caption, credit): present, altered or missing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

#: Options every field check accepts.
FIELD_OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "min_similarity": {
            "type": "number",
            "minimum": 0,
            "maximum": 1,
            "description": "For *.altered: report only when similarity is below this (1.0 = any change).",
        }
    },
}
FIELD_DEFAULTS: dict[str, Any] = {"min_similarity": 1.0}


def field_hits(ctx: Context, kind: str, options: Mapping[str, Any], label: str) -> Iterator[Hit]:
    """Hits for ``<field>.missing`` or ``<field>.altered`` differences."""
    for d in ctx.of_kind(kind):
        canon = d.canonical.text if d.canonical else ""
        if kind.endswith(".missing"):
            yield Hit.of(d, f"{label} {quote(canon)} is not on the page")
        elif d.similarity is None or d.similarity < options["min_similarity"]:
            partner = d.partner.text if d.partner else ""
            yield Hit.of(d, f"{label} {quote(canon)} appears as {quote(partner)} (similarity {d.similarity:.2f})")
