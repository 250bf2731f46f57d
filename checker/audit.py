"""``repcheck audit``: every partner page of an audit file checked, archived and compared with the
previous run.

One run: take the lock of the audit (two runs of one audit never overlap), load the canonical
articles and index them, list each partner's pages (``discover.py``: robots.txt, sitemaps, feeds,
crawl), then for each page not already done in this run: fetch it politely, archive the exact
bytes in the run's WARC, find which canonical article it carries (explicit, or the candidate
index), check it, and record the report in the history in one transaction. Failures are recorded
as unverifiable with their reason; they never count as compliant and never stop the audit. A run
killed at any moment resumes with ``--resume``: finished pages are not fetched again.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any, TextIO

import requests
from requests.adapters import HTTPAdapter

from checker import __version__, settings
from checker.audit_config import AuditConfig, Partner
from checker.canonical import load_canonical
from checker.discover import Discoverer, HostThrottle, RobotsPolicy
from checker.errors import ConfigError, NotModifiedError, RepcheckError, UnverifiableError
from checker.evidence import WarcArchive, load_record
from checker.extract import extract
from checker.fetch import load_page
from checker.files import atomic_writer, write_atomic
from checker.history import Comparison, History, Validators
from checker.index import CandidateIndex, visible_text
from checker.models import Article, Finding, PageSnapshot, Report, Verdict
from checker.pipeline import check
from checker.profiles import Profile, load_profile

log = logging.getLogger(__name__)


class AuditLockedError(ConfigError):
    """Another run of the same audit holds its lock."""


@dataclass(frozen=True, slots=True)
class AuditSummary:
    """What one run did, for the exit status and the text summary."""

    run_id: int
    pages: int
    verdicts: dict[str, int]
    skipped_no_article: int
    skipped_discovery: int
    new: int
    persisting: int
    resolved: int
    waived: int
    unwaived: dict[str, int]  # findings of this run no waiver covers, per severity
    report_path: Path
    warc_path: Path | None

    def failing(self, fail_on: str = "error") -> bool:
        """True when an unwaived finding is at or above *fail_on* (``never``: never)."""
        from checker.formats import RenderOptions, fails

        return any(n and fails(sev, RenderOptions(fail_on=fail_on)) for sev, n in self.unwaived.items())

    def load_report(self) -> dict[str, Any]:
        """The run report (``audit-report.schema.json``) as written to ``report_path``."""
        data: dict[str, Any] = json.loads(self.report_path.read_text(encoding="utf-8"))
        return data


@contextmanager
def audit_lock(reports: Path, name: str) -> Iterator[None]:
    """An exclusive lock per audit name (flock: released by the OS if the process dies)."""
    reports.mkdir(parents=True, exist_ok=True)
    path = reports / f".{name}.lock"
    with path.open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AuditLockedError(f"audit error: another run of audit {name!r} is in progress ({path})") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def load_canonicals(directory: Path) -> dict[str, Article]:
    """Every ``*.json`` canonical article of *directory*, by id."""
    if not directory.is_dir():
        raise ConfigError(f"audit error: canonical directory {directory} does not exist")
    out: dict[str, Article] = {}
    for path in sorted(directory.glob("*.json")):
        article = load_canonical(path)
        out[article.id] = article
    if not out:
        raise ConfigError(f"audit error: no canonical article (*.json) in {directory}")
    return out


def _canonicals_from_publisher(config: AuditConfig, known: dict[str, Article]) -> dict[str, Article]:
    """Canonical articles from the publisher's feeds and sitemaps, extracted from its pages once
    and cached as article JSON (``[canonical] cache``), so later runs fetch only new articles."""
    if not (config.canonical_feeds or config.canonical_sitemaps):
        return {}
    from checker.discover import parse_feed, parse_sitemap
    from checker.extract import extract_article

    session = requests.Session()
    throttle = HostThrottle(settings.AUDIT_REQUESTS_PER_SECOND)
    robots = RobotsPolicy(session, settings.USER_AGENT, settings.TIMEOUT, throttle)
    disc = Discoverer(session, robots, throttle, settings.TIMEOUT, settings.USER_AGENT)
    urls: list[str] = []
    for feed in config.canonical_feeds:
        raw = disc.get(feed)
        if raw is not None:
            urls.extend(parse_feed(raw))
    for sitemap in config.canonical_sitemaps:
        raw = disc.get(sitemap)
        if raw is not None:
            urls.extend(parse_sitemap(raw)[0])
    config.cache.mkdir(parents=True, exist_ok=True)
    out: dict[str, Article] = {}
    for url in dict.fromkeys(urls):
        cached = config.cache / (hashlib.sha256(url.encode("utf-8")).hexdigest()[:32] + ".json")
        try:
            if cached.is_file():
                article = load_canonical(cached)
            else:
                if not robots.allowed(url):
                    continue
                throttle.wait(url)
                snap = load_page(url, session=session)
                article = extract_article(snap.text, url=snap.url, selectors={}, source=url)
                write_atomic(cached, json.dumps(article.to_dict(), ensure_ascii=False, indent=1))
        except RepcheckError as exc:
            log.warning("canonical article %s skipped: %s", url, exc)
            continue
        if article.id not in known:
            out[article.id] = article
    return out


class _Progress:
    """A rich progress bar on a terminal; one plain line per page on a pipe or in a log."""

    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total
        self.done = 0
        self._lock = threading.Lock()
        self._bar: Any = None
        if hasattr(stream, "isatty") and stream.isatty():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("[bold]audit"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
                console=Console(file=stream),
                transient=False,
            )
            self._task = self._bar.add_task("", total=total)
            self._bar.start()

    def page(self, partner: str, url: str, verdict: str) -> None:
        """One page done."""
        with self._lock:
            self.done += 1
            if self._bar is not None:
                self._bar.update(self._task, advance=1, description=f"{verdict}: {url[-60:]}")
            else:
                self.stream.write(f"[{self.done}/{self.total}] {partner}: {verdict}: {url}\n")
                self.stream.flush()

    def close(self) -> None:
        """Stop the bar (leaves the last state on screen)."""
        if self._bar is not None:
            self._bar.stop()


def run_audit(
    config: AuditConfig, *, resume: bool = False, progress: TextIO | None = None, today: dt.date | None = None
) -> AuditSummary:
    """Run (or resume) one audit; raise :class:`ConfigError` for configuration problems only."""
    today = today or dt.date.today()
    with audit_lock(config.reports, config.name):
        articles = load_canonicals(config.canonical_directory) if config.canonical_directory else {}
        articles.update(_canonicals_from_publisher(config, articles))
        if not articles:
            raise ConfigError("audit error: no canonical article found (directory, feeds and sitemaps are empty)")
        index = CandidateIndex.from_articles(articles.values())
        profiles: dict[str, Profile] = {p.profile: load_profile(p.profile) for p in config.partners}
        with History.open(config.history) as history:
            run_id = history.resumable_run(config.name) if resume else None
            if run_id is None:
                run_id = history.start_run(config.name, config.sha256)
            done = history.done_urls(run_id)
            previous = history.previous_fetches(run_id) if config.warc else {}
            warc_path = config.reports / "warc" / f"{config.name}-run{run_id}.warc.gz" if config.warc else None
            archive = WarcArchive(warc_path) if warc_path else None
            try:
                _run_pages(config, run_id, history, archive, articles, index, profiles, done, previous, progress, today)
            except KeyboardInterrupt:
                history.mark_interrupted(run_id)
                raise
            finally:
                if archive is not None:
                    archive.close()
            history.finish_run(run_id)
            comparison = history.compare(run_id)
            report_path = config.reports / f"{config.name}-run{run_id}.json"
            report = write_run_report(history, run_id, report_path, comparison)
            verdicts = {k: v for k, v in history.verdict_counts(run_id).items() if v}
        unwaived = Counter(f.severity.value for f in comparison.findings if not f.waived and f.status != "resolved")
        return AuditSummary(
            run_id=run_id,
            pages=sum(verdicts.values()),
            verdicts=verdicts,
            skipped_no_article=report["skipped"]["no_canonical_article"],
            skipped_discovery=report["skipped"]["discovery"],
            new=len(comparison.new),
            persisting=len(comparison.persisting),
            resolved=len(comparison.resolved),
            waived=sum(1 for f in comparison.findings if f.waived),
            unwaived=dict(unwaived),
            report_path=report_path,
            warc_path=warc_path,
        )


@dataclass(frozen=True, slots=True)
class _PageResult:
    """What a worker found for one page; the main thread records it."""

    report: Report | None  # None: the page carries no canonical article
    validators: Validators | None = None  # where its bytes are archived (None without a WARC)
    revalidated: bool = False


def _run_pages(
    config: AuditConfig,
    run_id: int,
    history: History,
    archive: WarcArchive | None,
    articles: dict[str, Article],
    index: CandidateIndex,
    profiles: dict[str, Profile],
    done: set[str],
    previous: dict[str, Validators],
    progress: TextIO | None,
    today: dt.date,
) -> None:
    session = requests.Session()
    # One global pool; each partner's hosts get at most its ``concurrency`` requests at a time
    # (HostThrottle.slot), so the pool is as large as all partners together may use.
    workers = max(1, min(settings.AUDIT_MAX_WORKERS, sum(p.politeness.concurrency for p in config.partners)))
    adapter = partial(HTTPAdapter, pool_connections=16, pool_maxsize=max(10, workers))
    session.mount("http://", adapter())
    session.mount("https://", adapter())
    todo: list[tuple[Partner, str, str | None, Discoverer]] = []
    for partner in config.partners:
        pol = partner.politeness
        throttle = HostThrottle(pol.requests_per_second, pol.concurrency)
        robots = RobotsPolicy(session, pol.user_agent, (min(10.0, pol.timeout), pol.timeout), throttle)
        disc = Discoverer(session, robots, throttle, (min(10.0, pol.timeout), pol.timeout), pol.user_agent)
        for ref in disc.pages(partner):
            if ref.url not in done:
                todo.append((partner, ref.url, ref.canonical, disc))
        for url, why in disc.skipped:
            history.record_skipped(run_id, partner.name, url, "discovery", why)
    bar = _Progress(progress, len(todo)) if progress is not None else None
    # Workers fetch and judge; only this thread writes the history (one SQLite connection, one
    # writer), page by page as results arrive, so a kill loses at most the pages in flight.
    # A bounded window of pages in flight: finished pages (their bytes, text and report) are
    # released as soon as they are recorded, so memory does not grow with the number of pages.
    window = max(2, 2 * workers)
    pending = iter(todo)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="repcheck-audit") as pool:
        in_flight: dict[Future[_PageResult], tuple[Partner, str]] = {}
        try:
            while True:
                for partner, url, canonical_id, disc in islice(pending, window - len(in_flight)):
                    job = _Job(partner, url, canonical_id, disc, archive, previous.get(url))
                    in_flight[pool.submit(_check_page, job, articles, index, profiles)] = (partner, url)
                if not in_flight:
                    break
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    partner, url = in_flight.pop(future)
                    result = future.result()  # a bug in one page must be seen, not swallowed
                    if result.report is None:
                        history.record_skipped(run_id, partner.name, url, "no-canonical-article")
                    else:
                        history.record_page(
                            run_id,
                            partner.name,
                            url,
                            result.report,
                            result.validators.warc_record_id if result.validators else None,
                            partial(_waived, partner, url, today),
                            validators=result.validators,
                            revalidated=result.revalidated,
                        )
                    if bar is not None:
                        bar.page(partner.name, url, result.report.verdict.value if result.report else "no-article")
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    if bar is not None:
        bar.close()


@dataclass(frozen=True, slots=True)
class _Job:
    partner: Partner
    url: str
    canonical_id: str | None
    disc: Discoverer
    archive: WarcArchive | None
    previous: Validators | None  # the last run's validators and archived bytes, for a conditional GET


def _fetch(job: _Job) -> tuple[PageSnapshot, Validators | None, bool]:
    """The page's bytes, where they are archived with the validators for the next run, and whether
    they come from an earlier run's archive (the partner answered 304 Not Modified)."""
    pol = job.partner.politeness
    options: dict[str, Any] = {
        "session": job.disc.session,
        "timeout": (min(10.0, pol.timeout), pol.timeout),
        "user_agent": pol.user_agent,
        "max_bytes": pol.max_bytes,
    }
    prev = job.previous
    if prev is not None and prev.warc_file and prev.warc_record_id and Path(prev.warc_file).is_file():
        try:
            with job.disc.throttle.slot(job.url):
                snap = load_page(job.url, if_none_match=prev.etag, if_modified_since=prev.last_modified, **options)
        except NotModifiedError:
            try:
                snap = load_record(Path(prev.warc_file), prev.warc_record_id, prev.warc_offset)
            except RepcheckError as exc:  # the archive was moved or altered: fetch the page again
                log.warning("%s: 304 but the archived copy is unusable (%s); fetching it again", job.url, exc)
            else:
                if job.archive is not None:
                    job.archive.revisit(job.url, prev.warc_record_id, snap.fetched_at, pol.user_agent, snap.sha256)
                return snap, prev, True
        else:
            return snap, _archive(job, snap), False
    with job.disc.throttle.slot(job.url):
        snap = load_page(job.url, **options)
    return snap, _archive(job, snap), False


def _archive(job: _Job, snap: PageSnapshot) -> Validators | None:
    if job.archive is None:
        return None
    record_id, offset = job.archive.record_at(snap, job.partner.politeness.user_agent)
    return Validators(snap.etag, snap.last_modified, str(job.archive.path), record_id, offset)


def _check_page(
    job: _Job, articles: dict[str, Article], index: CandidateIndex, profiles: dict[str, Profile]
) -> _PageResult:
    """Fetch, archive and judge one page; no report when the page carries no canonical article
    (recorded as skipped, not reported)."""
    profile = profiles[job.partner.profile]
    known = articles.get(job.canonical_id or "")
    if not job.disc.robots.allowed(job.url):
        reason = "robots.txt disallows this page for our User-Agent"
        return _PageResult(_unverifiable(job.url, known, profile, "robots-disallowed", reason))
    try:
        snap, validators, revalidated = _fetch(job)
    except UnverifiableError as exc:
        return _PageResult(_unverifiable(job.url, known, profile, exc.reason, str(exc)))
    article = known
    if article is None:
        try:
            found = index.candidates(visible_text(extract(snap)), limit=1)
        except RepcheckError:
            found = []
        if not found:
            return _PageResult(None)
        article = articles[found[0].article_id]
    return _PageResult(check(snap, article, profile), validators, revalidated)


def _waived(partner: Partner, url: str, today: dt.date, finding: Finding) -> bool:
    """True when one of the partner's waivers, still valid today, covers *finding* on *url*."""
    return any(w.matches(finding, url, today) for w in partner.waivers)


def _unverifiable(url: str, article: Article | None, profile: Profile, reason: str, message: str) -> Report:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    return Report(
        Verdict.UNVERIFIABLE,
        (),
        None,
        url,
        article,
        profile.info,
        reason=reason,
        message=message,
        tool_version=__version__,
        checked_at=now,
    )


def _report_head(history: History, run_id: int, comparison: Comparison | None = None) -> dict[str, Any]:
    """Everything of the run report but its pages (*comparison*: the run's, when already made)."""
    run = history.run_info(run_id)
    skipped = history.skipped_counts(run_id)
    partners = history.partners(run_id)
    return {
        "schema_version": 1,
        "tool": {"name": "repcheck", "version": __version__},
        "audit": run["audit"],
        "config_sha256": run["config_sha256"],
        "run_id": run_id,
        "status": run["status"],
        "started_at": run["started_at"],
        "finished_at": run["finished_at"],
        "comparison": (comparison or history.compare(run_id)).to_dict(),
        "trends": {
            name: [t.to_dict() for t in history.partner_trend(run["audit"], name, until=run_id)] for name in partners
        },
        "skipped": {"no_canonical_article": skipped["no-canonical-article"], "discovery": skipped["discovery"]},
    }


def run_report(history: History, run_id: int) -> dict[str, Any]:
    """The JSON report of one run (``audit-report.schema.json``), rebuilt from the history alone:
    its pages (each with its single-page report and evidence), the comparison with the previous
    finished run, each partner's trend over the last runs, and what was skipped. ``repcheck report
    RUN`` renders it again at any time, in any format."""
    return {**_report_head(history, run_id), "pages": history.pages(run_id)}


def write_run_report(history: History, run_id: int, path: Path, comparison: Comparison | None = None) -> dict[str, Any]:
    """Write :func:`run_report` to *path* atomically, one page at a time, so that memory does not
    grow with the number of pages; return the report without its pages."""
    head = _report_head(history, run_id, comparison)
    with atomic_writer(path) as fh:
        fh.write(json.dumps(head, ensure_ascii=False, indent=1)[:-2] + ',\n "pages": [')
        for n, page in enumerate(history.iter_pages(run_id)):
            fh.write(("," if n else "") + "\n  " + json.dumps(page, ensure_ascii=False))
        fh.write("\n ]\n}\n")
    return head
