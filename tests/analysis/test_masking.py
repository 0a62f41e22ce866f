"""Outcome masking: investigators see pooled outcomes only until the database is locked; coordinators always by arm."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from analysis import masking, plans
from enrollment.models import StudyControl
from tests.analysis.conftest import cells_by_testid
from trialsite.audit import history_for

URL = reverse("analysis:dashboard")
BY_ARM_MARKERS = ("descriptives-table", "wilcoxon-table", "mw-change-table", "effects-table", "daily-moringa-1-n")


def shown_for(client_for, username, path=URL):
    response = client_for(username).get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_masking_hides_by_arm_outcomes_from_investigators(known_dataset, masked_study, client_for):
    html = shown_for(client_for, "investigator")
    shown = cells_by_testid(html)
    assert "masked-notice" in shown
    assert not [marker for marker in BY_ARM_MARKERS if marker in shown]
    assert shown["pooled-pre-n"] == "12"
    assert "daily-all-4-n" in shown
    assert "oxytocin_massage" not in html.split('id="daily-data"')[1].split("</script>")[0]


def test_masked_results_text_names_no_arm(known_dataset, masked_study, client_for, arm_moringa):
    shown = cells_by_testid(shown_for(client_for, "investigator"))
    assert arm_moringa.label not in shown["narrative-en"]
    assert "Pooled" in shown["narrative-en"]


def test_masking_does_not_hide_outcomes_from_coordinators(known_dataset, masked_study, client_for):
    shown = cells_by_testid(shown_for(client_for, "coordinator"))
    assert "masked-notice" not in shown
    assert all(marker in shown for marker in BY_ARM_MARKERS)


def test_masked_report_and_live_fragment_hide_by_arm_outcomes_too(known_dataset, masked_study, client_for):
    for path in (reverse("analysis:report"), reverse("analysis:dashboard_live")):
        shown = cells_by_testid(shown_for(client_for, "investigator", path))
        assert "masked-notice" in shown
        assert "wilcoxon-table" not in shown


def test_locking_the_database_unmasks_results_for_investigators(known_dataset, masked_study, coordinator, client_for):
    plans.lock_plan(study=masked_study, by=coordinator, reason="Plan fixed before unmasking")
    masking.lock_database(study=masked_study, by=coordinator, reason="Last participant completed day 7")
    shown = cells_by_testid(shown_for(client_for, "investigator"))
    assert "masked-notice" not in shown
    assert "wilcoxon-table" in shown


def test_outcome_masked_for_is_the_rule(masked_study, investigator, coordinator):
    assert masking.outcome_masked_for(investigator, masked_study) is True
    assert masking.outcome_masked_for(coordinator, masked_study) is False


def test_coordinator_locks_and_unlocks_with_audited_reasons(study, coordinator, client_for):
    client = client_for("coordinator")
    url = reverse("analysis:settings_action")
    assert client.post(url, {"action": "lock", "reason": "Database complete"}).status_code == 302
    row = StudyControl.objects.get(study=study)
    assert row.is_locked
    assert row.locked_by == coordinator
    client.post(url, {"action": "unlock", "reason": "Late correction of SRP1-004"})
    row.refresh_from_db()
    assert not row.is_locked
    reasons = [entry.reason for entry in history_for(row)]
    assert reasons[-2:] == ["Database complete", "Late correction of SRP1-004"]
    assert {entry.user for entry in history_for(row)} == {"coordinator"}


def test_coordinator_toggles_masking_with_an_audited_reason(study, client_for):
    client = client_for("coordinator")
    client.post(reverse("analysis:settings_action"), {"action": "mask", "reason": "Blinded analysis"})
    row = StudyControl.objects.get(study=study)
    assert row.outcome_masking is True
    assert history_for(row)[-1].reason == "Blinded analysis"


def test_a_settings_action_without_reason_changes_nothing(study, client_for):
    client_for("coordinator").post(reverse("analysis:settings_action"), {"action": "lock", "reason": "  "})
    assert not StudyControl.objects.filter(study=study, locked_at__isnull=False).exists()


def test_the_service_refuses_a_blank_reason_and_a_second_lock(study, coordinator):
    with pytest.raises(ValidationError):
        masking.lock_database(study=study, by=coordinator, reason="")
    masking.lock_database(study=study, by=coordinator, reason="Complete")
    with pytest.raises(ValidationError):
        masking.lock_database(study=study, by=coordinator, reason="Again")


@pytest.mark.parametrize("username", ["investigator", "midwife.srp1", "outsider"])
def test_only_coordinators_may_lock_or_mask(study, client_for, username):
    response = client_for(username).post(reverse("analysis:settings_action"), {"action": "lock", "reason": "No"})
    assert response.status_code == 403
    assert not StudyControl.objects.filter(study=study).exists()


def test_investigators_do_not_see_the_settings_panel(study, client_for):
    assert "settings-panel" not in cells_by_testid(shown_for(client_for, "investigator"))
    assert "settings-panel" in cells_by_testid(shown_for(client_for, "coordinator"))


def test_the_settings_history_is_linked_for_coordinators(study, coordinator, client_for):
    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded")
    html = shown_for(client_for, "coordinator")
    row = StudyControl.objects.get(study=study)
    assert reverse("record_history", args=["enrollment", "studycontrol", row.pk]) in html
    history = client_for("coordinator").get(reverse("record_history", args=["enrollment", "studycontrol", row.pk]))
    assert history.status_code == 200
    assert "Blinded" in history.content.decode()


def test_masked_page_shows_the_same_data_hash(known_dataset, masked_study, client_for):
    from analysis.results import compute_results

    shown = cells_by_testid(shown_for(client_for, "investigator"))
    assert shown["data-sha"] == compute_results(masked_study)["data_sha256"][:12]
