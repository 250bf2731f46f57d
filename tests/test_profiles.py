"""Licence profiles: loading, precise validation errors, option precedence, and catalogue meta-tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import jsonschema
import pytest

from checker import check
from checker.checks import REGISTRY
from checker.errors import ProfileError
from checker.profiles import DEFAULT_PROFILE, builtin_profiles, load_profile, parse_profile
from checker.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
COMPLIANT = ROOT / "examples" / "partners" / "compliant.html"

HEAD = """\
schema_version = 1
id = "test"
name = "Test profile"

[clauses.integrity]
text = "No cuts."

[clauses.credits]
text = "Credits kept."
"""

RULE = """
[[rules]]
id = "T-CUT"
kind = "text.cut"
severity = "error"
clause = "integrity"
message = "cut"
"""

MODULES: list[ModuleType] = sorted(set(REGISTRY.values()), key=lambda m: m.__name__)


def profile_error(text: str, source: str = "test.toml") -> str:
    """The message parse_profile raises for *text*; fails the test when it loads."""
    with pytest.raises(ProfileError) as info:
        parse_profile(text.encode("utf-8"), source)
    message = str(info.value)
    assert message.startswith("profile error: "), message
    assert "\n" not in message, message
    assert f"{source}: " in message, message
    return message


# --- built-ins ---------------------------------------------------------------------------------


@pytest.mark.parametrize("pid", ["rfi", "verbatim"])
def test_builtin_profiles_load(pid: str) -> None:
    prof = load_profile(pid)
    assert prof.id == pid
    assert prof.rules
    assert prof.source == f"builtin:{pid}"
    assert set(builtin_profiles()) >= {"rfi", "verbatim"}


def test_default_profile_is_verbatim() -> None:
    assert DEFAULT_PROFILE == "verbatim"
    assert load_profile(None).id == "verbatim"
    assert load_profile().id == "verbatim"


def test_profile_loads_from_a_path() -> None:
    prof = load_profile(RULES / "rfi.toml")
    assert prof.id == "rfi"
    assert prof.source == str(RULES / "rfi.toml")
    assert prof.sha256 == load_profile("rfi").sha256


def test_missing_profile_file_lists_builtins(tmp_path: Path) -> None:
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path / "absent.toml")
    message = str(info.value)
    assert message.startswith("profile error: ")
    assert "absent.toml" in message and "rfi" in message and "verbatim" in message


def test_error_names_the_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(HEAD + RULE.replace('"error"', '"fatal"'), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).startswith(f"profile error: {path}: $.rules[0].severity: ")


# --- precise errors ----------------------------------------------------------------------------


def test_bad_toml_syntax() -> None:
    message = profile_error(HEAD + "id = \n")
    assert ": $: invalid TOML" in message
    assert "line" in message


def test_not_utf8() -> None:
    with pytest.raises(ProfileError) as info:
        parse_profile((HEAD + RULE).encode("utf-8").replace(b"No cuts.", b"No cuts \xff."), "test.toml")
    assert str(info.value).startswith("profile error: test.toml: $: not UTF-8")


def test_unknown_top_level_key() -> None:
    message = profile_error("colour = 'red'\n" + HEAD + RULE)
    assert ": $: unknown key 'colour'" in message
    for allowed in ("clauses", "rules", "schema_version", "extraction"):
        assert allowed in message


def test_unknown_rule_key() -> None:
    message = profile_error(HEAD + RULE + "colour = 'red'\n")
    assert ": $.rules[0]: unknown key 'colour'" in message
    for allowed in ("clause", "id", "kind", "message", "options", "severity"):
        assert allowed in message


def test_missing_required_key() -> None:
    message = profile_error(HEAD + RULE.replace('message = "cut"\n', ""))
    assert ": $.rules[0]: " in message and "'message'" in message


def test_severity_fatal_lists_allowed_severities() -> None:
    message = profile_error(HEAD + RULE.replace('"error"', '"fatal"'))
    assert ": $.rules[0].severity: 'fatal'" in message
    assert "error, warning, info" in message


def test_unknown_kind_lists_allowed_kinds() -> None:
    message = profile_error(HEAD + RULE.replace('"text.cut"', '"text.cutt"'))
    assert ": $.rules[0].kind: 'text.cutt'" in message
    for kind in REGISTRY:
        assert kind in message


def test_undefined_clause_lists_defined_clauses() -> None:
    message = profile_error(HEAD + RULE.replace('clause = "integrity"', 'clause = "morale"'))
    assert ": $.rules[0].clause: " in message and "'morale'" in message
    assert "credits, integrity" in message


def test_duplicate_rule_id() -> None:
    message = profile_error(HEAD + RULE + RULE.replace('message = "cut"', 'message = "again"'))
    assert ": $.rules[1].id: " in message and "'T-CUT'" in message


def test_unknown_option_names_the_allowed_options() -> None:
    message = profile_error(HEAD + RULE + "options = { min_wrds = 2 }\n")
    assert ": $.rules[0].options: unknown key 'min_wrds'" in message
    assert "allowed keys: min_words" in message


def test_option_on_a_kind_without_options() -> None:
    rule = RULE.replace('"text.cut"', '"text.alteration"')
    message = profile_error(HEAD + rule + "options = { min_words = 2 }\n")
    assert ": $.rules[0].options: unknown key 'min_words'" in message
    assert "allowed keys: none" in message


@pytest.mark.parametrize("value", ['"two"', "true", "1.5", "[2]"])
def test_option_of_wrong_type(value: str) -> None:
    message = profile_error(HEAD + RULE + f"options = {{ min_words = {value} }}\n")
    assert ": $.rules[0].options.min_words: " in message
    assert "integer" in message


def test_option_out_of_range() -> None:
    message = profile_error(HEAD + RULE + "options = { min_words = 0 }\n")
    assert ": $.rules[0].options.min_words: " in message and "minimum" in message


def test_option_enum_lists_allowed_values() -> None:
    rule = RULE.replace('"text.cut"', '"attribution.missing"')
    message = profile_error(HEAD + rule + 'options = { require = "sometimes" }\n')
    assert ": $.rules[0].options.require: 'sometimes'" in message
    for allowed in ("phrase", "link", "any", "both"):
        assert allowed in message


# --- precedence: kind defaults < profile options ------------------------------------------------


def _page_without(word_context: str, replacement: str) -> str:
    page = COMPLIANT.read_text(encoding="utf-8")
    assert page.count(word_context) == 1
    return page.replace(word_context, replacement)


def test_rule_options_override_kind_defaults(tmp_path: Path) -> None:
    assert REGISTRY["text.cut"].DEFAULTS["min_words"] == 1
    page = _page_without("avec notamment la prise", "avec la prise")  # one body word cut

    rfi = (RULES / "rfi.toml").read_text(encoding="utf-8")
    cut_rule = 'message = "Article text was cut (coupures, réductions)"\n'
    assert rfi.count(cut_rule) == 1
    lenient = tmp_path / "lenient.toml"
    lenient.write_text(rfi.replace(cut_rule, cut_rule + "options = { min_words = 5 }\n"), encoding="utf-8")

    with_defaults = check(page, CANONICAL, "rfi")
    cuts = [f for f in with_defaults.findings if f.kind == "text.cut"]
    assert len(cuts) == 1 and cuts[0].canonical is not None and cuts[0].canonical.text == "notamment"
    assert with_defaults.verdict.value == "violation"

    assert load_profile(lenient).rules[0].options["min_words"] == 5
    overridden = check(page, CANONICAL, lenient)
    assert not [f for f in overridden.findings if f.kind == "text.cut"]
    assert overridden.verdict.value == "compliant"


def test_unset_options_take_the_kind_defaults() -> None:
    prof = parse_profile(
        (
            HEAD
            + RULE
            + RULE.replace("T-CUT", "T-ADD").replace('"text.cut"', '"text.addition"')
            + 'options = { allowed = ["Source : RFI"] }\n'
        ).encode(),
        "test.toml",
    )
    cut, add = prof.rules
    assert dict(cut.options) == REGISTRY["text.cut"].DEFAULTS
    assert dict(add.options) == {**REGISTRY["text.addition"].DEFAULTS, "allowed": ["Source : RFI"]}


# --- meta-tests: the catalogue is honest ----------------------------------------------------------


def test_schema_kind_enum_equals_registry() -> None:
    enum = load_schema("profile")["properties"]["rules"]["items"]["properties"]["kind"]["enum"]
    assert len(enum) == len(set(enum))
    assert set(enum) == set(REGISTRY)


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_check_module_declares_and_documents_itself(module: ModuleType) -> None:
    doc = module.__doc__ or ""
    assert "Options" in doc, "the docstring must document the options"
    assert ("Compliant" in doc and "Failing" in doc) or "Example" in doc, "the docstring needs an example"
    for kind in module.KINDS:
        assert kind in doc.splitlines()[0], f"the docstring's first line must name {kind}"
    assert isinstance(module.KINDS, tuple) and module.KINDS
    assert all(REGISTRY[k] is module for k in module.KINDS)
    assert module.OPTIONS.get("type") == "object"
    assert module.OPTIONS.get("additionalProperties") is False
    jsonschema.Draft202012Validator.check_schema(module.OPTIONS)
    jsonschema.Draft202012Validator(module.OPTIONS).validate(module.DEFAULTS)
    for name in module.OPTIONS.get("properties", {}):
        assert name in doc, f"option {name!r} is not documented"
        assert name in module.DEFAULTS, f"option {name!r} has no default"
    assert callable(module.check)


def _verbatim_kinds() -> set[str]:
    doc = tomllib.loads((RULES / "verbatim.toml").read_text(encoding="utf-8"))
    return {r["kind"] for r in doc["rules"]}


# attribution.missing is exempt: the strict default has no publisher to name, so it requires no
# source line; publisher profiles such as rfi.toml add that rule.
@pytest.mark.parametrize("kind", sorted(set(REGISTRY) - {"attribution.missing"}))
def test_every_kind_has_a_rule_in_verbatim(kind: str) -> None:
    assert kind in _verbatim_kinds()


# --- packaging ---------------------------------------------------------------------------------


def test_builtin_profiles_work_after_a_plain_install(tmp_path: Path) -> None:
    """``checker.load_profile("rfi")`` outside the source checkout (the rules ship as checker.rules),
    and the html format, whose template ships as package data."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    probe = (
        "import checker, sys; print(checker.__file__); print(checker.load_profile('rfi').id);"
        "from checker.formats import REGISTRY, Document, RenderOptions;"
        "r = checker.check('<html><body><article><p>Un mot.</p></article></body></html>',"
        " {'id': 'a', 'url': 'https://p.example/a', 'publisher': 'P', 'language': 'fr', 'title': 'T',"
        " 'authors': [], 'body': ['Un mot.'], 'images': [], 'published': None, 'tags': []});"
        "print(REGISTRY['html'].render(Document.from_report(r), RenderOptions())[:15])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    if "ModuleNotFoundError: No module named 'checker'" in proc.stderr:
        pytest.skip("repcheck is not installed in this interpreter (pip install . to run this test)")
    assert proc.returncode == 0, proc.stderr
    where, pid, html = proc.stdout.split("\n")[:3]
    if Path(where).resolve().is_relative_to(ROOT):
        pytest.skip(f"'import checker' resolves to the source checkout ({where}): an editable install proves nothing")
    assert pid == "rfi"
    assert html == "<!DOCTYPE html>"  # the HTML report's template ships in the package
