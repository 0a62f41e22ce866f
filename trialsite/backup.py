"""Whole-database backups with a manifest, and their restore into an empty database.

A backup is a folder ``trialsite-<UTC time>/`` holding ``database.dump`` (pg_dump custom
format) and ``manifest.json`` (SHA-256 of the dump, app version, migration state, time, row
counts, a fingerprint of the server secret). The row counts and the dump come from one
exported snapshot, so they describe the same instant while the app keeps writing. A folder
appears under its final name only once complete; older complete backups beyond ``keep``
are removed.

Restore checks the dump's checksum and that this code knows every migration of the
backup before touching the target, refuses a target that already has tables, restores in
one transaction, and compares the row counts with the manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db.migrations.loader import MigrationLoader
from psycopg import sql

from trialsite.pgtools import ConnParams, find_tool, server_major

FORMAT = "trialsite-backup/1"
DUMP_NAME = "database.dump"
MANIFEST_NAME = "manifest.json"
PREFIX = "trialsite-"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class RestoreReport:
    tables: int
    rows: int
    pending_migrations: list[str]
    secret_matches: bool


def app_version() -> str:
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]["version"]


def secret_fingerprint() -> str:
    """Identifies the server secret without revealing it (pseudonyms of de-identified exports depend on it)."""
    return hmac.new(settings.SECRET_KEY.encode(), b"trialsite backup secret fingerprint", "sha256").hexdigest()[:16]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    ).fetchall()
    return [row[0] for row in rows]


def row_counts(conn) -> dict[str, int]:
    """Rows per table (schema-qualified name -> count), in the connection's snapshot."""
    return {t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(t))).fetchone()[0] for t in _tables(conn)}


def _migrations(conn) -> list[str]:
    if "public.django_migrations" not in _tables(conn):
        return []
    rows = conn.execute("SELECT app || '.' || name FROM django_migrations ORDER BY app, name").fetchall()
    return [row[0] for row in rows]


def _run(args: list[str], params: ConnParams) -> None:
    done = subprocess.run(args, env=params.environ(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _dump(params: ConnParams, folder: Path, started: datetime) -> dict:
    """Dump into ``folder`` from one exported snapshot and return the manifest."""
    pg_dump = find_tool("pg_dump", server_major(params))
    with params.connect(autocommit=True) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
        counts, migrations = row_counts(conn), _migrations(conn)
        server_version = conn.execute("SHOW server_version").fetchone()[0]
        dump = folder / DUMP_NAME
        _run([str(pg_dump), "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], params)
        conn.execute("COMMIT")
    return {
        "format": FORMAT,
        "created_at": started.isoformat(),
        "app_version": app_version(),
        "database": params.dbname,
        "server_version": server_version,
        "dump": {"file": DUMP_NAME, "sha256": sha256_of(dump), "bytes": dump.stat().st_size},
        "migrations": migrations,
        "row_counts": counts,
        "secret_fingerprint": secret_fingerprint(),
    }


def backup_database(*, params: ConnParams, folder: Path, keep: int) -> Path:
    """Write a complete backup folder under ``folder``, prune to the newest ``keep``, return its path."""
    if keep < 1:
        raise BackupError("keep must be at least 1.")
    started = datetime.now(UTC)
    name = f"{PREFIX}{started:%Y%m%dT%H%M%S%fZ}"
    partial = folder / f".{name}.partial"
    partial.mkdir(parents=True)
    try:
        manifest = _dump(params, partial, started)
        (partial / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        final = folder / name
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    prune(folder, keep)
    return final


def complete_backups(folder: Path) -> list[Path]:
    """Complete backup folders, oldest first."""
    found = [p for p in folder.glob(f"{PREFIX}*") if (p / MANIFEST_NAME).is_file()]
    return sorted(found, key=lambda p: p.name)


def prune(folder: Path, keep: int) -> list[Path]:
    """Remove all but the newest ``keep`` complete backups; return the removed folders."""
    old = complete_backups(folder)[:-keep]
    for path in old:
        shutil.rmtree(path)
    return old


def read_manifest(backup: Path) -> dict:
    """The manifest of ``backup``, after checking its format and the dump's checksum."""
    try:
        manifest = json.loads((backup / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{backup} has no readable {MANIFEST_NAME}: {exc}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{backup} is not a Trialsite backup ({FORMAT}).")
    dump = backup / manifest["dump"]["file"]
    if not dump.is_file() or sha256_of(dump) != manifest["dump"]["sha256"]:
        raise BackupError(f"{dump} is missing or damaged: its SHA-256 does not match the manifest.")
    return manifest


def _check_migrations_known(manifest: dict) -> list[str]:
    """Migrations this code has that the backup lacks; BackupError if the backup is newer than the code."""
    known = {f"{app}.{name}" for app, name in MigrationLoader(None, ignore_no_migrations=True).disk_migrations}
    unknown = sorted(set(manifest["migrations"]) - known)
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Trialsite ({manifest['app_version']}); this code does not know "
            f"the migrations {', '.join(unknown[:5])}. Install that version to restore it."
        )
    return sorted(known - set(manifest["migrations"]))


def restore_database(*, params: ConnParams, backup: Path) -> RestoreReport:
    """Restore ``backup`` into the empty database of ``params`` and check it against the manifest."""
    manifest = read_manifest(backup)
    pending = _check_migrations_known(manifest)
    with params.connect() as conn:
        existing = _tables(conn)
    if existing:
        raise BackupError(
            f"Database {params.dbname} is not empty ({len(existing)} tables); restore only into a new, empty database."
        )
    pg_restore = find_tool("pg_restore", server_major(params))
    dump = backup / manifest["dump"]["file"]
    # No owner or grants from the source: the restoring role owns everything; grant the app role afterwards.
    _run([str(pg_restore), "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges",
          f"--dbname={params.dbname}", str(dump)], params)  # fmt: skip
    with params.connect() as conn:
        counts = row_counts(conn)
    if counts != manifest["row_counts"]:
        differing = sorted(
            t for t in set(counts) | set(manifest["row_counts"]) if counts.get(t) != manifest["row_counts"].get(t)
        )
        raise BackupError(f"Restored row counts differ from the manifest in: {', '.join(differing[:10])}.")
    return RestoreReport(
        tables=len(counts),
        rows=sum(counts.values()),
        pending_migrations=pending,
        secret_matches=manifest.get("secret_fingerprint") == secret_fingerprint(),
    )
