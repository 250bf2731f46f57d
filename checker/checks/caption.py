"""caption.missing, caption.altered — each image keeps its caption.

Options: ``min_similarity`` (caption.altered only; default 1.0).

Compliant: ``<figcaption>Les quelques heures que le général Haftar (ici en 2014) a passées à Moscou
ont été qualifiées de «visite officielle». © REUTERS/Esam Omran Al-Fetori</figcaption>``
Failing (caption.altered): the same caption with "(ici en 2014)" removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit
from checker.checks._fields import FIELD_DEFAULTS, FIELD_OPTIONS, field_hits

KINDS = ("caption.missing", "caption.altered")
OPTIONS: dict[str, Any] = FIELD_OPTIONS
DEFAULTS: dict[str, Any] = FIELD_DEFAULTS


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per missing or altered caption."""
    return field_hits(ctx, kind, options, "caption")
