"""The audit context (who, where, why) set by a statement of its own, so that queries are bound on the server.

django-pghistory's triggers read the context of a change from two transaction-local settings,
``pghistory.context_id`` and ``pghistory.context_metadata``. Inside ``pghistory.context`` (every POST,
through its middleware, and every :func:`trialsite.audit.reason`) pghistory sets them by writing
``SELECT set_config(…), set_config(…); `` in front of each write, in the same query. PostgreSQL takes a
query with parameters as one statement only, so that rules out psycopg's server-side binding and its
prepared statements, which take half or more of the database's CPU off a page (``bench/README.md``).

Here the same two settings, with the same values, are set by their own statement on the same cursor,
just before the write and in its transaction; outside a transaction (Django's autocommit) the pair runs
in one opened for it, as pghistory's single query did. What is skipped is what pghistory skips (reads,
named cursors, a failed transaction, statements that cannot change a row), plus savepoints, which fire
no trigger. ``tests/trialsite/test_audit_context.py`` holds it to pghistory's behaviour.

:func:`create_event` stands in for ``pghistory.create_event`` for the same reason: pghistory writes the
call ``_pgh_attach_context()`` into the INSERT as a client-side literal, which a server-bound query
would send as a string.
"""

from __future__ import annotations

import json
from contextlib import nullcontext

from django.db import models, transaction
from django.db.models.expressions import RawSQL
from pghistory import config, core, runtime

SET_CONTEXT = "SELECT set_config('pghistory.context_id', %s, true), set_config('pghistory.context_metadata', %s, true)"
NO_TRIGGER = ("savepoint", "release", "rollback")


def set_context_then_execute(execute, sql, params, many, context):
    """An execute wrapper in place of pghistory's ``_inject_history_context``: the settings, then ``sql``."""
    cursor = context["cursor"]
    text = sql.decode() if isinstance(sql, bytes) else sql
    if not runtime._can_inject_variable(cursor, text) or text.lstrip().lower().startswith(NO_TRIGGER):
        return execute(sql, params, many, context)
    tracked = runtime._tracker.value
    values = (str(tracked.id), json.dumps(tracked.metadata, cls=config.json_encoder()))
    connection = context["connection"]
    # In autocommit each statement is its own transaction: open one, so the settings last to the write.
    with transaction.atomic(using=connection.alias) if connection.get_autocommit() else nullcontext():
        cursor.cursor.execute(SET_CONTEXT, values)
        return execute(sql, params, many, context)


def install() -> None:
    """Have ``pghistory.context`` use :func:`set_context_then_execute` (it looks the wrapper up on entering)."""
    if not callable(getattr(runtime, "_inject_history_context", None)):
        raise RuntimeError("pghistory has no runtime._inject_history_context: see trialsite.db.audit_context")
    runtime._inject_history_context = set_context_then_execute


def create_event(obj: models.Model, *, label: str) -> models.Model:
    """``pghistory.create_event(obj, label=label)``: an event of ``obj`` with the current context attached.

    The event's context is ``_pgh_attach_context()``, pghistory's own database function, as an SQL
    expression of the INSERT (so it runs after the context statement, like a trigger's event).
    """
    event_model = core._registered_trackers[(obj.__class__, label)]
    tracked = {field.attname for field in obj._meta.fields}
    values = {
        field.attname: getattr(obj, field.attname)
        for field in event_model._meta.fields
        if not field.name.startswith("pgh_") and field.attname in tracked
    }
    return event_model.objects.create(
        pgh_label=label, pgh_obj=obj, pgh_context_id=RawSQL("_pgh_attach_context()", ()), **values
    )
