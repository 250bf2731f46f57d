"""The canonical article: from a JSON file or URL (``article.schema.json``), a dict, an
:class:`Article`, or the publisher's own HTML page (extracted by ``extract.extract_article``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checker import fetch as fetch_mod
from checker.errors import CanonicalError, UnverifiableError
from checker.models import Article
from checker.schemas import validate

#: Content-Types under which a canonical article may be served besides HTML.
JSON_TYPES = frozenset({"application/json", "text/json", "application/ld+json", "text/plain"})


def from_dict(data: Any, source: str) -> Article:
    """Validate *data* against the article schema and build the :class:`Article`."""
    validate(data, "article", f"canonical error: {source}", CanonicalError)
    return Article.from_dict(data)


def _looks_like_json(raw: bytes) -> bool:
    return raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def load_canonical(
    canonical: str | os.PathLike[str] | Mapping[str, Any] | Article, selectors: Mapping[str, Any] | None = None
) -> Article:
    """Load the canonical article from any accepted form.

    JSON is recognised by its first character; anything else is read as the publisher's HTML page
    and the article is extracted from it (with the profile's CSS *selectors* when given).
    Raises :class:`CanonicalError` (exit 2) when it cannot be read or is invalid.
    """
    if isinstance(canonical, Article):
        return canonical
    if isinstance(canonical, Mapping):
        return from_dict(dict(canonical), "<dict>")
    ref = os.fspath(canonical)
    is_url = ref.startswith(("http://", "https://", "file://"))
    if not is_url:
        path = Path(ref)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise CanonicalError(f"canonical error: {ref}: no such file") from None
        except OSError as exc:
            raise CanonicalError(f"canonical error: {ref}: cannot read ({exc.strerror})") from None
        url = path.resolve().as_uri()
        text: str | None = None
    else:
        try:
            snap = fetch_mod.load_page(ref, media_types=JSON_TYPES)
        except UnverifiableError as exc:
            raise CanonicalError(f"canonical error: {ref}: {exc}") from None
        raw, url, text = snap.raw, snap.url, snap.text
    if _looks_like_json(raw):
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CanonicalError(f"canonical error: {ref}: invalid JSON ({exc})") from None
        return from_dict(data, ref)
    from checker.extract import extract_article

    if text is None:
        text, _, _ = fetch_mod.decode_html(raw)
    return extract_article(text, url=url, selectors=selectors or {}, source=ref)
