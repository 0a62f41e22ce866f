"""People pages: only the coordinator manages accounts; every change is audited; bad input changes nothing."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pghistory.models import Events

from enrollment.models import Membership
from trialsite.models import OneTimeCode

pytestmark = pytest.mark.django_db

User = get_user_model()


def new_person(site_pk, **overrides) -> dict:
    data = {"username": "bidan.par2", "first_name": "Siti", "last_name": "Aminah", "roles": ["midwife"],
            "sites": [site_pk]}  # fmt: skip
    return {**data, **overrides}


def people_urls(pk: int) -> list[tuple[str, str]]:
    return [
        ("get", reverse("enrollment:people_list")),
        ("get", reverse("enrollment:person_new")),
        ("post", reverse("enrollment:person_new")),
        ("get", reverse("enrollment:person_detail", args=[pk])),
        ("post", reverse("enrollment:person_detail", args=[pk])),
        ("post", reverse("enrollment:person_deactivate", args=[pk])),
        ("post", reverse("enrollment:person_reactivate", args=[pk])),
        ("post", reverse("enrollment:person_reset_code", args=[pk])),
        ("post", reverse("enrollment:person_reset_second_factor", args=[pk])),
    ]


@pytest.mark.parametrize("username", ["midwife.srp1", "midwife.par", "investigator", "outsider"])
def test_only_the_coordinator_reaches_any_people_page(client_for, cast, username):
    client = client_for(username)
    target = cast["midwife.par"]
    for method, url in people_urls(target.pk):
        response = getattr(client, method)(url, {"reason": "x", **new_person(1)})
        assert response.status_code == 403, url
    target.refresh_from_db()
    assert target.is_active
    assert not User.objects.filter(username="bidan.par2").exists()
    assert not OneTimeCode.objects.exists()


def test_the_coordinator_sees_everyone_with_roles_and_sites(client_for, cast):
    body = client_for("coordinator").get(reverse("enrollment:people_list")).content.decode()
    for username in ("midwife.srp1", "midwife.par", "investigator", "outsider"):
        assert username in body


def test_signed_out_visitors_are_sent_to_sign_in(client, cast):
    response = client.get(reverse("enrollment:people_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_superuser_cannot_be_managed_from_the_people_pages(client_for, cast, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x-Password-2026")
    assert client_for("coordinator").get(reverse("enrollment:person_detail", args=[root.pk])).status_code == 404


def test_creating_a_midwife_shows_a_one_time_code_once_and_audits_it(client_for, site_par, cast):
    response = client_for("coordinator").post(reverse("enrollment:person_new"), new_person(site_par.pk))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    person = User.objects.get(username="bidan.par2")
    code = response.context["code"]
    assert code in response.content.decode()
    assert not person.has_usable_password()
    assert list(person.site_memberships.values_list("site__code", flat=True)) == ["PAR"]
    stored = OneTimeCode.objects.get(user=person)
    assert code.replace("-", "") not in stored.code_sha256
    assert stored.created_by == cast["coordinator"]
    labels = set(Events.objects.filter(pgh_obj_id=str(person.pk)).values_list("pgh_label", flat=True))
    assert {"insert", "one_time_code.issued"} <= labels


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "midwife.srp1"}, "username", "is taken"),
        ({"username": "MIDWIFE.SRP1"}, "username", "is taken"),
        ({"sites": [999999]}, "sites", "Unknown site"),
        ({"sites": []}, "sites", "at least one site"),
        ({"roles": []}, "roles", "at least one role"),
        ({"roles": ["admin"]}, "roles", "Unknown role"),
        ({"username": "bad name!"}, "username", "valid username"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(client_for, site_par, cast, overrides, field, message):
    before = (User.objects.count(), Membership.objects.count(), OneTimeCode.objects.count())
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    response = client.post(reverse("enrollment:person_new"), new_person(site_par.pk, **overrides))
    assert response.status_code == 200
    errors = " ".join(str(e) for e in response.context["form"].errors.get(field, []))
    assert message in errors
    assert (User.objects.count(), Membership.objects.count(), OneTimeCode.objects.count()) == before


def test_changing_sites_and_roles_needs_a_reason_and_is_audited(client_for, cast, site_srp1, site_par):
    person = cast["midwife.par"]
    url = reverse("enrollment:person_detail", args=[person.pk])
    data = {"first_name": "Bidan", "last_name": "", "roles": ["midwife"], "sites": [site_srp1.pk, site_par.pk]}
    client = client_for("coordinator")
    assert "reason" in client.post(url, data).context["form"].errors
    assert list(person.site_memberships.values_list("site__code", flat=True)) == ["PAR"]
    assert client.post(url, {**data, "reason": "Pindah tugas"}).status_code == 302
    assert set(person.site_memberships.values_list("site__code", flat=True)) == {"SRP1", "PAR"}
    added = Events.objects.filter(pgh_model="enrollment.MembershipEvent", pgh_label="insert").order_by("-pgh_id")[0]
    assert added.pgh_context["reason"] == "Pindah tugas"
    assert added.pgh_context["user"] == cast["coordinator"].pk


def test_a_role_change_is_in_the_audit_trail(client_for, cast):
    person = cast["outsider"]
    url = reverse("enrollment:person_detail", args=[person.pk])
    data = {"first_name": "Ana", "roles": ["investigator"], "reason": "Bergabung sebagai peneliti"}
    assert client_for("coordinator").post(url, data).status_code == 302
    assert person.groups.filter(name="investigator").exists()
    added = Events.objects.filter(pgh_model="trialsite.UserRoleEvent", pgh_label="role.add")
    [event] = [e for e in added if e.pgh_data["user_id"] == person.pk]
    assert event.pgh_context["reason"] == "Bergabung sebagai peneliti"
    assert event.pgh_context["user"] == cast["coordinator"].pk


def test_the_coordinator_cannot_take_away_her_own_role(client_for, cast):
    me = cast["coordinator"]
    url = reverse("enrollment:person_detail", args=[me.pk])
    response = client_for("coordinator").post(
        url, {"first_name": "K", "roles": ["midwife"], "sites": [], "reason": "x"}
    )
    assert response.status_code == 200
    assert me.groups.filter(name="coordinator").exists()


def test_deactivating_keeps_the_account_and_stops_sign_in_and_tokens(client_for, client, cast):
    from trialsite.tokens import issue_token

    person = cast["midwife.par"]
    _instance, token = issue_token(user=person)
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    url = reverse("enrollment:person_deactivate", args=[person.pk])
    response = client_for("coordinator").post(url, {"reason": "Cuti panjang"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert not person.is_active
    assert person.account.deactivation_reason == "Cuti panjang"
    assert client.get("/api/v1/sites/", HTTP_AUTHORIZATION=f"Token {token}").status_code in (401, 403)
    assert (
        client.post("/accounts/login/", {"username": "midwife.par", "password": "cast-Password-2026"}).status_code
        == 200
    )
    event = Events.objects.filter(pgh_model="trialsite.UserEvent", pgh_label="update").order_by("-pgh_id")[0]
    assert event.pgh_context["reason"] == "Cuti panjang"


def test_deactivating_without_a_reason_changes_nothing(client_for, cast):
    person = cast["midwife.par"]
    client_for("coordinator").post(reverse("enrollment:person_deactivate", args=[person.pk]), {"reason": " "})
    person.refresh_from_db()
    assert person.is_active


def test_the_coordinator_cannot_deactivate_herself(client_for, cast):
    me = cast["coordinator"]
    client_for("coordinator").post(reverse("enrollment:person_deactivate", args=[me.pk]), {"reason": "oops"})
    me.refresh_from_db()
    assert me.is_active


def test_a_new_reset_code_replaces_the_earlier_one(client_for, cast):
    person = cast["midwife.par"]
    url = reverse("enrollment:person_reset_code", args=[person.pk])
    client = client_for("coordinator")
    first = client.post(url, {"reason": "Lupa kata sandi"}).context["code"]
    second = client.post(url, {"reason": "Lupa lagi"}).context["code"]
    assert first != second
    assert OneTimeCode.objects.filter(user=person).usable().count() == 1
