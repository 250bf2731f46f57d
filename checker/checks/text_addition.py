"""text.addition — text inside the article that the canonical does not have (ajouts, insertions).

Only text inside the located article counts: page chrome around it (menus, share bars, sidebars,
comments) is never an addition. A source line the licence allows ("Source : RFI") is listed in
``allowed`` and compared after normalisation (case, accents' form and punctuation do not matter).

Options: ``allowed`` (list of strings, default []): additions equal to one of these are allowed;
``min_words`` (default 1): additions of fewer words are not reported.

Compliant: ``<p>Source : RFI</p>`` after the article with ``allowed = ["Source : RFI"]``.
Failing: an opinion paragraph inserted between paragraphs 2 and 3.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote
from checker.normalize import comparable

KINDS = ("text.addition",)
OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "allowed": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "min_words": {"type": "integer", "minimum": 1},
    },
}
DEFAULTS: dict[str, Any] = {"allowed": [], "min_words": 1}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per added passage that is not allowed."""
    allowed = {comparable(a) for a in options["allowed"]}
    for d in ctx.of_kind(kind):
        text = d.partner.text if d.partner else ""
        if d.size < options["min_words"] or comparable(text) in allowed:
            continue
        words = "word" if d.size == 1 else "words"
        yield Hit.of(d, f"{d.size} {words} added: {quote(text)}")
