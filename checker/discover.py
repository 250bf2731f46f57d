"""Where a partner's republications are, found politely: robots.txt, per-host pacing, sitemaps,
feeds and a bounded crawl from start URLs.

Partner XML is untrusted: sitemaps and feeds are parsed with defusedxml (no entity expansion, no
external entities) and decompressed sizes are capped. robots.txt follows RFC 9309: a 4xx means
no restriction, an unreachable or 5xx robots.txt means "disallow everything" for that run.
"""

from __future__ import annotations

import fnmatch
import gzip
import io
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
import requests
from defusedxml import ElementTree as SafeET
from protego import Protego

from checker.audit_config import PageRef, Partner

log = logging.getLogger(__name__)

#: Largest sitemap or feed read, decompressed (the sitemap protocol caps files at 50 MB).
MAX_XML_BYTES: Final = 50 * 1024 * 1024
#: How deep sitemap indexes may nest.
MAX_SITEMAP_DEPTH: Final = 3
#: Most pages a crawl from start URLs visits per partner.
MAX_CRAWL_PAGES: Final = 5000


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@dataclass
class HostThrottle:
    """Spaces requests to each host: at most ``rate`` per second, or robots.txt's Crawl-delay; and
    with :meth:`slot`, at most ``concurrency`` requests to one host at a time (0: no limit)."""

    rate: float
    concurrency: int = 0
    _next: dict[str, float] = field(default_factory=dict)
    _slots: dict[str, threading.BoundedSemaphore] = field(default_factory=dict)
    _delays: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def set_delay(self, host: str, seconds: float) -> None:
        """A longer minimum interval for *host* (robots.txt Crawl-delay); never a shorter one."""
        with self._lock:
            self._delays[host] = max(seconds, self._delays.get(host, 0.0))

    def wait(self, url: str) -> None:
        """Block until a request to *url*'s host is allowed; reserve the slot."""
        host = urlsplit(url).netloc
        with self._lock:
            interval = max(1.0 / self.rate, self._delays.get(host, 0.0))
            now = time.monotonic()
            at = max(now, self._next.get(host, now))
            self._next[host] = at + interval
        if at > now:
            time.sleep(at - now)

    @contextmanager
    def slot(self, url: str) -> Iterator[None]:
        """Hold one of the host's ``concurrency`` connections for a request, spaced by :meth:`wait`."""
        if self.concurrency <= 0:
            self.wait(url)
            yield
            return
        host = urlsplit(url).netloc
        with self._lock:
            sem = self._slots.setdefault(host, threading.BoundedSemaphore(self.concurrency))
        with sem:
            self.wait(url)
            yield


@dataclass
class RobotsPolicy:
    """robots.txt of each origin, fetched once per run, for our User-Agent."""

    session: requests.Session
    user_agent: str
    timeout: tuple[float, float]
    throttle: HostThrottle | None = None
    _rules: dict[str, Protego | None] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _load(self, origin: str) -> Protego | None:
        """Parsed rules, or None for "disallow everything" (RFC 9309 §2.3.1.4: unreachable)."""
        url = origin + "/robots.txt"
        try:
            if self.throttle is not None:
                self.throttle.wait(url)
            resp = self.session.get(url, timeout=self.timeout, headers={"User-Agent": self.user_agent})
        except requests.RequestException as exc:
            log.warning("robots.txt of %s unreachable (%s): disallowing the host for this run", origin, exc)
            return None
        if resp.status_code >= 500:
            log.warning("robots.txt of %s answered %d: disallowing the host for this run", origin, resp.status_code)
            return None
        if resp.status_code >= 400:
            return Protego.parse("")  # RFC 9309 §2.3.1.3: unavailable means no restriction
        rules = Protego.parse(resp.text)
        delay = rules.crawl_delay(self.user_agent)
        if delay and self.throttle is not None:
            self.throttle.set_delay(urlsplit(origin).netloc, float(delay))
        return rules

    def rules(self, url: str) -> Protego | None:
        """The rules of *url*'s origin (loaded on first use)."""
        origin = _origin(url)
        with self._lock:
            if origin in self._rules:
                return self._rules[origin]
        rules = self._load(origin)
        with self._lock:
            self._rules.setdefault(origin, rules)
            return self._rules[origin]

    def allowed(self, url: str) -> bool:
        """May we fetch *url*?"""
        rules = self.rules(url)
        return rules is not None and bool(rules.can_fetch(url, self.user_agent))

    def sitemaps(self, url: str) -> list[str]:
        """Sitemaps the origin's robots.txt announces."""
        rules = self.rules(url)
        return list(rules.sitemaps) if rules is not None else []


def _read_xml(raw: bytes) -> bytes:
    if raw[:2] == b"\x1f\x8b":  # gzip magic: sitemap.xml.gz, whatever the Content-Type says
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as fh:
            data = fh.read(MAX_XML_BYTES + 1)
        if len(data) > MAX_XML_BYTES:
            raise ValueError("decompressed sitemap over the size cap")
        return data
    return raw


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def parse_sitemap(raw: bytes) -> tuple[list[str], list[str]]:
    """Page URLs and nested sitemap URLs of a sitemap or sitemap index (optionally gzipped)."""
    root = SafeET.fromstring(_read_xml(raw))
    pages: list[str] = []
    nested: list[str] = []
    kind = _local(root.tag)
    for node in root:
        loc = next((c.text for c in node if _local(c.tag) == "loc" and c.text), None)
        if loc:
            (nested if kind == "sitemapindex" else pages).append(loc.strip())
    return pages, nested


def parse_feed(raw: bytes) -> list[str]:
    """Item links of an RSS 2.0 or Atom feed."""
    root = SafeET.fromstring(_read_xml(raw))
    links: list[str] = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = next((c.text for c in el if _local(c.tag) == "link" and c.text), None)
            if link:
                links.append(link.strip())
        elif name == "entry":
            for c in el:
                if _local(c.tag) == "link" and c.get("rel", "alternate") == "alternate" and c.get("href"):
                    links.append(c.get("href", "").strip())
                    break
    return links


def _matches(url: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(url, p) if any(ch in p for ch in "*?[") else p in url for p in patterns)


@dataclass
class Discoverer:
    """Lists the pages of one partner to check, fetching robots.txt, sitemaps and feeds politely."""

    session: requests.Session
    robots: RobotsPolicy
    throttle: HostThrottle
    timeout: tuple[float, float]
    user_agent: str
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (url, why) for the report

    def get(self, url: str) -> bytes | None:
        """The body of *url*, fetched politely; None (and a note in ``skipped``) when not possible."""
        if not self.robots.allowed(url):
            self.skipped.append((url, "disallowed by robots.txt"))
            return None
        self.throttle.wait(url)
        try:
            resp = self.session.get(url, timeout=self.timeout, headers={"User-Agent": self.user_agent})
        except requests.RequestException as exc:
            self.skipped.append((url, f"unreachable: {type(exc).__name__}"))
            return None
        if resp.status_code != 200:
            self.skipped.append((url, f"HTTP {resp.status_code}"))
            return None
        return resp.content[: MAX_XML_BYTES + 1]

    def pages(self, partner: Partner) -> Iterator[PageRef]:
        """Every page to check for *partner*, each once, in a stable order."""
        seen: set[str] = set()

        def keep(url: str) -> bool:
            url = urldefrag(url)[0]
            if url in seen:
                return False
            if partner.include and not _matches(url, partner.include):
                return False
            if partner.exclude and _matches(url, partner.exclude):
                return False
            seen.add(url)
            return True

        for ref in partner.pages:
            if keep(ref.url):
                yield ref
        queue = deque((s, 0) for s in partner.sitemaps)
        while queue:
            url, depth = queue.popleft()
            raw = self.get(url)
            if raw is None:
                continue
            try:
                found, nested = parse_sitemap(raw)
            except Exception as exc:  # defusedxml raises several types for hostile XML
                self.skipped.append((url, f"not a sitemap: {type(exc).__name__}"))
                continue
            if depth < MAX_SITEMAP_DEPTH:
                queue.extend((n, depth + 1) for n in nested)
            for page in found:
                if keep(page):
                    yield PageRef(page)
        for feed in partner.feeds:
            raw = self.get(feed)
            if raw is None:
                continue
            try:
                links = parse_feed(raw)
            except Exception as exc:
                self.skipped.append((feed, f"not a feed: {type(exc).__name__}"))
                continue
            for link in links:
                if keep(link):
                    yield PageRef(link)
        yield from self._crawl(partner, keep)

    def _crawl(self, partner: Partner, keep: Callable[[str], bool]) -> Iterator[PageRef]:
        """Breadth-first from the start URLs, same host only, up to ``max_depth`` links away."""
        visited: set[str] = set()
        queue = deque((u, 0) for u in partner.start_urls)
        while queue and len(visited) < MAX_CRAWL_PAGES:
            url, depth = queue.popleft()
            url = urldefrag(url)[0]
            if url in visited:
                continue
            visited.add(url)
            raw = self.get(url)
            if raw is None:
                continue
            if keep(url):
                yield PageRef(url)
            if depth >= partner.max_depth:
                continue
            try:
                doc = lxml.html.document_fromstring(raw)
            except (ValueError, lxml.etree.ParserError):
                continue
            host = urlsplit(url).netloc
            for a in doc.iter("a"):
                href = a.get("href")
                if not href:
                    continue
                target = urldefrag(urljoin(url, href))[0]
                if urlsplit(target).netloc == host and target not in visited:
                    queue.append((target, depth + 1))
