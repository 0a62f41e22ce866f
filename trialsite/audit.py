"""Reading and annotating the audit trail.

The trail itself is written by database triggers (django-pghistory): every
insert, update and delete of a tracked model lands in an append-only event
table, whatever made the change (ORM, raw SQL, psql). The application adds
*context* (who, which URL, why) with :func:`reason`; a change made outside
the application has no context and is shown as such.
"""

from __future__ import annotations

import functools
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pghistory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
    "insert": gettext_lazy("created"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
    "role.add": gettext_lazy("role given"),
    "role.remove": gettext_lazy("role taken away"),
    "password.changed": gettext_lazy("password changed"),
    "one_time_code.issued": gettext_lazy("one-time code issued"),
    "second_factor.reset": gettext_lazy("second factor reset"),
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

    @property
    def label_text(self) -> str:
        """The event in the reader's language ("changed"), where ``label`` is the stored code ("update")."""
        return event_label(self.label)


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
    return {f.attname: capfirst(f.verbose_name) for f in model._meta.concrete_fields}


def _shown_values(model: type[models.Model]) -> dict[str, Any]:
    """attname -> a function turning a stored value into what a reader understands.

    Choices show their label, yes/no fields "Yes"/"No", and a foreign key the record it points to
    (``participant 35`` becomes ``SRP1-004``); other values are shown as they are.
    """
    shown = {}
    for f in model._meta.concrete_fields:
        if f.choices:
            shown[f.attname] = _choice(dict(f.flatchoices))
        elif isinstance(f, models.BooleanField):
            shown[f.attname] = _yes_no
        elif f.is_relation:
            shown[f.attname] = _related(f.related_model)
    return shown


def _choice(labels: dict):
    return lambda value: labels.get(value, value)


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _related(model: type[models.Model]):
    names: dict[Any, str] = {}  # one lookup per record for the histories read together

    def show(value):
        if value not in names:
            related = model._default_manager.filter(pk=value).first()
            names[value] = str(related) if related is not None else f"#{value}"
        return names[value]

    return show


def _shown(shown: dict[str, Any], field_name: str, value: Any) -> Any:
    show = shown.get(field_name)
    return show(value) if show and value not in (None, "") else value


def history_for(obj: models.Model) -> list[HistoryEntry]:
    """Every recorded change of ``obj``, oldest first, with old and new value per field."""
    return histories_for([obj]).get(obj.pk, [])


def histories_for(objects: list[models.Model], *, skip: Collection[str] = ()) -> dict[Any, list[HistoryEntry]]:
    """{pk: history_for(obj)} for records of one model, in a fixed number of queries (not one per record).

    Fields named in ``skip`` (attnames) are left out of the changes: a page that does not show them
    does not pay for them (a foreign key's record is looked up to be shown)."""
    if not objects:
        return {}
    model = type(objects[0])
    event_model = event_model_for(model)
    if event_model is None:
        return {}
    pks = [obj.pk for obj in objects]
    events = event_model.objects.filter(pgh_obj_id__in=pks).select_related("pgh_context").order_by("pgh_id")
    by_record: dict[Any, list] = {pk: [] for pk in pks}
    for event in events:
        by_record[event.pgh_obj_id].append(event)
    contexts = {e.pk: e.pgh_context.metadata if e.pgh_context else {} for record in by_record.values() for e in record}
    names = _usernames({str(c.get("user")) for c in contexts.values() if c.get("user") is not None})
    labels, shown = _field_labels(model), _shown_values(model)
    tracked = [f for f in labels if f not in SKIPPED_FIELDS and f not in skip and hasattr(event_model, f)]
    return {pk: _entries(record, contexts, names, labels, shown, tracked) for pk, record in by_record.items()}


def _entries(events, contexts, names, labels, shown, tracked) -> list[HistoryEntry]:
    entries, previous = [], None
    for event in events:
        context = contexts[event.pk]
        changes = [
            Change(
                f,
                labels[f],
                _shown(shown, f, getattr(previous, f)) if previous else None,
                _shown(shown, f, getattr(event, f)),
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


@dataclass
class LogRow:
    """One line of the study-wide audit log: who changed which record of whom, and where to read its history."""

    at: datetime
    user: str | None
    record: str  # the kind of record, e.g. "Observation"
    subject: str  # whose record and which one, e.g. "SRP1-004 · day 3"
    event: str
    reason: str
    history_url: str


def recent_events(limit: int = 200) -> list[LogRow]:
    """The latest events across every tracked table, newest first (for the audit log page)."""
    events = list(Events.objects.order_by("-pgh_created_at")[:limit])
    contexts = [e.pgh_context or {} for e in events]
    names = _usernames({str(c["user"]) for c in contexts if c.get("user") is not None})
    subjects = _subjects(events)
    return [
        LogRow(
            at=event.pgh_created_at,
            user=names.get(str(context.get("user"))) if context.get("user") is not None else None,
            record=_model_name(event.pgh_obj_model),
            subject=subjects.get((event.pgh_obj_model, str(event.pgh_obj_id)), f"#{event.pgh_obj_id}"),
            event=event_label(event.pgh_label),
            reason=context.get("reason", ""),
            history_url=_history_url(event.pgh_obj_model, event.pgh_obj_id),
        )
        for event, context in zip(events, contexts, strict=True)
    ]


def _model_name(label: str) -> str:
    try:
        return str(capfirst(apps.get_model(label)._meta.verbose_name))
    except LookupError:
        return label


def _history_url(label: str, pk) -> str:
    app_label, _dot, model_name = label.partition(".")
    return reverse("record_history", args=[app_label, model_name.lower(), pk])


def _subjects(events) -> dict[tuple[str, str], str]:
    """(model label, pk) -> what the record is about, read from the event's own copy of the row.

    The participant a record belongs to is looked up once for all events (one query per related
    model, whatever the number of events); a record without one is named by its code, name or
    title, or its number. Deleted records are named the same way.
    """
    # Every owner model is looked up even when no event names one, so the page's query count never
    # depends on which records changed last (an id that is never a primary key stands in).
    owners: dict[type[models.Model], set] = {model: {0} for model in _owner_models()}
    for event in events:
        field = _participant_field(event.pgh_obj_model)
        if field is not None and event.pgh_data.get(field.attname) is not None:
            owners.setdefault(field.related_model, set()).add(event.pgh_data[field.attname])
    named = {
        (model, pk): str(obj)
        for model, pks in owners.items()
        for pk, obj in model._default_manager.in_bulk(pks).items()
    }
    subjects = {}
    for event in events:
        field, data = _participant_field(event.pgh_obj_model), event.pgh_data
        owner = named.get((field.related_model, data.get(field.attname))) if field is not None else None
        parts = [owner or _own_name(data, event.pgh_obj_id)]
        if isinstance(data.get("day"), int):
            parts.append(_("day %(day)d") % {"day": data["day"]})
        subjects[(event.pgh_obj_model, str(event.pgh_obj_id))] = " · ".join(parts)
    return subjects


@functools.cache
def _owner_models() -> frozenset:
    """The models that tracked records point to through a ``participant`` foreign key."""
    tracked = [m.pgh_tracked_model for m in apps.get_models() if getattr(m, "pgh_tracked_model", None)]
    fields = [_participant_field(model._meta.label) for model in tracked]
    return frozenset(field.related_model for field in fields if field is not None)


def _participant_field(label: str) -> models.Field | None:
    """The foreign key named ``participant`` of the model ``label``, if it has one."""
    try:
        field = apps.get_model(label)._meta.get_field("participant")
    except (LookupError, FieldDoesNotExist):
        return None
    return field if field.concrete and field.is_relation else None


def _own_name(data: dict, pk) -> str:
    for key in ("participant_id", "code", "name", "title", "username"):
        if isinstance(data.get(key), str) and data[key]:
            return data[key]
    return f"#{pk}"


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
