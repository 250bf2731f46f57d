"""What every output format renders: one :class:`Document`, built from a single-page report or from
an audit run report, never by re-running a check.

Both sources are the JSON objects the tool already writes (``report.schema.json`` and
``audit-report.schema.json``), so a past run read back from the history renders exactly as it did
the night it ran. A formatter reads :class:`Document` and its :class:`PageEntry` items; the raw
object stays available as ``Document.data`` for the ``json`` format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from checker.models import Report

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class PageEntry:
    """One partner page and its single-page report (``report.schema.json`` form).

    ``status`` maps a finding's fingerprint to ``new`` or ``persisting`` (audits only);
    ``waived`` holds the fingerprints a partner waiver covers.
    """

    url: str
    partner: str | None
    report: Mapping[str, Any]
    warc_record_id: str | None = None
    status: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    waived: frozenset[str] = frozenset()

    @property
    def verdict(self) -> str:
        """``compliant``, ``violation`` or ``unverifiable``."""
        return str(self.report["verdict"])

    @property
    def findings(self) -> list[dict[str, Any]]:
        """The page's findings, as in the JSON report."""
        return list(self.report.get("findings") or [])

    def is_waived(self, finding: Mapping[str, Any]) -> bool:
        """True when a waiver covers *finding* on this page."""
        return finding["fingerprint"] in self.waived


@dataclass(frozen=True, slots=True)
class Document:
    """Everything one output shows: a single check (``kind == "check"``) or an audit run."""

    kind: Literal["check", "audit"]
    title: str
    pages: tuple[PageEntry, ...]
    data: Mapping[str, Any]
    audit: str | None = None
    run_id: int | None = None
    previous_run_id: int | None = None
    generated_at: str = ""
    tool_version: str = ""
    resolved: tuple[Mapping[str, Any], ...] = ()  # findings of the previous run fixed in this one
    trends: Mapping[str, tuple[Mapping[str, Any], ...]] = field(default_factory=dict)
    skipped: Mapping[str, int] = field(default_factory=dict)

    @classmethod
    def from_report(cls, report: Report | Mapping[str, Any]) -> Document:
        """One page checked by ``repcheck check``."""
        data = report.to_dict() if isinstance(report, Report) else report
        page = data.get("page") or {}
        url = str(page.get("url") or page.get("source") or "")
        return cls(
            kind="check",
            title=f"repcheck: {url}",
            pages=(PageEntry(url=url, partner=None, report=data),),
            data=data,
            generated_at=str(data.get("checked_at") or ""),
            tool_version=str((data.get("tool") or {}).get("version") or ""),
        )

    @classmethod
    def from_audit(cls, data: Mapping[str, Any]) -> Document:
        """One run of an audit (``audit-report.schema.json``)."""
        comparison = data.get("comparison") or {}
        status: dict[str, dict[str, str]] = {}
        waived: dict[str, set[str]] = {}
        resolved = []
        for f in comparison.get("findings") or []:
            if f["status"] == "resolved":
                resolved.append(f)
                continue
            status.setdefault(f["url"], {})[f["fingerprint"]] = f["status"]
            if f.get("waived"):
                waived.setdefault(f["url"], set()).add(f["fingerprint"])
        pages = tuple(
            PageEntry(
                url=p["url"],
                partner=p["partner"],
                report=p["report"],
                warc_record_id=p.get("warc_record_id"),
                status=MappingProxyType(status.get(p["url"], {})),
                waived=frozenset(waived.get(p["url"], ())),
            )
            for p in data.get("pages") or []
        )
        return cls(
            kind="audit",
            title=f"repcheck audit {data.get('audit')} — run {data.get('run_id')}",
            pages=pages,
            data=data,
            audit=data.get("audit"),
            run_id=data.get("run_id"),
            previous_run_id=comparison.get("previous_run_id"),
            generated_at=str(data.get("finished_at") or data.get("started_at") or ""),
            tool_version=str((data.get("tool") or {}).get("version") or ""),
            resolved=tuple(resolved),
            trends={k: tuple(v) for k, v in (data.get("trends") or {}).items()},
            skipped=dict(data.get("skipped") or {}),
        )

    # -- summaries every format shows -------------------------------------------------------------

    @property
    def partners(self) -> list[str]:
        """Partner names in first-seen order (a single check has none)."""
        return list(dict.fromkeys(p.partner for p in self.pages if p.partner))

    @property
    def verdicts(self) -> Counter[str]:
        """Pages per verdict."""
        return Counter(p.verdict for p in self.pages)

    def findings_by(self, key: str) -> Counter[str]:
        """Findings (waived ones included) counted by ``kind``, ``rule_id``, ``severity`` or ``clause``."""
        out: Counter[str] = Counter()
        for p in self.pages:
            for f in p.findings:
                out[f["clause"]["id"] if key == "clause" else f[key]] += 1
        return out

    @property
    def clauses(self) -> dict[str, str]:
        """Every licence clause a finding enforces: id -> quoted text."""
        return {f["clause"]["id"]: f["clause"]["text"] for p in self.pages for f in p.findings}

    @property
    def changes(self) -> Counter[str]:
        """Findings per change since the previous run (audits): new, persisting, resolved, waived."""
        out: Counter[str] = Counter()
        for p in self.pages:
            for f in p.findings:
                out[p.status.get(f["fingerprint"], "new")] += 1
                if p.is_waived(f):
                    out["waived"] += 1
        out["resolved"] = len(self.resolved)
        return out
