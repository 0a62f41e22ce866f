"""The navigation bar: which pages a user sees, by the capability each page needs (trialsite.roles).

Entries whose URL name is not (yet) routed are skipped, so the list can name
pages of every app without importing them.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext_lazy as _

from trialsite.roles import Capability, Role, capabilities_of_roles, roles_of


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: str
    capability: str


NAV_ITEMS = (
    NavItem("observations:today", _("Today"), Capability.RECORD_OBSERVATIONS),
    NavItem("enrollment:screening_new", _("Screen"), Capability.SCREEN_AND_ENROL),
    NavItem("enrollment:participant_list", _("Participants"), Capability.READ_PARTICIPANTS),
    NavItem("enrollment:screening_log", _("Screening log"), Capability.SCREEN_AND_ENROL),
    NavItem("enrollment:flow", _("Participant flow"), Capability.READ_RESULTS),
    NavItem("enrollment:allocation_list", _("Allocation list"), Capability.MANAGE_ALLOCATION),
    NavItem("observations:verification_queue", _("Verification"), Capability.VERIFY_OBSERVATIONS),
    NavItem("observations:completeness", _("Completeness"), Capability.SEE_COMPLETENESS),
    NavItem("observations:deviations", _("Deviations"), Capability.READ_RESULTS),
    NavItem("observations:import", _("Import"), Capability.IMPORT_DATA),
    NavItem("safety:ae_list", _("Adverse events"), Capability.READ_SAFETY),
    NavItem("safety:query_list", _("Data queries"), Capability.READ_QUERIES),
    NavItem("safety:deviation_list", _("Deviation register"), Capability.READ_DEVIATION_REGISTER),
    NavItem("analysis:plan", _("Analysis plan"), Capability.READ_ANALYSIS_PLAN),
    NavItem("analysis:dashboard", _("Results"), Capability.READ_RESULTS),
    NavItem("exports:export", _("Export"), Capability.EXPORT_DEIDENTIFIED),
    NavItem("enrollment:study_detail", _("Study"), Capability.READ_PARTICIPANTS),
    NavItem("enrollment:people_list", _("People"), Capability.MANAGE_PEOPLE),
    NavItem("enrollment:setup_study", _("Study set-up"), Capability.SET_UP_STUDY),
    NavItem("enrollment:setup_sites", _("Sites"), Capability.SET_UP_STUDY),
    NavItem("observations:setup_instrument", _("Scoring and adherence"), Capability.SET_UP_STUDY),
    NavItem("audit_log", _("Audit trail"), Capability.READ_AUDIT),
    NavItem("api_tokens", _("API tokens"), Capability.MANAGE_API_TOKENS),
)


def nav_for(user) -> tuple[Mapping, ...]:
    """The entries ``user`` sees (url, label, name), read-only: the same for everyone with her roles."""
    return _nav_for_roles(roles_of(user), *_routing())


def _routing() -> tuple:
    """What a reversed URL depends on besides its name: the URL configuration and the script prefix."""
    return settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()


@functools.cache
def _nav_for_roles(roles: frozenset[str], *urlconf_and_prefix) -> tuple[Mapping, ...]:
    """Worked out once per process for each set of roles and URL configuration (every page asked again)."""
    may = capabilities_of_roles(roles)
    items = []
    for item in NAV_ITEMS:
        if not may[item.capability]:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(MappingProxyType({"url": url, "label": item.label, "name": item.url_name}))
    return tuple(items)


# The addresses every page links in its frame (templates/base.html), by name in the template: {{ chrome.today }}.
CHROME_URLS = {
    "home": "home", "web_manifest": "web_manifest", "service_worker": "service_worker",
    "today": "observations:today", "offline": "offline", "observations_api": "observation-list",
    "ae_list": "safety:ae_list", "security": "security", "logout": "logout", "set_language": "set_language",
}  # fmt: skip


def chrome_urls() -> Mapping[str, str]:
    """The frame's addresses (``CHROME_URLS``), read-only: reversed once per process and URL configuration."""
    return _chrome_urls(*_routing())


@functools.cache
def _chrome_urls(*urlconf_and_prefix) -> Mapping[str, str]:
    return MappingProxyType({key: reverse(name) for key, name in CHROME_URLS.items()})


def landing_url(user) -> str:
    """Where sign-in lands when no page was asked for: a midwife's day starts on Today, others on home."""
    if Role.MIDWIFE in roles_of(user):
        return reverse("observations:today")
    return reverse("home")
