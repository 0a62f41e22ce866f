"""Source-data verification: a monitor (or coordinator) confirms a recorded day matches the paper sheet."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from observations.models import Observation
from observations.safety.models import SourceVerification
from trialsite import audit
from trialsite.roles import Capability, require


def source_verify(*, observation: Observation, by) -> SourceVerification:
    """Mark one day source-verified (once); records the version that was checked."""
    require(by, Capability.VERIFY_SOURCE)
    require_unlocked(observation.participant.study)
    if observation.is_missing:
        raise ValidationError(_("A missing day has no source to verify."))
    with transaction.atomic(), audit.reason(_("Source-data verified"), user=by.pk):
        existing = SourceVerification.objects.filter(observation=observation).first()
        if existing is not None:
            raise ValidationError(_("This day is already source-verified."))
        return SourceVerification.objects.create(
            observation=observation, verified_by=by, observation_version=observation.version
        )
