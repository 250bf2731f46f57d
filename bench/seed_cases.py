"""The seed article pasted into real page templates, in benign and violating variants.

A variant is a function of the canonical article (``examples/canonical/rfi-haftar-moscou.json``)
returning the article's HTML as a partner would publish it. ``paste`` puts that HTML in place of
the article of a real corpus page, keeping the page's own chrome (navigation, sidebars, comments,
its old headline above). Shared by the seed-template tests and the benchmarks.
"""

from __future__ import annotations

import html
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lxml.html
from corpus_cases import CorpusPage, canonical_for
from corpus_cases import _find_paragraph_element as find_paragraph_element

ROOT = Path(__file__).resolve().parent.parent
SEED_CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"

Article = dict[str, Any]


def seed() -> Article:
    """The seed article as a canonical dict."""
    data: Article = json.loads(SEED_CANONICAL.read_text(encoding="utf-8"))
    return data


def render(
    a: Article,
    *,
    text: Callable[[str], str] = html.escape,
    paragraph: str = "p",
    source: bool = True,
    extra_between: dict[int, str] | None = None,
    image: bool = True,
    caption: bool = True,
    credit: bool = True,
    byline: bool = True,
    title: bool = True,
    order: list[int] | None = None,
) -> str:
    """The article as partner HTML; keyword switches drop or add parts."""
    extra_between = extra_between or {}
    img = a["images"][0]
    parts = []
    if title:
        parts.append(f"<h1>{text(a['title'])}</h1>")
    if image:
        cap = text(img["caption"]) if caption else ""
        cred = f' <span class="credit">{text(img["credit"])}</span>' if credit else ""
        parts.append(f'<figure><img src="/media/haftar.jpg" alt=""><figcaption>{cap}{cred}</figcaption></figure>')
    parts.append(f'<p class="lead">{text(a["lead"])}</p>')
    if byline:
        parts.append(f'<p class="byline">{text(a["byline"])}</p>')
    body = [a["body"][i] for i in (order or range(len(a["body"])))]
    for i, para in enumerate(body):
        parts.append(f"<{paragraph}>{text(para)}</{paragraph}>")
        if i in extra_between:
            parts.append(extra_between[i])
    if source:
        parts.append('<p class="source">Source : <a href="https://www.rfi.fr/">RFI</a></p>')
    return '<div class="republished">' + "\n".join(parts) + "</div>"


def _with(a: Article, **changes: Any) -> Article:
    out = json.loads(json.dumps(a))
    for key, fn in changes.items():
        out[key] = fn(out[key])
    return out


def _body(i: int, fn: Callable[[str], str]) -> Callable[[list[str]], list[str]]:
    def change(body: list[str]) -> list[str]:
        body = list(body)
        body[i] = fn(body[i])
        return body

    return change


def _entities(s: str) -> str:
    return "".join(c if ord(c) < 128 else f"&#{ord(c)};" for c in html.escape(s))


def _spans(s: str) -> str:
    words = html.escape(s).split(" ")
    return " ".join(f"<span>{w}</span>" if i % 3 == 0 else w for i, w in enumerate(words))


def _soft(s: str) -> str:
    return html.escape(" ".join(w[:3] + "\u00ad" + w[3:] if len(w) > 7 else w for w in s.split(" ")))


#: Benign variants: each must be compliant.
BENIGN: dict[str, Callable[[Article], str]] = {
    "as-published": lambda a: render(a),
    "nbsp-to-space": lambda a: render(a, text=lambda s: html.escape(s.replace("\u00a0", " "))),
    "space-to-narrow-nbsp": lambda a: render(a, text=lambda s: html.escape(s.replace("« ", "«\u202f"))),
    "curly-to-straight": lambda a: render(a, text=lambda s: html.escape(s.replace("’", "'"))),
    "straight-to-curly": lambda a: render(a, text=lambda s: html.escape(s.replace("'", "’"))),
    "entities": lambda a: render(a, text=_entities),
    "nfd": lambda a: render(a, text=lambda s: html.escape(unicodedata.normalize("NFD", s))),
    "reflow": lambda a: render(a, text=lambda s: html.escape(s).replace(", ", ",\n      ")),
    "wrapper-spans": lambda a: render(a, text=_spans),
    "soft-hyphens": lambda a: render(a, text=_soft),
    "div-br": lambda a: render(a, paragraph="div").replace("</div>\n<div>", "<br><br>"),
    "no-source-line": lambda a: render(a, source=False),
}


def _ad(src: str = "https://ads.example.net/slot?id=7") -> str:
    return f'<div class="ad-slot"><iframe src="{src}" width="300" height="250"></iframe></div>'


#: Violations: each must be found with one of the listed kinds (as an error).
VIOLATIONS: dict[str, tuple[frozenset[str], Callable[[Article], str]]] = {
    "cut-paragraph": (frozenset({"text.cut"}), lambda a: render(_with(a, body=lambda b: b[:2] + b[3:]))),
    "cut-sentence": (
        frozenset({"text.cut"}),
        lambda a: render(_with(a, body=_body(0, lambda p: p.replace("C'est une première. ", "")))),
    ),
    "cut-word": (
        frozenset({"text.cut"}),
        lambda a: render(_with(a, body=_body(1, lambda p: p.replace("récente ", "")))),
    ),
    "truncated": (
        frozenset({"text.cut"}),
        lambda a: (
            render(_with(a, body=lambda b: b[:1]), source=False)
            + '<p><a href="https://www.rfi.fr/">Lire la suite…</a></p>'
        ),
    ),
    "added-paragraph": (
        frozenset({"text.addition"}),
        lambda a: render(a, extra_between={1: "<p>Notre rédaction estime que cette visite change tout.</p>"}),
    ),
    "added-sentence": (
        frozenset({"text.addition"}),
        lambda a: render(_with(a, body=_body(2, lambda p: p + " Ce point reste discuté par les experts."))),
    ),
    "lire-aussi": (
        frozenset({"text.addition", "link.inserted"}),
        lambda a: render(a, extra_between={2: '<div class="lire-aussi">Lire aussi : <a href="/x">Tripoli</a></div>'}),
    ),
    "number": (
        frozenset({"text.alteration"}),
        lambda a: render(_with(a, lead=lambda s: s.replace("27 et 28", "27 et 29"))),
    ),
    "name": (
        frozenset({"text.alteration"}),
        lambda a: render(_with(a, body=_body(0, lambda p: p.replace("Shoigu", "Lavrov")))),
    ),
    "negation": (
        frozenset({"text.alteration", "text.cut"}),
        lambda a: render(_with(a, body=_body(2, lambda p: p.replace("ne cache pas", "cache")))),
    ),
    "swap": (frozenset({"text.reorder"}), lambda a: render(a, order=[0, 2, 1, 3])),
    "title-altered": (
        frozenset({"title.altered"}),
        lambda a: render(_with(a, title=lambda t: t.replace("soutien militaire", "armes"))),
    ),
    "title-missing": (frozenset({"title.missing"}), lambda a: render(a, title=False)),
    "byline-missing": (frozenset({"byline.missing"}), lambda a: render(a, byline=False)),
    "byline-altered": (
        frozenset({"byline.altered"}),
        lambda a: render(_with(a, byline=lambda s: s.replace("Muriel Pomponne", "Marie Dupont"))),
    ),
    "image-missing": (frozenset({"image.missing"}), lambda a: render(a, image=False)),
    "caption-missing": (frozenset({"caption.missing"}), lambda a: render(a, caption=False)),
    "caption-altered": (
        frozenset({"caption.altered"}),
        lambda a: render(
            _with(a, images=lambda im: [{**im[0], "caption": im[0]["caption"].replace(" (ici en 2014)", "")}])
        ),
    ),
    "credit-missing": (frozenset({"credit.missing"}), lambda a: render(a, credit=False)),
    "credit-altered": (
        frozenset({"credit.altered"}),
        lambda a: render(_with(a, images=lambda im: [{**im[0], "credit": "© Reuters"}])),
    ),
    "iframe-ad": (frozenset({"embed.inserted"}), lambda a: render(a, extra_between={0: _ad()})),
    "video": (
        frozenset({"embed.inserted"}),
        lambda a: render(a, extra_between={1: '<iframe src="https://www.youtube.com/embed/x"></iframe>'}),
    ),
    "script-widget": (
        frozenset({"embed.inserted"}),
        lambda a: render(a, extra_between={2: '<script src="https://widgets.example/w.js"></script>'}),
    ),
    "extra-image": (
        frozenset({"embed.inserted"}),
        lambda a: render(a, extra_between={1: '<p><img src="/media/carte.jpg" alt="carte"></p>'}),
    ),
    "word-linked": (
        frozenset({"link.inserted"}),
        lambda a: render(a).replace("Frères musulmans", '<a href="https://partner.example/tag">Frères musulmans</a>'),
    ),
    "attribution-missing": (frozenset({"attribution.missing"}), lambda a: render(a, source=False)),
}


@dataclass(frozen=True)
class Template:
    """A real page whose article slot can receive another article."""

    page: CorpusPage

    def paste(self, article_html: str) -> str:
        """The page with its article body replaced by *article_html* (chrome kept)."""
        doc = lxml.html.document_fromstring(self.page.raw)
        canonical = canonical_for(self.page)
        first = find_paragraph_element(doc, canonical["body"][0])
        last = find_paragraph_element(doc, canonical["body"][-1])
        if first is None or last is None or first.getparent() is None:
            raise ValueError(f"{self.page.id}: no article slot found")
        slot = first.getparent()
        # Remove every block of the old article inside its container, then put ours in its place.
        for el in list(slot):
            slot.remove(el)
        slot.text = None
        for frag in lxml.html.fragments_fromstring(article_html):
            if isinstance(frag, str):
                continue
            slot.append(frag)
        return lxml.html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>")


def templates(pages: list[CorpusPage], ids: list[str]) -> list[Template]:
    """The named pages as templates (those whose article slot can be found)."""
    by_id = {p.id: p for p in pages}
    out = []
    for pid in ids:
        page = by_id.get(pid)
        if page is None:
            continue
        t = Template(page)
        try:
            t.paste("<p>probe</p>")
        except ValueError:
            continue
        out.append(t)
    return out


#: Diverse real layouts (publishers, languages, CMSs) used as templates.
TEMPLATE_IDS = [
    "fundus_fr_LeMonde_V1",
    "fundus_uk_BBC_V2",
    "fundus_de_Stern_V2",
    "fundus_us_LATimes_V1",
    "fundus_es_ElDiario_V1",
    "fundus_fr_LeFigaro_V1",
    "fundus_jp_TokyoShimbun_V1",
    "fundus_ca_CBCNews_V1",
]
