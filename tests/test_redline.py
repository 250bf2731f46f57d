"""The redline a report carries: what the HTML report shows as struck-through and added text."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker import check
from checker.models import Report
from checker.schemas import validate

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PAGES = sorted(p.name for p in (ROOT / "examples" / "partners").glob("*.html") if p.name != "not-the-article.html")


def _report(name: str) -> Report:
    return check(ROOT / "examples" / "partners" / name, CANONICAL, "rfi")


@pytest.mark.parametrize("name", PAGES)
def test_canonical_text_is_rebuilt_exactly_from_kept_and_cut_segments(name: str) -> None:
    report = _report(name)
    assert report.canonical is not None
    article = report.canonical
    paragraphs: dict[int, str] = {}
    for seg in report.redline:
        assert seg.op in ("equal", "delete", "insert")
        if seg.op != "insert":
            assert seg.paragraph is not None
            paragraphs[seg.paragraph] = paragraphs.get(seg.paragraph, "") + seg.text
    assert paragraphs.get(-1) == article.lead
    assert [paragraphs.get(i) for i in range(len(article.body))] == list(article.body)
    validate(report.to_dict(), "report", name)


def test_cut_paragraph_is_one_deleted_segment() -> None:
    report = _report("cut-paragraph.html")
    assert report.canonical is not None
    deleted = [s for s in report.redline if s.op == "delete"]
    assert [(s.paragraph, s.text) for s in deleted] == [(2, report.canonical.body[2])]


def test_added_paragraph_is_one_partner_paragraph_between_the_right_ones() -> None:
    ops = [(s.op, s.paragraph) for s in _report("added-paragraph.html").redline]
    at = ops.index(("insert", None))
    assert ops[at - 1] == ("equal", 1) and ops[at + 1] == ("equal", 2)
    added = _report("added-paragraph.html").redline[at].text
    assert added.startswith("Pour notre rédaction") and added.endswith(".")


def test_altered_words_show_the_cut_word_then_the_partner_word_in_place() -> None:
    segs = [(s.op, s.text.strip()) for s in _report("altered-words.html").redline if s.paragraph == -1]
    assert ("delete", "48") in segs and ("insert", "72") in segs
    assert segs.index(("delete", "48")) + 1 == segs.index(("insert", "72"))


def test_truncated_article_shows_every_cut_paragraph_and_the_read_more_line() -> None:
    segs = _report("truncated.html").redline
    assert [s.paragraph for s in segs if s.op == "delete"] == [1, 2, 3]
    assert any(s.op == "insert" and s.text == "Lire la suite sur RFI…" for s in segs)


def test_compliant_page_with_typographic_noise_has_no_changed_canonical_text() -> None:
    segs = _report("compliant.html").redline
    assert not [s for s in segs if s.op == "delete"]
    assert [s.text for s in segs if s.op == "insert"] == ["Source : RFI"]  # allowed by the rfi profile
