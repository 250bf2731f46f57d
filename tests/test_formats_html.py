"""The html format: what a lawyer opens, prints and forwards. Parsed here with lxml; rendered in a
real browser in test_html_browser.py."""

from __future__ import annotations

import io
from pathlib import Path

import lxml.html
import pytest
from conftest import LocalServer, html, write_audit_file

from checker import check
from checker.cli import main
from checker.formats import Document, RenderOptions
from checker.formats.html import HtmlFormatter

ROOT = Path(__file__).resolve().parent.parent
PARTNERS = ROOT / "examples" / "partners"
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"


def hostile_page() -> str:
    """The compliant example with script, onerror and javascript: payloads as text, links and elements."""
    page = (PARTNERS / "compliant.html").read_text(encoding="utf-8")
    marker = '<div class="article-body">'
    assert marker in page
    payload = (
        marker
        + '<p>&lt;script&gt;window.__pwned=1&lt;/script&gt; &lt;img src=x onerror="window.__pwned=2"&gt;'
        + ' <a href="javascript:window.__pwned=3">cliquez ici</a> &lt;/p&gt;&lt;/article&gt;</p>'
        + '<iframe src="javascript:window.__pwned=4"></iframe><script>window.__pwned=5</script>'
        + '<img src="http://evil.example/x.png" onerror="window.__pwned=6" alt="x">'
    )
    return page.replace(marker, payload, 1).replace(
        "Moscou en quête", 'Moscou <img src=x onerror="window.__pwned=7"> en quête', 1
    )


def _render(page: str | Path, **options: object) -> str:
    report = check(page, CANONICAL, "rfi")
    return HtmlFormatter().render(Document.from_report(report), RenderOptions(**options))  # type: ignore[arg-type]


def _external_references(doc: lxml.html.HtmlElement) -> list[str]:
    """Every attribute that would make a browser fetch something when the file is opened."""
    out = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in ("src", "srcset", "poster", "data", "background", "action", "formaction"):
            if el.get(attr):
                out.append(f"{el.tag}[{attr}]={el.get(attr)}")
        if el.tag == "link" and el.get("href"):
            out.append(f"link[href]={el.get('href')}")
        if "url(" in (el.get("style") or ""):
            out.append(f"{el.tag}[style]")
    return out


def test_violation_report_shows_each_change_inline_with_its_clause() -> None:
    out = _render(PARTNERS / "several-violations.html")
    doc = lxml.html.fromstring(out)
    article = doc.cssselect("article.redline")[0]
    deleted = [d.text_content() for d in article.cssselect("del")]
    inserted = [i.text_content() for i in article.cssselect("ins")]
    assert any(d.startswith("Le général Haftar ne cache pas") for d in deleted)  # the cut paragraph
    assert any("cette visite marque un tournant" in i for i in inserted)  # the added one
    assert any("© REUTERS/Esam Omran Al-Fetori" in d for d in deleted)  # the credit, as canonical
    assert any("© Le Courrier du Sahel" in i for i in inserted)  # and as the partner changed it
    flags = article.cssselect(".flag")
    assert len(flags) == 1 and "ads.example.net" in flags[0].text_content()
    # The ad is flagged where it sits: right before the paragraph that follows it on the page.
    following = flags[0].getnext()
    assert following.tag == "p" and following.text_content().startswith("Le général Haftar devient")
    findings = doc.cssselect("section.page table tbody tr")
    assert len(findings) == 4
    assert all(row.cssselect("blockquote.clause") for row in findings)  # every finding quotes its clause
    assert "sans modifications, coupures, ajouts, incrustations" in out
    assert doc.cssselect("h1") and doc.cssselect("section.page h2 .verdict.violation")
    assert all(t.cssselect("th") for t in doc.cssselect("table"))


def test_compliant_report_has_no_marks_and_says_so() -> None:
    doc = lxml.html.fromstring(_render(PARTNERS / "compliant.html"))
    assert doc.cssselect(".verdict.compliant") and "Nothing the licence forbids was found" in doc.text_content()
    article = doc.cssselect("article.redline")[0]
    assert not article.cssselect("del")
    assert [i.text_content() for i in article.cssselect("ins")] == ["Source : RFI"]  # allowed, still shown
    assert doc.cssselect("details:not([open])")  # the article folded away: nothing to look at


def test_report_is_self_contained_and_runs_nothing() -> None:
    out = _render(PARTNERS / "several-violations.html")
    doc = lxml.html.fromstring(out)
    assert not doc.cssselect("script") and not _external_references(doc)
    csp = doc.cssselect('meta[http-equiv="Content-Security-Policy"]')[0].get("content")
    assert "default-src 'none'" in csp and "script-src" not in csp
    assert "@media print" in out


def test_partner_payloads_are_escaped_text(tmp_path: Path) -> None:
    page = tmp_path / "hostile.html"
    page.write_text(hostile_page(), encoding="utf-8")
    out = _render(page)
    doc = lxml.html.fromstring(out)
    assert not doc.cssselect("script, iframe, img, object, embed")
    assert not [el for el in doc.iter() if isinstance(el.tag, str) and any(a.startswith("on") for a in el.attrib)]
    hrefs = [a.get("href") for a in doc.cssselect("a[href]")]
    assert hrefs and all(
        h.startswith(("#", "http://", "https://", "file:")) is False or not h.startswith("javascript") for h in hrefs
    )
    assert not [h for h in hrefs if "javascript" in h.lower()]
    text = doc.text_content()
    # The payloads are there, as text the lawyer can read.
    assert "<script>window.__pwned=1</script>" in text and '<img src=x onerror="window.__pwned=2">' in text
    assert "javascript:window.__pwned=4" in text  # the iframe's src, flagged as text
    assert not _external_references(doc)


def test_check_writes_several_formats_in_one_run(tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "check",
            str(PARTNERS / "several-violations.html"),
            "--canonical",
            str(CANONICAL),
            "--rules",
            "rfi",
            "--format",
            f"html:{tmp_path / 'r.html'}",
            "--format",
            f"json:{tmp_path / 'r.json'}",
            "--format",
            "text",
        ],
        stdout=out,
        stderr=err,
        env={},
    )
    assert code == 1
    assert out.getvalue().startswith("VIOLATION")
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert '"verdict": "violation"' in (tmp_path / "r.json").read_text(encoding="utf-8")
    assert "html report written to" in err.getvalue()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--format", "text", "--format", "json"], "several formats (text, json) for standard output"),
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--format", "html:"], "a file name is missing"),
        (["--format", "html:x.html", "--output", "y"], "--output names the file of a --format given without :PATH"),
    ],
)
def test_bad_output_options_are_one_line_and_exit_2(argv: list[str], message: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["check", str(PARTNERS / "compliant.html"), "--canonical", str(CANONICAL), *argv], stdout=out, stderr=err
    )
    assert code == 2 and message in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


def test_a_custom_template_restyles_without_code(tmp_path: Path) -> None:
    template = tmp_path / "brief.html.j2"
    template.write_text(
        "<p>{{ pages|length }} page: {% for p in pages %}{{ p.entry.verdict }} {{ p.url }}{% endfor %}</p>"
    )
    out = _render(PARTNERS / "cut-paragraph.html", template=str(template))
    assert out.startswith("<p>1 page: violation file://")


def test_fail_on_warning_changes_the_exit_status_not_the_verdict() -> None:
    args = ["check", str(PARTNERS / "compliant.html"), "--canonical", str(CANONICAL), "--rules", "rfi"]
    out, err = io.StringIO(), io.StringIO()
    assert main(args, stdout=out, stderr=err, env={}) == 0  # typography notes are info
    assert main([*args, "--fail-on", "info"], stdout=io.StringIO(), stderr=io.StringIO(), env={}) == 1
    assert main([*args, "--fail-on", "never"], stdout=io.StringIO(), stderr=io.StringIO(), env={}) == 0
    violating = ["check", str(PARTNERS / "cut-paragraph.html"), "--canonical", str(CANONICAL), "--fail-on", "never"]
    assert main(violating, stdout=io.StringIO(), stderr=io.StringIO(), env={}) == 0


def test_github_annotations_in_text_output_under_actions() -> None:
    out = io.StringIO()
    args = ["check", str(PARTNERS / "cut-paragraph.html"), "--canonical", str(CANONICAL), "--rules", "rfi"]
    main(args, stdout=out, stderr=io.StringIO(), env={"GITHUB_ACTIONS": "true"})
    lines = [line for line in out.getvalue().splitlines() if line.startswith("::")]
    assert lines and lines[0].startswith("::error title=repcheck text.cut (RFI-CUT)::file://")
    quiet = io.StringIO()
    main(args, stdout=quiet, stderr=io.StringIO(), env={})
    assert "::error" not in quiet.getvalue()


def _three_runs(server: LocalServer, tmp_path: Path) -> Path:
    locs = "".join(f"<url><loc>{server.url(p)}</loc></url>" for p in ("/cut.html", "/ad.html", "/ok.html"))
    server.route("/sitemap.xml", html(f"<urlset>{locs}</urlset>", headers={"Content-Type": "text/xml"}))
    server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    server.route("/ad.html", html((PARTNERS / "inserted-ad.html").read_bytes()))
    server.route("/ok.html", html((PARTNERS / "compliant.html").read_bytes()))
    audit = write_audit_file(tmp_path, server.url("/sitemap.xml"))
    for _ in range(2):
        assert main(["audit", str(audit), "--quiet"], stdout=io.StringIO(), stderr=io.StringIO(), env={}) == 1
    server.route("/ad.html", html((PARTNERS / "compliant.html").read_bytes()))  # the partner removes its ads
    outputs = ["--format", f"html:{tmp_path / 'audit.html'}", "--format", f"junit:{tmp_path / 'audit.xml'}"]
    assert main(["audit", str(audit), "--quiet", *outputs], stdout=io.StringIO(), stderr=io.StringIO(), env={}) == 1
    return audit


def test_audit_report_shows_trends_and_changes_and_renders_again_from_history(
    local_server: LocalServer, tmp_path: Path
) -> None:
    _three_runs(local_server, tmp_path)
    from junitparser import JUnitXml

    suites = list(JUnitXml.fromfile(str(tmp_path / "audit.xml")))
    assert [s.name for s in suites] == ["Courrier"] and suites[0].failures == 1  # cut.html's text.cut
    written = (tmp_path / "audit.html").read_text(encoding="utf-8")
    history = tmp_path / "reports" / "history.sqlite"
    out = io.StringIO()
    assert main(["report", "--history", str(history), "--list"], stdout=out, stderr=io.StringIO()) == 0
    assert [line.split()[0] for line in out.getvalue().splitlines()] == ["3", "2", "1"]

    target = tmp_path / "run3.html"
    assert "svg" in written
    code = main(
        ["report", "3", "--history", str(history), "--format", f"html:{target}"],
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert code == 1  # cut.html still violates
    assert target.read_text(encoding="utf-8") == written  # the night's report, rendered again identically
    doc = lxml.html.fromstring(target.read_text(encoding="utf-8"))
    svg = doc.cssselect("svg.trend")
    assert len(svg) == 1 and len(svg[0].cssselect("g")) == 3  # one bar per run
    assert svg[0].cssselect("title")[0].text_content().startswith("Courrier: pages per verdict over the last 3 runs")
    changes = [td.text_content() for td in doc.cssselect("table")[0].cssselect("td")]
    assert changes[2] == "2"  # resolved: the two embeds of ad.html
    resolved = doc.cssselect("table")
    assert any("Resolved since run 2" in t.text_content() for t in resolved)
    assert doc.cssselect(".tag.persisting")

    # A past run renders as it was: run 1 has no previous run, every finding new.
    first = io.StringIO()
    assert (
        main(["report", "1", "--history", str(history), "--format", "markdown"], stdout=first, stderr=io.StringIO())
        == 1
    )
    latest = io.StringIO()
    assert main(["report", "--history", str(history)], stdout=latest, stderr=io.StringIO()) == 1
    assert latest.getvalue().startswith("audit test-audit run 3:")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--history", "nowhere.sqlite"], "does not exist"),
        (["report", "99"], "no run 99"),
        (["report", "yesterday"], "RUN must be a run id or 'latest'"),
    ],
)
def test_report_errors_are_one_line(argv: list[str], message: str, local_server: LocalServer, tmp_path: Path) -> None:
    from checker.history import History

    history = tmp_path / "h.sqlite"
    with History.open(history):
        pass
    if "--history" not in argv:
        argv = [*argv, "--history", str(history)]
    err = io.StringIO()
    assert main(argv, stdout=io.StringIO(), stderr=err) == 2
    assert message in err.getvalue() and len(err.getvalue().strip().splitlines()) == 1


def test_the_example_workflow_runs_a_command_repcheck_accepts() -> None:
    import shlex

    from checker.cli import _parser

    workflow = (ROOT / "examples" / "ci" / "repcheck-audit.yml").read_text(encoding="utf-8")
    block = workflow.split("run: >", 1)[1].split("\n\n", 1)[0]
    argv = shlex.split(" ".join(line.strip() for line in block.splitlines()))
    assert argv[0] == "repcheck"
    args = _parser().parse_args(argv[1:])  # raises on an unknown option or format
    assert args.command == "audit" and {o.name for o in args.formats} == {"text", "html", "junit", "sarif", "markdown"}


def test_right_to_left_article_keeps_its_direction_and_marks() -> None:
    body = ["قال المتحدث إن الاجتماع سيعقد يوم الاثنين في العاصمة.", "وأضاف أن الوفد سيضم عشرة أعضاء من مختلف الأحزاب."]
    canonical = {
        "id": "ar-1",
        "url": "https://publisher.example/ar-1",
        "publisher": "P",
        "language": "ar",
        "title": "اجتماع يوم الاثنين",
        "authors": [],
        "body": body,
        "images": [],
        "published": None,
        "tags": [],
    }
    title = canonical["title"]
    page = f'<html lang="ar" dir="rtl"><body><article><h1>{title}</h1><p>{body[0]}</p></article></body></html>'
    report = check(page, canonical)
    doc = lxml.html.fromstring(HtmlFormatter().render(Document.from_report(report), RenderOptions()))
    article = doc.cssselect("article.redline")[0]
    assert article.get("lang") == "ar" and article.get("dir") == "auto"
    assert all(p.get("dir") == "auto" for p in article.cssselect("p:not(.field)"))
    assert [d.text_content() for d in article.cssselect("del")] == [body[1]]  # the cut paragraph, intact


def test_audit_text_report_to_a_file_with_output(local_server: LocalServer, tmp_path: Path) -> None:
    locs = f"<url><loc>{local_server.url('/cut.html')}</loc></url>"
    local_server.route("/sitemap.xml", html(f"<urlset>{locs}</urlset>", headers={"Content-Type": "text/xml"}))
    local_server.route("/cut.html", html((PARTNERS / "cut-paragraph.html").read_bytes()))
    audit = write_audit_file(tmp_path, local_server.url("/sitemap.xml"))
    out = io.StringIO()
    code = main(
        ["audit", str(audit), "--quiet", "--output", str(tmp_path / "summary.txt")], stdout=out, stderr=io.StringIO()
    )
    assert code == 1 and out.getvalue() == ""
    written = (tmp_path / "summary.txt").read_text(encoding="utf-8")
    assert written.startswith("audit test-audit run 1: 1 pages checked") and "text.cut" in written
