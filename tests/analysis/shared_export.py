"""``study``, ``cast`` and ``export_study`` served by the export study built once per module.

A test module opts in with one line, ``study, cast, export_study = shared_export.study,
shared_export.cast, shared_export.export_study``: its tests then share one study built once
(``export_study_once`` in tests/analysis/conftest.py), each test's writes rolled back after it.
"""

import pytest


@pytest.fixture
def study(shared_study):
    return shared_study


@pytest.fixture
def cast(shared_cast):
    return shared_cast


@pytest.fixture
def export_study(shared_study):
    return shared_study
