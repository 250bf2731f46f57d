"""Audit configuration: which partners to audit, where their republications are, how politely.

A TOML file validated against ``checker/schemas/audit.schema.json``; unknown keys are rejected
and every error names the file, the JSON path and what is allowed, after the prefix
``audit config error:``. Relative paths are relative to the file. Precedence for politeness:
``settings`` defaults < the file's ``[defaults]`` < the partner's own values < the command line.

Example::

    schema_version = 1
    name = "rfi-partners"

    [canonical]
    directory = "canonical"             # article JSON files (article.schema.json)

    [[partners]]
    name = "Le Courrier du Sahel"
    profile = "rfi"
    contact = "juridique@courrier.example"
    pages = [{ url = "https://courrier.example/monde/haftar.html", canonical = "rfi-haftar-moscou-2016-11-28" }]
    sitemaps = ["https://courrier.example/sitemap.xml"]
    requests_per_second = 0.5

    [[partners.waivers]]
    rule = "RFI-SOURCE"
    reason = "Source line agreed by e-mail on 2026-10-02"
    approver = "M. Dupont (legal)"
    expires = 2027-03-31
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker import settings
from checker.errors import ConfigError
from checker.models import Finding
from checker.schemas import validate


class AuditConfigError(ConfigError):
    """The audit file cannot be read or does not follow its schema (exit 2)."""


@dataclass(frozen=True, slots=True)
class Politeness:
    """How one partner site is fetched."""

    requests_per_second: float
    concurrency: int
    user_agent: str
    timeout: float
    max_bytes: int


@dataclass(frozen=True, slots=True)
class PageRef:
    """An explicit partner page, optionally naming the canonical article it carries."""

    url: str
    canonical: str | None = None


@dataclass(frozen=True, slots=True)
class Waiver:
    """An exemption: matching findings stay in reports, marked waived, and do not fail the run."""

    reason: str
    approver: str
    expires: dt.date
    fingerprint: str | None = None
    rule: str | None = None
    kind: str | None = None
    url: str | None = None

    def matches(self, finding: Finding, url: str, today: dt.date) -> bool:
        """True when this waiver, still valid *today*, covers *finding* on *url*."""
        if today > self.expires:
            return False
        if self.fingerprint is not None and finding.fingerprint != self.fingerprint:
            return False
        if self.rule is not None and finding.rule_id != self.rule:
            return False
        if self.kind is not None and finding.kind != self.kind:
            return False
        if self.url is not None:
            if self.url.endswith("*"):
                return url.startswith(self.url[:-1])
            return url == self.url
        return True


@dataclass(frozen=True, slots=True)
class Partner:
    """A partner site and where its republications are."""

    name: str
    profile: str
    contact: str | None
    pages: tuple[PageRef, ...]
    sitemaps: tuple[str, ...]
    feeds: tuple[str, ...]
    start_urls: tuple[str, ...]
    max_depth: int
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    politeness: Politeness
    waivers: tuple[Waiver, ...]


@dataclass(frozen=True, slots=True)
class AuditConfig:
    """A validated audit file."""

    name: str
    source: Path
    sha256: str
    canonical_directory: Path | None
    canonical_feeds: tuple[str, ...]
    canonical_sitemaps: tuple[str, ...]
    cache: Path
    reports: Path
    history: Path
    warc: bool
    partners: tuple[Partner, ...]


def _fail(source: Path, path: str, message: str) -> AuditConfigError:
    return AuditConfigError(f"audit config error: {source}: {path}: {message}")


def _dates_to_text(value: Any) -> Any:
    """TOML dates become ISO strings so the JSON Schema can check them."""
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def load_audit_config(path: str | Path) -> AuditConfig:
    """Read and validate an audit file; raise :class:`AuditConfigError` with a precise message."""
    source = Path(path)
    try:
        raw = source.read_bytes()
    except FileNotFoundError:
        raise _fail(source, "$", "no such file") from None
    except OSError as exc:
        raise _fail(source, "$", f"cannot read ({exc.strerror})") from None
    try:
        doc = _dates_to_text(tomllib.loads(raw.decode("utf-8")))
    except UnicodeDecodeError as exc:
        raise _fail(source, "$", f"not UTF-8 text ({exc.reason})") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(source, "$", f"invalid TOML: {exc}") from None
    try:
        validate(doc, "audit", str(source), AuditConfigError)
    except AuditConfigError as exc:
        raise AuditConfigError(f"audit config error: {exc}") from None
    base = source.resolve().parent
    defaults = doc.get("defaults", {})
    canonical = doc["canonical"]
    output = doc.get("output", {})
    partners = tuple(_partner(p, i, defaults, source) for i, p in enumerate(doc["partners"]))
    names = [p.name for p in partners]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise _fail(source, f"$.partners[{i}].name", f"duplicate partner name {name!r}")
    reports = base / output.get("reports", "reports")
    return AuditConfig(
        name=doc["name"],
        source=source,
        sha256=hashlib.sha256(raw).hexdigest(),
        canonical_directory=base / canonical["directory"] if "directory" in canonical else None,
        canonical_feeds=tuple(canonical.get("feeds", ())),
        canonical_sitemaps=tuple(canonical.get("sitemaps", ())),
        cache=base / canonical.get("cache", ".repcheck-cache"),
        reports=reports,
        history=base / output["history"] if "history" in output else reports / "history.sqlite",
        warc=bool(output.get("warc", True)),
        partners=partners,
    )


def _partner(p: dict[str, Any], i: int, defaults: dict[str, Any], source: Path) -> Partner:
    def pick(key: str, fallback: Any) -> Any:
        return p.get(key, defaults.get(key, fallback))

    politeness = Politeness(
        requests_per_second=float(pick("requests_per_second", settings.AUDIT_REQUESTS_PER_SECOND)),
        concurrency=int(pick("concurrency", settings.AUDIT_CONCURRENCY)),
        user_agent=str(pick("user_agent", settings.USER_AGENT)),
        timeout=float(pick("timeout", settings.TIMEOUT[1])),
        max_bytes=int(pick("max_bytes", settings.MAX_BYTES)),
    )
    pages = tuple(
        PageRef(x) if isinstance(x, str) else PageRef(x["url"], x.get("canonical")) for x in p.get("pages", ())
    )
    waivers = []
    for j, w in enumerate(p.get("waivers", ())):
        try:
            expires = dt.date.fromisoformat(w["expires"])
        except ValueError:
            raise _fail(source, f"$.partners[{i}].waivers[{j}].expires", f"{w['expires']!r} is not a date") from None
        waivers.append(
            Waiver(
                w["reason"], w["approver"], expires, w.get("fingerprint"), w.get("rule"), w.get("kind"), w.get("url")
            )
        )
    return Partner(
        name=p["name"],
        profile=str(pick("profile", "verbatim")),
        contact=p.get("contact"),
        pages=pages,
        sitemaps=tuple(p.get("sitemaps", ())),
        feeds=tuple(p.get("feeds", ())),
        start_urls=tuple(p.get("start_urls", ())),
        max_depth=int(p.get("max_depth", settings.AUDIT_MAX_DEPTH)),
        include=tuple(p.get("include", ())),
        exclude=tuple(p.get("exclude", ())),
        politeness=politeness,
        waivers=tuple(waivers),
    )
