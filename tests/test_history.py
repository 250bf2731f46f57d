"""The audit history: new/persisting/resolved across nightly runs, resume after a crash, the file itself.

Reports are real ``checker.check()`` reports of the example pages; they are recorded under stable
partner URLs (``https://partner.example/<name>``) so one report can stand for "the partner fixed the
page" by being recorded under another page's URL.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from contextlib import closing
from pathlib import Path

import pytest

from checker import ConfigError, Report, Verdict, check
from checker.history import SCHEMA_VERSION, Change, Comparison, History

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PARTNERS = ROOT / "examples" / "partners"
AUDIT = "nightly"
CONFIG = "0" * 64
THREE = ("compliant", "cut-paragraph", "inserted-ad")


def url(name: str) -> str:
    """The URL a page is recorded under."""
    return f"https://partner.example/{name}"


def partner_of(name: str) -> str:
    """Two partners, so trends have something to tell apart."""
    return "beta" if name == "cut-paragraph" else "alpha"


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    """Real reports of the example pages under the ``rfi`` profile, computed once."""
    out = {
        name: check(PARTNERS / f"{name}.html", CANONICAL, "rfi")
        for name in ("compliant", "cut-paragraph", "inserted-ad", "added-paragraph")
    }
    out["not-html"] = check(PARTNERS / "not-html.txt", CANONICAL, "rfi")
    # The assertions below lean on these facts of the examples; fail loudly if they change.
    assert out["compliant"].verdict is Verdict.COMPLIANT
    assert out["cut-paragraph"].findings and out["inserted-ad"].findings and out["added-paragraph"].findings
    assert out["not-html"].verdict is Verdict.UNVERIFIABLE
    return out


def record(history: History, run: int, reports: dict[str, Report], pages: dict[str, str]) -> None:
    """Record ``pages`` (recorded-under name -> report name) in ``run``."""
    for name, report_name in pages.items():
        history.record_page(run, partner_of(name), url(name), reports[report_name])


def full_run(history: History, reports: dict[str, Report], pages: dict[str, str], config: str = CONFIG) -> int:
    """A whole uninterrupted run, finished."""
    run = history.start_run(AUDIT, config)
    record(history, run, reports, pages)
    history.finish_run(run)
    return run


def keys(statuses: tuple[object, ...]) -> set[tuple[str, str]]:
    """(url, fingerprint) of each FindingStatus."""
    return {(s.url, s.fingerprint) for s in statuses}  # type: ignore[attr-defined]


def expected(reports: dict[str, Report], name: str, report_name: str | None = None) -> set[tuple[str, str]]:
    """(url, fingerprint) of the findings of ``report_name`` recorded under ``name``."""
    return {(url(name), f.fingerprint) for f in reports[report_name or name].findings}


SAME = {name: name for name in THREE}


# --- new / persisting / resolved -------------------------------------------------------------------


def test_first_run_everything_is_new(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        run = full_run(history, reports, SAME)
        comparison = history.compare(run)
    assert comparison.previous_run_id is None
    assert keys(comparison.new) == set().union(*(expected(reports, n) for n in THREE))
    assert comparison.persisting == comparison.resolved == ()
    assert comparison.unchecked == 0


def test_nightly_runs_new_persisting_resolved(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        run1 = full_run(history, reports, SAME)
        run2 = full_run(history, reports, SAME)
        second = history.compare(run2)

        # Night 3: the partner fixed inserted-ad (it now serves what compliant.html serves) and a
        # new page with an added paragraph appeared.
        run3 = full_run(
            history,
            reports,
            {**SAME, "inserted-ad": "compliant", "added-paragraph": "added-paragraph"},
        )
        third = history.compare(run3)

    everything = set().union(*(expected(reports, n) for n in THREE))
    assert second.previous_run_id == run1
    assert keys(second.persisting) == everything
    assert second.new == second.resolved == ()
    assert {s.status for s in second.persisting} == {Change.PERSISTING}

    assert third.previous_run_id == run2
    assert keys(third.resolved) == expected(reports, "inserted-ad")
    assert {s.status for s in third.resolved} == {"resolved"}
    assert all(s.rule_id == "RFI-EMBED" for s in third.resolved)
    # The fixed page now carries what compliant.html carries (a typography note): new on that URL.
    assert keys(third.new) == expected(reports, "added-paragraph") | expected(reports, "inserted-ad", "compliant")
    assert any(s.url == url("added-paragraph") and s.severity == "error" for s in third.new)
    assert keys(third.persisting) == expected(reports, "compliant") | expected(reports, "cut-paragraph")
    assert third.unchecked == 0 and not third.config_changed
    json.dumps(third.to_dict())  # plain JSON, one serialisation path


def test_unchecked_and_unverifiable_pages_resolve_nothing(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        full_run(history, reports, SAME)
        # Night 2: compliant.html is not checked at all; inserted-ad's site serves garbage.
        run2 = full_run(history, reports, {"cut-paragraph": "cut-paragraph", "inserted-ad": "not-html"})
        comparison = history.compare(run2)
    assert comparison.resolved == comparison.new == ()
    assert keys(comparison.persisting) == expected(reports, "cut-paragraph")
    assert comparison.unchecked == len(reports["compliant"].findings) + len(reports["inserted-ad"].findings)
    assert comparison.unchecked_urls == (url("compliant"), url("inserted-ad"))


def test_compare_skips_unfinished_runs_and_flags_config_change(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        run1 = full_run(history, reports, SAME)
        abandoned = history.start_run(AUDIT, CONFIG)
        record(history, abandoned, reports, {"inserted-ad": "compliant"})
        history.mark_interrupted(abandoned)
        other_audit = history.start_run("weekly", CONFIG)
        record(history, other_audit, reports, {"inserted-ad": "compliant"})
        history.finish_run(other_audit)
        run3 = full_run(history, reports, SAME, config="1" * 64)
        assert history.previous_finished_run(AUDIT, run3) == run1
        comparison = history.compare(run3)
    assert comparison.previous_run_id == run1
    assert comparison.new == comparison.resolved == ()
    assert comparison.config_changed


def test_waived_findings_are_kept_and_flagged(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        run = history.start_run(AUDIT, CONFIG)
        history.record_page(
            run,
            "alpha",
            url("inserted-ad"),
            reports["inserted-ad"],
            "urn:uuid:1",
            waived=lambda f: f.rule_id == "RFI-EMBED",
        )
        history.record_page(run, "beta", url("cut-paragraph"), reports["cut-paragraph"], waived=lambda f: False)
        history.finish_run(run)
        comparison = history.compare(run)
    waived = {s.url for s in comparison.new if s.waived}
    assert waived == {url("inserted-ad")}
    assert len(comparison.new) == len(reports["inserted-ad"].findings) + len(reports["cut-paragraph"].findings)


# --- idempotence and resume ------------------------------------------------------------------------


def test_recording_a_page_twice_replaces_it(tmp_path: Path, reports: dict[str, Report]) -> None:
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        run = history.start_run(AUDIT, CONFIG)
        for _ in range(3):
            history.record_page(run, "alpha", url("x"), reports["inserted-ad"])
        history.record_page(run, "alpha", url("x"), reports["cut-paragraph"])
        history.finish_run(run)
        assert history.done_urls(run) == {url("x")}
        assert keys(history.compare(run).new) == expected(reports, "x", "cut-paragraph")
        (point,) = history.partner_trend(AUDIT, "alpha")
        assert (point.pages, point.violation) == (1, 1)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert raw.execute("SELECT COUNT(*) FROM pages").fetchone() == (1,)
        assert raw.execute("SELECT COUNT(*) FROM findings").fetchone() == (len(reports["cut-paragraph"].findings),)


def uninterrupted(tmp_path: Path, reports: dict[str, Report]) -> Comparison:
    """The comparison of night 2 (night 3 of the test above) when nothing goes wrong."""
    with History.open(tmp_path / "reference.sqlite") as history:
        full_run(history, reports, SAME)
        run = full_run(history, reports, {**SAME, "inserted-ad": "compliant"})
        return history.compare(run)


def test_resume_after_closing_without_finishing(tmp_path: Path, reports: dict[str, Report]) -> None:
    path = tmp_path / "h.sqlite"
    night2 = {**SAME, "inserted-ad": "compliant"}
    with History.open(path) as history:
        full_run(history, reports, SAME)
        run = history.start_run(AUDIT, CONFIG)
        record(history, run, reports, {"inserted-ad": "compliant", "compliant": "compliant"})
    # "crash": the connection is gone, the run never finished.
    with History.open(path) as history:
        assert history.resumable_run(AUDIT) == run
        done = history.done_urls(run)
        assert done == {url("inserted-ad"), url("compliant")}
        record(history, run, reports, {n: r for n, r in night2.items() if url(n) not in done})
        # A careless resumer records a finished page again: still counted once.
        record(history, run, reports, {"compliant": "compliant"})
        history.finish_run(run)
        assert history.resumable_run(AUDIT) is None
        assert history.compare(run) == uninterrupted(tmp_path, reports)
        (point,) = history.partner_trend(AUDIT, "alpha", last=1)
        assert (point.run_id, point.pages, point.compliant) == (run, 2, 2)


CHILD = textwrap.dedent(
    """
    import sqlite3, sys, time
    from pathlib import Path
    from checker import check
    from checker.history import History

    path, run = Path(sys.argv[1]), int(sys.argv[2])
    report = check(sys.argv[3], sys.argv[4], "rfi")
    history = History.open(path)
    history.record_page(run, "alpha", "https://partner.example/compliant", report)
    # The next page is half-written when the kill comes: its transaction is open.
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("BEGIN IMMEDIATE")
    raw.execute(
        "INSERT INTO pages (run_id, url, partner, verdict, report_json) VALUES (?, ?, 'beta', 'violation', '{}')",
        (run, "https://partner.example/cut-paragraph"),
    )
    print("ready", flush=True)
    time.sleep(60)
    """
)


def test_resume_after_sigkill(tmp_path: Path, reports: dict[str, Report]) -> None:
    path = tmp_path / "h.sqlite"
    with History.open(path) as history:
        full_run(history, reports, SAME)
        run = history.start_run(AUDIT, CONFIG)
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(path), str(run), str(PARTNERS / "compliant.html"), str(CANONICAL)],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        child.send_signal(signal.SIGKILL)
        assert child.wait(timeout=10) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()

    with History.open(path) as history:
        assert history.resumable_run(AUDIT) == run
        assert history.done_urls(run) == {url("compliant")}
        record(history, run, reports, {"cut-paragraph": "cut-paragraph", "inserted-ad": "compliant"})
        history.finish_run(run)
        assert history.compare(run) == uninterrupted(tmp_path, reports)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_run_lifecycle(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        assert history.resumable_run(AUDIT) is None
        run = history.start_run(AUDIT, CONFIG)
        history.mark_interrupted(run)
        assert history.resumable_run(AUDIT) == run
        history.finish_run(run)
        history.finish_run(run)  # finishing twice is harmless
        history.mark_interrupted(run)  # a late signal handler cannot reopen a finished run
        assert history.resumable_run(AUDIT) is None
        with pytest.raises(ValueError, match="finished"):
            history.record_page(run, "alpha", url("compliant"), reports["compliant"])
        with pytest.raises(ValueError, match="no run 999"):
            history.done_urls(999)
        # An unfinished run older than a finished one is stale: never resumed.
        stale = history.start_run("weekly", CONFIG)
        history.finish_run(history.start_run("weekly", CONFIG))
        assert history.resumable_run("weekly") is None
        assert stale not in (history.resumable_run("weekly"), history.resumable_run(AUDIT))


def test_partner_trend(tmp_path: Path, reports: dict[str, Report]) -> None:
    with History.open(tmp_path / "h.sqlite") as history:
        run1 = full_run(history, reports, SAME)
        run2 = full_run(history, reports, {**SAME, "inserted-ad": "compliant"})
        run3 = full_run(history, reports, {"cut-paragraph": "cut-paragraph"})
        unfinished = history.start_run(AUDIT, CONFIG)
        record(history, unfinished, reports, SAME)
        trend = history.partner_trend(AUDIT, "alpha")
        assert [p.run_id for p in trend] == [run1, run2, run3]
        assert [(p.pages, p.compliant, p.violation, p.unverifiable) for p in trend] == [
            (2, 1, 1, 0),
            (2, 2, 0, 0),
            (0, 0, 0, 0),
        ]
        assert [p.run_id for p in history.partner_trend(AUDIT, "alpha", last=2)] == [run2, run3]
        assert [p.pages for p in history.partner_trend(AUDIT, "beta")] == [1, 1, 1]
        assert all(p.started_at for p in trend)


# --- the file ----------------------------------------------------------------------------------------


def test_open_creates_a_wal_history(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "history.sqlite"
    History.open(path).close()
    with History.open(path):  # reopening an existing history works
        pass
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"schema_version", "runs", "pages", "findings"} <= tables
        assert raw.execute("SELECT version FROM schema_version").fetchone() == (SCHEMA_VERSION,)


def test_not_sqlite_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database, just some text that is long enough to be a header\n" * 20)
    with pytest.raises(ConfigError, match="not a repcheck audit history") as info:
        History.open(path)
    assert str(path) in str(info.value)


def test_foreign_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite"
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ConfigError, match="not a repcheck audit history") as info:
        History.open(path)
    assert str(path) in str(info.value)
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("delete",)


def test_newer_schema_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite"
    History.open(path).close()
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(ConfigError, match="newer") as info:
        History.open(path)
    assert str(path) in str(info.value)


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from checker import check
    from checker.history import History

    path, audit = Path(sys.argv[1]), sys.argv[2]
    report = check(sys.argv[3], sys.argv[4], "rfi")
    with History.open(path) as history:
        run = history.start_run(audit, "0" * 64)
        for i in range(40):
            history.record_page(run, audit, f"https://partner.example/{audit}/{i}", report)
        history.finish_run(run)
    print(run)
    """
)


def test_two_processes_write_one_file(tmp_path: Path, reports: dict[str, Report]) -> None:
    # The file does not exist yet: both processes also race to create it.
    path = tmp_path / "shared.sqlite"
    args = [str(PARTNERS / "inserted-ad.html"), str(CANONICAL)]
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), audit, *args],
            cwd=ROOT,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for audit in ("audit-a", "audit-b")
    ]
    outputs = [w.communicate(timeout=120) for w in writers]
    assert [w.returncode for w in writers] == [0, 0], outputs
    runs = {int(out) for out, _ in outputs}
    assert len(runs) == 2
    per_page = len(reports["inserted-ad"].findings)
    with History.open(path) as history:
        for audit in ("audit-a", "audit-b"):
            (point,) = history.partner_trend(audit, audit)
            assert point.run_id in runs
            assert (point.pages, point.violation) == (40, 40)
            assert len(history.done_urls(point.run_id)) == 40
            assert len(history.compare(point.run_id).new) == 40 * per_page
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
