"""`repcheck audit` end to end against a partner site served on 127.0.0.1."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from conftest import LocalServer, Reply, html, redirect, write_audit_file

from checker.cli import main
from checker.history import History
from checker.schemas import validate

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "examples" / "partners"


def _site(server: LocalServer, *, ad_fixed: bool = False) -> None:
    robots = "User-agent: *\nDisallow: /private/\n"
    server.route("/robots.txt", Reply(body=robots.encode(), headers={"Content-Type": "text/plain"}))
    u = server.url
    urls = ["/compliant.html", "/cut.html", "/ad.html", "/other.html", "/private/secret.html", "/gone.html"]
    sitemap = "".join(f"<url><loc>{u(x)}</loc></url>" for x in urls)
    server.route(
        "/sitemap.xml", Reply(body=f"<urlset>{sitemap}</urlset>".encode(), headers={"Content-Type": "application/xml"})
    )
    server.route("/compliant.html", html((PARTNERS / "compliant.html").read_bytes()))
    server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    ad = "compliant.html" if ad_fixed else "inserted-ad.html"
    server.route("/ad.html", html((PARTNERS / ad).read_bytes()))
    server.route("/other.html", html((PARTNERS / "not-the-article.html").read_bytes()))
    server.route("/private/secret.html", html((PARTNERS / "compliant.html").read_bytes()))
    server.route("/gone.html", Reply(status=404, body=b"gone", headers={"Content-Type": "text/html"}))


def _audit_file(tmp_path: Path, server: LocalServer) -> Path:
    return write_audit_file(tmp_path, server.url("/sitemap.xml"))


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), stdout=out, stderr=err, env={}), out.getvalue(), err.getvalue()


def test_audit_runs_records_and_compares(local_server: LocalServer, tmp_path: Path) -> None:
    _site(local_server)
    audit = _audit_file(tmp_path, local_server)
    code, out, err = _run("audit", str(audit))
    assert code == 1, out + err  # violations found
    assert "5 pages checked" in out and "1 pages carry no canonical article" in out, out
    assert local_server.hits["/private/secret.html"] == 0  # robots.txt honoured
    report = json.loads(next((tmp_path / "reports").glob("test-audit-run1.json")).read_text(encoding="utf-8"))
    verdicts = {Path(p["url"]).name: p["verdict"] for p in report["pages"]}
    assert verdicts["compliant.html"] == "compliant"
    assert verdicts["cut.html"] == verdicts["ad.html"] == "violation"
    assert verdicts["gone.html"] == "unverifiable"  # never compliant, never a stop
    secret = next(p for p in report["pages"] if p["url"].endswith("/secret.html"))
    assert secret["verdict"] == "unverifiable" and secret["reason"] == "robots-disallowed"
    validate(report, "audit-report", "run report")  # raises with the JSON path on any mismatch
    for page in report["pages"]:
        validate(page["report"], "report", page["url"])
    cut = next(p for p in report["pages"] if p["url"].endswith("/cut.html"))
    assert cut["warc_record_id"] and len(cut["sha256"]) == 64
    assert (tmp_path / "reports" / "warc" / "test-audit-run1.warc.gz").stat().st_size > 0

    # Second run over unchanged pages: every finding persists.
    code, out, err = _run("audit", str(audit), "--quiet")
    assert code == 1 and "0 new" in out and "0 resolved" in out, out
    # The partner removed its ad: those findings are resolved.
    _site(local_server, ad_fixed=True)
    code, _, err = _run("audit", str(audit), "--quiet")
    assert code == 1, err  # cut.html still violates
    with History.open(tmp_path / "reports" / "history.sqlite") as h:
        comparison = h.compare(3)
    assert comparison.resolved and all(f.url.endswith("/ad.html") for f in comparison.resolved)
    # the fixed page is the compliant one: only its informational typography note is new
    assert not [f for f in comparison.new if f.severity == "error"]


def test_second_concurrent_run_is_refused(local_server: LocalServer, tmp_path: Path) -> None:
    import fcntl

    _site(local_server)
    audit = _audit_file(tmp_path, local_server)
    (tmp_path / "reports").mkdir()
    with (tmp_path / "reports" / ".test-audit.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, _, err = _run("audit", str(audit))
    assert code == 2 and "in progress" in err


def test_kill_and_resume_gives_the_same_findings(local_server: LocalServer, tmp_path: Path) -> None:
    _site(local_server)
    # Slow pages so the audit can be killed half-way.
    for name in ("compliant.html", "cut.html", "ad.html"):
        body = (
            PARTNERS
            / {"compliant.html": "compliant.html", "cut.html": "cut-paragraph.html", "ad.html": "inserted-ad.html"}[
                name
            ]
        ).read_bytes()
        local_server.route(f"/{name}", Reply(body=body, headers={"Content-Type": "text/html"}, delay=0.6))
    audit = _audit_file(tmp_path, local_server)
    audit.write_text(audit.read_text(encoding="utf-8").replace("concurrency = 2", "concurrency = 1"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "audit", str(audit)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 20
    while local_server.hits["/ad.html"] + local_server.hits["/cut.html"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    code, out, err = _run("audit", str(audit), "--resume", "--quiet")
    assert code == 1, out + err
    with History.open(tmp_path / "reports" / "history.sqlite") as h:
        resumed = sorted((f.url, f.fingerprint) for f in h.compare(1).findings)
        pages_once = len(h.pages(1))
    # An uninterrupted run of the same site for comparison.
    code, out, err = _run("audit", str(audit), "--quiet")
    with History.open(tmp_path / "reports" / "history.sqlite") as h:
        clean = sorted((f.url, f.fingerprint) for f in h.compare(2).findings)
    assert resumed == clean
    assert pages_once == 5  # every page once: nothing lost, nothing counted twice


def test_canonical_articles_from_the_publisher_feed(local_server: LocalServer, tmp_path: Path) -> None:
    art = json.loads((ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json").read_text(encoding="utf-8"))
    body = "".join(f"<p>{p}</p>" for p in art["body"])
    publisher = (
        f'<html lang="fr"><body><article><h1>{art["title"]}</h1>'
        f"<figure><img src='/haftar.jpg'><figcaption>{art['images'][0]['caption']} "
        f"<span class='credit'>{art['images'][0]['credit']}</span></figcaption></figure>"
        f"<p class='intro'>{art['lead']}</p><p class='byline'>{art['byline']}</p>"
        f"<div class='body'>{body}</div></article></body></html>"
    )
    local_server.route("/robots.txt", Reply(status=404, body=b"", headers={"Content-Type": "text/plain"}))
    local_server.route("/rfi/haftar.html", html(publisher))
    feed = f"<rss><channel><item><link>{local_server.url('/rfi/haftar.html')}</link></item></channel></rss>"
    local_server.route("/rfi/feed.xml", Reply(body=feed.encode(), headers={"Content-Type": "application/rss+xml"}))
    local_server.route("/partner/a.html", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    path = tmp_path / "audit.toml"
    path.write_text(
        textwrap.dedent(f"""
        schema_version = 1
        name = "feed-audit"
        [canonical]
        feeds = ["{local_server.url("/rfi/feed.xml")}"]
        [output]
        reports = "reports"
        [[partners]]
        name = "P"
        profile = "rfi"
        requests_per_second = 50
        pages = ["{local_server.url("/partner/a.html")}"]
    """),
        encoding="utf-8",
    )
    code, out, err = _run("audit", str(path), "--quiet")
    assert code == 1 and "1 violation" in out, out + err
    assert len(list((tmp_path / ".repcheck-cache").glob("*.json"))) == 1  # extracted once, cached
    code, out, err = _run("audit", str(path), "--quiet")
    assert code == 1 and local_server.hits["/rfi/haftar.html"] == 1  # the cache served the second run


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_on_a_terminal_and_lines_otherwise(local_server: LocalServer, tmp_path: Path) -> None:
    from checker.audit import run_audit
    from checker.audit_config import load_audit_config

    _site(local_server)
    config = load_audit_config(_audit_file(tmp_path, local_server))
    tty = _Tty()
    run_audit(config, progress=tty)
    assert "audit" in tty.getvalue() and "6/6" in tty.getvalue()  # rich bar: pages done / total
    plain = io.StringIO()
    run_audit(config, progress=plain)
    lines = plain.getvalue().splitlines()
    assert len(lines) == 6 and lines[-1].startswith("[6/6] Courrier: ")


def test_failures_are_recorded_unverifiable_and_never_stop_the_run(local_server: LocalServer, tmp_path: Path) -> None:
    u = local_server.url
    local_server.route("/robots.txt", Reply(status=404, body=b"", headers={"Content-Type": "text/plain"}))
    local_server.route("/loop-a", Reply(status=302, headers={"Location": "/loop-b"}))
    local_server.route("/loop-b", Reply(status=302, headers={"Location": "/loop-a"}))
    local_server.route(
        "/busy",
        Reply(status=429, body=b"", headers={"Retry-After": "1", "Content-Type": "text/html"}),
        html((PARTNERS / "compliant.html").read_bytes()),
    )
    local_server.route("/error", Reply(status=500, body=b"oops", headers={"Content-Type": "text/html"}))
    local_server.route("/pdf", Reply(body=b"%PDF-1.7 ...", headers={"Content-Type": "application/pdf"}))
    local_server.route("/slow", html((PARTNERS / "compliant.html").read_bytes(), delay=3.0))
    local_server.route("/huge", html(b"<html><body>" + b"<p>x</p>" * 300_000 + b"</body></html>"))
    local_server.route("/latin1", html((PARTNERS / "compliant-cp1252.html").read_bytes(), charset="iso-8859-1"))
    local_server.route("/moved", redirect("/latin1", status=301))
    pages = ["/loop-a", "/busy", "/error", "/pdf", "/slow", "/huge", "/moved"]
    locs = "".join(f"<url><loc>{u(p)}</loc></url>" for p in pages)
    local_server.route(
        "/sitemap.xml", Reply(body=f"<urlset>{locs}</urlset>".encode(), headers={"Content-Type": "application/xml"})
    )
    audit = write_audit_file(tmp_path, u("/sitemap.xml"), rate=50, concurrency=4)
    text = audit.read_text(encoding="utf-8").replace(
        "concurrency = 4", "concurrency = 4\ntimeout = 1\nmax_bytes = 1000000"
    )
    audit.write_text(text, encoding="utf-8")
    code, out, err = _run("audit", str(audit), "--quiet")
    report = json.loads((tmp_path / "reports" / "test-audit-run1.json").read_text(encoding="utf-8"))
    by = {p["url"].rsplit("/", 1)[-1]: p for p in report["pages"]}
    assert by["busy"]["verdict"] == "compliant"  # waited for Retry-After, then succeeded
    assert by["moved"]["verdict"] == "compliant"  # Latin-1 page behind a 301
    assert by["moved"]["report"]["page"]["redirects"][0]["status"] == 301
    for name, reason in (
        ("loop-a", "fetch-failed"),
        ("error", "fetch-failed"),
        ("pdf", "not-html"),
        ("slow", "fetch-failed"),
        ("huge", "fetch-failed"),
    ):
        assert by[name]["verdict"] == "unverifiable" and by[name]["reason"] == reason, (name, by[name]["reason"])
    assert code == 0, out + err  # unverifiable pages are reported, not violations


def test_ctrl_c_stops_cleanly_and_leaves_a_resumable_run(local_server: LocalServer, tmp_path: Path) -> None:
    _site(local_server)
    for name, source in (("cut.html", "cut-paragraph.html"), ("ad.html", "inserted-ad.html")):
        body = (PARTNERS / source).read_bytes()
        local_server.route(f"/{name}", Reply(body=body, headers={"Content-Type": "text/html"}, delay=0.6))
    audit = _audit_file(tmp_path, local_server)
    audit.write_text(audit.read_text(encoding="utf-8").replace("concurrency = 2", "concurrency = 1"), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "checker", "audit", str(audit), "--quiet"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while local_server.hits["/ad.html"] + local_server.hits["/cut.html"] < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, out + err
    assert "interrupted; continue it with: repcheck audit" in err and "--resume" in err
    assert "Traceback" not in err
    with History.open(tmp_path / "reports" / "history.sqlite") as h:
        assert h.runs()[0]["status"] == "interrupted"
        done_before = len(h.done_urls(1))
    assert not list((tmp_path / "reports").glob("test-audit-run1.json"))  # no report for an unfinished run
    code, out, err = _run("audit", str(audit), "--resume", "--quiet")
    assert code == 1 and "run 1:" in out, out + err  # the same run, finished
    with History.open(tmp_path / "reports" / "history.sqlite") as h:
        assert h.runs()[0]["status"] == "finished" and len(h.pages(1)) == 5
    assert done_before < 6
