"""Django's PostgreSQL backend, plus the owner role and the embedded server.

A ``DATABASES`` entry may carry two extra keys:

``OWNER``
    ``{"USER": …, "PASSWORD": …}`` (optionally ``HOST``/``PORT``): the role that
    owns the tables. ``migrate``, ``createcachetable``, ``flush`` and the
    creation and destruction of test databases switch the connection to it for
    their duration (:func:`owner_session`); everything else — every request,
    every test — runs as ``USER``, which owns nothing.
``EMBEDDED``
    the data folder of an embedded server (``trialsite.dbserver``), started the
    first time a connection is opened — never at import.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db.backends.postgresql import base, client, creation, operations

OWNER_KEYS = ("USER", "PASSWORD", "HOST", "PORT")

# Statement-level TRUNCATE guards (trialsite/privileges.py) let only a test database be flushed.
ALLOW_TEST_FLUSH_SQL = "SET LOCAL trialsite.flush_test_database = 'on'"


def is_owner_session(connection) -> bool:
    """True when ``connection`` is (or is configured as) the owner of the tables."""
    owner = connection.settings_dict.get("OWNER")
    return not owner or connection.settings_dict["USER"] == owner["USER"]


@contextmanager
def owner_session(connection):
    """Run the block with ``connection`` signed in as the owner role, then back as the app role.

    Closes the connection on entry and exit, so must not be entered inside a
    transaction. Only this connection object changes (other threads keep the
    app role).
    """
    if is_owner_session(connection):
        yield
        return
    original = connection.settings_dict
    owner = {k: v for k, v in original["OWNER"].items() if k in OWNER_KEYS and v not in (None, "")}
    connection.close()
    connection.settings_dict = {**original, "PASSWORD": "", **owner}
    try:
        yield
    finally:
        connection.close()
        # Test database set-up renames the database on the working copy: keep that.
        original.update({k: v for k, v in connection.settings_dict.items() if k not in OWNER_KEYS})
        connection.settings_dict = original


def resolve_embedded_server(settings_dict: dict) -> None:
    if settings_dict.get("EMBEDDED") and not settings_dict.get("HOST"):
        from trialsite.dbserver import ensure_embedded_server

        settings_dict["HOST"], settings_dict["PORT"] = ensure_embedded_server(str(settings_dict["EMBEDDED"]))


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are made, migrated and dropped by the owner role."""

    def create_test_db(self, *args, **kwargs):
        with owner_session(self.connection):
            name = super().create_test_db(*args, **kwargs)
        self.connection.settings_dict["TRIALSITE_TEST_DATABASE"] = True
        return name

    def destroy_test_db(self, *args, **kwargs):
        with owner_session(self.connection):
            return super().destroy_test_db(*args, **kwargs)


class DatabaseOperations(operations.DatabaseOperations):
    def execute_sql_flush(self, sql_list):
        """Flushing empties every table: only the owner may, and only a test database's clinical tables."""
        allow = [ALLOW_TEST_FLUSH_SQL] if self.connection.settings_dict.get("TRIALSITE_TEST_DATABASE") else []
        with owner_session(self.connection):
            super().execute_sql_flush([*allow, *sql_list])


class DatabaseClient(client.DatabaseClient):
    def runshell(self, parameters):
        resolve_embedded_server(self.connection.settings_dict)
        super().runshell(parameters)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation
    ops_class = DatabaseOperations
    client_class = DatabaseClient

    def get_connection_params(self):
        resolve_embedded_server(self.settings_dict)
        return super().get_connection_params()
