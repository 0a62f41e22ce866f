"""The study's control state, read in one place: is it locked, are outcomes masked.

Every service that writes a clinical record calls :func:`require_unlocked` before it writes;
the database refuses the same writes by itself (``enrollment/freeze.py``, ``docs/database.md``),
so a lock taken between the check and the write is honoured too.
Locking, unlocking and masking are the coordinator's actions (``analysis.masking``).
"""

from __future__ import annotations

import functools

from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Site, Study, StudyControl
from trialsite.api_errors import Conflict


class StudyLocked(Conflict):
    """A write refused because the study's database is locked (a ValidationError; 409 in the API)."""


def control_for(study: Study) -> StudyControl:
    """The study's control row; an unsaved default (not masked, not locked) if none is stored.

    Cached on ``study`` for the request; :func:`locked_control` drops the cache."""
    cached = getattr(study, "_control_cache", None)
    if cached is None:
        cached = StudyControl.objects.filter(study=study).select_related("locked_by").first()
        cached = cached or StudyControl(study=study)
        study._control_cache = cached
    return cached


def locked_control(study: Study) -> StudyControl:
    """The study's control row, created if missing, locked FOR UPDATE (call inside a transaction).

    The cached row is dropped: the next :func:`control_for` reads what the transaction left."""
    study.__dict__.pop("_control_cache", None)
    row, _created = StudyControl.objects.select_for_update().get_or_create(study=study)
    return row


def is_locked(study: Study) -> bool:
    return control_for(study).is_locked


def masking_on(study: Study) -> bool:
    return control_for(study).outcome_masking


def lock_message(control: StudyControl) -> str:
    """Who locked the study and when, in the active language."""
    at = timezone.localtime(control.locked_at).strftime("%Y-%m-%d %H:%M")
    by = control.locked_by.get_username() if control.locked_by else "?"
    return _(
        "The study database was locked on %(at)s by %(by)s: no clinical record can be added, changed or "
        "imported until a coordinator unlocks it."
    ) % {"at": at, "by": by}


def require_unlocked(study: Study) -> None:
    """Raise :class:`StudyLocked` (a ValidationError saying who locked it and when) if ``study`` is locked.

    Reads the row afresh (not the request's cache), so a lock taken a moment ago is honoured."""
    control = StudyControl.objects.filter(study=study).select_related("locked_by").first()
    if control is not None and control.is_locked:
        raise StudyLocked(lock_message(control), code="study_locked")


def lock_notices(study: Study) -> list[str]:
    """What a page shows instead of a form while ``study`` is locked (one notice); [] when it is open."""
    control = control_for(study)
    return [lock_message(control)] if control.is_locked else []


def lock_notices_for(user) -> list[str]:
    """The lock notices of the studies of ``user``'s sites (for pages that span them, like Today).

    Asks first whether any study is locked, which there rarely is, in a statement written once per
    process (building it through the ORM cost six times what running it does); only then which locked
    studies ``user`` sees. Today and every save's answer ask this."""
    with connections[router.db_for_read(StudyControl)].cursor() as cursor:
        cursor.execute(_any_locked_sql())
        if cursor.fetchone() is None:
            return []
    locked = list(StudyControl.objects.filter(locked_at__isnull=False).select_related("locked_by").order_by("pk"))
    seen = set(
        Site.objects.for_user(user).filter(study__in=[c.study_id for c in locked]).values_list("study", flat=True)
    )
    return [lock_message(control) for control in locked if control.study_id in seen]


@functools.cache
def _any_locked_sql() -> str:
    """One row if any study is locked, none otherwise: written once per process from the model's metadata."""
    table, locked_at = StudyControl._meta.db_table, StudyControl._meta.get_field("locked_at").column
    return f'SELECT 1 FROM "{table}" WHERE "{locked_at}" IS NOT NULL LIMIT 1'
