"""On a 360-px phone in Indonesian: a coordinator puts a new midwife on PAR, and she signs in with the code."""

from datetime import timedelta

import pytest
from django.utils import timezone

from observations.demo import study as demo
from tests.browser import fits_the_screen, overflowing, watch_csp_errors
from tests.conftest import PASSWORD, second_step
from trialsite.models import OneTimeCode

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Daun-kelor-segar-42"


def sign_in(page, url: str, username: str, password: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("networkidle")


def create_midwife_for_par(page, url: str) -> str:
    """Through the People pages; returns the one-time code shown to the coordinator."""
    page.goto(f"{url}/enrollment/people/")
    page.click("[data-testid=person-new]")
    page.fill("input[name=username]", "bidan.par2")
    page.fill("input[name=first_name]", "Siti")
    page.get_by_label("Bidan").check()
    page.get_by_label("PAR — Puskesmas Pondok Aren").check()
    assert fits_the_screen(page), overflowing(page)
    page.get_by_role("button", name="Buat akun").click()
    code = page.inner_text("[data-testid=one-time-code]").strip()
    assert "WhatsApp" in page.inner_text("main")
    return code


def test_a_new_midwife_signs_in_with_her_code_and_sees_only_par(live_server, browser, page, login, cast, study):
    demo.seed_participants(study, 6, seed=2)
    csp_errors = watch_csp_errors(page)
    login(page, "coordinator")
    code = create_midwife_for_par(page, live_server.url)
    assert fits_the_screen(page)

    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    sign_in(phone, live_server.url, "bidan.par2", code)
    assert "Pilih kata sandi Anda sendiri" in phone.inner_text("[data-testid=password-heading]")
    phone.goto(f"{live_server.url}/enrollment/participants/")  # no way round the new password
    assert "/accounts/password/" in phone.url
    phone.fill("input[name=new_password1]", "12345")
    phone.fill("input[name=new_password2]", "12345")
    phone.get_by_role("button", name="Simpan kata sandi").click()
    assert "terlalu pendek" in phone.inner_text("main")
    phone.fill("input[name=new_password1]", NEW_PASSWORD)
    phone.fill("input[name=new_password2]", NEW_PASSWORD)
    phone.get_by_role("button", name="Simpan kata sandi").click()
    phone.wait_for_url("**/enrollment/participants/")  # where she was going before the password step
    body = phone.inner_text("main")
    assert "PAR-001" in body
    assert "SRP1-" not in body
    assert fits_the_screen(phone)
    assert csp_errors == []


def test_a_coordinator_reaches_no_page_without_the_second_step(live_server, page, cast):
    csp_errors = watch_csp_errors(page)
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    page.wait_for_selector("[data-testid=two-factor-heading]")
    assert "Langkah kedua" in page.inner_text("main")
    assert page.locator("nav a.nav-link").count() == 0
    for path in ("/", "/enrollment/people/", "/analysis/", "/audit/", "/admin/", "/me/"):
        page.goto(f"{live_server.url}{path}")
        assert "/accounts/two-factor/" in page.url, path
    page.fill("input[name=token]", "000000")
    page.click("main button[type=submit]")
    assert "Kode itu salah" in page.inner_text("main")
    page.goto(f"{live_server.url}/enrollment/people/")
    second_step(page, "coordinator")
    assert page.url.endswith("/enrollment/people/")
    assert fits_the_screen(page)
    assert csp_errors == []


def test_a_coordinator_enrols_an_authenticator_in_the_browser(live_server, page, cast):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=cast["coordinator"]).delete()
    csp_errors = watch_csp_errors(page)
    sign_in(page, live_server.url, "coordinator", PASSWORD)
    page.wait_for_selector("[data-testid=two-factor-setup-heading]")
    assert page.locator("[data-testid=qr-code] svg").is_visible()
    assert fits_the_screen(page), overflowing(page)
    device = TOTPDevice.objects.get(user=cast["coordinator"], confirmed=False)
    page.fill("input[name=token]", f"{totp(device.bin_key):06d}")
    page.click("main button[type=submit]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    page.get_by_role("link", name="Sudah saya catat").click()
    page.wait_for_selector("[data-testid=home-heading]")
    assert csp_errors == []


def test_a_reset_code_works_once_and_expires(live_server, browser, page, login, cast):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/enrollment/people/{cast['midwife.par'].pk}/")
    form = page.locator("[data-testid=reset-code-form]")
    form.locator("input[name=reason]").fill("Lupa kata sandi")
    form.get_by_role("button").click()
    code = page.inner_text("[data-testid=one-time-code]").strip()
    assert fits_the_screen(page)

    first = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    sign_in(first, live_server.url, "midwife.par", code)
    assert "/accounts/password/" in first.url

    again = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    sign_in(again, live_server.url, "midwife.par", code)
    assert "sudah dipakai" in again.inner_text("main")

    page.goto(f"{live_server.url}/enrollment/people/{cast['midwife.par'].pk}/")
    form.locator("input[name=reason]").fill("Kode belum dipakai")
    form.get_by_role("button").click()
    late_code = page.inner_text("[data-testid=one-time-code]").strip()
    OneTimeCode.objects.filter(used_at__isnull=True).update(expires_at=timezone.now() - timedelta(minutes=1))
    sign_in(again, live_server.url, "midwife.par", late_code)
    assert "kedaluwarsa" in again.inner_text("main")
    assert "/accounts/login/" in again.url


def test_the_people_pages_fit_a_phone_in_both_languages(live_server, page, login, cast):
    csp_errors = watch_csp_errors(page)
    login(page, "coordinator")
    for language in ("id", "en"):
        page.select_option("#language-select", language)
        page.wait_for_selector(f"html[lang={language}]")
        for path in (
            "/enrollment/people/",
            "/enrollment/people/new/",
            f"/enrollment/people/{cast['midwife.par'].pk}/",
            "/me/",
            "/enrollment/setup/sites/",
            "/enrollment/setup/study/",
            f"/enrollment/setup/sites/{cast['midwife.par'].site_memberships.first().site_id}/",
        ):
            page.goto(f"{live_server.url}{path}")
            assert fits_the_screen(page), (path, overflowing(page))
    assert csp_errors == []


def test_the_coordinator_resets_a_lost_second_factor(live_server, browser, page, login, cast):
    login(page, "coordinator")
    page.goto(f"{live_server.url}/enrollment/people/{cast['investigator'].pk}/")
    form = page.locator("[data-testid=reset-second-factor-form]")
    form.locator("input[name=reason]").fill("HP hilang")
    form.get_by_role("button").click()
    assert "tanpa langkah kedua" in page.inner_text("[data-testid=person-status]")
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale="id-ID").new_page()
    sign_in(phone, live_server.url, "investigator", PASSWORD)
    assert "/accounts/two-factor/setup/" in phone.url  # the old authenticator is gone: she enrols a new one
