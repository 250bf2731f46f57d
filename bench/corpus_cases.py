"""Republication cases built from the real-page corpus (``../shared/corpus``), shared by the
acceptance benchmark and the corpus tests.

For every page whose ground truth has the full body (``body_complete``), a canonical article is
built from the ground truth alone, and mutations are made on the page's own DOM around one body
paragraph: removed, a paragraph added after it, one word changed, an ad ``<iframe>`` inserted after
it, one word wrapped in a link. Nothing here is committed output: cases are made at run time, from
a seeded random generator, and the corpus pages are never copied into the repository.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import lxml.html

from checker.normalize import comparable, keys

#: Where the corpus lives relative to the repository (override with REPCHECK_CORPUS).
DEFAULT_CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"

ADDED_SENTENCE = "Cette phrase ajoutée par le site partenaire ne figure pas dans l'article original publié."
AD_SRC = "https://ads.example.net/slot?id=42"
LINK_HREF = "https://partner.example/tag/inserted"
REPLACEMENT_WORD = "zanzibar"


@dataclass(frozen=True)
class CorpusPage:
    """One real page and its ground truth."""

    id: str
    html_path: Path
    truth: dict[str, Any]

    @property
    def raw(self) -> bytes:
        """The page's bytes as collected."""
        return self.html_path.read_bytes()


def corpus_root() -> Path | None:
    """The corpus folder, or None when it is not there (tests then skip with a message)."""
    root = Path(os.environ.get("REPCHECK_CORPUS", DEFAULT_CORPUS))
    return root if (root / "manifest.json").is_file() else None


def load_pages(root: Path) -> list[CorpusPage]:
    """Pages with a complete ground-truth body, in manifest order."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    out = []
    for entry in manifest["pages"]:
        if not entry.get("body_complete"):
            continue
        truth = json.loads((root / entry["ground_truth"]).read_text(encoding="utf-8"))
        out.append(CorpusPage(entry["id"], root / entry["html"], truth))
    return out


def _page_h1(raw: bytes) -> str | None:
    from checker.fetch import decode_html

    try:
        doc = lxml.html.document_fromstring(decode_html(raw)[0])
    except (ValueError, lxml.etree.ParserError):
        return None
    h1 = doc.find(".//h1")
    text = " ".join(h1.text_content().split()) if h1 is not None else ""
    return text or None


def canonical_for(page: CorpusPage) -> dict[str, Any]:
    """The canonical article (article.schema.json) built from the page's ground truth.

    fundus gives title, lead (``summary`` blocks), body (paragraphs and sub-headlines), authors and
    images; scrapinghub's benchmark gives the body only, so its title is the page's first ``<h1>``
    (or ``<title>``): title checks on those pages say nothing and are reported apart.
    """
    t = page.truth
    blocks = t.get("body_blocks")
    lead: str | None = None
    if blocks:
        lead_parts = [b["text"] for b in blocks if b["type"] == "summary"]
        lead = " ".join(lead_parts) or None
        body = [b["text"] for b in blocks if b["type"] != "summary"]
    else:
        body = list(t.get("body_paragraphs") or t["body_text"].split("\n\n"))
    title = t.get("title") or _page_h1(page.raw) or (t.get("aux_not_ground_truth") or {}).get("html_title_tag")
    images = [
        {"src": img.get("url") or "image", "caption": img.get("caption") or None, "credit": img.get("credit") or None}
        for img in t.get("images", [])
        if img.get("url")
    ]
    return {
        "id": page.id,
        "url": t.get("url") or f"urn:corpus:{page.id}",
        "publisher": t.get("publisher") or "unknown",
        "language": (t.get("language") or "und").split("_")[0],
        "title": title or page.id,
        "lead": lead,
        "byline": None,
        "authors": [a for a in t.get("authors", []) if a and a.strip()],
        "body": [p for p in body if p.strip()],
        "images": images,
        "published": t.get("date_published"),
        "tags": [x for x in (t.get("topics") or []) if isinstance(x, str)],
    }


# --- mutations on the page's DOM -------------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """A page changed in one known way, and how to recognise the finding that reports it."""

    kind: str  # mutation name
    html: str
    expect_kinds: frozenset[str]
    paragraph: int  # index in the canonical body
    marker: str  # text expected in the finding's evidence or detail (normalised comparison)


def _find_paragraph_element(doc: Any, para: str) -> Any | None:
    """The element whose whole text is the ground-truth paragraph."""
    want = comparable(para)
    words = para.split()[:3]
    for el in doc.iter("p", "div", "li", "h2", "h3", "h4", "blockquote", "span", "section"):
        # text_content() is the whole subtree: only compute it where the element's first text
        # nodes hold one of the paragraph's first words (this keeps the search linear in practice).
        head = "".join(islice(el.itertext(), 4))
        if words and not any(w in head for w in words):
            continue
        if comparable(el.text_content()) == want:
            return el
    return None


def _pick(rng: random.Random, canonical: dict[str, Any], doc: Any) -> tuple[int, Any] | None:
    """A body paragraph of at least 8 words (not the first or last when possible) and its element."""
    body = canonical["body"]
    order = list(range(len(body)))
    rng.shuffle(order)
    order.sort(key=lambda i: (i in (0, len(body) - 1), 0))
    for i in order:
        if len(keys(body[i])) < 8:
            continue
        el = _find_paragraph_element(doc, body[i])
        if el is not None and el.getparent() is not None:
            return i, el
    return None


def _text_nodes(el: Any) -> Iterator[tuple[Any, str]]:
    """(element, "text"|"tail") pairs holding the element's own text, in order."""
    if el.text:
        yield el, "text"
    for child in el:
        if isinstance(child.tag, str) and child.tag not in ("script", "style"):
            yield from _text_nodes(child)
        if child.tail:
            yield child, "tail"


def _word_spot(rng: random.Random, el: Any) -> tuple[Any, str, int, int] | None:
    """A word of at least 4 letters inside *el*'s text: (node, attr, start, end)."""
    import regex

    spots = []
    for node, attr in _text_nodes(el):
        text = getattr(node, attr)
        for m in regex.finditer(r"\p{L}{4,12}", text):  # capped: a run of kanji can be a whole clause
            spots.append((node, attr, m.start(), m.end()))
    return rng.choice(spots) if spots else None


def mutations(page: CorpusPage, canonical: dict[str, Any], seed: int = 0) -> list[Mutation]:
    """The five acceptance mutations of one page (fewer when no suitable paragraph is found)."""
    out: list[Mutation] = []
    makers: list[tuple[str, Callable[[random.Random, Any, Any], tuple[frozenset[str], str] | None]]] = [
        ("remove-paragraph", _remove),
        ("add-paragraph", _add),
        ("change-word", _change),
        ("insert-iframe", _iframe),
        ("wrap-link", _link),
    ]
    for n, (name, maker) in enumerate(makers):
        rng = random.Random(f"{seed}:{page.id}:{n}")
        try:
            doc = lxml.html.document_fromstring(page.raw)
        except (ValueError, lxml.etree.ParserError):
            return out
        picked = _pick(rng, canonical, doc)
        if picked is None:
            continue
        index, el = picked
        made = maker(rng, el, canonical["body"][index])
        if made is None:
            continue
        kinds, marker = made
        html = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
        out.append(Mutation(name, html, kinds, index, marker))
    return out


def _remove(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    parent = el.getparent()
    tail = el.tail
    prev = el.getprevious()
    if tail:  # keep the text that followed the element
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)
    return frozenset({"text.cut"}), para[:40]


def _insert_after(el: Any, fragment: str) -> None:
    """Put *fragment* right after *el*, keeping the text that followed *el* after the new element."""
    new = lxml.html.fragment_fromstring(fragment)
    new.tail = el.tail
    el.tail = None
    el.addnext(new)


def _add(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    _insert_after(el, f"<{el.tag}>{ADDED_SENTENCE}</{el.tag}>")
    return frozenset({"text.addition"}), ADDED_SENTENCE[:40]


def _change(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    spot = _word_spot(rng, el)
    if spot is None:
        return None
    node, attr, s, e = spot
    text = getattr(node, attr)
    setattr(node, attr, text[:s] + REPLACEMENT_WORD + text[e:])
    return frozenset({"text.alteration"}), REPLACEMENT_WORD


def _iframe(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    _insert_after(el, f'<div class="ad-slot"><iframe src="{AD_SRC}" width="300" height="250"></iframe></div>')
    return frozenset({"embed.inserted"}), "ads.example.net"


def _link(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    spot = _word_spot(rng, el)
    if spot is None:
        return None
    node, attr, s, e = spot
    text = getattr(node, attr)
    a = lxml.html.Element("a", href=LINK_HREF)
    a.text = text[s:e]
    a.tail = text[e:]
    setattr(node, attr, text[:s])
    if attr == "text":
        node.insert(0, a)
    else:  # the word sits in the tail of `node`: the link goes right after it
        node.addnext(a)
    return frozenset({"link.inserted"}), "partner.example"
