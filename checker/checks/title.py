"""title.missing, title.altered — the article's headline is reproduced as published.

The headline is searched in the blocks just before the article body (and its first blocks), by
similarity of whole blocks; a partner's site name appended to the headline lowers the similarity
but not below the threshold for "altered".

Options: ``min_similarity`` (title.altered only; default 1.0): report an altered title only when
its similarity to the canonical title is below this value.

Compliant: ``<h1>Libye: le général Haftar à Moscou en quête de soutien militaire</h1>``
Failing (title.altered): ``<h1>Haftar à Moscou pour chercher des armes</h1>``
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit
from checker.checks._fields import FIELD_DEFAULTS, FIELD_OPTIONS, field_hits

KINDS = ("title.missing", "title.altered")
OPTIONS: dict[str, Any] = FIELD_OPTIONS
DEFAULTS: dict[str, Any] = FIELD_DEFAULTS


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per missing or altered title."""
    return field_hits(ctx, kind, options, "title")
