"""Licence profiles: TOML files of clauses and rules, validated against ``profile.schema.json``.

A profile is named either by a path or by the id of a built-in profile (``rfi``, ``verbatim``):
the files in the repository's ``rules/`` folder, shipped inside the package as ``checker.rules``
so they work after a plain ``pip install``. Without ``--rules`` the strict ``verbatim`` profile
applies. Every error names the file, the JSON path inside it and what is allowed, after the same
``profile error:`` prefix.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from checker.checks import REGISTRY
from checker.errors import ProfileError
from checker.models import Clause, ProfileInfo, Severity
from checker.schemas import validate

#: The profile used when none is named.
DEFAULT_PROFILE = "verbatim"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: a check kind with its options, judged at a severity under a clause."""

    id: str
    kind: str
    severity: Severity
    clause: Clause
    message: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True, slots=True)
class Profile:
    """A validated licence profile."""

    id: str
    name: str
    publisher: str | None
    description: str | None
    rules: tuple[Rule, ...]
    extraction: Mapping[str, Any]
    source: str
    sha256: str

    @property
    def info(self) -> ProfileInfo:
        """What a report says of the profile."""
        return ProfileInfo(self.id, self.name, self.source, self.sha256)


def _builtin_dir() -> Traversable:
    """The built-in profiles: the installed package data, or rules/ beside a source checkout."""
    try:
        return resources.files("checker.rules")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "rules"


def builtin_profiles() -> dict[str, Traversable]:
    """Built-in profile id -> file."""
    base = _builtin_dir()
    return {p.name.removesuffix(".toml"): p for p in base.iterdir() if p.name.endswith(".toml")}


def _err(source: str, path: str, message: str) -> ProfileError:
    return ProfileError(f"profile error: {source}: {path}: {message}")


def parse_profile(data: bytes, source: str) -> Profile:
    """Validate TOML bytes and build a :class:`Profile`; raise :class:`ProfileError` with a precise message."""
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise _err(source, "$", f"not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _err(source, "$", f"invalid TOML: {exc}") from None
    try:
        validate(doc, "profile", source, ProfileError)
    except ProfileError as exc:
        raise ProfileError(f"profile error: {exc}") from None
    clauses = {cid: Clause(cid, c["text"], c.get("source")) for cid, c in doc["clauses"].items()}
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, r in enumerate(doc["rules"]):
        path = f"$.rules[{i}]"
        if r["id"] in seen:
            raise _err(source, f"{path}.id", f"duplicate rule id {r['id']!r}")
        seen.add(r["id"])
        if r["clause"] not in clauses:
            raise _err(
                source,
                f"{path}.clause",
                f"unknown clause {r['clause']!r}; defined clauses: {', '.join(sorted(clauses))}",
            )
        module = REGISTRY[r["kind"]]
        options = dict(r.get("options", {}))
        try:
            validate(options, module.OPTIONS, source, ProfileError, prefix=f"{path}.options")
        except ProfileError as exc:
            raise ProfileError(f"profile error: {exc}") from None
        merged = {**module.DEFAULTS, **options}
        rules.append(
            Rule(
                r["id"],
                r["kind"],
                Severity(r["severity"]),
                clauses[r["clause"]],
                r["message"],
                MappingProxyType(merged),
            )
        )
    return Profile(
        id=doc["id"],
        name=doc["name"],
        publisher=doc.get("publisher"),
        description=doc.get("description"),
        rules=tuple(rules),
        extraction=MappingProxyType(dict(doc.get("extraction", {}))),
        source=source,
        sha256=hashlib.sha256(data).hexdigest(),
    )


def load_profile(ref: str | Path | None = None) -> Profile:
    """Load a profile by built-in id or path; ``None`` gives the strict default."""
    ref = DEFAULT_PROFILE if ref is None else ref
    builtins = builtin_profiles()
    if isinstance(ref, str) and ref in builtins:
        return parse_profile(builtins[ref].read_bytes(), f"builtin:{ref}")
    path = Path(ref)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        names = ", ".join(sorted(builtins))
        raise ProfileError(f"profile error: {path}: no such file (built-in profiles: {names})") from None
    except OSError as exc:
        raise ProfileError(f"profile error: {path}: cannot read ({exc.strerror})") from None
    return parse_profile(data, str(path))
