"""``html``: one self-contained page for the legal team: read it, print it, forward it.

What it shows: a summary (partners, pages per verdict, findings by kind and by licence clause; for
an audit, each partner's trend over the last runs as a small inline SVG chart and what is new,
persisting, resolved or waived), then every page: verdict, URL, fetch time, SHA-256 and WARC
record of the evidence, each finding with the clause it enforces, and the article as the partner
published it against the canonical (the report's redline: cut text struck through, added text
marked, inserted embeds and links flagged where they sit).

The page is built from a Jinja2 template, ``checker/formats/templates/report.html.j2``; restyle
it by copying that file and passing ``--html-template FILE``. Guarantees, whatever the template
receives: partner content is untrusted, so autoescaping is always on and only ``http(s)`` URLs
ever become links; the page runs no script, loads nothing from any other host (inline CSS and
SVG; a Content-Security-Policy forbids the rest) and prints with its own print stylesheet.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from checker.errors import ConfigError
from checker.formats import SEVERITY_RANK, Document, Formatter, PageEntry, RenderOptions, fails

TEMPLATE = "report.html.j2"
_TEMPLATES = Path(__file__).with_name("templates")
#: Findings whose partner evidence sits at a page block: flagged inside the article view.
_FLAGGED_KINDS = ("embed.inserted", "link.inserted")
#: Field findings shown in the article header (canonical struck through, partner's text marked).
_FIELD_KINDS = (
    "title.altered",
    "title.missing",
    "byline.altered",
    "byline.missing",
    "image.missing",
    "caption.altered",
    "caption.missing",
    "credit.altered",
    "credit.missing",
)
# Characters a browser would render invisibly or that XML 1.0 forbids; shown as U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Bar:
    """One run in a partner's trend chart (SVG coordinates precomputed)."""

    x: float
    label: str
    title: str
    parts: tuple[tuple[str, float, float], ...]  # (css class, y, height)


def safe_url(url: str | None) -> str | None:
    """*url* when it may be a link (http or https); None otherwise (shown as text only)."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def _clean(text: Any) -> str:
    return _INVISIBLE.sub("\ufffd", str(text)) if text is not None else ""


def _paragraphs(page: PageEntry) -> list[dict[str, Any]]:
    """The redline grouped into paragraphs, with the flagged findings placed at their blocks."""
    paras: list[dict[str, Any]] = []
    key: tuple[str, int] | None = None
    for seg in page.report.get("redline") or []:
        k = ("c", seg["paragraph"]) if seg["paragraph"] is not None else ("b", seg["block"])
        if k != key:
            paras.append(
                {
                    "lead": seg["paragraph"] == -1,
                    "added": seg["paragraph"] is None,
                    "spans": [],
                    "blocks": set(),
                    "flags": [],
                }
            )
            key = k
        paras[-1]["spans"].append((seg["op"], _clean(seg["text"])))
        if seg["block"] is not None:
            paras[-1]["blocks"].add(seg["block"])
    unplaced: list[dict[str, Any]] = []
    for f in page.findings:
        if f["kind"] not in _FLAGGED_KINDS:
            continue
        block = (f.get("partner") or {}).get("block")
        home = next((p for p in paras if block in p["blocks"]), None)
        if home is None and block is not None:  # the nearest paragraph after the element
            home = min(
                (p for p in paras if p["blocks"] and min(p["blocks"]) >= block),
                key=lambda p: min(p["blocks"]),
                default=None,
            )
        (home["flags"] if home is not None else unplaced).append(f)
    if unplaced:
        paras.append({"lead": False, "added": False, "spans": [], "blocks": set(), "flags": unplaced})
    return paras


def _trend(points: tuple[Mapping[str, Any], ...]) -> dict[str, Any]:
    """Geometry of a stacked bar chart: one bar per run, compliant / violation / unverifiable."""
    width, height, top = 28.0, 80.0, 6.0
    most = max((p["pages"] for p in points), default=0) or 1
    bars = []
    for i, p in enumerate(points):
        y = top + height
        parts = []
        for cls in ("compliant", "violation", "unverifiable"):
            h = height * p[cls] / most
            y -= h
            if h:
                parts.append((cls, round(y, 2), round(h, 2)))
        title = (
            f"run {p['run_id']} ({p['started_at'][:10]}): {p['compliant']} compliant, "
            f"{p['violation']} violation, {p['unverifiable']} unverifiable"
        )
        bars.append(Bar(x=8 + i * (width + 8), label=str(p["run_id"]), title=title, parts=tuple(parts)))
    return {"bars": bars, "width": 16 + len(points) * (width + 8), "height": top + height + 18, "bar_width": width}


def _page_view(page: PageEntry, options: RenderOptions) -> dict[str, Any]:
    r = page.report
    snap = r.get("page") or {}
    findings = []
    for f in sorted(page.findings, key=lambda f: -SEVERITY_RANK[f["severity"]]):
        findings.append(
            {
                **f,
                "status": page.status.get(f["fingerprint"]),
                "waived": page.is_waived(f),
                "fails": fails(f["severity"], options) and not page.is_waived(f),
                # Which evidence is the change itself (struck / marked) and which only its context.
                "struck": not f["kind"].endswith((".addition", ".inserted")),
                "marked": not f["kind"].endswith((".cut", ".missing")),
            }
        )
    fields = [f for f in findings if f["kind"] in _FIELD_KINDS]
    return {
        "entry": page,
        "report": r,
        "url": page.url,
        "href": safe_url(page.url),
        "snapshot": snap,
        "canonical": r.get("canonical") or {},
        "profile": r.get("profile") or {},
        "findings": findings,
        "fields": fields,
        "paragraphs": _paragraphs(page),
        "counts": Counter(f["severity"] for f in findings if not f["waived"]),
        "anchor": "page-" + hashlib.sha256(page.url.encode("utf-8", "surrogatepass")).hexdigest()[:12],
    }


def _environment(template: str | None) -> tuple[jinja2.Environment, str]:
    if template:
        path = Path(template)
        if not path.is_file():
            raise ConfigError(f"html template error: {path} does not exist")
        loader: jinja2.BaseLoader = jinja2.FileSystemLoader([str(path.parent), str(_TEMPLATES)])
        name = path.name
    else:
        loader, name = jinja2.FileSystemLoader(str(_TEMPLATES)), TEMPLATE
    # Autoescape everything, whatever the template file is called: partner text is untrusted.
    env = jinja2.Environment(
        loader=loader, autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True
    )
    env.filters["clean"] = _clean
    env.globals["safe_url"] = safe_url
    return env, name


class HtmlFormatter(Formatter):
    """The legal team's report: summary, trends, and every page's evidence and redline."""

    name = "html"
    suffix = ".html"
    description = "a self-contained HTML report with highlighted diffs (legal team)"

    def render(self, doc: Document, options: RenderOptions) -> str:
        """The whole HTML document."""
        env, name = _environment(options.template)
        pages = [_page_view(p, options) for p in doc.pages]
        clauses = doc.clauses
        try:
            html = env.get_template(name).render(
                doc=doc,
                pages=pages,
                verdicts=doc.verdicts,
                by_kind=sorted(doc.findings_by("kind").items(), key=lambda kv: (-kv[1], kv[0])),
                by_clause=[(cid, clauses[cid], n) for cid, n in sorted(doc.findings_by("clause").items())],
                changes=doc.changes,
                trends={name: _trend(points) for name, points in doc.trends.items() if points},
                partners=doc.partners,
                per_partner={name: Counter(p.verdict for p in doc.pages if p.partner == name) for name in doc.partners},
                resolved=doc.resolved,
                options=options,
            )
        except jinja2.TemplateError as exc:
            raise ConfigError(f"html template error: {name}: {exc}") from exc
        return html if html.endswith("\n") else html + "\n"
