"""``json``: the versioned report object, valid against ``report.schema.json`` (a single check) or
``audit-report.schema.json`` (an audit run)."""

from __future__ import annotations

import json

from checker.formats import Document, Formatter, RenderOptions


class JsonFormatter(Formatter):
    """One JSON object per run, for CI pipelines and other tools."""

    name = "json"
    suffix = ".json"
    description = "the versioned JSON report (report.schema.json, audit-report.schema.json)"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The report object as indented UTF-8 JSON."""
        return json.dumps(doc.data, ensure_ascii=False, indent=2) + "\n"
