"""Reading and annotating the audit trail.

The trail itself is written by database triggers (django-pghistory): every
insert, update and delete of a tracked model lands in an append-only event
table, whatever made the change (ORM, raw SQL, psql). The application adds
*context* (who, which URL, why) with :func:`reason`; a change made outside
the application has no context and is shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from pghistory.models import Events

from trialsite.ids import pk_or_404
from trialsite.roles import Capability, require

# Columns that are bookkeeping, not clinical content.
SKIPPED_FIELDS = {"id", "created_at", "updated_at", "version"}


def reason(text: str, **extra: Any):
    """Context manager: changes made inside it carry ``text`` as their reason for change.

    Nests with the request context set by pghistory's middleware (user, URL).
    """
    return pghistory.context(reason=text, **extra)


# What an event's label (pghistory's code, kept as is in the trail) reads as on a page.
EVENT_LABELS = {
    "insert": _("created"),
    "update": _("changed"),
    "delete": _("deleted"),
    "role.add": _("role given"),
    "role.remove": _("role taken away"),
    "password.changed": _("password changed"),
    "one_time_code.issued": _("one-time code issued"),
    "second_factor.reset": _("second factor reset"),
}


def event_label(code: str) -> str:
    """The reader's words for an event label; a label not listed here is shown as stored."""
    return str(EVENT_LABELS.get(code, code))


@dataclass
class Change:
    field: str
    label: str
    old: Any
    new: Any


@dataclass
class HistoryEntry:
    at: datetime
    label: str  # insert / update / delete
    user: str | None
    reason: str
    url: str
    changes: list[Change] = field(default_factory=list)


def event_model_for(model: type[models.Model]) -> type[models.Model] | None:
    """The pghistory event model that tracks ``model``, or None if it is not tracked."""
    for candidate in apps.get_models():
        if getattr(candidate, "pgh_tracked_model", None) is model:
            return candidate
    return None


def _usernames(user_ids: set) -> dict[str, str]:
    users = get_user_model().objects.filter(pk__in=[u for u in user_ids if u is not None])
    return {str(u.pk): u.get_username() for u in users}


def _field_labels(model: type[models.Model]) -> dict[str, str]:
    return {f.attname: str(f.verbose_name) for f in model._meta.concrete_fields}


def _choice_labels(model: type[models.Model]) -> dict[str, dict]:
    """attname -> {stored value: human label} for fields with choices (shown as labels, not codes)."""
    return {f.attname: dict(f.flatchoices) for f in model._meta.concrete_fields if f.choices}


def _shown(choices: dict[str, dict], field_name: str, value: Any) -> Any:
    labels = choices.get(field_name)
    return labels.get(value, value) if labels and value not in (None, "") else value


def history_for(obj: models.Model) -> list[HistoryEntry]:
    """Every recorded change of ``obj``, oldest first, with old and new value per field."""
    event_model = event_model_for(type(obj))
    if event_model is None:
        return []
    events = list(event_model.objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context").order_by("pgh_id"))
    labels = _field_labels(type(obj))
    choices = _choice_labels(type(obj))
    tracked = [f for f in labels if f not in SKIPPED_FIELDS and hasattr(event_model, f)]
    contexts = [e.pgh_context.metadata if e.pgh_context else {} for e in events]
    names = _usernames({str(c.get("user")) for c in contexts if c.get("user") is not None})
    entries, previous = [], None
    for event, context in zip(events, contexts, strict=True):
        changes = [
            Change(
                f,
                labels[f],
                _shown(choices, f, getattr(previous, f)) if previous else None,
                _shown(choices, f, getattr(event, f)),
            )
            for f in tracked
            if previous is None or getattr(previous, f) != getattr(event, f)
        ]
        entries.append(
            HistoryEntry(
                at=event.pgh_created_at,
                label=event.pgh_label,
                user=names.get(str(context.get("user"))) if context.get("user") is not None else None,
                reason=context.get("reason", ""),
                url=context.get("url", ""),
                changes=changes,
            )
        )
        previous = event
    return entries


def recent_events(limit: int = 200):
    """The latest events across every tracked table, newest first (for the audit log page)."""
    return Events.objects.order_by("-pgh_created_at")[:limit]


def get_tracked_object_for_user(user, app_label: str, model_name: str, pk: str) -> models.Model:
    """A tracked record for the record-history page: coordinators only (they see every site)."""
    require(user, Capability.READ_AUDIT)
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404 from exc
    if event_model_for(model) is None:
        raise Http404
    obj = model._default_manager.filter(pk=pk_or_404(pk, model._meta.pk)).first()
    if obj is None:
        raise Http404
    return obj
