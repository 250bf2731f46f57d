"""The case catalogue (tests/cases/cases.json): one generic test over canonical/partner pairs."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from checker import check
from checker.models import Finding, Report

CASES_DIR = Path(__file__).parent / "cases"
CASES: list[dict[str, Any]] = json.loads((CASES_DIR / "cases.json").read_text(encoding="utf-8"))


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).replace("’", "'").casefold().split())


def _evidence(f: Finding) -> str:
    parts = [f.canonical.text if f.canonical else "", f.partner.text if f.partner else ""]
    parts.extend(v for _, v in f.detail)
    return _norm(" ␟ ".join(parts))


def _explain(report: Report) -> str:
    lines = [f"verdict={report.verdict.value} reason={report.reason} message={report.message}"]
    lines += [f"  {f.severity.value} {f.kind} {f.message}" for f in report.findings]
    return "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case: dict[str, Any]) -> None:
    report = check(CASES_DIR / case["page"], CASES_DIR / case["canonical"], case["profile"])
    why = _explain(report)
    assert report.verdict.value == case["verdict"], why
    if "reason" in case:
        assert report.reason == case["reason"], why
    for exp in case["expect"]:
        wanted = _norm(exp.get("text", ""))
        assert any(
            f.kind in exp["any_of"] and f.severity.value == exp["severity"] and wanted in _evidence(f)
            for f in report.findings
        ), f"expected {exp} in\n{why}"
    if case["forbid_errors_outside"]:
        named = {k for exp in case["expect"] for k in exp["any_of"]} | set(case.get("allow", []))
        stray = [f for f in report.findings if f.severity.value == "error" and f.kind not in named]
        assert not stray, f"unexpected errors in\n{why}"


def test_every_kind_has_failing_cases() -> None:
    """Meta-test: the catalogue exercises every kind the rules engine knows."""
    from checker.checks import REGISTRY

    covered = {k for c in CASES for e in c["expect"] for k in e["any_of"]}
    missing = set(REGISTRY) - covered - {"text.typography"}
    assert not missing, f"kinds without a case: {sorted(missing)}"
