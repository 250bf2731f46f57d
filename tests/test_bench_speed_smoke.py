"""Smoke test of the speed benchmark harness (``bench/speed.py``), so it cannot rot.

Timings are never asserted: shared machines are too noisy. Figures come from running the script.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from corpus_cases import corpus_root

ROOT = corpus_root()
pytestmark = pytest.mark.skipif(
    ROOT is None, reason="real-page corpus not found at ../shared/corpus (set REPCHECK_CORPUS to run these tests)"
)


def test_run_speed_quick_returns_every_section() -> None:
    import speed

    assert ROOT is not None
    res = speed.run_speed(ROOT, 1, True, limit=3)
    assert {"per_page", "rows", "align_vs_difflib", "scaling", "versions", "machine"} <= set(res)
    assert res["per_page"]["pages"] == len(res["rows"]) == 3
    assert {"python", "lxml", "bs4", "rapidfuzz", "trafilatura"} <= set(res["versions"])
    assert {"platform", "cpu_count"} <= set(res["machine"])
    # quick: 1x, 10x and the long article; no 100x case
    assert [c["case"] for c in res["scaling"]] == ["1x", "10x", "10k words"]
    # the grown page still carries the article once: same verdict and findings as the 1x page
    one, ten = res["scaling"][0], res["scaling"][1]
    assert (ten["verdict"], ten["findings"]) == (one["verdict"], one["findings"])
    json.dumps(res)  # what --json writes
