"""Licence profile + differences -> findings.

Check modules yield light hits; only here are rule ids, severities and clauses attached, and the
fingerprint computed. The fingerprint is stable across runs and page redesigns: it hashes the rule,
the kind and the normalised evidence text, never CSS paths or positions on the page.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from checker.align import Alignment
from checker.checks import REGISTRY, Context, Hit
from checker.models import Difference, Finding
from checker.normalize import comparable
from checker.profiles import Profile, Rule


def fingerprint(rule: Rule, hit: Hit) -> str:
    """A stable id for the same problem on the same article, run after run."""
    c, p = hit.canonical, hit.partner
    parts = [
        rule.id,
        rule.kind,
        c.field if c else "",
        str(c.paragraph) if c and c.paragraph is not None else "",
        comparable(c.text) if c else "",
        comparable(p.text) if p else "",
        "|".join(f"{k}={v}" for k, v in hit.detail if k in ("src", "href", "element")),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def judge(profile: Profile, alignment: Alignment, differences: tuple[Difference, ...]) -> tuple[Finding, ...]:
    """Apply every rule of *profile*; findings come in rule order, then page order."""
    ctx = Context(alignment, differences)
    return tuple(_findings(profile, ctx))


def _findings(profile: Profile, ctx: Context) -> Iterator[Finding]:
    seen: set[str] = set()
    for rule in profile.rules:
        module = REGISTRY[rule.kind]
        for hit in module.check(ctx, rule.kind, rule.options):
            fp = fingerprint(rule, hit)
            if fp in seen:  # the same words cut twice on one page are one problem, reported once
                continue
            seen.add(fp)
            yield Finding(
                rule_id=rule.id,
                kind=rule.kind,
                severity=rule.severity,
                message=f"{rule.message}: {hit.summary}",
                clause=rule.clause,
                canonical=hit.canonical,
                partner=hit.partner,
                fingerprint=fp,
                detail=hit.detail,
            )
