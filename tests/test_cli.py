"""The ``repcheck`` command as a user meets it: exit statuses, stdout, stderr, output files.

Every test calls :func:`checker.cli.main` with injected streams and environment (httpie's habit),
except the ``python -m checker`` smoke test. No network: pages are local files, and the one URL
used is a closed port on 127.0.0.1.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import __version__
from checker.checks import REGISTRY
from checker.cli import main
from checker.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PARTNERS = EXAMPLES / "partners"
CANONICAL = EXAMPLES / "canonical" / "rfi-haftar-moscou.json"
COMPLIANT = PARTNERS / "compliant.html"

ANSI = re.compile(r"\x1b\[[0-9;]*m")
EXIT_OF_VERDICT = {"compliant": 0, "violation": 1, "unverifiable": 3}

#: Violating example pages and the kinds examples/README.md says each must yield (one set per change;
#: any kind of a set will do, as in the README's "a | b").
VIOLATIONS: dict[str, list[set[str]]] = {
    "cut-paragraph.html": [{"text.cut"}],
    "added-paragraph.html": [{"text.addition"}],
    "altered-words.html": [{"text.alteration"}, {"text.alteration"}, {"text.alteration", "text.cut"}],
    "truncated.html": [{"text.cut"}],
    "inserted-ad.html": [{"embed.inserted"}, {"embed.inserted"}],
    "inserted-link.html": [{"link.inserted"}, {"link.inserted", "text.addition"}],
    "credit-and-byline.html": [{"credit.altered", "credit.missing"}, {"byline.missing"}],
    "title-altered.html": [{"title.altered", "title.missing"}],
    "reordered.html": [{"text.reorder"}],
}


def run(*argv: str | os.PathLike[str], env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI in-process; return (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main([os.fspath(a) for a in argv], stdout=out, stderr=err, env={} if env is None else env)
    return code, out.getvalue(), err.getvalue()


def check_args(page: str | os.PathLike[str], *extra: str | os.PathLike[str]) -> list[str | os.PathLike[str]]:
    return ["check", page, "--canonical", CANONICAL, "--rules", "rfi", *extra]


def assert_valid_report(data: Any) -> None:
    validator = jsonschema.Draft202012Validator(load_schema("report"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


def assert_one_line_error(code: int, expected: int, out: str, err: str) -> None:
    """The contract for bad input: the exit status, one line on stderr, no traceback anywhere."""
    assert code == expected, (code, out, err)
    assert "Traceback" not in out + err
    assert err.endswith("\n") and err.count("\n") == 1, f"expected exactly one stderr line, got {err!r}"


# --- a compliant page --------------------------------------------------------------------------


def test_compliant_page_exits_0_with_verdict_first() -> None:
    code, out, err = run(*check_args(COMPLIANT))
    assert code == 0, (out, err)
    assert out.splitlines()[0].startswith("COMPLIANT")
    assert "Traceback" not in err


def test_no_colour_when_not_a_terminal() -> None:
    code, out, _ = run(*check_args(COMPLIANT), env={})
    assert code == 0
    assert not ANSI.search(out), repr(out[:200])


def test_colour_always_paints_output() -> None:
    code, out, _ = run(*check_args(COMPLIANT, "--color", "always"))
    assert code == 0
    assert ANSI.search(out)
    assert ANSI.sub("", out.splitlines()[0]).startswith("COMPLIANT")


@pytest.mark.parametrize(
    ("env", "painted"), [({"FORCE_COLOR": "1"}, True), ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False)]
)
def test_colour_auto_follows_environment(env: dict[str, str], painted: bool) -> None:
    _, out, _ = run(*check_args(COMPLIANT), env=env)
    assert bool(ANSI.search(out)) is painted


def test_colour_never_reaches_an_output_file(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    code, out, _ = run(*check_args(COMPLIANT, "--color", "always", "--output", target))
    assert code == 0 and out == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("COMPLIANT") and not ANSI.search(text)


# --- violating pages ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_violation_lists_each_error_with_kind_and_location(name: str) -> None:
    page = PARTNERS / name
    code, out, err = run(*check_args(page))
    assert code == 1, (out, err)
    lines = out.splitlines()
    assert lines[0].startswith("VIOLATION")
    for wanted in VIOLATIONS[name]:
        assert any(any(k in line for k in wanted) for line in lines[1:]), f"no line for {wanted} in\n{out}"

    # Every error of the JSON report has its own text line with its kind, rule and CSS path.
    _, js, _ = run(*check_args(page, "--format", "json"))
    errors = [f for f in json.loads(js)["findings"] if f["severity"] == "error"]
    assert errors
    error_lines = [line for line in lines[1:] if line.lstrip().startswith("error")]
    assert len(error_lines) == len(errors), out
    for f in errors:
        mine = [line for line in error_lines if f["kind"] in line and f["rule_id"] in line and f["message"] in line]
        assert mine, f"no line for {f['kind']} in\n{out}"
        partner = f["partner"] or {}
        if f["kind"].endswith(".missing"):
            # Nothing on the page to point at (the text format shows a location only when the
            # finding has partner evidence).
            continue
        assert partner.get("css_path", "").startswith("html > "), f
        assert any(f"[at {partner['css_path']}]" in line for line in mine), out


# --- JSON output -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["compliant.html", "cut-paragraph.html", "not-the-article.html", "not-html.txt"])
def test_json_report_is_schema_valid_and_matches_exit_status(name: str) -> None:
    code, out, _ = run(*check_args(PARTNERS / name, "--format", "json"))
    data = json.loads(out)
    assert_valid_report(data)
    assert EXIT_OF_VERDICT[data["verdict"]] == code


def test_output_file_gets_the_json_and_stdout_stays_empty(tmp_path: Path) -> None:
    _, expected, _ = run(*check_args(PARTNERS / "cut-paragraph.html", "--format", "json"))
    target = tmp_path / "out" / "report.json"  # the directory is created
    code, out, err = run(*check_args(PARTNERS / "cut-paragraph.html", "--format", "json", "--output", target))
    assert code == 1
    assert out == ""
    assert "Traceback" not in err
    written = json.loads(target.read_text(encoding="utf-8"))
    assert_valid_report(written)
    again = json.loads(expected)
    for report in (written, again):  # times differ from run to run
        del report["checked_at"], report["page"]["fetched_at"], report["page"]["elapsed"]
    assert written == again


def test_output_replaces_an_existing_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old contents\n", encoding="utf-8")
    old_inode = target.stat().st_ino
    keep_open = target.open("r", encoding="utf-8")  # a reader that opened the old file keeps it whole
    try:
        code, out, _ = run(*check_args(COMPLIANT, "--format", "json", "--output", target))
        assert code == 0 and out == ""
        assert keep_open.read() == "old contents\n"
    finally:
        keep_open.close()
    assert_valid_report(json.loads(target.read_text(encoding="utf-8")))
    assert target.stat().st_ino != old_inode, "the file was rewritten in place, not replaced"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def test_failed_output_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.mkdir()  # os.replace onto a directory fails after the temporary file is written
    code, out, err = run(*check_args(COMPLIANT, "--format", "json", "--output", target))
    assert_one_line_error(code, 2, out, err)
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]
    assert not list(target.iterdir())


def test_output_under_a_regular_file_is_a_usage_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file.txt"
    blocker.write_text("x", encoding="utf-8")
    code, out, err = run(*check_args(COMPLIANT, "--output", blocker / "sub" / "report.txt"))
    assert_one_line_error(code, 2, out, err)
    assert str(blocker) in err


# --- bad input ---------------------------------------------------------------------------------


def _canonical(tmp_path: Path, edit: Any) -> Path:
    data = json.loads(CANONICAL.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "canonical.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (PARTNERS / "no-such-page.html", "fetch-failed"),
        (PARTNERS / "not-html.txt", "not-html"),
        (PARTNERS / "not-the-article.html", "article-not-found"),
        ("EMPTY", "empty-page"),
    ],
    ids=["missing-file", "not-html", "not-the-article", "empty-file"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_unverifiable_page(tmp_path: Path, page: Path | str, reason: str, fmt: str) -> None:
    if page == "EMPTY":
        page = tmp_path / "empty.html"
        page.write_bytes(b"")
    code, out, err = run(*check_args(page, "--format", fmt))
    assert_one_line_error(code, 3, out, err)
    if fmt == "text":
        assert out.startswith("UNVERIFIABLE")
    else:
        data = json.loads(out)
        assert_valid_report(data)
        assert data["verdict"] == "unverifiable"
        assert data["reason"] == reason
        assert data["message"] and data["message"] in err
        assert data["findings"] == []


def test_unreachable_url_is_unverifiable() -> None:
    code, out, err = run(*check_args("http://127.0.0.1:9/", "--timeout", "1", "--format", "json"))
    assert_one_line_error(code, 3, out, err)
    data = json.loads(out)
    assert_valid_report(data)
    assert data["verdict"] == "unverifiable" and data["reason"] == "fetch-failed"


def test_missing_canonical_file(tmp_path: Path) -> None:
    code, out, err = run("check", COMPLIANT, "--canonical", tmp_path / "nope.json")
    assert_one_line_error(code, 2, out, err)
    assert "nope.json" in err


def test_canonical_invalid_json(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "x",', encoding="utf-8")
    code, out, err = run("check", COMPLIANT, "--canonical", bad)
    assert_one_line_error(code, 2, out, err)
    assert "bad.json" in err and "JSON" in err


def test_canonical_missing_title(tmp_path: Path) -> None:
    path = _canonical(tmp_path, lambda d: d.pop("title"))
    code, out, err = run("check", COMPLIANT, "--canonical", path)
    assert_one_line_error(code, 2, out, err)
    assert "'title'" in err and str(path) in err


@pytest.mark.parametrize(
    ("edit", "key", "json_path"),
    [
        (lambda d: d.update(subtitle="x"), "subtitle", "$:"),
        (lambda d: d["images"][0].update(alt="x"), "alt", "$.images[0]:"),
    ],
    ids=["top-level", "nested"],
)
def test_canonical_unknown_key(tmp_path: Path, edit: Any, key: str, json_path: str) -> None:
    path = _canonical(tmp_path, edit)
    code, out, err = run("check", COMPLIANT, "--canonical", path)
    assert_one_line_error(code, 2, out, err)
    assert repr(key) in err and json_path in err


def test_unknown_rules_id() -> None:
    code, out, err = run("check", COMPLIANT, "--canonical", CANONICAL, "--rules", "no-such-profile")
    assert_one_line_error(code, 2, out, err)
    assert "no-such-profile" in err and "rfi" in err and "verbatim" in err


def test_invalid_profile_file(tmp_path: Path) -> None:
    prof = tmp_path / "bad.toml"
    prof.write_text(
        (ROOT / "rules" / "rfi.toml").read_text(encoding="utf-8").replace('"warning"', '"fatal"'), encoding="utf-8"
    )
    code, out, err = run("check", COMPLIANT, "--canonical", CANONICAL, "--rules", prof)
    assert_one_line_error(code, 2, out, err)
    assert "profile error:" in err and "fatal" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["check", COMPLIANT, "--canonical", CANONICAL, "--format", "xml"],
        ["check", COMPLIANT],
        [],
        ["check", COMPLIANT, "--canonical", CANONICAL, "--timeout", "0"],
        ["check", COMPLIANT, "--canonical", CANONICAL, "--timeout", "-1"],
        ["check", COMPLIANT, "--canonical", CANONICAL, "--timeout", "soon"],
        ["rules"],
        ["frobnicate"],
    ],
    ids=[
        "unknown-format",
        "missing-canonical",
        "no-subcommand",
        "timeout-0",
        "timeout-negative",
        "timeout-not-number",
        "rules-without-action",
        "unknown-subcommand",
    ],
)
def test_usage_errors(argv: list[str | os.PathLike[str]]) -> None:
    code, out, err = run(*argv)
    assert_one_line_error(code, 2, out, err)


# --- rules subcommands ------------------------------------------------------------------------


def test_rules_list() -> None:
    code, out, _ = run("rules", "list")
    assert code == 0
    ids = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {"rfi", "verbatim"} <= ids


def test_rules_validate_builtin_file() -> None:
    code, out, err = run("rules", "validate", ROOT / "rules" / "rfi.toml")
    assert code == 0, err
    assert "ok" in out and err == ""


def test_rules_validate_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('schema_version = 1\nid = "x"\n', encoding="utf-8")
    code, out, err = run("rules", "validate", bad)
    assert code == 2
    assert err.startswith("profile error:") and err.count("\n") == 1
    assert str(bad) in err and "Traceback" not in out + err


def test_rules_validate_reports_every_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("not toml = = =\n", encoding="utf-8")
    code, out, err = run("rules", "validate", bad, ROOT / "rules" / "verbatim.toml", tmp_path / "absent.toml")
    assert code == 2
    assert err.count("\n") == 2 and all(line.startswith("profile error:") for line in err.splitlines())
    assert "verbatim" in out


def test_rules_kinds_documents_every_kind() -> None:
    code, out, _ = run("rules", "kinds")
    assert code == 0
    for kind, module in REGISTRY.items():
        assert kind in out, kind
        options_line = next(line for line in (module.__doc__ or "").splitlines() if line.startswith("Options"))
        assert options_line in out, (kind, options_line)


# --- version -----------------------------------------------------------------------------------


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert f"repcheck {__version__}" in out + capsys.readouterr().out


def test_version_goes_to_the_injected_stdout() -> None:
    code, out, _ = run("--version")
    assert code == 0
    assert f"repcheck {__version__}" in out


def test_python_dash_m_version() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "checker", "--version"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"repcheck {__version__}"
