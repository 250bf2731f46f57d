"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright.

Checks what only a browser can: a hostile partner page runs nothing in the report (no dialog, no
script, no request to any host), the report renders with its diff marks visible, and it prints.
Screenshots and a PDF print are saved under ``reports/screenshots/`` (ignored by git) for people
to look at. Skips, saying why, where Chromium or Playwright is not installed (``.ci/run`` installs
both).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_formats_html import CANONICAL, PARTNERS, hostile_page

from checker import check
from checker.formats import Document, RenderOptions
from checker.formats.html import HtmlFormatter

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "reports" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags as the machine's notes give them: no sandbox as root, and no background connections
# (this machine's network is closed; Chromium would otherwise try Google's hosts at start).
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _write_report(page: str | Path, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    out = SHOTS / f"{name}.html"
    report = check(page, CANONICAL, "rfi")
    out.write_text(HtmlFormatter().render(Document.from_report(report), RenderOptions()), encoding="utf-8")
    return out


class _Watch:
    """Everything the page does that a report must never do."""

    def __init__(self, page: Any, report: Path) -> None:
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.report_url = report.as_uri()

    @property
    def foreign_requests(self) -> list[str]:
        return [u for u in self.requests if u != self.report_url and not u.startswith("data:")]


def _open(browser: Any, report: Path) -> tuple[Any, _Watch]:
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    watch = _Watch(page, report)
    page.goto(report.as_uri(), wait_until="load")
    page.wait_for_timeout(300)  # let anything that would run (onerror, iframes) run
    return page, watch


def test_hostile_partner_content_runs_nothing_in_a_real_browser(browser: Any, tmp_path: Path) -> None:
    source = tmp_path / "hostile.html"
    source.write_text(hostile_page(), encoding="utf-8")
    report = _write_report(source, "hostile")
    page, watch = _open(browser, report)
    try:
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.evaluate("document.scripts.length") == 0
        assert page.evaluate("document.querySelectorAll('iframe, img, object, embed').length") == 0
        assert page.evaluate("[...document.links].filter(a => a.protocol === 'javascript:').length") == 0
        assert watch.dialogs == [] and watch.errors == []
        assert watch.foreign_requests == []  # nothing fetched from any host, not even evil.example
        # The payloads are on screen as text, for the lawyer to read.
        body = page.inner_text("body")
        assert "<script>window.__pwned=1</script>" in body and "javascript:window.__pwned=4" in body
        page.screenshot(path=str(SHOTS / "hostile.png"), full_page=True)
    finally:
        page.close()


@pytest.mark.parametrize(
    ("example", "marks"),
    [("compliant.html", {"del": 0, "flag": 0}), ("several-violations.html", {"del": 2, "flag": 1})],
)
def test_report_renders_with_its_diff_marks_and_prints(browser: Any, example: str, marks: dict[str, int]) -> None:
    name = Path(example).stem
    report = _write_report(PARTNERS / example, name)
    page, watch = _open(browser, report)
    try:
        assert watch.foreign_requests == [] and watch.errors == []
        shot = SHOTS / f"{name}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 30_000  # a rendered page, not a blank one
        assert page.locator("h1").is_visible()
        deleted = page.locator("article.redline del")
        assert deleted.count() >= marks["del"]
        if marks["del"]:
            first = deleted.first
            assert first.is_visible() and first.bounding_box()["width"] > 0
            assert "line-through" in first.evaluate("e => getComputedStyle(e).textDecorationLine")
            inserted = page.locator("article.redline ins")
            assert inserted.count() >= 2 and inserted.first.is_visible()
        assert page.locator("article.redline .flag").count() == marks["flag"]
        pdf = page.pdf(path=str(SHOTS / f"{name}.pdf"), print_background=True)
        assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    finally:
        page.close()
