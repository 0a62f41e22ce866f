"""Concealed, site-stratified permuted-block randomization."""

import re
from collections import Counter

import pytest
from django.urls import reverse

from enrollment import services
from enrollment.models import AllocationListEntry
from enrollment.randomization import permuted_blocks
from tests.conftest import sign_in_fully

pytestmark = pytest.mark.django_db


def test_the_generated_list_is_the_seeded_permuted_blocks_per_site(randomized_study, site_srp1):
    stored = list(AllocationListEntry.objects.filter(site=site_srp1).order_by("sequence"))
    expected = permuted_blocks(["moringa", "oxytocin_massage"], 8, seed="test-seed:SRP1", block_sizes=(2, 4))
    assert [(e.sequence, e.block, e.arm.code) for e in stored] == [(s.sequence, s.block, s.arm) for s in expected]


def test_each_block_in_each_stratum_is_balanced(randomized_study):
    entries = AllocationListEntry.objects.select_related("site", "arm")
    blocks = {}
    for e in entries:
        blocks.setdefault((e.site.code, e.block), []).append(e.arm.code)
    assert {site for site, _ in blocks} == {"SRP1", "PAR"}
    for arms in blocks.values():
        assert Counter(arms)["moringa"] == Counter(arms)["oxytocin_massage"]


def test_randomized_enrolment_takes_the_next_slot_of_her_site(randomized_study, enroll, site_srp1, midwife_srp1):
    slots = list(AllocationListEntry.objects.filter(site=site_srp1).order_by("sequence").select_related("arm"))
    participants = [enroll(site_srp1, midwife_srp1) for _ in range(3)]
    assert [p.arm for p in participants] == [s.arm for s in slots[:3]]
    assert participants[0].allocation.list_entry == slots[0]
    assert participants[0].allocation.method == "randomized"


def test_staff_cannot_choose_the_arm_when_randomized(randomized_study, screen, site_srp1, midwife_srp1, arm_moringa):
    screening = screen(site_srp1, midwife_srp1)
    with pytest.raises(services.EnrollmentError, match="randomized"):
        services.enroll_participant(
            screening=screening,
            by=midwife_srp1,
            arm=arm_moringa,
            consent=services.ConsentDetails(screening.screened_on, "1.0"),
        )


def test_an_exhausted_list_refuses_enrolment(randomized_study, enroll, site_par, midwife_par):
    for _ in range(AllocationListEntry.objects.filter(site=site_par).count()):
        enroll(site_par, midwife_par)
    with pytest.raises(services.EnrollmentError, match="used up"):
        enroll(site_par, midwife_par)


@pytest.mark.parametrize("username", ["coordinator", "investigator", "midwife.srp1"])
def test_no_page_or_endpoint_reveals_the_next_assignment(randomized_study, client_for, username):
    """No page or endpoint shows the seed or any slot of the list."""
    client = client_for(username)
    pages = [
        reverse(name)
        for name in (
            "enrollment:participant_list",
            "enrollment:screening_log",
            "enrollment:flow",
            "enrollment:study_detail",
            "enrollment:screening_new",
            "audit_log",
            "enrollment:allocation_list",
        )
    ] + ["/api/v1/participants/", "/api/v1/screenings/", "/api/v1/studies/", "/api/v1/schema/"]
    for url in pages:
        body = client.get(url).content.decode()
        assert "test-seed" not in body
        assert "allocationlistentry" not in body.lower()
        assert "list_entry" not in body


def test_the_admin_does_not_offer_the_allocation_list(randomized_study, client, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-Password-2026")
    sign_in_fully(client, admin)
    assert client.get("/admin/enrollment/allocationlistentry/").status_code == 404
    assert "allocationlist" not in client.get("/admin/").content.decode().lower()


@pytest.mark.parametrize(
    ("username", "expected"), [("coordinator", 200), ("investigator", 403), ("midwife.srp1", 403), ("outsider", 403)]
)
def test_allocation_list_page_is_for_coordinators(client_for, study, username, expected):
    assert client_for(username).get(reverse("enrollment:allocation_list")).status_code == expected


def test_allocation_list_page_shows_counts_but_never_arms(
    randomized_study, client_for, enroll, site_srp1, midwife_srp1
):
    enroll(site_srp1, midwife_srp1)
    body = client_for("coordinator").get(reverse("enrollment:allocation_list")).content.decode()
    table = body[body.index('data-testid="slot-counts"') :]
    table = re.sub(r' data-label="[^"]*"', "", table[: table.index("</table>")])  # the phone's card labels
    assert "<td>SRP1</td><td>1</td><td>7</td>" in table
    assert "moringa" not in body.lower()
    assert "kelor" not in table.lower()


def test_coordinator_generates_a_list_from_the_page(client_for, study, coordinator):
    response = client_for("coordinator").post(
        reverse("enrollment:allocation_list"), {"generate": "1", "seed": "secret-1", "per_site": 4}
    )
    assert response.status_code == 302
    assert AllocationListEntry.objects.filter(site__code="PAR").count() >= 4
    assert "secret-1" not in client_for("coordinator").get(reverse("audit_log")).content.decode()


def test_coordinator_uploads_a_list(client_for, study):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = b"site,block,arm\nSRP1,1,moringa\nSRP1,1,oxytocin_massage\nPAR,1,oxytocin_massage\nPAR,1,moringa\n"
    upload = SimpleUploadedFile("list.csv", csv, content_type="text/csv")
    response = client_for("coordinator").post(reverse("enrollment:allocation_list"), {"upload": "1", "file": upload})
    assert response.status_code == 302
    par = AllocationListEntry.objects.filter(site__code="PAR").order_by("sequence")
    assert [e.arm.code for e in par] == ["oxytocin_massage", "moringa"]
    assert {e.block_size for e in par} == {2}


def test_an_upload_with_an_unknown_arm_is_refused(client_for, study):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("list.csv", b"site,block,arm\nSRP1,1,placebo\n", content_type="text/csv")
    response = client_for("coordinator").post(reverse("enrollment:allocation_list"), {"upload": "1", "file": upload})
    assert response.status_code == 200
    assert not AllocationListEntry.objects.exists()
