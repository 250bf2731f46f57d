"""``junit``: JUnit XML for CI test reporters (Jenkins, GitLab, GitHub Actions test-report actions).

Layout:

* ``<testsuites name="repcheck">`` holds one ``<testsuite>`` per partner (an audit run) or one for
  the page (a single ``repcheck check``, the suite named after the page URL).
* Each page gives one ``<testcase>`` per rule that fired on it: ``classname`` is the page URL,
  ``name`` the rule id (e.g. ``RFI-EMBED``). A page with no finding gives one passing testcase
  named ``compliant``.
* A testcase **fails** (one ``<failure>``) when at least one of its findings fails the run under
  ``--fail-on`` (``error`` by default, ``warning`` to fail on warnings too) and no waiver covers it.
  The failure's ``type`` is the finding kind (``embed.inserted``), its ``message`` the finding
  message (the first one, with a count, when the rule fired more than once on the page) and its
  text gives, per failing finding: kind and severity, message, the licence clause quoted, the
  canonical and partner evidence, the CSS path on the partner page and the fingerprint.
* A testcase whose findings are all waived (none failing unwaived) is **skipped**: ``<skipped>``
  with message ``waived``; waived findings never count as failures.
* Findings below the ``--fail-on`` threshold leave their testcase **passing**. Every finding not
  shown in a ``<failure>`` (waived, or below the threshold) is written to the testcase's
  ``<system-out>`` with the same details, so nothing is hidden.
* An unverifiable page gives one testcase ``compliant`` with an ``<error>`` whose ``type`` is the
  reason (``not-html``, ``fetch-failed``...) and whose message is the explanation.

``tests``, ``failures``, ``errors`` and ``skipped`` are counted on every ``<testsuite>`` and on the
root. Partner pages are untrusted: characters XML 1.0 forbids (control characters other than tab,
newline and carriage return, lone surrogates, U+FFFE/U+FFFF) are removed from every text and
attribute, and ElementTree escapes the rest.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from checker.formats import Document, Formatter, PageEntry, RenderOptions, fails

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: object) -> str:
    """*text* as a string with the characters XML 1.0 cannot carry removed."""
    return _ILLEGAL_XML.sub("", "" if text is None else str(text))


def _detail(f: Mapping[str, Any], page: PageEntry) -> str:
    """Everything a reader needs to judge one finding, as plain text lines."""
    lines = [f"{f['kind']} ({f['severity']}) {f['rule_id']}: {f['message']}"]
    clause = f.get("clause") or {}
    if clause:
        source = f" — {clause['source']}" if clause.get("source") else ""
        lines.append(f"Licence clause {clause.get('id')}: « {clause.get('text')} »{source}")
    canonical = f.get("canonical")
    if canonical:
        where = canonical.get("field", "")
        if canonical.get("paragraph") is not None:
            where += f", paragraph {canonical['paragraph']}"
        lines.append(f"Canonical ({where}): {canonical.get('text', '')}")
    partner = f.get("partner")
    if partner:
        if partner.get("text"):
            lines.append(f"Partner page: {partner['text']}")
        if partner.get("css_path"):
            lines.append(f"CSS path: {partner['css_path']}")
    lines.append(f"Fingerprint: {f['fingerprint']}")
    status = page.status.get(f["fingerprint"])
    marks = [m for m in (status, "waived" if page.is_waived(f) else None) if m]
    if marks:
        lines.append("Status: " + ", ".join(marks))
    return "\n".join(lines)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


class _Suite:
    """One ``<testsuite>`` under construction, with its counts."""

    def __init__(self, root: ET.Element, name: str, timestamp: str) -> None:
        attrs = {"name": name}
        if timestamp:
            attrs["timestamp"] = timestamp
        self.el = _sub(root, "testsuite", **attrs)
        self.tests = self.failures = self.errors = self.skipped = 0

    def case(self, classname: str, name: str) -> ET.Element:
        self.tests += 1
        return _sub(self.el, "testcase", classname=classname, name=name, time="0")

    def finish(self) -> None:
        for key in ("tests", "failures", "errors", "skipped"):
            self.el.set(key, str(getattr(self, key)))
        self.el.set("time", "0")


def _page_cases(suite: _Suite, page: PageEntry, options: RenderOptions) -> None:
    if page.verdict == "unverifiable":
        case = suite.case(page.url, "compliant")
        reason = str(page.report.get("reason") or "unverifiable")
        message = str(page.report.get("message") or "the page could not be checked")
        _sub(case, "error", f"{page.url}: unverifiable ({reason}): {message}", message=message, type=reason)
        suite.errors += 1
        return
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for f in page.findings:
        by_rule.setdefault(f["rule_id"], []).append(f)
    if not by_rule:
        suite.case(page.url, "compliant")
        return
    for rule_id, findings in by_rule.items():
        case = suite.case(page.url, rule_id)
        failing = [f for f in findings if fails(f["severity"], options) and not page.is_waived(f)]
        others = [f for f in findings if not fails(f["severity"], options) or page.is_waived(f)]
        if failing:
            first = failing[0]
            message = first["message"] if len(failing) == 1 else f"{len(failing)} findings: {first['message']} (…)"
            body = "\n\n".join(_detail(f, page) for f in failing)
            _sub(case, "failure", body, message=message, type=first["kind"])
            suite.failures += 1
        elif any(page.is_waived(f) for f in findings):
            waived = [f for f in findings if page.is_waived(f)]
            _sub(case, "skipped", message=f"waived: {waived[0]['message']}")
            suite.skipped += 1
        if others:
            _sub(case, "system-out", "\n\n".join(_detail(f, page) for f in others))


class JunitFormatter(Formatter):
    """JUnit XML: partners as suites, page × rule as testcases."""

    name = "junit"
    suffix = ".xml"
    description = "JUnit XML for CI test reporters (one testsuite per partner, one testcase per page and rule)"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The ``<testsuites>`` document, with an XML declaration."""
        root = ET.Element("testsuites", {"name": "repcheck"})
        suites: dict[str, _Suite] = {}
        for page in doc.pages:
            key = page.partner or page.url
            if key not in suites:
                suites[key] = _Suite(root, xml_safe(key), doc.generated_at)
            _page_cases(suites[key], page, options)
        totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
        for suite in suites.values():
            suite.finish()
            for key in totals:
                totals[key] += getattr(suite, key)
        for key, value in totals.items():
            root.set(key, str(value))
        root.set("time", "0")
        ET.indent(root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
