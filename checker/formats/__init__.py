"""Output formats: one module each, one registry, all reading the same :class:`Document`.

A formatter never re-runs a check: it renders a :class:`Document`, built from the JSON report of a
single check or of an audit run (``document.py``). Add a format by writing a module with a
:class:`Formatter` subclass and listing it in ``_load``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from checker.formats.document import Document, PageEntry

__all__ = ["REGISTRY", "Document", "Formatter", "PageEntry", "RenderOptions"]


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """How the output will be shown.

    ``color``: ANSI colour (text on a terminal only); ``annotations``: GitHub Actions workflow
    commands in text output (set under ``GITHUB_ACTIONS``); ``fail_on``: the lowest severity
    that fails the run, so CI formats mark the same findings as failures as the exit status does;
    ``template``: the ``html`` format's template file, when not the built-in one.
    """

    color: bool = False
    annotations: bool = False
    fail_on: str = "error"
    template: str | None = None  # html: a Jinja2 template file replacing the built-in one


#: Severity ranks: a finding fails the run when its rank is at least ``fail_on``'s.
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


#: ``--fail-on`` choices: a severity, or ``never`` (report only; the exit status ignores findings).
FAIL_ON_CHOICES = ("error", "warning", "info", "never")


def fails(severity: str, options: RenderOptions) -> bool:
    """True when a finding of *severity* fails the run under *options*."""
    if options.fail_on == "never":
        return False
    return SEVERITY_RANK[severity] >= SEVERITY_RANK[options.fail_on]


def failing_findings(doc: Document, options: RenderOptions) -> Iterator[tuple[PageEntry, dict[str, Any]]]:
    """Each finding that no waiver covers and that fails the run under *options*, with its page."""
    return ((p, f) for p in doc.pages for f in p.findings if fails(f["severity"], options) and not p.is_waived(f))


def failing(doc: Document, options: RenderOptions) -> bool:
    """True when a finding that no waiver covers fails the run under *options* (the exit status)."""
    return next(failing_findings(doc, options), None) is not None


class Formatter:
    """Base class: ``name`` on the command line, ``suffix`` for default file names, ``render``."""

    name: str = ""
    suffix: str = ".txt"
    description: str = ""

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The whole output for *doc*, ending with a newline."""
        raise NotImplementedError


def _load() -> dict[str, Formatter]:
    from checker.formats.html import HtmlFormatter
    from checker.formats.json import JsonFormatter
    from checker.formats.junit import JunitFormatter
    from checker.formats.markdown import MarkdownFormatter
    from checker.formats.sarif import SarifFormatter
    from checker.formats.text import TextFormatter

    formatters: list[Formatter] = [
        TextFormatter(),
        JsonFormatter(),
        HtmlFormatter(),
        JunitFormatter(),
        SarifFormatter(),
        MarkdownFormatter(),
    ]
    return {f.name: f for f in formatters}


#: name -> formatter
REGISTRY: dict[str, Formatter] = _load()
