"""Speed of the single-page check against BeautifulSoup and trafilatura, in one process.

    python bench/speed.py [--corpus ../shared/corpus] [--repeat 3] [--json out.json] [--quick]

Three measurements, one run:

1. **Per page.** For every corpus page with a complete ground truth: ``BeautifulSoup(html, "lxml")``
   and ``lxml.html.fromstring(html)`` on the decoded page, ``trafilatura.extract(html)`` (when
   trafilatura is installed: ``pip install .[bench]``), and ``checker.check`` on the page's raw
   bytes (decoding included) against its canonical article, the ``verbatim`` profile and the
   article loaded beforehand. The four run in turn, ``--repeat`` rounds, and each keeps its best
   time. Prints medians, p95 and the per-page ratios check / BeautifulSoup (target: median <= 1.5)
   and check / trafilatura (target: median <= 1.0).
2. **Alignment alone.** ``checker.align.align(article, extracted)`` on the page already extracted,
   against ``difflib.SequenceMatcher(None, canonical_words, page_words, autojunk=False)
   .get_opcodes()`` on the word keys (``checker.normalize.keys``) of the canonical lead and body and
   of every block of the page. ``align`` tokenises the page itself, difflib is handed the words: the
   time of making both word lists is shown apart ("keys").
3. **Scaling.** The largest corpus page, re-serialised by lxml (the 1x case), then grown to about
   10x and 100x its size: copies of its ``<body>`` (each wrapped in a ``<div
   class="bench-chrome-copy">``) are inserted before the original body content, after deleting
   from each copy the smallest elements whose text holds a ground-truth paragraph or lead part, so
   the article appears once and the chrome many times. The number of copies is chosen so the page
   reaches the target size. Then a ~10,000-word article (English body paragraphs of several corpus
   pages, in manifest order) on a plain page: a nav, the article as ``<p>``s, a footer. Each case
   gives bytes, check time, time per MB, the per-byte time relative to 1x (1.0 = linear; "close to
   linear" within 2x), the time per MB of the bytes added since the previous size (the 1x page is
   mostly ``<head>``, cheaper per byte than the chrome) and the peak of Python allocations during
   one check (``tracemalloc``, in a separate untimed call; the lxml tree lives in libxml2's heap
   and is not counted). Pages over the fetch size cap (``settings.MAX_BYTES``) are checked with a
   raised ``max_bytes``. The 10x case runs at most 2 rounds and the 100x case 1.

Absolute times on shared machines are noisy; the ratios are what to read. ``--quick`` takes about
20 pages spread over the corpus and skips the 100x case.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import gc
import html as html_mod
import importlib
import json
import logging
import os
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bs4
import lxml.etree
import lxml.html
import rapidfuzz
from bs4 import BeautifulSoup
from corpus_cases import CorpusPage, canonical_for, corpus_root, load_pages

from checker import check, load_profile, settings
from checker.align import align
from checker.canonical import load_canonical
from checker.errors import UnverifiableError
from checker.extract import extract
from checker.fetch import decode_html
from checker.models import Article
from checker.normalize import comparable, keys
from checker.profiles import Profile

TARGET_CHECK_BS4 = 1.5
TARGET_CHECK_TRAFILATURA = 1.0
QUICK_PAGES = 20
SCALE_FACTORS = (10, 100)
LONG_ARTICLE_WORDS = 10_000
#: Per-byte time within this factor of the 1x case counts as "close to linear".
LINEAR_TOLERANCE = 2.0
TRAFILATURA_MISSING = "trafilatura not installed (pip install .[bench])"


# --- timing helpers ---------------------------------------------------------------------------


def _interleaved_best(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Best time of each function over *repeat* rounds; every round runs each function once, in turn.

    Interleaving spreads a slow patch of a shared machine over all contestants instead of one.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(max(1, repeat)):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


def _pct(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def _trafilatura() -> ModuleType | None:
    try:
        mod = importlib.import_module("trafilatura")
    except ImportError:
        return None
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its warnings about odd pages are noise here
    return mod


def _select(pages: list[CorpusPage], quick: bool, limit: int | None) -> list[CorpusPage]:
    """All pages, or (quick) about QUICK_PAGES spread over the manifest so every source is sampled."""
    n = limit if limit is not None else (QUICK_PAGES if quick else len(pages))
    if n >= len(pages):
        return pages
    step = len(pages) / n
    return [pages[int(i * step)] for i in range(n)]


# --- 1. per page ------------------------------------------------------------------------------


def _per_page(
    pages: list[CorpusPage], profile: Profile, repeat: int, traf: ModuleType | None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for page in pages:
        raw = page.raw
        html = decode_html(raw)[0]
        article = load_canonical(canonical_for(page))
        fns: dict[str, Callable[[], object]] = {
            "bs4": lambda: BeautifulSoup(html, "lxml"),  # noqa: B023
            "lxml": lambda: lxml.html.fromstring(html),  # noqa: B023
        }
        if traf is not None:
            fns["trafilatura"] = lambda: traf.extract(html)  # noqa: B023
        fns["check"] = lambda: check(raw, article, profile)  # noqa: B023
        t = _interleaved_best(fns, repeat)
        gc.collect()
        t_traf = t.get("trafilatura")
        rows.append(
            {
                "id": page.id,
                "bytes": len(raw),
                "bs4": t["bs4"],
                "lxml": t["lxml"],
                "trafilatura": t_traf,
                "check": t["check"],
                "ratio_check_bs4": t["check"] / t["bs4"],
                "ratio_check_trafilatura": t["check"] / t_traf if t_traf else None,
            }
        )
    summary: dict[str, Any] = {"pages": len(rows), "repeat": repeat, "trafilatura": traf is not None}
    for col in ("bs4", "lxml", "trafilatura", "check"):
        vals = [r[col] for r in rows if r[col] is not None]
        summary[f"median_{col}_ms"] = _median(vals) * 1000 if vals else None
        summary[f"p95_{col}_ms"] = _pct(vals, 0.95) * 1000 if vals else None
    for other, target in (("bs4", TARGET_CHECK_BS4), ("trafilatura", TARGET_CHECK_TRAFILATURA)):
        ratios = [r[f"ratio_check_{other}"] for r in rows if r[f"ratio_check_{other}"] is not None]
        summary[f"median_ratio_check_{other}"] = _median(ratios) if ratios else None
        summary[f"p95_ratio_check_{other}"] = _pct(ratios, 0.95) if ratios else None
        summary[f"target_ratio_check_{other}"] = target
        summary[f"met_ratio_check_{other}"] = _median(ratios) <= target if ratios else None
    summary["ratio_of_medians_check_bs4"] = summary["median_check_ms"] / summary["median_bs4_ms"]
    summary["slowest_ratio_check_bs4"] = [r["id"] for r in sorted(rows, key=lambda r: -r["ratio_check_bs4"])[:5]]
    return rows, summary


# --- 2. alignment alone -----------------------------------------------------------------------


def _canonical_words(article: Article) -> list[str]:
    return keys("\n".join([article.lead or "", *article.body]))


def _align_vs_difflib(pages: list[CorpusPage], repeat: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    skipped = []
    for page in pages:
        article = load_canonical(canonical_for(page))
        try:
            extracted = extract(decode_html(page.raw)[0])
            align(article, extracted)
        except UnverifiableError as exc:
            skipped.append({"id": page.id, "reason": str(exc)})
            continue
        texts = [b.text for b in extracted.blocks]

        def word_lists(article: Article = article, texts: list[str] = texts) -> tuple[list[str], list[str]]:
            return _canonical_words(article), [k for t in texts for k in keys(t)]

        cw, pw = word_lists()
        t = _interleaved_best(
            {
                "align": lambda: align(article, extracted),  # noqa: B023
                "difflib": lambda: difflib.SequenceMatcher(None, cw, pw, autojunk=False).get_opcodes(),  # noqa: B023
                "keys": word_lists,
            },
            repeat,
        )
        gc.collect()
        rows.append(
            {
                "id": page.id,
                "canonical_words": len(cw),
                "page_words": len(pw),
                "align": t["align"],
                "difflib": t["difflib"],
                "keys": t["keys"],
                "ratio_align_difflib": t["align"] / t["difflib"],
                "ratio_align_difflib_keys": t["align"] / (t["difflib"] + t["keys"]),
            }
        )
    return {
        "pages": len(rows),
        "skipped": skipped,
        "median_align_ms": _median(r["align"] for r in rows) * 1000,
        "p95_align_ms": _pct((r["align"] for r in rows), 0.95) * 1000,
        "median_difflib_ms": _median(r["difflib"] for r in rows) * 1000,
        "p95_difflib_ms": _pct((r["difflib"] for r in rows), 0.95) * 1000,
        "median_keys_ms": _median(r["keys"] for r in rows) * 1000,
        "median_ratio_align_difflib": _median(r["ratio_align_difflib"] for r in rows),
        "p95_ratio_align_difflib": _pct((r["ratio_align_difflib"] for r in rows), 0.95),
        "median_ratio_align_difflib_keys": _median(r["ratio_align_difflib_keys"] for r in rows),
        "rows": rows,
    }


# --- 3. scaling -------------------------------------------------------------------------------


def _truth_texts(page: CorpusPage, canonical: dict[str, Any]) -> list[str]:
    """The ground-truth texts that make the article: body paragraphs and the lead's parts."""
    blocks = page.truth.get("body_blocks") or []
    lead_parts = [b["text"] for b in blocks if b["type"] == "summary"] or [canonical.get("lead") or ""]
    return [t for t in [*canonical["body"], *lead_parts] if t.strip()]


def _strip_article(body: Any, texts: list[str]) -> tuple[int, int]:
    """Delete from *body* the smallest elements whose text holds one of *texts* (3 words or more).

    Returns (elements deleted, texts still present in what is left). An element holds a text when
    its normalised words contain the text's words in a row; the smallest such elements are the
    ones none of whose children hold it. Texts held only by *body* as a whole stay.
    """
    wants = [f" {c} " for c in (comparable(t) for t in texts) if c.count(" ") >= 2]
    els = [el for el in body.iter() if isinstance(el.tag, str)]
    index = {id(el): i for i, el in enumerate(els)}
    holds: list[set[int]] = []
    for el in els:
        comp = f" {comparable(el.text_content())} "
        holds.append({w for w, want in enumerate(wants) if want in comp})
    doomed = []
    for i, el in enumerate(els):
        if el is body or not holds[i]:
            continue
        below: set[int] = set()
        for child in el:
            if isinstance(child.tag, str):
                below |= holds[index[id(child)]]
        if holds[i] - below:
            doomed.append(el)
    for el in reversed(doomed):  # innermost first; an element inside a dropped one goes with it anyway
        el.drop_tree()  # keeps the tail: text after the element is chrome
    left = f" {comparable(body.text_content())} "
    return len(doomed), sum(1 for want in wants if want in left)


def _scaled_pages(page: CorpusPage, canonical: dict[str, Any], factors: Iterable[int]) -> list[dict[str, Any]]:
    """The page re-serialised (1x) and grown to each factor by chrome copies before the article."""
    doc: Any = lxml.html.document_fromstring(decode_html(page.raw)[0])
    doctype = doc.getroottree().docinfo.doctype or "<!DOCTYPE html>"
    body = doc.body
    chrome = copy.deepcopy(body)
    dropped, residual = _strip_article(chrome, _truth_texts(page, canonical))
    chrome.tag = "div"
    chrome.attrib.clear()
    chrome.set("class", "bench-chrome-copy")
    chrome.tail = "\n"
    chrome_bytes = len(lxml.html.tostring(chrome, encoding="unicode").encode("utf-8"))

    def serialise(d: Any) -> bytes:
        text: str = lxml.html.tostring(d, encoding="unicode", doctype=doctype)
        return text.encode("utf-8")

    base = serialise(doc)
    out = [{"case": "1x", "raw": base, "copies": 0}]
    for factor in factors:
        copies = max(1, round((factor - 1) * len(base) / chrome_bytes))
        grown = copy.deepcopy(doc)
        for _ in range(copies):
            grown.body.insert(0, copy.deepcopy(chrome))
        out.append({"case": f"{factor}x", "raw": serialise(grown), "copies": copies})
    for case in out:
        case.update(chrome_bytes=chrome_bytes, elements_dropped=dropped, residual_paragraphs=residual)
    return out


def _long_article(pages: list[CorpusPage], words: int) -> tuple[dict[str, Any], bytes, list[str]]:
    """A ~*words*-word canonical from English ground truths and a plain partner page carrying it."""
    body: list[str] = []
    used: list[str] = []
    total = 0
    for page in pages:
        canonical = canonical_for(page)
        if canonical["language"] != "en":
            continue
        used.append(page.id)
        for para in canonical["body"]:
            n = len(keys(para))
            if n < 3:
                continue
            body.append(para)
            total += n
        if total >= words:
            break
    title = "A long synthetic article made of corpus paragraphs"
    article = {
        "id": "bench-long",
        "url": "urn:bench:long",
        "publisher": "bench",
        "language": "en",
        "title": title,
        "lead": None,
        "byline": None,
        "authors": [],
        "body": body,
        "images": [],
        "published": None,
        "tags": [],
    }
    esc = html_mod.escape
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
    paras = "\n".join(f"<p>{esc(p)}</p>" for p in body)
    page_html = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>'
        f"{esc(title)}</title></head>\n<body>\n<nav><ul>{nav}</ul></nav>\n<main><article>\n<h1>{esc(title)}</h1>\n"
        f"{paras}\n</article></main>\n<footer><p>© Partner site. All rights reserved.</p>"
        '<p><a href="/legal">Legal notice</a> · <a href="/privacy">Privacy</a></p></footer>\n</body></html>\n'
    )
    return article, page_html.encode("utf-8"), used


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak / 1e6


def _scaling(pages: list[CorpusPage], profile: Profile, repeat: int, quick: bool) -> list[dict[str, Any]]:
    largest = max(pages, key=lambda p: len(p.raw))
    canonical = canonical_for(largest)
    article = load_canonical(canonical)
    factors = SCALE_FACTORS[:1] if quick else SCALE_FACTORS
    cases = _scaled_pages(largest, canonical, factors)
    for case in cases:
        case.update(page=largest.id, article=article, canonical_words=len(_canonical_words(article)))
        case["description"] = (
            f"{largest.id} re-serialised"
            if case["copies"] == 0
            else f"{largest.id} + {case['copies']} chrome copies before the article"
        )
    long_canonical, long_raw, used = _long_article(pages, LONG_ARTICLE_WORDS)
    long_article = load_canonical(long_canonical)
    cases.append(
        {
            "case": "10k words",
            "description": f"{len(long_canonical['body'])} paragraphs of {len(used)} English pages on a plain page",
            "page": None,
            "raw": long_raw,
            "article": long_article,
            "canonical_words": len(_canonical_words(long_article)),
            "copies": 0,
        }
    )
    out = []
    base: dict[str, Any] | None = None
    prev: dict[str, Any] | None = None
    for case in cases:
        raw: bytes = case.pop("raw")
        art: Article = case.pop("article")
        opts = {"max_bytes": max(settings.MAX_BYTES, len(raw) + 1)}

        def run(raw: bytes = raw, art: Article = art, opts: dict[str, int] = opts) -> Any:
            return check(raw, art, profile, fetch_options=opts)

        # The large cases cost seconds each: fewer rounds keep the whole run within minutes.
        rounds = 1 if len(raw) > 20e6 else min(repeat, 2) if len(raw) > 2e6 else repeat
        report = run()  # untimed warm-up; also gives the verdict to show the page was read as meant
        gc.collect()
        seconds = _interleaved_best({"check": run}, rounds)["check"]
        gc.collect()
        peak = _peak_mb(run)
        gc.collect()
        row = {
            **case,
            "bytes": len(raw),
            "repeat": rounds,
            "check_s": seconds,
            "s_per_mb": seconds / (len(raw) / 1e6),
            "ms_per_1000_canonical_words": seconds * 1000 / (case["canonical_words"] / 1000),
            "peak_python_mb": peak,
            "verdict": report.verdict.value,
            "coverage": report.coverage,
            "findings": len(report.findings),
            "over_default_size_cap": len(raw) > settings.MAX_BYTES,
        }
        if case["page"] is not None:
            if base is None:
                base = row
            row["size_ratio"] = row["bytes"] / base["bytes"]
            row["time_ratio"] = row["check_s"] / base["check_s"]
            row["per_byte_vs_1x"] = row["time_ratio"] / row["size_ratio"]
            row["close_to_linear"] = 1 / LINEAR_TOLERANCE <= row["per_byte_vs_1x"] <= LINEAR_TOLERANCE
            if prev is not None:
                # The time the added bytes cost: the 1x page is mostly <head> (scripts, styles),
                # cheaper per byte than the chrome copies, so this is the fairer test of linearity.
                row["marginal_s_per_mb"] = (row["check_s"] - prev["check_s"]) / ((row["bytes"] - prev["bytes"]) / 1e6)
            prev = row
        out.append(row)
    return out


# --- the run --------------------------------------------------------------------------------


def _versions(traf: ModuleType | None) -> dict[str, str | None]:
    return {
        "python": platform.python_version(),
        "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
        "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)),
        "bs4": bs4.__version__,
        "rapidfuzz": rapidfuzz.__version__,
        "trafilatura": getattr(traf, "__version__", "unknown") if traf is not None else None,
    }


def run_speed(root: Path, repeat: int, quick: bool, *, limit: int | None = None) -> dict[str, Any]:
    """Run the three measurements on the corpus at *root*; return every figure as a JSON-ready dict.

    Keys: ``per_page`` (summary), ``rows`` (one per page), ``align_vs_difflib``, ``scaling`` (list
    of cases), ``versions``, ``machine``, plus ``quick``, ``repeat`` and ``elapsed_s``. *quick*
    takes about 20 pages and skips the 100x case; *limit* (for smoke tests) sets the page count.
    """
    started = time.perf_counter()
    traf = _trafilatura()
    profile = load_profile("verbatim")
    all_pages = load_pages(root)
    pages = _select(all_pages, quick, limit)
    gc.collect()
    gc.disable()  # collections triggered by one measurement must not land in the next one
    try:
        rows, per_page = _per_page(pages, profile, repeat, traf)
        aligned = _align_vs_difflib(pages, repeat)
        scaling = _scaling(all_pages, profile, repeat, quick)
    finally:
        gc.enable()
    return {
        "per_page": per_page,
        "rows": rows,
        "align_vs_difflib": aligned,
        "scaling": scaling,
        "versions": _versions(traf),
        "machine": {"platform": platform.platform(), "cpu_count": os.cpu_count()},
        "quick": quick,
        "repeat": repeat,
        "elapsed_s": time.perf_counter() - started,
    }


# --- printing --------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _print(res: dict[str, Any]) -> None:
    pp = res["per_page"]
    print(
        f"pages: {pp['pages']}, best of {pp['repeat']} interleaved runs each  ({res['versions']['python']}, "
        f"{res['machine']['cpu_count']} CPUs, {res['machine']['platform']})"
    )
    print()
    print("1. per page (ms)                      median      p95")
    names = [
        ("bs4", "BeautifulSoup(html, 'lxml')"),
        ("lxml", "lxml.html.fromstring"),
        ("trafilatura", "trafilatura.extract"),
        ("check", "checker.check (bytes in)"),
    ]
    for col, label in names:
        if col == "trafilatura" and not pp["trafilatura"]:
            print(f"   {label:<34} {TRAFILATURA_MISSING}")
            continue
        print(f"   {label:<34} {_ms(pp[f'median_{col}_ms']):>6}   {_ms(pp[f'p95_{col}_ms']):>6}")
    for other, label in (("bs4", "BeautifulSoup"), ("trafilatura", "trafilatura")):
        if pp[f"median_ratio_check_{other}"] is None:
            continue
        target = pp[f"target_ratio_check_{other}"]
        met = "met" if pp[f"met_ratio_check_{other}"] else "NOT met"
        print(
            f"   check / {label:<13} per page: median {pp[f'median_ratio_check_{other}']:.2f}  "
            f"p95 {pp[f'p95_ratio_check_{other}']:.2f}   (target: median <= {target}: {met})"
        )
    by_id = {r["id"]: r for r in res["rows"]}
    for pid in pp["slowest_ratio_check_bs4"]:
        r = by_id[pid]
        print(
            f"    slowest ratio {r['ratio_check_bs4']:.2f}  {r['id']} ({r['bytes']} bytes, "
            f"check {r['check'] * 1000:.1f} ms, bs4 {r['bs4'] * 1000:.1f} ms)"
        )
    print()
    av = res["align_vs_difflib"]
    print(f"2. alignment alone, {av['pages']} pages (ms)      median      p95")
    print(f"   checker.align.align(article, page)   {av['median_align_ms']:>6.1f}   {av['p95_align_ms']:>6.1f}")
    print(f"   difflib SequenceMatcher opcodes      {av['median_difflib_ms']:>6.1f}   {av['p95_difflib_ms']:>6.1f}")
    print(f"   keys() of both word lists            {av['median_keys_ms']:>6.1f}")
    print(
        f"   align / difflib per page: median {av['median_ratio_align_difflib']:.2f}  "
        f"p95 {av['p95_ratio_align_difflib']:.2f};  align / (difflib + keys): "
        f"median {av['median_ratio_align_difflib_keys']:.2f}"
    )
    for s in av["skipped"]:
        print(f"    skipped {s['id']}: {s['reason']}")
    print()
    print("3. scaling (check; peak = Python allocations during one check, tracemalloc)")
    print("   case        bytes       s     s/MB  per-byte vs 1x  peak MB  rounds  verdict    cover  findings")
    for c in res["scaling"]:
        rel = f"{c['per_byte_vs_1x']:.2f}" if "per_byte_vs_1x" in c else "-"
        print(
            f"   {c['case']:<9} {c['bytes']:>10}  {c['check_s']:>6.3f}  {c['s_per_mb']:>6.3f}  {rel:>14}  "
            f"{c['peak_python_mb']:>7.1f}  {c['repeat']:>6}  {c['verdict']:<9}  {c['coverage'] or 0:.3f}  "
            f"{c['findings']:>8}"
        )
    for c in res["scaling"]:
        per_word = "" if c["copies"] else f", {c['ms_per_1000_canonical_words']:.1f} ms per 1000 canonical words"
        print(f"    {c['case']}: {c['description']}; {c['canonical_words']} canonical words{per_word}")
    first = res["scaling"][0]
    print(
        f"    chrome copy: {first['chrome_bytes']} bytes, {first['elements_dropped']} article elements "
        f"dropped from it, {first['residual_paragraphs']} ground-truth texts left in it"
    )
    grown = [c for c in res["scaling"] if c.get("size_ratio", 1) > 1]
    for c in grown:
        verdict = "close to linear" if c["close_to_linear"] else "NOT close to linear"
        print(
            f"    {c['case']}: size x{c['size_ratio']:.1f}, time x{c['time_ratio']:.1f}, "
            f"per-byte time x{c['per_byte_vs_1x']:.2f} of 1x: {verdict}; "
            f"the added bytes cost {c['marginal_s_per_mb']:.3f} s/MB"
            + ("  (over the default 10 MiB size cap: max_bytes raised)" if c["over_default_size_cap"] else "")
        )
    print()
    v = res["versions"]
    print(
        f"versions: python {v['python']}, lxml {v['lxml']} (libxml2 {v['libxml2']}), bs4 {v['bs4']}, "
        f"rapidfuzz {v['rapidfuzz']}, trafilatura {v['trafilatura'] or 'not installed'}; "
        f"run took {res['elapsed_s']:.0f} s"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the speed tables (and write them as JSON with ``--json``)."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--quick", action="store_true", help=f"about {QUICK_PAGES} pages, no 100x scaling case")
    args = ap.parse_args(argv)
    root = args.corpus or corpus_root()
    if root is None or not (root / "manifest.json").is_file():
        print("corpus not found: pass --corpus ../shared/corpus (or set REPCHECK_CORPUS)", file=sys.stderr)
        return 2
    res = run_speed(root, args.repeat, args.quick)
    _print(res)
    if args.json:
        args.json.write_text(json.dumps(res, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
