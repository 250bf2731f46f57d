"""One page through the whole pipeline: fetch -> extract -> align -> diff -> rules -> report."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import requests

from checker import __version__
from checker.align import align
from checker.canonical import load_canonical
from checker.diff import diff
from checker.engine import judge
from checker.errors import UnverifiableError
from checker.extract import extract
from checker.fetch import load_page
from checker.models import Article, PageSnapshot, Report, Severity, Verdict
from checker.profiles import Profile, load_profile
from checker.redline import redline

PageInput = str | bytes | os.PathLike[str] | PageSnapshot
CanonicalInput = str | os.PathLike[str] | Mapping[str, Any] | Article


def _describe(page: PageInput) -> str:
    if isinstance(page, PageSnapshot):
        return page.source
    if isinstance(page, bytes):
        return "<bytes>"
    text = os.fspath(page)
    return "<string>" if text.lstrip().startswith("<") else text


def check(
    page: PageInput,
    canonical: CanonicalInput,
    rules: str | os.PathLike[str] | Profile | None = None,
    *,
    session: requests.Session | None = None,
    fetch_options: Mapping[str, Any] | None = None,
) -> Report:
    """Check one partner *page* against the *canonical* article under a licence profile.

    *page* is an http(s) or file:// URL, a path, HTML text, bytes or an already fetched
    :class:`PageSnapshot` (e.g. from a WARC archive); *canonical* a path or URL to
    the article JSON (or the publisher's HTML page), a dict or an :class:`Article`; *rules* a
    built-in profile id, a path to a profile, a loaded :class:`Profile`, or None for the strict
    ``verbatim`` profile. Configuration problems raise :class:`checker.errors.ConfigError`; a page
    that cannot be judged gives a report whose verdict is ``unverifiable``, never an exception.
    """
    profile = rules if isinstance(rules, Profile) else load_profile(None if rules is None else os.fspath(rules))
    article = load_canonical(canonical, profile.extraction)
    checked_at = datetime.now(UTC).isoformat(timespec="seconds")
    snap: PageSnapshot | None = None
    try:
        snap = page if isinstance(page, PageSnapshot) else load_page(page, session=session, **dict(fetch_options or {}))
        extracted = extract(snap)
        alignment = align(article, extracted)
    except UnverifiableError as exc:
        return Report(
            Verdict.UNVERIFIABLE,
            (),
            snap,
            _describe(page),
            article,
            profile.info,
            reason=exc.reason,
            message=str(exc),
            tool_version=__version__,
            checked_at=checked_at,
        )
    findings = judge(profile, alignment, diff(alignment))
    verdict = Verdict.VIOLATION if any(f.severity is Severity.ERROR for f in findings) else Verdict.COMPLIANT
    return Report(
        verdict,
        findings,
        snap,
        _describe(page),
        article,
        profile.info,
        span=alignment.span,
        coverage=alignment.coverage,
        tool_version=__version__,
        checked_at=checked_at,
        redline=redline(alignment),
    )
