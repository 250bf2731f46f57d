"""Smoke test of the accuracy benchmark harness on a handful of cases, so it cannot rot.

Figures come from ``python bench/run.py``; this only checks that the harness runs end to end and
that its scores mean what they say on a page where the answers are known.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import accuracy
import run as bench_run
from corpus_cases import corpus_root, load_pages

ROOT = corpus_root()
pytestmark = pytest.mark.skipif(ROOT is None, reason="real-page corpus not found at ../shared/corpus")


def test_accuracy_harness_on_one_page_and_one_template() -> None:
    assert ROOT is not None
    pages = load_pages(ROOT)
    page = next(p for p in pages if p.id == "fundus_fr_LeMonde_V1")
    res = accuracy.run([page], with_peer=False, template_pages=[page])
    kinds = res["kinds"]
    # The page's own mutations and the seed pasted into its template are all there, scored.
    assert "mutation:remove-paragraph" in kinds and "seed-violation:credit-altered" in kinds
    assert kinds["mutation:add-paragraph"]["recall"] == 1.0
    assert kinds["seed-violation:cut-paragraph"]["recall"] == 1.0
    assert res["false_alarms"]["seed-benign"]["false_alarm_rate"] == 0.0
    for k in kinds.values():
        assert 0.0 <= k["recall"] <= 1.0 and 0.0 <= k["precision"] <= 1.0
    # Every miss names the case so a developer can open it.
    assert all({"source", "case", "page", "got"} <= set(m) for m in res["misses"])
    # The BENCHMARKS.md tables are rendered from the same result.
    tables = bench_run.tables({"accuracy": res})
    assert "mutation:remove-paragraph" in tables["accuracy"]
