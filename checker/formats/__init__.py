"""Output formats: one module each, one registry, all reading the same :class:`Report`.

A formatter never re-runs a check; it renders ``Report`` (for data formats, ``Report.to_dict()``,
the single serialisation path). Add a format by writing a module with a :class:`Formatter`
subclass and listing it in ``_load``.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.models import Report


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How the output will be shown: colour only on a terminal that wants it."""

    color: bool = False


class Formatter:
    """Base class: ``name`` on the command line, ``render`` to text."""

    name: str = ""
    description: str = ""

    def render(self, report: Report, options: RenderOptions) -> str:
        """The whole output for *report*, ending with a newline."""
        raise NotImplementedError


def _load() -> dict[str, Formatter]:
    from checker.formats.json import JsonFormatter
    from checker.formats.text import TextFormatter

    return {f.name: f for f in (TextFormatter(), JsonFormatter())}


#: name -> formatter
REGISTRY: dict[str, Formatter] = _load()
