"""Every page in the navigation, for every role, in both languages, fits a 360-px phone.

The pages come from the navigation itself (trialsite/navigation.py), so a page added to the
menu is checked without touching this test.
"""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser import overflowing, watch_csp_errors
from tests.conftest import PASSWORD
from trialsite.navigation import nav_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("midwife.srp1", "coordinator", "investigator")


@pytest.fixture
def demo_data(study, cast):
    call_command("seed_demo", participants=8, seed=3, password=PASSWORD, verbosity=0)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("username", ROLES)
def test_every_menu_page_fits_a_phone(page, live_server, cast, demo_data, login, username, language):
    csp_errors = watch_csp_errors(page)
    login(page, username)
    if language == "en":
        page.select_option("#language-select", "en")
        page.wait_for_selector("html[lang=en]")
    items = nav_for(cast[username])
    assert items, "every role has pages"
    for item in items:
        response = page.goto(f"{live_server.url}{item['url']}")
        assert response.status == 200, item["url"]
        assert page.locator("html").get_attribute("lang") == language
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, item["url"]
        assert overflowing(page) == [], item["url"]
    assert csp_errors == []


def test_the_menu_opens_and_closes_on_a_phone(page, live_server, cast, login):
    csp_errors = watch_csp_errors(page)
    login(page, "midwife.srp1")
    toggler, sign_out = page.locator("[data-menu-toggle]"), page.locator("form[data-logout] button")
    assert not sign_out.is_visible()
    assert toggler.get_attribute("aria-expanded") == "false"
    toggler.click()
    expect(sign_out).to_be_visible()
    assert toggler.get_attribute("aria-expanded") == "true"
    toggler.click()
    expect(sign_out).to_be_hidden()
    assert toggler.get_attribute("aria-expanded") == "false"
    assert csp_errors == []
