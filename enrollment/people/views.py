"""Coordinator pages for people: list, add, change roles and sites, deactivate, sign-in and second-factor resets."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from enrollment.people import services
from enrollment.people.forms import ChangePersonForm, NewPersonForm, ReasonForm
from trialsite.accounts import has_second_factor
from trialsite.decorators import capability_required
from trialsite.forms import add_errors
from trialsite.roles import Capability, Role


def _handover(request, person, code: str):
    """The one-time code, shown once: this response is not cached and the code is stored only hashed."""
    return render(request, "enrollment/people/handover.html", {"person": person, "code": code})


@capability_required(Capability.MANAGE_PEOPLE)
def people_list(request):
    rows = [(person, role_labels(person)) for person in services.people_for_user(request.user)]
    return render(request, "enrollment/people/list.html", {"rows": rows})


def role_labels(person) -> list[str]:
    """The person's roles in the reader's language (groups are loaded by people_for_user)."""
    return [str(Role(group.name).label) for group in person.groups.all() if group.name in Role.values]


@never_cache
@capability_required(Capability.MANAGE_PEOPLE)
def person_new(request):
    form = NewPersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person, code = services.create_person(by=request.user, username=form.cleaned_data["username"],
                                                  details=form.details())  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            return _handover(request, person, code)
    return render(request, "enrollment/people/form.html", {"form": form})


def _initial(person) -> dict:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "roles": list(person.groups.values_list("name", flat=True)),
        "sites": list(person.site_memberships.current().values_list("site_id", flat=True)),
    }


@capability_required(Capability.MANAGE_PEOPLE)
def person_detail(request, pk: int):
    person = services.get_person_for_user(request.user, pk)
    form = ChangePersonForm(request.POST or None, initial=_initial(person))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(by=request.user, person=person, details=form.details(),
                                   reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("enrollment:person_detail", pk=person.pk)
    context = {
        "person": person,
        "form": form,
        "reason_form": ReasonForm(),
        "has_second_factor": has_second_factor(person),
    }
    return render(request, "enrollment/people/detail.html", context)


def _reason_action(request, pk: int, action, done: str):
    person = services.get_person_for_user(request.user, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reason for this change."))
        return redirect("enrollment:person_detail", pk=person.pk), None
    try:
        result = action(by=request.user, person=person, reason=form.cleaned_data["reason"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("enrollment:person_detail", pk=person.pk), None
    if done:
        messages.success(request, done)
    return redirect("enrollment:person_detail", pk=person.pk), result


@require_POST
@capability_required(Capability.MANAGE_PEOPLE)
def person_deactivate(request, pk: int):
    def deactivate(**kwargs):
        return services.set_active(active=False, **kwargs)

    return _reason_action(request, pk, deactivate, _("Account deactivated."))[0]


@require_POST
@capability_required(Capability.MANAGE_PEOPLE)
def person_reactivate(request, pk: int):
    def reactivate(**kwargs):
        return services.set_active(active=True, **kwargs)

    return _reason_action(request, pk, reactivate, _("Account reactivated."))[0]


@never_cache
@require_POST
@capability_required(Capability.MANAGE_PEOPLE)
def person_reset_code(request, pk: int):
    response, code = _reason_action(request, pk, services.reset_sign_in, "")
    if code is None:
        return response
    return _handover(request, services.get_person_for_user(request.user, pk), code)


@require_POST
@capability_required(Capability.MANAGE_PEOPLE)
def person_reset_second_factor(request, pk: int):
    return _reason_action(
        request, pk, services.reset_person_second_factor, _("Second factor removed; it is set up again at sign-in.")
    )[0]
