"""One-time codes, the forced password change, the second factor, and tokens only after the full sign-in."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pghistory.models import Events

from enrollment.people.services import reset_person_second_factor, reset_sign_in
from tests.conftest import PASSWORD, authenticator, totp_now
from trialsite.models import OneTimeCode

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Daun-kelor-segar-42"


def sign_in(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


@pytest.fixture
def code_for(cast):
    def make(username: str) -> str:
        return reset_sign_in(by=cast["coordinator"], person=cast[username], reason="Lupa kata sandi")

    return make


def test_a_one_time_code_signs_in_once_and_forces_a_new_password(client, cast, code_for):
    code = code_for("midwife.par")
    assert sign_in(client, "midwife.par", code).status_code == 302
    response = client.get("/observations/today/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/password/")
    response = client.post("/accounts/password/", {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/observations/today/").status_code == 200
    assert Events.objects.filter(pgh_obj_id=str(cast["midwife.par"].pk), pgh_label="password.changed").exists()
    client.post("/accounts/logout/")
    assert sign_in(client, "midwife.par", code).status_code == 200  # used
    assert sign_in(client, "midwife.par", NEW_PASSWORD).status_code == 302


def test_a_used_code_gets_a_clear_message(client, cast, code_for):
    code = code_for("midwife.par")
    sign_in(client, "midwife.par", code)
    client.post("/accounts/logout/")
    response = Client().post("/accounts/login/", {"username": "midwife.par", "password": code})
    assert "sudah dipakai" in str(response.context["form"].non_field_errors())  # Indonesian by default


def test_an_expired_code_is_refused_with_a_clear_message(client, cast, code_for):
    code = code_for("midwife.par")
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    client.post("/language/", {"language": "en"})
    response = sign_in(client, "midwife.par", code)
    assert response.status_code == 200
    assert "expired" in str(response.context["form"].non_field_errors())
    assert "_auth_user_id" not in client.session
    assert OneTimeCode.objects.get().used_at is None


def test_a_code_does_not_work_for_another_username(client, cast, code_for):
    code = code_for("midwife.par")
    assert sign_in(client, "midwife.srp1", code).status_code == 200
    assert OneTimeCode.objects.get().used_at is None


def test_a_code_gives_no_api_token_and_is_not_spent_there(client, cast, code_for):
    code = code_for("midwife.par")
    response = client.post("/api/v1/token/", {"username": "midwife.par", "password": code})
    assert response.status_code == 400
    assert OneTimeCode.objects.get().used_at is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("short1A", "too short"), ("password123", "too common"), ("8472916350", "entirely numeric")],
)
def test_a_weak_password_is_refused_and_nothing_changes(client, cast, code_for, password, message):
    sign_in(client, "midwife.par", code_for("midwife.par"))
    client.post("/language/", {"language": "en"})
    response = client.post("/accounts/password/", {"new_password1": password, "new_password2": password})
    assert response.status_code == 200
    assert message in str(response.context["form"].errors)
    assert client.get("/observations/today/")["Location"].startswith("/accounts/password/")


def test_everyone_can_change_their_own_password(client_for, client):
    own = client_for("midwife.srp1")
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert own.post("/accounts/password/", data).status_code == 302
    assert sign_in(client, "midwife.srp1", NEW_PASSWORD).status_code == 302


def test_changing_ones_password_needs_the_old_one(client_for, client):
    data = {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client_for("midwife.srp1").post("/accounts/password/", data).status_code == 200
    assert sign_in(client, "midwife.srp1", PASSWORD).status_code == 302


# --- Second factor ---------------------------------------------------------------------------------

PAGES = ["/", "/enrollment/participants/", "/analysis/", "/audit/", "/enrollment/people/", "/admin/", "/me/"]


@pytest.mark.parametrize("username", ["coordinator", "investigator"])
def test_without_the_second_step_no_page_opens(client, cast, username):
    assert sign_in(client, username, PASSWORD)["Location"].startswith("/")
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/two-factor/"), page
    assert client.get("/api/v1/sites/").status_code == 403


def test_the_second_step_opens_the_pages(client, cast):
    sign_in(client, "coordinator", PASSWORD)
    response = client.post("/accounts/two-factor/?next=/enrollment/people/", {"token": totp_now(cast["coordinator"])})
    assert response["Location"] == "/enrollment/people/"
    assert client.get("/enrollment/people/").status_code == 200


def test_a_wrong_code_keeps_the_door_shut(client, cast):
    sign_in(client, "coordinator", PASSWORD)
    response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(client, cast):
    device = authenticator(cast["coordinator"])
    from trialsite.two_factor import new_recovery_codes

    [code, *_rest] = new_recovery_codes(device.user)
    sign_in(client, "coordinator", PASSWORD)
    assert client.post("/accounts/two-factor/", {"token": code}).status_code == 302
    assert client.get("/").status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()
    other = Client()
    sign_in(other, "coordinator", PASSWORD)
    assert other.post("/accounts/two-factor/", {"token": code}).status_code == 200


def test_a_coordinator_without_an_authenticator_must_enrol_one(client, cast):
    TOTPDevice.objects.filter(user=cast["coordinator"]).delete()
    sign_in(client, "coordinator", PASSWORD)
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")
    page = client.get("/accounts/two-factor/setup/")
    assert "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=cast["coordinator"], confirmed=False)
    assert client.post("/accounts/two-factor/setup/", {"token": "000000"}).status_code == 200
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")
    from django_otp.oath import totp

    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # the wrong try delays the next
    token = f"{totp(device.bin_key):06d}"
    response = client.post("/accounts/two-factor/setup/", {"token": token})
    assert len(response.context["codes"]) == 10
    assert client.get("/").status_code == 200


def test_a_midwife_does_not_need_a_second_factor_but_may_enrol_one(client_for, cast, client):
    assert sign_in(client, "midwife.srp1", PASSWORD).status_code == 302
    assert client.get("/").status_code == 200
    authenticator(cast["midwife.srp1"])
    fresh = Client()
    sign_in(fresh, "midwife.srp1", PASSWORD)
    assert fresh.get("/")["Location"].startswith("/accounts/two-factor/")


@pytest.fixture
def monitor(cast, study):
    """A monitor at SRP1 who has no authenticator yet."""
    from django.contrib.auth.models import Group

    from enrollment.models import Membership

    user = type(cast["coordinator"]).objects.create_user("monitor.srp1", password=PASSWORD)
    user.groups.add(Group.objects.get(name="monitor"))
    Membership.objects.create(user=user, site=study.sites.get(code="SRP1"))
    return user


def test_a_monitor_without_an_authenticator_is_sent_to_set_one_up(client, monitor):
    assert sign_in(client, "monitor.srp1", PASSWORD).status_code == 302
    for page in ("/", "/enrollment/participants/", "/me/"):
        assert client.get(page)["Location"].startswith("/accounts/two-factor/setup/"), page
    assert client.get("/api/v1/participants/").status_code == 403


def test_a_monitor_gets_no_token_with_her_password_alone(client, monitor):
    response = client.post("/api/v1/token/", {"username": "monitor.srp1", "password": PASSWORD})
    assert response.status_code == 403
    assert "token" not in response.json()


def test_the_roles_that_need_a_second_factor_are_written_beside_the_matrix():
    from trialsite.roles import SECOND_FACTOR_ROLES, Role

    assert {Role.COORDINATOR, Role.INVESTIGATOR, Role.MONITOR} == SECOND_FACTOR_ROLES


def test_setup_cannot_replace_an_authenticator_before_the_second_step(client, cast):
    sign_in(client, "coordinator", PASSWORD)
    assert client.get("/accounts/two-factor/setup/")["Location"].startswith("/accounts/two-factor/")
    assert not TOTPDevice.objects.filter(user=cast["coordinator"], confirmed=False).exists()


def test_the_password_cannot_be_changed_before_the_second_step(client, cast):
    sign_in(client, "coordinator", PASSWORD)
    data = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/accounts/password/", data)["Location"].startswith("/accounts/two-factor/")
    assert Client().post("/accounts/login/", {"username": "coordinator", "password": PASSWORD}).status_code == 302


def test_the_coordinator_resets_a_second_factor_with_a_reason(client_for, cast, client):
    person = cast["investigator"]
    url = f"/enrollment/people/{person.pk}/reset-second-factor/"
    assert client_for("coordinator").post(url, {"reason": "HP hilang"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=person).exists()
    event = Events.objects.filter(pgh_obj_id=str(person.pk), pgh_label="second_factor.reset").get()
    assert event.pgh_context["reason"] == "HP hilang"
    sign_in(client, "investigator", PASSWORD)
    assert client.get("/")["Location"].startswith("/accounts/two-factor/setup/")


def test_a_second_factor_reset_needs_a_reason(cast):
    with pytest.raises(Exception, match="reason"):
        reset_person_second_factor(by=cast["coordinator"], person=cast["investigator"], reason="")
    assert TOTPDevice.objects.filter(user=cast["investigator"]).exists()


# --- API tokens ----------------------------------------------------------------------------------


def test_a_token_needs_the_second_factor_for_coordinators(client, cast):
    data = {"username": "coordinator", "password": PASSWORD}
    response = client.post("/api/v1/token/", data)
    assert response.status_code == 403
    assert "token" not in response.json()
    assert client.post("/api/v1/token/", {**data, "otp_token": "000000"}).status_code == 403
    ok = client.post("/api/v1/token/", {**data, "otp_token": totp_now(cast["coordinator"])})
    assert ok.status_code == 200
    assert ok.json()["token"]


def test_a_midwife_gets_a_token_with_her_password(client, cast):
    response = client.post("/api/v1/token/", {"username": "midwife.srp1", "password": PASSWORD})
    assert response.status_code == 200


def test_a_person_who_must_choose_a_password_gets_no_token(client, cast, code_for):
    code_for("midwife.srp1")  # the coordinator reset her sign-in; her old password still works until then
    response = client.post("/api/v1/token/", {"username": "midwife.srp1", "password": PASSWORD})
    assert response.status_code == 403
