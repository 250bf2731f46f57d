"""HTML -> visible text blocks and foreign elements, in document order.

The page is parsed with lxml (the parser BeautifulSoup itself uses, without the tree-building
overhead: the speed target is measured against ``BeautifulSoup(html, "lxml")``). The walk keeps
what a reader sees: text split at block boundaries (``<p>``, ``<div>``, ``<li>``, ``<br>`` ...),
links with their character offsets, and every element that is not text (iframes, scripts, ad
slots, videos, images) with its place between blocks, so later stages can tell whether it sits
inside the republished article.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, Final

import lxml.etree
import lxml.html
import regex

from checker import settings
from checker.errors import CanonicalError, EmptyPageError, NotHTMLError
from checker.models import Article, Block, Element, ExtractedPage, InlineLink, PageSnapshot

log = logging.getLogger(__name__)

#: Elements that end the current block of text (HTML's block-level and sectioning content).
BLOCK_TAGS: Final = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_MAX_DEPTH: Final = 400
_PARSER: Final = lxml.html.HTMLParser(
    huge_tree=True
)  # deeper subtrees are read as plain text: no recursion error on hostile pages
_XML_DECL: Final = regex.compile(r"^\s*<\?xml[^>]*\?>")
_MARKUP: Final = regex.compile(r"<\s*(?:[a-zA-Z][a-zA-Z0-9-]*|!doctype)[\s/>]", regex.IGNORECASE)
_HIDDEN_STYLE: Final = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.IGNORECASE)
_WORD_SPLIT: Final = regex.compile(r"[\s_]+")
# React's streaming server rendering sends late content as <div hidden id="S:n"> that an inline
# script moves into place at once: readers see it, so it is not hidden text.
_REACT_SEGMENT: Final = regex.compile(r"^S:[0-9a-z]+$")
_CSS_IDENT: Final = regex.compile(r"^[A-Za-z][\w-]*$")
_WORDY: Final = regex.compile(r"[\p{L}\p{N}]")
_HEADINGS: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
#: HTML's void elements: never content, so an empty one says nothing about word boundaries.
_VOID: Final = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
)


def _segmented_heading(el: lxml.html.HtmlElement) -> bool:
    """A heading made of separate elements with nothing but punctuation between them.

    ``<h1><span class="kicker">Minderheit in Syrien</span> - <span>Drusen fordern ...</span></h1>``:
    the kicker (roofline, overline) is its own element, set on its own line by the site's style,
    exactly like a kicker block above the headline. Where each element starts is recorded in the
    block (``Block.parts``) so the headline can be compared without the kicker. A heading with
    words in its own text (``<h1>Le <em>vrai</em> problème</h1>``, a word typed before the
    headline) has no parts.
    """
    if _WORDY.search(el.text or "") or any(_WORDY.search(c.tail or "") for c in el):
        return False
    parts = 0
    for child in el:
        if isinstance(child.tag, str) and _WORDY.search(child.text_content() or ""):
            parts += 1
    return parts >= 2


def _is_ad(el: lxml.html.HtmlElement) -> bool:
    """True when class or id names an advertising slot (see ``settings.AD_MARKERS``)."""
    attrs = (el.get("class") or "") + " " + (el.get("id") or "")
    if not attrs.strip():
        return False
    words = {w.lower() for w in _WORD_SPLIT.split(attrs) if w}
    if words & settings.AD_MARKERS:
        return True
    # "ad-slot-3", "adsense_top": the marker followed by a separator and more words
    return any(w.split("-")[0] in {"ad", "ads", "adsense", "advert"} and "-" in w for w in words)


def _int_attr(el: lxml.html.HtmlElement, name: str) -> int | None:
    raw = (el.get(name) or "").strip().removesuffix("px")
    return int(raw) if raw.isdigit() else None


def _img_src(el: lxml.html.HtmlElement) -> str | None:
    """The image URL, looking through the lazy-loading attributes real pages use."""
    for attr in ("src", "data-src", "data-lazy-src", "data-original", "data-srcset", "srcset"):
        value = (el.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value.split()[0] if "srcset" in attr else value
    return (el.get("src") or "").strip() or None


class _Walker:
    """One pass over the tree; accumulates blocks and elements."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.elements: list[Element] = []
        self._buf: list[str] = []
        self._len = 0
        self._links: list[InlineLink] = []
        self._parts: list[int] = []  # buffer offsets where the elements of a segmented heading start
        self._path: list[str] = []
        self._block_ctx: list[tuple[str, str, str]] = []  # (tag, css_path, parent_path)
        self._in_foreign = 0

    # -- text buffer ------------------------------------------------------------------------
    def _add(self, text: str | None) -> None:
        if text:
            self._buf.append(text)
            self._len += len(text)

    def _separate(self) -> None:
        """End the current word, if any, with a space."""
        if self._buf and not self._buf[-1][-1:].isspace():
            self._add(" ")

    def _flush(self) -> None:
        if not self._buf:
            return
        raw = "".join(self._buf)
        links, parts = self._links, self._parts
        self._buf, self._len, self._links, self._parts = [], 0, [], []
        stripped = raw.strip()
        if not stripped:
            return
        shift = len(raw) - len(raw.lstrip())
        tag, css, parent = self._block_ctx[-1] if self._block_ctx else ("html", "html", "")
        inline = tuple(
            InlineLink(link.href, max(0, link.start - shift), min(len(stripped), link.end - shift))
            for link in links
            if link.end - shift > 0 and link.start - shift < len(stripped)
        )
        starts = tuple(sorted({p - shift for p in parts if 0 < p - shift < len(stripped)}))
        self.blocks.append(Block(len(self.blocks), stripped, tag, css, parent, inline, starts))

    # -- elements ---------------------------------------------------------------------------
    def _element(self, kind: str, el: lxml.html.HtmlElement, css: str, src: str | None) -> None:
        if self._in_foreign:
            return  # the iframe inside an ad slot is part of that one insertion
        alt = el.get("alt") if kind == "image" else None
        width, height = (_int_attr(el, "width"), _int_attr(el, "height")) if kind == "image" else (None, None)
        self.elements.append(Element(kind, el.tag, css, src, len(self.blocks), alt, width, height))

    def _foreign_kind(self, el: lxml.html.HtmlElement, tag: str) -> tuple[str, str | None] | None:
        """Kind and src of an element that is not article text, or None."""
        if tag == "img":
            w, h = _int_attr(el, "width"), _int_attr(el, "height")
            if w is not None and h is not None and w < settings.MIN_IMAGE_SIZE and h < settings.MIN_IMAGE_SIZE:
                return None  # tracking pixel
            return "image", _img_src(el)
        if tag == "script":
            if (el.get("type") or "").strip().lower() in settings.DATA_SCRIPT_TYPES:
                return None
            return "script", el.get("src")
        if tag in settings.EMBED_TAGS:
            src = el.get("src") or el.get("data") or el.get("data-src") or el.get("action")
            if tag == "ins":
                return "ad", src
            return tag, src
        if _is_ad(el):
            # The slot's own frame or script names the ad network: keep it as evidence.
            inner = next((e for e in el.iter("iframe", "script", "ins", "img") if e.get("src")), None)
            return "ad", inner.get("src") if inner is not None else None
        return None

    # -- the walk ---------------------------------------------------------------------------
    def walk(self, el: lxml.html.HtmlElement, segment: str, depth: int) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        self._path.append(segment)
        css = " > ".join(self._path)
        try:
            if (el.get("hidden") is not None and not _REACT_SEGMENT.match(el.get("id") or "")) or _HIDDEN_STYLE.search(
                el.get("style") or ""
            ):
                return
            foreign = self._foreign_kind(el, tag)
            if foreign is not None:
                self._element(foreign[0], el, css, foreign[1])
            if tag in settings.INVISIBLE_TAGS or tag == "img":
                return
            if tag == "br":
                self._flush()
                return
            is_block = tag in BLOCK_TAGS
            if is_block:
                self._flush()
                self._block_ctx.append((tag, css, " > ".join(self._path[:-1])))
            link_start = self._len if tag == "a" and el.get("href") else -1
            entered_foreign = foreign is not None
            if entered_foreign:
                self._in_foreign += 1
            try:
                self._add(el.text)
                if depth >= _MAX_DEPTH:
                    for child in el:
                        self._add(lxml.etree.tostring(child, method="text", encoding="unicode", with_tail=True))
                else:
                    counts: dict[str, int] = {}
                    segmented = tag in _HEADINGS and _segmented_heading(el)
                    for child in el:
                        if segmented:
                            self._parts.append(self._len)
                        ctag = child.tag
                        if not isinstance(ctag, str):  # comment or processing instruction
                            self._add(child.tail)
                            continue
                        ctag = ctag.lower()
                        counts[ctag] = counts.get(ctag, 0) + 1
                        cid = child.get("id")
                        seg = (
                            f"{ctag}#{cid}" if cid and _CSS_IDENT.match(cid) else f"{ctag}:nth-of-type({counts[ctag]})"
                        )
                        self.walk(child, seg, depth + 1)
                        if ctag not in _VOID and not child.text and not len(child):
                            # An empty element between two runs of text (<span class="br"></span>, a
                            # styled line break) separates words: "Data" and "The" are not "DataThe".
                            self._separate()
                        self._add(child.tail)
            finally:
                if entered_foreign:
                    self._in_foreign -= 1
            if link_start >= 0 and self._len > link_start:
                self._links.append(InlineLink(el.get("href", ""), link_start, self._len))
            if is_block:
                self._flush()
                self._block_ctx.pop()
        finally:
            self._path.pop()


def parse(text: str) -> lxml.html.HtmlElement:
    """Parse HTML text into an lxml tree; raise :class:`NotHTMLError` when it has no markup."""
    head = text[:4096]
    if not _MARKUP.search(head) and not _MARKUP.search(text):
        raise NotHTMLError("the page is not HTML (no markup found)")
    text = _XML_DECL.sub("", text, count=1)  # lxml refuses str input that declares an encoding
    try:
        # huge_tree lifts libxml2's depth limit of 256, which otherwise silently drops the article
        # of a page nested deeper than that; the walk below bounds its own recursion.
        return lxml.html.document_fromstring(text, parser=_PARSER)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise EmptyPageError(f"the page has no content to read ({exc})") from None


def extract(page: PageSnapshot | str) -> ExtractedPage:
    """Reduce a page to its visible text blocks and foreign elements.

    Raises :class:`EmptyPageError` when no visible text remains.
    """
    text = page.text if isinstance(page, PageSnapshot) else page
    root = parse(text)
    walker = _Walker()
    walker.walk(root, "html", 0)
    walker._flush()
    if not walker.blocks:
        raise EmptyPageError("the page has no visible text")
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else None
    lang = root.get("lang") or root.get("xml:lang")
    log.debug("extracted %d blocks and %d elements", len(walker.blocks), len(walker.elements))
    return ExtractedPage(tuple(walker.blocks), tuple(walker.elements), lang, title or None)


# --- canonical article from the publisher's own page ----------------------------------------------

_LEAD_CLASS: Final = regex.compile(r"\b(lead|chapo|chapeau|intro|standfirst|summary|excerpt|article__desc)", regex.I)
_BYLINE_CLASS: Final = regex.compile(r"\b(byline|author|signature|auteur)", regex.I)
_CREDIT_CLASS: Final = regex.compile(r"\b(credit|copyright|source)", regex.I)
_CREDIT_TEXT: Final = regex.compile(r"(©|\(c\)|Photo\s*:|Crédit\s*:|Credit\s*:).*$", regex.I | regex.S)


def _text(el: Any) -> str:
    return " ".join(el.get_text(" ").split()) if el is not None else ""


def _classes(el: Any) -> str:
    cls = el.get("class") or []
    return " ".join(cls) + " " + (el.get("id") or "")


def extract_article(text: str, *, url: str, selectors: Mapping[str, Any], source: str) -> Article:
    """Extract the canonical article from the publisher's HTML page.

    With the profile's ``[extraction]`` CSS selectors (title, lead, byline, body, image, caption,
    credit, exclude) those are used; otherwise a generic extraction takes the ``<h1>``, the
    paragraphs of the container holding the most paragraph text, a lead and byline recognised by
    their class names, and the figures around the body. Raises :class:`CanonicalError` when no
    article text is found.
    """
    from urllib.parse import urljoin, urlsplit

    from bs4 import BeautifulSoup

    from checker.canonical import from_dict

    soup = BeautifulSoup(text, "lxml")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    for sel in selectors.get("exclude", []):
        for el in soup.select(sel):
            el.decompose()

    def pick(key: str) -> list[Any]:
        sel = selectors.get(key)
        return list(soup.select(sel)) if sel else []

    title = _text((pick("title") or [soup.find("h1")])[0]) or _text(soup.find("title"))
    paragraphs = pick("body")
    if paragraphs:
        body = [t for el in paragraphs if (t := _text(el))]
        container = paragraphs[0].parent
    else:
        by_parent: dict[int, tuple[Any, int]] = {}
        for p in soup.find_all("p"):
            parent = p.parent
            total = by_parent.get(id(parent), (parent, 0))[1] + len(_text(p))
            by_parent[id(parent)] = (parent, total)
        if not by_parent:
            raise CanonicalError(f"canonical error: {source}: no article text found in the HTML page")
        container = max(by_parent.values(), key=lambda x: x[1])[0]
        body = [t for p in container.find_all(["p", "h2", "h3"], recursive=False) if (t := _text(p))]
    lead_el = (pick("lead") or [None])[0] or soup.find(class_=_LEAD_CLASS)
    lead = _text(lead_el) or None
    if lead and body and body[0] == lead:
        body = body[1:]
    byline_el = (pick("byline") or [None])[0] or soup.select_one('[rel~="author"]') or soup.find(class_=_BYLINE_CLASS)
    byline = _text(byline_el) or None
    scope = container.find_parent("article") or container.parent or soup
    images = []
    for img in pick("image") or scope.find_all("img"):
        src = img.get("src") or img.get("data-src")
        if not src:
            continue
        fig = img.find_parent("figure")
        cap_el = (pick("caption") or [None])[0] or (fig.find("figcaption") if fig else None)
        credit_el = (pick("credit") or [None])[0] or (fig.find(class_=_CREDIT_CLASS) if fig else None)
        caption = _text(cap_el)
        credit = _text(credit_el)
        if not credit and (m := _CREDIT_TEXT.search(caption)):
            credit = m.group().strip()
        if credit and caption.endswith(credit):
            caption = caption[: -len(credit)].strip()
        images.append({"src": urljoin(url, src), "caption": caption or None, "credit": credit or None})
    meta = {
        str(m.get("property") or m.get("name")): str(m.get("content"))
        for m in soup.find_all("meta")
        if m.get("content")
    }
    html_el = soup.find("html")
    data = {
        "id": url.rstrip("/").rsplit("/", 1)[-1] or url,
        "url": url,
        "publisher": meta.get("og:site_name") or urlsplit(url).hostname or "unknown",
        "language": (html_el.get("lang") if html_el else None) or "und",
        "title": title,
        "lead": lead,
        "byline": byline,
        "authors": [meta["author"]] if meta.get("author") else [],
        "body": body,
        "images": images,
        "published": meta.get("article:published_time"),
        "tags": [t.strip() for t in (meta.get("keywords") or "").split(",") if t.strip()],
    }
    if not body or not title:
        raise CanonicalError(f"canonical error: {source}: no article text found in the HTML page")
    return from_dict(data, source)
