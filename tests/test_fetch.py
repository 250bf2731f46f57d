"""checker.fetch against a real local HTTP(S) server (see conftest.py): no internet, no mocks."""

from __future__ import annotations

import email.utils
import hashlib
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import LocalServer, Reply, html, redirect

from checker.errors import EmptyPageError, FetchError, NotHTMLError, UnverifiableError
from checker.fetch import decode_html, load_page
from checker.models import PageSnapshot, Redirect

PAGE = "<!doctype html><html><head><title>Test</title></head><body><p>Bonjour, le café est prêt.</p></body></html>"


def fast(page: str, **options: Any) -> PageSnapshot:
    """``load_page`` with test-sized waits: a tiny backoff and short timeouts, unless told otherwise."""
    options.setdefault("backoff", 0.01)
    options.setdefault("timeout", (2.0, 2.0))
    return load_page(page, **options)


# --- HTTP -------------------------------------------------------------------------------------


def test_200_page_snapshot(local_server: LocalServer) -> None:
    body = PAGE.encode("utf-8")
    url = local_server.route("/article", html(body))
    snap = fast(url)
    assert snap.status == 200
    assert snap.url == url
    assert snap.source == url
    assert snap.sha256 == hashlib.sha256(body).hexdigest()
    assert snap.size == len(body)
    assert snap.raw == body
    assert snap.content_type == "text/html; charset=utf-8"
    assert (snap.encoding, snap.encoding_source) == ("utf-8", "http")
    assert "le café est prêt" in snap.text
    assert snap.redirects == ()
    assert snap.fetched_at.endswith("+00:00") and "T" in snap.fetched_at
    assert snap.elapsed >= 0
    assert snap.to_dict()["sha256"] == snap.sha256


def test_sends_user_agent_and_accept(local_server: LocalServer) -> None:
    url = local_server.route("/ua", html(PAGE))
    fast(url, user_agent="repcheck-test/9.9 (+https://example.invalid)")
    (seen,) = local_server.requests
    assert seen.headers["User-Agent"] == "repcheck-test/9.9 (+https://example.invalid)"
    assert seen.headers["Accept"].startswith("text/html")


def test_uses_given_session(local_server: LocalServer) -> None:
    url = local_server.route("/s", html(PAGE))
    with requests.Session() as session:
        snap = fast(url, session=session)
    assert snap.status == 200


def test_redirect_chain_is_recorded_in_order(local_server: LocalServer) -> None:
    start = local_server.route("/a", redirect("/b", 301))
    local_server.route("/b", redirect(local_server.url("/c"), 302))
    final = local_server.route("/c", html(PAGE))
    snap = fast(start)
    assert snap.redirects == (Redirect(start, 301), Redirect(local_server.url("/b"), 302))
    assert snap.url == final
    assert snap.source == start
    assert snap.status == 200


def test_redirect_loop_is_a_fetch_error(local_server: LocalServer) -> None:
    url = local_server.route("/loop1", redirect("/loop2"))
    local_server.route("/loop2", redirect("/loop1"))
    with pytest.raises(FetchError, match="redirect loop"):
        fast(url)
    assert local_server.hits["/loop1"] == 1


def test_redirect_to_itself_setting_a_cookie_is_not_a_loop(local_server: LocalServer) -> None:
    consent = Reply(302, headers={"Location": "/consent", "Set-Cookie": "consent=yes; Path=/"})
    url = local_server.route("/consent", consent, html(PAGE))
    snap = fast(url)
    assert snap.redirects == (Redirect(url, 302),)
    assert local_server.requests[1].headers.get("Cookie") == "consent=yes"


def test_too_many_redirects(local_server: LocalServer) -> None:
    for i in range(15):
        local_server.route(f"/r{i}", redirect(f"/r{i + 1}"))
    with pytest.raises(FetchError, match="too many redirects"):
        fast(local_server.url("/r0"))


def test_404_is_final(local_server: LocalServer) -> None:
    url = local_server.route("/gone", html("<p>not here</p>", status=404))
    with pytest.raises(FetchError, match="HTTP 404 Not Found") as info:
        fast(url)
    assert url in str(info.value)
    assert local_server.hits["/gone"] == 1  # 404 is not retried


def test_500_twice_then_200_succeeds(local_server: LocalServer) -> None:
    url = local_server.route("/flaky", Reply(500), Reply(500), html(PAGE))
    snap = fast(url, retries=3)
    assert snap.status == 200
    assert local_server.hits["/flaky"] == 3


def test_503_always_gives_up_after_retries(local_server: LocalServer) -> None:
    url = local_server.route("/down", Reply(503))
    with pytest.raises(FetchError, match="HTTP 503") as info:
        fast(url, retries=4)
    assert local_server.hits["/down"] == 4
    assert "4 attempts" in str(info.value)


def test_429_honours_retry_after(local_server: LocalServer) -> None:
    url = local_server.route("/busy", Reply(429, headers={"Retry-After": "1"}), html(PAGE))
    started = time.monotonic()
    snap = fast(url)
    assert snap.status == 200
    first, second = local_server.requests
    assert second.at - first.at >= 0.95
    assert time.monotonic() - started >= 0.95


def test_retry_after_too_long_gives_up(local_server: LocalServer) -> None:
    url = local_server.route("/later", Reply(503, headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="retry after 3600 s"):
        fast(url)
    assert local_server.hits["/later"] == 1


def test_retry_after_http_date(local_server: LocalServer) -> None:
    past = email.utils.formatdate(time.time() - 60, usegmt=True)  # already due: retry at once
    url = local_server.route("/date", Reply(503, headers={"Retry-After": past}), html(PAGE))
    assert fast(url).status == 200
    future = email.utils.formatdate(time.time() + 86400, usegmt=True)
    url = local_server.route("/tomorrow", Reply(503, headers={"Retry-After": future}))
    with pytest.raises(FetchError, match="retry after"):
        fast(url)


def test_slow_page_times_out(local_server: LocalServer) -> None:
    url = local_server.route("/slow", Reply(200, PAGE.encode(), {"Content-Type": "text/html"}, delay=1.5))
    with pytest.raises(FetchError, match="timeout"):
        load_page(url, timeout=(1.0, 0.3), retries=2, backoff=0.01)
    assert local_server.hits["/slow"] == 2  # timeouts are retried


def test_connection_refused(local_server: LocalServer) -> None:
    url = local_server.url("/")
    local_server.__exit__(None, None, None)  # nothing listens on the port any more
    with pytest.raises(FetchError, match="refused") as info:
        fast(url, retries=2)
    assert "\n" not in str(info.value)


def test_truncated_body_is_retried_then_fails(local_server: LocalServer) -> None:
    url = local_server.route("/cut", html(b"<p>the connection drops", headers={"Content-Length": "5000"}))
    with pytest.raises(FetchError, match="network error") as info:
        fast(url, retries=2)
    assert local_server.hits["/cut"] == 2
    assert "\n" not in str(info.value)


def test_size_cap_with_content_length(local_server: LocalServer) -> None:
    url = local_server.route("/big", html(b"<p>" + b"x" * 5000 + b"</p>"))
    with pytest.raises(FetchError, match="size cap") as info:
        fast(url, max_bytes=1000)
    assert "Content-Length" in str(info.value)


def test_size_cap_without_content_length(local_server: LocalServer) -> None:
    url = local_server.route("/stream", html(b"<p>" + b"x" * 300_000 + b"</p>", content_length=False))
    with pytest.raises(FetchError, match="size cap") as info:
        fast(url, max_bytes=100_000)
    assert "Content-Length" not in str(info.value)


def test_pdf_content_type_is_not_html(local_server: LocalServer) -> None:
    url = local_server.route("/doc", Reply(200, b"%PDF-1.7\n...", {"Content-Type": "application/pdf"}))
    with pytest.raises(NotHTMLError, match="application/pdf"):
        fast(url)


@pytest.mark.parametrize("ctype", ["application/json", "text/plain; charset=utf-8", "image/png"])
def test_other_content_types_are_not_html(local_server: LocalServer, ctype: str) -> None:
    url = local_server.route("/x", Reply(200, b"{}", {"Content-Type": ctype}))
    with pytest.raises(NotHTMLError, match=ctype.split(";")[0]):
        fast(url)


def test_xhtml_content_type_is_html(local_server: LocalServer) -> None:
    url = local_server.route("/x", Reply(200, PAGE.encode(), {"Content-Type": "application/xhtml+xml"}))
    assert fast(url).content_type == "application/xhtml+xml"


def test_binary_body_labelled_html_is_sniffed(local_server: LocalServer) -> None:
    url = local_server.route("/png", html(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))
    with pytest.raises(NotHTMLError, match="PNG"):
        fast(url)


def test_empty_body(local_server: LocalServer) -> None:
    url = local_server.route("/empty", html(b""))
    with pytest.raises(EmptyPageError):
        fast(url)


# --- HTTPS ------------------------------------------------------------------------------------


def test_https_with_trusted_ca(tls_server: tuple[LocalServer, str]) -> None:
    server, ca_pem = tls_server
    url = server.route("/secure", html(PAGE))
    snap = fast(url, verify=ca_pem)
    assert snap.status == 200
    assert snap.url.startswith("https://127.0.0.1:")


def test_https_untrusted_certificate(tls_server: tuple[LocalServer, str]) -> None:
    server, _ = tls_server
    url = server.route("/secure", html(PAGE))
    with pytest.raises(FetchError, match=r"(?i)certificate|ssl") as info:
        fast(url, verify=True)
    assert "\n" not in str(info.value)


# --- encodings over HTTP ----------------------------------------------------------------------


def test_latin1_declared_in_http_header_decodes_as_windows_1252(local_server: LocalServer) -> None:
    body = "<p>Le café de l’été</p>".encode("cp1252")
    assert b"\x92" in body and b"\xe9" in body
    url = local_server.route("/latin1", html(body, charset="iso-8859-1"))
    snap = fast(url)
    assert "Le café de l’été" in snap.text
    assert (snap.encoding, snap.encoding_source) == ("windows-1252", "http")


def test_windows_1252_declared_only_in_meta(local_server: LocalServer) -> None:
    body = '<html><head><meta charset="windows-1252"></head><body><p>Déjà l’œuvre — 5 €</p></body></html>'
    url = local_server.route("/meta", html(body.encode("cp1252"), charset=None))
    snap = fast(url)
    assert "Déjà l’œuvre — 5 €" in snap.text
    assert (snap.encoding, snap.encoding_source) == ("windows-1252", "meta")


def test_utf8_bom(local_server: LocalServer) -> None:
    url = local_server.route("/bom", html(b"\xef\xbb\xbf" + PAGE.encode("utf-8"), charset=None))
    snap = fast(url)
    assert snap.text.startswith("<!doctype html>")
    assert (snap.encoding, snap.encoding_source) == ("utf-8", "bom")


def test_gb2312_declared_but_utf8_shipped(local_server: LocalServer) -> None:
    body = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
    body += "<body><p>L’été dernier, à Paris, les élèves ont créé une œuvre.</p></body></html>"
    url = local_server.route("/gb", html(body.encode("utf-8"), charset=None))
    snap = fast(url)
    assert "L’été dernier, à Paris, les élèves ont créé une œuvre." in snap.text
    assert (snap.encoding, snap.encoding_source) == ("utf-8", "utf-8")


def test_undeclared_latin1_does_not_fail(local_server: LocalServer) -> None:
    body = "<p>Le gouvernement a annoncé mercredi une série de mesures destinées à réduire la facture.</p>"
    url = local_server.route("/undeclared", html(body.encode("latin-1"), charset=None))
    snap = fast(url)
    assert snap.encoding_source in ("detected", "fallback")
    assert "Le gouvernement a annonc" in snap.text


# --- local input --------------------------------------------------------------------------------


def test_file_path(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(PAGE.encode("utf-8"))
    for page in (path, str(path)):
        snap = load_page(page)
        assert snap.status is None
        assert snap.content_type is None
        assert snap.url == path.resolve().as_uri()
        assert snap.source == str(path)
        assert snap.sha256 == hashlib.sha256(PAGE.encode("utf-8")).hexdigest()
        assert "le café est prêt" in snap.text


def test_file_url(tmp_path: Path) -> None:
    path = tmp_path / "un été.html"
    path.write_bytes(PAGE.encode("utf-8"))
    uri = path.resolve().as_uri()
    snap = load_page(uri)
    assert snap.url == uri
    assert snap.source == uri
    assert "le café est prêt" in snap.text


def test_bytes_input() -> None:
    raw = PAGE.encode("utf-8")
    snap = load_page(raw)
    assert (snap.source, snap.url, snap.status) == ("<bytes>", "<bytes>", None)
    assert snap.raw == raw and snap.size == len(raw)
    assert "le café est prêt" in snap.text


def test_str_input() -> None:
    snap = load_page("\ufeff  \n" + PAGE)
    assert snap.source == "<string>"
    assert snap.status is None
    assert snap.sha256 == hashlib.sha256(("\ufeff  \n" + PAGE).encode("utf-8")).hexdigest()
    assert snap.encoding == "utf-8"
    assert snap.text.startswith("  \n<!doctype")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    with pytest.raises(FetchError, match="No such file") as info:
        load_page(missing)
    assert str(missing) in str(info.value)


def test_directory_is_a_fetch_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=str(tmp_path)):
        load_page(tmp_path)


@pytest.mark.parametrize("page", ["ftp://example.com/a.html", "data:text/html,<p>hi</p>", "mailto:a@b.c"])
def test_unsupported_scheme(page: str) -> None:
    scheme = page.split(":")[0]
    with pytest.raises(FetchError, match=f"unsupported URL scheme '{scheme}'"):
        load_page(page)


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        (b"", EmptyPageError),
        (b"  \r\n\t ", EmptyPageError),
        (b"%PDF-1.4\n%\xe2\xe3", NotHTMLError),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", NotHTMLError),
        (b"GIF89a\x01\x00", NotHTMLError),
        (b"PK\x03\x04\x14\x00", NotHTMLError),
        (b"<html>\x00\x01\x02</html>", NotHTMLError),
    ],
)
def test_bytes_that_are_not_a_page(raw: bytes, error: type[UnverifiableError]) -> None:
    with pytest.raises(error):
        load_page(raw)


def test_binary_file_is_not_html(tmp_path: Path) -> None:
    path = tmp_path / "scan.html"
    path.write_bytes(b"%PDF-1.5\n" + bytes(range(256)))
    with pytest.raises(NotHTMLError, match="PDF"):
        load_page(path)


def test_file_over_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.html"
    path.write_bytes(b"<p>" + b"x" * 2000 + b"</p>")
    with pytest.raises(FetchError, match="size cap"):
        load_page(path, max_bytes=1000)


# --- decode_html --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "http_charset", "expected"),
    [
        (b"\xef\xbb\xbf<p>\xc3\xa9</p>", "iso-8859-1", ("<p>é</p>", "utf-8", "bom")),
        ("\ufeff<p>é</p>".encode("utf-16-le"), None, ("<p>é</p>", "utf-16-le", "bom")),
        ("\ufeff<p>é</p>".encode("utf-16-be"), None, ("<p>é</p>", "utf-16-be", "bom")),
        (b"<p>caf\xe9</p>", "latin1", ("<p>café</p>", "windows-1252", "http")),
        (b"<p>\x93ok\x94</p>", "us-ascii", ("<p>“ok”</p>", "windows-1252", "http")),
        (b"<p>\x81</p>", "windows-1252", ("<p>\x81</p>", "windows-1252", "http")),  # WHATWG maps 0x81 to U+0081
        (b"<p>caf\xc3\xa9</p>", "no-such-charset", ("<p>café</p>", "utf-8", "utf-8")),
        (b"<p>caf\xc3\xa9</p>", "base64", ("<p>café</p>", "utf-8", "utf-8")),
        (b"<p>+AGEAYgBj-</p>", "utf-7", ("<p>+AGEAYgBj-</p>", "utf-8", "utf-8")),
        (b"<p>plain</p>", None, ("<p>plain</p>", "utf-8", "utf-8")),
        ("<p>中文</p>".encode("gbk"), "gb2312", ("<p>中文</p>", "gb18030", "http")),
    ],
)
def test_decode_html(raw: bytes, http_charset: str | None, expected: tuple[str, str, str]) -> None:
    assert decode_html(raw, http_charset) == expected


def test_http_charset_beats_meta() -> None:
    raw = '<meta charset="utf-8"><p>café</p>'.encode("cp1252")
    assert decode_html(raw, "windows-1252")[1:] == ("windows-1252", "http")
    assert decode_html(raw)[2] in ("detected", "fallback")  # the meta lies and is skipped


def test_meta_http_equiv() -> None:
    raw = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>5 €</p>'.encode("iso8859-15")
    text, encoding, how = decode_html(raw)
    assert "5 €" in text
    assert (encoding, how) == ("iso8859-15", "meta")


def test_meta_declaring_utf16_means_utf8() -> None:
    assert decode_html('<meta charset="utf-16"><p>é</p>'.encode())[1:] == ("utf-8", "meta")


def test_meta_after_4kib_is_ignored() -> None:
    raw = b"<!--" + b"x" * 5000 + b'--><meta charset="windows-1252"><p>caf\xc3\xa9</p>'
    assert decode_html(raw)[1:] == ("utf-8", "utf-8")


def test_undeclared_windows_1252_prefers_windows_1252() -> None:
    text = "<p>Le gouvernement a annoncé mercredi une série de mesures destinées à réduire la facture énergétique.</p>"
    decoded, encoding, how = decode_html(text.encode("cp1252"))
    assert (decoded, encoding, how) == (text, "windows-1252", "detected")
