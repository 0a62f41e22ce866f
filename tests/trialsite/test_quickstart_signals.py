"""The quick start stops its embedded PostgreSQL however it is stopped: Ctrl-C (INT), TERM or HUP.

Each test runs ``python3 trialsite/bootstrap.py serve`` as a real process on its own data folder,
waits until it answers HTTP, sends one signal to that process (not to its group: PostgreSQL would
then stop by itself and the test could not fail), and checks the server is gone. Whatever happens,
nothing it started is left running.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import psutil
import pytest

from trialsite.bootstrap import ROOT

START_SECONDS = 600  # the first start migrates, seeds the demo study and may collect static files
STOP_SECONDS = 60


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """One data folder for the three stops: only the first start migrates and seeds."""
    return tmp_path_factory.mktemp("quickstart") / "pgdata"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the quick start exited before serving"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
            return
        except urllib.error.HTTPError:
            return  # any answer means it serves
        except OSError:
            time.sleep(1)
    raise AssertionError(f"the quick start did not serve within {START_SECONDS} s")


def postmaster_pid(data_dir) -> int | None:
    pid_file = data_dir / "postmaster.pid"
    return int(pid_file.read_text().split()[0]) if pid_file.exists() else None


def leave_nothing_running(process: subprocess.Popen, data_dir) -> None:
    """Kill the session the test started (a server process it left behind too), then its PostgreSQL."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # its own session: only what this test started
    process.wait()
    pid = postmaster_pid(data_dir)
    if pid and psutil.pid_exists(pid):
        os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
        psutil.Process(pid).wait(STOP_SECONDS)


def ignore_interrupts() -> None:
    """As a shell script's background job starts: with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# INT again, started as a script's background job starts it: with SIGINT ignored until the server handles it.
@pytest.mark.parametrize(
    ("stop", "started"),
    [(signal.SIGINT, None), (signal.SIGTERM, None), (signal.SIGHUP, None), (signal.SIGINT, ignore_interrupts)],
    ids=["INT", "TERM", "HUP", "INT-in-background"],
)
def test_stopping_the_quick_start_stops_its_embedded_postgresql(stop, started, data_dir, tmp_path):
    port = free_port()
    env = {**os.environ, "EMBEDDED_DATA_DIR": str(data_dir), "DATABASE_URL": "", "TEST_DATABASE_NAME": ""}
    log = tmp_path / "quickstart.log"
    with log.open("wb") as out:
        command = [sys.executable, "trialsite/bootstrap.py", "serve", "--port", str(port)]
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True, preexec_fn=started)  # fmt: skip
    try:
        wait_until_serving(process, port)
        server = postmaster_pid(data_dir)
        assert server
        assert psutil.pid_exists(server)
        process.send_signal(stop)
        assert process.wait(STOP_SECONDS) == 0, log.read_text()
        assert not (data_dir / "postmaster.pid").exists(), log.read_text()
        # PostgreSQL removes its pid file just before its process ends: give the end a moment.
        with contextlib.suppress(psutil.NoSuchProcess):
            psutil.Process(server).wait(STOP_SECONDS)
        assert not psutil.pid_exists(server)
        assert "The embedded PostgreSQL server is stopped." in log.read_text()
    finally:
        leave_nothing_running(process, data_dir)
