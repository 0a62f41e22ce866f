"""On a 360-px phone no table hides a column: every page's tables stack as cards with labelled cells.

The walk covers every menu page of every role plus the detail pages behind them (a participant,
her timeline, a screening, a record's history, the report), in Indonesian.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from enrollment.models import Participant, Screening
from observations.models import Observation
from tests.browser import fits_the_screen, hidden_table_cells
from tests.conftest import PASSWORD
from trialsite.navigation import nav_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(study, cast):
    call_command("seed_demo", participants=8, seed=3, password=PASSWORD, verbosity=0)


def detail_pages(username: str) -> list[str]:
    participant = Participant.objects.filter(site__code="SRP1").order_by("pk").first()
    pages = [reverse("enrollment:participant_detail", args=[participant.pk])]
    if username == "midwife.srp1":
        pages.append(reverse("observations:timeline", args=[participant.pk]))
    screening = Screening.objects.filter(site__code="SRP1").order_by("pk").first()
    if screening and username != "investigator":
        pages.append(reverse("enrollment:screening_detail", args=[screening.pk]))
    if username == "coordinator":
        observation = Observation.objects.order_by("pk").first()
        pages.append(reverse("record_history", args=["observations", "observation", observation.pk]))
    if username == "investigator":
        pages.append(reverse("analysis:report"))
    return pages


@pytest.mark.parametrize("username", ["midwife.srp1", "coordinator", "investigator"])
def test_no_table_hides_a_column_on_a_phone(page, live_server, cast, demo_data, login, username):
    login(page, username)
    urls = [item["url"] for item in nav_for(cast[username])] + detail_pages(username)
    tables = 0
    for url in urls:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert fits_the_screen(page), url
        assert hidden_table_cells(page) == [], url
        tables += page.locator("table").count()
    assert tables >= 10  # the walk really met tables


def test_the_participant_list_shows_each_status_with_its_label(page, live_server, cast, demo_data, login):
    login(page, "coordinator")
    page.goto(f"{live_server.url}{reverse('enrollment:participant_list')}")
    status = page.locator("[data-testid=participant-row] td[data-label=Status]").first
    assert status.is_visible()
    box = status.bounding_box()
    assert box["x"] + box["width"] <= 360


def test_the_sign_in_page_does_not_scroll_sideways(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert fits_the_screen(page)
