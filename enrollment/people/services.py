"""People of the trial: accounts with roles and sites, changed only by the coordinator, every change audited.

Accounts are never deleted (the audit trail and the records they entered point to them):
a person who leaves is deactivated, with the reason. Nobody types a password for
someone else: a new or locked-out person gets a one-time code (trialsite/accounts.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment.models import Membership, Site
from trialsite import audit, two_factor
from trialsite.accounts import issue_one_time_code
from trialsite.models import Account
from trialsite.roles import CAPABILITIES, Capability, Role, require

User = get_user_model()
# Who manages people is the capability matrix's (trialsite.roles).
PEOPLE_ROLES = tuple(sorted(CAPABILITIES[Capability.MANAGE_PEOPLE]))
# Roles that work only at their own sites and so need at least one.
SITE_BOUND_ROLES = (Role.MIDWIFE,)


@dataclass
class PersonDetails:
    first_name: str
    last_name: str
    roles: list[str]
    sites: list[Site] = field(default_factory=list)


def people_for_user(user):
    """Everyone a coordinator manages (not Django superusers), with roles and sites loaded."""
    require(user, Capability.MANAGE_PEOPLE)
    return (
        User.objects.filter(is_superuser=False)
        .prefetch_related("groups", Prefetch("site_memberships", Membership.objects.current().select_related("site")))
        .order_by("-is_active", "username")
    )


def get_person_for_user(user, pk: int):
    """A person ``user`` may manage: coordinators only (403 otherwise); superusers and unknown ids are 404."""
    require(user, Capability.MANAGE_PEOPLE)
    person = User.objects.filter(pk=pk, is_superuser=False).first()
    if person is None:
        raise Http404
    return person


def _validate(details: PersonDetails) -> None:
    errors = {}
    if not details.roles or set(details.roles) - set(Role.values):
        errors["roles"] = [_("Choose at least one role.")]
    if set(details.roles) & set(SITE_BOUND_ROLES) and not details.sites:
        errors["sites"] = [_("A midwife needs at least one site.")]
    if errors:
        raise ValidationError(errors)


def _required_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    return reason.strip()


def _apply(person, details: PersonDetails, *, by, reason: str) -> None:
    person.first_name, person.last_name = details.first_name.strip(), details.last_name.strip()
    person.save(update_fields=["first_name", "last_name"])
    person.groups.remove(*person.groups.filter(name__in=Role.values).exclude(name__in=details.roles))
    person.groups.add(*Group.objects.filter(name__in=details.roles))
    _set_sites(person, {site.pk for site in details.sites}, by=by, reason=reason)


def _set_sites(person, wanted: set[int], *, by, reason: str) -> None:
    """End the memberships of sites no longer wanted (never deleted) and start the new ones."""
    current = Membership.objects.current().filter(user=person)
    current.exclude(site_id__in=wanted).update(ended_at=timezone.now(), ended_by=by, end_reason=reason)
    have = set(current.values_list("site_id", flat=True))
    Membership.objects.bulk_create([Membership(user=person, site_id=pk) for pk in sorted(wanted - have)])


def create_person(*, by, username: str, details: PersonDetails) -> tuple:
    """A new account with roles and sites and a one-time code to hand over; returns (person, code)."""
    require(by, Capability.MANAGE_PEOPLE)
    username = username.strip()
    _validate(details)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("The username %(name)s is taken.") % {"name": username}]})
    with transaction.atomic(), audit.reason(_("Account created"), user=by.pk):
        person = User.objects.create_user(username=username)  # no usable password until the code is used
        _apply(person, details, by=by, reason=_("Account created"))
        code = issue_one_time_code(user=person, by=by)
    return person, code


def update_person(*, by, person, details: PersonDetails, reason: str):
    """Change name, roles and sites of ``person``, with the reason."""
    require(by, Capability.MANAGE_PEOPLE)
    _validate(details)
    reason = _required_reason(reason)
    if person.pk == by.pk and not set(details.roles) & set(PEOPLE_ROLES):
        raise ValidationError({"roles": [_("You cannot take away your own coordinator role.")]})
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        _apply(person, details, by=by, reason=reason)
    return person


def set_active(*, by, person, active: bool, reason: str):
    """Deactivate (sign-in and API tokens stop working at once) or reactivate ``person``; never deletes."""
    require(by, Capability.MANAGE_PEOPLE)
    reason = _required_reason(reason)
    if person.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        person.is_active = active
        person.save(update_fields=["is_active"])
        # Sessions and API tokens of an inactive user stop authenticating (Django and DRF check is_active).
        Account.objects.update_or_create(user=person, defaults={"deactivation_reason": "" if active else reason})
    return person


def reset_sign_in(*, by, person, reason: str) -> str:
    """A new one-time code for ``person`` (earlier ones stop working); she chooses a new password with it."""
    require(by, Capability.MANAGE_PEOPLE)
    reason = _required_reason(reason)
    if not person.is_active:
        raise ValidationError(_("Reactivate the account first."))
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        return issue_one_time_code(user=person, by=by)


def reset_person_second_factor(*, by, person, reason: str):
    """Remove ``person``'s authenticator and recovery codes (lost phone); she enrols again at next sign-in."""
    require(by, Capability.MANAGE_PEOPLE)
    reason = _required_reason(reason)
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        two_factor.reset_second_factor(person=person)
    return person
