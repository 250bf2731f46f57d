"""The whole command over real HTTP on 127.0.0.1: page and canonical by URL, redirects recorded,
the canonical extracted from the publisher's own HTML page, and a Windows-1252 partner page."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import LocalServer, Reply, html, redirect

from checker import check
from checker.cli import main

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PARTNERS = ROOT / "examples" / "partners"


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err, env={})
    return code, out.getvalue(), err.getvalue()


def test_check_over_http_with_canonical_url(local_server: LocalServer) -> None:
    page = local_server.route("/old", redirect("/article"))
    local_server.route("/article", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    canonical = local_server.route(
        "/article.json", Reply(body=CANONICAL.read_bytes(), headers={"Content-Type": "application/json"})
    )
    code, out, err = _run("check", page, "--canonical", canonical, "--rules", "rfi", "--format", "json")
    report = json.loads(out)
    assert code == 1, err
    assert report["verdict"] == "violation"
    assert report["page"]["url"].endswith("/article")
    assert [r["status"] for r in report["page"]["redirects"]] == [302]
    assert report["page"]["status"] == 200
    assert any(f["kind"] == "text.cut" for f in report["findings"])
    # The server saw our User-Agent on the page request.
    seen = [r for r in local_server.requests if r.path == "/article"]
    assert seen and seen[0].headers.get("User-Agent", "").startswith("repcheck/")


def test_windows_1252_partner_page_over_http_is_compliant(local_server: LocalServer) -> None:
    raw = (PARTNERS / "compliant-cp1252.html").read_bytes()
    url = local_server.route("/cp1252", html(raw, charset=None))
    report = check(url, CANONICAL, "rfi")
    assert report.verdict.value == "compliant", [f.message for f in report.findings]
    assert report.page is not None and report.page.encoding in ("windows-1252", "cp1252")


def test_canonical_extracted_from_publisher_html(local_server: LocalServer) -> None:
    art = json.loads(CANONICAL.read_text(encoding="utf-8"))
    body = "".join(f"<p>{p}</p>" for p in art["body"])
    publisher = (
        f'<html lang="fr"><head><meta property="og:site_name" content="RFI"></head><body>'
        f"<nav><a href='/'>Accueil</a></nav><article><h1>{art['title']}</h1>"
        f"<figure><img src='/haftar.jpg'><figcaption>{art['images'][0]['caption']} "
        f"<span class='credit'>{art['images'][0]['credit']}</span></figcaption></figure>"
        f"<p class='intro'>{art['lead']}</p><p class='byline'>{art['byline']}</p>"
        f"<div class='body'>{body}</div></article><footer>© RFI</footer></body></html>"
    )
    canonical = local_server.route("/publisher.html", html(publisher))
    code, out, err = _run("check", str(PARTNERS / "compliant.html"), "--canonical", canonical, "--rules", "rfi")
    assert code == 0, out + err
    code, out, err = _run("check", str(PARTNERS / "cut-paragraph.html"), "--canonical", canonical, "--rules", "rfi")
    assert code == 1 and "text.cut" in out


def test_server_error_is_unverifiable(local_server: LocalServer) -> None:
    url = local_server.route("/down", Reply(status=503, body=b"busy", headers={"Content-Type": "text/html"}))
    report = check(url, CANONICAL, "rfi", fetch_options={"retries": 2, "backoff": 0.01})
    assert report.verdict.value == "unverifiable"
    assert report.reason == "fetch-failed"
    assert local_server.hits["/down"] == 2
