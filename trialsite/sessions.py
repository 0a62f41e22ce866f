"""Sessions in the database, with the expiry they were loaded with (for IdleSessionMiddleware)."""

from django.contrib.sessions.backends import db


class SessionStore(db.SessionStore):
    """Django's database sessions; ``stored_expiry`` is when the loaded session expires (None until loaded)."""

    stored_expiry = None

    def _get_session_from_db(self):
        stored = super()._get_session_from_db()
        self.stored_expiry = stored.expire_date if stored is not None else None
        return stored
