"""Every role signs in on a 360-px phone, in Indonesian and in English, and lands on its start page
(the midwife on Today, the others on the home page)."""

import pytest

from tests.browser import fits_the_screen
from tests.conftest import PASSWORD, second_step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME_TEXT = {"id": ("Selamat datang", "Keluar"), "en": ("Welcome", "Log out")}
TODAY_TEXT = {"id": "Hari ini", "en": "Today"}


def landing_heading(page, username: str, language: str) -> bool:
    """Is the page the start page of ``username``, in ``language``?"""
    if username.startswith("midwife"):
        page.wait_for_selector("main h1")
        return page.url.endswith("/observations/today/") and page.inner_text("main h1").startswith(TODAY_TEXT[language])
    page.wait_for_selector("[data-testid=home-heading]")
    return HOME_TEXT[language][0] in page.inner_text("[data-testid=home-heading]")


ROLE_TEXT = {
    "midwife.srp1": {"id": "Bidan", "en": "Midwife"},
    "coordinator": {"id": "Koordinator", "en": "Coordinator"},
    "investigator": {"id": "Peneliti", "en": "Investigator"},
}


@pytest.mark.parametrize("username", list(ROLE_TEXT))
def test_each_role_logs_in_on_a_phone_in_indonesian(page, live_server, cast, username):
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "id"
    assert page.get_by_role("button", name="Masuk").is_visible()
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    if username in ("coordinator", "investigator"):  # their sign-in has a second step
        page.wait_for_selector("[data-testid=two-factor-heading]")
        second_step(page, username)
    page.wait_for_load_state("load")
    assert landing_heading(page, username, "id")
    logout = HOME_TEXT["id"][1]
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("button", name=logout).is_visible()
    assert ROLE_TEXT[username]["id"] in page.inner_text("[data-testid=current-user]")
    assert fits_the_screen(page)


@pytest.mark.parametrize("username", list(ROLE_TEXT))
def test_each_role_switches_to_english_and_it_is_remembered(page, browser, live_server, cast, username, login):
    login(page, username)
    page.select_option("#language-select", "en")
    page.wait_for_selector("html[lang=en]")
    assert landing_heading(page, username, "en")
    logout = HOME_TEXT["en"][1]
    page.get_by_role("button", name="Menu").click()
    assert page.get_by_role("button", name=logout).is_visible()
    assert ROLE_TEXT[username]["en"] in page.inner_text("[data-testid=current-user]")
    assert fits_the_screen(page)
    # A new device (fresh cookies, Indonesian browser) gets the language the user chose.
    other = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID")
    fresh = other.new_page()
    login(fresh, username)
    assert fresh.locator("html").get_attribute("lang") == "en"
    assert landing_heading(fresh, username, "en")
    other.close()
