"""The JSON contracts: the canonical article schema (input) and the report schema (output).

Also the report's fingerprints, which CI baselines key on: stable run after run and across a
partner's page redesign.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker import check
from checker.canonical import load_canonical
from checker.errors import CanonicalError
from checker.models import Article
from checker.schemas import load_schema

ROOT = Path(__file__).resolve().parent.parent
CANONICAL = ROOT / "examples" / "canonical" / "rfi-haftar-moscou.json"
PARTNERS = ROOT / "examples" / "partners"
SEED: dict[str, Any] = json.loads(CANONICAL.read_text(encoding="utf-8"))

EXPECTED_VERDICT = {
    "compliant.html": "compliant",
    "compliant-cp1252.html": "compliant",
    "not-the-article.html": "unverifiable",
    "not-html.txt": "unverifiable",
}
PAGES = sorted(p.name for p in PARTNERS.iterdir())


# --- the article schema ------------------------------------------------------------------------


def test_example_canonical_follows_the_schema() -> None:
    jsonschema.Draft202012Validator(load_schema("article")).validate(SEED)
    art = load_canonical(CANONICAL)
    assert isinstance(art, Article)
    assert art.title == SEED["title"] and list(art.body) == SEED["body"]
    assert load_canonical(SEED) == art


def test_article_round_trips_through_to_dict() -> None:
    art = load_canonical(SEED)
    again = art.to_dict()
    jsonschema.Draft202012Validator(load_schema("article")).validate(again)
    assert load_canonical(again) == art


def _edit(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """A copy of the seed article with *value* at *path* (``DELETE`` removes the key)."""
    data = copy.deepcopy(SEED)
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


DELETE = object()

BROKEN = [
    # (id, path, value, JSON path in the message, words the message must contain)
    ("missing-title", ("title",), DELETE, "$", ["'title'", "required"]),
    ("missing-body", ("body",), DELETE, "$", ["'body'", "required"]),
    ("missing-image-src", ("images", 0, "src"), DELETE, "$.images[0]", ["'src'", "required"]),
    ("unknown-key", ("subtitle",), "x", "$", ["unknown key 'subtitle'", "allowed keys:", "title"]),
    ("unknown-image-key", ("images", 0, "alt"), "x", "$.images[0]", ["unknown key 'alt'", "caption, credit, src"]),
    ("title-not-string", ("title",), 42, "$.title", ["not of type 'string'"]),
    ("body-not-array", ("body",), "one paragraph", "$.body", ["not of type 'array'"]),
    ("paragraph-not-string", ("body", 1), 7, "$.body[1]", ["not of type 'string'"]),
    ("empty-paragraph", ("body", 2), "", "$.body[2]", []),
    ("empty-body", ("body",), [], "$.body", []),
    ("credit-not-string", ("images", 0, "credit"), ["©"], "$.images[0].credit", ["not of type"]),
    ("bad-language", ("language",), "French!", "$.language", []),
]


@pytest.mark.parametrize(("path", "value", "json_path", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
@pytest.mark.parametrize("form", ["dict", "file"])
def test_invalid_canonical_names_the_json_path(
    tmp_path: Path, form: str, path: tuple[str | int, ...], value: Any, json_path: str, words: list[str]
) -> None:
    data = _edit(path, value)
    if form == "dict":
        source: Any = data
        where = "<dict>"
    else:
        source = tmp_path / "article.json"
        source.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        where = str(source)
    with pytest.raises(CanonicalError) as info:
        load_canonical(source)
    message = str(info.value)
    assert message.startswith(f"canonical error: {where}: {json_path}: "), message
    assert "\n" not in message
    for word in words:
        assert word in message, message


def test_canonical_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(CanonicalError) as info:
        load_canonical(path)
    assert str(info.value).startswith(f"canonical error: {path}: $: ")


def test_canonical_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "article.json"
    path.write_bytes(b"\xef\xbb\xbf" + CANONICAL.read_bytes())
    assert load_canonical(path) == load_canonical(CANONICAL)


# --- the report schema -------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_report_of_every_example_follows_the_schema(name: str) -> None:
    report = check(PARTNERS / name, CANONICAL, "rfi")
    data = report.to_dict()
    validator = jsonschema.Draft202012Validator(load_schema("report"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(data)]
    assert not errors, errors
    assert data["verdict"] == EXPECTED_VERDICT.get(name, "violation"), data["message"] or data["findings"]
    assert json.loads(json.dumps(data)) == data  # plain JSON, nothing the encoder would change
    if data["verdict"] == "unverifiable":
        assert data["reason"] and data["message"] and data["findings"] == []
    else:
        assert data["reason"] is None
        assert sum(data["counts"].values()) == len(data["findings"])
    if data["verdict"] == "violation":
        assert data["counts"]["error"] > 0


# --- fingerprints ------------------------------------------------------------------------------


def _fingerprints(page: Any, kinds: str = "") -> list[tuple[str, str]]:
    return sorted((f.kind, f.fingerprint) for f in check(page, CANONICAL, "rfi").findings if f.kind.startswith(kinds))


@pytest.mark.parametrize("name", ["cut-paragraph.html", "altered-words.html", "inserted-link.html", "truncated.html"])
def test_fingerprints_are_stable_across_runs(name: str) -> None:
    first = _fingerprints(PARTNERS / name)
    assert first
    assert _fingerprints(PARTNERS / name) == first
    assert _fingerprints((PARTNERS / name).read_bytes()) == first  # same page given as bytes


def test_fingerprints_survive_a_page_redesign() -> None:
    html = (PARTNERS / "cut-paragraph.html").read_text(encoding="utf-8")
    article = re.search(r"<article\b.*?</article>", html, re.S)
    assert article is not None
    redesigned = f"""<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Autre maquette</title></head>
<body>
  <div id="app"><header><a href="/">Un autre site</a> <nav><a href="/a">A</a> <a href="/b">B</a></nav></header>
    <section class="contenu"><div class="colonne"><div class="carte">
      {article.group(0)}
    </div></div></section>
    <footer><p>Pied de page</p></footer>
  </div>
</body></html>"""
    original = _fingerprints(PARTNERS / "cut-paragraph.html", "text.")
    moved = _fingerprints(redesigned, "text.")
    assert original == moved
    assert ("text.cut", original[0][1]) in original
    # The CSS path did change: the fingerprint really ignores it.
    paths = {f.partner.css_path for f in check(redesigned, CANONICAL, "rfi").findings if f.partner}
    old_paths = {
        f.partner.css_path for f in check(PARTNERS / "cut-paragraph.html", CANONICAL, "rfi").findings if f.partner
    }
    assert paths.isdisjoint(old_paths)
