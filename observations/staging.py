"""An import upload kept on the server between its preview and its confirmation.

The page carries only a random token; the files stay in the cache (the database) for an hour,
bound to the user and the study that checked them, so a file of any accepted size can be
confirmed and nobody else can confirm it.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache

KEEP_SECONDS = 3600
_PREFIX = "import-upload:"


def stage(*, user, study, files: dict[str, tuple[str, str]]) -> str:
    """Keep ``files`` (name, text) for ``user`` and ``study``; returns the token for the confirm form."""
    token = secrets.token_urlsafe(24)
    cache.set(_PREFIX + token, {"user": user.pk, "study": study.pk, "files": files}, KEEP_SECONDS)
    return token


def staged(*, token: str, user, study) -> dict[str, tuple[str, str]] | None:
    """The files staged under ``token`` by this user for this study, or None (unknown, expired or not theirs)."""
    entry = cache.get(_PREFIX + token) if token else None
    if entry is None or (entry["user"], entry["study"]) != (user.pk, study.pk):
        return None
    return entry["files"]


def discard(token: str) -> None:
    cache.delete(_PREFIX + token)
