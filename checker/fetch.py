"""Fetch a partner page and keep it as evidence: raw bytes, SHA-256, headers, decoded text.

:func:`load_page` accepts what a user may name a page with (an http(s) URL, a ``file://`` URL, a
path, raw ``bytes`` or an HTML ``str``) and returns a :class:`~checker.models.PageSnapshot`.
Network access is polite (scrapy's defaults): it names the tool in the User-Agent, always passes
a timeout, retries only transient statuses with exponential backoff and ``Retry-After``, follows
at most :data:`~checker.settings.MAX_REDIRECTS` redirects and caps the body size.

Every failure is a subclass of :class:`~checker.errors.UnverifiableError` with a one-line
message: a page we cannot read is never judged, never "compliant".

:func:`decode_html` turns the bytes into text the way a browser would, with two deliberate
departures for pages that lie about their encoding (see its docstring).
"""

from __future__ import annotations

import codecs
import email.utils
import hashlib
import logging
import os
import re
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import charset_normalizer
import requests
import urllib3.exceptions
from bs4.dammit import EncodingDetector

from checker import settings
from checker.errors import EmptyPageError, FetchError, NotHTMLError, NotModifiedError
from checker.models import PageSnapshot, Redirect

__all__ = ["decode_html", "load_page"]

log = logging.getLogger(__name__)

#: Sent with every request: we want HTML, and say so, but accept anything so that a wrong
#: type is reported by us (NotHTMLError) rather than turned into a 406 by the server.
ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"
#: Media types we judge; anything else declared by the server is not an HTML page.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Bytes read per chunk while streaming a body.
CHUNK_SIZE = 64 * 1024
#: How far into a document a ``<meta charset>`` may be; the HTML standard's prescan reads 1024
#: bytes, we allow more because real pages put long comments and scripts before it.
META_SCAN_BYTES = 4096
#: How far into a document NUL bytes mean "binary".
SNIFF_BYTES = 1024

#: Magic numbers of the binary formats most often served in place of an article.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"PK\x05\x06", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed data"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels resolved as the WHATWG Encoding Standard says browsers do ("Names and labels",
# https://encoding.spec.whatwg.org/#names-and-labels), where Python's codec of the same name differs:
# - iso-8859-1, latin1, ascii, us-ascii ... are windows-1252, so "iso-8859-1" pages with curly quotes
#   (0x92) or euros (0x80) read as their authors saw them ("latin-1" is Python's alias, same thing);
# - gb2312 and gbk are decoded by the gb18030 decoder (gb2312 pages routinely contain GBK characters);
# - euc-kr is really windows-949, shift_jis is windows-31j, big5 includes HKSCS, iso-8859-9 is
#   windows-1254, tis-620 is windows-874; "utf-16" without a BOM is little-endian.
_WHATWG_LABELS: dict[str, str] = {
    label: codec
    for codec, labels in (
        ("windows-1252", "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 iso8859-1"),
        ("windows-1252", "iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 latin-1 us-ascii windows-1252 x-cp1252"),
        ("gb18030", "gb2312 gbk chinese csgb2312 csiso58gb231280 gb_2312 gb_2312-80 iso-ir-58 x-gbk gb18030"),
        ("cp949", "euc-kr cseuckr csksc56011987 iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 ksc5601"),
        ("cp949", "ksc_5601 windows-949"),
        ("cp932", "shift_jis csshiftjis ms932 ms_kanji sjis windows-31j x-sjis"),
        ("big5hkscs", "big5 big5-hkscs cn-big5 csbig5 x-x-big5"),
        ("cp1254", "iso-8859-9 iso8859-9 iso88599 iso_8859-9 latin5 l5"),
        ("cp874", "tis-620 iso-8859-11 iso8859-11 iso885911 dos-874"),
        ("utf-16-le", "utf-16 utf-16le"),
        ("utf-16-be", "utf-16be"),
    )
    for label in labels.split()
}
# Python codecs that are not web encodings: utf-7 is excluded by the WHATWG standard (it was an
# XSS vector); the others are Python transfer or escape codecs that a hostile page could name.
_REFUSED_CODECS = frozenset({"utf-7", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "undefined"})


def _windows_1252_table() -> str:
    # Python's cp1252 leaves 0x81, 0x8D, 0x8F, 0x90 and 0x9D undefined; the WHATWG index maps
    # them to the C1 controls of the same value, so windows-1252 decodes every byte string.
    table = bytes(range(256)).decode("cp1252", errors="replace")
    return "".join(chr(i) if ch == "\ufffd" else ch for i, ch in enumerate(table))


_WINDOWS_1252 = _windows_1252_table()


# --- public API --------------------------------------------------------------------------------


def load_page(
    page: str | bytes | os.PathLike[str],
    *,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = settings.TIMEOUT,
    retries: int = settings.RETRIES,
    max_bytes: int = settings.MAX_BYTES,
    user_agent: str = settings.USER_AGENT,
    verify: bool | str = True,
    backoff: float = settings.BACKOFF,
    media_types: frozenset[str] | None = None,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
) -> PageSnapshot:
    """Read a partner page from wherever the user named it and return it as evidence.

    ``page`` is an ``http(s)://`` URL, a ``file://`` URL, a local path, raw HTML ``bytes``, or a
    ``str`` of HTML (recognised by its first non-blank character being ``<``). ``timeout`` is
    (connect, read) in seconds; ``retries`` is the number of attempts per request, counting the
    first (each redirect hop has its own); ``verify`` is passed to requests (``True``, ``False``
    or a CA bundle path). ``max_bytes`` caps files and in-memory input as well as HTTP bodies.
    ``media_types`` widens the Content-Types accepted over HTTP (canonical JSON articles).
    ``if_none_match`` / ``if_modified_since`` make the request conditional (the ``ETag`` and
    ``Last-Modified`` of an earlier fetch); a 304 answer raises :class:`NotModifiedError`.

    Raises :class:`~checker.errors.FetchError` when the page cannot be read,
    :class:`~checker.errors.NotHTMLError` when it is not HTML and
    :class:`~checker.errors.EmptyPageError` when it is empty; all with a one-line message.
    """
    started = time.monotonic()
    fetched_at = _now()
    if isinstance(page, bytes):
        return _snapshot(
            page, source="<bytes>", url="<bytes>", fetched_at=fetched_at, started=started, max_bytes=max_bytes
        )
    if isinstance(page, os.PathLike):
        source = os.fspath(page)
        return _load_file(Path(source), source=source, fetched_at=fetched_at, started=started, max_bytes=max_bytes)
    if not isinstance(page, str):  # callers without type checking pass ints, None, ...
        raise FetchError(f"cannot read a page from a {type(page).__name__}")

    head = page.lstrip().lstrip("\ufeff").lstrip()
    if not head:
        raise EmptyPageError("the page given as a string is empty")
    if head.startswith("<"):
        return _load_string(page, fetched_at=fetched_at, started=started, max_bytes=max_bytes)

    try:
        parts = urlsplit(page.strip())
    except ValueError as exc:  # "http://[::1" and other unparsable URLs
        raise FetchError(f"invalid URL {_oneline(page)[:200]!r}: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        if not parts.netloc:
            raise FetchError(f"invalid URL {_oneline(page)!r}: no host")
        opts = _Options(
            timeout=timeout,
            retries=max(1, retries),
            max_bytes=max_bytes,
            headers=_headers(user_agent, if_none_match, if_modified_since),
            verify=verify,
            backoff=backoff,
            media_types=HTML_TYPES | (media_types or frozenset()),
        )
        if session is not None:
            return _load_url(page.strip(), session, opts, fetched_at=fetched_at, started=started)
        with requests.Session() as own:
            return _load_url(page.strip(), own, opts, fetched_at=fetched_at, started=started)
    if scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise FetchError(f"cannot read {_oneline(page)!r}: file URLs on another host are not supported")
        path = Path(url2pathname(parts.path))
        return _load_file(path, source=page, fetched_at=fetched_at, started=started, max_bytes=max_bytes)
    # A one-letter scheme is a Windows drive ("C:\\pages\\a.html"), not a URL.
    if len(scheme) > 1:
        raise FetchError(f"unsupported URL scheme {scheme!r} in {_oneline(page)[:200]!r}: use http, https or file")
    return _load_file(Path(page), source=page, fetched_at=fetched_at, started=started, max_bytes=max_bytes)


def _headers(user_agent: str, etag: str | None, last_modified: str | None) -> dict[str, str]:
    headers = {"User-Agent": user_agent, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def decode_html(raw: bytes, http_charset: str | None = None) -> tuple[str, str, str]:
    """Decode an HTML document; return ``(text, encoding, encoding_source)``.

    The encoding is the first that applies of: a byte order mark ("bom"); the HTTP ``charset``
    parameter ("http"); a ``<meta charset>`` or ``<meta http-equiv=content-type>`` in the first
    4 KiB ("meta"); strict UTF-8 ("utf-8"); charset_normalizer's detection ("detected");
    windows-1252 with replacement characters ("fallback"). Labels are resolved as the WHATWG
    Encoding Standard says browsers do (``iso-8859-1`` is windows-1252, ``gb2312`` is GBK ...).

    Unlike a browser, a declared encoding is skipped when it does not decode the bytes strictly,
    or when the bytes contain non-ASCII and are valid UTF-8: real pages declare gb2312 or
    iso-8859-1 (an old server default) and ship UTF-8, and gbk or windows-1252 decode such bytes
    without error into mojibake, while legacy-encoded text is almost never valid UTF-8 by chance.
    An unknown label is skipped rather than an error. A leading BOM is removed.
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            # A BOM wins over every declaration (HTML standard, "encoding sniffing algorithm").
            return _decode(raw[len(bom) :], codec, "replace"), codec, "bom"

    utf8 = _utf8_or_none(raw)
    declared = (("http", _codec_for(http_charset)), ("meta", _meta_codec(raw)))
    for how, label in declared:
        if label is None:
            continue
        if utf8 is not None and label != "utf-8" and not raw.isascii():
            log.debug("declared %s encoding %s ignored: the page is valid UTF-8", how, label)
            continue
        try:
            return _strip_bom(_decode(raw, label, "strict")), label, how
        except UnicodeDecodeError:
            log.debug("declared %s encoding %s does not decode the page; ignored", how, label)

    if utf8 is not None:
        return _strip_bom(utf8), "utf-8", "utf-8"

    detected = _detect(raw)
    if detected is not None:
        return _strip_bom(_decode(raw, detected, "replace")), detected, "detected"
    return _strip_bom(_decode(raw, "windows-1252", "replace")), "windows-1252", "fallback"


# --- sources ------------------------------------------------------------------------------------


def _load_string(page: str, *, fetched_at: str, started: float, max_bytes: int) -> PageSnapshot:
    # Lone surrogates (from a bad decode upstream) cannot be encoded: keep them visible as U+FFFD.
    raw = page.encode("utf-8", errors="replace")
    if len(raw) > max_bytes:
        raise FetchError(f"the page given as a string is {len(raw)} bytes, over the size cap of {max_bytes} bytes")
    _sniff(raw, "the page given as a string", None)
    # The text is already decoded: re-decoding its UTF-8 form could obey a stale <meta charset>.
    text = _strip_bom(page)
    if not text.strip():
        raise EmptyPageError("the page given as a string is empty")
    return _make(
        source="<string>",
        url="<string>",
        raw=raw,
        text=text,
        encoding="utf-8",
        encoding_source="utf-8",
        status=None,
        content_type=None,
        fetched_at=fetched_at,
        started=started,
    )


def _load_file(path: Path, *, source: str, fetched_at: str, started: float, max_bytes: int) -> PageSnapshot:
    try:
        with path.open("rb") as fh:
            raw = fh.read(max_bytes + 1)
        url = path.resolve().as_uri()
    except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise FetchError(f"cannot read page file {_oneline(str(path))!r}: {reason}") from exc
    if len(raw) > max_bytes:
        raise FetchError(f"page file {_oneline(str(path))!r} is over the size cap of {max_bytes} bytes")
    return _snapshot(raw, source=source, url=url, fetched_at=fetched_at, started=started, max_bytes=max_bytes)


def _snapshot(
    raw: bytes,
    *,
    source: str,
    url: str,
    fetched_at: str,
    started: float,
    max_bytes: int,
    status: int | None = None,
    content_type: str | None = None,
    redirects: tuple[Redirect, ...] = (),
    etag: str | None = None,
    last_modified: str | None = None,
) -> PageSnapshot:
    where = "the page given as bytes" if url == "<bytes>" else _oneline(url)
    if len(raw) > max_bytes:
        raise FetchError(f"{where} is {len(raw)} bytes, over the size cap of {max_bytes} bytes")
    http_charset = _content_type_parts(content_type)[1]
    _sniff(raw, where, http_charset)
    text, encoding, how = decode_html(raw, http_charset)
    if not text.strip():
        raise EmptyPageError(f"{where} has no content (only whitespace)")
    return _make(
        source=source,
        url=url,
        raw=raw,
        text=text,
        encoding=encoding,
        encoding_source=how,
        status=status,
        content_type=content_type,
        fetched_at=fetched_at,
        started=started,
        redirects=redirects,
        etag=etag,
        last_modified=last_modified,
    )


def _make(
    *,
    source: str,
    url: str,
    raw: bytes,
    text: str,
    encoding: str,
    encoding_source: str,
    status: int | None,
    content_type: str | None,
    fetched_at: str,
    started: float,
    redirects: tuple[Redirect, ...] = (),
    etag: str | None = None,
    last_modified: str | None = None,
) -> PageSnapshot:
    return PageSnapshot(
        source=source,
        url=url,
        status=status,
        fetched_at=fetched_at,
        content_type=content_type,
        encoding=encoding,
        encoding_source=encoding_source,
        sha256=hashlib.sha256(raw).hexdigest(),
        size=len(raw),
        raw=raw,
        text=text,
        redirects=redirects,
        elapsed=time.monotonic() - started,
        etag=etag,
        last_modified=last_modified,
    )


def _sniff(raw: bytes, where: str, http_charset: str | None) -> None:
    """Refuse empty and clearly binary content, whatever its label says."""
    if not raw.strip():
        raise EmptyPageError(f"{where} is empty ({len(raw)} bytes)")
    for magic, name in _MAGIC:
        if raw.startswith(magic):
            raise NotHTMLError(f"{where} is {name}, not an HTML page")
    # UTF-16 HTML is full of NULs; only its BOM or an HTTP charset can announce it.
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (
        (_codec_for(http_charset) or "").startswith(("utf-16", "utf-32"))
    )
    if not utf16 and b"\x00" in raw[:SNIFF_BYTES]:
        raise NotHTMLError(f"{where} is binary data (NUL bytes in its first {SNIFF_BYTES} bytes), not an HTML page")


# --- HTTP ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Options:
    timeout: tuple[float, float]
    retries: int
    max_bytes: int
    headers: dict[str, str]
    verify: bool | str
    backoff: float
    media_types: frozenset[str] = HTML_TYPES


@dataclass(frozen=True, slots=True)
class _Reply:
    """One HTTP response: a redirect (``location`` set) or the final page (``body`` set)."""

    url: str
    status: int
    content_type: str | None = None
    location: str | None = None
    body: bytes = b""
    set_cookie: bool = False
    etag: str | None = None
    last_modified: str | None = None


class _Transient(Exception):
    """A failure worth another attempt (internal; always turned into a FetchError)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def _load_url(url: str, session: requests.Session, opts: _Options, *, fetched_at: str, started: float) -> PageSnapshot:
    reply, redirects = _follow(session, url, opts)
    return _snapshot(
        reply.body,
        source=url,
        url=reply.url,
        fetched_at=fetched_at,
        started=started,
        max_bytes=opts.max_bytes,
        status=reply.status,
        content_type=reply.content_type,
        redirects=redirects,
        etag=reply.etag,
        last_modified=reply.last_modified,
    )


def _follow(session: requests.Session, url: str, opts: _Options) -> tuple[_Reply, tuple[Redirect, ...]]:
    # Redirects are followed here rather than by requests so that every hop gets its own retries,
    # a loop is named as such, and a caller's session is never mutated (max_redirects).
    hops: list[Redirect] = []
    current = url
    while True:
        reply = _send_with_retries(session, current, opts)
        if reply.location is None:
            return reply, tuple(hops)
        hops.append(Redirect(reply.url, reply.status))
        target = reply.location
        visited = [hop.url for hop in hops]
        # A redirect to an earlier URL that sets a cookie is a consent or session handshake, not a loop.
        if target in visited and not reply.set_cookie:
            chain = " -> ".join([*visited[visited.index(target) :], target])
            raise FetchError(f"redirect loop: {_oneline(chain)}")
        if len(hops) > settings.MAX_REDIRECTS:
            raise FetchError(f"too many redirects (more than {settings.MAX_REDIRECTS}) from {_oneline(url)}")
        scheme = urlsplit(target).scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(f"{_oneline(reply.url)} redirects to unsupported URL {_oneline(target)[:200]}")
        log.debug("HTTP %d redirect %s -> %s", reply.status, reply.url, target)
        current = target


def _send_with_retries(session: requests.Session, url: str, opts: _Options) -> _Reply:
    for attempt in range(1, opts.retries + 1):
        try:
            return _send_once(session, url, opts)
        except _Transient as exc:
            if attempt == opts.retries:
                plural = "s" if attempt > 1 else ""
                raise FetchError(f"{exc.message}; gave up after {attempt} attempt{plural}") from exc
            wait = exc.retry_after if exc.retry_after is not None else opts.backoff * 2 ** (attempt - 1)
            log.info("%s; retrying in %.2f s (attempt %d of %d)", exc.message, wait, attempt + 1, opts.retries)
            time.sleep(wait)
    raise AssertionError("unreachable: retries >= 1")  # pragma: no cover


def _send_once(session: requests.Session, url: str, opts: _Options) -> _Reply:
    try:
        resp = session.get(
            url, headers=opts.headers, timeout=opts.timeout, verify=opts.verify, allow_redirects=False, stream=True
        )
    except requests.RequestException as exc:
        raise _network_error(exc, url, opts) from exc
    except ValueError as exc:  # urllib3's LocationParseError escapes requests for hosts like "a..b"
        raise FetchError(f"invalid URL {_oneline(url)}: {_oneline(str(exc))}") from exc
    except OSError as exc:  # raised by requests itself, e.g. for a missing CA bundle given as verify=
        raise FetchError(f"cannot fetch {_oneline(url)}: {_oneline(str(exc))}") from exc
    with resp:
        status = resp.status_code
        if status in settings.RETRY_STATUSES:
            retry_after = _retry_after(resp.headers.get("Retry-After"))
            message = _status_message(resp, url)
            if retry_after is not None and retry_after > settings.MAX_RETRY_AFTER:
                raise FetchError(
                    f"{message} asks to retry after {retry_after:.0f} s, "
                    f"longer than the {settings.MAX_RETRY_AFTER:g} s we wait"
                )
            raise _Transient(message, retry_after)
        if resp.is_redirect:
            target = session.get_redirect_target(resp) or ""
            return _Reply(
                url=resp.url, status=status, location=urljoin(resp.url, target), set_cookie="set-cookie" in resp.headers
            )
        if status == 304 and ("If-None-Match" in opts.headers or "If-Modified-Since" in opts.headers):
            raise NotModifiedError(f"{_oneline(resp.url)} is not modified (HTTP 304)", resp.url)
        if not 200 <= status < 300:
            raise FetchError(_status_message(resp, url))
        content_type = resp.headers.get("Content-Type") or None
        media_type = _content_type_parts(content_type)[0]
        if media_type is not None and media_type not in opts.media_types:
            raise NotHTMLError(f"{_oneline(resp.url)} is {media_type}, not an HTML page")
        length = resp.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > opts.max_bytes:
            raise FetchError(
                f"{_oneline(resp.url)} announces {int(length)} bytes (Content-Length), "
                f"over the size cap of {opts.max_bytes} bytes"
            )
        try:
            body = _read_capped(resp, opts.max_bytes)
        except requests.RequestException as exc:
            raise _network_error(exc, url, opts) from exc
        except OSError as exc:  # a socket error urllib3 did not wrap: the connection broke mid-body
            raise _Transient(f"network error for {_oneline(url)}: {_oneline(str(exc))}") from exc
        return _Reply(
            url=resp.url,
            status=status,
            content_type=content_type,
            body=body,
            etag=resp.headers.get("ETag") or None,
            last_modified=resp.headers.get("Last-Modified") or None,
        )


def _read_capped(resp: requests.Response, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    # iter_content yields decoded bytes, so the cap also holds against gzip bombs.
    for chunk in resp.iter_content(chunk_size=CHUNK_SIZE):
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(f"{_oneline(resp.url)} is over the size cap of {max_bytes} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _network_error(exc: requests.RequestException, url: str, opts: _Options) -> Exception:
    """Turn a requests exception into a one-line _Transient (retried) or FetchError (final)."""
    where = _oneline(url)
    chain = list(_causes(exc))
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return _Transient(f"connect timeout ({opts.timeout[0]:g} s) for {where}")
    if isinstance(exc, requests.Timeout):
        return _Transient(f"read timeout ({opts.timeout[1]:g} s) for {where}")
    if isinstance(exc, requests.exceptions.SSLError) or any(isinstance(e, ssl.SSLError) for e in chain):
        # Certificate problems do not go away by retrying.
        for e in chain:
            if isinstance(e, ssl.SSLCertVerificationError) and e.verify_message:
                return FetchError(f"TLS certificate verification failed for {where}: {e.verify_message}")
        return FetchError(f"TLS/SSL error for {where}: {_last_reason(chain)}")
    if any(isinstance(e, urllib3.exceptions.ReadTimeoutError) for e in chain):  # while streaming the body
        return _Transient(f"read timeout ({opts.timeout[1]:g} s) for {where}")
    if isinstance(exc, (requests.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return _Transient(f"network error for {where}: {_last_reason(chain)}")
    return FetchError(f"cannot fetch {where}: {_last_reason(chain)}")


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """The exception and everything it wraps (args, urllib3's ``reason``, __cause__), outermost first."""
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        inner = [a for a in current.args if isinstance(a, BaseException)]
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            inner.append(reason)
        inner += [e for e in (current.__cause__, current.__context__) if e is not None]
        stack.extend(reversed(inner))


_OBJECT_REPR = re.compile(r"<[^<>]* object at 0x[0-9a-f]+>:?\s*|\w+\(host='[^']*', port=\d+\):\s*")


def _last_reason(chain: list[BaseException]) -> str:
    # The OS's words ("Connection refused", "Name or service not known") are the useful part
    # of urllib3's nested wrappers.
    for e in reversed(chain):
        if isinstance(e, OSError) and e.strerror:
            return _oneline(e.strerror)
    text = _OBJECT_REPR.sub("", str(chain[-1])) or type(chain[-1]).__name__
    return _oneline(text)[:300]


def _status_message(resp: requests.Response, url: str) -> str:
    try:
        phrase = HTTPStatus(resp.status_code).phrase
    except ValueError:
        phrase = resp.reason or ""
    return _oneline(f"HTTP {resp.status_code} {phrase}".rstrip() + f" for {resp.url or url}")


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (RFC 9110 §10.2.3), or None if absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # "-0000" dates parse naive; HTTP-dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _content_type_parts(content_type: str | None) -> tuple[str | None, str | None]:
    """``(media type, charset)`` of a Content-Type header, each None when absent."""
    if not content_type:
        return None, None
    media_type, *params = content_type.split(";")
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").strip() or None
    return media_type.strip().lower() or None, charset


# --- decoding -----------------------------------------------------------------------------------


def _codec_for(label: str | None) -> str | None:
    """The codec to decode ``label`` with, or None for a missing, unknown or refused label."""
    if not label:
        return None
    key = label.strip().strip("\"'").strip().lower()
    if key in _WHATWG_LABELS:
        return _WHATWG_LABELS[key]
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if name in ("iso8859-1", "ascii", "cp1252"):
        return "windows-1252"
    if name in _REFUSED_CODECS:
        return None
    try:
        b"a".decode(name)
    except LookupError:  # a bytes-to-bytes codec such as base64 or zlib
        return None
    except UnicodeError:
        pass
    return name


def _utf8_or_none(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _meta_codec(raw: bytes) -> str | None:
    declared = EncodingDetector.find_declared_encoding(raw[:META_SCAN_BYTES], is_html=True, search_entire_document=True)
    codec = _codec_for(declared)
    # HTML standard, "prescan a byte stream": a <meta> cannot declare UTF-16 (the bytes that
    # spell it would not be ASCII-compatible), so such a declaration means UTF-8.
    if codec is not None and codec.startswith("utf-16"):
        return "utf-8"
    return codec


def _detect(raw: bytes) -> str | None:
    results = charset_normalizer.from_bytes(raw)
    best = results.best()
    if best is None:
        return None
    # charset_normalizer ranks windows-1250/1257 above windows-1252 on equally clean Western
    # European text (measured on French, Spanish and German samples); among equally good
    # candidates we take the web's most common legacy encoding, as browsers' defaults do.
    for match in results:
        if match.chaos <= best.chaos and {"cp1252", "latin_1", "ascii"} & set(match.could_be_from_charset):
            return "windows-1252"
    return _codec_for(best.encoding) or None


def _decode(raw: bytes, codec: str, errors: str) -> str:
    if codec == "windows-1252":
        return codecs.charmap_decode(raw, errors, _WINDOWS_1252)[0]
    return raw.decode(codec, errors)


def _strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def _oneline(text: str) -> str:
    return " ".join(text.split()) if any(c in text for c in "\r\n\t\v\f") else text


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
