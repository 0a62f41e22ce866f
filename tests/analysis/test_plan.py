"""The statistical analysis plan: default, draft, lock, amendments; nothing changes it silently."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from analysis import masking, plans
from analysis.models import AnalysisPlan
from analysis.sap import DEFAULT_ROLES, AnalysisRole, PlannedAnalysis, PlanPopulation
from enrollment import control
from enrollment.models import StudyControl
from trialsite.audit import history_for


def fields(**changes) -> plans.PlanFields:
    values = {
        "roles": {str(k): str(v) for k, v in DEFAULT_ROLES.items()},
        "population": PlanPopulation.COMPLETE_CASES,
        "sensitivity_population": PlanPopulation.PER_PROTOCOL,
        "multiplicity": "holm",
        "notes": "",
    }
    return plans.PlanFields(**(values | changes))


@pytest.fixture(autouse=True)
def _english():
    """Messages are matched in English; the site's default language is Indonesian."""
    with translation.override("en"):
        yield


@pytest.fixture
def locked_plan(study, investigator):
    return plans.lock_plan(study=study, by=investigator, reason="Fixed before any result by arm")


def test_a_study_without_a_plan_gets_the_design_default_not_locked(study):
    plan = plans.current_plan(study)
    assert plan.pk is None
    assert not plan.is_locked
    assert plan.roles[PlannedAnalysis.WILCOXON_WITHIN] == AnalysisRole.PRIMARY
    assert plan.roles[PlannedAnalysis.MANN_WHITNEY_CHANGE] == AnalysisRole.PRIMARY
    assert plan.roles[PlannedAnalysis.PAIRED_T_WITHIN] == AnalysisRole.SENSITIVITY
    assert plan.roles[PlannedAnalysis.INDICATORS_BETWEEN] == AnalysisRole.SECONDARY
    assert plan.multiplicity == "holm"


def test_the_plan_order_is_primary_then_secondary_then_sensitivity_then_exploratory(study):
    roles = {str(k): str(v) for k, v in DEFAULT_ROLES.items()}
    del roles[PlannedAnalysis.INFANT_WEIGHT]
    content = plans.current_plan(study).content.__class__(roles=roles)
    ordered = [role for _key, role in content.ordered()]
    assert ordered == sorted(ordered, key=["primary", "secondary", "sensitivity", "exploratory"].index)
    assert content.ordered()[-1] == (PlannedAnalysis.INFANT_WEIGHT, AnalysisRole.EXPLORATORY)


def test_the_draft_is_edited_in_place_with_its_history(study, investigator):
    plans.save_plan_draft(study=study, fields=fields(), by=investigator)
    plans.save_plan_draft(study=study, fields=fields(multiplicity="none"), by=investigator, reason="Few outcomes")
    plan = AnalysisPlan.objects.get(study=study)
    assert plan.version == 1
    assert plan.multiplicity == "none"
    assert len(history_for(plan)) == 2


def test_a_plan_without_a_primary_analysis_is_refused_and_nothing_is_written(study, investigator):
    roles = {key: AnalysisRole.SECONDARY for key in PlannedAnalysis.values}
    with pytest.raises(ValidationError) as error:
        plans.save_plan_draft(
            study=study, fields=fields(roles=roles, sensitivity_population="complete_cases"), by=investigator
        )
    assert set(error.value.message_dict) == {"roles", "sensitivity_population"}
    assert not AnalysisPlan.objects.filter(study=study).exists()


def test_locking_records_the_study_design_and_who_locked(study, locked_plan, investigator):
    assert locked_plan.is_locked
    assert locked_plan.locked_by == investigator
    assert (locked_plan.pre_day, locked_plan.post_day, locked_plan.alpha) == (
        study.pre_day,
        study.post_day,
        study.alpha,
    )
    assert plans.has_locked_plan(study)


def test_a_locked_plan_cannot_be_edited_as_a_draft(study, locked_plan, investigator):
    with pytest.raises(ValidationError, match="amendment"):
        plans.save_plan_draft(study=study, fields=fields(multiplicity="none"), by=investigator)
    assert AnalysisPlan.objects.get(study=study).multiplicity == "holm"


def test_a_locked_plan_cannot_be_changed_even_with_the_apps_own_connection(study, locked_plan):
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic():
        AnalysisPlan.objects.filter(pk=locked_plan.pk).update(multiplicity="none")
    with pytest.raises(DatabaseError, match="locked"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE analysis_analysisplan SET roles = '{}' WHERE id = %s", [locked_plan.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AnalysisPlan.objects.filter(pk=locked_plan.pk).delete()
    assert AnalysisPlan.objects.get(pk=locked_plan.pk).multiplicity == "holm"


def test_an_amendment_is_a_new_locked_version_with_reason_and_date(study, locked_plan, coordinator):
    roles = {str(k): str(v) for k, v in DEFAULT_ROLES.items()} | {PlannedAnalysis.ANCOVA_POST: AnalysisRole.SECONDARY}
    amended = plans.amend_plan(study=study, fields=fields(roles=roles), by=coordinator, reason="Reviewer asked")
    assert amended.version == 2
    assert amended.is_locked
    assert amended.amendment_reason == "Reviewer asked"
    assert amended.locked_at is not None
    assert amended.created_by == coordinator
    assert plans.current_plan(study).pk == amended.pk
    assert [plan.version for plan in plans.plan_versions(study)] == [1, 2]
    assert AnalysisPlan.objects.get(pk=locked_plan.pk).roles[PlannedAnalysis.ANCOVA_POST] == AnalysisRole.SENSITIVITY


def test_an_amendment_needs_a_reason_and_a_change(study, locked_plan, coordinator):
    with pytest.raises(ValidationError):
        plans.amend_plan(study=study, fields=fields(multiplicity="none"), by=coordinator, reason=" ")
    with pytest.raises(ValidationError, match="nothing"):
        plans.amend_plan(study=study, fields=fields(), by=coordinator, reason="No change")
    assert AnalysisPlan.objects.filter(study=study).count() == 1


def test_an_unlocked_plan_is_not_amended(study, investigator):
    with pytest.raises(ValidationError, match="not locked"):
        plans.amend_plan(study=study, fields=fields(multiplicity="none"), by=investigator, reason="Why")


def test_the_database_refuses_an_amendment_without_a_reason(study, locked_plan):
    with pytest.raises(IntegrityError), transaction.atomic():
        AnalysisPlan.objects.create(
            study=study,
            version=2,
            roles={},
            population="complete_cases",
            multiplicity="holm",
            pre_day=1,
            post_day=7,
            alpha="0.05",
            locked_at=locked_plan.locked_at,
        )


def test_the_amendment_reason_is_in_the_audit_trail(study, locked_plan, coordinator):
    amended = plans.amend_plan(study=study, fields=fields(multiplicity="none"), by=coordinator, reason="Fewer tests")
    (entry,) = history_for(amended)
    assert entry.reason == "Fewer tests"


# --- masking rules ----------------------------------------------------------------------------


def test_unmasking_is_refused_without_a_locked_plan_in_a_masked_study(masked_study, coordinator):
    with pytest.raises(ValidationError, match="analysis plan"):
        masking.set_outcome_masking(study=masked_study, masked=False, by=coordinator, reason="Peek")
    assert StudyControl.objects.get(study=masked_study).outcome_masking is True


def test_the_database_lock_is_refused_without_a_locked_plan_in_a_masked_study(masked_study, coordinator):
    with pytest.raises(ValidationError, match="analysis plan"):
        masking.lock_database(study=masked_study, by=coordinator, reason="Done")
    assert not control.is_locked(masked_study)


def test_unmasking_and_lock_proceed_once_the_plan_is_locked(masked_study, coordinator, investigator):
    plans.lock_plan(study=masked_study, by=investigator, reason="Before unmasking")
    masking.lock_database(study=masked_study, by=coordinator, reason="Done")
    masking.set_outcome_masking(study=masked_study, masked=False, by=coordinator, reason="Locked")
    assert control.is_locked(masked_study)


def test_a_study_without_masking_locks_its_database_without_a_plan(study, coordinator):
    masking.lock_database(study=study, by=coordinator, reason="Done")
    assert control.is_locked(study)


def test_the_demo_study_comes_with_a_locked_plan_and_seeding_twice_keeps_one_version(study):
    from django.core.management import call_command

    call_command("seed_demo", "--password", "demo-Password-2026", verbosity=0)
    call_command("seed_demo", verbosity=0)
    (plan,) = plans.plan_versions(study)
    assert plan.is_locked
    assert plan.locked_by.username == "investigator"
