"""embed.inserted — foreign elements inside the article (incrustations).

Iframes, ad slots (``<ins>``, elements whose class or id names an ad), video and audio players,
scripts and widgets, forms, and images the canonical article does not have, when they sit between
the first and the last block of the article on the page. Embeds the canonical lists in ``embeds``
are allowed.

Options: ``ignore`` (list of element kinds, default []): kinds never reported, among "iframe",
"ad", "script", "video", "audio", "embed", "object", "form", "canvas", "image".

Compliant: the article's paragraphs with nothing between them.
Failing: ``<div class="ad-slot"><iframe src="https://ads.example.net/slot"></iframe></div>`` between
paragraphs 1 and 2.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit

KINDS = ("embed.inserted",)
ELEMENT_KINDS = ["iframe", "ad", "script", "video", "audio", "embed", "object", "form", "canvas", "image"]
OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"ignore": {"type": "array", "items": {"enum": ELEMENT_KINDS}}},
}
DEFAULTS: dict[str, Any] = {"ignore": []}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per inserted element."""
    ignore = set(options["ignore"])
    for d in ctx.of_kind(kind):
        detail = dict(d.detail)
        element = detail.get("element", "element")
        if element in ignore:
            continue
        src = f" ({detail['src']})" if "src" in detail else ""
        yield Hit.of(d, f"{element} inserted inside the article{src}")
