"""The navigation bar: which pages each role sees, in one list.

Entries whose URL name is not (yet) routed are skipped, so the list can name
pages of every app without importing them.
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from trialsite.roles import Role, roles_of

M, C, I = Role.MIDWIFE, Role.COORDINATOR, Role.INVESTIGATOR
MON = Role.MONITOR


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    roles: tuple[str, ...]


NAV_ITEMS = (
    NavItem("observations:today", _("Today"), (M, C)),
    NavItem("enrollment:screening_new", _("Screen"), (M, C)),
    NavItem("enrollment:participant_list", _("Participants"), (M, C, I, MON)),
    NavItem("enrollment:screening_log", _("Screening log"), (M, C)),
    NavItem("enrollment:flow", _("Participant flow"), (C, I)),
    NavItem("enrollment:allocation_list", _("Allocation list"), (C,)),
    NavItem("observations:completeness", _("Completeness"), (C,)),
    NavItem("observations:deviations", _("Deviations"), (C, I)),
    NavItem("observations:import", _("Import"), (C,)),
    NavItem("safety:ae_list", _("Adverse events"), (M, C, I, MON)),
    NavItem("safety:query_list", _("Data queries"), (M, C, MON)),
    NavItem("safety:deviation_list", _("Deviation register"), (C, I, MON)),
    NavItem("analysis:plan", _("Analysis plan"), (C, I)),
    NavItem("analysis:dashboard", _("Results"), (C, I)),
    NavItem("exports:export", _("Export"), (C, I)),
    NavItem("enrollment:study_detail", _("Study"), (M, C, I, MON)),
    NavItem("enrollment:people_list", _("People"), (C,)),
    NavItem("enrollment:setup_study", _("Study set-up"), (C,)),
    NavItem("enrollment:setup_sites", _("Sites"), (C,)),
    NavItem("audit_log", _("Audit trail"), (C,)),
    NavItem("api_tokens", _("API tokens"), (C,)),
)


def nav_for(user) -> list[dict]:
    roles = roles_of(user)
    items = []
    for item in NAV_ITEMS:
        if not roles.intersection(item.roles):
            continue
        try:
            items.append({"url": reverse(item.url_name), "label": item.label, "name": item.url_name})
        except NoReverseMatch:
            continue
    return items
