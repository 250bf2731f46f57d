"""text.cut — canonical text missing from the republication (coupures, réductions).

Reports every run of canonical words absent from the article on the page: a paragraph, a
sentence, a single word, or everything after a "Lire la suite" truncation (flagged
``truncated``). Words are compared after the benign normalisations, so typography never counts.

Options: ``min_words`` (default 1): cuts of fewer words are not reported.

Compliant: all four paragraphs present.  Failing: the third paragraph removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

KINDS = ("text.cut",)
OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"min_words": {"type": "integer", "minimum": 1}},
}
DEFAULTS: dict[str, Any] = {"min_words": 1}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per cut of at least ``min_words`` words."""
    for d in ctx.of_kind(kind):
        if d.size < options["min_words"]:
            continue
        c = d.canonical
        where = "the lead" if c and c.field == "lead" else f"paragraph {(c.paragraph or 0) + 1}" if c else "the text"
        truncated = " (the article is truncated)" if ("truncated", "true") in d.detail else ""
        words = "word" if d.size == 1 else "words"
        yield Hit.of(d, f"{d.size} {words} missing from {where}{truncated}: {quote(c.text if c else '')}")
