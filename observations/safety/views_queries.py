"""Pages: data queries (list, raise, answer with an explanation or a correction, close, re-open) and SDV."""

from __future__ import annotations

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from enrollment.access import get_participant_for_user
from observations.access import get_observation_for_user
from observations.forms import ObservationForm, initial_from
from observations.models import Observation
from observations.safety import monitoring, queries
from observations.safety.access import get_query_for_user
from observations.safety.forms import AnswerForm, QueryFilterForm, QueryForm, ReopenForm
from observations.safety.models import DataQuery, QueryStatus
from observations.safety.pages import acted, error_dict, page_of
from observations.services import ObservationConflict
from trialsite import audit
from trialsite.decorators import capability_required
from trialsite.ids import one_or_none
from trialsite.roles import Capability, can


@capability_required(Capability.READ_QUERIES)
def query_list(request):
    form = QueryFilterForm(request.GET or None)
    rows = DataQuery.objects.for_user(request.user).select_related("participant__site", "raised_by")
    status = form.cleaned_data["status"] if form.is_valid() else ""
    if status in QueryStatus.values:
        rows = rows.filter(status=status)
    elif status != "all":
        rows = queries.unresolved(rows)
    page = page_of(rows, request.GET.get("page"))
    return render(request, "safety/query_list.html", {
        "form": form, "page": page, "counts": queries.open_counts_by_site_and_age(request.user),
        "bands": [label for _l, _h, label in queries.AGE_BANDS],
    })  # fmt: skip


@capability_required(Capability.RAISE_QUERIES)
def query_new(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    initial = {"day": request.GET.get("day"), "field_name": request.GET.get("field")}
    form = QueryForm(request.POST or None, field_choices=queries.field_choices(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            query = queries.raise_query(participant=participant, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(error_dict(exc))
        else:
            messages.success(request, _("Query raised; the midwife sees it on her Today page."))
            return redirect("safety:query_detail", pk=query.pk)
    return render(request, "safety/query_form.html", {"participant": participant, "form": form})


def _detail_context(request, query: DataQuery, **forms) -> dict:
    observation = (
        one_or_none(Observation.objects.filter(participant=query.participant, day=query.day)) if query.day else None
    )
    user = request.user
    can_answer = query.status == QueryStatus.OPEN and can(user, Capability.ANSWER_QUERIES)
    correction = forms.get("correction")
    if correction is None and can_answer and observation is not None and not observation.is_locked:
        correction = ObservationForm(
            adherence=query.participant.arm.adherence, editing=True, initial=initial_from(observation)
        )
    return {
        "query": query, "observation": observation, "history": audit.history_for(query),
        "can_answer": can_answer, "can_close": query.raised_by_id == user.pk or can(user, Capability.CLOSE_ANY_QUERY),
        "answer_form": forms.get("answer") or AnswerForm(), "correction_form": correction,
        "reopen_form": forms.get("reopen") or ReopenForm(),
        "field_label": dict(queries.field_choices()).get(query.field_name, ""),
    }  # fmt: skip


@capability_required(Capability.READ_QUERIES)
def query_detail(request, pk: int):
    query = get_query_for_user(request.user, pk)
    return render(request, "safety/query_detail.html", _detail_context(request, query))


@require_POST
@capability_required(Capability.ANSWER_QUERIES)
def query_answer(request, pk: int):
    query = get_query_for_user(request.user, pk, write_capability=Capability.ANSWER_QUERIES)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            queries.answer_query(query=query, by=request.user, answer=form.cleaned_data["answer"])
        except ValidationError as exc:
            form.add_service_errors(error_dict(exc))
        else:
            messages.success(request, _("Answer saved."))
            return redirect("safety:query_detail", pk=query.pk)
    return render(request, "safety/query_detail.html", _detail_context(request, query, answer=form))


@require_POST
@capability_required(Capability.ANSWER_QUERIES)
def query_correct(request, pk: int):
    """Answer by correcting the day: the observation form's values plus the answer as the reason for change."""
    query = get_query_for_user(request.user, pk, write_capability=Capability.ANSWER_QUERIES)
    observation = one_or_none(Observation.objects.filter(participant=query.participant, day=query.day))
    if observation is None:
        messages.error(request, _("This query is not about a recorded day: answer it with an explanation."))
        return redirect("safety:query_detail", pk=query.pk)
    get_observation_for_user(request.user, observation.pk, write=True)
    data = request.POST.copy()
    data["reason"] = data.get("answer", "")  # the answer is the correction's reason for change
    form = ObservationForm(data, adherence=query.participant.arm.adherence, editing=True)
    answer = AnswerForm(request.POST)
    if form.is_valid() and answer.is_valid():
        try:
            queries.answer_query_with_correction(
                query=query, by=request.user, answer=answer.cleaned_data["answer"], values=form.values(),
                expected_version=form.cleaned_data["version"] or 0,
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(error_dict(exc))
        except ObservationConflict:
            form.add_error(None, _("Someone else saved this day meanwhile; reload the page and try again."))
        else:
            messages.success(request, _("Day corrected and query answered."))
            return redirect("safety:query_detail", pk=query.pk)
    return render(request, "safety/query_detail.html", _detail_context(request, query, correction=form, answer=answer))


@require_POST
@capability_required(Capability.RAISE_QUERIES)
def query_close(request, pk: int):
    query = get_query_for_user(request.user, pk, write_capability=Capability.RAISE_QUERIES)
    close = partial(queries.close_query, query=query, by=request.user)
    return acted(request, close, success=_("Query closed."), to="safety:query_detail", pk=query.pk)


@require_POST
@capability_required(Capability.RAISE_QUERIES)
def query_reopen(request, pk: int):
    query = get_query_for_user(request.user, pk, write_capability=Capability.RAISE_QUERIES)
    reason = ReopenForm(request.POST).data.get("reason", "")
    reopen = partial(queries.reopen_query, query=query, by=request.user, reason=reason)
    return acted(request, reopen, success=_("Query re-opened."), to="safety:query_detail", pk=query.pk)


@require_POST
@capability_required(Capability.VERIFY_SOURCE)
def source_verify(request, pk: int):
    observation = get_observation_for_user(request.user, pk)
    verify = partial(monitoring.source_verify, observation=observation, by=request.user)
    return acted(request, verify, success=_("Day marked source-verified."), to="observations:timeline",
                 pk=observation.participant_id)  # fmt: skip
