"""Data queries: raise, answer (explanation or correction), close, re-open. Open → answered → closed.

Every step is a write inside an audit context (who, why), so the query's history is the chain of
its states. A correction goes through ``observations.services.correct_observation`` (the one
reason-for-change path) in the same transaction, and the query keeps the version it produced.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from enrollment.models import Participant
from observations import services as observation_services
from observations.models import Observation
from observations.safety.models import DataQuery, QueryStatus
from observations.validation import DATA_FIELDS
from trialsite import audit
from trialsite.ids import one_or_none
from trialsite.roles import Capability, can, require

AGE_BANDS = ((0, 7, "0–7"), (8, 14, "8–14"), (15, None, "15+"))
"""Open queries by age in days (for the coordinator's home page and the dashboard)."""


def field_choices() -> list[tuple[str, str]]:
    return [(name, str(Observation._meta.get_field(name).verbose_name)) for name in DATA_FIELDS]


def _require_text(value: str, field: str, message: str) -> str:
    if not (value or "").strip():
        raise ValidationError({field: [message]})
    return value.strip()


def raise_query(*, participant: Participant, text: str, by, day: int | None = None, field_name: str = "") -> DataQuery:
    """Ask about a participant, a day, or one field of a day (coordinators and monitors)."""
    require(by, Capability.RAISE_QUERIES)
    require_unlocked(participant.study)
    text = _require_text(text, "text", _("Write the question."))
    errors = {}
    if day is not None and not 1 <= day <= participant.study.n_days:
        errors["day"] = [_("Choose a day from 1 to %(n)d.") % {"n": participant.study.n_days}]
    if field_name and field_name not in DATA_FIELDS:
        errors["field_name"] = [_("Unknown field.")]
    if field_name and day is None:
        errors["day"] = [_("A question about a field needs its day.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.reason(_("Query raised"), user=by.pk):
        return DataQuery.objects.create(
            participant=participant, day=day, field_name=field_name, text=text, raised_by=by
        )


def _answerable(query: DataQuery, user) -> None:
    require(user, Capability.ANSWER_QUERIES)
    require_unlocked(query.participant.study)
    if query.status != QueryStatus.OPEN:
        raise ValidationError(_("Only an open query can be answered."))


def answer_query(*, query: DataQuery, by, answer: str) -> DataQuery:
    """Answer with an explanation: the data stay as they are."""
    _answerable(query, by)
    answer = _require_text(answer, "answer", _("Write the answer."))
    with transaction.atomic(), audit.reason(_("Query answered"), user=by.pk):
        return _mark_answered(query, by, answer)


def answer_query_with_correction(
    *, query: DataQuery, by, answer: str, values: dict, expected_version: int, today: date | None = None
) -> DataQuery:
    """Answer by correcting the queried day; the answer is the correction's reason for change."""
    _answerable(query, by)
    answer = _require_text(answer, "answer", _("Write the answer."))
    observation = one_or_none(Observation.objects.filter(participant=query.participant, day=query.day))
    if query.day is None or observation is None:
        raise ValidationError(_("This query is not about a recorded day: answer it with an explanation."))
    reason = _("%(answer)s (data query #%(id)d)") % {"answer": answer, "id": query.pk}
    with transaction.atomic(), audit.reason(_("Query answered with a correction"), user=by.pk):
        saved = observation_services.correct_observation(
            observation=observation, values=values, by=by, reason=reason,
            expected_version=expected_version, today=today,
        )  # fmt: skip
        query.correction, query.correction_version = saved, saved.version
        return _mark_answered(query, by, answer)


def _mark_answered(query: DataQuery, user, answer: str) -> DataQuery:
    query.status, query.answer = QueryStatus.ANSWERED, answer
    query.answered_by, query.answered_at = user, timezone.now()
    query.save()
    return query


def _require_raiser(query: DataQuery, user) -> None:
    """The raiser (or a coordinator) closes and re-opens a query."""
    if query.raised_by_id != user.pk and not can(user, Capability.CLOSE_ANY_QUERY):
        raise PermissionDenied(_("Only the person who raised the query, or a coordinator, may close or re-open it."))
    require_unlocked(query.participant.study)


def close_query(*, query: DataQuery, by) -> DataQuery:
    _require_raiser(query, by)
    if query.status == QueryStatus.CLOSED:
        raise ValidationError(_("The query is already closed."))
    with transaction.atomic(), audit.reason(_("Query closed"), user=by.pk):
        query.status, query.closed_by, query.closed_at = QueryStatus.CLOSED, by, timezone.now()
        query.save()
    return query


def reopen_query(*, query: DataQuery, by, reason: str) -> DataQuery:
    """Back to open (the answer did not settle it); needs a reason, which the midwife sees in the trail."""
    _require_raiser(query, by)
    reason = _require_text(reason, "reason", _("Give the reason for re-opening."))
    if query.status == QueryStatus.OPEN:
        raise ValidationError(_("The query is already open."))
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        query.status, query.closed_by, query.closed_at = QueryStatus.OPEN, None, None
        query.text = f"{query.text}\n— {reason}"
        query.save()
    return query


def unresolved(queryset=None):
    """Queries not yet closed (open or answered)."""
    return (queryset if queryset is not None else DataQuery.objects.all()).exclude(status=QueryStatus.CLOSED)


def open_counts_by_site_and_age(user, *, now=None) -> list[dict]:
    """Open queries at ``user``'s sites, per site and age band (days since raised)."""
    now = now or timezone.now()
    aggregates = {}
    for low, high, label in AGE_BANDS:
        age = Q(raised_at__lte=now - timedelta(days=low))
        if high is not None:
            age &= Q(raised_at__gt=now - timedelta(days=high + 1))
        aggregates[label] = Count("id", filter=age)
    rows = (
        DataQuery.objects.for_user(user)
        .filter(status=QueryStatus.OPEN)
        .values("participant__site__code")
        .annotate(total=Count("id"), **{f"band_{i}": aggregates[b[2]] for i, b in enumerate(AGE_BANDS)})
        .order_by("participant__site__code")
    )
    return [
        {"site": row["participant__site__code"], "total": row["total"],
         "bands": [row[f"band_{i}"] for i in range(len(AGE_BANDS))]}
        for row in rows
    ]  # fmt: skip
