"""The typed, immutable values that flow through the pipeline.

fetch -> :class:`PageSnapshot`; extract -> :class:`ExtractedPage`; align -> :class:`Alignment`
(in ``align.py``); diff -> :class:`Difference`; rules -> :class:`Finding`; all of it ends in a
:class:`Report`. Every value is a frozen dataclass; the ones that reach a report have ``to_dict``,
the single serialisation path used by every output format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How much a finding matters; only ``error`` makes a page a violation."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Verdict(StrEnum):
    """The one-word answer for a page."""

    COMPLIANT = "compliant"
    VIOLATION = "violation"
    UNVERIFIABLE = "unverifiable"


# --- the canonical article ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Image:
    """An image of the canonical article with its caption and credit (droit moral of the photographer)."""

    src: str
    caption: str | None = None
    credit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as in ``article.schema.json``."""
        return {"src": self.src, "caption": self.caption, "credit": self.credit}


@dataclass(frozen=True, slots=True)
class Link:
    """A hyperlink the canonical article itself carries on some of its text."""

    text: str
    href: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"text": self.text, "href": self.href}


@dataclass(frozen=True, slots=True)
class Embed:
    """A foreign element the canonical article itself carries (a video player, a tweet)."""

    kind: str
    src: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"kind": self.kind, "src": self.src}


@dataclass(frozen=True, slots=True)
class Article:
    """The article as the publisher made it available: what a partner must reproduce."""

    id: str
    url: str
    publisher: str
    language: str
    title: str
    body: tuple[str, ...]
    lead: str | None = None
    byline: str | None = None
    authors: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    published: str | None = None
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    embeds: tuple[Embed, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, valid against ``article.schema.json``."""
        return {
            "id": self.id,
            "url": self.url,
            "publisher": self.publisher,
            "language": self.language,
            "title": self.title,
            "lead": self.lead,
            "byline": self.byline,
            "authors": list(self.authors),
            "body": list(self.body),
            "images": [i.to_dict() for i in self.images],
            "published": self.published,
            "tags": list(self.tags),
            "links": [link.to_dict() for link in self.links],
            "embeds": [e.to_dict() for e in self.embeds],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Article:
        """Build from a dict already validated against ``article.schema.json``."""
        return cls(
            id=data["id"],
            url=data["url"],
            publisher=data["publisher"],
            language=data["language"],
            title=data["title"],
            body=tuple(data["body"]),
            lead=data.get("lead"),
            byline=data.get("byline"),
            authors=tuple(data.get("authors", ())),
            images=tuple(
                Image(src=i["src"], caption=i.get("caption"), credit=i.get("credit")) for i in data.get("images", ())
            ),
            published=data.get("published"),
            tags=tuple(data.get("tags", ())),
            links=tuple(Link(text=x["text"], href=x["href"]) for x in data.get("links", ())),
            embeds=tuple(Embed(kind=x["kind"], src=x.get("src")) for x in data.get("embeds", ())),
        )


# --- fetch ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Redirect:
    """One hop of a redirect chain."""

    url: str
    status: int


@dataclass(frozen=True, slots=True)
class PageSnapshot:
    """A partner page as fetched: the raw evidence plus its decoded text.

    ``raw`` is kept byte for byte so the SHA-256 in a report can be checked against an archive.
    """

    source: str  # what the user named: URL, path, or "<bytes>"/"<string>"
    url: str  # final URL after redirects ("file://..." for local files)
    status: int | None  # HTTP status, None for files and in-memory input
    fetched_at: str  # ISO 8601, UTC
    content_type: str | None
    encoding: str  # the encoding used to decode ``raw``
    encoding_source: str  # "bom", "http", "meta", "utf-8", "detected" or "fallback"
    sha256: str
    size: int
    raw: bytes = field(repr=False)
    text: str = field(repr=False)
    redirects: tuple[Redirect, ...] = ()
    elapsed: float = 0.0
    etag: str | None = None  # HTTP validators, for the next run's conditional request
    last_modified: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """What a report says of the page (never the bytes themselves)."""
        return {
            "source": self.source,
            "url": self.url,
            "status": self.status,
            "fetched_at": self.fetched_at,
            "content_type": self.content_type,
            "encoding": self.encoding,
            "encoding_source": self.encoding_source,
            "sha256": self.sha256,
            "size": self.size,
            "redirects": [{"url": r.url, "status": r.status} for r in self.redirects],
            "elapsed": round(self.elapsed, 4),
        }


# --- extract -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InlineLink:
    """A hyperlink inside a block: its characters ``[start, end)`` of the block text."""

    href: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Block:
    """A run of visible text between two block boundaries (``<p>``, ``<br>``, ``<li>`` ...)."""

    index: int
    text: str
    tag: str  # the nearest block-level element's tag
    css_path: str
    parent_path: str  # css path of the element that contains this block's element
    links: tuple[InlineLink, ...] = ()
    #: Character offsets where the separate elements of a heading begin (a kicker, then the
    #: headline); empty unless the heading is made only of such elements.
    parts: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Element:
    """A non-text element of the page (embed, ad slot, image), placed between blocks.

    ``before_block`` is the index of the first block after the element in document order, so
    an element can be placed inside or outside the article span.
    """

    kind: str  # "iframe", "script", "video", "audio", "embed", "object", "ad", "form", "image", ...
    tag: str
    css_path: str
    src: str | None
    before_block: int
    alt: str | None = None
    width: int | None = None  # declared in the markup (attributes), when it is
    height: int | None = None


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """A page reduced to its visible text blocks and its foreign elements, in document order."""

    blocks: tuple[Block, ...]
    elements: tuple[Element, ...]
    lang: str | None = None
    title_tag: str | None = None


# --- diff and findings -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CanonicalEvidence:
    """Where a difference sits in the canonical article.

    ``field`` is "title", "lead", "body", "byline", "caption", "credit" or "image"; ``paragraph`` is
    the index in ``Article.body`` (or of the image), ``start``/``end`` character offsets in that text.
    """

    field: str
    text: str
    paragraph: int | None = None
    start: int | None = None
    end: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {
            "field": self.field,
            "text": self.text,
            "paragraph": self.paragraph,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True, slots=True)
class PartnerEvidence:
    """Where a difference sits on the partner page: the text and a CSS path to its element."""

    text: str
    css_path: str | None = None
    block: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"text": self.text, "css_path": self.css_path, "block": self.block}


@dataclass(frozen=True, slots=True)
class Difference:
    """A typed difference between canonical and partner, before any licence judges it.

    ``size`` is the number of words involved (canonical side for cuts, partner side for additions,
    the larger for alterations), ``similarity`` a 0-1 score for altered fields, ``detail`` small
    kind-specific facts (the embed's src, the link's href ...).
    """

    kind: str
    canonical: CanonicalEvidence | None
    partner: PartnerEvidence | None
    size: int = 0
    similarity: float | None = None
    detail: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Clause:
    """A clause of a licence, quoted."""

    id: str
    text: str
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"id": self.id, "text": self.text, "source": self.source}


@dataclass(frozen=True, slots=True)
class Finding:
    """A difference judged by one rule of a licence profile."""

    rule_id: str
    kind: str
    severity: Severity
    message: str
    clause: Clause
    canonical: CanonicalEvidence | None
    partner: PartnerEvidence | None
    fingerprint: str
    detail: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form, as in ``report.schema.json``."""
        return {
            "rule_id": self.rule_id,
            "kind": self.kind,
            "severity": self.severity.value,
            "message": self.message,
            "clause": self.clause.to_dict(),
            "canonical": self.canonical.to_dict() if self.canonical else None,
            "partner": self.partner.to_dict() if self.partner else None,
            "fingerprint": self.fingerprint,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True, slots=True)
class ProfileInfo:
    """Which licence profile judged the page."""

    id: str
    name: str
    source: str  # file path or "builtin:<id>"
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"id": self.id, "name": self.name, "source": self.source, "sha256": self.sha256}


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of the redline (``redline.py``): ``equal`` canonical text kept, ``delete``
    canonical text missing on the page, ``insert`` partner text the canonical lacks.

    ``paragraph`` is the canonical paragraph (-1: the lead), None for a paragraph only the partner
    has; ``block`` is the page block the text sits in (None for deleted text).
    """

    op: str
    text: str
    paragraph: int | None
    block: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON form."""
        return {"op": self.op, "text": self.text, "paragraph": self.paragraph, "block": self.block}


@dataclass(frozen=True, slots=True)
class Report:
    """Everything known about one check: the verdict, its reasons and the evidence."""

    verdict: Verdict
    findings: tuple[Finding, ...]
    page: PageSnapshot | None
    page_source: str
    canonical: Article | None
    profile: ProfileInfo | None
    reason: str | None = None  # for unverifiable pages: the machine-readable reason
    message: str | None = None  # for unverifiable pages: the human sentence
    span: tuple[int, int] | None = None  # first and last block of the article on the page
    coverage: float | None = None  # share of canonical words found on the page
    tool_version: str = ""
    checked_at: str = ""
    redline: tuple[Segment, ...] = ()  # the article as published against the canonical

    @property
    def counts(self) -> dict[str, int]:
        """Findings per severity."""
        out = {s.value: 0 for s in Severity}
        for f in self.findings:
            out[f.severity.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        """The versioned JSON report, valid against ``report.schema.json``."""
        from checker import settings

        art = self.canonical
        return {
            "schema_version": settings.REPORT_SCHEMA_VERSION,
            "tool": {"name": "repcheck", "version": self.tool_version},
            "checked_at": self.checked_at,
            "verdict": self.verdict.value,
            "reason": self.reason,
            "message": self.message,
            "counts": self.counts,
            "page": self.page.to_dict() if self.page else {"source": self.page_source},
            "canonical": (
                {
                    "id": art.id,
                    "url": art.url,
                    "publisher": art.publisher,
                    "title": art.title,
                    "language": art.language,
                    "paragraphs": len(art.body),
                }
                if art
                else None
            ),
            "profile": self.profile.to_dict() if self.profile else None,
            "article_span": list(self.span) if self.span else None,
            "coverage": round(self.coverage, 4) if self.coverage is not None else None,
            "findings": [f.to_dict() for f in self.findings],
            "redline": [s.to_dict() for s in self.redline],
        }
