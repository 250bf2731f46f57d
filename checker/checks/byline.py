"""byline.missing, byline.altered — the journalists' moral right to be named (droit moral).

The canonical ``byline`` ("Avec notre correspondante à Moscou, Muriel Pomponne") is searched near
the article; when the canonical has no byline, each name in ``authors`` must appear near it.

Options: ``min_similarity`` (byline.altered only; default 1.0).

Compliant: ``<p class="byline">Avec notre correspondante à Moscou, Muriel Pomponne</p>``
Failing (byline.altered): ``<p>Avec notre correspondante à Moscou, Marie Dupont</p>``;
failing (byline.missing): no byline anywhere near the article.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit
from checker.checks._fields import FIELD_DEFAULTS, FIELD_OPTIONS, field_hits

KINDS = ("byline.missing", "byline.altered")
OPTIONS: dict[str, Any] = FIELD_OPTIONS
DEFAULTS: dict[str, Any] = FIELD_DEFAULTS


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per missing or altered byline (or missing author name)."""
    return field_hits(ctx, kind, options, "byline")
