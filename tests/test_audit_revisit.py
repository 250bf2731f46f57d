"""Audit runs after the first: conditional requests (ETag / Last-Modified) judged from the archive,
per-host concurrency, pages without a canonical article not fetched again, history migration."""

from __future__ import annotations

import gzip
import json
import sqlite3
from pathlib import Path

from conftest import LocalServer, Reply, html, write_audit_file
from warcio.archiveiterator import ArchiveIterator

from checker.audit import run_audit
from checker.audit_config import load_audit_config
from checker.history import History
from checker.schemas import validate

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "examples" / "partners"


def _sitemap(server: LocalServer, paths: list[str]) -> None:
    locs = "".join(f"<url><loc>{server.url(p)}</loc></url>" for p in paths)
    server.route("/sitemap.xml", Reply(body=f"<urlset>{locs}</urlset>".encode(), headers={"Content-Type": "text/xml"}))


def _findings(report: dict[str, object]) -> set[tuple[str, str]]:
    return {(p["url"], f["fingerprint"]) for p in report["pages"] for f in p["report"]["findings"]}  # type: ignore[index,union-attr]


def test_unchanged_pages_answer_304_and_are_judged_again_from_the_archive(
    local_server: LocalServer, tmp_path: Path
) -> None:
    _sitemap(local_server, ["/cut.html", "/ad.html", "/plain.html"])
    local_server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes(), etag='"cut-v1"'))
    lm = "Tue, 24 Nov 2026 08:00:00 GMT"
    local_server.route("/ad.html", html((PARTNERS / "inserted-ad.html").read_bytes(), headers={"Last-Modified": lm}))
    local_server.route("/plain.html", html((PARTNERS / "compliant.html").read_bytes()))  # no validators
    config = load_audit_config(write_audit_file(tmp_path, local_server.url("/sitemap.xml")))

    first = run_audit(config)
    assert first.verdicts == {"violation": 2, "compliant": 1}
    local_server.requests.clear()
    second = run_audit(config)

    sent = {s.path: s.headers for s in local_server.requests}
    assert sent["/cut.html"].get("If-None-Match") == '"cut-v1"'
    assert sent["/ad.html"].get("If-Modified-Since") == lm
    assert "If-None-Match" not in sent["/plain.html"] and "If-Modified-Since" not in sent["/plain.html"]
    assert local_server.not_modified == 1  # the ETag page; the test server ignores If-Modified-Since

    # The 304 page was judged again on the bytes archived by run 1: same findings, all persisting.
    assert _findings(second.load_report()) == _findings(first.load_report())
    assert second.new == 0 and second.resolved == 0 and second.persisting == first.new
    validate(second.load_report(), "audit-report", "run report")
    pages = {Path(p["url"]).name: p for p in second.load_report()["pages"]}
    cut = pages["cut.html"]
    assert cut["revalidated"] is True and cut["warc_file"] == str(first.warc_path)
    assert (
        cut["warc_record_id"]
        == next(p for p in first.load_report()["pages"] if p["url"] == cut["url"])["warc_record_id"]
    )
    assert pages["ad.html"]["revalidated"] is False and pages["ad.html"]["warc_file"] == str(second.warc_path)

    # Run 2's WARC holds the 304 exchange as a revisit record pointing at run 1's response.
    assert second.warc_path is not None
    with gzip.open(second.warc_path, "rb") as fh:
        revisits = [r for r in ArchiveIterator(fh) if r.rec_type == "revisit"]
    assert len(revisits) == 1
    assert revisits[0].rec_headers.get_header("WARC-Refers-To") == cut["warc_record_id"]
    assert revisits[0].rec_headers.get_header("WARC-Profile").endswith("/revisit/server-not-modified")

    # The partner edits the page (new ETag): fetched in full and judged on the new bytes.
    local_server.route("/cut.html", html((PARTNERS / "compliant.html").read_bytes(), etag='"cut-v2"'))
    third = run_audit(config)
    assert local_server.not_modified == 1
    assert third.resolved >= 1 and third.verdicts.get("compliant") == 2


def test_a_304_whose_archive_is_gone_fetches_the_page_again(local_server: LocalServer, tmp_path: Path) -> None:
    _sitemap(local_server, ["/cut.html"])
    local_server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes(), etag='"v1"'))
    config = load_audit_config(write_audit_file(tmp_path, local_server.url("/sitemap.xml")))
    first = run_audit(config)
    assert first.warc_path is not None
    first.warc_path.unlink()  # the evidence of run 1 was moved away
    second = run_audit(config)
    assert local_server.not_modified == 0  # no conditional request without the archived bytes
    assert second.persisting == first.new and second.load_report()["pages"][0]["revalidated"] is False


def test_per_host_concurrency_is_never_exceeded(local_server: LocalServer, tmp_path: Path) -> None:
    # Two partners on two hosts share one pool of 2 + 4 threads; each host sees at most its
    # partner's concurrency, however many threads are free.
    body = (PARTNERS / "compliant.html").read_bytes()
    with LocalServer() as other:
        sitemaps = []
        for server in (local_server, other):
            paths = [f"/p/{i}.html" for i in range(12)]
            _sitemap(server, paths)
            for path in paths:
                server.route(path, html(body, delay=0.15))
            sitemaps.append(server.url("/sitemap.xml"))
        audit = tmp_path / "audit.toml"
        audit.write_text(
            f"""schema_version = 1
name = "two-hosts"
[canonical]
directory = "{ROOT / "examples" / "canonical"}"
[output]
reports = "reports"
[defaults]
profile = "rfi"
requests_per_second = 100
[[partners]]
name = "Slow"
sitemaps = ["{sitemaps[0]}"]
concurrency = 2
[[partners]]
name = "Fast"
sitemaps = ["{sitemaps[1]}"]
concurrency = 4
""",
            encoding="utf-8",
        )
        summary = run_audit(load_audit_config(audit))
    assert summary.pages == 24
    assert local_server.max_in_flight == 2  # the limit is used, never exceeded
    assert 2 < other.max_in_flight <= 4


def test_pages_without_a_canonical_article_are_recorded_and_not_fetched_on_resume(
    local_server: LocalServer, tmp_path: Path
) -> None:
    _sitemap(local_server, ["/other.html", "/cut.html"])
    local_server.route("/other.html", html((PARTNERS / "not-the-article.html").read_bytes()))
    local_server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    config = load_audit_config(write_audit_file(tmp_path, local_server.url("/sitemap.xml")))
    with History.open(config.history) as h:
        run = h.start_run(config.name, config.sha256)
        h.record_skipped(run, "Courrier", local_server.url("/other.html"), "no-canonical-article")
    summary = run_audit(config, resume=True)
    assert summary.run_id == run
    assert local_server.hits["/other.html"] == 0 and local_server.hits["/cut.html"] == 1
    assert summary.load_report()["skipped"] == {"no_canonical_article": 1, "discovery": 0}


def test_a_version_1_history_is_migrated_in_place(tmp_path: Path) -> None:
    from checker.history import _SCHEMA

    path = tmp_path / "history.sqlite"
    conn = sqlite3.connect(path)
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO schema_version VALUES (1, 'repcheck-history', 1, '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO runs (audit, started_at, status, config_sha256) VALUES ('a', 'x', 'finished', 'y')")
    conn.commit()
    conn.close()
    with History.open(path) as h:
        assert h.runs("a")[0]["id"] == 1  # old data kept
        run = h.start_run("a", "y")
        h.record_skipped(run, "P", "https://p.example/x", "discovery", "HTTP 404")
        assert h.skipped_counts(run) == {"no-canonical-article": 0, "discovery": 1}
    version = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchone()[0]
    assert version == 2
    json.dumps(version)


def test_revalidated_pages_are_read_from_the_archive_at_their_offset(local_server: LocalServer, tmp_path: Path) -> None:
    import checker.evidence as evidence

    _sitemap(local_server, ["/cut.html", "/ad.html"])
    local_server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes(), etag='"c"'))
    local_server.route("/ad.html", html((PARTNERS / "inserted-ad.html").read_bytes(), etag='"a"'))
    config = load_audit_config(write_audit_file(tmp_path, local_server.url("/sitemap.xml")))
    run_audit(config)
    reads: list[int | None] = []
    original = evidence._find

    def spy(fh, path, record_id, limit=None):  # type: ignore[no-untyped-def]
        reads.append(limit)
        return original(fh, path, record_id, limit)

    evidence._find = spy
    try:
        run_audit(config)
    finally:
        evidence._find = original
    assert local_server.not_modified == 2
    assert reads == [4, 4]  # each found where the history says it is, no full read of the WARC
