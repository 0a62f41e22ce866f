"""Sites are set up in the browser by the coordinator; a code that participant IDs depend on is locked."""

import pytest
from django.urls import reverse
from pghistory.models import Events

from enrollment.models import Site
from observations.demo import study as demo

pytestmark = pytest.mark.django_db

SITES = reverse("enrollment:setup_sites")


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_sets_up_sites(client_for, site_par, username):
    client = client_for(username)
    assert client.get(SITES).status_code == 403
    assert client.post(SITES, {"code": "SRP2", "name": "Serpong 2", "reason": "x"}).status_code == 403
    url = reverse("enrollment:setup_site", args=[site_par.pk])
    assert client.post(url, {"code": "PAR", "name": "Lain", "reason": "x"}).status_code == 403
    assert not Site.objects.filter(code="SRP2").exists()
    site_par.refresh_from_db()
    assert site_par.name == "Puskesmas Pondok Aren"


def test_the_coordinator_adds_a_site_with_a_reason(client_for, cast, study):
    response = client_for("coordinator").post(
        SITES, {"code": "srp2", "name": "Puskesmas Serpong 2", "reason": "Lokasi baru"}
    )
    assert response.status_code == 302
    site = Site.objects.get(study=study, code="SRP2")
    event = Events.objects.filter(pgh_model="enrollment.SiteEvent", pgh_obj_id=str(site.pk)).get()
    assert event.pgh_context["reason"] == "Lokasi baru"
    assert event.pgh_context["user"] == cast["coordinator"].pk


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"code": "PAR", "name": "Dua"}, "code", "already used"),
        ({"code": "P", "name": "Satu huruf"}, "code", "2–10 upper-case"),
        ({"code": "PAR-2!", "name": "Tanda"}, "code", "2–10 upper-case"),
        ({"code": "SRP2", "name": "Tanpa alasan", "reason": ""}, "reason", "required"),
    ],
)
def test_a_bad_site_gets_a_clear_message_and_adds_nothing(client_for, cast, study, data, field, message):
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    before = Site.objects.count()
    response = client.post(SITES, {"reason": "Lokasi baru", **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Site.objects.count() == before


def test_a_site_code_is_locked_once_participants_are_enrolled(client_for, cast, study, site_par):
    demo.seed_participants(study, 2, seed=1)
    url = reverse("enrollment:setup_site", args=[site_par.pk])
    client = client_for("coordinator")
    page = client.get(url)
    assert "Locked" in page.content.decode() or "Terkunci" in page.content.decode()
    response = client.post(url, {"code": "PAR9", "name": "Puskesmas Pondok Aren Baru", "reason": "Ganti nama"})
    assert response.status_code == 302
    site_par.refresh_from_db()
    assert site_par.code == "PAR"  # a disabled field keeps its value whatever is posted
    assert site_par.name == "Puskesmas Pondok Aren Baru"


def test_a_site_code_can_change_before_anyone_is_enrolled_there(client_for, cast, site_par):
    url = reverse("enrollment:setup_site", args=[site_par.pk])
    response = client_for("coordinator").post(url, {"code": "PDA", "name": "Pondok Aren", "reason": "Kode resmi"})
    assert response.status_code == 302
    site_par.refresh_from_db()
    assert site_par.code == "PDA"
