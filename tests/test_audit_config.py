"""The audit file: validated against audit.schema.json, precise errors, defaults and precedence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from checker import check, settings
from checker.audit_config import AuditConfigError, load_audit_config

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "audit" / "audit.toml"
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"

MINIMAL = """
schema_version = 1
name = "t"
[canonical]
directory = "canon"
[[partners]]
name = "P"
pages = ["https://p.example/a.html"]
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_file_loads_with_precedence() -> None:
    cfg = load_audit_config(EXAMPLE)
    assert cfg.name == "rfi-partners-example"
    assert cfg.canonical_directory is not None
    assert cfg.canonical_directory.resolve() == (ROOT / "examples" / "canonical").resolve()
    courrier, carnets = cfg.partners
    # partner value beats [defaults], which beats settings
    assert courrier.politeness.requests_per_second == 0.5
    assert carnets.politeness.requests_per_second == 1.0
    assert courrier.politeness.timeout == settings.TIMEOUT[1]
    assert courrier.profile == carnets.profile == "rfi"
    assert courrier.pages[0].canonical == "rfi-haftar-moscou-2016-11-28"
    assert courrier.pages[1].canonical is None
    assert carnets.max_depth == 2 and carnets.exclude == ("/tag/", "/auteur/")
    assert cfg.history == cfg.reports / "history.sqlite"
    assert len(cfg.sha256) == 64


def test_relative_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    cfg = load_audit_config(_write(tmp_path, MINIMAL))
    assert cfg.canonical_directory == tmp_path.resolve() / "canon"
    assert cfg.reports == tmp_path.resolve() / "reports"
    assert cfg.partners[0].profile == "verbatim"
    assert cfg.partners[0].politeness.requests_per_second == settings.AUDIT_REQUESTS_PER_SECOND


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (MINIMAL + "colour = 1\n", ["$", "unknown key 'colour'"]),
        (MINIMAL.replace('name = "P"', 'name = "P"\nspeed = 2'), ["$.partners[0]", "'speed'", "allowed keys"]),
        (MINIMAL.replace('"https://p.example/a.html"', '"ftp://p.example/a"'), ["$.partners[0].pages[0]"]),
        (MINIMAL.replace("schema_version = 1", "schema_version = 2"), ["$.schema_version"]),
        (MINIMAL + '[[partners]]\nname = "Q"\n', ["$.partners[1]"]),
        (MINIMAL + '[[partners]]\nname = "P"\npages = ["https://x.example/"]\n', ["duplicate partner name"]),
        (
            MINIMAL.replace(
                'pages = ["https://p.example/a.html"]', 'pages = ["https://p.example/a.html"]\nrequests_per_second = 0'
            ),
            ["$.partners[0].requests_per_second"],
        ),
        ("schema_version = 1\nname = [", ["invalid TOML"]),
    ],
)
def test_errors_name_file_and_path(tmp_path: Path, text: str, fragments: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(AuditConfigError) as err:
        load_audit_config(path)
    message = str(err.value)
    assert message.startswith(f"audit config error: {path}")
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AuditConfigError, match="no such file"):
        load_audit_config(tmp_path / "nope.toml")


def test_waiver_requires_reason_approver_expiry(tmp_path: Path) -> None:
    text = MINIMAL + '[[partners.waivers]]\nrule = "RFI-SOURCE"\nreason = "ok"\nexpires = 2027-01-01\n'
    with pytest.raises(AuditConfigError, match="approver"):
        load_audit_config(_write(tmp_path, text))


def test_waivers_match_findings_until_they_expire() -> None:
    cfg = load_audit_config(EXAMPLE)
    waiver = cfg.partners[0].waivers[0]
    report = check(ROOT / "examples" / "partners" / "credit-and-byline.html", CANONICAL, "rfi")
    no_source = check(ROOT / "tests" / "cases" / "pages" / "attribution-missing.html", CANONICAL, "rfi")
    source_findings = [f for f in no_source.findings if f.rule_id == "RFI-SOURCE"]
    assert source_findings, "the page without a source line must give an RFI-SOURCE finding"
    url = "https://courrier.example/monde/haftar-moscou.html"
    assert waiver.matches(source_findings[0], url, dt.date(2027, 3, 31))
    assert not waiver.matches(source_findings[0], url, dt.date(2027, 4, 1))  # expired
    assert not any(waiver.matches(f, url, dt.date(2026, 12, 1)) for f in report.findings)  # other rules
