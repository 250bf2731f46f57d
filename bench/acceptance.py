"""Acceptance figures of the single-page check on the real-page corpus.

    python bench/acceptance.py [--corpus ../shared/corpus] [--json out.json] [--limit N]

For every page with a complete ground-truth body: (1) the page as it is, against a canonical built
from its ground truth, must give no text.cut, text.alteration or title.* error. title.* counts where
the ground-truth title is the page's visible headline (``corpus_cases.title_shown``): the corpus
README warns that some titles come from page metadata instead, and a title.* finding there is true.
The figure counting title.* on every page with a ground-truth title is printed too; (2) five mutations
made on the page's own DOM (remove a paragraph, add a paragraph, change one word, insert an ad
iframe, wrap a word in a link) must each be found with the right kind, in the right place. Prints
the rates and the failing pages so a developer can open them.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_cases import CorpusPage, Mutation, canonical_for, corpus_root, load_pages, mutations, title_shown

from checker import check
from checker.models import Finding, Report

AS_IS_KINDS = ("text.cut", "text.alteration", "title.missing", "title.altered")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def as_is_errors(report: Report, has_title: bool) -> list[Finding]:
    """The errors the as-is acceptance counts (title.* only where the ground truth has a title)."""
    kinds = AS_IS_KINDS if has_title else AS_IS_KINDS[:2]
    return [f for f in report.findings if f.severity.value == "error" and f.kind in kinds]


def found(report: Report, m: Mutation) -> bool:
    """The mutation is reported with an accepted kind and its evidence points at the change."""
    marker = _norm(m.marker)
    for f in report.findings:
        if f.severity.value != "error" or f.kind not in m.expect_kinds:
            continue
        evidence = " ".join(
            [f.canonical.text if f.canonical else "", f.partner.text if f.partner else "", *(v for _, v in f.detail)]
        )
        if marker in _norm(evidence) or (f.canonical is not None and f.canonical.paragraph == m.paragraph):
            return True
    return False


def run(pages: list[CorpusPage]) -> dict[str, Any]:
    """Check every page as it is and every mutation; return the figures."""
    as_is_ok = literal_ok = 0
    unverifiable: list[str] = []
    as_is_fail: dict[str, list[str]] = {}
    metadata_titles: dict[str, list[str]] = {}  # ground-truth title not the visible headline -> title findings
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    misses: dict[str, list[str]] = defaultdict(list)
    title_pages = shown_pages = title_fail = 0
    started = time.perf_counter()
    for page in pages:
        canonical = canonical_for(page)
        report = check(page.raw, canonical, "verbatim")
        has_title = bool(page.truth.get("title"))
        shown = has_title and title_shown(page)
        title_pages += has_title
        shown_pages += shown
        if report.verdict.value == "unverifiable":
            unverifiable.append(f"{page.id}: {report.message}")
            as_is_fail[page.id] = [f"unverifiable: {report.message}"]
        else:
            errs = as_is_errors(report, shown)
            literal = as_is_errors(report, has_title)
            literal_ok += not literal
            title_fail += any(f.kind.startswith("title.") for f in errs)
            if has_title and not shown:
                titles = [f for f in literal if f.kind.startswith("title.")]
                metadata_titles[page.id] = [f"{f.kind}: {f.message[:160]}" for f in titles]
            if errs:
                as_is_fail[page.id] = [f"{f.kind}: {f.message[:160]}" for f in errs]
            else:
                as_is_ok += 1
        for m in mutations(page, canonical):
            per_kind[m.kind]["cases"] += 1
            rep = check(m.html, canonical, "verbatim")
            if found(rep, m):
                per_kind[m.kind]["found"] += 1
            else:
                got = sorted({f.kind for f in rep.findings if f.severity.value == "error"})
                misses[m.kind].append(f"{page.id}: got {got or rep.verdict.value} {rep.message or ''}".strip())
    n = len(pages)
    text_only = sum(1 for why in as_is_fail.values() if all(w.startswith("title.") for w in why))
    return {
        "as_is_no_text_error": as_is_ok + text_only,
        "as_is_no_title_error": shown_pages - title_fail,
        "pages": n,
        "pages_with_ground_truth_title": title_pages,
        "pages_title_is_visible_headline": shown_pages,
        "as_is_clean": as_is_ok,
        "as_is_clean_rate": as_is_ok / n if n else 0.0,
        "as_is_clean_every_title": literal_ok,
        "as_is_clean_every_title_rate": literal_ok / n if n else 0.0,
        "as_is_failures": as_is_fail,
        "metadata_titles": metadata_titles,
        "unverifiable": unverifiable,
        "mutations": {
            k: {"cases": c["cases"], "found": c["found"], "rate": c["found"] / c["cases"] if c["cases"] else 0.0}
            for k, c in sorted(per_kind.items())
        },
        "misses": dict(misses),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    """Print the acceptance table; optionally write the figures as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="write figures and misses to this file")
    ap.add_argument("--limit", type=int, default=None, help="only the first N pages")
    args = ap.parse_args(argv)
    root = args.corpus or corpus_root()
    if root is None or not (root / "manifest.json").is_file():
        print("corpus not found: pass --corpus ../shared/corpus (or set REPCHECK_CORPUS)", file=sys.stderr)
        return 2
    pages = load_pages(root)[: args.limit]
    res = run(pages)
    print(f"pages with complete ground truth: {res['pages']} ({res['seconds']} s)")
    print(
        f"as is, no text.cut/text.alteration/title.* error: {res['as_is_clean']}/{res['pages']} "
        f"= {res['as_is_clean_rate']:.1%}   (target >= 98%)"
    )
    print(
        f"    of which: no text.cut/text.alteration error: {res['as_is_no_text_error']}/{res['pages']} "
        f"= {res['as_is_no_text_error'] / res['pages']:.1%}; no title.* error: {res['as_is_no_title_error']}/"
        f"{res['pages_title_is_visible_headline']} pages whose ground-truth title is the visible headline"
    )
    for pid, why in res["as_is_failures"].items():
        print(f"    {pid}: {why[0]}" + (f" (+{len(why) - 1} more)" if len(why) > 1 else ""))
    meta = res["metadata_titles"]
    print(
        f"counting title.* on all {res['pages_with_ground_truth_title']} pages with a ground-truth title: "
        f"{res['as_is_clean_every_title']}/{res['pages']} = {res['as_is_clean_every_title_rate']:.1%}; "
        f"on {len(meta)} pages the ground-truth title is not the visible headline (page metadata):"
    )
    for pid, why in meta.items():
        print(f"    {pid}: {why[0] if why else 'no title finding'}")
    print(f"{'mutation':<18} {'found':>6} {'cases':>6} {'rate':>7}   (target >= 98%)")
    for kind, m in res["mutations"].items():
        print(f"{kind:<18} {m['found']:>6} {m['cases']:>6} {m['rate']:>7.1%}")
        for miss in res["misses"].get(kind, [])[:8]:
            print(f"    miss {miss[:200]}")
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
