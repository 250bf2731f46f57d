"""``markdown``: a short GitHub-flavoured Markdown summary, for ``$GITHUB_STEP_SUMMARY`` or a pull
request comment.

It shows, in order: a heading with the outcome (❌ failing findings, ⚠️ unverifiable pages only,
✅ otherwise) and the verdict (a single check) or the audit and run; a table of pages per verdict
(per partner, with a total row, for an audit); for an audit, the findings new / persisting /
resolved / waived since the previous run; findings per kind (with how many fail the run); then a
table of the failing findings (not waived, at or above ``--fail-on``): page, partner (audits),
kind, rule, message, at most 50 rows followed by "… and N more"; and the unverifiable pages with
their reason (at most 50 too).

Everything that comes from a partner page (URLs, messages quoting page text) is escaped before it
goes into the Markdown: ``&``, ``<``, ``>``, ``|``, backticks, ``[``, ``]``, backslashes and
``@`` become HTML character references, so the text can neither close a table cell nor open a
link, an image, a code span or an HTML tag, nor mention a GitHub user; line breaks become spaces,
control characters and lone surrogates are dropped. Long cells are cut at 200 characters.
"""

from __future__ import annotations

import re
from collections import Counter

from checker.formats import Document, Formatter, PageEntry, RenderOptions, failing_findings

MAX_ROWS = 50
MAX_CELL = 200
VERDICTS = ("compliant", "violation", "unverifiable")

_ESCAPES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "|": "&#124;",
    "`": "&#96;",
    "[": "&#91;",
    "]": "&#93;",
    "\\": "&#92;",
    "@": "&#64;",  # no @mention of a GitHub user or team from partner text
}
_ESCAPE_RE = re.compile("[&<>|`\\[\\]\\\\@]")
_BREAKS_RE = re.compile("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f\ud800-\udfff]")


def md_escape(text: object, limit: int | None = MAX_CELL) -> str:
    """*text* made inert for a Markdown table cell: one line, no markup, at most *limit* characters."""
    s = _BREAKS_RE.sub(" ", "" if text is None else str(text))
    s = _CONTROL_RE.sub("", s).replace("\t", " ").strip()
    if limit is not None and len(s) > limit:
        s = s[: limit - 1].rstrip() + "…"
    return _ESCAPE_RE.sub(lambda m: _ESCAPES[m.group()], s)


def _table(header: list[str], rows: list[list[str]], right: frozenset[int] = frozenset()) -> list[str]:
    align = ["---:" if i in right else "---" for i in range(len(header))]
    return ["| " + " | ".join(r) + " |" for r in (header, align, *rows)]


class MarkdownFormatter(Formatter):
    """A summary for a CI job page or a pull-request comment."""

    name = "markdown"
    suffix = ".md"
    description = "a short Markdown summary (GitHub step summary, pull-request comment)"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """Heading, page and finding counts, then the failing findings (at most 50)."""
        failing = list(failing_findings(doc, options))
        unverifiable = [p for p in doc.pages if p.verdict == "unverifiable"]
        icon = "❌" if failing else ("⚠️" if unverifiable else "✅")
        out: list[str] = []
        if doc.kind == "audit":
            outcome = f"{len(failing)} failing findings" if failing else "no failing findings"
            previous = f" (previous run {doc.previous_run_id})" if doc.previous_run_id else ""
            out.append(f"## {icon} repcheck audit {md_escape(doc.audit)} — run {doc.run_id}{previous}: {outcome}")
            out.append("")
            out += self._audit_summary(doc)
        else:
            page = doc.pages[0]
            out.append(f"## {icon} repcheck: {page.verdict}")
            out.append("")
            out += self._check_summary(page)
        kinds = doc.findings_by("kind")
        if kinds:
            failing_kinds = Counter(f["kind"] for _, f in failing)
            out += ["", "**Findings by kind**", ""]
            rows = [[md_escape(k), str(n), str(failing_kinds[k])] for k, n in sorted(kinds.items())]
            out += _table(["Kind", "Findings", "Failing"], rows, frozenset({1, 2}))
        if failing:
            audit = doc.kind == "audit"
            out += ["", f"### Failing findings ({len(failing)}, fail on {options.fail_on})", ""]
            header = ["Page", "Partner", "Kind", "Rule", "Message"] if audit else ["Page", "Kind", "Rule", "Message"]
            rows = []
            for p, f in failing[:MAX_ROWS]:
                row = [md_escape(p.url), md_escape(p.partner)] if audit else [md_escape(p.url)]
                rows.append([*row, md_escape(f["kind"]), md_escape(f["rule_id"]), md_escape(f["message"])])
            out += _table(header, rows)
            if len(failing) > MAX_ROWS:
                out += ["", f"… and {len(failing) - MAX_ROWS} more"]
        if unverifiable and doc.kind == "audit":
            out += ["", f"### Unverifiable pages ({len(unverifiable)})", ""]
            rows = [
                [
                    md_escape(p.url),
                    md_escape(p.partner),
                    md_escape(p.report.get("reason")),
                    md_escape(p.report.get("message")),
                ]
                for p in unverifiable[:MAX_ROWS]
            ]
            out += _table(["Page", "Partner", "Reason", "Message"], rows)
            if len(unverifiable) > MAX_ROWS:
                out += ["", f"… and {len(unverifiable) - MAX_ROWS} more"]
        return "\n".join(out) + "\n"

    @staticmethod
    def _check_summary(page: PageEntry) -> list[str]:
        r = page.report
        lines = [f"**Page:** {md_escape(page.url, None)}", ""]
        if page.verdict == "unverifiable":
            lines.append(f"**Unverifiable** ({md_escape(r.get('reason'))}): {md_escape(r.get('message'), None)}")
        else:
            c = r.get("counts") or {}
            profile = (r.get("profile") or {}).get("id", "?")
            title = (r.get("canonical") or {}).get("title", "")
            lines.append(
                f"Article “{md_escape(title)}” · profile {md_escape(profile)} · {c.get('error', 0)} errors, "
                f"{c.get('warning', 0)} warnings, {c.get('info', 0)} info"
            )
        lines.append("")
        lines += _table(["Verdict", "Pages"], [[page.verdict, "1"]], frozenset({1}))
        return lines

    @staticmethod
    def _audit_summary(doc: Document) -> list[str]:
        v = doc.verdicts
        skipped = doc.skipped.get("no_canonical_article", 0)
        lines = [
            f"**{len(doc.pages)} pages** checked: {v['compliant']} compliant, {v['violation']} violation, "
            f"{v['unverifiable']} unverifiable; {skipped} pages carry no canonical article.",
            "",
        ]
        per_partner: dict[str, Counter[str]] = {}
        for p in doc.pages:
            per_partner.setdefault(p.partner or "", Counter())[p.verdict] += 1
        rows = [
            [md_escape(name), str(sum(c.values())), *(str(c[k]) for k in VERDICTS)] for name, c in per_partner.items()
        ]
        rows.append(["**Total**", str(len(doc.pages)), *(str(v[k]) for k in VERDICTS)])
        lines += _table(["Partner", "Pages", "Compliant", "Violation", "Unverifiable"], rows, frozenset({1, 2, 3, 4}))
        ch = doc.changes
        lines += ["", "**Findings since the previous run**", ""]
        lines += _table(
            ["New", "Persisting", "Resolved", "Waived"],
            [[str(ch[k]) for k in ("new", "persisting", "resolved", "waived")]],
            frozenset({0, 1, 2, 3}),
        )
        return lines
