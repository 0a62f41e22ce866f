"""Who may see and change observations: built on enrollment.access (site visibility)."""

from django.http import Http404

from observations.models import Observation
from trialsite.ids import one_or_none, pk_or_404
from trialsite.roles import Capability, require


def get_observation_for_user(user, pk: int, *, write: bool = False) -> Observation:
    """An observation at one of ``user``'s sites; 404 otherwise, 403 when ``write`` and read-only."""
    observation = one_or_none(
        Observation.objects.for_user(user)
        .filter(pk=pk_or_404(pk))
        .select_related("participant__study", "participant__site", "participant__arm")
    )
    if observation is None:
        raise Http404
    if write:
        require(user, Capability.RECORD_OBSERVATIONS)
    return observation
