"""``bootstrap.py test``: the whole suite on two cores, a chosen selection in one process."""

import pytest

from trialsite import bootstrap


@pytest.fixture
def pytest_command(monkeypatch):
    """Runs ``bootstrap.test`` without installing or linting; returns the pytest command it would start."""
    started = []
    monkeypatch.setattr(bootstrap, "ensure_venv", lambda requirements: None)
    monkeypatch.setattr(bootstrap, "ensure_chromium", lambda: None)
    monkeypatch.setattr(bootstrap, "run", lambda *args, **kwargs: None)
    monkeypatch.setattr(bootstrap.os, "execv", lambda path, argv: started.append(argv[1:]))

    def command(*pytest_args: str) -> list[str]:
        bootstrap.test(list(pytest_args))
        return started.pop()

    return command


def test_the_whole_suite_runs_in_two_workers_a_file_to_a_worker(pytest_command):
    assert pytest_command() == ["-m", "pytest", "-n", "2", "--dist", "loadfile"]


def test_a_chosen_file_or_option_runs_in_one_process(pytest_command):
    assert pytest_command("tests/trialsite/test_settings.py") == ["-m", "pytest", "tests/trialsite/test_settings.py"]
    assert pytest_command("-k", "audit", "-x") == ["-m", "pytest", "-k", "audit", "-x"]
