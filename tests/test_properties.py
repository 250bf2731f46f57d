"""Property tests on the seed article: benign rewrites are never errors, real edits always are.

The seed canonical (examples/canonical/rfi-haftar-moscou.json) is rendered into a small partner
page by :func:`render`; hypothesis then applies what a partner's CMS does without changing the
text (Unicode forms, spaces, apostrophes, entities, wrappers, invisible characters, reflow,
paragraphs merged with ``<br><br>``) or what the licence forbids (one word cut, inserted or
replaced), and the report must tell them apart under the ``rfi`` profile.
"""

from __future__ import annotations

import html
import json
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from checker import check
from checker.canonical import load_canonical
from checker.models import Article, Report, Severity
from checker.normalize import keys
from checker.profiles import load_profile

ROOT = Path(__file__).resolve().parent.parent
SEED: dict[str, Any] = json.loads((ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json").read_text("utf-8"))
ARTICLE: Article = load_canonical(SEED)
RFI = load_profile("rfi")
BODY: list[str] = SEED["body"]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FRENCH_WORDS = [
    "maison",
    "gouvernement",
    "rapidement",
    "toujours",
    "jamais",
    "président",
    "accord",
    "Paris",
    "hier",
    "demain",
    "très",
    "aussi",
    "nouvelle",
    "guerre",
    "paix",
    "armée",
    "pétrole",
    "élections",
    "non",
    "pas",
    "le",
    "la",
    "de",
    "et",
    "peut-être",
    "aujourd’hui",
    "L’Égypte",
    "2017",
]

# --- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """How text becomes HTML: which words get a ``<span>``, which characters become entities."""

    rng: random.Random | None = None
    span_rate: float = 0.0
    entity_rate: float = 0.0

    def __call__(self, text: str) -> str:
        rng = self.rng
        if rng is None:
            return html.escape(text, quote=False)
        parts = re.split(r"(\s+)", text)
        out = []
        for part in parts:
            piece = html.escape(part, quote=False)
            if part and not part.isspace() and rng.random() < self.span_rate:
                piece = f'<span class="w{rng.randrange(9)}">{piece}</span>'
            out.append(piece)
        joined = "".join(out)
        if self.entity_rate:
            joined = "".join(
                (f"&#{ord(c)};" if rng.random() < 0.5 else f"&#x{ord(c):x};")
                if ord(c) > 127 and rng.random() < self.entity_rate
                else c
                for c in joined
            )
        return joined


def render(
    article: dict[str, Any],
    *,
    text: Callable[[str], str] = lambda s: s,
    markup: Markup | None = None,
    merge: tuple[int, int] | None = None,
) -> str:
    """The article as a partner page: title, figure, lead, byline, body paragraphs and source line.

    *text* rewrites the plain text of every field, *markup* turns it into HTML (escaped), and
    *merge* = (i, j) puts body paragraphs i..j in one ``<div>`` separated by ``<br><br>``.
    """
    m = markup or Markup()

    def h(s: str) -> str:
        return m(text(s))

    parts = [f"<h1>{h(article['title'])}</h1>"]
    for img in article.get("images", []):
        caption = h(img["caption"]) if img.get("caption") else ""
        credit = f' <span class="credit">{h(img["credit"])}</span>' if img.get("credit") else ""
        parts.append(
            f'<figure><img src="{html.escape(img["src"])}" alt=""><figcaption>{caption}{credit}</figcaption></figure>'
        )
    if article.get("lead"):
        parts.append(f'<p class="lead">{h(article["lead"])}</p>')
    if article.get("byline"):
        parts.append(f'<p class="byline">{h(article["byline"])}</p>')
    body = article["body"]
    i = 0
    while i < len(body):
        if merge is not None and i == merge[0]:
            parts.append("<div>" + "\n<br><br>\n".join(h(p) for p in body[merge[0] : merge[1] + 1]) + "</div>")
            i = merge[1] + 1
            continue
        parts.append(f"<p>{h(body[i])}</p>")
        i += 1
    parts.append(f"<p>{h('Source : RFI')}</p>")
    return (
        '<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"><title>Le Courrier</title></head>\n'
        '<body><header><a href="/">Le Courrier</a></header>\n<main><article>\n'
        + "\n".join(parts)
        + "\n</article></main>\n<footer><p>Pied de page</p></footer></body></html>\n"
    )


def judge(page: str) -> Report:
    return check(page, ARTICLE, RFI)


def explain(report: Report) -> str:
    lines = [f"verdict={report.verdict.value} reason={report.reason} message={report.message}"]
    lines += [
        f"  {f.severity.value} {f.kind} {f.message} "
        f"(canonical {f.canonical.field if f.canonical else None}/"
        f"{f.canonical.paragraph if f.canonical else None})"
        for f in report.findings
    ]
    return "\n".join(lines)


def errors(report: Report) -> list[Any]:
    return [f for f in report.findings if f.severity is Severity.ERROR]


def with_body(paragraph: int, new_text: str) -> dict[str, Any]:
    art = dict(SEED)
    art["body"] = [new_text if k == paragraph else p for k, p in enumerate(BODY)]
    return art


def test_render_of_the_seed_is_compliant() -> None:
    """The renderer itself is faithful: otherwise every property below proves nothing."""
    report = judge(render(SEED))
    assert report.verdict.value == "compliant", explain(report)
    assert not [f for f in report.findings if f.severity is not Severity.INFO], explain(report)


# --- a. benign rewrites ------------------------------------------------------------------------


_SPACES = {" ": ["\u00a0", "\u202f"], "\u00a0": [" ", "\u202f"], "\u202f": [" ", "\u00a0"]}
_APOSTROPHES = {"'": "’", "’": "'"}
_WHITESPACE_RUNS = ["  ", "\n", "\n      ", "\t", " \n ", "   "]


@dataclass(frozen=True)
class Benign:
    """One draw of benign rewrites; ``rng`` decides where each applies."""

    rng: random.Random
    form: Literal["NFC", "NFD"]
    space_rate: float
    apostrophe_rate: float
    invisible_rate: float
    reflow_rate: float

    def __call__(self, text: str) -> str:
        rng = self.rng
        words = re.split(r"( )", text)  # only U+0020 separates here; NBSPs stay inside "words"
        out = []
        for w in words:
            if w == " ":
                if rng.random() < self.reflow_rate:
                    out.append(rng.choice(_WHITESPACE_RUNS))
                elif rng.random() < self.space_rate:
                    out.append(rng.choice(_SPACES[" "]))
                else:
                    out.append(w)
                continue
            chars = []
            for k, c in enumerate(w):
                if c in _SPACES and c != " " and rng.random() < self.space_rate:
                    c = rng.choice(_SPACES[c])
                elif c in _APOSTROPHES and rng.random() < self.apostrophe_rate:
                    c = _APOSTROPHES[c]
                chars.append(c)
                # Inside a word only: between two letters, never at its edges.
                if k + 1 < len(w) and c.isalpha() and w[k + 1].isalpha() and rng.random() < self.invisible_rate:
                    chars.append(rng.choice(["\u00ad", "\u200b"]))
            out.append("".join(chars))
        rewritten = "".join(out)
        if rng.random() < self.reflow_rate:
            rewritten = rng.choice(_WHITESPACE_RUNS) + rewritten + rng.choice(_WHITESPACE_RUNS)
        return unicodedata.normalize(self.form, rewritten)


rates = st.sampled_from([0.0, 0.05, 0.3, 1.0])


@st.composite
def benign_pages(draw: st.DrawFn) -> str:
    # A seeded Random decides where each rewrite applies: a small, replayable draw that shrinks
    # along with the rates (st.randoms() draws too much data for a page of ~400 words).
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    rewrite = Benign(rng, draw(st.sampled_from(["NFC", "NFD"])), draw(rates), draw(rates), draw(rates), draw(rates))
    markup = Markup(rng, span_rate=draw(rates), entity_rate=draw(rates))
    merge = None
    if draw(st.booleans()):
        first = draw(st.integers(0, len(BODY) - 2))
        merge = (first, draw(st.integers(first + 1, len(BODY) - 1)))
    note(f"rewrite={rewrite} markup={markup} merge={merge}")
    return render(SEED, text=rewrite, markup=markup, merge=merge)


@SETTINGS
@given(benign_pages())
def test_benign_rewrites_are_never_errors(page: str) -> None:
    report = judge(page)
    note(page)
    assert report.verdict.value == "compliant", explain(report)
    assert not errors(report), explain(report)


# --- b, c, d. real edits -----------------------------------------------------------------------


def _word_spans(text: str) -> list[tuple[int, int]]:
    """Whitespace-separated words that carry at least one letter or digit (punctuation is no word)."""
    return [(m.start(), m.end()) for m in re.finditer(r"\S+", text) if keys(m.group())]


@st.composite
def cuts(draw: st.DrawFn) -> tuple[int, str, str]:
    i = draw(st.integers(0, len(BODY) - 1))
    spans = _word_spans(BODY[i])
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    text = BODY[i]
    cut = (text[:start] + text[end:]).replace("  ", " ").strip()
    return i, text[start:end], cut


@SETTINGS
@given(cuts())
def test_a_cut_word_is_reported_in_its_paragraph(case: tuple[int, str, str]) -> None:
    i, word, text = case
    note(f"paragraph {i}: cut {word!r}")
    report = judge(render(with_body(i, text)))
    hits = [
        f
        for f in errors(report)
        if f.kind in ("text.cut", "text.alteration")
        and f.canonical is not None
        and f.canonical.field == "body"
        and f.canonical.paragraph == i
    ]
    assert hits, explain(report)


@st.composite
def insertions(draw: st.DrawFn) -> tuple[int, str, str]:
    i = draw(st.integers(0, len(BODY) - 1))
    words = BODY[i].split(" ")
    at = draw(st.integers(0, len(words)))
    word = draw(st.sampled_from(FRENCH_WORDS))
    return i, word, " ".join([*words[:at], word, *words[at:]])


@SETTINGS
@given(insertions())
def test_an_inserted_word_is_reported(case: tuple[int, str, str]) -> None:
    i, word, text = case
    note(f"paragraph {i}: inserted {word!r}: {text!r}")
    report = judge(render(with_body(i, text)))
    hits = [f for f in errors(report) if f.kind in ("text.addition", "text.alteration")]
    assert hits, explain(report)


@st.composite
def substitutions(draw: st.DrawFn) -> tuple[int, str, str, str]:
    i = draw(st.integers(0, len(BODY) - 1))
    spans = _word_spans(BODY[i])
    start, end = spans[draw(st.integers(0, len(spans) - 1))]
    old = BODY[i][start:end]
    new = draw(st.sampled_from(FRENCH_WORDS).filter(lambda w: keys(w) != keys(old)))
    return i, old, new, BODY[i][:start] + new + BODY[i][end:]


@SETTINGS
@given(substitutions())
def test_a_replaced_word_is_reported_in_its_paragraph(case: tuple[int, str, str, str]) -> None:
    i, old, new, text = case
    note(f"paragraph {i}: {old!r} -> {new!r}")
    report = judge(render(with_body(i, text)))
    hits = [
        f
        for f in errors(report)
        if f.kind in ("text.alteration", "text.cut", "text.addition")
        and f.canonical is not None
        and f.canonical.field == "body"
        and f.canonical.paragraph == i
    ]
    assert hits, explain(report)


def _block_of(page_html: str, text: str) -> str:
    """The CSS path the checker gives the block whose text starts with *text*."""
    from checker.extract import extract

    return next(b.css_path for b in extract(page_html).blocks if b.text.strip().startswith(text))


def test_a_word_added_at_the_end_of_a_paragraph_is_located_there() -> None:
    page = render(with_body(0, BODY[0] + " le"))
    report = judge(page)
    additions = [f for f in errors(report) if f.kind == "text.addition"]
    assert len(additions) == 1, explain(report)
    partner = additions[0].partner
    assert partner is not None and partner.text == "le", explain(report)
    assert partner.css_path == _block_of(page, "Les deux jours")
    assert not [f for f in report.findings if f.kind == "text.typography"], explain(report)
