"""The quick start: progress while installing, the demo logins once, and no PostgreSQL left running."""

import io
import os

import pytest
from django.core.management import call_command

from observations.demo.management.commands import quickstart
from trialsite import bootstrap
from trialsite.dbserver import ensure_embedded_server, stop_embedded_server

DEAD_PID = 2**22 + 12345  # above Linux's pid_max: never a running process


@pytest.mark.django_db
def test_the_demo_logins_are_printed_once_with_user_name_and_password_together(study, monkeypatch, tmp_path):
    monkeypatch.setattr(quickstart, "LOGINS_FILE", tmp_path / "demo-logins.txt")
    (tmp_path / "demo-logins.txt").write_text("pass-Word-2026\n")
    out = io.StringIO()
    call_command("seed_demo", password="pass-Word-2026", verbosity=0, stdout=out)  # as the quick start seeds
    command = quickstart.Command(stdout=out)
    command.print_logins(8000)
    text = out.getvalue()
    for username in ("midwife.srp1", "midwife.par", "coordinator", "investigator"):
        assert text.count(username) == 1, text
        line = next(row for row in text.splitlines() if username in row)
        assert "pass-Word-2026" in line


def test_installing_shows_pips_progress_and_is_skipped_when_nothing_changed(monkeypatch, tmp_path, capsys):
    commands = []
    monkeypatch.setattr(bootstrap, "VENV", tmp_path)
    monkeypatch.setattr(bootstrap, "run", lambda *args, **kwargs: commands.append([str(a) for a in args]))
    bootstrap.ensure_venv("requirements.txt")
    assert "--quiet" not in commands[0]
    assert "Installing the pinned requirements" in capsys.readouterr().out
    bootstrap.ensure_venv("requirements.txt")
    assert len(commands) == 1
    assert "already installed" in capsys.readouterr().out


def test_an_embedded_server_stops_even_when_a_killed_process_is_still_listed(tmp_path):
    data = str(tmp_path / "pgdata")
    ensure_embedded_server(data)
    pid_file = tmp_path / "pgdata" / "postmaster.pid"
    assert pid_file.exists()
    handles = tmp_path / "pgdata" / ".handle_pids.json"
    handles.write_text(handles.read_text().replace("[", f"[{DEAD_PID}, ", 1))
    assert stop_embedded_server(data)
    assert not pid_file.exists()


def test_an_embedded_server_another_running_process_uses_keeps_running(tmp_path):
    data = str(tmp_path / "pgdata")
    ensure_embedded_server(data)
    handles = tmp_path / "pgdata" / ".handle_pids.json"
    handles.write_text(handles.read_text().replace("[", f"[{os.getppid()}, ", 1))
    assert not stop_embedded_server(data)
    handles.write_text(handles.read_text().replace(f"{os.getppid()}, ", ""))
    assert stop_embedded_server(data)
