"""A site membership is ended, never deleted: who was at which site, until when and why, stays."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from enrollment.models import Membership, Site

pytestmark = pytest.mark.django_db


def move_to(client, person, sites, reason="Pindah ke SRP1"):
    data = {"first_name": "Bidan", "last_name": "", "roles": ["midwife"], "sites": [s.pk for s in sites]}
    return client.post(reverse("enrollment:person_detail", args=[person.pk]), {**data, "reason": reason})


def test_taking_a_midwife_off_a_site_ends_her_membership_with_who_and_why(client_for, cast, site_srp1, site_par):
    person = cast["midwife.par"]
    assert move_to(client_for("coordinator"), person, [site_srp1]).status_code == 302
    ended = Membership.objects.get(user=person, site=site_par)
    assert ended.ended_at is not None
    assert ended.ended_by == cast["coordinator"]
    assert ended.end_reason == "Pindah ke SRP1"
    assert list(Site.objects.for_user(person).values_list("code", flat=True)) == ["SRP1"]


def test_an_ended_membership_opens_no_page_at_that_site(client_for, cast, site_srp1, site_par, enroll):
    participant = enroll(site_par, cast["midwife.par"])
    midwife = client_for("midwife.par")
    url = reverse("enrollment:participant_detail", args=[participant.pk])
    assert midwife.get(url).status_code == 200
    move_to(client_for("coordinator"), cast["midwife.par"], [site_srp1])
    assert midwife.get(url).status_code == 404


def test_putting_her_back_on_the_site_starts_a_new_membership(client_for, cast, site_srp1, site_par):
    person, coordinator = cast["midwife.par"], client_for("coordinator")
    move_to(coordinator, person, [site_srp1])
    move_to(coordinator, person, [site_srp1, site_par], reason="Kembali ke PAR")
    rows = Membership.objects.filter(user=person, site=site_par).order_by("pk")
    assert [row.ended_at is None for row in rows] == [False, True]
    assert set(Site.objects.for_user(person).values_list("code", flat=True)) == {"SRP1", "PAR"}


def test_the_people_pages_show_only_current_sites(client_for, cast, site_srp1, site_par):
    person, coordinator = cast["midwife.par"], client_for("coordinator")
    move_to(coordinator, person, [site_srp1])
    page = coordinator.get(reverse("enrollment:person_detail", args=[person.pk]))
    assert page.context["form"].initial["sites"] == [site_srp1.pk]
    listing = coordinator.get(reverse("enrollment:people_list")).content.decode()
    row = listing[listing.index("midwife.par") :].split("</tr>")[0]
    assert "SRP1" in row
    assert "PAR<" not in row


def test_the_app_role_cannot_delete_a_membership(cast, site_par):
    membership = Membership.objects.get(user=cast["midwife.par"], site=site_par)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM enrollment_membership WHERE id = %s", [membership.pk])
    assert Membership.objects.filter(pk=membership.pk).exists()
