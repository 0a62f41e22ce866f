"""The coordinator creates the next study on one page; bad input gets a clear message and writes nothing."""

import pytest
from django.urls import reverse
from pghistory.models import Events

from enrollment.models import Arm, Site, Study
from observations.demo import study as demo

pytestmark = pytest.mark.django_db

URL = reverse("enrollment:setup_study_new")


def new_study_data(**changes) -> dict:
    data = {
        "slug": "kelor-2027", "title_id": "Kelor 2027", "title_en": "Moringa 2027", "n_days": 5, "pre_day": 1,
        "post_day": 5, "window_days": 1, "allocation_method": "assigned", "site_code": "KLR1",
        "site_name": "Puskesmas Kelor", "arm1_code": "kelor", "arm1_label_id": "Kelor", "arm1_label_en": "Moringa",
        "arm1_adherence": "dose", "arm2_code": "pijat", "arm2_label_id": "Pijat", "arm2_label_en": "Massage",
        "arm2_adherence": "massage", "reason": "Protokol kedua disetujui",
    }  # fmt: skip
    return {**data, **changes}


def counts() -> tuple:
    return Study.objects.count(), Site.objects.count(), Arm.objects.count()


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_creates_a_study(client_for, cast, username):
    before = counts()
    client = client_for(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, new_study_data()).status_code == 403
    assert counts() == before


def test_a_new_study_is_created_with_its_site_and_arms_and_audited(client_for, cast, study):
    response = client_for("coordinator").post(URL, new_study_data())
    assert response.status_code == 302
    assert response["Location"].endswith("?study=kelor-2027")
    second = Study.objects.get(slug="kelor-2027")
    assert (second.n_days, second.post_day) == (5, 5)
    assert list(second.sites.values_list("code", flat=True)) == ["KLR1"]
    assert dict(second.arms.values_list("code", "adherence")) == {"kelor": "dose", "pijat": "massage"}
    event = Events.objects.filter(pgh_model="enrollment.StudyEvent", pgh_obj_id=str(second.pk)).get()
    assert event.pgh_context["reason"] == "Protokol kedua disetujui"
    assert event.pgh_context["user"] == cast["coordinator"].pk


def test_the_set_up_page_switches_between_studies(client_for, cast, study):
    client = client_for("coordinator")
    client.post(URL, new_study_data())
    page = client.get(reverse("enrollment:setup_study") + "?study=kelor-2027")
    assert page.context["study"].slug == "kelor-2027"
    content = page.content.decode()
    assert f"?study={study.slug}" in content
    assert reverse("enrollment:setup_study_new") in content
    sites = client.get(reverse("enrollment:setup_sites") + "?study=kelor-2027")
    assert [site.code for site, _locked in sites.context["rows"]] == ["KLR1"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"slug": demo.DEMO_SLUG}, "slug", "already used"),
        ({"slug": ""}, "slug", "cannot be blank"),
        ({"title_id": ""}, "title_id", "cannot be blank"),
        ({"pre_day": 5, "post_day": 2}, "post_day", "must come before"),
        ({"site_code": "klr 1!"}, "site_code", "upper-case letters or digits"),
        ({"site_name": ""}, "site_name", "cannot be blank"),
        ({"arm2_code": "kelor"}, "arm2_code", "same code"),
        ({"arm1_label_en": ""}, "arm1_label_en", "cannot be blank"),
        ({"reason": ""}, "reason", "Give the reason"),
    ],
)
def test_bad_input_gets_a_clear_message_and_creates_nothing(client_for, cast, study, changes, field, message):
    before = counts()
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    response = client.post(URL, new_study_data(**changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


@pytest.mark.parametrize("emptied", [("arm1", "arm2"), ("arm2",)])
def test_a_study_without_two_arms_gets_a_clear_message_and_creates_nothing(client_for, cast, study, emptied):
    before = counts()
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    blanks = {f"{arm}_{f}": "" for arm in emptied for f in ("code", "label_id", "label_en")}
    response = client.post(URL, new_study_data(**blanks, slug=""))
    assert "at least two arms" in " ".join(response.context["form"].non_field_errors())
    assert "slug" in response.context["form"].errors  # every problem at once
    assert "at least two arms" in response.content.decode()
    assert counts() == before


def test_an_arm_added_later_records_the_adherence_chosen(client_for, cast, study):
    arm = {"add_arm": "1", "code": "placebo", "label_id": "Plasebo", "label_en": "Placebo", "adherence": "massage",
           "reason": "Lengan ketiga"}  # fmt: skip
    assert client_for("coordinator").post(reverse("enrollment:setup_study"), arm).status_code == 302
    assert Arm.objects.get(study=study, code="placebo").adherence == "massage"
