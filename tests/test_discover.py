"""Discovery of partner pages over real HTTP on 127.0.0.1: robots.txt, pacing, sitemaps, feeds, crawl."""

from __future__ import annotations

import gzip
import time
from itertools import pairwise

import pytest
import requests
from conftest import LocalServer, Reply, html

from checker.audit_config import PageRef, Partner, Politeness
from checker.discover import Discoverer, HostThrottle, RobotsPolicy, parse_feed, parse_sitemap

UA = "repcheck-test/1.0"


def _partner(**kw: object) -> Partner:
    base: dict[str, object] = dict(
        name="P",
        profile="rfi",
        contact=None,
        pages=(),
        sitemaps=(),
        feeds=(),
        start_urls=(),
        max_depth=2,
        include=(),
        exclude=(),
        politeness=Politeness(50.0, 1, UA, 5.0, 10_000_000),
        waivers=(),
    )
    base.update(kw)
    return Partner(**base)  # type: ignore[arg-type]


def _xml(body: str, gz: bool = False) -> Reply:
    data = body.encode("utf-8")
    if gz:
        return Reply(body=gzip.compress(data), headers={"Content-Type": "application/x-gzip"})
    return Reply(body=data, headers={"Content-Type": "application/xml"})


def _discoverer(rate: float = 50.0) -> Discoverer:
    session = requests.Session()
    throttle = HostThrottle(rate)
    robots = RobotsPolicy(session, UA, (2.0, 2.0), throttle)
    return Discoverer(session, robots, throttle, (2.0, 2.0), UA)


ROBOTS = "User-agent: *\nDisallow: /private/\nCrawl-delay: 0.2\n"


def test_sitemap_index_with_gzip_and_robots(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", Reply(body=ROBOTS.encode(), headers={"Content-Type": "text/plain"}))
    u = local_server.url
    local_server.route(
        "/sitemap.xml",
        _xml(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{u('/s1.xml.gz')}</loc></sitemap><sitemap><loc>{u('/private/s2.xml')}</loc></sitemap>"
            "</sitemapindex>"
        ),
    )
    local_server.route(
        "/s1.xml.gz",
        _xml(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{u('/a.html')}</loc></url><url><loc>{u('/b.html')}</loc></url>"
            f"<url><loc>{u('/tag/x')}</loc></url></urlset>",
            gz=True,
        ),
    )
    local_server.route("/private/s2.xml", _xml("<urlset/>"))
    d = _discoverer()
    pages = list(d.pages(_partner(sitemaps=(u("/sitemap.xml"),), exclude=("/tag/",))))
    assert [p.url for p in pages] == [u("/a.html"), u("/b.html")]
    assert local_server.hits["/private/s2.xml"] == 0  # robots.txt Disallow honoured
    assert (u("/private/s2.xml"), "disallowed by robots.txt") in d.skipped
    # Crawl-delay 0.2 s honoured between requests to the host (measured by the server)
    times = [r.at for r in local_server.requests if r.path != "/robots.txt"]
    assert all(b - a >= 0.18 for a, b in pairwise(times)), times


def test_feed_rss_and_atom() -> None:
    rss = b"<rss><channel><item><link>https://p.example/1</link></item><item><link>https://p.example/2</link></item></channel></rss>"
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link rel="alternate" href="https://p.example/3"/>'
        b"</entry></feed>"
    )
    assert parse_feed(rss) == ["https://p.example/1", "https://p.example/2"]
    assert parse_feed(atom) == ["https://p.example/3"]


def test_hostile_xml_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<urlset><url><loc>&lol2;</loc></url></urlset>"
    )
    with pytest.raises(Exception) as err:
        parse_sitemap(bomb)
    assert "Entities" in type(err.value).__name__ or "forbidden" in str(err.value).lower()


def test_crawl_from_start_url_with_depth_and_patterns(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", Reply(status=404, body=b"", headers={"Content-Type": "text/plain"}))
    local_server.route(
        "/", html('<a href="/2026/a.html">a</a> <a href="/auteur/x">x</a> <a href="https://else.example/">e</a>')
    )
    local_server.route("/2026/a.html", html('<a href="/2026/b.html">b</a>'))
    local_server.route("/2026/b.html", html('<a href="/2026/c.html">c</a>'))
    local_server.route("/2026/c.html", html("deep"))
    d = _discoverer()
    partner = _partner(start_urls=(local_server.url("/"),), max_depth=2, include=("/2026/",))
    pages = [p.url for p in d.pages(partner)]
    assert pages == [local_server.url("/2026/a.html"), local_server.url("/2026/b.html")]
    assert local_server.hits["/2026/c.html"] == 0  # beyond max_depth


def test_unreachable_robots_disallows_host(local_server: LocalServer) -> None:
    local_server.route("/robots.txt", Reply(status=503, body=b"busy", headers={"Content-Type": "text/plain"}))
    local_server.route("/sitemap.xml", _xml("<urlset/>"))
    d = _discoverer()
    assert list(d.pages(_partner(sitemaps=(local_server.url("/sitemap.xml"),)))) == []
    assert local_server.hits["/sitemap.xml"] == 0


def test_throttle_spaces_requests_per_host() -> None:
    throttle = HostThrottle(rate=10.0)  # 0.1 s apart
    start = time.monotonic()
    for _ in range(4):
        throttle.wait("http://h.example/x")
    assert time.monotonic() - start >= 0.29
    start = time.monotonic()
    throttle.wait("http://other.example/")  # another host is not delayed
    assert time.monotonic() - start < 0.05


def test_explicit_pages_come_first_and_once() -> None:
    d = _discoverer()
    refs = (PageRef("https://p.example/a", "id-1"), PageRef("https://p.example/a"))
    assert list(d.pages(_partner(pages=refs))) == [refs[0]]
