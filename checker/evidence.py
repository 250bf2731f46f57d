"""Evidence: every fetched page in a WARC file (ISO 28500), and pages judged again from it offline.

An audit writes one WARC per run: for each page a ``request`` record and a ``response`` record
(linked by WARC-Concurrent-To) holding the exact bytes received. A report names the response's
WARC-Record-ID and the payload's SHA-256, so a lawyer can show what the partner served, when, and
that the finding was made on those very bytes; ``repcheck check --warc FILE --record ID`` judges
the archived page again without touching the network.
"""

from __future__ import annotations

import hashlib
import io
import threading
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from checker import __version__
from checker.errors import ConfigError, FetchError
from checker.fetch import load_page
from checker.models import PageSnapshot

_REASONS = {200: "OK", 203: "Non-Authoritative Information"}
#: WARC extension field holding the payload's SHA-256 (hex), the digest reports quote.
SHA256_FIELD = "Repcheck-Payload-SHA256"


class WarcArchive:
    """Appends request/response pairs to a gzipped WARC file; safe to share between threads.

    Opened in append mode: a resumed audit adds to the file of its run (gzip members concatenate).
    """

    def __init__(self, path: Path, *, compress: bool = True) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        new = not path.exists() or path.stat().st_size == 0
        self._fh = path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=compress)
        self._lock = threading.Lock()
        if new:
            info = {"software": f"repcheck/{__version__}", "format": "WARC File Format 1.1"}
            self._writer.write_record(self._writer.create_warcinfo_record(path.name, info))
            self._fh.flush()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Flush and close the file."""
        with self._lock:
            if not self._fh.closed:
                self._fh.close()

    def record(self, snapshot: PageSnapshot, user_agent: str) -> str:
        """Archive *snapshot*; return the WARC-Record-ID of the record holding its bytes.

        Pages fetched over HTTP become a request/response pair; other pages (local files, bytes)
        a ``resource`` record, since no HTTP exchange took place.
        """
        return self.record_at(snapshot, user_agent)[0]

    def record_at(self, snapshot: PageSnapshot, user_agent: str) -> tuple[str, int]:
        """:meth:`record`, also returning the file offset where the records were written: a hint
        that lets :func:`load_record` find the record without reading the file from the start."""
        date = snapshot.fetched_at.replace("+00:00", "Z")
        # warcio writes its own SHA-1 WARC-Payload-Digest; reports quote SHA-256, kept in an
        # extension field (WARC 1.1 allows named fields beyond the standard ones).
        extra = {"WARC-Date": date, "WARC-Identified-Payload-Type": "text/html", SHA256_FIELD: snapshot.sha256}
        parts = urlsplit(snapshot.url)
        with self._lock:
            offset = self._fh.tell()
            if parts.scheme not in ("http", "https"):
                res = self._writer.create_warc_record(
                    snapshot.url,
                    "resource",
                    payload=io.BytesIO(snapshot.raw),
                    warc_content_type=snapshot.content_type or "text/html",
                    warc_headers_dict=extra,
                )
                self._writer.write_record(res)
                self._fh.flush()
                resource_id: str = res.rec_headers.get_header("WARC-Record-ID")
                return resource_id, offset
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            request_headers = StatusAndHeaders(
                f"GET {target} HTTP/1.1", [("Host", parts.netloc), ("User-Agent", user_agent)], is_http_request=True
            )
            status = snapshot.status or 200
            headers = [("Content-Type", snapshot.content_type or "text/html"), ("Content-Length", str(snapshot.size))]
            if snapshot.etag:
                headers.append(("ETag", snapshot.etag))
            if snapshot.last_modified:
                headers.append(("Last-Modified", snapshot.last_modified))
            response_headers = StatusAndHeaders(f"{status} {_REASONS.get(status, 'OK')}", headers, protocol="HTTP/1.1")
            resp = self._writer.create_warc_record(
                snapshot.url,
                "response",
                payload=io.BytesIO(snapshot.raw),
                http_headers=response_headers,
                warc_headers_dict=extra,
            )
            req = self._writer.create_warc_record(
                snapshot.url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=request_headers,
                warc_headers_dict={"WARC-Date": date},
            )
            self._writer.write_request_response_pair(req, resp)
            self._fh.flush()
            record_id: str = resp.rec_headers.get_header("WARC-Record-ID")
        return record_id, offset

    def revisit(self, url: str, refers_to: str, refers_to_date: str, user_agent: str, sha256: str | None) -> str:
        """Archive a 304 Not Modified exchange as a ``revisit`` record (WARC 1.1 profile
        *server-not-modified*) pointing at the earlier response record whose bytes it confirms;
        return its WARC-Record-ID."""
        date = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        fields = {
            "WARC-Date": date,
            "WARC-Profile": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
            "WARC-Refers-To": refers_to,
            "WARC-Refers-To-Target-URI": url,
            "WARC-Refers-To-Date": refers_to_date.replace("+00:00", "Z"),
        }
        if sha256:
            fields[SHA256_FIELD] = sha256
        with self._lock:
            rec = self._writer.create_warc_record(
                url,
                "revisit",
                http_headers=StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1"),
                warc_headers_dict=fields,
            )
            req = self._writer.create_warc_record(
                url,
                "request",
                payload=io.BytesIO(b""),
                http_headers=StatusAndHeaders(
                    f"GET {target} HTTP/1.1", [("Host", parts.netloc), ("User-Agent", user_agent)], is_http_request=True
                ),
                warc_headers_dict={"WARC-Date": date},
            )
            self._writer.write_request_response_pair(req, rec)
            self._fh.flush()
            record_id: str = rec.rec_headers.get_header("WARC-Record-ID")
        return record_id


def load_record(path: Path, record_id: str, offset: int | None = None) -> PageSnapshot:
    """The page archived in response record *record_id* of *path*, as a snapshot.

    *offset* (from :meth:`WarcArchive.record_at`) is where to start looking; a wrong hint only
    costs a full read of the file.

    Raises :class:`ConfigError` when the file cannot be read or holds no such record, and
    :class:`FetchError` when the archived payload was altered (its SHA-256 no longer matches).
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"warc error: {path}: cannot read ({exc.strerror})") from None
    with fh:
        if offset:
            fh.seek(offset)
            try:
                return _find(fh, path, record_id, limit=4)  # a request/response pair, a revisit
            except (ConfigError, ArchiveLoadFailed):
                fh.seek(0)
        try:
            return _find(fh, path, record_id)
        except ArchiveLoadFailed as exc:
            raise ConfigError(f"warc error: {path}: not a WARC file ({exc})") from None


def _find(fh: BinaryIO, path: Path, record_id: str, limit: int | None = None) -> PageSnapshot:
    """Read records from *fh*'s position (at most *limit* of them) until *record_id*."""
    for n, rec in enumerate(ArchiveIterator(fh)):
        if limit is not None and n >= limit:
            break
        if rec.rec_type not in ("response", "resource"):
            continue
        if rec.rec_headers.get_header("WARC-Record-ID") != record_id:
            continue
        raw = rec.content_stream().read()
        url = rec.rec_headers.get_header("WARC-Target-URI")
        declared = rec.rec_headers.get_header(SHA256_FIELD) or ""
        digest = hashlib.sha256(raw).hexdigest()
        if declared and declared != digest:
            raise FetchError(
                f"{path}: record {record_id}: payload SHA-256 {digest} differs from the archived {declared}"
            )
        ctype = rec.rec_headers.get_header("Content-Type") if rec.rec_type == "resource" else None
        status = int(rec.http_headers.get_statuscode()) if rec.http_headers else None
        if rec.http_headers:
            ctype = rec.http_headers.get_header("Content-Type")
        snap = load_page(raw)
        fetched = rec.rec_headers.get_header("WARC-Date") or datetime.now(UTC).isoformat()
        return PageSnapshot(
            source=f"{path}#{record_id}",
            url=url,
            status=status,
            fetched_at=fetched,
            content_type=ctype,
            encoding=snap.encoding,
            encoding_source=snap.encoding_source,
            sha256=digest,
            size=len(raw),
            raw=raw,
            text=snap.text,
        )
    raise ConfigError(f"warc error: {path}: no response record {record_id}")
