"""credit.missing, credit.altered — the photographer's and agency's credit is kept as given.

The credit is searched near the article, inside captions or on its own; a text introduced by a
credit marker ("©", "Photo :", "Crédit :" ...) that differs from the canonical credit is an
altered credit.

Options: ``min_similarity`` (credit.altered only; default 1.0).

Compliant: ``© REUTERS/Esam Omran Al-Fetori``.  Failing (credit.altered): ``© Reuters``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker.checks import Context, Hit
from checker.checks._fields import FIELD_DEFAULTS, FIELD_OPTIONS, field_hits

KINDS = ("credit.missing", "credit.altered")
OPTIONS: dict[str, Any] = FIELD_OPTIONS
DEFAULTS: dict[str, Any] = FIELD_DEFAULTS


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per missing or altered credit."""
    return field_hits(ctx, kind, options, "credit")
