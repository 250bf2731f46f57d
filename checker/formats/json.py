"""``json``: the versioned report object, valid against ``checker/schemas/report.schema.json``."""

from __future__ import annotations

import json

from checker.formats import Formatter, RenderOptions
from checker.models import Report


class JsonFormatter(Formatter):
    """One JSON object per run, for CI pipelines and other tools."""

    name = "json"
    description = "the versioned JSON report (report.schema.json)"

    def render(self, report: Report, options: RenderOptions) -> str:
        """``Report.to_dict()`` as indented UTF-8 JSON."""
        return json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
