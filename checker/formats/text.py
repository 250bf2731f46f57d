"""``text``: a verdict line, then one line per finding with its evidence (colour on terminals)."""

from __future__ import annotations

from checker.formats import Formatter, RenderOptions
from checker.models import Finding, Report, Severity, Verdict

_COLORS = {
    Verdict.COMPLIANT: "\x1b[1;32m",
    Verdict.VIOLATION: "\x1b[1;31m",
    Verdict.UNVERIFIABLE: "\x1b[1;33m",
    Severity.ERROR: "\x1b[31m",
    Severity.WARNING: "\x1b[33m",
    Severity.INFO: "\x1b[36m",
}
_RESET = "\x1b[0m"


def _paint(text: str, key: Verdict | Severity, options: RenderOptions) -> str:
    return f"{_COLORS[key]}{text}{_RESET}" if options.color else text


def _where(f: Finding) -> str:
    if f.partner and f.partner.css_path:
        return f" [at {f.partner.css_path}]"
    return ""


class TextFormatter(Formatter):
    """For a person at a terminal."""

    name = "text"
    description = "a verdict line and one line per finding (the default)"

    def render(self, report: Report, options: RenderOptions) -> str:
        """The verdict, a count line, then findings sorted by severity."""
        page = report.page.url if report.page else report.page_source
        verdict = _paint(report.verdict.value.upper(), report.verdict, options)
        lines = []
        if report.verdict is Verdict.UNVERIFIABLE:
            lines.append(f"{verdict}: {page}: {report.message}")
            return "\n".join(lines) + "\n"
        c = report.counts
        profile = report.profile.id if report.profile else "?"
        title = report.canonical.title if report.canonical else ""
        lines.append(f"{verdict}: {page}")
        lines.append(
            f"  article “{title}” · profile {profile} · {c['error']} errors, {c['warning']} warnings, {c['info']} info"
        )
        order = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
        for f in sorted(report.findings, key=lambda f: order[f.severity]):
            sev = _paint(f"{f.severity.value:<7}", f.severity, options)
            lines.append(f"  {sev} {f.kind:<19} {f.rule_id}: {f.message}{_where(f)}")
        return "\n".join(lines) + "\n"
