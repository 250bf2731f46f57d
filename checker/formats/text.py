"""``text``: a verdict line, then one line per finding with its evidence (colour on terminals).

For an audit run: a summary (pages per verdict, findings new / persisting / resolved / waived),
then each page that is not compliant with its findings. Under GitHub Actions
(``RenderOptions.annotations``) each failing finding is also printed as a workflow command
(``::error title=...::message``) so it shows as an annotation on the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checker.formats import SEVERITY_RANK, Document, Formatter, PageEntry, RenderOptions, fails

_COLORS = {
    "compliant": "\x1b[1;32m",
    "violation": "\x1b[1;31m",
    "unverifiable": "\x1b[1;33m",
    "error": "\x1b[31m",
    "warning": "\x1b[33m",
    "info": "\x1b[36m",
}
_RESET = "\x1b[0m"


def _paint(text: str, key: str, options: RenderOptions) -> str:
    return f"{_COLORS[key]}{text}{_RESET}" if options.color else text


def _where(f: Mapping[str, Any]) -> str:
    partner = f.get("partner") or {}
    return f" [at {partner['css_path']}]" if partner.get("css_path") else ""


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(page: PageEntry, f: Mapping[str, Any], options: RenderOptions) -> str:
    """A GitHub Actions workflow command for one finding."""
    level = "error" if fails(f["severity"], options) else ("warning" if f["severity"] != "info" else "notice")
    title = _escape_property(f"repcheck {f['kind']} ({f['rule_id']})")
    return f"::{level} title={title}::{_escape_data(page.url + ': ' + f['message'])}"


def _page_lines(page: PageEntry, options: RenderOptions, *, audit: bool) -> list[str]:
    r = page.report
    verdict = _paint(page.verdict.upper(), page.verdict, options)
    who = f"{page.partner}: " if audit and page.partner else ""
    if page.verdict == "unverifiable":
        return [f"{verdict}: {who}{page.url}: {r.get('message')}"]
    lines = [f"{verdict}: {who}{page.url}"]
    if not audit:
        c = r["counts"]
        profile = (r.get("profile") or {}).get("id", "?")
        title = (r.get("canonical") or {}).get("title", "")
        lines.append(
            f"  article “{title}” · profile {profile} · {c['error']} errors, {c['warning']} warnings, {c['info']} info"
        )
    for f in sorted(page.findings, key=lambda f: -SEVERITY_RANK[f["severity"]]):
        sev = _paint(f"{f['severity']:<7}", f["severity"], options)
        marks = ""
        if audit:
            marks = f" ({page.status.get(f['fingerprint'], 'new')}{', waived' if page.is_waived(f) else ''})"
        lines.append(f"  {sev} {f['kind']:<19} {f['rule_id']}: {f['message']}{_where(f)}{marks}")
    return lines


def audit_summary(
    audit: str, run_id: int, verdicts: Mapping[str, int], skipped: int, changes: Mapping[str, int]
) -> list[str]:
    """The two lines that sum up an audit run: pages per verdict, findings per change."""
    v, ch = verdicts, changes
    return [
        f"audit {audit} run {run_id}: {sum(v.values())} pages checked: {v.get('compliant', 0)} compliant, "
        f"{v.get('violation', 0)} violation, {v.get('unverifiable', 0)} unverifiable; "
        f"{skipped} pages carry no canonical article",
        f"findings: {ch.get('new', 0)} new, {ch.get('persisting', 0)} persisting, {ch.get('resolved', 0)} resolved, "
        f"{ch.get('waived', 0)} waived",
    ]


class TextFormatter(Formatter):
    """For a person at a terminal."""

    name = "text"
    suffix = ".txt"
    description = "a verdict line and one line per finding (the default)"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The verdict, a count line, then findings sorted by severity (audits: a summary first)."""
        lines: list[str] = []
        if doc.kind == "audit":
            skipped = doc.skipped.get("no_canonical_article", 0)
            lines.extend(audit_summary(doc.audit or "", doc.run_id or 0, doc.verdicts, skipped, doc.changes))
            for page in doc.pages:
                if page.verdict != "compliant":
                    lines.extend(_page_lines(page, options, audit=True))
        else:
            lines.extend(_page_lines(doc.pages[0], options, audit=False))
        if options.annotations:
            for page in doc.pages:
                for f in page.findings:
                    if not page.is_waived(f):
                        lines.append(annotation(page, f, options))
        return "\n".join(lines) + "\n"
