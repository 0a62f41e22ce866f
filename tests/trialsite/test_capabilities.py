"""The capability matrix (trialsite.roles.CAPABILITIES) is the one answer to "who may do what":
views, API permissions, navigation and templates all follow it."""

import pytest
from django.urls import reverse

from trialsite.navigation import NAV_ITEMS
from trialsite.roles import CAPABILITIES, Capability, Role, can

pytestmark = pytest.mark.django_db

M, C, I = Role.MIDWIFE, Role.COORDINATOR, Role.INVESTIGATOR
USERS = {M: "midwife.srp1", C: "coordinator", I: "investigator"}


def test_every_capability_is_in_the_matrix():
    assert set(CAPABILITIES) == set(Capability.values)


@pytest.mark.parametrize("capability", Capability.values)
def test_can_answers_from_the_matrix_for_every_role(capability, cast):
    for role, username in USERS.items():
        assert can(cast[username], capability) == (role in CAPABILITIES[capability])
    assert not can(cast["outsider"], capability)


def test_navigation_shows_exactly_the_pages_the_matrix_allows(cast, client_for):
    for role, username in USERS.items():
        shown = {item["name"] for item in client_for(username).get(reverse("home")).context["nav_items"]}
        allowed = {item.url_name for item in NAV_ITEMS if role in CAPABILITIES[item.capability]}
        assert shown == allowed, role


def test_templates_get_the_viewers_capabilities(cast, client_for):
    context = client_for("investigator").get(reverse("home")).context
    assert context["can"][Capability.READ_RESULTS] is True
    assert context["can"][Capability.READ_AUDIT] is False


def test_the_navigation_and_the_capabilities_follow_a_role_taken_away_on_the_next_request(cast, client_for):
    """Worked out once per set of roles, never once per person: the next request has her new set."""
    from django.contrib.auth.models import Group

    midwife = cast["midwife.srp1"]
    client = client_for("midwife.srp1")
    context = client.get(reverse("home")).context
    assert "observations:today" in {item["name"] for item in context["nav_items"]}
    assert context["can"][Capability.RECORD_OBSERVATIONS] is True
    midwife.groups.remove(Group.objects.get(name=Role.MIDWIFE))
    context = client.get(reverse("home")).context
    assert [item["name"] for item in context["nav_items"]] == []
    assert not any(context["can"].values())
    assert list(context["user_roles"]) == []


@pytest.mark.parametrize(
    ("url", "capability"),
    [
        ("/api/v1/analysis/", Capability.READ_RESULTS),
        ("/api/v1/completeness/", Capability.READ_RESULTS),
        ("/api/v1/screenings/", Capability.SCREEN_AND_ENROL),
        ("/api/v1/participants/", Capability.READ_PARTICIPANTS),
    ],
)
def test_api_permissions_follow_the_matrix(url, capability, cast, client_for):
    for role, username in USERS.items():
        status = client_for(username).get(url).status_code
        assert (status == 403) == (role not in CAPABILITIES[capability]), (role, status)


def test_the_frames_addresses_follow_the_script_prefix_they_are_served_under(cast, client_for):
    """The frame's addresses are reversed once per URL configuration and prefix, never for another prefix."""
    from django.urls import get_script_prefix, set_script_prefix

    from trialsite.navigation import CHROME_URLS, chrome_urls

    plain = chrome_urls()
    assert plain["today"] == reverse("observations:today")
    assert set(plain) == set(CHROME_URLS)
    page = client_for("midwife.srp1").get(reverse("observations:today")).content.decode()
    assert f'data-today-url="{plain["today"]}"' in page
    assert f'action="{plain["logout"]}"' in page
    before = get_script_prefix()
    set_script_prefix("/trial/")
    try:
        assert chrome_urls()["today"] == "/trial" + plain["today"]
    finally:
        set_script_prefix(before)
    assert chrome_urls() == plain
