"""One exception base, one subclass per way a run can fail.

Each error maps to an exit status, so the CLI never has to guess; messages are one line
and are shown to the user as they are.
"""

from __future__ import annotations

from checker.status import ExitStatus


class RepcheckError(Exception):
    """Base of every error repcheck raises on purpose."""

    status: ExitStatus = ExitStatus.USAGE


class ConfigError(RepcheckError):
    """A profile, a canonical article or an option is invalid (exit 2)."""


class ProfileError(ConfigError):
    """A licence profile cannot be found, parsed or validated."""


class CanonicalError(ConfigError):
    """The canonical article cannot be read or does not follow its schema."""


class UnverifiableError(RepcheckError):
    """The partner page cannot be judged (exit 3); never a finding, never compliant."""

    status = ExitStatus.UNVERIFIABLE
    #: Short machine-readable reason, part of the JSON report.
    reason = "unverifiable"


class FetchError(UnverifiableError):
    """The page could not be fetched or read (network, HTTP status, size cap, file)."""

    reason = "fetch-failed"


class NotModifiedError(FetchError):
    """The server answered 304 Not Modified to a conditional request: the page is the one archived
    earlier (``url`` is the final URL asked). The audit judges the archived bytes again; any other
    caller gets an unverifiable page, since it holds no copy."""

    reason = "not-modified"

    def __init__(self, message: str, url: str) -> None:
        super().__init__(message)
        self.url = url


class NotHTMLError(UnverifiableError):
    """The page is not an HTML document."""

    reason = "not-html"


class EmptyPageError(UnverifiableError):
    """The page has no visible text."""

    reason = "empty-page"


class ArticleNotFoundError(UnverifiableError):
    """The page does not carry the canonical article."""

    reason = "article-not-found"
