"""Hostile and broken pages: ``check`` never raises, the CLI never prints a traceback.

Whatever the bytes, the answer is a verdict (compliant, violation or unverifiable); a page that
cannot be judged is unverifiable with a reason, never an exception (checker.pipeline.check).
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from checker import check
from checker.canonical import load_canonical
from checker.cli import main
from checker.models import Report
from checker.profiles import load_profile
from checker.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
CANONICAL_PATH = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
ARTICLE = load_canonical(CANONICAL_PATH)
RFI = load_profile("rfi")
PARTNERS = ROOT / "examples" / "partners"
EXAMPLE_PAGES = sorted(PARTNERS.iterdir())
VERDICTS = {"compliant", "violation", "unverifiable"}
REPORT_VALIDATOR = jsonschema.Draft202012Validator(load_schema("report"))

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Words of the article itself, so random trees sometimes carry enough of it to be aligned.
ARTICLE_WORDS = " ".join([ARTICLE.title, ARTICLE.lead or "", *ARTICLE.body]).split()


def judged(page: Any) -> Report:
    """check() must answer with a well-formed report, whatever *page* is."""
    report = check(page, ARTICLE, RFI)
    assert report.verdict.value in VERDICTS
    data = report.to_dict()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in REPORT_VALIDATOR.iter_errors(data)]
    assert not errors, errors
    if report.verdict.value == "unverifiable":
        assert report.reason and report.message and "\n" not in report.message
    return report


# --- raw input ---------------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=4096))
def test_random_bytes(raw: bytes) -> None:
    judged(raw)


@SETTINGS
@given(st.text(max_size=2048))
def test_random_text_as_markup(text: str) -> None:
    judged("<" + text)
    judged(f"<html><body><p>{text}</p></body></html>")


@SETTINGS
@given(st.text(max_size=300))
def test_random_text_as_a_page_reference(text: str) -> None:
    # A str that does not start with "<" names a page: a path or a URL. Never reach the network.
    head = text.strip().lower()
    assume(not head.startswith(("http:", "https:")))
    # NUL in a path: a known bug, pinned by test_path_with_nul_byte below.
    assume("\x00" not in text or text.lstrip().startswith("<"))
    judged(text)


def _end_of_article(raw: bytes) -> int:
    """Offset just after the article's last words in *raw* (either encoding of the examples), else len."""
    for encoding in ("utf-8", "windows-1252"):
        at = raw.find("sa démarche".encode(encoding))
        if at >= 0:
            return at + len("sa démarche".encode(encoding))
    return len(raw)


@pytest.mark.parametrize("path", EXAMPLE_PAGES, ids=lambda p: p.name)
def test_truncated_prefixes_of_every_example(path: Path) -> None:
    raw = path.read_bytes()
    end_of_article = _end_of_article(raw)
    for end in range(0, len(raw), 97):
        report = judged(raw[:end])
        if end < end_of_article:  # the article is cut short: never compliant
            assert report.verdict.value != "compliant", (path.name, end)


def test_page_ending_just_after_the_lead() -> None:
    """Regression: the article at the very end of the page made the headline search read past the
    last block (IndexError in align._Locator.title)."""
    raw = (PARTNERS / "added-paragraph.html").read_bytes()
    cut = raw.index(b"Khalifa Hafta", raw.index(b'class="chapo"')) + len(b"Khalifa Hafta")
    report = judged(raw[:cut])
    assert report.verdict.value in ("violation", "unverifiable")


# --- hostile structure -------------------------------------------------------------------------

TAGS = [
    "div",
    "p",
    "span",
    "a",
    "article",
    "section",
    "figure",
    "figcaption",
    "h1",
    "h2",
    "ul",
    "li",
    "table",
    "td",
    "tr",
    "b",
    "i",
    "em",
    "script",
    "style",
    "iframe",
    "ins",
    "form",
    "video",
    "noscript",
    "template",
    "svg",
    "math",
    "select",
    "option",
    "button",
    "textarea",
    "pre",
    "blockquote",
    "main",
    "aside",
    "nav",
]
VOID = ["br", "img", "hr", "input", "wbr", "source", "meta"]
ATTRS = ["class", "id", "href", "src", "style", "hidden", "lang", "data-x", "width", "height", "alt"]

words = st.lists(st.sampled_from(ARTICLE_WORDS), min_size=1, max_size=40).map(" ".join)
text_nodes = st.one_of(words, st.text(max_size=40).map(lambda s: s.replace("<", "&lt;")))
attr_values = st.one_of(
    st.sampled_from(
        ["ad", "ads", "adsbygoogle", "display:none", "https://ads.example/x", "hidden", "credit", "0", "1", "x" * 300]
    ),
    st.text(max_size=20),
)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    pairs = draw(st.lists(st.tuples(st.sampled_from(ATTRS), attr_values), max_size=3))
    return "".join(f' {k}="{v.replace(chr(34), "&quot;")}"' for k, v in pairs)


def _element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    @st.composite
    def build(draw: st.DrawFn) -> str:
        tag = draw(st.sampled_from(TAGS))
        inner = "".join(draw(st.lists(children, max_size=4)))
        closing = draw(st.sampled_from([f"</{tag}>", f"</{tag}>", "", "</div>", "</p>"]))  # broken nesting too
        return f"<{tag}{draw(attributes())}>{inner}{closing}"

    return build()


trees = st.recursive(
    st.one_of(text_nodes, st.builds(lambda t, a: f"<{t}{a}>", st.sampled_from(VOID), attributes())),
    _element,
    max_leaves=40,
)


@SETTINGS
@given(trees, st.booleans())
def test_random_nesting_of_tags(tree: str, wrap: bool) -> None:
    page = f"<!DOCTYPE html><html><body>{tree}</body></html>" if wrap else tree
    note(page)
    judged(page)
    judged(page.encode("utf-8"))


@SETTINGS
@given(trees, st.integers(0, 12), st.sampled_from(["<p>", "<div>", "<br>", "</p>", "</article>"]))
def test_random_tags_spliced_into_a_real_page(tree: str, where: int, junk: str) -> None:
    page = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    paragraphs = page.split("<p")
    where %= len(paragraphs)
    paragraphs[where] = junk + tree + paragraphs[where]
    judged("<p".join(paragraphs))


@pytest.mark.parametrize("depth", [300, 5000])
def test_deeply_nested_divs(depth: int) -> None:
    judged("<div>" * depth + "texte" + "</div>" * depth)
    article = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    judged("<html><body>" + "<div>" * depth + article + "</div>" * depth + "</body></html>")
    judged(("<span><p>" * depth).encode())


def test_article_nested_300_deep_is_still_judged() -> None:
    article = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    report = judged("<html><body>" + "<div>" * 300 + article + "</div>" * 300 + "</body></html>")
    assert report.verdict.value == "compliant", report.message


def test_huge_attribute_values() -> None:
    page = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    big = "x" * 3_000_000
    judged(page.replace("<article", f'<article data-x="{big}"', 1))
    judged(page.replace('<p class="byline"', f'<p class="byline" title="{big}" style="{big}"', 1))
    judged(f'<a href="{big}">{big}</a>')


def test_nul_bytes_and_invalid_utf8() -> None:
    page = (PARTNERS / "compliant.html").read_bytes()
    judged(page.replace(b"</h1>", b"\x00</h1>", 1))
    judged(page.replace(b"<p>", b"<p>\x00\x00", 3))
    judged(b"\x00" * 1000)
    judged(page[:4000] + b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc" + page[4000:])
    judged(b"\xef\xbb\xbf" + page.replace("é".encode(), b"\xe9"))  # BOM says UTF-8, bytes are Latin-1
    judged(b"\xff\xfe" + page)  # UTF-16 BOM on UTF-8 bytes
    judged(page.decode("utf-8").encode("utf-16"))
    judged(page.decode("utf-8").encode("utf-32"))
    judged("<p>\x00</p>" + page.decode("utf-8"))


def test_path_with_nul_byte() -> None:
    judged("page\x00.html")


def test_str_page_with_a_lone_surrogate() -> None:
    judged((PARTNERS / "compliant.html").read_text(encoding="utf-8").replace("</h1>", "\ud800</h1>", 1))


# --- the same through the command line ----------------------------------------------------------


def run_cli(page: bytes, fmt: str) -> tuple[int, str, str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "page.html"
        path.write_bytes(page)
        out, err = io.StringIO(), io.StringIO()
        code = main(
            ["check", str(path), "--canonical", str(CANONICAL_PATH), "--rules", "rfi", "--format", fmt],
            stdout=out,
            stderr=err,
            env={},
        )
    return code, out.getvalue(), err.getvalue()


def assert_cli_answer(page: bytes) -> None:
    for fmt in ("text", "json"):
        code, out, err = run_cli(page, fmt)
        assert code in (0, 1, 3), (code, err)
        assert "Traceback" not in out + err
        if code == 3:
            assert err.count("\n") == 1, err
        if fmt == "json":
            data = json.loads(out)
            assert not list(REPORT_VALIDATOR.iter_errors(data))
            assert {"compliant": 0, "violation": 1, "unverifiable": 3}[data["verdict"]] == code


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.binary(max_size=2048), trees.map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_cli_on_random_pages(page: bytes) -> None:
    assert_cli_answer(page)


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"\x00" * 64,
        b"\xff\xfe\xfd",
        ("<div>" * 5000).encode(),
        (PARTNERS / "cut-paragraph.html").read_bytes()[:2813],
        (PARTNERS / "compliant.html").read_bytes()[:5000],
    ],
    ids=["empty", "nul", "invalid-utf8", "deep", "ends-after-lead", "half-page"],
)
def test_cli_on_broken_pages(page: bytes) -> None:
    assert_cli_answer(page)
