"""What keeps ``manage.py analyze`` and a large analysis fast: the libraries it imports, the collector paused.

bench/README.md measures the times ("Analysis start-up", "Full analysis"); these tests check the
mechanisms, so that a change undoing one fails here rather than only in the next benchmark.
"""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import stats
from analysis.results import results_from_data

from .test_results_planned import data_for

ROOT = Path(__file__).resolve().parents[2]

# Each costs 0.1–0.4 s of start-up, more than the statistics of a 1,000-participant study.
HEAVY = ("scipy.stats", "scipy.optimize", "pandas", "openpyxl", "reportlab", "pyreadstat")

ANALYSE = """
import json, os, sys
import django
django.setup()
import analysis.management.commands.analyze  # everything manage.py analyze imports
from analysis.frames import AnalysedRow, DayMeasures
from analysis.results import AnalysisData, ArmData, results_from_data
from analysis.sap import DEFAULT_ROLES

rows = {code: [AnalysedRow(f"{code}{i}", code, 1 + i % 3, 2 + i % 4) for i in range(40)] for code in "ab"}
arms = [ArmData(code, code, {"id": code, "en": code}, 40, {}, rows[code], {1: [2, 3], 7: [3, 4]}) for code in "ab"]
plan = {"status": "default", "locked": False, "version": None, "locked_at": None, "population": "complete_cases",
        "sensitivity_population": "per_protocol", "multiplicity": "holm", "recorded": None, "amendments": [],
        "roles": {str(k): str(v) for k, v in DEFAULT_ROLES.items()}}
measures = {row.participant_id: {1: DayMeasures((True, False, True, False), 10 + i % 5, None),
                                 7: DayMeasures((True, True, i % 2 == 0, False), 12 + i % 7, None)}
            for code in "ab" for i, row in enumerate(rows[code])}
result = results_from_data(AnalysisData("s", "S", "complete_cases", 1, 7, 7, 0.05, arms, plan=plan, measures=measures))
assert result["analyses"] and result["normality"]["groups"]["a"]["w"] is not None
print(json.dumps(sorted({name for name in sys.modules if name.startswith(tuple(sys.argv[1:]))})))
"""


def test_the_whole_analysis_with_every_planned_test_imports_no_heavy_library():
    """Shapiro–Wilk, the t, chi-square and binomial tails, Fisher's test and its root-finding use
    ``scipy.special`` and numpy only: a whole analysis leaves scipy.stats and scipy.optimize unimported."""
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.setdefault("DJANGO_SETTINGS_MODULE", "trialsite.settings")
    done = subprocess.run(
        [sys.executable, "-c", ANALYSE, *HEAVY], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


@pytest.fixture
def collector_seen(monkeypatch):
    """Whether the cyclic collector was on each time the statistics described a sample."""
    seen = []
    describe = stats.describe

    def recording(values):
        seen.append(gc.isenabled())
        return describe(values)

    monkeypatch.setattr(stats, "describe", recording)
    return seen


def test_the_collector_is_paused_while_the_analysis_runs_and_on_again_after(collector_seen):
    assert gc.isenabled()
    results_from_data(data_for([(1, 3)] * 6, [(2, 2)] * 6))
    assert collector_seen
    assert not any(collector_seen)
    assert gc.isenabled()


def test_the_collector_is_on_again_when_the_analysis_fails(monkeypatch):
    monkeypatch.setattr(stats, "describe", lambda values: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        results_from_data(data_for([(1, 3)] * 6, [(2, 2)] * 6))
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused(collector_seen):
    gc.disable()
    try:
        results_from_data(data_for([(1, 3)] * 6, [(2, 2)] * 6))
        assert not gc.isenabled()
    finally:
        gc.enable()
