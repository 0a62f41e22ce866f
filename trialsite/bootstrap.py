"""Set up and run Trialsite from a fresh clone with nothing but Python 3.11+.

    python3 trialsite/bootstrap.py serve   # install, migrate, seed the demo if empty, serve on :8000
    python3 trialsite/bootstrap.py test    # install test dependencies, run the whole suite (two workers)

Standard library only: it runs before anything is installed. It makes a
virtualenv in ``.venv``, installs the pinned requirements, and then hands over
to ``manage.py`` inside that virtualenv.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The whole suite runs in two pytest-xdist workers, a test file to a worker (module fixtures are built
# once); each worker has its own test database (``test_<name>_gw0``, ``…_gw1``) and its own Chromium.
WHOLE_SUITE = ["-n", "2", "--dist", "loadfile"]


def run(*args: str | Path, env: dict | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, env=env)


def ensure_venv(requirements: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - this file runs on whatever python3 the user has
        sys.exit("Trialsite needs Python 3.11 or newer.")
    if not PYTHON.exists():
        print("Making a virtualenv in .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp, digest = installed_stamp(requirements), requirements_digest(requirements)
    if stamp.exists() and stamp.read_text() == digest:
        print(f"Requirements ({requirements}) already installed.", flush=True)
        return
    print(f"Installing the pinned requirements ({requirements}); the first time takes a few minutes:", flush=True)
    # pip's own lines ("Collecting …", "Installing collected packages …") are the progress.
    run(
        PYTHON, "-m", "pip", "install", "--disable-pip-version-check", "--progress-bar", "on", "-r", ROOT / requirements
    )
    stamp.write_text(digest)


def installed_stamp(requirements: str) -> Path:
    """Where the digest of the last requirements file installed into .venv is kept."""
    return VENV / f".installed-{requirements}"


def requirements_digest(requirements: str) -> str:
    """A digest of ``requirements`` and of the files it includes with ``-r``."""
    digest = hashlib.sha256()
    pending = [requirements]
    while pending:
        text = (ROOT / pending.pop()).read_text()
        digest.update(text.encode())
        pending += [row.split(maxsplit=1)[1] for row in text.splitlines() if row.startswith("-r ")]
    return digest.hexdigest()


def ensure_chromium() -> None:
    """Browser tests drive Debian's Chromium; install it when we can (root with apt-get)."""
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        run("apt-get", "update", "-qq")
        run("apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium")
        return
    sys.exit(
        f"The browser tests need Chromium at {CHROMIUM}: install Debian's `chromium` package "
        "(sudo apt-get install -y chromium) or set CHROMIUM_PATH."
    )


def serve(port: int) -> None:
    """Hand this process over to ``manage.py quickstart`` (exec, not a child): Ctrl-C, TERM and HUP
    then reach the server itself, which stops the embedded PostgreSQL with it. A child would be
    killed outright when this process was interrupted, and left running when it was terminated."""
    ensure_venv("requirements.txt")
    run(PYTHON, "manage.py", "compiletranslations")
    command = [str(PYTHON), "manage.py", "quickstart", "--port", str(port)]
    print("+", " ".join(command), flush=True)
    os.execve(command[0], command, serve_environment())


def serve_environment() -> dict:
    """The quick start is a demo: DEBUG off (unless set), so visitors see the project's own error pages.

    Static files are hashed and served by WhiteNoise in every mode, so nothing else changes.
    """
    return {**os.environ, "DEBUG": os.environ.get("DEBUG", "false")}


def test(pytest_args: list[str]) -> None:
    """Lint and run the whole suite on two cores, or hand ``pytest_args`` to a single pytest process."""
    ensure_venv("requirements-test.txt")
    ensure_chromium()
    run(PYTHON, "manage.py", "compiletranslations")
    run(PYTHON, "-m", "ruff", "check", ".")
    os.execv(str(PYTHON), [str(PYTHON), "-m", "pytest", *(pytest_args or WHOLE_SUITE)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    serve_parser = sub.add_parser("serve", help="install, migrate, seed the demo study if empty, and serve")
    serve_parser.add_argument("--port", type=int, default=8000)
    sub.add_parser("test", help="install test dependencies and run the whole suite (extra arguments go to pytest)")
    args, extra = parser.parse_known_args()
    os.chdir(ROOT)
    if args.command == "serve":
        if extra:
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        serve(args.port)
    else:
        test(extra)


if __name__ == "__main__":
    main()
