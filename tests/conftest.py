"""Shared fixtures: a real HTTP(S) server on 127.0.0.1 that tests script route by route.

Tests never touch the internet and never mock requests: they talk to :class:`LocalServer`,
a ``ThreadingHTTPServer`` on an ephemeral port. A route answers its n-th request with the n-th
:class:`Reply` given (the last one repeats), so flaky servers are one line::

    local_server.route("/flaky", Reply(500), Reply(500), Reply(200, b"<p>ok</p>"))
"""

from __future__ import annotations

import os
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# CI runs are reproducible: the same examples every time (set CI=true, as the CI runner does).
# Locally hypothesis explores new examples on every run.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")


@dataclass(frozen=True)
class Reply:
    """One scripted HTTP response.

    ``delay`` seconds pass before anything is sent (to trigger read timeouts);
    ``content_length=False`` sends the body without a Content-Length (delimited by closing the
    connection, as HTTP/1.0 allows); an explicit ``Content-Length`` in ``headers`` wins;
    ``etag`` makes the reply answer a matching ``If-None-Match`` with 304 Not Modified.
    """

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_length: bool = True
    etag: str | None = None  # sent as ETag; a request with a matching If-None-Match gets 304


def html(body: bytes | str, status: int = 200, charset: str | None = "utf-8", **kwargs: Any) -> Reply:
    """A ``text/html`` reply (UTF-8 unless told otherwise; ``charset=None`` sends no charset)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    ctype = f"text/html; charset={charset}" if charset else "text/html"
    headers = {"Content-Type": ctype, **kwargs.pop("headers", {})}
    return Reply(status=status, body=data, headers=headers, **kwargs)


def redirect(location: str, status: int = 302) -> Reply:
    """A redirect to ``location`` (a path on the same server or an absolute URL)."""
    return Reply(status=status, headers={"Location": location})


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class LocalServer:
    """A scripted HTTP(S) server on 127.0.0.1; see the module docstring."""

    def __init__(self, scheme: str = "http", context: ssl.SSLContext | None = None) -> None:
        self.scheme = scheme
        self.hits: Counter[str] = Counter()
        self.requests: list[Seen] = []
        self.in_flight: Counter[str] = Counter()  # requests being answered now, per path prefix ""
        self.max_in_flight = 0  # most requests answered at the same time
        self.not_modified = 0  # 304 answers sent
        self._routes: dict[str, tuple[Reply, ...]] = {}
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        if context is not None:
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> LocalServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def url(self, path: str = "/") -> str:
        """Absolute URL of ``path`` on this server."""
        return f"{self.scheme}://127.0.0.1:{self.port}{path}"

    def route(self, path: str, *replies: Reply) -> str:
        """Answer ``path`` with ``replies`` in turn (the last repeats); return its URL."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes[path] = replies
        return self.url(path)

    def _next(self, path: str, headers: dict[str, str]) -> Reply:
        with self._lock:
            n = self.hits[path]
            self.hits[path] += 1
            self.requests.append(Seen(path, headers, time.monotonic()))
            replies = self._routes.get(path)
        if replies is None:
            return Reply(404, b"no such route", {"Content-Type": "text/plain"})
        return replies[min(n, len(replies) - 1)]


def _handler_for(server: LocalServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.0: one request per connection, so a body without Content-Length ends at close.
        protocol_version = "HTTP/1.0"

        def do_GET(self) -> None:
            with server._lock:
                server.in_flight[""] += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight[""])
            try:
                self._answer()
            finally:
                with server._lock:
                    server.in_flight[""] -= 1

        def _answer(self) -> None:
            reply = server._next(self.path, dict(self.headers.items()))
            if reply.delay:
                time.sleep(reply.delay)
            if reply.etag is not None and self.headers.get("If-None-Match") == reply.etag:
                with server._lock:
                    server.not_modified += 1
                reply = Reply(status=304, headers={"ETag": reply.etag}, content_length=False)
            try:
                self.send_response(reply.status)
                headers = dict(reply.headers)
                if reply.etag is not None:
                    headers["ETag"] = reply.etag
                if reply.content_length and not any(k.lower() == "content-length" for k in headers):
                    headers["Content-Length"] = str(len(reply.body))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout, size cap): that is what the test wanted

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A fresh plain-HTTP :class:`LocalServer` for one test."""
    with LocalServer() as server:
        yield server


@pytest.fixture(scope="session")
def tls_ca() -> Any:
    """A throwaway certificate authority (``trustme.CA``) for HTTPS tests."""
    trustme = pytest.importorskip("trustme")
    return trustme.CA()


@pytest.fixture
def tls_server(tls_ca: Any, tmp_path: Path) -> Iterator[tuple[LocalServer, str]]:
    """An HTTPS :class:`LocalServer` with a cert for 127.0.0.1, and the path of its CA bundle."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls_ca.issue_cert("127.0.0.1").configure_cert(context)
    ca_pem = tmp_path / "ca.pem"
    tls_ca.cert_pem.write_to_path(str(ca_pem))
    with LocalServer("https", context) as server:
        yield server, str(ca_pem)


def write_audit_file(
    tmp_path: Path, sitemap_url: str, *, name: str = "test-audit", rate: float = 50, concurrency: int = 2
) -> Path:
    """An audit file for one partner whose pages are listed by *sitemap_url* (examples' canonical, rfi)."""
    canonical = Path(__file__).resolve().parent.parent / "examples" / "canonical"
    path = tmp_path / "audit.toml"
    path.write_text(
        f"""schema_version = 1
name = "{name}"
[canonical]
directory = "{canonical}"
[output]
reports = "reports"
[defaults]
profile = "rfi"
requests_per_second = {rate}
concurrency = {concurrency}
[[partners]]
name = "Courrier"
sitemaps = ["{sitemap_url}"]
""",
        encoding="utf-8",
    )
    return path
