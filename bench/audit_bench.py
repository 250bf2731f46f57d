"""Throughput, CPU, memory and politeness of ``repcheck audit`` against a real local partner site.

    python bench/audit_bench.py [--pages 1000] [--latency 0.05] [--concurrency 8] [--rps 100]
                                [--trace-pages N/8] [--json FILE]

A ``ThreadingHTTPServer`` on 127.0.0.1 (HTTP/1.1, keep-alive) plays the partner: a robots.txt, a
sitemap listing the pages, and the pages themselves, each distinct (``/p/{i}.html``) and answering
after ``--latency`` seconds. The mix is about 60% ``compliant.html``, 20% ``cut-paragraph.html``,
10% ``inserted-ad.html`` and 10% ``not-the-article.html`` (examples/partners; the last carries no
canonical article and is skipped after the candidate lookup). An audit file is written in a temp
dir (canonical directory examples/canonical, profile ``rfi``, ``--rps`` and ``--concurrency``,
reports and WARC in the temp dir) and :func:`checker.audit.run_audit` runs in this process.

Runs, in one process: N/4, N/2 then N pages (each with a fresh server, temp dir and history),
untraced, giving wall time, pages/s, CPU s/page (``getrusage(RUSAGE_SELF)`` user+sys, the server's
threads included since they live in this process) and peak RSS (``ru_maxrss``, monotonic: a run
can only raise it, so the growth between runs is the figure to read). Then the Python allocation
peak (``tracemalloc``) of two short traced runs, ``--trace-pages`` and twice that, since tracing
slows the audit several times. The server keeps only (path, arrival time) per request.

Politeness: the largest number of requests the server saw in any 1-second sliding window (all
requests to the host, and pages alone) against ``--rps``, and the smallest gap between two page
requests against ``1/rps``. Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import bisect
import gc
import itertools
import json
import logging
import os
import platform
import resource
import sys
import tempfile
import textwrap
import threading
import time
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from checker import __version__  # noqa: E402
from checker.audit import run_audit  # noqa: E402
from checker.audit_config import load_audit_config  # noqa: E402
from checker.formats import REGISTRY as FORMATS  # noqa: E402
from checker.formats import Document, RenderOptions  # noqa: E402

PARTNERS = ROOT / "examples" / "partners"
CANONICAL = ROOT / "examples" / "canonical"
#: Out of every 10 pages: 6 compliant, 2 cut, 1 ad, 1 other article.
MIX = ("compliant.html",) * 6 + ("cut-paragraph.html",) * 2 + ("inserted-ad.html", "not-the-article.html")


class PartnerSite:
    """A partner site on 127.0.0.1: robots.txt, /sitemap.xml and ``pages`` pages, each after ``latency`` s."""

    def __init__(self, pages: int, latency: float) -> None:
        self.latency = latency
        bodies = {name: (PARTNERS / name).read_bytes() for name in set(MIX)}
        self.pages = {f"/p/{i}.html": bodies[MIX[i % len(MIX)]] for i in range(pages)}
        self.seen: list[tuple[str, float]] = []  # (path, time.monotonic() on arrival)
        self.not_modified = 0  # 304 answers to conditional requests
        self.in_flight = 0
        self.max_in_flight = 0  # most page requests answered at once
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._httpd.request_queue_size = 64
        self.port = self._httpd.server_address[1]
        locs = "".join(f"<url><loc>{self.url(p)}</loc></url>" for p in self.pages)
        self.sitemap = f'<?xml version="1.0"?><urlset>{locs}</urlset>'.encode()
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def etag(self, path: str) -> str | None:
        return f'"{path}"' if path in self.pages else None

    def reply(self, path: str, if_none_match: str | None = None) -> tuple[int, str, bytes, float]:
        with self._lock:
            self.seen.append((path, time.monotonic()))
        if if_none_match is not None and if_none_match == self.etag(path):
            with self._lock:
                self.not_modified += 1
            return 304, "text/html; charset=utf-8", b"", self.latency
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nAllow: /\n", 0.0
        if path == "/sitemap.xml":
            return 200, "application/xml", self.sitemap, 0.0
        body = self.pages.get(path)
        if body is None:
            return 404, "text/plain", b"no such page", 0.0
        return 200, "text/html; charset=utf-8", body, self.latency

    def __enter__(self) -> PartnerSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _handler_for(site: PartnerSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real partner site would allow

        def do_GET(self) -> None:
            with site._lock:
                site.in_flight += 1
                site.max_in_flight = max(site.max_in_flight, site.in_flight)
            try:
                status, ctype, body, delay = site.reply(self.path, self.headers.get("If-None-Match"))
                if delay:
                    time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                etag = site.etag(self.path)
                if etag:
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
            finally:
                with site._lock:
                    site.in_flight -= 1

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def write_audit_file(directory: Path, site: PartnerSite, rps: float, concurrency: int) -> Path:
    path = directory / "audit.toml"
    path.write_text(
        textwrap.dedent(f"""
        schema_version = 1
        name = "bench-audit"
        [canonical]
        directory = "{CANONICAL}"
        [output]
        reports = "{directory / "reports"}"
        [defaults]
        profile = "rfi"
        requests_per_second = {rps}
        concurrency = {concurrency}
        [[partners]]
        name = "Bench partner"
        sitemaps = ["{site.url("/sitemap.xml")}"]
        """),
        encoding="utf-8",
    )
    return path


def max_in_window(times: list[float], window: float = 1.0) -> int:
    """The largest number of *times* within any half-open window ``[t, t + window)``."""
    times = sorted(times)
    return max((bisect.bisect_left(times, t + window) - i for i, t in enumerate(times)), default=0)


def _cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@contextmanager
def _traced(on: bool) -> Iterator[list[int]]:
    out: list[int] = []
    if on:
        gc.collect()
        tracemalloc.start()
        tracemalloc.reset_peak()
    try:
        yield out
    finally:
        if on:
            out.append(tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()


def _measure(site: PartnerSite, config: Any, pages: int, trace: bool) -> tuple[dict[str, Any], Any]:
    site.seen.clear()
    rss_before = _rss_mb()
    cpu0, t0 = _cpu(), time.perf_counter()
    with _traced(trace) as peak:
        summary = run_audit(config)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    warc = summary.warc_path.stat().st_size if summary.warc_path else 0
    report = summary.report_path.stat().st_size
    seen = list(site.seen)
    page_times = sorted(at for path, at in seen if path.startswith("/p/"))
    gaps = [b - a for a, b in itertools.pairwise(page_times)]
    paths = [path for path, _ in seen]
    figures = {
        "pages": pages,
        "checked": summary.pages,
        "skipped_no_article": summary.skipped_no_article,
        "verdicts": summary.verdicts,
        "wall_s": wall,
        "pages_per_s": pages / wall,
        "cpu_s_per_page": cpu / pages,
        "cpu_share": cpu / wall,  # of one core; the machine may have more
        "rss_before_mb": rss_before,
        "peak_rss_mb": _rss_mb(),
        "tracemalloc_peak_mb": peak[0] / 2**20 if peak else None,
        "requests": len(seen),
        "robots_fetches": paths.count("/robots.txt"),
        "sitemap_fetches": paths.count("/sitemap.xml"),
        "page_fetches": len(page_times),
        "not_modified": site.not_modified,
        "max_in_flight": site.max_in_flight,
        "max_requests_1s_all": max_in_window([at for _, at in seen]),
        "max_requests_1s_pages": max_in_window(page_times),
        "min_page_gap_s": min(gaps) if gaps else None,
        "report_bytes": report,
        "warc_bytes": warc,
    }
    return figures, summary


def _render_formats(summary: Any) -> dict[str, dict[str, float]]:
    """Each output format rendered from the run report: seconds and bytes."""
    doc = Document.from_audit(summary.load_report())
    out = {}
    for name, formatter in sorted(FORMATS.items()):
        t0 = time.perf_counter()
        text = formatter.render(doc, RenderOptions())
        out[name] = {"seconds": time.perf_counter() - t0, "bytes": len(text.encode("utf-8"))}
    return out


def run_once(
    pages: int, latency: float, concurrency: int, rps: float, trace: bool = False, again: bool = False
) -> dict[str, Any]:
    """One audit of a fresh *pages*-page site; its figures. With *again*, a second run over the
    unchanged site (every page answers 304 to the conditional request) and the output formats
    rendered from its report."""
    gc.collect()
    with tempfile.TemporaryDirectory(prefix="repcheck-audit-bench-") as tmp, PartnerSite(pages, latency) as site:
        config = load_audit_config(write_audit_file(Path(tmp), site, rps, concurrency))
        figures, summary = _measure(site, config, pages, trace)
        if again:
            site.not_modified = site.max_in_flight = 0
            second, summary = _measure(site, config, pages, trace)
            second["persisting"] = summary.persisting
            second["new"] = summary.new
            figures["second_run"] = second
            figures["formats"] = _render_formats(summary)
    return figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds before each page answers")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument(
        "--rps", type=float, default=100.0, help="requests_per_second of the partner (the audit schema allows <= 100)"
    )
    ap.add_argument("--trace-pages", type=int, help="pages of the first traced run (default: pages/8; 0: no tracing)")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    args = ap.parse_args(argv)
    if not 0 < args.rps <= 100:
        ap.error("--rps must be in (0, 100]: checker/schemas/audit.schema.json caps requests_per_second at 100")
    logging.basicConfig(level=logging.WARNING)

    sizes = sorted({max(1, args.pages // 4), max(1, args.pages // 2), args.pages})
    runs = []
    for n in sizes:
        print(f"auditing {n} pages ...", file=sys.stderr, flush=True)
        runs.append(run_once(n, args.latency, args.concurrency, args.rps, again=n == args.pages))
    if args.trace_pages is None:
        args.trace_pages = max(10, args.pages // 8)
    traced = []
    if args.trace_pages > 0:
        for n in (args.trace_pages, 2 * args.trace_pages):
            print(f"auditing {n} pages under tracemalloc ...", file=sys.stderr, flush=True)
            traced.append(run_once(n, args.latency, args.concurrency, args.rps, trace=True))

    interval = 1.0 / args.rps
    print(
        f"\nrepcheck {__version__} audit bench: latency {args.latency}s, concurrency {args.concurrency}, "
        f"requests_per_second {args.rps:g} (min interval {interval * 1000:.1f} ms), {os.cpu_count()} CPUs"
    )
    head = (
        f"{'pages':>6} {'wall s':>7} {'pages/s':>8} {'CPU ms/pg':>9} {'CPU/wall':>8} {'peak RSS MB':>11} "
        f"{'RSS +MB':>7} {'max req/1s':>10} {'pages/1s':>8} {'min gap ms':>10} {'robots':>6}"
    )
    print(head)
    print("-" * len(head))
    prev_rss = runs[0]["rss_before_mb"]
    for r in runs:
        print(
            f"{r['pages']:>6} {r['wall_s']:>7.2f} {r['pages_per_s']:>8.1f} {r['cpu_s_per_page'] * 1000:>9.2f} "
            f"{r['cpu_share']:>8.2f} {r['peak_rss_mb']:>11.1f} {r['peak_rss_mb'] - prev_rss:>+7.1f} "
            f"{r['max_requests_1s_all']:>10} {r['max_requests_1s_pages']:>8} {r['min_page_gap_s'] * 1000:>10.1f} "
            f"{r['robots_fetches']:>6}"
        )
        prev_rss = r["peak_rss_mb"]
    for r in runs:
        print(
            f"  {r['pages']} pages: {r['checked']} checked {r['verdicts']}, {r['skipped_no_article']} without "
            f"canonical article; report {r['report_bytes'] / 1e6:.2f} MB, WARC {r['warc_bytes'] / 1e6:.2f} MB"
        )
    for r in traced:
        print(
            f"tracemalloc peak, {r['pages']} pages (traced run, {r['wall_s']:.1f}s wall): "
            f"{r['tracemalloc_peak_mb']:.1f} MB"
        )
    last = runs[-1]
    second = last.get("second_run")
    if second:
        print(
            f"second run over the unchanged {second['pages']} pages (conditional requests): "
            f"{second['not_modified']} answered 304 Not Modified, {second['pages_per_s']:.1f} pages/s, "
            f"{second['cpu_s_per_page'] * 1000:.2f} CPU ms/page, {second['persisting']} findings persisting, "
            f"{second['new']} new; WARC {second['warc_bytes'] / 1e6:.2f} MB"
        )
    print(
        f"per-host concurrency: at most {last['max_in_flight']} requests in flight at once "
        f"(configured {args.concurrency})"
    )
    for name, f in sorted(last.get("formats", {}).items()):
        print(f"  {name:<9} from the {last['pages']}-page run report: {f['seconds']:.2f} s, {f['bytes'] / 1e6:.2f} MB")
    worst = max(r["max_requests_1s_all"] for r in runs + traced)
    print(
        f"politeness: at most {worst} requests to the partner host in any 1-s window "
        f"(configured {args.rps:g}/s) -> {'OK' if worst <= args.rps + 1 else 'EXCEEDED'}"
    )
    if args.json:
        doc = {
            "tool": {"name": "repcheck", "version": __version__},
            "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "python": platform.python_version()},
            "params": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
            "runs": runs,
            "traced_runs": traced,
        }
        args.json.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
