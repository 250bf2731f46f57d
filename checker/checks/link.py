"""link.inserted — hyperlinks put on article text that the canonical does not link (insertions).

Links inside added text are part of that addition and are not reported twice.

Options: ``allow_hosts`` (list of host names, default []): links to these hosts (and their
subdomains) are allowed, e.g. the publisher's own site.

Compliant: "les Frères musulmans" as plain text.
Failing: ``<a href="https://partner.example/tag/freres-musulmans">Frères musulmans</a>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from checker.checks import Context, Hit, quote

KINDS = ("link.inserted",)
OPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"allow_hosts": {"type": "array", "items": {"type": "string", "minLength": 1}}},
}
DEFAULTS: dict[str, Any] = {"allow_hosts": []}


def host_allowed(href: str, hosts: list[str]) -> bool:
    """True when *href* points to one of *hosts* or a subdomain of one."""
    host = (urlsplit(href).hostname or "").lower()
    return any(host == h.lower() or host.endswith("." + h.lower()) for h in hosts)


def check(ctx: Context, kind: str, options: Mapping[str, Any]) -> Iterator[Hit]:
    """Yield a hit per inserted link."""
    for d in ctx.of_kind(kind):
        href = dict(d.detail).get("href", "")
        if host_allowed(href, options["allow_hosts"]):
            continue
        yield Hit.of(d, f"link to {href} put on {quote(d.partner.text if d.partner else '')}")
