"""Role × site matrix for every enrolment page, and what each page shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enrollment.deidentify import pseudonyms
from enrollment.models import Participant, Screening
from observations.demo.study import DEMO_SLUG

from .conftest import ELIGIBLE_ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def srp1_participant(enroll, site_srp1, midwife_srp1):
    return enroll(site_srp1, midwife_srp1, name="Dewi Lestari")


@pytest.fixture
def srp1_screening(screen, site_srp1, midwife_srp1):
    return screen(site_srp1, midwife_srp1, name="Rina Kusuma")


LIST_PAGES = {
    "enrollment:screening_new": {"midwife.srp1": 200, "coordinator": 200, "investigator": 403, "outsider": 403},
    "enrollment:screening_log": {"midwife.srp1": 200, "coordinator": 200, "investigator": 403, "outsider": 403},
    "enrollment:participant_list": {"midwife.srp1": 200, "coordinator": 200, "investigator": 200, "outsider": 403},
    "enrollment:flow": {"midwife.srp1": 403, "coordinator": 200, "investigator": 200, "outsider": 403},
}


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("username", ["midwife.srp1", "coordinator", "investigator", "outsider"])
def test_list_pages_by_role(client_for, name, username):
    assert client_for(username).get(reverse(name)).status_code == LIST_PAGES[name][username]


@pytest.mark.parametrize(
    ("username", "detail", "withdraw"),
    [
        ("midwife.srp1", 200, 200),
        ("coordinator", 200, 200),
        ("investigator", 200, 403),
        ("midwife.par", 404, 404),
        ("outsider", 403, 403),
    ],
)
def test_participant_pages_by_role_and_site(client_for, srp1_participant, username, detail, withdraw):
    client = client_for(username)
    assert client.get(reverse("enrollment:participant_detail", args=[srp1_participant.pk])).status_code == detail
    assert client.get(reverse("enrollment:withdraw", args=[srp1_participant.pk])).status_code == withdraw


@pytest.mark.parametrize(
    ("username", "expected"),
    [("midwife.srp1", 200), ("coordinator", 200), ("investigator", 403), ("midwife.par", 404), ("outsider", 403)],
)
def test_screening_pages_by_role_and_site(client_for, srp1_screening, username, expected):
    client = client_for(username)
    assert client.get(reverse("enrollment:screening_detail", args=[srp1_screening.pk])).status_code == expected
    assert client.get(reverse("enrollment:enroll", args=[srp1_screening.pk])).status_code == expected


def test_investigator_never_sees_names_or_phones(client_for, srp1_participant):
    client = client_for("investigator")
    detail = client.get(reverse("enrollment:participant_detail", args=[srp1_participant.pk])).content.decode()
    listing = client.get(reverse("enrollment:participant_list")).content.decode()
    pseudonym = pseudonyms(DEMO_SLUG, ["SRP1-001"])["SRP1-001"]
    for body in (detail, listing):
        assert pseudonym in body
        assert "SRP1-001" not in body
        assert "Dewi Lestari" not in body
        assert "081234567890" not in body


def test_investigator_cannot_find_a_participant_by_name(client_for, srp1_participant):
    body = client_for("investigator").get(reverse("enrollment:participant_list"), {"q": "Dewi"}).content.decode()
    assert "SRP1-001" not in body


def test_midwife_sees_identifiers_of_her_participant(client_for, srp1_participant):
    body = client_for("midwife.srp1").get(reverse("enrollment:participant_detail", args=[srp1_participant.pk]))
    assert "Dewi Lestari" in body.content.decode()


def test_midwife_lists_only_her_own_sites(client_for, enroll, site_par, midwife_par, srp1_participant):
    enroll(site_par, midwife_par, name="Putri Rahayu")
    body = client_for("midwife.par").get(reverse("enrollment:participant_list")).content.decode()
    assert "PAR-001" in body
    assert "SRP1-001" not in body
    log = client_for("midwife.par").get(reverse("enrollment:screening_log")).content.decode()
    assert "Putri Rahayu" in log
    assert "Dewi Lestari" not in log


def test_participant_list_searches_and_filters(client_for, enroll, site_srp1, midwife_srp1, arm_massage):
    enroll(site_srp1, midwife_srp1, name="Ayu Pratiwi")
    enroll(site_srp1, midwife_srp1, name="Nur Hidayati", arm=arm_massage)
    client = client_for("coordinator")
    url = reverse("enrollment:participant_list")
    assert "SRP1-002" not in client.get(url, {"q": "Ayu"}).content.decode()
    assert "SRP1-001" in client.get(url, {"q": "srp1-001"}).content.decode()
    by_arm = client.get(url, {"arm": "oxytocin_massage"}).content.decode()
    assert "SRP1-002" in by_arm
    assert "SRP1-001" not in by_arm
    assert "SRP1-001" not in client.get(url, {"status": "withdrawn"}).content.decode()


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["enrollment:participant_list", "enrollment:screening_log", "enrollment:flow"])
def test_query_count_does_not_grow_with_participants(client_for, enroll, screen, site_srp1, midwife_srp1, name):
    client = client_for("coordinator")
    enroll(site_srp1, midwife_srp1)
    screen(site_srp1, midwife_srp1, answers={**ELIGIBLE_ANSWERS, "breast_disorder": True})
    few = _queries(client, reverse(name))
    for i in range(6):
        enroll(site_srp1, midwife_srp1, name=f"Ibu {i}")
        screen(site_srp1, midwife_srp1, answers={**ELIGIBLE_ANSWERS, "maternal_illness": True})
    assert _queries(client, reverse(name)) == few


def test_screening_form_logs_an_ineligible_mother_with_the_reason(client_for, site_srp1):
    data = {
        "site": site_srp1.pk,
        "screened_on": "2026-03-10",
        "full_name": "Indah Susanti",
        "phone": "",
        "date_of_birth": "1996-01-01",
        "delivery_date": "2026-03-08",
        "delivery_mode": "vaginal",
        "parity": 2,
        "infant_birth_weight_g": 3000,
        **{f"c_{code}": "yes" if ok else "no" for code, ok in ELIGIBLE_ANSWERS.items()},
        "c_galactagogue_drugs": "yes",
    }
    response = client_for("midwife.srp1").post(reverse("enrollment:screening_new"), data, follow=True)
    screening = Screening.objects.get()
    assert not screening.eligible
    assert "domperidone" in response.content.decode() or "domperidon" in response.content.decode()


def test_midwife_cannot_screen_at_another_site(client_for, site_srp1):
    data = {"site": site_srp1.pk, "screened_on": "2026-03-10"}
    response = client_for("midwife.par").post(reverse("enrollment:screening_new"), data)
    assert response.status_code == 200  # the form refuses a site outside her list
    assert "site" in response.context["form"].errors
    assert not Screening.objects.exists()


def test_enrol_page_enrols_with_consent_and_rationale(client_for, srp1_screening, arm_massage):
    data = {
        "consented_on": srp1_screening.screened_on.isoformat(),
        "consent_form_version": "2.1",
        "enrolled_on": srp1_screening.screened_on.isoformat(),
        "intervention_start": "",
        "arm": arm_massage.pk,
        "rationale": "Prefers massage",
    }
    response = client_for("midwife.srp1").post(reverse("enrollment:enroll", args=[srp1_screening.pk]), data)
    participant = Participant.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("enrollment:participant_detail", args=[participant.pk]) + "?enrolled=1"
    assert participant.arm == arm_massage
    assert participant.screening.consent.form_version == "2.1"


def test_investigator_cannot_enrol(client_for, srp1_screening, arm_massage):
    response = client_for("investigator").post(reverse("enrollment:enroll", args=[srp1_screening.pk]), {})
    assert response.status_code == 403
    assert not Participant.objects.exists()


def test_withdraw_page_records_the_withdrawal(client_for, srp1_participant):
    url = reverse("enrollment:withdraw", args=[srp1_participant.pk])
    data = {"status": "lost_to_follow_up", "on": srp1_participant.enrolled_on.isoformat(), "reason": "No answer"}
    assert client_for("coordinator").post(url, data).status_code == 302
    srp1_participant.refresh_from_db()
    assert srp1_participant.status == "lost_to_follow_up"


def test_midwife_at_another_site_cannot_withdraw(client_for, srp1_participant):
    url = reverse("enrollment:withdraw", args=[srp1_participant.pk])
    data = {"status": "withdrawn", "on": srp1_participant.enrolled_on.isoformat(), "reason": "x"}
    assert client_for("midwife.par").post(url, data).status_code == 404
    srp1_participant.refresh_from_db()
    assert srp1_participant.status == "active"


def test_flow_page_in_indonesian_and_english(client_for, srp1_participant):
    client = client_for("coordinator")
    indonesian = client.get(reverse("enrollment:flow"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert "Alur partisipan" in indonesian
    client.cookies["django_language"] = "en"
    english = client.get(reverse("enrollment:flow")).content.decode()
    assert "Participant flow" in english


@pytest.mark.parametrize(
    ("username", "flow_link"), [("coordinator", True), ("investigator", True), ("midwife.srp1", False)]
)
def test_study_and_participant_pages_link_to_the_flow_for_those_who_may_see_it(client_for, username, flow_link):
    flow = reverse("enrollment:flow")
    for page in ("enrollment:study_detail", "enrollment:participant_list"):
        assert (flow in client_for(username).get(reverse(page)).content.decode()) is flow_link


def test_investigator_cannot_post_a_screening(client_for, site_srp1):
    response = client_for("investigator").post(reverse("enrollment:screening_new"), {"site": site_srp1.pk})
    assert response.status_code == 403
    assert not Screening.objects.exists()
