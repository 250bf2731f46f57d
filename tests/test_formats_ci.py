"""The CI formats (junit, sarif, markdown) on real check reports and on a hand-built audit run.

JUnit is read back with junitparser, SARIF is validated against the official OASIS SARIF 2.1.0
schema vendored in tests/data, Markdown is checked for its counts and for escaping the text a
partner page controls.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped, TestCase, TestSuite

from checker import check
from checker.formats import REGISTRY, Document, RenderOptions
from checker.formats.junit import JunitFormatter
from checker.formats.markdown import MarkdownFormatter, md_escape
from checker.formats.sarif import SarifFormatter

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PARTNERS = ROOT / "examples" / "partners"
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"
AUDIT_SCHEMA = ROOT / "checker" / "schemas" / "audit-report.schema.json"

#: Partner-controlled text an attacker could put on a page (HTML, a table pipe, a link, a code span,
#: a line break) and characters XML 1.0 cannot carry (NUL, BEL, vertical tab, a lone surrogate).
HOSTILE = "credit | <script>alert(1)</script> [x](javascript:alert(1)) `rm -rf`\nsecond line"
XML_ILLEGAL = "\x00\x07\x0b\ud800"

JUNIT = JunitFormatter()
SARIF = SarifFormatter()
MARKDOWN = MarkdownFormatter()
ERROR = RenderOptions()
WARNING = RenderOptions(fail_on="warning")


# -- data ------------------------------------------------------------------------------------------


def report(name: str) -> dict[str, Any]:
    """The JSON report of ``repcheck check`` on an example partner page."""
    return check(str(PARTNERS / name), str(CANONICAL), "rfi").to_dict()


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    """Reports of the example pages the tests use, checked once."""
    names = ["compliant.html", "inserted-ad.html", "credit-and-byline.html", "not-html.txt", "cut-paragraph.html"]
    return {n: report(n) for n in names}


@pytest.fixture(scope="module")
def warning_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real warning: the compliant page without its "Source : RFI" line (rule RFI-SOURCE)."""
    html = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    lines = [line for line in html.splitlines(keepends=True) if 'class="source"' not in line]
    assert len(lines) == len(html.splitlines()) - 1
    page = tmp_path_factory.mktemp("nosource") / "no-source.html"
    page.write_text("".join(lines), encoding="utf-8")
    return check(str(page), str(CANONICAL), "rfi").to_dict()


def _finding(r: dict[str, Any], rule_id: str, index: int = 0) -> dict[str, Any]:
    found: dict[str, Any] = [f for f in r["findings"] if f["rule_id"] == rule_id][index]
    return found


def _page(url: str, partner: str, r: dict[str, Any]) -> dict[str, Any]:
    r = copy.deepcopy(r)
    r["page"]["url"] = url
    return {
        "url": url,
        "partner": partner,
        "canonical_id": None if r["verdict"] == "unverifiable" else "rfi-haftar-moscou",
        "verdict": r["verdict"],
        "reason": r["reason"],
        "fetched_at": r["page"].get("fetched_at"),
        "sha256": r["page"].get("sha256"),
        "warc_record_id": None,
        "report": r,
    }


def _status(page: dict[str, Any], f: dict[str, Any], status: str, *, waived: bool = False) -> dict[str, Any]:
    return {
        "url": page["url"],
        "partner": page["partner"],
        "fingerprint": f["fingerprint"],
        "rule_id": f["rule_id"],
        "kind": f["kind"],
        "severity": f["severity"],
        "message": f["message"],
        "status": status,
        "waived": waived,
    }


AD_URL = "https://courrier.example/libye/haftar"
OK_URL = "https://courrier.example/libye/haftar-2"
CREDIT_URL = "https://phare.example/monde/haftar"
TXT_URL = "https://phare.example/feed.txt"


def build_audit(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Run 7 of audit "nightly": partner Courrier (an inserted ad, a compliant page) and partner
    Le Phare (a missing byline, waived, and a changed credit whose message and partner text carry
    hostile text; a page that is not HTML). One finding persists from run 6, one was resolved."""
    ad = _page(AD_URL, "Courrier", reports["inserted-ad.html"])
    ok = _page(OK_URL, "Courrier", reports["compliant.html"])
    credit = _page(CREDIT_URL, "Le Phare", reports["credit-and-byline.html"])
    txt = _page(TXT_URL, "Le Phare", reports["not-html.txt"])
    altered = _finding(credit["report"], "RFI-CREDIT-ALT")
    altered["message"] = f"A photo credit was changed: {HOSTILE}{XML_ILLEGAL}"
    altered["partner"]["text"] = f"{HOSTILE}{XML_ILLEGAL}"
    cut = _finding(reports["cut-paragraph.html"], "RFI-CUT")
    ad_findings = ad["report"]["findings"]
    findings = [
        _status(ad, ad_findings[0], "persisting"),
        _status(ad, ad_findings[1], "new"),
        _status(ok, _finding(ok["report"], "RFI-TYPO"), "persisting"),
        _status(credit, _finding(credit["report"], "RFI-BYLINE-MISSING"), "new", waived=True),
        _status(credit, altered, "new"),
        _status(_page("https://courrier.example/old", "Courrier", reports["cut-paragraph.html"]), cut, "resolved"),
    ]
    return {
        "schema_version": 1,
        "tool": {"name": "repcheck", "version": "0.1.0"},
        "audit": "nightly",
        "config_sha256": "0" * 64,
        "run_id": 7,
        "pages": [ad, ok, credit, txt],
        "comparison": {
            "run_id": 7,
            "previous_run_id": 6,
            "counts": {"new": 3, "persisting": 2, "resolved": 1, "waived": 1},
            "findings": findings,
            "unchecked_urls": [],
            "config_changed": False,
        },
        "skipped": {"no_canonical_article": 2, "discovery": 0},
    }


@pytest.fixture
def audit_dict(reports: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A fresh hand-built audit run report (tests may change it)."""
    return build_audit(reports)


@pytest.fixture
def audit_doc(audit_dict: dict[str, Any]) -> Document:
    """The hand-built audit run as a Document."""
    return Document.from_audit(audit_dict)


def test_the_hand_built_audit_follows_the_audit_report_schema(audit_dict: dict[str, Any]) -> None:
    schema = json.loads(AUDIT_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(audit_dict)


def test_the_three_formats_are_registered() -> None:
    assert isinstance(REGISTRY["junit"], JunitFormatter) and REGISTRY["junit"].suffix == ".xml"
    assert isinstance(REGISTRY["sarif"], SarifFormatter) and REGISTRY["sarif"].suffix == ".sarif"
    assert isinstance(REGISTRY["markdown"], MarkdownFormatter) and REGISTRY["markdown"].suffix == ".md"


# -- JUnit ------------------------------------------------------------------------------------------


def junit(doc: Document, options: RenderOptions = ERROR) -> JUnitXml:
    """The JUnit output of *doc*, parsed back by junitparser."""
    out = JUNIT.render(doc, options)
    assert out.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites')
    return JUnitXml.fromstring(out.encode("utf-8"))


def outcome(case: TestCase) -> str:
    """``failure``, ``error``, ``skipped`` or ``passed``."""
    kinds = {type(r) for r in case.result}
    for cls, name in ((Failure, "failure"), (Error, "error"), (Skipped, "skipped")):
        if cls in kinds:
            return name
    assert not case.result
    return "passed"


def counts(suite: TestSuite | JUnitXml) -> tuple[int, int, int, int]:
    """The counts the element declares: tests, failures, errors, skipped."""
    return (suite.tests, suite.failures, suite.errors, suite.skipped)


def recount(suite: TestSuite) -> tuple[int, int, int, int]:
    """The same counts, from the testcases themselves."""
    outcomes = [outcome(c) for c in suite]
    return (len(outcomes), outcomes.count("failure"), outcomes.count("error"), outcomes.count("skipped"))


def test_junit_inserted_ad_fails_on_embed_inserted(reports: dict[str, dict[str, Any]]) -> None:
    r = reports["inserted-ad.html"]
    xml = junit(Document.from_report(r))
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    assert suite.name == r["page"]["url"]
    assert counts(xml) == counts(suite) == recount(suite) == (1, 1, 0, 0)
    (case,) = list(suite)
    assert (case.classname, case.name) == (r["page"]["url"], "RFI-EMBED")
    (failure,) = case.result
    assert isinstance(failure, Failure)
    assert failure.type == "embed.inserted"
    assert failure.message.startswith("2 findings: A foreign element was inserted")
    body = failure.text
    for f in r["findings"]:  # both findings of the rule, with their evidence
        assert f["message"] in body
        assert f"Fingerprint: {f['fingerprint']}" in body
        assert f"CSS path: {f['partner']['css_path']}" in body
        assert f"Partner page: {f['partner']['text']}" in body
    assert "Licence clause integrity: « Le Contenu devra être reproduit" in body


def test_junit_credit_and_byline_gives_one_failing_testcase_per_rule(reports: dict[str, dict[str, Any]]) -> None:
    r = reports["credit-and-byline.html"]
    (suite,) = list(junit(Document.from_report(r)))
    assert counts(suite) == recount(suite) == (2, 2, 0, 0)
    assert [(c.name, outcome(c), c.result[0].type) for c in suite] == [
        ("RFI-BYLINE-MISSING", "failure", "byline.missing"),
        ("RFI-CREDIT-ALT", "failure", "credit.altered"),
    ]
    byline = next(iter(suite)).result[0]
    assert "Canonical (byline): Avec notre correspondante à Moscou, Muriel Pomponne" in byline.text


def test_junit_compliant_page_passes(reports: dict[str, dict[str, Any]]) -> None:
    r = reports["compliant.html"]  # one info finding: RFI-TYPO, below the error threshold
    (suite,) = list(junit(Document.from_report(r)))
    assert counts(suite) == recount(suite) == (1, 0, 0, 0)
    (case,) = list(suite)
    assert (case.name, outcome(case)) == ("RFI-TYPO", "passed")
    assert "text.typography (info) RFI-TYPO" in case.system_out
    assert _finding(r, "RFI-TYPO")["fingerprint"] in case.system_out


def test_junit_page_without_findings_is_one_passing_testcase(reports: dict[str, dict[str, Any]]) -> None:
    r = copy.deepcopy(reports["compliant.html"])
    r["findings"] = []
    r["counts"]["info"] = 0
    (suite,) = list(junit(Document.from_report(r)))
    assert counts(suite) == recount(suite) == (1, 0, 0, 0)
    assert [(c.classname, c.name, outcome(c)) for c in suite] == [(r["page"]["url"], "compliant", "passed")]


def test_junit_unverifiable_page_is_an_error(reports: dict[str, dict[str, Any]]) -> None:
    r = reports["not-html.txt"]
    xml = junit(Document.from_report(r))
    (suite,) = list(xml)
    assert counts(xml) == counts(suite) == recount(suite) == (1, 0, 1, 0)
    (case,) = list(suite)
    (error,) = case.result
    assert isinstance(error, Error)
    assert case.name == "compliant"
    assert error.type == "not-html"
    assert error.message == r["message"] == "the page is not HTML (no markup found)"


def test_junit_fail_on_warning_turns_warnings_into_failures(warning_report: dict[str, Any]) -> None:
    doc = Document.from_report(warning_report)
    assert warning_report["counts"] == {"error": 0, "warning": 1, "info": 1}
    by_error = {c.name: c for c in next(iter(junit(doc, ERROR)))}
    assert outcome(by_error["RFI-SOURCE"]) == "passed"
    assert "attribution.missing (warning) RFI-SOURCE" in by_error["RFI-SOURCE"].system_out
    (suite,) = list(junit(doc, WARNING))
    by_warning = {c.name: c for c in suite}
    assert counts(suite) == recount(suite) == (2, 1, 0, 0)
    (failure,) = by_warning["RFI-SOURCE"].result
    assert isinstance(failure, Failure) and failure.type == "attribution.missing"
    assert failure.message == _finding(warning_report, "RFI-SOURCE")["message"]
    assert outcome(by_warning["RFI-TYPO"]) == "passed"  # info stays below a warning threshold


def test_junit_audit_suites_per_partner(audit_dict: dict[str, Any], audit_doc: Document) -> None:
    xml = junit(audit_doc)
    suites = {s.name: s for s in xml}
    assert list(suites) == ["Courrier", "Le Phare"]
    assert counts(suites["Courrier"]) == recount(suites["Courrier"]) == (2, 1, 0, 0)
    assert counts(suites["Le Phare"]) == recount(suites["Le Phare"]) == (3, 1, 1, 1)
    assert counts(xml) == (5, 2, 1, 1)
    cases = [(c.classname, c.name, outcome(c)) for s in xml for c in s]
    assert cases == [
        (AD_URL, "RFI-EMBED", "failure"),
        (OK_URL, "RFI-TYPO", "passed"),
        (CREDIT_URL, "RFI-BYLINE-MISSING", "skipped"),
        (CREDIT_URL, "RFI-CREDIT-ALT", "failure"),
        (TXT_URL, "compliant", "error"),
    ]
    byline = next(c for c in suites["Le Phare"] if c.name == "RFI-BYLINE-MISSING")
    assert byline.result[0].message.startswith("waived: The journalist's byline is missing")
    assert "Status: new, waived" in byline.system_out
    ad = next(c for c in suites["Courrier"] if c.name == "RFI-EMBED")
    assert "Status: persisting" in ad.result[0].text and "Status: new" in ad.result[0].text


def test_junit_strips_characters_xml_cannot_carry(audit_doc: Document) -> None:
    out = JUNIT.render(audit_doc, ERROR)
    assert not any(c in out for c in XML_ILLEGAL)
    out.encode("utf-8")  # a lone surrogate would make this raise
    xml = JUnitXml.fromstring(out.encode("utf-8"))  # and NUL or BEL would make this raise
    altered = next(c for s in xml for c in s if c.name == "RFI-CREDIT-ALT").result[0]
    assert altered.message == f"A photo credit was changed: {HOSTILE}"
    assert f"Partner page: {HOSTILE}" in altered.text  # escaped on the way out, intact on the way in


# -- SARIF -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_validator() -> jsonschema.protocols.Validator:
    """A validator for the official SARIF 2.1.0 schema, of the draft the schema declares."""
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # "$schema": draft-04
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def sarif(doc: Document, validator: jsonschema.protocols.Validator, options: RenderOptions = ERROR) -> dict[str, Any]:
    """The SARIF log of *doc*, validated."""
    log: dict[str, Any] = json.loads(SARIF.render(doc, options))
    validator.validate(log)
    return log


def test_the_vendored_schema_rejects_invalid_sarif(
    reports: dict[str, dict[str, Any]], sarif_validator: jsonschema.protocols.Validator
) -> None:
    log = sarif(Document.from_report(reports["inserted-ad.html"]), sarif_validator)
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        sarif_validator.validate(log)
    del log["runs"][0]["results"][0]["level"]
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"] = {"snippet": {"text": "x"}}
    with pytest.raises(jsonschema.ValidationError):  # a region needs a line or an offset
        sarif_validator.validate(log)


def test_sarif_inserted_ad(reports: dict[str, dict[str, Any]], sarif_validator: jsonschema.protocols.Validator) -> None:
    r = reports["inserted-ad.html"]
    log = sarif(Document.from_report(r), sarif_validator)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("repcheck", r["tool"]["version"])
    assert driver["informationUri"].startswith("https://")
    (rule,) = driver["rules"]
    assert (rule["id"], rule["name"], rule["defaultConfiguration"]["level"]) == ("RFI-EMBED", "embed.inserted", "error")
    assert rule["shortDescription"]["text"] == "A foreign element was inserted inside the article (incrustations)"
    assert "« Le Contenu devra être reproduit" in rule["fullDescription"]["text"]
    assert "« Le Contenu devra être reproduit" in rule["help"]["text"]
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert "automationDetails" not in run
    results = run["results"]
    assert len(results) == 2
    for result, f in zip(results, r["findings"], strict=True):
        assert (result["ruleId"], result["ruleIndex"], result["level"]) == ("RFI-EMBED", 0, "error")
        assert result["message"]["text"] == f["message"]
        assert result["partialFingerprints"] == {"repcheck/v1": f["fingerprint"]}
        (loc,) = result["locations"]
        assert loc["physicalLocation"]["artifactLocation"]["uri"] == r["page"]["url"]
        assert loc["logicalLocations"] == [{"fullyQualifiedName": f["partner"]["css_path"], "kind": "element"}]
        assert loc["message"]["text"] == f["partner"]["text"]
        assert result["properties"]["kind"] == "embed.inserted"
        assert result["properties"]["clause"] == "integrity"
        assert "suppressions" not in result and "baselineState" not in result


def test_sarif_unverifiable_page(
    reports: dict[str, dict[str, Any]], sarif_validator: jsonschema.protocols.Validator
) -> None:
    r = reports["not-html.txt"]
    (run,) = sarif(Document.from_report(r), sarif_validator)["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["repcheck/unverifiable"]
    (result,) = run["results"]
    assert (result["ruleId"], result["ruleIndex"], result["level"]) == ("repcheck/unverifiable", 0, "error")
    assert "not-html" in result["message"]["text"] and r["message"] in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == r["page"]["url"]


def test_sarif_compliant_page_has_a_note(
    reports: dict[str, dict[str, Any]], sarif_validator: jsonschema.protocols.Validator
) -> None:
    (run,) = sarif(Document.from_report(reports["compliant.html"]), sarif_validator)["runs"]
    assert [(r["ruleId"], r["level"]) for r in run["results"]] == [("RFI-TYPO", "note")]
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "note"}


def test_sarif_levels_follow_severity_whatever_fail_on(
    warning_report: dict[str, Any], sarif_validator: jsonschema.protocols.Validator
) -> None:
    doc = Document.from_report(warning_report)
    at_error = sarif(doc, sarif_validator, ERROR)["runs"][0]
    at_warning = sarif(doc, sarif_validator, WARNING)["runs"][0]
    levels = {r["ruleId"]: r["level"] for r in at_warning["results"]}
    assert levels == {"RFI-TYPO": "note", "RFI-SOURCE": "warning"}
    assert at_error["results"] == at_warning["results"]
    assert (at_error["properties"]["failOn"], at_warning["properties"]["failOn"]) == ("error", "warning")


def test_sarif_audit(
    audit_dict: dict[str, Any], audit_doc: Document, sarif_validator: jsonschema.protocols.Validator
) -> None:
    (run,) = sarif(audit_doc, sarif_validator)["runs"]
    assert run["automationDetails"] == {"id": "repcheck/nightly/run-7"}
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        "RFI-EMBED",
        "RFI-TYPO",
        "RFI-BYLINE-MISSING",
        "RFI-CREDIT-ALT",
        "repcheck/unverifiable",
    ]
    results = run["results"]
    assert len(results) == 6  # 2 + 1 + 2 findings, 1 unverifiable page
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    summary = [
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["properties"].get("partner"),
            r["properties"].get("status"),
            r.get("baselineState"),
            bool(r.get("suppressions")),
        )
        for r in results
    ]
    assert summary == [
        ("RFI-EMBED", AD_URL, "Courrier", "persisting", "unchanged", False),
        ("RFI-EMBED", AD_URL, "Courrier", "new", "new", False),
        ("RFI-TYPO", OK_URL, "Courrier", "persisting", "unchanged", False),
        ("RFI-BYLINE-MISSING", CREDIT_URL, "Le Phare", "new", "new", True),
        ("RFI-CREDIT-ALT", CREDIT_URL, "Le Phare", "new", "new", False),
        ("repcheck/unverifiable", TXT_URL, "Le Phare", None, None, False),
    ]
    (suppression,) = results[3]["suppressions"]
    assert (suppression["kind"], suppression["status"]) == ("external", "accepted")
    assert "Le Phare" in suppression["justification"] and "nightly" in suppression["justification"]
    fingerprints = [f["fingerprint"] for p in audit_dict["pages"] for f in p["report"]["findings"]]
    assert [r["partialFingerprints"]["repcheck/v1"] for r in results[:5]] == fingerprints
    assert run["properties"]["changes"] == {"new": 3, "persisting": 2, "resolved": 1, "waived": 1}
    assert run["properties"]["verdicts"] == {"compliant": 1, "unverifiable": 1, "violation": 2}


# -- Markdown --------------------------------------------------------------------------------------


def table_rows(md: str, header: str) -> list[str]:
    """The body rows of the table whose header line starts with *header*."""
    lines = md.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append(line)
    return rows


def cells(row: str) -> list[str]:
    """A table row's cells: split on the pipes Markdown would split on (none escaped here)."""
    assert row.startswith("| ") and row.endswith(" |")
    return [c.strip() for c in row[1:-1].split("|")]


def test_markdown_check_violation(reports: dict[str, dict[str, Any]]) -> None:
    r = reports["inserted-ad.html"]
    md = MARKDOWN.render(Document.from_report(r), ERROR)
    assert md.splitlines()[0] == "## ❌ repcheck: violation"
    assert table_rows(md, "| Verdict |") == ["| violation | 1 |"]
    assert table_rows(md, "| Kind |") == ["| embed.inserted | 2 | 2 |"]
    assert "### Failing findings (2, fail on error)" in md
    rows = table_rows(md, "| Page | Kind |")
    assert [cells(row)[:3] for row in rows] == [[r["page"]["url"], "embed.inserted", "RFI-EMBED"]] * 2
    assert "2 errors, 0 warnings, 0 info" in md


def test_markdown_check_compliant_and_unverifiable(reports: dict[str, dict[str, Any]]) -> None:
    md = MARKDOWN.render(Document.from_report(reports["compliant.html"]), ERROR)
    assert md.splitlines()[0] == "## ✅ repcheck: compliant"
    assert table_rows(md, "| Kind |") == ["| text.typography | 1 | 0 |"]
    assert "Failing findings" not in md
    md = MARKDOWN.render(Document.from_report(reports["not-html.txt"]), ERROR)
    assert md.splitlines()[0] == "## ⚠️ repcheck: unverifiable"
    assert "**Unverifiable** (not-html): the page is not HTML (no markup found)" in md


def test_markdown_fail_on_warning(warning_report: dict[str, Any]) -> None:
    doc = Document.from_report(warning_report)
    md = MARKDOWN.render(doc, ERROR)
    assert md.splitlines()[0] == "## ✅ repcheck: compliant"
    assert "Failing findings" not in md
    md = MARKDOWN.render(doc, WARNING)
    assert md.splitlines()[0] == "## ❌ repcheck: compliant"
    assert "### Failing findings (1, fail on warning)" in md
    assert [cells(row)[1:3] for row in table_rows(md, "| Page | Kind |")] == [["attribution.missing", "RFI-SOURCE"]]


def test_markdown_audit_counts(audit_doc: Document) -> None:
    md = MARKDOWN.render(audit_doc, ERROR)
    # 2 ads + the changed credit; the missing byline is waived
    assert md.splitlines()[0] == "## ❌ repcheck audit nightly — run 7 (previous run 6): 3 failing findings"
    assert "**4 pages** checked: 1 compliant, 2 violation, 1 unverifiable; 2 pages carry no canonical article." in md
    assert table_rows(md, "| Partner | Pages |") == [
        "| Courrier | 2 | 1 | 1 | 0 |",
        "| Le Phare | 2 | 0 | 1 | 1 |",
        "| **Total** | 4 | 1 | 2 | 1 |",
    ]
    assert table_rows(md, "| New |") == ["| 3 | 2 | 1 | 1 |"]
    assert table_rows(md, "| Kind |") == [
        "| byline.missing | 1 | 0 |",
        "| credit.altered | 1 | 1 |",
        "| embed.inserted | 2 | 2 |",
        "| text.typography | 1 | 0 |",
    ]
    failing = [cells(row) for row in table_rows(md, "| Page | Partner |")]
    assert [row[:4] for row in failing] == [
        [AD_URL, "Courrier", "embed.inserted", "RFI-EMBED"],
        [AD_URL, "Courrier", "embed.inserted", "RFI-EMBED"],
        [CREDIT_URL, "Le Phare", "credit.altered", "RFI-CREDIT-ALT"],
    ]
    assert [cells(row)[:3] for row in table_rows(md, "| Page | Partner | Reason |")] == [
        [TXT_URL, "Le Phare", "not-html"]
    ]


def test_markdown_escapes_partner_text(audit_doc: Document) -> None:
    md = MARKDOWN.render(audit_doc, ERROR)
    assert "<script>" not in md and "<" not in md.replace("&lt;", "")
    assert "[x](" not in md and "`" not in md
    row = next(r for r in table_rows(md, "| Page | Partner |") if "RFI-CREDIT-ALT" in r)
    assert len(cells(row)) == 5  # the partner's pipe did not open a sixth cell
    message = cells(row)[4]
    assert message == (
        "A photo credit was changed: credit &#124; &lt;script&gt;alert(1)&lt;/script&gt; "
        "&#91;x&#93;(javascript:alert(1)) &#96;rm -rf&#96; second line"
    )
    assert not any(line.startswith("second line") for line in md.splitlines())
    for line in md.splitlines():  # every table line keeps its column count
        if line.startswith("| Page | Partner | Kind"):
            assert len(cells(line)) == 5


def test_md_escape() -> None:
    assert md_escape("a|b<c>&d`e[f]g\\h\r\ni") == "a&#124;b&lt;c&gt;&amp;d&#96;e&#91;f&#93;g&#92;h i"
    assert md_escape("&#124;") == "&amp;#124;"  # an entity in partner text stays text
    assert md_escape("x" * 300) == "x" * 199 + "…"
    assert md_escape("bell\x07 and\u2028line") == "bell and line"
    assert md_escape("thanks @octocat and @org/team") == "thanks &#64;octocat and &#64;org/team"  # no mentions
    assert md_escape(None) == ""


def test_markdown_lists_at_most_50_failing_findings(reports: dict[str, dict[str, Any]]) -> None:
    data = build_audit(reports)
    ad = data["pages"][0]
    data["pages"] = [_page(f"https://courrier.example/ad-{i}", "Courrier", ad["report"]) for i in range(30)]
    data["comparison"]["findings"] = []
    md = MARKDOWN.render(Document.from_audit(data), ERROR)
    assert md.splitlines()[0].endswith(": 60 failing findings")
    rows = table_rows(md, "| Page | Partner |")
    assert len(rows) == 50
    assert cells(rows[-1])[0] == "https://courrier.example/ad-24"
    assert md.rstrip().endswith("… and 10 more")


def test_outputs_end_with_a_newline_and_encode_as_utf8(audit_doc: Document) -> None:
    for formatter in (JUNIT, SARIF, MARKDOWN):
        out = formatter.render(audit_doc, ERROR)
        assert out.endswith("\n") and not out.endswith("\n\n")
        out.encode("utf-8")  # the hostile text's lone surrogate would make this raise


def test_sarif_keeps_control_characters_escaped_and_replaces_lone_surrogates(audit_doc: Document) -> None:
    log = json.loads(SARIF.render(audit_doc, ERROR))
    altered = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "RFI-CREDIT-ALT")
    assert altered["message"]["text"] == f"A photo credit was changed: {HOSTILE}\x00\x07\x0b\ufffd"
    assert altered["locations"][0]["message"]["text"] == f"{HOSTILE}\x00\x07\x0b\ufffd"


def test_sarif_and_junit_agree_on_failing_findings(audit_doc: Document) -> None:
    """The findings JUnit marks failing are the unsuppressed error results in SARIF."""
    log = json.loads(SARIF.render(audit_doc, ERROR))
    sarif_failing = [
        r["partialFingerprints"]["repcheck/v1"]
        for r in log["runs"][0]["results"]
        if r["level"] == "error" and not r.get("suppressions") and "partialFingerprints" in r
    ]
    out = JUNIT.render(audit_doc, ERROR)
    failure_bodies = re.findall(r"<failure [^>]*>(.*?)</failure>", out, flags=re.S)
    junit_failing = [fp for body in failure_bodies for fp in re.findall(r"Fingerprint: ([0-9a-f]{16})", body)]
    assert sorted(junit_failing) == sorted(sarif_failing)
    assert len(junit_failing) == 3


def test_fail_on_never_fails_nothing_but_unverifiable_pages_stay_errors(audit_doc: Document) -> None:
    never = RenderOptions(fail_on="never")
    xml = junit(audit_doc, never)
    assert counts(xml) == (5, 0, 1, 1)
    assert [outcome(c) for s in xml for c in s] == ["passed", "passed", "skipped", "passed", "error"]
    md = MARKDOWN.render(audit_doc, never)
    assert md.splitlines()[0] == "## ⚠️ repcheck audit nightly — run 7 (previous run 6): no failing findings"
    assert "Failing findings" not in md
