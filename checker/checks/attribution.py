"""attribution.missing — the republication names its source, as the licence requires.

Looks, in the article and the blocks just around it, for one of ``phrases`` (compared after
normalisation) or a link to one of ``link_hosts``. Reports one finding when neither is there.

Options: ``phrases`` (list of strings, default ["Source"]); ``link_hosts`` (list of host names,
default []); ``require`` ("phrase", "link", "any" or "both"; default "any").

Compliant: ``<p>Source : <a href="https://www.rfi.fr/...">RFI</a></p>`` after the article.
Failing: no source line and no link to rfi.fr near the article.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from checker import settings
from checker.checks import Context, Hit
from checker.checks.link import host_allowed
from checker.models import PartnerEvidence
from checker.normalize import comparable

KINDS = ("attribution.missing",)
OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "phrases": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "link_hosts": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "require": {"enum": ["phrase", "link", "any", "both"]},
    },
}
DEFAULTS: dict[str, Any] = {"phrases": ["Source"], "link_hosts": [], "require": "any"}


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield one hit when the source is not named near the article."""
    al = ctx.alignment
    blocks = al.page.blocks
    lo = max(0, min(al.region[0], al.span[0]) - settings.ATTRIBUTION_BLOCKS)
    hi = min(len(blocks) - 1, max(al.region[1], al.span[1]) + settings.ATTRIBUTION_BLOCKS)
    phrases = [f" {comparable(p)} " for p in options["phrases"]]
    has_phrase = has_link = False
    for b in blocks[lo : hi + 1]:
        text = f" {comparable(b.text)} "
        has_phrase = has_phrase or any(p in text for p in phrases)
        has_link = has_link or any(host_allowed(link.href, options["link_hosts"]) for link in b.links)
    need = options["require"]
    ok = {"phrase": has_phrase, "link": has_link, "any": has_phrase or has_link, "both": has_phrase and has_link}[need]
    if not ok:
        wanted = ", ".join(f"“{p}”" for p in options["phrases"])
        hosts = ", ".join(options["link_hosts"])
        what = {
            "phrase": wanted,
            "link": f"a link to {hosts}",
            "any": f"{wanted} or a link to {hosts}",
            "both": f"{wanted} and a link to {hosts}",
        }[need]
        last = blocks[al.span[1]]
        yield Hit(
            f"no source mention near the article (expected {what})",
            None,
            PartnerEvidence("", last.css_path, last.index),
        )
