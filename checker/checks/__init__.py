"""The closed set of check kinds: one module per subject, registered here.

A check module declares, at its top, ``KINDS`` (the finding kinds it produces, which are also the
``kind`` a profile rule names), ``OPTIONS`` (a JSON Schema for the rule's ``options`` table, with
``additionalProperties: false``) and ``DEFAULTS``; it exposes ``check(ctx, kind, options)`` which
yields :class:`Hit` values. Only the engine knows rule ids, severities and clauses. The module
docstring is the user documentation printed by ``repcheck rules kinds``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol

from checker.align import Alignment
from checker.models import CanonicalEvidence, Difference, PartnerEvidence


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may look at: the alignment and the typed differences computed from it."""

    alignment: Alignment
    differences: tuple[Difference, ...]

    def of_kind(self, kind: str) -> Iterator[Difference]:
        """The differences of one kind, in page order."""
        return (d for d in self.differences if d.kind == kind)


@dataclass(frozen=True, slots=True)
class Hit:
    """A light result: what a check found, before the engine stamps rule id and severity."""

    summary: str
    canonical: CanonicalEvidence | None
    partner: PartnerEvidence | None
    detail: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, diff: Difference, summary: str) -> Hit:
        """A hit that carries a difference's evidence unchanged."""
        return cls(summary, diff.canonical, diff.partner, diff.detail)


class CheckModule(Protocol):
    """The shape every module in this package has."""

    KINDS: tuple[str, ...]
    OPTIONS: dict[str, Any]
    DEFAULTS: dict[str, Any]

    def check(self, ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]: ...


def quote(text: str, limit: int = 80) -> str:
    """A short quotation of evidence for messages."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


def _load() -> dict[str, ModuleType]:
    from checker.checks import (
        attribution,
        byline,
        caption,
        credit,
        embed,
        image,
        link,
        text_addition,
        text_alteration,
        text_cut,
        text_reorder,
        text_typography,
        title,
    )

    modules = (
        text_cut,
        text_addition,
        text_alteration,
        text_reorder,
        text_typography,
        title,
        byline,
        image,
        caption,
        credit,
        embed,
        link,
        attribution,
    )
    return {kind: m for m in modules for kind in m.KINDS}


#: kind -> module; the single source of truth for the kinds a profile may use.
REGISTRY: dict[str, ModuleType] = _load()
