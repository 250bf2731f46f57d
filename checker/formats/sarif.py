"""``sarif``: SARIF 2.1.0 (the OASIS Static Analysis Results Interchange Format) for code-scanning
dashboards and SARIF viewers.

One log, one run:

* ``tool.driver``: ``repcheck`` with its version and ``rules``, one reportingDescriptor per rule id
  that fired (``id`` the rule id, ``name`` the finding kind, ``shortDescription`` the rule's
  message, ``fullDescription`` and ``help`` quoting the licence clause it enforces,
  ``defaultConfiguration.level`` from its severity), plus ``repcheck/unverifiable`` when a page
  could not be checked.
* ``results``: one per finding, waived ones included. ``level`` follows the severity alone
  (error → ``error``, warning → ``warning``, info → ``note``), whatever ``--fail-on`` says: SARIF
  consumers apply their own thresholds. ``message.text`` is the finding message. The location is
  the page URL (``physicalLocation.artifactLocation.uri``), with the CSS path of the partner
  evidence as a logical location (kind ``element``) and the partner text as the location's
  message: the report has no line or offset on the page, and a SARIF region must have one, so no
  ``region`` is written. ``partialFingerprints["repcheck/v1"]`` is the finding's fingerprint
  (stable across runs); ``properties`` carry the kind, severity, licence clause id, canonical
  evidence, partner name and, for audits, the change since the previous run (``status``
  new/persisting, also as ``baselineState`` new/unchanged).
* Waived findings carry ``suppressions: [{"kind": "external", "status": "accepted", ...}]``.
* Lone surrogates (possible in untrusted page text, never valid Unicode) become U+FFFD, so the
  file can always be written as UTF-8.
* An unverifiable page gives a result ``repcheck/unverifiable``, level ``error``, whose message
  gives the reason.
* ``invocations: [{"executionSuccessful": true}]`` (the checker ran; findings are not failures of
  the tool) and, for an audit, ``automationDetails.id`` ``repcheck/<audit>/run-<n>`` so runs of one
  audit are grouped. Run-level ``properties`` give pages per verdict and, for audits, the counts of
  new, persisting, resolved and waived findings.

Page URLs are absolute (``https://`` or ``file://``), not repository paths: dashboards that
expect source files (GitHub code scanning) list the results without a source view.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from checker.formats import Document, Formatter, PageEntry, RenderOptions

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/repcheck/repcheck"
FINGERPRINT_KEY = "repcheck/v1"
UNVERIFIABLE_RULE = "repcheck/unverifiable"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
BASELINE = {"new": "new", "persisting": "unchanged"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def _rule_descriptor(f: Mapping[str, Any]) -> dict[str, Any]:
    clause = f.get("clause") or {}
    summary = str(f["message"]).partition(": ")[0] or f["kind"]
    source = f" ({clause['source']})" if clause.get("source") else ""
    quote = f"Licence clause {clause.get('id')}: « {clause.get('text')} »{source}"
    return {
        "id": f["rule_id"],
        "name": f["kind"],
        "shortDescription": {"text": summary},
        "fullDescription": {"text": f"{summary}. {quote}"},
        "help": {"text": f"{quote}\nA finding of this rule ({f['kind']}) means the partner page departs from it."},
        "defaultConfiguration": {"level": LEVELS[f["severity"]]},
        "properties": {"kind": f["kind"], "clause": clause.get("id"), "tags": ["republication", f["kind"]]},
    }


_UNVERIFIABLE_DESCRIPTOR: dict[str, Any] = {
    "id": UNVERIFIABLE_RULE,
    "name": "unverifiable",
    "shortDescription": {"text": "The page could not be checked"},
    "fullDescription": {
        "text": "repcheck could not verify this page (not HTML, fetch failed, article not found...); "
        "its compliance is unknown."
    },
    "help": {"text": "The result message gives the reason. Check the page by hand or fix what blocked the check."},
    "defaultConfiguration": {"level": "error"},
}


def _location(page: PageEntry, f: Mapping[str, Any] | None) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": page.url}}}
    partner = (f or {}).get("partner") or {}
    if partner.get("css_path"):
        loc["logicalLocations"] = [{"fullyQualifiedName": partner["css_path"], "kind": "element"}]
    if partner.get("text"):
        loc["message"] = {"text": partner["text"]}
    return loc


class SarifFormatter(Formatter):
    """SARIF 2.1.0: one run, rules as reportingDescriptors, findings as results."""

    name = "sarif"
    suffix = ".sarif"
    description = "SARIF 2.1.0 for code-scanning dashboards and SARIF viewers"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The SARIF log as indented UTF-8 JSON."""
        rules: list[dict[str, Any]] = []
        index: dict[str, int] = {}

        def rule_index(rule_id: str, descriptor: dict[str, Any]) -> int:
            if rule_id not in index:
                index[rule_id] = len(rules)
                rules.append(descriptor)
            return index[rule_id]

        results: list[dict[str, Any]] = []
        for page in doc.pages:
            if page.verdict == "unverifiable":
                reason = str(page.report.get("reason") or "unverifiable")
                message = str(page.report.get("message") or "the page could not be checked")
                result: dict[str, Any] = {
                    "ruleId": UNVERIFIABLE_RULE,
                    "ruleIndex": rule_index(UNVERIFIABLE_RULE, _UNVERIFIABLE_DESCRIPTOR),
                    "level": "error",
                    "message": {"text": f"Page could not be verified ({reason}): {message}"},
                    "locations": [_location(page, None)],
                    "properties": {"reason": reason, "partner": page.partner},
                }
                results.append(result)
                continue
            for f in page.findings:
                results.append(self._result(page, f, rule_index(f["rule_id"], _rule_descriptor(f)), doc))
        driver: dict[str, Any] = {
            "name": "repcheck",
            "version": doc.tool_version or _package_version(),
            "informationUri": INFORMATION_URI,
            "rules": rules,
        }
        run: dict[str, Any] = {
            "tool": {"driver": driver},
            "invocations": [{"executionSuccessful": True}],
            "results": results,
            "properties": self._run_properties(doc, options),
        }
        if doc.kind == "audit":
            run["automationDetails"] = {"id": f"repcheck/{doc.audit}/run-{doc.run_id}"}
        log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
        # A lone surrogate (never valid Unicode) would make the UTF-8 file unwritable.
        return _SURROGATE.sub("\ufffd", json.dumps(log, ensure_ascii=False, indent=2)) + "\n"

    @staticmethod
    def _result(page: PageEntry, f: Mapping[str, Any], rule_index: int, doc: Document) -> dict[str, Any]:
        clause = f.get("clause") or {}
        properties: dict[str, Any] = {
            "kind": f["kind"],
            "severity": f["severity"],
            "clause": clause.get("id"),
            "canonical": f.get("canonical"),
            "partner": page.partner,
        }
        result: dict[str, Any] = {
            "ruleId": f["rule_id"],
            "ruleIndex": rule_index,
            "level": LEVELS[f["severity"]],
            "message": {"text": f["message"]},
            "locations": [_location(page, f)],
            "partialFingerprints": {FINGERPRINT_KEY: f["fingerprint"]},
        }
        if doc.kind == "audit":
            status = page.status.get(f["fingerprint"], "new")
            properties["status"] = status
            if status in BASELINE:
                result["baselineState"] = BASELINE[status]
        if page.is_waived(f):
            properties["waived"] = True
            where = f" of partner {page.partner}" if page.partner else ""
            audit = f" in audit {doc.audit}" if doc.audit else ""
            result["suppressions"] = [
                {
                    "kind": "external",
                    "status": "accepted",
                    "justification": f"Covered by a waiver{where}{audit} (see the audit file for its reason, "
                    "approver and expiry).",
                }
            ]
        result["properties"] = properties
        return result

    @staticmethod
    def _run_properties(doc: Document, options: RenderOptions) -> dict[str, Any]:
        props: dict[str, Any] = {
            "kind": doc.kind,
            "failOn": options.fail_on,
            "verdicts": dict(sorted(doc.verdicts.items())),
        }
        if doc.generated_at:
            props["generatedAt"] = doc.generated_at
        if doc.kind == "audit":
            changes = doc.changes
            props.update(
                {
                    "audit": doc.audit,
                    "runId": doc.run_id,
                    "previousRunId": doc.previous_run_id,
                    "changes": {k: changes[k] for k in ("new", "persisting", "resolved", "waived")},
                }
            )
        return props


def _package_version() -> str:
    from checker import __version__

    return __version__
