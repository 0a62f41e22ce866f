"""The statistical analysis plan of a study: read it, write the draft, lock it, amend it.

Every write goes through these services (pages and seeding alike), inside a transaction that
holds the study's plan rows, with the reason in the audit trail. A locked version is never
changed (the database refuses it too); a change after locking is a new version with a reason.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis.models import AnalysisPlan
from analysis.sap import PlanContent, PlanError, changed_fields, clean_content
from enrollment.models import Study
from trialsite import audit


@dataclass(frozen=True)
class PlanFields:
    """What a person writes on the plan page."""

    roles: dict[str, str]
    population: str
    sensitivity_population: str
    multiplicity: str
    notes: str = ""


def current_plan(study: Study) -> AnalysisPlan:
    """The study's newest plan version; an unsaved draft of the design's default plan if it has none."""
    cached = getattr(study, "_analysis_plan_cache", None)
    if cached is None:
        cached = AnalysisPlan.objects.filter(study=study).order_by("-version").first() or default_plan(study)
        study._analysis_plan_cache = cached
    return cached


def default_plan(study: Study) -> AnalysisPlan:
    """The design's default plan for ``study`` (rank tests primary), unsaved and not locked."""
    content = PlanContent()
    return AnalysisPlan(
        study=study,
        version=1,
        roles=dict(content.roles),
        population=content.population,
        sensitivity_population=content.sensitivity_population,
        multiplicity=content.multiplicity,
        pre_day=study.pre_day,
        post_day=study.post_day,
        alpha=study.alpha,
    )


def plan_versions(study: Study) -> list[AnalysisPlan]:
    """Every stored version, oldest first (the amendments are the versions after the first)."""
    return list(AnalysisPlan.objects.filter(study=study).select_related("locked_by", "created_by").order_by("version"))


def amendments(study: Study, versions: list[AnalysisPlan] | None = None) -> list[dict]:
    """The changes after locking, oldest first: {"version", "date", "by", "reason", "changed"} (field names)."""
    versions = plan_versions(study) if versions is None else versions
    return [
        {
            "version": plan.version,
            "date": plan.locked_at,
            "by": plan.created_by.get_username() if plan.created_by else "",
            "reason": plan.amendment_reason,
            "changed": _changes(before, plan),
        }
        for before, plan in itertools.pairwise(versions)
    ]


def _changes(before: AnalysisPlan, after: AnalysisPlan) -> list[str]:
    return changed_fields(before.content, after.content) + (["notes"] if before.notes != after.notes else [])


def plan_summary(study: Study) -> dict:
    """The current plan as JSON-ready data for the result (``result["plan"]``), in one query."""
    versions = plan_versions(study)
    plan = versions[-1] if versions else default_plan(study)
    status = "locked" if plan.is_locked else "draft" if plan.pk else "default"
    return {
        "status": status,
        "locked": plan.is_locked,
        "version": plan.version if plan.pk else None,
        "locked_at": plan.locked_at.isoformat() if plan.locked_at else None,
        "population": plan.population,
        "sensitivity_population": plan.sensitivity_population,
        "multiplicity": plan.multiplicity,
        "roles": dict(plan.roles),
        "recorded": {"pre_day": plan.pre_day, "post_day": plan.post_day, "alpha": float(plan.alpha)}
        if plan.is_locked
        else None,
        "amendments": [item | {"date": item["date"].isoformat()} for item in amendments(study, versions)],
    }


def has_locked_plan(study: Study) -> bool:
    return current_plan(study).is_locked


def save_plan_draft(*, study: Study, fields: PlanFields, by, reason: str = "") -> AnalysisPlan:
    """Write the unlocked draft (version 1). Refuses once the plan is locked: amend it instead."""
    content = _validated(fields)
    with transaction.atomic(), audit.reason(reason.strip() or _("Analysis plan drafted"), user=by.pk):
        plan = _newest_for_update(study)
        if plan is not None and plan.is_locked:
            raise ValidationError(_("The analysis plan is locked: a change is an amendment with a reason."))
        plan = plan or AnalysisPlan(study=study, version=1, created_by=by)
        _apply(plan, study, content, fields.notes)
        plan.save()
    study._analysis_plan_cache = plan
    return plan


def lock_plan(*, study: Study, by, reason: str, fields: PlanFields | None = None) -> AnalysisPlan:
    """Lock the draft (the default plan if none was written), recording the study design's days and alpha.

    With ``fields`` the draft is first written with them, in the same transaction.
    """
    text = _require_reason(reason)
    content = _validated(fields) if fields is not None else None
    with transaction.atomic(), audit.reason(text, user=by.pk):
        plan = _newest_for_update(study)
        if plan is not None and plan.is_locked:
            raise ValidationError(_("The analysis plan is already locked."))
        plan = plan or default_plan(study)
        plan.created_by = plan.created_by or by
        _apply(plan, study, content or plan.content, fields.notes if fields is not None else plan.notes)
        plan.locked_at, plan.locked_by = timezone.now(), by
        plan.save()
    study._analysis_plan_cache = plan
    return plan


def amend_plan(*, study: Study, fields: PlanFields, by, reason: str) -> AnalysisPlan:
    """A new locked version of a locked plan, with the reason and date of the change.

    Refuses an unlocked plan (edit the draft instead) and an amendment that changes nothing.
    """
    text = _require_reason(reason)
    content = _validated(fields)
    with transaction.atomic(), audit.reason(text, user=by.pk):
        previous = _newest_for_update(study)
        if previous is None or not previous.is_locked:
            raise ValidationError(_("The analysis plan is not locked yet: edit the draft instead."))
        if not changed_fields(previous.content, content) and fields.notes.strip() == previous.notes:
            raise ValidationError(_("The amendment changes nothing in the plan."))
        plan = AnalysisPlan(study=study, version=previous.version + 1, created_by=by, amendment_reason=text)
        _apply(plan, study, content, fields.notes)
        plan.locked_at, plan.locked_by = timezone.now(), by
        plan.save()
    study._analysis_plan_cache = plan
    return plan


def _validated(fields: PlanFields) -> PlanContent:
    try:
        return clean_content(
            roles=fields.roles,
            population=fields.population,
            sensitivity_population=fields.sensitivity_population,
            multiplicity=fields.multiplicity,
        )
    except PlanError as error:
        raise ValidationError({name: [str(m) for m in messages] for name, messages in error.errors.items()}) from error


def _apply(plan: AnalysisPlan, study: Study, content: PlanContent, notes: str) -> None:
    plan.roles = dict(content.roles)
    plan.population, plan.sensitivity_population = content.population, content.sensitivity_population
    plan.multiplicity, plan.notes = content.multiplicity, (notes or "").strip()
    plan.pre_day, plan.post_day, plan.alpha = study.pre_day, study.post_day, study.alpha


def _newest_for_update(study: Study) -> AnalysisPlan | None:
    Study.objects.select_for_update().filter(pk=study.pk).first()  # serialises writers of this study's plan
    return AnalysisPlan.objects.filter(study=study).order_by("-version").first()


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    return reason.strip()
