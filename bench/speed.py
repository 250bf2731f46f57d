"""Speed of the single-page check against BeautifulSoup parsing the same page, in one process.

    python bench/speed.py [--corpus ../shared/corpus] [--repeat 3] [--json out.json]

For every corpus page with a complete ground truth: the time of ``BeautifulSoup(html, "lxml")`` on
the decoded page, of ``lxml.html.fromstring`` on it, and of ``checker.check`` on the page's raw
bytes (decoding included) against its canonical article with the profile already loaded. Each
is the best of ``--repeat`` interleaved runs. Prints medians, p95 and the ratio check / BeautifulSoup
(target <= 1.5). Absolute times on shared machines are noisy; the ratio is what to read.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import lxml.html
from bs4 import BeautifulSoup
from corpus_cases import canonical_for, corpus_root, load_pages

from checker import check, load_profile
from checker.canonical import load_canonical
from checker.fetch import decode_html


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(root: Path, repeat: int) -> dict[str, Any]:
    """Time every page; return per-page rows and summary figures."""
    profile = load_profile("verbatim")
    rows = []
    gc.disable()  # collections triggered by one measurement must not land in the next one
    try:
        for page in load_pages(root):
            raw = page.raw
            html = decode_html(raw)[0]
            article = load_canonical(canonical_for(page))
            t_bs = _best(lambda: BeautifulSoup(html, "lxml"), repeat)  # noqa: B023
            t_lxml = _best(lambda: lxml.html.fromstring(html), repeat)  # noqa: B023
            t_check = _best(lambda: check(raw, article, profile), repeat)  # noqa: B023
            rows.append(
                {
                    "id": page.id,
                    "bytes": len(raw),
                    "bs4": t_bs,
                    "lxml": t_lxml,
                    "check": t_check,
                    "ratio": t_check / t_bs,
                }
            )
            gc.collect()
    finally:
        gc.enable()
    ratios = [r["ratio"] for r in rows]
    return {
        "pages": len(rows),
        "median_bs4_ms": statistics.median(r["bs4"] for r in rows) * 1000,
        "median_lxml_ms": statistics.median(r["lxml"] for r in rows) * 1000,
        "median_check_ms": statistics.median(r["check"] for r in rows) * 1000,
        "p95_check_ms": _pct([r["check"] for r in rows], 0.95) * 1000,
        "median_ratio_check_bs4": statistics.median(ratios),
        "p95_ratio_check_bs4": _pct(ratios, 0.95),
        "ratio_of_medians": statistics.median(r["check"] for r in rows) / statistics.median(r["bs4"] for r in rows),
        "rows": rows,
    }


def main(argv: list[str] | None = None) -> int:
    """Print the speed table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    root = args.corpus or corpus_root()
    if root is None or not (root / "manifest.json").is_file():
        print("corpus not found: pass --corpus ../shared/corpus (or set REPCHECK_CORPUS)", file=sys.stderr)
        return 2
    res = run(root, args.repeat)
    print(f"pages: {res['pages']}, best of {args.repeat} runs each")
    print(f"median BeautifulSoup(html, 'lxml'): {res['median_bs4_ms']:.1f} ms")
    print(f"median lxml.html.fromstring:        {res['median_lxml_ms']:.1f} ms")
    print(f"median checker.check (bytes in):    {res['median_check_ms']:.1f} ms   p95 {res['p95_check_ms']:.1f} ms")
    print(
        f"check / BeautifulSoup per page: median {res['median_ratio_check_bs4']:.2f}  "
        f"p95 {res['p95_ratio_check_bs4']:.2f}   (target: median <= 1.5)"
    )
    slow = sorted(res["rows"], key=lambda r: -r["ratio"])[:5]
    for r in slow:
        print(f"    slowest ratio {r['ratio']:.2f}  {r['id']} ({r['bytes']} bytes, check {r['check'] * 1000:.1f} ms)")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
