"""text.reorder — passages moved to another place in the article.

A run of at least ``MIN_REORDER_WORDS`` canonical words missing at its place and present, word for
word, elsewhere in the article is a move, not a cut plus an addition.

Options: none.

Compliant: paragraphs in canonical order.  Failing: paragraphs 2 and 3 swapped.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

KINDS = ("text.reorder",)
OPTIONS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
DEFAULTS: dict[str, Any] = {}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per moved passage."""
    for d in ctx.of_kind(kind):
        where = f"paragraph {(d.canonical.paragraph or 0) + 1}" if d.canonical else "the text"
        yield Hit.of(d, f"{d.size} words of {where} moved: {quote(d.canonical.text if d.canonical else '')}")
