"""Outcome masking and the database lock: who may see results by arm, and the coordinator's actions.

The state itself is the study's (``enrollment.control``): the lock also freezes every clinical
write, which services below analysis must be able to check. What lives here is what needs the
analysis plan: masking and locking wait for a locked plan.

Call :func:`outcome_masked_for` from every place that shows outcome figures (dashboard, report,
PDF, JSON API): while it is True, show pooled outcome figures only, never by arm.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from analysis import plans
from enrollment.control import control_for, locked_control
from enrollment.models import Study, StudyControl
from trialsite import audit
from trialsite.roles import Capability, can


def outcome_masked_for(user, study: Study) -> bool:
    """True when ``user`` may see pooled outcome figures only.

    Coordinators always see results by arm; everyone else is masked while the study's
    outcome masking is on and its database is not locked.
    """
    if can(user, Capability.SEE_UNMASKED_RESULTS):
        return False
    current = control_for(study)
    return current.outcome_masking and not current.is_locked


def _require_reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    return reason.strip()


def _require_locked_plan(study: Study, refused: str) -> None:
    """ICH E9: in a masked study the plan is fixed before anyone sees outcomes by arm."""
    if not plans.has_locked_plan(study):
        message = _("%(refused)s before the statistical analysis plan is locked: lock the plan first.")
        raise ValidationError(message % {"refused": refused})


def set_outcome_masking(*, study: Study, masked: bool, by, reason: str) -> StudyControl:
    """Switch outcome masking on or off (coordinators), recording the reason in the audit trail.

    Unmasking refuses while the study's analysis plan is not locked."""
    text = _require_reason(reason)
    with transaction.atomic(), audit.reason(text, user=by.pk):
        row = locked_control(study)
        if row.outcome_masking and not masked:
            _require_locked_plan(study, _("Outcomes cannot be unmasked"))
        row.outcome_masking = masked
        row.save(update_fields=["outcome_masking"])
    return row


def lock_database(*, study: Study, by, reason: str) -> StudyControl:
    """Lock the database: every clinical write is refused from now on, and results are unmasked.

    Refuses a second lock, and in a study with outcome masking refuses while the analysis plan
    is not locked."""
    text = _require_reason(reason)
    with transaction.atomic(), audit.reason(text, user=by.pk):
        row = locked_control(study)
        if row.is_locked:
            raise ValidationError(_("The database is already locked."))
        if row.outcome_masking:
            _require_locked_plan(study, _("The database cannot be locked"))
        row.locked_at, row.locked_by = timezone.now(), by
        row.save(update_fields=["locked_at", "locked_by"])
    return row


def unlock_database(*, study: Study, by, reason: str) -> StudyControl:
    """Unlock the database again (the reason is kept in the audit trail); refuses when it is not locked."""
    text = _require_reason(reason)
    with transaction.atomic(), audit.reason(text, user=by.pk):
        row = locked_control(study)
        if not row.is_locked:
            raise ValidationError(_("The database is not locked."))
        row.locked_at, row.locked_by = None, None
        row.save(update_fields=["locked_at", "locked_by"])
    return row
