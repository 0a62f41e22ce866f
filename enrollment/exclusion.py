"""Exclusion from analysis: the coordinator takes a participant out of one analysis population, with a reason.

Two populations (docs/analysis.md): complete cases (the primary) and per protocol, a subset of it.
Excluding from complete cases therefore excludes from every population (``excluded_from_analysis``);
excluding from per protocol only keeps her in the primary analysis (``excluded_from_per_protocol``).
Every change, and its reason, is in the participant's audit trail; lifting an exclusion needs a reason too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from enrollment.control import require_unlocked
from enrollment.models import Participant
from trialsite import audit
from trialsite.roles import Capability, require


class ExclusionScope(models.TextChoices):
    ALL = "all", gettext_lazy("Every population (complete cases and per protocol)")
    PER_PROTOCOL = "per_protocol", gettext_lazy("The per-protocol population only")


def current_scope(participant: Participant) -> str:
    """The scope of her exclusion, or "" when she is in every population."""
    if participant.excluded_from_analysis:
        return ExclusionScope.ALL
    return ExclusionScope.PER_PROTOCOL if participant.excluded_from_per_protocol else ""


def _reason(text: str) -> str:
    if not (text or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    return text.strip()


def _write(participant: Participant, *, scope: str, reason: str, user) -> Participant:
    with transaction.atomic(), audit.reason(reason, user=user.pk):
        Participant.objects.filter(pk=participant.pk).update(
            excluded_from_analysis=scope == ExclusionScope.ALL,
            excluded_from_per_protocol=scope == ExclusionScope.PER_PROTOCOL,
            exclusion_reason=reason if scope else "",
        )
    return Participant.objects.get(pk=participant.pk)


def exclude_from_population(*, participant: Participant, scope: str, reason: str, by) -> Participant:
    """Exclude her from ``scope`` (coordinators); the reason is stored and kept in the trail."""
    require(by, Capability.EXCLUDE_FROM_ANALYSIS)
    require_unlocked(participant.study)
    if scope not in ExclusionScope.values:
        raise ValidationError({"scope": [_("Choose the population.")]})
    return _write(participant, scope=scope, reason=_reason(reason), user=by)


def lift_exclusion(*, participant: Participant, reason: str, by) -> Participant:
    """Put her back into every population (coordinators), with the reason in the trail."""
    require(by, Capability.EXCLUDE_FROM_ANALYSIS)
    require_unlocked(participant.study)
    if not current_scope(participant):
        raise ValidationError(_("This participant is not excluded."))
    return _write(participant, scope="", reason=_reason(reason), user=by)
