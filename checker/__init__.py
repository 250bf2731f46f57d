"""repcheck: prove that partner sites republish articles exactly as the licence allows.

The façade: ``check(page, canonical, rules=None) -> Report``. Everything a caller needs is
re-exported here; the stages live in their own modules (fetch, extract, align, diff, engine).
"""

from __future__ import annotations

__version__ = "0.1.0"

from checker.errors import ConfigError, RepcheckError, UnverifiableError
from checker.models import Article, Finding, Report, Severity, Verdict
from checker.pipeline import check
from checker.profiles import Profile, load_profile
from checker.status import ExitStatus

__all__ = [
    "Article",
    "ConfigError",
    "ExitStatus",
    "Finding",
    "Profile",
    "RepcheckError",
    "Report",
    "Severity",
    "UnverifiableError",
    "Verdict",
    "__version__",
    "check",
    "load_profile",
]
