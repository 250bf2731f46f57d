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
import regex

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


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def title_shown(page: CorpusPage) -> bool:
    """Whether the ground-truth title is the page's visible headline.

    The corpus README warns that some fundus titles come from page metadata (og:title, ``<title>``)
    "rather than the visible headline"; on those pages a ``title.*`` finding tells the truth and is
    no false alarm. The visible headline is taken literally: the whole text of a heading element
    (``<h1>`` to ``<h6>``) or of one element inside a heading (a headline after a kicker), compared
    after the checker's benign normalisation. The test is independent of the checker's extraction.
    """
    from checker.fetch import decode_html

    want = comparable(page.truth.get("title") or "")
    if not want:
        return False
    try:
        doc = lxml.html.document_fromstring(decode_html(page.raw)[0])
    except (ValueError, lxml.etree.ParserError):
        return False
    for heading in doc.iter(*_HEADINGS):
        for el in heading.iter():
            if isinstance(el.tag, str) and comparable(el.text_content()) == want:
                return True
    return False


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
    spots = []
    for node, attr in _text_nodes(el):
        text = getattr(node, attr)
        for m in regex.finditer(r"\p{L}{4,12}", text):  # capped: a run of kanji can be a whole clause
            spots.append((node, attr, m.start(), m.end()))
    return rng.choice(spots) if spots else None


def _parse(page: CorpusPage) -> Any | None:
    from checker.fetch import decode_html

    try:
        return lxml.html.document_fromstring(decode_html(page.raw)[0])
    except (ValueError, lxml.etree.ParserError):
        return None


def roundtrip(page: CorpusPage) -> str | None:
    """The page decoded, parsed and serialised again without any change: the baseline mutations
    are compared with (serialisation alone may change what a checker sees, never what a reader does)."""
    doc = _parse(page)
    return None if doc is None else lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


ParagraphMaker = Callable[[random.Random, Any, str], "tuple[frozenset[str], str] | None"]
DocMaker = Callable[[random.Random, Any, dict[str, Any]], "tuple[frozenset[str], str] | None"]


def mutations(page: CorpusPage, canonical: dict[str, Any], seed: int = 0, *, extended: bool = False) -> list[Mutation]:
    """Mutations of one page: the five acceptance ones, or with *extended* every kind we make.

    Pages where a mutation cannot be made (no suitable paragraph, no number, no caption ...)
    simply yield fewer cases.
    """
    out: list[Mutation] = []
    makers: list[tuple[str, ParagraphMaker]] = list(ACCEPTANCE_MAKERS.items())
    if extended:
        makers += list(EXTRA_PARAGRAPH_MAKERS.items())
    for name, maker in makers:
        rng = random.Random(f"{seed}:{page.id}:{name}")
        doc = _parse(page)
        if doc is None:
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
    if extended:
        for name, doc_maker in DOC_MAKERS.items():
            rng = random.Random(f"{seed}:{page.id}:{name}")
            doc = _parse(page)
            if doc is None:
                break
            made = doc_maker(rng, doc, canonical)
            if made is None:
                continue
            kinds, marker = made
            html = lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")
            out.append(Mutation(name, html, kinds, -1, marker))
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


# --- the extended set (accuracy benchmark) -----------------------------------------------------------


def _edit_text(rng: random.Random, el: Any, pattern: str, replace: Callable[[str], str]) -> str | None:
    """Replace one random match of *pattern* in *el*'s own text nodes; return the matched text."""
    spots = []
    for node, attr in _text_nodes(el):
        for m in regex.finditer(pattern, getattr(node, attr)):
            spots.append((node, attr, m.start(), m.end()))
    if not spots:
        return None
    node, attr, s, e = rng.choice(spots)
    text = getattr(node, attr)
    old = text[s:e]
    setattr(node, attr, text[:s] + replace(old) + text[e:])
    return old


def _remove_sentence(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    old = _edit_text(rng, el, r"(?<=[.!?]\s)[^.!?]{20,}[.!?](?=\s)", lambda _: "")
    return (frozenset({"text.cut"}), old.strip()[:30]) if old else None


def _remove_word(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    old = _edit_text(rng, el, r"(?<=\s)\p{L}{4,12}\s", lambda _: "")
    return (frozenset({"text.cut"}), old.strip()) if old else None


def _add_sentence(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    sentence = " Une phrase ajoutée par le partenaire se glisse ici."
    old = _edit_text(rng, el, r"[.!?](?=\s|$)", lambda m: m + sentence)
    return (frozenset({"text.addition"}), "phrase ajoutée par le partenaire") if old else None


def _lire_aussi(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    box = '<div class="lire-aussi">Lire aussi : <a href="/autre-article">Un autre regard sur ce sujet</a></div>'
    _insert_after(el, box)
    return frozenset({"text.addition", "link.inserted"}), "autre regard"


def _video(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    _insert_after(el, '<div><iframe src="https://www.youtube.com/embed/Xy12" width="560" height="315"></iframe></div>')
    return frozenset({"embed.inserted"}), "youtube.com"


def _extra_image(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str]:
    _insert_after(el, '<p><img src="https://partner.example/media/extra-photo.jpg" width="600" height="400"></p>')
    return frozenset({"embed.inserted"}), "extra-photo.jpg"


def _number(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    old = _edit_text(rng, el, r"\d+", lambda n: str(int(n) + 7))
    return (frozenset({"text.alteration"}), old) if old else None


def _name(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    old = _edit_text(rng, el, r"(?<=\p{Ll}\s)\p{Lu}\p{Ll}{3,11}", lambda _: "Zanzibar")
    return (frozenset({"text.alteration"}), "zanzibar") if old else None


def _truncate(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    later = [x for x in el.itersiblings() if isinstance(x.tag, str)]
    if len(later) < 2:
        return None
    for x in later:
        el.getparent().remove(x)
    _insert_after(el, '<p><a href="https://publisher.example/article">Read more…</a></p>')
    return frozenset({"text.cut"}), ""


def _swap(rng: random.Random, el: Any, para: str) -> tuple[frozenset[str], str] | None:
    nxt = el.getnext()
    if nxt is None or nxt.tag != el.tag or len(comparable(nxt.text_content()).split()) < 8:
        return None
    parent = el.getparent()
    parent.remove(nxt)
    el.addprevious(nxt)
    return frozenset({"text.reorder"}), ""


def _find_text_element(doc: Any, text: str, tags: tuple[str, ...] | None = None) -> Any | None:
    """The innermost element whose text contains *text* (normalised), optionally among *tags*."""
    want = comparable(text)
    if not want:
        return None
    best = None
    for el in doc.iter(*(tags or ())):
        if not isinstance(el.tag, str) or el.tag in ("html", "head", "title", "meta", "script", "style"):
            continue
        if want in comparable(el.text_content()):
            best = el  # later in iteration = deeper or later: keep the innermost of this branch
    return best


def _title_copies(doc: Any, title: str) -> list[Any]:
    """Every element that shows exactly the headline (pages repeat it: sticky header, mobile, ...);
    the innermost of nested ones. Empty unless one of them is a heading."""
    want = comparable(title)
    skip = {"html", "head", "title", "meta", "script", "style", "body"}
    found = [
        el
        for el in doc.iter()
        if isinstance(el.tag, str) and el.tag not in skip and comparable(el.text_content()) == want
    ]
    inner = [el for el in found if not any(o is not el and el in o.iterancestors() for o in found)]
    return inner if any(el.tag in ("h1", "h2") for el in found) else []


def _title_change(rng: random.Random, doc: Any, canonical: dict[str, Any]) -> tuple[frozenset[str], str] | None:
    copies = _title_copies(doc, canonical["title"])
    word = next(iter(regex.findall(r"\p{L}{4,12}", canonical["title"])), None)
    if not copies or word is None:
        return None
    for el in copies:
        if _edit_text(random.Random(0), el, regex.escape(word), lambda _: "Zanzibar") is None:
            return None
    return frozenset({"title.altered"}), "zanzibar"


def _title_remove(rng: random.Random, doc: Any, canonical: dict[str, Any]) -> tuple[frozenset[str], str] | None:
    copies = _title_copies(doc, canonical["title"])
    if not copies:
        return None
    for el in copies:
        el.getparent().remove(el)
    return frozenset({"title.missing", "title.altered"}), ""


def _image_remove(rng: random.Random, doc: Any, canonical: dict[str, Any]) -> tuple[frozenset[str], str] | None:
    if not canonical["images"]:
        return None
    name = canonical["images"][0]["src"].rsplit("/", 1)[-1].split("?")[0]
    for img in doc.iter("img"):
        src = img.get("src") or img.get("data-src") or ""
        if name and src.rsplit("/", 1)[-1].split("?")[0] == name:
            target = img.getparent() if img.getparent().tag in ("picture", "a") else img
            fig = next((a for a in target.iterancestors("figure")), None)
            target = fig if fig is not None else target
            target.getparent().remove(target)
            return frozenset({"image.missing"}), ""
    return None


def _field_copies(doc: Any, text: str, tags: tuple[str, ...]) -> list[Any]:
    """The innermost elements among *tags* whose text contains *text* (every copy on the page)."""
    want = comparable(text)
    found = [el for el in doc.iter(*tags) if want and want in comparable(el.text_content())]
    return [el for el in found if not any(o is not el and el in o.iterancestors() for o in found)] or found


def _change_field(
    doc: Any, text: str | None, tags: tuple[str, ...], kinds: frozenset[str], min_words: int
) -> tuple[frozenset[str], str] | None:
    """Change one word of *text* in every element that shows it."""
    if not text or len(text.split()) < min_words:
        return None
    word = next(iter(regex.findall(r"\p{L}{3,12}", text)), None)
    copies = _field_copies(doc, text, tags)
    if word is None or not copies:
        return None
    changed = 0
    for el in copies:
        changed += _edit_text(random.Random(0), el, regex.escape(word), lambda _: "Zanzibar") is not None
    return (kinds, "zanzibar") if changed else None


def _caption_change(rng: random.Random, doc: Any, canonical: dict[str, Any]) -> tuple[frozenset[str], str] | None:
    cap = next((i.get("caption") for i in canonical["images"] if i.get("caption")), None)
    return _change_field(doc, cap, ("figcaption", "p", "div", "span"), frozenset({"caption.altered"}), 4)


def _credit_change(rng: random.Random, doc: Any, canonical: dict[str, Any]) -> tuple[frozenset[str], str] | None:
    credit = next((i.get("credit") for i in canonical["images"] if i.get("credit")), None)
    tags = ("figcaption", "p", "div", "span", "small", "cite")
    return _change_field(doc, credit, tags, frozenset({"credit.altered", "credit.missing"}), 1)


#: The five mutations of the issue-2 acceptance.
ACCEPTANCE_MAKERS: dict[str, ParagraphMaker] = {
    "remove-paragraph": _remove,
    "add-paragraph": _add,
    "change-word": _change,
    "insert-iframe": _iframe,
    "wrap-link": _link,
}
#: The other paragraph-level mutations of the accuracy benchmark.
EXTRA_PARAGRAPH_MAKERS: dict[str, ParagraphMaker] = {
    "remove-sentence": _remove_sentence,
    "remove-word": _remove_word,
    "truncate-read-more": _truncate,
    "add-sentence": _add_sentence,
    "lire-aussi-box": _lire_aussi,
    "insert-video": _video,
    "insert-image": _extra_image,
    "change-number": _number,
    "change-name": _name,
    "swap-paragraphs": _swap,
}
#: Mutations of the page's other fields.
DOC_MAKERS: dict[str, DocMaker] = {
    "change-title": _title_change,
    "remove-title": _title_remove,
    "remove-image": _image_remove,
    "change-caption": _caption_change,
    "change-credit": _credit_change,
}
