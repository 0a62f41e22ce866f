"""What every signed-in request reads first: its session and its user, each in one statement written once.

The statements are written by hand from the models' metadata (trialsite/accounts.py, trialsite/sessions.py),
so these tests hold them to what Django's ORM read before: the same user, profile, account, roles and
second-factor flag; the same session, and the same refusal of an expired or unknown one.
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice

from tests.conftest import authenticator
from trialsite.accounts import PasswordBackend, has_second_factor, must_change_password, saved_language
from trialsite.models import Account, Profile
from trialsite.roles import Role, roles_of
from trialsite.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _loaded(user_id):
    with CaptureQueriesContext(connection) as ctx:
        user = PasswordBackend().get_user(user_id)
        if user is not None:  # everything a request asks of her, with no query more
            state = (roles_of(user), saved_language(user), must_change_password(user), has_second_factor(user))
    assert len(ctx.captured_queries) == 1, [q["sql"] for q in ctx.captured_queries]
    return user, (state if user is not None else None)


def test_the_user_comes_with_her_roles_language_account_and_devices_in_one_query(cast):
    coordinator = cast["coordinator"]
    Profile.objects.update_or_create(user=coordinator, defaults={"language": "en"})
    Account.objects.update_or_create(user=coordinator, defaults={"must_change_password": True})
    coordinator.groups.add(Group.objects.get_or_create(name="not-a-role")[0])
    user, state = _loaded(coordinator.pk)
    assert user == coordinator
    assert user.username == "coordinator"
    assert user.password == coordinator.password
    assert state == (frozenset({Role.COORDINATOR}), "en", True, True)
    assert user.profile.user is user
    assert user.account.user is user


def test_a_user_without_a_profile_account_or_device_reads_as_the_defaults(cast):
    newcomer = get_user_model().objects.create_user("newcomer")
    newcomer.groups.add(Group.objects.get(name=Role.MIDWIFE))
    assert not Profile.objects.filter(user=newcomer).exists()
    assert not Account.objects.filter(user=newcomer).exists()
    user, state = _loaded(newcomer.pk)
    assert state == (frozenset({Role.MIDWIFE}), "", False, False)
    with pytest.raises(Profile.DoesNotExist):
        _ = user.profile


def test_only_a_confirmed_device_of_any_kind_counts(cast):
    midwife = cast["midwife.srp1"]
    StaticDevice.objects.create(user=midwife, name="recovery", confirmed=False)
    assert _loaded(midwife.pk)[1][3] is False
    StaticDevice.objects.filter(user=midwife).update(confirmed=True)
    assert _loaded(midwife.pk)[1][3] is True
    authenticator(midwife)
    assert _loaded(midwife.pk)[1][3] is True


def test_a_role_taken_away_or_an_account_deactivated_counts_on_the_next_request(cast):
    investigator = cast["investigator"]
    investigator.groups.clear()
    assert _loaded(investigator.pk)[1][0] == frozenset()
    get_user_model().objects.filter(pk=investigator.pk).update(is_active=False)
    assert _loaded(investigator.pk) == (None, None)
    assert _loaded(10**9) == (None, None)


def test_a_session_is_read_with_its_expiry(client_for, cast):
    client = client_for("midwife.srp1")
    key = client.cookies["sessionid"].value
    stored = Session.objects.get(session_key=key)
    session = SessionStore(key)
    assert session["_auth_user_id"] == str(cast["midwife.srp1"].pk)
    assert session.stored_expiry == stored.expire_date
    assert session.session_key == key


@pytest.mark.parametrize("key_state", ["expired", "unknown"])
def test_an_expired_or_unknown_session_is_a_new_empty_one_with_a_new_key(client_for, key_state):
    key = client_for("midwife.srp1").cookies["sessionid"].value
    if key_state == "expired":
        Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    else:
        key = "x" * 32
    session = SessionStore(key)
    assert dict(session) == {}
    assert session.stored_expiry is None
    session["probe"] = 1
    session.save()
    assert session.session_key != key  # never the key the browser sent (no session fixation)


def test_a_page_opens_for_a_signed_in_midwife_and_not_after_her_session_expired(client_for):
    client = client_for("midwife.srp1")
    assert client.get("/observations/today/").status_code == 200
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(expire_date=timezone.now())
    response = client.get("/observations/today/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
