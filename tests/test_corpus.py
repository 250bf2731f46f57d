"""Real pages from ../shared/corpus: the seed article pasted into real templates, and a sample of
pages checked as they are and with one mutation each. Skipped, with a message, without the corpus.

The full figures come from ``python bench/acceptance.py``; these tests pin floors on a sample so the
harness and the behaviour cannot rot unnoticed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from corpus_cases import canonical_for, corpus_root, load_pages, mutations, title_shown
from seed_cases import BENIGN, TEMPLATE_IDS, VIOLATIONS, seed, templates

from checker import check, load_profile

ROOT = corpus_root()
pytestmark = pytest.mark.skipif(
    ROOT is None, reason="real-page corpus not found at ../shared/corpus (set REPCHECK_CORPUS to run these tests)"
)


@pytest.fixture(scope="module")
def pages():  # type: ignore[no-untyped-def]
    assert ROOT is not None
    return load_pages(ROOT)


@pytest.mark.parametrize("template_id", TEMPLATE_IDS[:4])
def test_seed_in_real_template(pages, template_id: str) -> None:  # type: ignore[no-untyped-def]
    """Every benign variant is compliant; every violation is found with its kind."""
    found = templates(pages, [template_id])
    if not found:
        pytest.skip(f"{template_id}: not in this corpus or no article slot")
    template = found[0]
    article, profile = seed(), load_profile("rfi")
    problems = []
    for name, render in BENIGN.items():
        report = check(template.paste(render(article)), article, profile)
        if report.verdict.value != "compliant":
            errs = [f"{f.kind}: {f.message}" for f in report.findings if f.severity.value == "error"]
            problems.append(f"benign {name}: {report.verdict.value} {report.message or ''} {errs[:3]}")
    for name, (kinds, render) in VIOLATIONS.items():
        report = check(template.paste(render(article)), article, profile)
        severity = "warning" if kinds == {"attribution.missing"} else "error"  # rfi.toml: a warning
        got = {f.kind for f in report.findings if f.severity.value == severity}
        if not kinds & got:
            problems.append(f"violation {name}: expected {sorted(kinds)}, got {sorted(got)} {report.message or ''}")
    assert not problems, "\n".join(problems)


def test_corpus_sample_as_is_and_mutated(pages) -> None:  # type: ignore[no-untyped-def]
    """A stride sample of real pages: clean as they are, and each mutation found with its kind."""
    from acceptance import as_is_errors, found

    sample = pages[::12]
    clean = 0
    hits = total = 0
    misses = []
    for page in sample:
        canonical = canonical_for(page)
        report = check(page.raw, canonical, "verbatim")
        if report.verdict.value != "unverifiable" and not as_is_errors(report, title_shown(page)):
            clean += 1
        for m in mutations(page, canonical):
            total += 1
            if found(check(m.html, canonical, "verbatim"), m):
                hits += 1
            else:
                misses.append(f"{page.id} {m.kind}")
    # Floors pinned below the full-corpus figures of bench/acceptance.py (see the README).
    assert clean >= 0.75 * len(sample), f"only {clean}/{len(sample)} pages clean as they are"
    assert hits >= 0.9 * total, f"mutations found {hits}/{total}; missed: {misses}"


def test_redline_rebuilds_every_canonical_paragraph_on_real_pages(pages) -> None:  # type: ignore[no-untyped-def]
    """On every 4th real page (any script), the redline's kept and cut text is the canonical text."""
    broken = []
    for page in pages[::4]:
        canonical = canonical_for(page)
        report = check(page.raw, canonical, "verbatim")
        if report.canonical is None or report.verdict.value == "unverifiable":
            continue
        article = report.canonical
        rebuilt: dict[int, str] = {}
        for seg in report.redline:
            if seg.op != "insert":
                assert seg.paragraph is not None
                rebuilt[seg.paragraph] = rebuilt.get(seg.paragraph, "") + seg.text
        if rebuilt.get(-1) != article.lead or [rebuilt.get(i, "") for i in range(len(article.body))] != list(
            article.body
        ):
            broken.append(page.id)
    assert not broken, f"redline does not rebuild the canonical text of {broken}"
