"""Accuracy of repcheck, side by side with the pipeline a user would otherwise assemble.

    python bench/accuracy.py [--corpus ../shared/corpus] [--json out.json] [--limit N] [--seed 0]

Labelled cases are made at run time (seeded; nothing generated is committed):

(a) ``as-is``: every corpus page with a complete ground-truth body, against a canonical built from
    that ground truth: nothing was changed, so every error is a false alarm;
(b) ``mutation``: the page's own article changed on its DOM (``corpus_cases.mutations``, extended);
(c) ``seed``: the seed article pasted into real page templates, benign variants (must be compliant)
    and violations (``seed_cases``), the benign ones also around share bars, a sidebar teaser
    repeating title and lead, comments, and in Latin-1 / Windows-1252 bytes.

Scores per mutation kind: recall (found with an accepted kind, as an error), localisation (the
finding's evidence points at the change), precision (of the error findings the mutation added to
the page's as-is report, the share that report it). False-alarm rates on benign and as-is cases.

The peer is trafilatura's extraction followed by a difflib word diff of its text against the
canonical text (what a user would assemble from well-known parts). It flags a case when its diff
is not empty; it can only ever see text, so it reports cuts, additions and alterations.
"""

from __future__ import annotations

import argparse
import difflib
import json
import random
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_cases import CorpusPage, canonical_for, corpus_root, load_pages, mutations, roundtrip
from seed_cases import BENIGN, TEMPLATE_IDS, VIOLATIONS, seed, templates

from checker import check, load_profile
from checker.fetch import decode_html
from checker.models import Report
from checker.normalize import keys


@dataclass
class Case:
    """One labelled page."""

    source: str  # "as-is", "mutation", "seed-benign", "seed-violation"
    name: str  # mutation or variant name
    page_id: str
    html: str | bytes
    canonical: dict[str, Any]
    profile: str
    expect: frozenset[str] = frozenset()  # accepted kinds; empty = benign
    marker: str = ""


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --- peer pipeline ---------------------------------------------------------------------------------


def peer_available() -> bool:
    """True when trafilatura is installed (``pip install .[bench]``)."""
    try:
        import trafilatura  # noqa: F401
    except ImportError:
        return False
    return True


def peer_kinds(html: str | bytes, canonical: dict[str, Any]) -> set[str]:
    """What trafilatura + difflib would report: text kinds from a word diff of the extracted text."""
    import trafilatura

    text = html if isinstance(html, str) else decode_html(html)[0]
    extracted = trafilatura.extract(text, include_comments=False, include_tables=True) or ""
    want = keys(" ".join([canonical.get("lead") or "", *canonical["body"]]))
    got = keys(extracted)
    if not got:
        return {"unverifiable"}
    kinds: set[str] = set()
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, want, got, autojunk=False).get_opcodes():
        if tag == "delete":
            kinds.add("text.cut")
        elif tag == "insert":
            kinds.add("text.addition")
        elif tag == "replace":
            kinds.add("text.alteration" if max(i2 - i1, j2 - j1) <= 12 else "text.cut")
    return kinds


# --- cases ------------------------------------------------------------------------------------------


def _wrap_benign(html: str, a: dict[str, Any]) -> str:
    """The pasted article between share bars, with a sidebar teaser and comments after it."""
    share = '<div class="share"><a href="#">Partager</a> <a href="#">Facebook</a> <a href="#">X</a></div>'
    teaser = f'<aside class="teaser"><h3><a href="/a">{a["title"]}</a></h3><p>{a["lead"]}</p></aside>'
    comments = '<section class="comments"><h3>Commentaires</h3><p>Très bon article, merci.</p></section>'
    return share + html + share + teaser + comments


def seed_cases(pages: list[CorpusPage], rng: random.Random) -> Iterator[Case]:
    """The seed article in every template: benign variants (also re-encoded) and violations."""
    article = seed()
    for template in templates(pages, TEMPLATE_IDS):
        for name, render in BENIGN.items():
            yield Case("seed-benign", name, template.page.id, template.paste(render(article)), article, "rfi")
        yield Case(
            "seed-benign",
            "chrome-around",
            template.page.id,
            template.paste(_wrap_benign(BENIGN["as-published"](article), article)),
            article,
            "rfi",
        )
        for codec in ("latin-1", "windows-1252"):
            page = template.paste(BENIGN["as-published"](article))
            page = page.replace("<head>", f'<head><meta charset="{codec}">', 1)
            yield Case(
                "seed-benign",
                f"encoded-{codec}",
                template.page.id,
                page.encode("cp1252" if codec == "windows-1252" else "latin-1", errors="xmlcharrefreplace"),
                article,
                "rfi",
            )
        for name, (kinds, render) in VIOLATIONS.items():
            yield Case(
                "seed-violation", name, template.page.id, template.paste(render(article)), article, "rfi", expect=kinds
            )


def corpus_cases(pages: list[CorpusPage], seed_value: int) -> Iterator[Case]:
    """Each real page as it is, then its mutations."""
    for page in pages:
        canonical = canonical_for(page)
        yield Case("as-is", "as-is", page.id, page.raw, canonical, "verbatim")
        same = roundtrip(page)
        if same is not None:
            yield Case("baseline", "baseline", page.id, same, canonical, "verbatim")
        for m in mutations(page, canonical, seed_value, extended=True):
            yield Case(
                "mutation", m.kind, page.id, m.html, canonical, "verbatim", expect=m.expect_kinds, marker=m.marker
            )


# --- scoring ----------------------------------------------------------------------------------------


def _localised(report: Report, case: Case) -> bool:
    if not case.marker:
        return True  # nothing textual to point at (a removed title, a moved paragraph)
    marker = _norm(case.marker)
    for f in report.findings:
        if f.kind in case.expect:
            ev = " ".join(
                [
                    f.canonical.text if f.canonical else "",
                    f.partner.text if f.partner else "",
                    *(v for _, v in f.detail),
                ]
            )
            if marker in _norm(ev):
                return True
    return False


def run(
    pages: list[CorpusPage], seed_value: int = 0, with_peer: bool = True, template_pages: list[CorpusPage] | None = None
) -> dict[str, Any]:
    """Run every case through repcheck (and the peer); return scores and misses.

    *pages* give the as-is and mutation cases; *template_pages* (default: *pages*) the templates.
    """
    rng = random.Random(seed_value)
    profiles = {p: load_profile(p) for p in ("rfi", "verbatim")}
    with_peer = with_peer and peer_available()
    per_kind: dict[str, Counter[str]] = defaultdict(Counter)
    benign: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[dict[str, Any]] = []
    baselines: dict[str, frozenset[str]] = {}
    started = time.perf_counter()
    all_cases = list(corpus_cases(pages, seed_value)) + list(seed_cases(template_pages or pages, rng))
    for case in all_cases:
        report = check(case.html, case.canonical, profiles[case.profile])
        errors = [f for f in report.findings if f.severity.value == "error"]
        if case.source == "baseline":  # not scored: what mutations are compared with
            baselines[case.page_id] = frozenset(f.fingerprint for f in errors)
            continue
        peer = peer_kinds(case.html, case.canonical) if with_peer else None
        if not case.expect:  # benign or as-is: any error is a false alarm
            group = benign[case.source]
            group["cases"] += 1
            integrity = [f for f in errors if f.kind in ("text.cut", "text.alteration") or f.kind.startswith("title.")]
            group["false_alarm"] += bool(errors) or report.verdict.value == "unverifiable"
            group["false_alarm_text_title"] += bool(integrity)
            if peer is not None:
                group["peer_false_alarm"] += bool(peer)
            if errors or report.verdict.value == "unverifiable":
                misses.append(
                    {
                        "source": case.source,
                        "case": case.name,
                        "page": case.page_id,
                        "got": sorted({f.kind for f in errors}) or [report.verdict.value],
                        "message": report.message,
                    }
                )
            continue
        key = f"{case.source}:{case.name}"
        c = per_kind[key]
        c["cases"] += 1
        severity_ok = {"error", "warning"} if case.expect == {"attribution.missing"} else {"error"}
        found = [f for f in report.findings if f.kind in case.expect and f.severity.value in severity_ok]
        if found:
            c["found"] += 1
            c["localised"] += _localised(report, case)
        else:
            misses.append(
                {
                    "source": case.source,
                    "case": case.name,
                    "page": case.page_id,
                    "expected": sorted(case.expect),
                    "got": sorted({f.kind for f in errors}) or [report.verdict.value],
                    "message": report.message,
                }
            )
        new = [f for f in errors if f.fingerprint not in baselines.get(case.page_id, frozenset())]
        if case.source == "mutation":
            c["new_findings"] += len(new)
            c["new_matching"] += sum(1 for f in new if f.kind in case.expect)
        else:  # seed pages have no as-is baseline: every error counts
            c["new_findings"] += len(errors)
            c["new_matching"] += sum(1 for f in errors if f.kind in case.expect)
        if peer is not None:
            c["peer_found"] += bool(peer & case.expect)
    kinds = {}
    for key, c in sorted(per_kind.items()):
        kinds[key] = {
            "cases": c["cases"],
            "recall": c["found"] / c["cases"],
            "localised": c["localised"] / c["found"] if c["found"] else 0.0,
            "precision": c["new_matching"] / c["new_findings"] if c["new_findings"] else 1.0,
            "peer_recall": c["peer_found"] / c["cases"] if with_peer else None,
        }
    false_alarms = {
        src: {
            "cases": g["cases"],
            "false_alarm_rate": g["false_alarm"] / g["cases"],
            "false_alarm_rate_text_title": g["false_alarm_text_title"] / g["cases"],
            "peer_false_alarm_rate": g["peer_false_alarm"] / g["cases"] if with_peer else None,
        }
        for src, g in sorted(benign.items())
    }
    return {
        "cases": len(all_cases),
        "seconds": round(time.perf_counter() - started, 1),
        "peer": "trafilatura + difflib" if with_peer else None,
        "kinds": kinds,
        "false_alarms": false_alarms,
        "misses": misses,
    }


def print_tables(res: dict[str, Any]) -> None:
    """The accuracy tables, repcheck and peer side by side."""
    peer = res["peer"] is not None
    print(f"accuracy: {res['cases']} cases in {res['seconds']} s; peer: {res['peer'] or 'not installed'}")
    print(f"{'case kind':<36} {'cases':>5} {'recall':>7} {'local.':>7} {'prec.':>7} {'peer recall':>11}")
    for key, k in res["kinds"].items():
        peer_cell = f"{k['peer_recall']:.1%}" if peer else "-"
        print(
            f"{key:<36} {k['cases']:>5} {k['recall']:>7.1%} {k['localised']:>7.1%} {k['precision']:>7.1%} "
            f"{peer_cell:>11}"
        )
    print(f"{'benign / as-is':<36} {'cases':>5} {'false alarms':>13} {'(text/title)':>12} {'peer':>8}")
    for src, g in res["false_alarms"].items():
        peer_cell = f"{g['peer_false_alarm_rate']:.1%}" if peer else "-"
        print(
            f"{src:<36} {g['cases']:>5} {g['false_alarm_rate']:>13.1%} {g['false_alarm_rate_text_title']:>12.1%} "
            f"{peer_cell:>8}"
        )


def main(argv: list[str] | None = None) -> int:
    """Run the accuracy benchmark and print its tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=None)
    ap.add_argument("--json", type=Path, default=None, help="write scores and every miss to this file")
    ap.add_argument("--limit", type=int, default=None, help="only the first N corpus pages")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-peer", action="store_true", help="skip the trafilatura + difflib peer")
    args = ap.parse_args(argv)
    root = args.corpus or corpus_root()
    if root is None or not (root / "manifest.json").is_file():
        print("corpus not found: pass --corpus ../shared/corpus (or set REPCHECK_CORPUS)", file=sys.stderr)
        return 2
    every = load_pages(root)
    res = run(every[: args.limit], args.seed, with_peer=not args.no_peer, template_pages=every)
    print_tables(res)
    if args.json:
        args.json.write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
