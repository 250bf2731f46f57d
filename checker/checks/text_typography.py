"""text.typography — words that differ only in benign ways (for information).

Unicode normalisation form, letter case, soft hyphens, zero-width characters: the words are the
same for the licence, and this kind exists so an auditor can see that a CMS rewrote them. Spaces,
no-break spaces and punctuation are not words and are not counted. Use severity ``info``.

Options: none.

Example: the canonical "C’est" published as "C'est" counts as one word rewritten.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

KINDS = ("text.typography",)
OPTIONS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
DEFAULTS: dict[str, Any] = {}


#: Invisible characters are shown by their code point, or the example would look unchanged.
_SHOW = {c: f"<U+{c:04X}>" for c in (0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF)}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield one hit summarising typographic rewrites."""
    for d in ctx.of_kind(kind):
        canon = d.canonical.text if d.canonical else ""
        partner = (d.partner.text if d.partner else "").translate(_SHOW)
        yield Hit.of(d, f"{d.size} words rewritten typographically, e.g. {quote(canon)} as {quote(partner)}")
