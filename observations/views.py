"""Pages: worklist, daily form, timeline, completeness, deviations, verification, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from enrollment.access import get_participant_for_user, get_site_for_user, get_study_for_user
from enrollment.control import lock_notices, lock_notices_for
from enrollment.models import Participant
from observations import services, worklist
from observations.access import get_observation_for_user
from observations.completeness import completeness_by_site_and_day
from observations.forms import ObservationForm, ReasonForm, conflict_rows, initial_from, stored_rows
from observations.models import Observation, instrument_for
from observations.rules import default_observation_date
from observations.timeline import timeline_context
from trialsite.decorators import capability_required
from trialsite.ids import one_or_none
from trialsite.roles import Capability


@capability_required(Capability.RECORD_OBSERVATIONS)
def today(request):
    return _today_page(request)


def _today_page(request, *, after_save: bool = False, saved_key: str = ""):
    """Today's worklist. After a save it is the answer to the POST itself, not a redirect: on a phone
    network every round trip costs ~400 ms. ``Content-Location`` names the page (the address bar is set
    to it by static/js/trialsite.js), and the next due mother is offered first. ``saved_key``: the
    idempotency key of the entry or correction just saved, so the phone drops the copy it kept until this
    answer came (static/js/offline.js)."""
    items = worklist.worklist_for(request.user, services.local_today())
    url = reverse("observations:today")
    response = render(request, "observations/today.html", {
        "worklist": items, "today": services.local_today(), "landed_url": url if after_save else "",
        "saved_key": saved_key,
        "next_due": next(iter(items.due + items.overdue), None) if after_save else None,
        "lock_notices": lock_notices_for(request.user),
    })  # fmt: skip
    if after_save:
        response["Content-Location"] = url
    return response


def _form_page(request, participant, day, form, observation, conflict=None):
    rows = conflict_rows(conflict.current, conflict.submitted) if conflict else []
    return render(request, "observations/form.html", {
        "participant": participant, "day": day, "form": form, "observation": observation, "conflict": conflict,
        "conflict_rows": rows, "stored_rows": stored_rows(observation) if observation else [],
        "unlock_form": ReasonForm(auto_id="unlock_%s"),
        "thresholds": instrument_for(participant.study).thresholds, "adherence": participant.arm.adherence,
        "lock_notices": lock_notices(participant.study),
    })  # fmt: skip


@capability_required(Capability.RECORD_OBSERVATIONS)
def observation_form(request, pk: int, day: int):
    """Enter day ``day`` of a participant, or correct it (with a reason) once it is saved."""
    participant = get_participant_for_user(request.user, pk, write=True)
    # Through the participant: the row comes with her (and her study and arm), not a query each later.
    observation = one_or_none(participant.observations.filter(day=day))
    # A resend of the first-entry form (same idempotency key) is not an edit: it returns the stored row.
    editing = observation is not None and not services.is_resend_of(observation, request.POST.get("idempotency_key"))
    initial = initial_from(observation) if editing else {"observed_on": _proposed_date(participant, day)}
    form = ObservationForm(request.POST or None, adherence=participant.arm.adherence, editing=editing, initial=initial)
    if request.method != "POST" or not form.is_valid():
        if form.is_bound:
            _add_rule_errors(form, participant, day)
        return _form_page(request, participant, day, form, observation)
    try:
        saved = _save(request, participant, day, form, observation if editing else None)
    except ValidationError as exc:
        if observation is None and participant.observations.filter(day=day).exists():
            # Saved meanwhile by someone else, between this page's read and the save: answered as the page is
            # now, the day's correction form with her values kept, its notice, and the reason asked.
            return observation_form(request, pk, day)
        form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        return _form_page(request, participant, day, form, observation)
    except services.ObservationConflict as conflict:
        form = _rebased(request, participant, conflict.current)
        return _form_page(request, participant, day, form, conflict.current, conflict=conflict)
    messages.success(request, _("Day %(day)d saved. Score: %(score)s.") % {"day": day, "score": saved.score or "—"})
    return _today_page(request, after_save=True, saved_key=form.cleaned_data["idempotency_key"])


def _add_rule_errors(form: ObservationForm, participant, day: int) -> None:
    """The service's rules on the fields the form could read, so that every problem shows at once."""
    problems = services.observation_problems(participant=participant, day=day, values=form.values())
    form.add_service_errors({field: messages for field, messages in problems.items() if field not in form.errors})


def _proposed_date(participant, day: int):
    schedule = participant.schedule
    return default_observation_date(schedule, min(max(day, 1), schedule.n_days), services.local_today())


def _save(request, participant, day, form, observation):
    if observation is None:
        return services.record_observation(
            participant=participant, day=day, values=form.values(), by=request.user,
            idempotency_key=form.cleaned_data["idempotency_key"],
        )  # fmt: skip
    return services.correct_observation(
        observation=observation, values=form.values(), by=request.user,
        reason=form.cleaned_data["reason"], expected_version=form.cleaned_data["version"] or 0,
        key=form.cleaned_data["idempotency_key"],
    )  # fmt: skip


def _rebased(request, participant, current):
    """The user's submitted values, now based on the current version: saving again overrides knowingly."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    form = ObservationForm(data, adherence=participant.arm.adherence, editing=True)
    form.is_valid()
    return form


@capability_required(Capability.READ_PARTICIPANTS)
def timeline(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    return render(request, "observations/timeline.html", timeline_context(request.user, participant))


def _back(request, default: str):
    """Where a verifier came from (``next``: the queue or the day's page), else ``default``."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


def _verify(request, observations) -> None:
    try:
        count = services.verify_observations(observations=observations, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = ngettext("%(count)d day verified and locked.", "%(count)d days verified and locked.", count)
        messages.success(request, text % {"count": count})


@capability_required(Capability.VERIFY_OBSERVATIONS)
def verification_queue(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    queue = worklist.verification_queue(request.user, study)
    return render(request, "observations/verification_queue.html", {"study": study, "queue": queue})


@require_POST
@capability_required(Capability.VERIFY_OBSERVATIONS)
def verify_site(request, pk: int):
    site = get_site_for_user(request.user, pk)
    _verify(request, Observation.objects.for_user(request.user).filter(participant__site=site))
    return redirect("observations:verification_queue")


@require_POST
@capability_required(Capability.VERIFY_OBSERVATIONS)
def verify_participant(request, pk: int):
    participant = get_participant_for_user(request.user, pk, write=True)
    _verify(request, participant.observations.all())
    return redirect("observations:timeline", pk=participant.pk)


@require_POST
@capability_required(Capability.VERIFY_OBSERVATIONS)
def verify_observation(request, pk: int):
    observation = get_observation_for_user(request.user, pk, write=True)
    _verify(request, Observation.objects.filter(pk=observation.pk))
    return _back(request, reverse("observations:timeline", args=[observation.participant_id]))


@require_POST
@capability_required(Capability.VERIFY_OBSERVATIONS)
def unlock_observation(request, pk: int):
    observation = get_observation_for_user(request.user, pk, write=True)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.unlock_observation(observation=observation, by=request.user, reason=form.cleaned_data["reason"])
        messages.success(request, _("Observation unlocked."))
    else:
        messages.error(request, _("Give the reason for unlocking."))
    return _back(request, reverse("observations:timeline", args=[observation.participant_id]))


@capability_required(Capability.READ_RESULTS)
def deviations(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    rows = (
        Observation.objects.for_user(request.user)
        .filter(participant__study=study, out_of_window=True)
        .select_related("participant__site")
        .order_by("participant__participant_id", "day")
    )
    return render(request, "observations/deviations.html", {"study": study, "rows": rows})


@capability_required(Capability.SEE_COMPLETENESS)
def completeness(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    today = services.local_today()
    sites = completeness_by_site_and_day(study, Participant.objects.for_user(request.user), today=today)
    overdue = worklist.overdue_for(request.user, study, today)
    return render(request, "observations/completeness.html", {
        "study": study, "sites": sites, "overdue": overdue, "days": range(1, study.n_days + 1),
        "today": today, "form_url": reverse("observations:today"),
    })  # fmt: skip
