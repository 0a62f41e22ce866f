"""The coordinator sets up the schedule and arms in the browser until the first participant is enrolled."""

import pytest
from django.urls import reverse
from pghistory.models import Events

from enrollment.models import Arm, Study
from observations.demo import study as demo

pytestmark = pytest.mark.django_db

URL = reverse("enrollment:setup_study")


def study_data(study, **changes) -> dict:
    data = {"title_id": study.title_id, "title_en": study.title_en, "n_days": study.n_days, "pre_day": study.pre_day,
            "post_day": study.post_day, "window_days": study.window_days,
            "allocation_method": study.allocation_method, "reason": "Protokol versi 2"}  # fmt: skip
    return {**data, **changes}


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_sets_up_the_study(client_for, study, username):
    client = client_for(username)
    assert client.get(URL).status_code == 403
    assert client.post(URL, study_data(study, n_days=10, post_day=10)).status_code == 403
    assert (
        client.post(URL, {"add_arm": "1", "code": "x", "label_id": "X", "label_en": "X", "reason": "x"}).status_code
        == 403
    )
    study.refresh_from_db()
    assert study.n_days == 7
    assert study.arms.count() == 2


def test_the_schedule_changes_with_a_reason_before_anyone_is_enrolled(client_for, cast, study):
    response = client_for("coordinator").post(URL, study_data(study, n_days=10, post_day=10, window_days=2))
    assert response.status_code == 302
    study.refresh_from_db()
    assert (study.n_days, study.post_day, study.window_days) == (10, 10, 2)
    event = Events.objects.filter(pgh_model="enrollment.StudyEvent", pgh_label="update").order_by("-pgh_created_at")[0]
    assert event.pgh_context["reason"] == "Protokol versi 2"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"pre_day": 7, "post_day": 3}, "post_day", "must come before"),
        ({"n_days": 5, "post_day": 7}, "post_day", "must come before"),
        ({"window_days": 9}, "window_days", "less than or equal to 7"),
        ({"n_days": 1, "pre_day": 1, "post_day": 1}, "n_days", "greater than or equal to 2"),
        ({"reason": ""}, "reason", "required"),
    ],
)
def test_a_bad_schedule_gets_a_clear_message_and_changes_nothing(client_for, cast, study, changes, field, message):
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    response = client.post(URL, study_data(study, **changes))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert Study.objects.get(pk=study.pk).n_days == 7


def test_the_schedule_and_arms_lock_once_participants_are_enrolled(client_for, cast, study):
    demo.seed_participants(study, 2, seed=1)
    client = client_for("coordinator")
    page = client.get(URL).content.decode()
    assert "2" in page
    assert 'data-testid="lock-reason"' in page
    response = client.post(URL, study_data(study, n_days=10, post_day=10, title_en="Moringa versus massage"))
    assert response.status_code == 302
    study.refresh_from_db()
    assert study.n_days == 7  # disabled: the posted value is ignored
    assert study.title_en == "Moringa versus massage"
    arm = {"add_arm": "1", "code": "placebo", "label_id": "Plasebo", "label_en": "Placebo", "adherence": "dose",
           "reason": "x"}  # fmt: skip
    client.post("/language/", {"language": "en"})
    response = client.post(URL, arm)
    assert "Locked" in " ".join(response.context["arm_form"].errors["code"])
    assert not Arm.objects.filter(code="placebo").exists()


def test_an_arm_is_added_before_anyone_is_enrolled(client_for, cast, study):
    arm = {"add_arm": "1", "code": "placebo", "label_id": "Plasebo", "label_en": "Placebo", "adherence": "dose",
           "reason": "Desain baru"}  # fmt: skip
    client = client_for("coordinator")
    assert client.post(URL, arm).status_code == 302
    assert study.arms.filter(code="placebo").exists()
    client.post("/language/", {"language": "en"})
    response = client.post(URL, arm)
    assert "already used" in " ".join(response.context["arm_form"].errors["code"])
    assert study.arms.filter(code="placebo").count() == 1


CRITERIA = reverse("enrollment:setup_criterion_add")
NEW_CRITERION = {"code": "has_phone", "kind": "inclusion", "text_id": "Punya HP", "text_en": "Has a phone",
                 "reason": "Amandemen protokol"}  # fmt: skip


@pytest.mark.parametrize("username", ["midwife.srp1", "investigator", "outsider"])
def test_only_the_coordinator_adds_criteria(client_for, study, username):
    assert client_for(username).post(CRITERIA, NEW_CRITERION).status_code == 403
    assert not study.criteria.filter(code="has_phone").exists()


def test_the_coordinator_adds_a_criterion_before_the_first_screening(client_for, cast, study):
    assert client_for("coordinator").post(CRITERIA, NEW_CRITERION).status_code == 302
    assert study.criteria.get(code="has_phone").text_en == "Has a phone"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "catchment_area"}, "already used"),
        ({"code": "Bad Code!"}, "valid"),
        ({"kind": "maybe"}, "valid choice"),
    ],
)
def test_a_bad_criterion_gets_a_clear_message_and_adds_nothing(client_for, cast, study, changes, message):
    client = client_for("coordinator")
    client.post("/language/", {"language": "en"})
    before = study.criteria.count()
    response = client.post(CRITERIA, {**NEW_CRITERION, **changes})
    assert response.status_code == 200
    assert message in str(response.context["criterion_form"].errors)
    assert study.criteria.count() == before


def test_criteria_lock_once_a_mother_is_screened(client_for, cast, study):
    demo.seed_participants(study, 1, seed=1)
    client = client_for("coordinator")
    assert 'data-testid="criteria-lock-reason"' in client.get(URL).content.decode()
    client.post("/language/", {"language": "en"})
    response = client.post(CRITERIA, NEW_CRITERION)
    assert "Locked" in str(response.context["criterion_form"].errors)
    assert not study.criteria.filter(code="has_phone").exists()
