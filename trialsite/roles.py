"""Roles are Django groups (made by a data migration); this module names them once."""

import functools
from collections.abc import Mapping
from types import MappingProxyType

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MIDWIFE = "midwife", _("Midwife")
    COORDINATOR = "coordinator", _("Coordinator")
    INVESTIGATOR = "investigator", _("Investigator")
    MONITOR = "monitor", _("Monitor")


def roles_of(user) -> frozenset[str]:
    """The role codes of ``user`` (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_trialsite_roles", None)
    if cached is None:
        cached = frozenset(user.groups.filter(name__in=Role.values).values_list("name", flat=True))
        user._trialsite_roles = cached
    return cached


def remember_roles(user, names) -> None:
    """Keep the role codes loaded with ``user`` (trialsite.accounts.PasswordBackend) for roles_of."""
    user._trialsite_roles = frozenset(names or ()) & frozenset(Role.values)


class Capability(models.TextChoices):
    """What a user may do; who may do it is written once, in CAPABILITIES."""

    READ_PARTICIPANTS = "read_participants", _("See participants and their days")
    SEE_IDENTIFIERS = "see_identifiers", _("See names, phone numbers and dates of birth")
    SCREEN_AND_ENROL = "screen_and_enrol", _("Screen, enrol and withdraw mothers")
    RECORD_OBSERVATIONS = "record_observations", _("Enter and correct daily observations")
    VERIFY_OBSERVATIONS = "verify_observations", _("Verify (lock) and unlock observations")
    SEE_COMPLETENESS = "see_completeness", _("See completeness and overdue days")
    IMPORT_DATA = "import_data", _("Import participants and observations")
    MANAGE_ALLOCATION = "manage_allocation", _("Manage the allocation list")
    MANAGE_STUDY = "manage_study", _("Change the study's settings")
    READ_RESULTS = "read_results", _("See the results, the flow and the deviations")
    SEE_UNMASKED_RESULTS = "see_unmasked_results", _("See arms and results by arm while outcomes are masked")
    MANAGE_MASKING_AND_LOCK = "manage_masking_and_lock", _("Mask outcomes and lock the database")
    EXPORT_DEIDENTIFIED = "export_deidentified", _("Export de-identified data")
    EXPORT_IDENTIFIED = "export_identified", _("Export identified data and see the export log")
    READ_AUDIT = "read_audit", _("Read the audit trail")
    MANAGE_API_TOKENS = "manage_api_tokens", _("See and revoke other people's API tokens")
    READ_ANALYSIS_PLAN = "read_analysis_plan", _("See and change the statistical analysis plan")
    SEE_PLAN_HISTORY = "see_plan_history", _("See the analysis plan's history")
    EXCLUDE_FROM_ANALYSIS = "exclude_from_analysis", _("Exclude a participant from an analysis population")
    MANAGE_PEOPLE = "manage_people", _("Manage people, their roles and sites")
    SET_UP_STUDY = "set_up_study", _("Set up the study and its sites")
    READ_SAFETY = "read_safety", _("See adverse events")
    ENTER_ADVERSE_EVENTS = "enter_adverse_events", _("Enter and follow up adverse events")
    REPORT_ADVERSE_EVENTS = "report_adverse_events", _("Acknowledge and report serious adverse events")
    READ_QUERIES = "read_queries", _("See data queries")
    RAISE_QUERIES = "raise_queries", _("Raise and close data queries")
    CLOSE_ANY_QUERY = "close_any_query", _("Close or reopen data queries raised by others")
    ANSWER_QUERIES = "answer_queries", _("Answer data queries")
    READ_DEVIATION_REGISTER = "read_deviation_register", _("See the deviation register")
    RECORD_DEVIATIONS = "record_deviations", _("Record protocol deviations")
    VERIFY_SOURCE = "verify_source", _("Verify data against the source")


_M, _C, _I, _MON = Role.MIDWIFE, Role.COORDINATOR, Role.INVESTIGATOR, Role.MONITOR

CAPABILITIES: dict[str, frozenset[str]] = {
    Capability.READ_PARTICIPANTS: frozenset({_M, _C, _I, _MON}),
    Capability.SEE_IDENTIFIERS: frozenset({_M, _C, _MON}),  # the monitor's source data verification
    Capability.SCREEN_AND_ENROL: frozenset({_M, _C}),
    Capability.RECORD_OBSERVATIONS: frozenset({_M, _C}),
    Capability.VERIFY_OBSERVATIONS: frozenset({_C}),
    Capability.SEE_COMPLETENESS: frozenset({_C}),
    Capability.IMPORT_DATA: frozenset({_C}),
    Capability.MANAGE_ALLOCATION: frozenset({_C}),
    Capability.MANAGE_STUDY: frozenset({_C}),
    Capability.READ_RESULTS: frozenset({_C, _I}),
    Capability.SEE_UNMASKED_RESULTS: frozenset({_M, _C}),  # midwives give the intervention: they know the arm
    Capability.MANAGE_MASKING_AND_LOCK: frozenset({_C}),
    Capability.EXPORT_DEIDENTIFIED: frozenset({_C, _I}),
    Capability.EXPORT_IDENTIFIED: frozenset({_C}),
    Capability.READ_AUDIT: frozenset({_C}),
    Capability.MANAGE_API_TOKENS: frozenset({_C}),
    Capability.READ_ANALYSIS_PLAN: frozenset({_C, _I}),
    Capability.SEE_PLAN_HISTORY: frozenset({_C}),
    Capability.EXCLUDE_FROM_ANALYSIS: frozenset({_C}),
    Capability.MANAGE_PEOPLE: frozenset({_C}),
    Capability.SET_UP_STUDY: frozenset({_C}),
    Capability.READ_SAFETY: frozenset({_M, _C, _I, _MON}),
    Capability.ENTER_ADVERSE_EVENTS: frozenset({_M, _C}),
    Capability.REPORT_ADVERSE_EVENTS: frozenset({_C, _I}),
    Capability.READ_QUERIES: frozenset({_M, _C, _MON}),
    Capability.RAISE_QUERIES: frozenset({_C, _MON}),
    Capability.CLOSE_ANY_QUERY: frozenset({_C}),
    Capability.ANSWER_QUERIES: frozenset({_M, _C}),
    Capability.READ_DEVIATION_REGISTER: frozenset({_C, _I, _MON}),
    Capability.RECORD_DEVIATIONS: frozenset({_C}),
    Capability.VERIFY_SOURCE: frozenset({_C, _MON}),
}
# Who must prove more than a password at sign-in (trialsite.accounts): the roles that read results or
# identified data across sites. A duty, not a capability, but written here beside the matrix it follows.
SECOND_FACTOR_ROLES: frozenset[str] = frozenset({_C, _I, _MON})
"""The capability matrix: the one place that says which role may do what (docs/structure.md).

Views (``trialsite.decorators.capability_required``), API permissions
(``trialsite.api_permissions.HasCapability``), the navigation and the templates (``can`` in
every template context) all ask :func:`can`; sites are scoped separately by the access helpers.
"""


def can(user, capability: str) -> bool:
    """May ``user`` do ``capability``? (Django staff status grants nothing here.)"""
    return capabilities_of_roles(roles_of(user))[capability]


def require(user, capability: str) -> None:
    """Raise PermissionDenied unless ``user`` may do ``capability``."""
    if not can(user, capability):
        raise PermissionDenied


def second_factor_required_by_role(user) -> bool:
    """Does one of ``user``'s roles require a second factor at sign-in (SECOND_FACTOR_ROLES)?"""
    return bool(roles_of(user) & SECOND_FACTOR_ROLES)


def capabilities_of(user) -> Mapping[str, bool]:
    """{capability: may?} for every capability: what templates read as ``can.<capability>`` (read-only)."""
    return capabilities_of_roles(roles_of(user))


@functools.cache
def capabilities_of_roles(roles: frozenset[str]) -> Mapping[str, bool]:
    """:func:`capabilities_of` for a set of role codes: the matrix is fixed, so each set is worked out once
    per process (every page's context asked all of it again: 0.1–0.4 ms a request)."""
    return MappingProxyType({capability: bool(roles & CAPABILITIES[capability]) for capability in Capability.values})
