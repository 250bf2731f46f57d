"""Exit statuses of the ``repcheck`` command (documented in the README)."""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """What the process exit code means; CI pipelines key on these."""

    COMPLIANT = 0
    VIOLATION = 1
    USAGE = 2
    UNVERIFIABLE = 3
