"""Words and the benign normalisations: what two texts must share to count as the same text.

A partner's CMS rewrites typography without touching the article: Unicode normalisation forms
(NFC/NFD), U+00A0 and U+202F spaces (French typography), curly and straight apostrophes, soft
hyphens, zero-width characters, entities, line breaks. None of that is a "modification" in the
licence's sense, so every token carries a *key* in which those differences vanish; alignment
compares keys, and the original characters stay available for evidence.

Scripts written without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar) are tokenised one
character per token, which makes a cut of one character as visible as a cut of one word elsewhere.
Punctuation is not a token: quotes, dashes and spacing around ``:`` or ``»`` vary by house style.
"""

from __future__ import annotations

import unicodedata
from typing import Final, NamedTuple

import regex

# Characters a CMS inserts or drops without changing the text: soft hyphen, zero-width space /
# non-joiner / joiner, word joiner, BOM used as zero-width no-break space.
_INVISIBLE: Final = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_STRIP_INVISIBLE: Final = {ord(c): None for c in _INVISIBLE}

# One token per character for scripts without word spaces; combining marks stay with their base.
_SPACELESS: Final = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\u3005\u30fc"
_TOKEN_RE: Final = regex.compile(
    rf"[{_SPACELESS}][\p{{M}}{_INVISIBLE}]*"
    rf"|(?:(?![{_SPACELESS}])[\p{{L}}\p{{N}}\p{{M}}{_INVISIBLE}])+",
    regex.V1,
)

_KEY_CACHE: dict[str, str] = {}


class Token(NamedTuple):
    """A word of a text: its comparison key and its ``[start, end)`` offsets in the original."""

    key: str
    start: int
    end: int


def key_of(word: str) -> str:
    """The comparison key of one word: NFKC, case-folded, invisible characters removed."""
    key = _KEY_CACHE.get(word)
    if key is None:
        key = unicodedata.normalize("NFKC", word.translate(_STRIP_INVISIBLE)).casefold()
        if len(_KEY_CACHE) < 200_000:  # bounded: a pathological page must not grow it forever
            _KEY_CACHE[word] = key
    return key


def tokenize(text: str) -> list[Token]:
    """Split *text* into word tokens; offsets index into *text* itself."""
    out: list[Token] = []
    for m in _TOKEN_RE.finditer(text):
        key = key_of(m.group())
        if key:  # a run made only of invisible characters is no word
            out.append(Token(key, m.start(), m.end()))
    return out


def keys(text: str) -> list[str]:
    """Only the keys of :func:`tokenize`, for comparisons."""
    return [t.key for t in tokenize(text)]


def squash(text: str) -> str:
    """Collapse whitespace runs (including no-break spaces) for display."""
    return " ".join(text.translate(_STRIP_INVISIBLE).split())


def comparable(text: str) -> str:
    """A text reduced to its keys joined by spaces: equal for texts that differ only benignly."""
    return " ".join(keys(text))
