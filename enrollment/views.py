from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from enrollment import reports, services
from enrollment.access import (
    can_see_identifiers,
    get_participant_for_user,
    get_screening_for_user,
    get_site_for_user,
    get_study_for_user,
)
from enrollment.control import control_for, lock_notices
from enrollment.deidentify import pseudonym
from enrollment.forms import (
    EnrollForm,
    GenerateListForm,
    ParticipantFilterForm,
    ScreeningForm,
    UploadListForm,
    WithdrawForm,
    add_service_error,
)
from enrollment.models import (
    AllocationListEntry,
    AllocationMethod,
    Consent,
    Membership,
    Participant,
    Screening,
    ScreeningAnswer,
    Site,
)
from enrollment.schedule import schedule
from enrollment.visibility import shown_flow, view_for
from trialsite.decorators import capability_required
from trialsite.roles import Capability, can

PAGE_SIZE = 25
FAILED_ANSWERS = ScreeningAnswer.objects.filter(failed=True).select_related("criterion")


@capability_required(Capability.READ_PARTICIPANTS)
def study_detail(request):
    """The study set-up: days, window, allocation, arms and the sites the user can see."""
    study = get_study_for_user(request.user, request.GET.get("study"))
    sites = (
        Site.objects.for_user(request.user)
        .filter(study=study)
        .prefetch_related(Prefetch("memberships", Membership.objects.current().select_related("user")))
    )
    context = {
        "study": study,
        "sites": sites,
        "arms": study.arms.all(),
        "control": control_for(study),
        "can_see_flow": can(request.user, Capability.READ_RESULTS),
        "can_manage_list": can(request.user, Capability.MANAGE_ALLOCATION)
        and study.allocation_method == AllocationMethod.RANDOMIZED,
    }
    return render(request, "enrollment/study_detail.html", context)


@capability_required(Capability.SCREEN_AND_ENROL)
@require_http_methods(["GET", "POST"])
def screening_new(request):
    """Screen a mother against every criterion; the result is logged whether she is eligible or not."""
    study = get_study_for_user(request.user, request.GET.get("study"))
    sites = Site.objects.for_user(request.user).filter(study=study)
    form = ScreeningForm(request.POST or None, study=study, sites=sites)
    if request.method == "POST" and form.is_valid():
        site = get_site_for_user(request.user, form.cleaned_data["site"].pk, write=True)
        try:
            screening = services.screen_mother(
                site=site,
                by=request.user,
                screened_on=form.cleaned_data["screened_on"],
                mother=form.mother(),
                answers=form.answers(),
            )
        except ValidationError as error:  # a broken rule, or the study is locked
            add_service_error(form, error)
        else:
            return redirect("enrollment:screening_detail", pk=screening.pk)
    context = {"form": form, "study": study, "lock_notices": lock_notices(study)}
    return render(request, "enrollment/screening_form.html", context)


@capability_required(Capability.SCREEN_AND_ENROL)
def screening_detail(request, pk: int):
    screening = get_screening_for_user(request.user, pk)
    answers = list(screening.answers.select_related("criterion"))
    context = {
        "screening": screening,
        "answers": answers,
        "reasons": [a for a in answers if a.failed],
        "consent": Consent.objects.filter(screening=screening).select_related("obtained_by").first(),
        "participant": Participant.objects.filter(screening=screening).first(),
    }
    return render(request, "enrollment/screening_detail.html", context)


@capability_required(Capability.SCREEN_AND_ENROL)
@require_http_methods(["GET", "POST"])
def enroll(request, pk: int):
    """Record consent and enrol the mother of an eligible screening: ID, arm and day 1."""
    screening = get_screening_for_user(request.user, pk, write=True)
    has_consent = Consent.objects.filter(screening=screening).exists()
    form = EnrollForm(request.POST or None, study=screening.study, has_consent=has_consent)
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.enroll_participant(
                screening=screening,
                by=request.user,
                consent=form.consent(),
                enrolled_on=form.cleaned_data["enrolled_on"],
                intervention_start=form.cleaned_data["intervention_start"],
                arm=form.cleaned_data.get("arm"),
                rationale=form.cleaned_data.get("rationale", ""),
            )
        except ValidationError as error:  # a broken rule, or the study is locked
            add_service_error(form, error)
        else:
            messages.success(request, _("Enrolled as %(id)s.") % {"id": participant.participant_id})
            return redirect(reverse("enrollment:participant_detail", args=[participant.pk]) + "?enrolled=1")
    context = {"form": form, "screening": screening, "lock_notices": lock_notices(screening.study)}
    return render(request, "enrollment/enroll_form.html", context)


def _search(participants, view, q: str):
    """By ID or name; de-identified, by pseudonym only (a search by real ID would reveal which one it is)."""
    if view.identified:
        return participants.filter(Q(participant_id__icontains=q) | Q(full_name__icontains=q))
    ids = participants.values_list("pk", "participant_id")
    found = [pk for pk, pid in ids if q.upper() in pseudonym(view.key, pid).upper()]
    return participants.filter(pk__in=found)


def _filtered_participants(view, participants, form: ParticipantFilterForm):
    if not form.is_valid():
        return participants
    q, status, arm = (form.cleaned_data.get(k) for k in ("q", "status", "arm"))
    if q:
        participants = _search(participants, view, q)
    if status:
        participants = participants.filter(status=status)
    if arm:
        participants = participants.filter(arm__code=arm)
    return participants


@capability_required(Capability.READ_PARTICIPANTS)
def participant_list(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    view = view_for(request.user, study)
    form = ParticipantFilterForm(
        request.GET or None, study=study, arms_hidden=view.arms_hidden, identified=view.identified
    )
    if form.arm_refused():
        messages.warning(request, _("Participants cannot be filtered by arm while outcomes are masked."))
    participants = Participant.objects.for_user(request.user).filter(study=study).select_related("site", "arm")
    page = Paginator(_filtered_participants(view, participants, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "study": study,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "identifiers": can_see_identifiers(request.user),
        "control": control_for(study),
        "can_see_flow": can(request.user, Capability.READ_RESULTS),
    }
    return render(request, "enrollment/participant_list.html", context)


def participant_detail_context(request, participant: Participant) -> dict:
    """The context of ``enrollment/participant_detail.html`` (reusable by pages that extend it)."""
    allocation = getattr(participant, "allocation", None)
    study = participant.study
    return {
        "participant": participant,
        "allocation": allocation,
        "identifiers": can_see_identifiers(request.user),
        "can_write": can(request.user, Capability.SCREEN_AND_ENROL),
        "can_audit": can(request.user, Capability.READ_AUDIT),
        "schedule": schedule(participant.intervention_start, study.n_days, study.window_days),
        # Just enrolled: offer day 1 at once when it has begun (the midwife is still with the mother).
        "offer_day_1": request.GET.get("enrolled") == "1"
        and can(request.user, Capability.RECORD_OBSERVATIONS)
        and participant.intervention_start <= timezone.localdate(),
    }


@capability_required(Capability.READ_PARTICIPANTS)
def participant_detail(request, pk: int):
    participant = get_participant_for_user(request.user, pk)
    return render(request, "enrollment/participant_detail.html", participant_detail_context(request, participant))


@capability_required(Capability.SCREEN_AND_ENROL)
@require_http_methods(["GET", "POST"])
def withdraw(request, pk: int):
    """Record withdrawal or loss to follow-up, with date and reason (kept in the audit trail)."""
    participant = get_participant_for_user(request.user, pk, write=True)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_participant(
                participant=participant,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:  # a broken rule, or the study is locked
            add_service_error(form, error)
        else:
            return redirect("enrollment:participant_detail", pk=participant.pk)
    context = {"form": form, "participant": participant, "lock_notices": lock_notices(participant.study)}
    return render(request, "enrollment/withdraw_form.html", context)


@capability_required(Capability.SCREEN_AND_ENROL)
def screening_log(request):
    study = get_study_for_user(request.user, request.GET.get("study"))
    screenings = (
        Screening.objects.for_user(request.user)
        .filter(study=study)
        .select_related("site", "participant")
        .prefetch_related(
            Prefetch(
                "answers", ScreeningAnswer.objects.filter(failed=True).select_related("criterion"), to_attr="reasons"
            )
        )
    )
    page = Paginator(screenings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "enrollment/screening_log.html", {"page": page})


@capability_required(Capability.READ_RESULTS)
def flow(request):
    """Participant flow diagram and baseline table of the study (coordinators and investigators)."""
    study = get_study_for_user(request.user, request.GET.get("study"))
    flow = shown_flow(reports.flow_counts(study), arms_hidden=view_for(request.user, study).arms_hidden)
    context = {"study": study, "flow": flow, "baseline": reports.baseline_table(study)}
    return render(request, "enrollment/flow.html", context)


def _slot_counts(study) -> list[dict]:
    """Used and remaining slots per site: counts only, never arms."""
    return list(
        AllocationListEntry.objects.filter(site__study=study)
        .values("site__code")
        .annotate(
            used=Count("id", filter=Q(allocation__isnull=False)), remaining=Count("id", filter=Q(allocation=None))
        )
        .order_by("site__code")
    )


@capability_required(Capability.MANAGE_ALLOCATION)
@require_http_methods(["GET", "POST"])
def allocation_list(request):
    """Coordinator: generate (from a secret seed) or upload the concealed list; shows counts only."""
    study = get_study_for_user(request.user, request.GET.get("study"), write=True)
    generate = GenerateListForm(request.POST if "generate" in request.POST else None)
    upload = UploadListForm(request.POST, request.FILES) if "upload" in request.POST else UploadListForm()
    try:
        if generate.is_bound and generate.is_valid():
            services.generate_allocation_list(study=study, by=request.user, **generate.cleaned_data)
            return redirect("enrollment:allocation_list")
        if upload.is_bound and upload.is_valid():
            services.upload_allocation_list(study=study, slots=upload.slots(), by=request.user)
            return redirect("enrollment:allocation_list")
    except (services.EnrollmentError, forms.ValidationError) as error:
        (upload if upload.is_bound else generate).add_error(None, error)
    context = {"study": study, "counts": _slot_counts(study), "generate": generate, "upload": upload}
    return render(request, "enrollment/allocation_list.html", context)
