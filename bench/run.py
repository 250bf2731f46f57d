"""Run every benchmark, write ``bench/results.json`` and refresh the tables in ``BENCHMARKS.md``.

    python bench/run.py --corpus ../shared/corpus [--quick] [--no-peer]

The tables in BENCHMARKS.md sit between ``<!-- name:start -->`` and ``<!-- name:end -->`` markers
and are rewritten in place; the prose around them is left alone.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import re
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import accuracy
import speed
from acceptance import run as run_acceptance
from corpus_cases import corpus_root, load_pages

from checker.files import write_atomic

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
DOC = HERE.parent / "BENCHMARKS.md"


def _versions() -> dict[str, str | None]:
    from checker import __version__

    out: dict[str, str | None] = {"python": platform.python_version(), "checker": __version__}
    for dist in ("repcheck", "lxml", "beautifulsoup4", "rapidfuzz", "requests", "regex", "trafilatura"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


def _table(rows: list[list[str]], header: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.1%}"


def tables(res: dict[str, Any]) -> dict[str, str]:
    """Markdown tables keyed by their marker name."""
    out: dict[str, str] = {}
    acc = res.get("accuracy")
    if acc:
        rows = [
            [k, str(v["cases"]), _pct(v["recall"]), _pct(v["localised"]), _pct(v["precision"]), _pct(v["peer_recall"])]
            for k, v in acc["kinds"].items()
        ]
        out["accuracy"] = _table(rows, ["case kind", "cases", "recall", "localised", "precision", "peer recall"])
        rows = [
            [
                k,
                str(v["cases"]),
                _pct(v["false_alarm_rate"]),
                _pct(v["false_alarm_rate_text_title"]),
                _pct(v["peer_false_alarm_rate"]),
            ]
            for k, v in acc["false_alarms"].items()
        ]
        out["false-alarms"] = _table(
            rows, ["cases", "n", "false alarms (any error)", "false alarms (cut/alteration/title)", "peer"]
        )
    acp = res.get("acceptance")
    if acp:
        rows = [[k, f"{v['found']}/{v['cases']}", _pct(v["rate"])] for k, v in acp["mutations"].items()]
        rows[0:0] = [
            [
                "as is: no cut/alteration/title error (title where it is the visible headline)",
                f"{acp['as_is_clean']}/{acp['pages']}",
                _pct(acp["as_is_clean_rate"]),
            ],
            [
                "as is, title.* counted on every ground-truth title (metadata titles too)",
                f"{acp['as_is_clean_every_title']}/{acp['pages']}",
                _pct(acp["as_is_clean_every_title_rate"]),
            ],
        ]
        out["acceptance"] = _table(rows, ["figure", "count", "rate"])
    spd = res.get("speed")
    if spd:
        pp = spd.get("per_page", spd)

        def ms(key: str) -> str:
            v = pp.get(key)
            return "–" if v is None else f"{v:.1f} ms"

        rows = [
            ["BeautifulSoup(html, 'lxml')", ms("median_bs4_ms"), ms("p95_bs4_ms")],
            ["lxml.html.fromstring", ms("median_lxml_ms"), ms("p95_lxml_ms")],
            ["trafilatura.extract", ms("median_trafilatura_ms"), ms("p95_trafilatura_ms")],
            ["checker.check (bytes in)", ms("median_check_ms"), ms("p95_check_ms")],
            [
                "check / BeautifulSoup, per page (target ≤ 1.5)",
                _ratio(pp.get("median_ratio_check_bs4")),
                _ratio(pp.get("p95_ratio_check_bs4")),
            ],
            [
                "check / trafilatura, per page (target ≤ 1.0)",
                _ratio(pp.get("median_ratio_check_trafilatura")),
                _ratio(pp.get("p95_ratio_check_trafilatura")),
            ],
        ]
        al = spd.get("align_vs_difflib") or {}
        if al:
            rows += [
                [
                    "alignment stage alone (checker.align.align)",
                    f"{al['median_align_ms']:.1f} ms",
                    f"{al['p95_align_ms']:.1f} ms",
                ],
                [
                    "difflib SequenceMatcher over the same words",
                    f"{al['median_difflib_ms']:.1f} ms",
                    f"{al['p95_difflib_ms']:.1f} ms",
                ],
                [
                    "align / difflib, per page",
                    _ratio(al["median_ratio_align_difflib"]),
                    _ratio(al["p95_ratio_align_difflib"]),
                ],
                [
                    "align / (difflib + tokenising both texts), per page",
                    _ratio(al["median_ratio_align_difflib_keys"]),
                    "–",
                ],
            ]
        out["speed"] = _table(rows, ["figure", "median", "p95"])
        scaling = spd.get("scaling")
        if scaling:
            rows = [
                [
                    c["case"],
                    f"{c['bytes'] / 1e6:.1f} MB",
                    str(c.get("canonical_words", "")),
                    f"{c['check_s']:.3f} s",
                    f"{c['s_per_mb']:.3f}",
                    _ratio(c.get("per_byte_vs_1x")),
                    f"{c['peak_python_mb']:.0f} MB",
                    c["verdict"],
                ]
                for c in scaling
            ]
            out["scaling"] = _table(
                rows,
                [
                    "case",
                    "page",
                    "canonical words",
                    "check",
                    "s per MB",
                    "per-byte time vs 1x",
                    "peak memory (Python)",
                    "verdict",
                ],
            )
    return out


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def refresh_doc(res: dict[str, Any], doc: Path = DOC) -> None:
    """Rewrite the marked tables of BENCHMARKS.md in place."""
    if not doc.is_file():
        return
    text = doc.read_text(encoding="utf-8")
    for name, table in tables(res).items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(\n<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m, t=table: m.group(1) + t + m.group(2), text)
    stamp = (
        f"<!-- run:start -->\nLast run: {res['date']} on {res['machine']['platform']} "
        f"({res['machine']['cpus']} CPUs), repcheck {res['versions'].get('checker')}.\n<!-- run:end -->"
    )
    text = re.sub(r"<!-- run:start -->.*?<!-- run:end -->", lambda m: stamp, text, flags=re.S)
    write_atomic(doc, text)


def main(argv: list[str] | None = None) -> int:
    """Run accuracy, acceptance and speed; write results.json; refresh BENCHMARKS.md."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--quick", action="store_true", help="a sample of pages and no 100x scaling case")
    ap.add_argument("--no-peer", action="store_true", help="skip trafilatura (the peer pipeline)")
    ap.add_argument("--output", type=Path, default=RESULTS)
    ap.add_argument("--render-only", action="store_true", help="only refresh BENCHMARKS.md from --output")
    args = ap.parse_args(argv)
    if args.render_only:
        refresh_doc(json.loads(args.output.read_text(encoding="utf-8")))
        print(f"refreshed {DOC.name} from {args.output}")
        return 0
    root = args.corpus or corpus_root()
    if root is None or not (root / "manifest.json").is_file():
        print("corpus not found: pass --corpus ../shared/corpus (or set REPCHECK_CORPUS)", file=sys.stderr)
        return 2
    pages = load_pages(root)
    sample = pages[::8] if args.quick else pages
    res: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count()},
        "versions": _versions(),
        "corpus": str(root),
        "quick": args.quick,
    }
    print("== accuracy", flush=True)
    res["accuracy"] = accuracy.run(sample, 0, with_peer=not args.no_peer, template_pages=pages)
    accuracy.print_tables(res["accuracy"])
    print("== acceptance (issue 2)", flush=True)
    with contextlib.redirect_stdout(io.StringIO()):
        res["acceptance"] = run_acceptance(sample)
    print(f"as is clean {res['acceptance']['as_is_clean']}/{res['acceptance']['pages']}")
    print("== speed", flush=True)
    res["speed"] = speed.run_speed(root, 1 if args.quick else 3, args.quick)
    write_atomic(args.output, json.dumps(res, ensure_ascii=False, indent=1))
    refresh_doc(res)
    print(f"wrote {args.output} and refreshed {DOC.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
