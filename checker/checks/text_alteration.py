"""text.alteration — canonical words replaced by others (modifications, altérations).

A name, a number, a negation: a short run of canonical words replaced by other words. Longer
replacements are reported as a cut plus an addition (``MAX_ALTERATION_WORDS`` in settings).

Options: none.

Compliant: "27 et 28 novembre 2016".  Failing: "27 et 29 novembre 2016".
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

KINDS = ("text.alteration",)
OPTIONS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
DEFAULTS: dict[str, Any] = {}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per altered passage."""
    for d in ctx.of_kind(kind):
        c = d.canonical
        where = "the lead" if c and c.field == "lead" else f"paragraph {(c.paragraph or 0) + 1}" if c else "the text"
        partner = d.partner.text if d.partner else ""
        yield Hit.of(d, f"{quote(c.text if c else '')} became {quote(partner)} in {where}")
