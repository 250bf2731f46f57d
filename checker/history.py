"""The audit history: every scheduled run, every page and every finding, in one SQLite file.

The legal team audits its partners every night. Each night's findings must read as ``new``,
``persisting`` or ``resolved`` against the previous finished run of the same audit, and an audit
killed at any moment (OOM killer, reboot, Ctrl-C) must resume without fetching finished pages again
and without counting anything twice. The design follows from that:

* one transaction per page (the page row and all its findings), so a page is either wholly recorded
  or not at all, and :meth:`History.done_urls` is exactly the set of pages a resumed run may skip;
* ``UNIQUE(run_id, url)``: recording a page twice in a run replaces it, never duplicates it;
* runs are ordered by their ``AUTOINCREMENT`` id, never by wall-clock time (clocks jump);
* WAL journal with ``synchronous=NORMAL``: a killed *process* loses nothing committed; a *power
  loss* may roll back the last few pages, which a resumed run simply checks again;
* every write starts with ``BEGIN IMMEDIATE`` and the connection waits ``timeout`` seconds for the
  lock, so two audits writing to the same file queue instead of failing with "database is locked".

Typical use::

    with History.open(Path("reports/history.sqlite")) as history:
        run = history.resumable_run("nightly") or history.start_run("nightly", config_sha)
        done = history.done_urls(run)
        for partner, url in pages:
            if url not in done:
                history.record_page(run, partner, url, check(url, canonical, "rfi"))
        history.finish_run(run)
        comparison = history.compare(run)
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Any, Final

from checker.errors import ConfigError
from checker.models import Finding, Report, Severity, Verdict

logger = logging.getLogger(__name__)

#: Version of the tables below; bump it and add a migration in ``_migrate`` when they change.
SCHEMA_VERSION: Final = 2
#: What the version table says a repcheck history is, so another tool's SQLite file is refused.
APPLICATION: Final = "repcheck-history"
#: Seconds a writer waits for another process's lock before giving up.
DEFAULT_TIMEOUT: Final = 30.0

_SCHEMA: Final[tuple[str, ...]] = (
    """CREATE TABLE schema_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        application TEXT NOT NULL,
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL
    )""",
    # AUTOINCREMENT so an id is never reused even if the latest run is deleted by hand: ids order runs.
    """CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        audit TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'interrupted')),
        config_sha256 TEXT NOT NULL
    )""",
    "CREATE INDEX runs_audit ON runs (audit, id)",
    """CREATE TABLE pages (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        partner TEXT NOT NULL,
        canonical_id TEXT,
        verdict TEXT NOT NULL CHECK (verdict IN ('compliant', 'violation', 'unverifiable')),
        reason TEXT,
        fetched_at TEXT,
        sha256 TEXT,
        warc_record_id TEXT,
        report_json TEXT NOT NULL,
        UNIQUE (run_id, url)
    )""",
    "CREATE INDEX pages_partner ON pages (partner, run_id)",
    """CREATE TABLE findings (
        run_id INTEGER NOT NULL,
        url TEXT NOT NULL,
        partner TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        waived INTEGER NOT NULL DEFAULT 0 CHECK (waived IN (0, 1)),
        UNIQUE (run_id, url, fingerprint),
        FOREIGN KEY (run_id, url) REFERENCES pages (run_id, url) ON DELETE CASCADE
    )""",
)

#: Statements that bring a history from version ``n - 1`` to ``n``; a new file gets ``_SCHEMA``
#: (version 1) and then every migration, so old and new files end with the same tables.
_MIGRATIONS: Final[dict[int, tuple[str, ...]]] = {
    2: (
        # Conditional requests: the validators of each page's response, and the WARC file holding
        # its bytes, so the next run can ask "changed since?" and re-judge the archived bytes on 304.
        "ALTER TABLE pages ADD COLUMN etag TEXT",
        "ALTER TABLE pages ADD COLUMN last_modified TEXT",
        "ALTER TABLE pages ADD COLUMN warc_file TEXT",
        "ALTER TABLE pages ADD COLUMN warc_offset INTEGER",  # where the record starts in warc_file
        "ALTER TABLE pages ADD COLUMN revalidated INTEGER NOT NULL DEFAULT 0 CHECK (revalidated IN (0, 1))",
        # Pages that were fetched but carry no canonical article, and discovery failures: counted
        # in the run report, and a resumed run does not fetch them again.
        """CREATE TABLE skipped (
            run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            partner TEXT NOT NULL,
            reason TEXT NOT NULL CHECK (reason IN ('no-canonical-article', 'discovery')),
            detail TEXT,
            UNIQUE (run_id, url)
        )""",
    ),
}


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class RunStatus(StrEnum):
    """Where a run stands; only ``finished`` runs are ever compared against."""

    RUNNING = "running"
    FINISHED = "finished"
    INTERRUPTED = "interrupted"


class Change(StrEnum):
    """How a finding compares with the previous finished run of the same audit."""

    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"


@dataclass(frozen=True, slots=True)
class FindingStatus:
    """One finding of a run (or, when resolved, of the previous run) with its change.

    ``waived`` is the waiver as recorded in the run the finding comes from (the previous run for a
    resolved finding).
    """

    url: str
    partner: str
    fingerprint: str
    rule_id: str
    kind: str
    severity: Severity
    message: str
    status: Change
    waived: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "url": self.url,
            "partner": self.partner,
            "fingerprint": self.fingerprint,
            "rule_id": self.rule_id,
            "kind": self.kind,
            "severity": self.severity.value,
            "message": self.message,
            "status": self.status.value,
            "waived": self.waived,
        }


@dataclass(frozen=True, slots=True)
class Comparison:
    """A run's findings against the previous finished run of the same audit.

    A previous finding is ``resolved`` only if its page was checked again *and judged* in this run
    (compliant or violation). Findings of pages not checked this run, or unverifiable this run (the
    site was down: that proves nothing), are neither resolved nor persisting: they are counted in
    ``unchecked`` and their pages listed in ``unchecked_urls``. ``config_changed`` warns that the
    two runs used different configurations, so some changes may come from the configuration.
    """

    run_id: int
    previous_run_id: int | None
    new: tuple[FindingStatus, ...]
    persisting: tuple[FindingStatus, ...]
    resolved: tuple[FindingStatus, ...]
    unchecked: int
    unchecked_urls: tuple[str, ...]
    config_changed: bool

    @property
    def findings(self) -> tuple[FindingStatus, ...]:
        """Every finding of the comparison, new then persisting then resolved."""
        return self.new + self.persisting + self.resolved

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "run_id": self.run_id,
            "previous_run_id": self.previous_run_id,
            "counts": {
                "new": len(self.new),
                "persisting": len(self.persisting),
                "resolved": len(self.resolved),
                "unchecked": self.unchecked,
            },
            "findings": [f.to_dict() for f in self.findings],
            "unchecked_urls": list(self.unchecked_urls),
            "config_changed": self.config_changed,
        }


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One finished run as seen from one partner: how many of its pages got each verdict."""

    run_id: int
    started_at: str
    pages: int
    compliant: int
    violation: int
    unverifiable: int

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "run_id": self.run_id,
            "started_at": self.started_at,
            "pages": self.pages,
            "compliant": self.compliant,
            "violation": self.violation,
            "unverifiable": self.unverifiable,
        }


@dataclass(frozen=True, slots=True)
class Validators:
    """What a conditional request needs from an earlier fetch of a page: its HTTP validators
    (``ETag``, ``Last-Modified``) and the WARC file and record holding the bytes they validate."""

    etag: str | None
    last_modified: str | None
    warc_file: str | None
    warc_record_id: str | None
    warc_offset: int | None = None  # a hint: where the record starts in warc_file


class History:
    """An open audit history; build it with :meth:`History.open`, use it as a context manager.

    A History holds one SQLite connection and is meant for one thread; several processes may open
    the same file at once.
    """

    def __init__(self, path: Path, connection: sqlite3.Connection) -> None:
        """Wrap an already-initialised connection; call :meth:`open` instead."""
        self.path = path
        self._conn = connection
        self._closed = False

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, timeout: float = DEFAULT_TIMEOUT) -> History:
        """Open the history at *path*, creating it (and its parent directories) if it does not exist.

        Raises :class:`ConfigError`, naming the path, if the file is not a repcheck history (not
        SQLite, or another program's SQLite database) or was written by a newer repcheck.
        """
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we issue BEGIN IMMEDIATE ourselves; Python's implicit deferred
            # BEGIN would upgrade to a write lock mid-transaction, which WAL refuses without waiting.
            conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise ConfigError(f"{path}: cannot open the audit history: {exc}") from exc
        try:
            conn.row_factory = sqlite3.Row
            # Look before touching: switching a foreign database to WAL would modify someone else's file.
            _check_identity(conn, path)
            mode = _switch_to_wal(conn, timeout)
            if str(mode).lower() != "wal":
                raise ConfigError(f"{path}: the audit history needs WAL journaling, SQLite gave {mode!r}")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Checked again under the write lock: another process may have created it meanwhile.
                version = _check_identity(conn, path)
                created = version is None
                if version is None:
                    for statement in _SCHEMA:
                        conn.execute(statement)
                    conn.execute(
                        "INSERT INTO schema_version (id, application, version, created_at) VALUES (1, ?, 1, ?)",
                        (APPLICATION, _now()),
                    )
                    logger.info("created audit history %s", path)
                    version = 1
                for target in range(version + 1, SCHEMA_VERSION + 1):
                    for statement in _MIGRATIONS[target]:
                        conn.execute(statement)
                    conn.execute("UPDATE schema_version SET version = ? WHERE id = 1", (target,))
                    if not created:
                        logger.info("migrated audit history %s to schema version %d", path, target)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:  # locked past the timeout, read-only, disk full ...
            conn.close()
            raise ConfigError(f"{path}: cannot open the audit history: {exc}") from exc
        except sqlite3.DatabaseError as exc:  # "file is not a database", a corrupt file
            conn.close()
            raise ConfigError(f"{path}: not a repcheck audit history: {exc}") from exc
        except BaseException:
            conn.close()
            raise
        return cls(path, conn)

    def close(self) -> None:
        """Close the connection; unfinished runs stay ``running`` and can be resumed. Idempotent."""
        if not self._closed:
            self._closed = True
            self._conn.close()

    def __enter__(self) -> History:
        """Use as ``with History.open(path) as history:``."""
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Close the history (without finishing any run)."""
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; the lock is taken up front so concurrent writers queue."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def _run_row(self, run_id: int) -> sqlite3.Row:
        row: sqlite3.Row | None = self._conn.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise ValueError(f"{self.path}: no run {run_id} in the audit history")
        return row

    # --- runs ------------------------------------------------------------------------------------

    def start_run(self, audit: str, config_sha256: str) -> int:
        """Start a new run of *audit* and return its id; its status is ``running`` until finished."""
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO runs (audit, started_at, status, config_sha256) VALUES (?, ?, ?, ?)",
                (audit, _now(), RunStatus.RUNNING.value, config_sha256),
            )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def resumable_run(self, audit: str) -> int | None:
        """The latest run of *audit* if it is unfinished (``running`` or ``interrupted``), else None.

        Only the very latest run counts: an unfinished run older than a finished one is stale (its
        pages were checked again since), so resuming it would record old news as tonight's.
        """
        row = self._conn.execute(
            "SELECT id, status FROM runs WHERE audit = ? ORDER BY id DESC LIMIT 1", (audit,)
        ).fetchone()
        if row is None or row["status"] == RunStatus.FINISHED:
            return None
        return int(row["id"])

    def done_urls(self, run_id: int) -> set[str]:
        """URLs already recorded in *run_id* (checked, or skipped as carrying no canonical article):
        a resumed run does not fetch them again."""
        self._run_row(run_id)
        rows = self._conn.execute(
            "SELECT url FROM pages WHERE run_id = ? UNION SELECT url FROM skipped WHERE run_id = ?"
            " AND reason = 'no-canonical-article'",
            (run_id, run_id),
        )
        return {r["url"] for r in rows}

    def pages(self, run_id: int) -> list[dict[str, Any]]:
        """Every page recorded in *run_id* (see :meth:`iter_pages`), as a list."""
        return list(self.iter_pages(run_id))

    def iter_pages(self, run_id: int) -> Iterator[dict[str, Any]]:
        """Every page recorded in *run_id*, by partner then URL, one at a time (memory does not grow
        with the run), with its single-page report: the evidence a run report lists (verdict,
        reason, SHA-256 and the WARC record of what was judged; ``revalidated`` when the partner
        answered 304 Not Modified and the archived bytes of an earlier run, in ``warc_file``, were
        judged again)."""
        self._run_row(run_id)
        rows = self._conn.execute(
            "SELECT url, partner, canonical_id, verdict, reason, fetched_at, sha256, warc_record_id, warc_file,"
            " revalidated, report_json FROM pages WHERE run_id = ? ORDER BY partner, url",
            (run_id,),
        )
        for r in rows:
            yield {
                "url": r["url"],
                "partner": r["partner"],
                "canonical_id": r["canonical_id"],
                "verdict": r["verdict"],
                "reason": r["reason"],
                "fetched_at": r["fetched_at"],
                "sha256": r["sha256"],
                "warc_record_id": r["warc_record_id"],
                "warc_file": r["warc_file"],
                "revalidated": bool(r["revalidated"]),
                "report": json.loads(r["report_json"]),
            }

    def partners(self, run_id: int) -> list[str]:
        """Partners with a page recorded in *run_id*, by name."""
        rows = self._conn.execute("SELECT DISTINCT partner FROM pages WHERE run_id = ? ORDER BY partner", (run_id,))
        return [r[0] for r in rows]

    def verdict_counts(self, run_id: int) -> dict[str, int]:
        """Pages of *run_id* per verdict (every verdict present)."""
        counts = {"compliant": 0, "violation": 0, "unverifiable": 0}
        for r in self._conn.execute("SELECT verdict, COUNT(*) FROM pages WHERE run_id = ? GROUP BY verdict", (run_id,)):
            counts[r[0]] = int(r[1])
        return counts

    def record_skipped(self, run_id: int, partner: str, url: str, reason: str, detail: str | None = None) -> None:
        """Record a URL that gave no page report: ``no-canonical-article`` (fetched, carries none of
        our articles) or ``discovery`` (a sitemap, feed or listing that could not be read)."""
        with self._write() as conn:
            if self._run_row(run_id)["status"] == RunStatus.FINISHED:
                raise ValueError(f"{self.path}: run {run_id} is finished; its record is closed")
            conn.execute(
                "INSERT OR REPLACE INTO skipped (run_id, url, partner, reason, detail) VALUES (?, ?, ?, ?, ?)",
                (run_id, url, partner, reason, detail),
            )

    def skipped_counts(self, run_id: int) -> dict[str, int]:
        """URLs skipped in *run_id*, per reason (both reasons always present)."""
        counts = {"no-canonical-article": 0, "discovery": 0}
        for r in self._conn.execute("SELECT reason, COUNT(*) FROM skipped WHERE run_id = ? GROUP BY reason", (run_id,)):
            counts[r[0]] = int(r[1])
        return counts

    def previous_fetches(self, run_id: int) -> dict[str, Validators]:
        """For each page of the previous finished run (before *run_id*, same audit) that was judged
        from archived bytes: its HTTP validators and where its bytes are, for a conditional request."""
        audit = self._run_row(run_id)["audit"]
        previous = self.previous_finished_run(audit, run_id)
        if previous is None:
            return {}
        rows = self._conn.execute(
            "SELECT url, etag, last_modified, warc_file, warc_record_id, warc_offset FROM pages WHERE run_id = ?"
            " AND verdict != 'unverifiable' AND warc_file IS NOT NULL AND warc_record_id IS NOT NULL"
            " AND (etag IS NOT NULL OR last_modified IS NOT NULL)",
            (previous,),
        )
        return {
            r["url"]: Validators(r["etag"], r["last_modified"], r["warc_file"], r["warc_record_id"], r["warc_offset"])
            for r in rows
        }

    def run_info(self, run_id: int) -> dict[str, Any]:
        """One run's row: id, audit, started_at, finished_at, status, config_sha256."""
        return dict(self._run_row(run_id))

    def runs(self, audit: str | None = None) -> list[dict[str, Any]]:
        """Every run (of *audit*, or of all audits), newest first, with its page count."""
        rows = self._conn.execute(
            "SELECT r.*, (SELECT COUNT(*) FROM pages p WHERE p.run_id = r.id) AS pages FROM runs r"
            " WHERE (? IS NULL OR r.audit = ?) ORDER BY r.id DESC",
            (audit, audit),
        )
        return [dict(r) for r in rows]

    def finish_run(self, run_id: int) -> None:
        """Mark *run_id* finished; from now on it is what the next run compares against.

        Finishing an already finished run changes nothing (its ``finished_at`` is kept).
        """
        with self._write() as conn:
            self._run_row(run_id)
            conn.execute(
                "UPDATE runs SET status = ?, finished_at = ? WHERE id = ? AND status != ?",
                (RunStatus.FINISHED.value, _now(), run_id, RunStatus.FINISHED.value),
            )

    def mark_interrupted(self, run_id: int) -> None:
        """Mark *run_id* interrupted (from a signal handler or ``finally``); finished runs stay finished."""
        with self._write() as conn:
            self._run_row(run_id)
            conn.execute(
                "UPDATE runs SET status = ? WHERE id = ? AND status = ?",
                (RunStatus.INTERRUPTED.value, run_id, RunStatus.RUNNING.value),
            )

    def previous_finished_run(self, audit: str, before_run_id: int) -> int | None:
        """The latest finished run of *audit* older than *before_run_id*, or None."""
        row = self._conn.execute(
            "SELECT id FROM runs WHERE audit = ? AND status = ? AND id < ? ORDER BY id DESC LIMIT 1",
            (audit, RunStatus.FINISHED.value, before_run_id),
        ).fetchone()
        return None if row is None else int(row["id"])

    # --- pages -----------------------------------------------------------------------------------

    def record_page(
        self,
        run_id: int,
        partner: str,
        url: str,
        report: Report,
        warc_record_id: str | None = None,
        waived: Callable[[Finding], bool] | None = None,
        *,
        validators: Validators | None = None,
        revalidated: bool = False,
    ) -> None:
        """Record one checked page and its findings in one transaction.

        Recording the same *url* again in the same run replaces the earlier record. *waived* says
        which findings the legal team has waived; they are kept (the evidence stays) but flagged.
        Raises ValueError if the run does not exist or is already finished.
        """
        # The waiver callback is caller code: run it before taking the write lock, so a slow one
        # never blocks the other processes writing to this file.
        rows: dict[str, tuple[Any, ...]] = {}
        for f in report.findings:
            # The engine already reports one finding per fingerprint and page; a hand-built report
            # with duplicates keeps the first, as the engine would.
            rows.setdefault(
                f.fingerprint,
                (
                    run_id,
                    url,
                    partner,
                    f.fingerprint,
                    f.rule_id,
                    f.kind,
                    f.severity.value,
                    f.message,
                    int(bool(waived(f))) if waived else 0,
                ),
            )
        page = report.page
        page_row = (
            run_id,
            url,
            partner,
            report.canonical.id if report.canonical else None,
            report.verdict.value,
            report.reason,
            page.fetched_at if page else None,
            page.sha256 if page else None,
            warc_record_id,
            validators.warc_file if validators else None,
            validators.warc_offset if validators else None,
            validators.etag if validators else None,
            validators.last_modified if validators else None,
            int(revalidated),
            json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True),
        )
        with self._write() as conn:
            if self._run_row(run_id)["status"] == RunStatus.FINISHED:
                raise ValueError(f"{self.path}: run {run_id} is finished; its record is closed")
            conn.execute("DELETE FROM findings WHERE run_id = ? AND url = ?", (run_id, url))
            conn.execute("DELETE FROM pages WHERE run_id = ? AND url = ?", (run_id, url))
            conn.execute("DELETE FROM skipped WHERE run_id = ? AND url = ?", (run_id, url))
            conn.execute(
                "INSERT INTO pages (run_id, url, partner, canonical_id, verdict, reason, fetched_at, sha256,"
                " warc_record_id, warc_file, warc_offset, etag, last_modified, revalidated, report_json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                page_row,
            )
            conn.executemany(
                "INSERT INTO findings (run_id, url, partner, fingerprint, rule_id, kind, severity, message, waived)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                list(rows.values()),
            )

    # --- reading ---------------------------------------------------------------------------------

    def _findings(self, run_id: int) -> dict[tuple[str, str], sqlite3.Row]:
        cur = self._conn.execute(
            "SELECT * FROM findings WHERE run_id = ? ORDER BY url, rule_id, fingerprint", (run_id,)
        )
        return {(r["url"], r["fingerprint"]): r for r in cur}

    def compare(self, run_id: int) -> Comparison:
        """Compare *run_id* with the previous finished run of the same audit (see :class:`Comparison`).

        With no previous finished run every finding is new.
        """
        run = self._run_row(run_id)
        prev_id = self.previous_finished_run(run["audit"], run_id)
        current = self._findings(run_id)
        previous = self._findings(prev_id) if prev_id is not None else {}
        judged = {
            r["url"]
            for r in self._conn.execute(
                "SELECT url FROM pages WHERE run_id = ? AND verdict != ?", (run_id, Verdict.UNVERIFIABLE.value)
            )
        }
        new: list[FindingStatus] = []
        persisting: list[FindingStatus] = []
        resolved: list[FindingStatus] = []
        for key, row in current.items():
            if key in previous:
                persisting.append(_status(row, Change.PERSISTING))
            else:
                new.append(_status(row, Change.NEW))
        unchecked = 0
        unchecked_urls: set[str] = set()
        for key, row in previous.items():
            if key in current:
                continue
            if key[0] in judged:
                resolved.append(_status(row, Change.RESOLVED))
            else:
                unchecked += 1
                unchecked_urls.add(key[0])
        config_changed = prev_id is not None and self._run_row(prev_id)["config_sha256"] != run["config_sha256"]
        return Comparison(
            run_id=run_id,
            previous_run_id=prev_id,
            new=tuple(new),
            persisting=tuple(persisting),
            resolved=tuple(resolved),
            unchecked=unchecked,
            unchecked_urls=tuple(sorted(unchecked_urls)),
            config_changed=config_changed,
        )

    def partner_trend(self, audit: str, partner: str, last: int = 10, until: int | None = None) -> list[TrendPoint]:
        """Verdict counts of *partner*'s pages over the *last* finished runs of *audit* (up to run
        *until* included, when given), oldest first.

        A finished run that did not check the partner still gives a point (with ``pages == 0``), so
        the trend's x axis is the audit's nights, not the partner's.
        """
        rows = self._conn.execute(
            """
            SELECT r.id, r.started_at,
                   COUNT(p.url) AS pages,
                   COALESCE(SUM(p.verdict = 'compliant'), 0) AS compliant,
                   COALESCE(SUM(p.verdict = 'violation'), 0) AS violation,
                   COALESCE(SUM(p.verdict = 'unverifiable'), 0) AS unverifiable
            FROM (SELECT id, started_at FROM runs WHERE audit = ? AND status = ? AND id <= ?
                  ORDER BY id DESC LIMIT ?) AS r
            LEFT JOIN pages AS p ON p.run_id = r.id AND p.partner = ?
            GROUP BY r.id
            ORDER BY r.id
            """,
            (audit, RunStatus.FINISHED.value, until if until is not None else 2**62, last, partner),
        )
        return [
            TrendPoint(
                run_id=int(r["id"]),
                started_at=r["started_at"],
                pages=int(r["pages"]),
                compliant=int(r["compliant"]),
                violation=int(r["violation"]),
                unverifiable=int(r["unverifiable"]),
            )
            for r in rows
        ]


def _status(row: sqlite3.Row, change: Change) -> FindingStatus:
    return FindingStatus(
        url=row["url"],
        partner=row["partner"],
        fingerprint=row["fingerprint"],
        rule_id=row["rule_id"],
        kind=row["kind"],
        severity=Severity(row["severity"]),
        message=row["message"],
        status=change,
        waived=bool(row["waived"]),
    )


def _switch_to_wal(conn: sqlite3.Connection, timeout: float) -> str:
    """``PRAGMA journal_mode=WAL``, retried: changing the journal mode of a file another process is
    creating at that moment fails with "database is locked" at once, without SQLite's busy handler."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0])
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _check_identity(conn: sqlite3.Connection, path: Path) -> int | None:
    """The schema version of the history at *path*, None if the database is empty.

    Raises ConfigError if the database belongs to something else or to a newer repcheck;
    ``sqlite3.DatabaseError`` if the file is not SQLite at all.
    """
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not tables:
        return None
    if "schema_version" not in tables:
        raise ConfigError(f"{path}: an SQLite database but not a repcheck audit history (no schema_version table)")
    row = conn.execute("SELECT application, version FROM schema_version WHERE id = 1").fetchone()
    if row is None or row[0] != APPLICATION:
        raise ConfigError(f"{path}: an SQLite database but not a repcheck audit history")
    version = int(row[1])
    if version > SCHEMA_VERSION:
        raise ConfigError(
            f"{path}: audit history schema version {version} is newer than this repcheck supports"
            f" ({SCHEMA_VERSION}); upgrade repcheck"
        )
    # Versions older than SCHEMA_VERSION are migrated by the caller, under the write lock.
    return version
