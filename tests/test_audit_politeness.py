"""`repcheck audit` is polite to a partner host: its request rate holds, robots.txt is fetched once.

A real server on 127.0.0.1 records when each request arrives; the audit runs in-process with
``requests_per_second = 20`` and several workers, so the per-host throttle, not the worker count,
is what must bound the rate.
"""

from __future__ import annotations

import bisect
import itertools
import statistics
from pathlib import Path

from conftest import LocalServer, Reply, html, write_audit_file

from checker.audit import run_audit
from checker.audit_config import load_audit_config

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "examples" / "partners"
MIX = ("compliant.html",) * 6 + ("cut-paragraph.html",) * 2 + ("inserted-ad.html", "not-the-article.html")
PAGES = 30
RATE = 20


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    """The largest number of *times* in any window ``[t, t + window)``."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


def _site(server: LocalServer) -> None:
    server.route("/robots.txt", Reply(body=b"User-agent: *\nAllow: /\n", headers={"Content-Type": "text/plain"}))
    bodies = {name: (PARTNERS / name).read_bytes() for name in set(MIX)}
    for i in range(PAGES):
        server.route(f"/p/{i}.html", html(bodies[MIX[i % len(MIX)]], delay=0.01))
    locs = "".join(f"<url><loc>{server.url(f'/p/{i}.html')}</loc></url>" for i in range(PAGES))
    server.route(
        "/sitemap.xml", Reply(body=f"<urlset>{locs}</urlset>".encode(), headers={"Content-Type": "application/xml"})
    )


def _audit_file(tmp_path: Path, server: LocalServer) -> Path:
    return write_audit_file(tmp_path, server.url("/sitemap.xml"), name="politeness", rate=RATE, concurrency=8)


def test_audit_respects_the_per_host_rate_and_fetches_robots_once(local_server: LocalServer, tmp_path: Path) -> None:
    _site(local_server)
    config = load_audit_config(_audit_file(tmp_path, local_server))
    summary = run_audit(config)
    assert summary.pages == PAGES - PAGES // len(MIX)  # the not-the-article pages carry no canonical article
    assert summary.verdicts.get("unverifiable", 0) == 0

    seen = list(local_server.requests)
    page_times = sorted(s.at for s in seen if s.path.startswith("/p/"))
    assert len(page_times) == PAGES and all(local_server.hits[f"/p/{i}.html"] == 1 for i in range(PAGES))
    # Never more than RATE requests to the host in any 1-second window (+1: a window can hold both ends).
    assert _max_in_window(page_times) <= RATE + 1
    assert _max_in_window([s.at for s in seen]) <= RATE + 1
    # Page requests are spaced by the throttle's interval (1/RATE = 0.05 s). The throttle spaces the
    # moments requests are *sent*; arrival adds scheduler jitter (a CPU-loaded machine gave single
    # gaps of 32 ms), so the bound checked per request is cumulative: the k-th page never arrives
    # before k intervals after the first (a request never arrives before its slot), 20 ms slack for
    # the first one's own delay; and the typical gap is the interval (10% slack).
    gaps = [b - a for a, b in itertools.pairwise(page_times)]
    assert statistics.median(gaps) >= 0.9 / RATE, f"median gap between page requests {statistics.median(gaps):.4f}s"
    early = [k for k, t in enumerate(page_times) if t - page_times[0] < k / RATE - 0.02]
    assert not early, f"pages {early} arrived ahead of the 1/{RATE}s schedule; gaps {[round(g, 3) for g in gaps]}"
    assert local_server.hits["/robots.txt"] == 1

    # A second run in the same process fetches robots.txt once more: once per host per run.
    run_audit(config)
    assert local_server.hits["/robots.txt"] == 2
