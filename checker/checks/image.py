"""image.missing — every image of the canonical article appears with the article.

Partner images between the headline and the end of the article are matched to canonical images by
file name, then in order (partners re-host images under new names).

Options: none.

Compliant: the article's photo shown above or inside the text.  Failing: the ``<figure>`` removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit, quote

KINDS = ("image.missing",)
OPTIONS: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": {}}
DEFAULTS: dict[str, Any] = {}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per canonical image with no partner image."""
    images = ctx.alignment.article.images
    for d in ctx.of_kind(kind):
        index = d.canonical.paragraph if d.canonical and d.canonical.paragraph is not None else 0
        caption = images[index].caption or images[index].src
        yield Hit.of(d, f"image {index + 1} ({quote(caption, 50)}) is not on the page")
