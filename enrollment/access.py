"""The one place that decides who may see and change study records.

Every view and API endpoint loads protected records through these helpers and
lists them through the ``for_user`` querysets. A record at a site the user
cannot see is a 404 (its existence is not revealed); a record the user can see
but may not change is a 403.
"""

from django.http import Http404

from enrollment.models import Participant, Screening, Site, Study, at_sites, site_scope
from trialsite.db.prepared import PreparedRead
from trialsite.ids import one_or_none, pk_or_404
from trialsite.roles import Capability, can, require

# Who may change what is the capability matrix's (trialsite.roles); reading is decided by site
# visibility (Site.objects.for_user).


def studies_for_user(user):
    """The studies ``user`` can see: those with a site she can see, oldest first."""
    return Study.objects.filter(sites__in=Site.objects.for_user(user)).distinct().order_by("id")


def get_study_for_user(user, slug: str | None = None, *, write: bool = False) -> Study:
    """The study ``slug`` (or the only/first study) if ``user`` can see any of its sites."""
    studies = studies_for_user(user)
    study = studies.filter(slug=slug).first() if slug else studies.first()
    if study is None:
        raise Http404
    if write:
        require(user, Capability.MANAGE_STUDY)
    return study


def get_site_for_user(user, site_id: int, *, write: bool = False) -> Site:
    """A site ``user`` can see; 404 otherwise, 403 when ``write`` and the role is read-only."""
    site = one_or_none(Site.objects.for_user(user).filter(pk=pk_or_404(site_id)).select_related("study"))
    if site is None:
        raise Http404
    if write:
        require(user, Capability.SCREEN_AND_ENROL)
    return site


def get_participant_for_user(user, pk: int, *, write: bool = False) -> Participant:
    """A participant at one of ``user``'s sites; 404 otherwise, 403 when ``write`` and read-only.

    With her study, site and arm, in a statement built once per process and shape of the site scope: the
    daily form, its save and the timeline each ask this first (trialsite.db.prepared)."""
    participant = next(iter(_PARTICIPANT.instances(pk=pk_or_404(pk), **site_scope(user))), None)
    if participant is None:
        raise Http404
    if write:
        require(user, Capability.RECORD_OBSERVATIONS)
    return participant


def _participant(pk: int, **scope):
    participants = at_sites(Participant.objects.filter(pk=pk), "site", **scope)
    return participants.select_related("study", "site", "arm").order_by()[:1]


_PARTICIPANT = PreparedRead(_participant)


def can_see_identifiers(user) -> bool:
    """Direct identifiers (name, phone, date of birth): for those who care for the mother, and the monitor's SDV."""
    return can(user, Capability.SEE_IDENTIFIERS)


def get_screening_for_user(user, pk: int, *, write: bool = False) -> Screening:
    """A screening at one of ``user``'s sites (midwives and coordinators only); 404 outside them."""
    require(user, Capability.SCREEN_AND_ENROL)  # screenings carry identifiers: the working list
    screening = one_or_none(Screening.objects.for_user(user).filter(pk=pk_or_404(pk)).select_related("study", "site"))
    if screening is None:
        raise Http404
    if write:
        require(user, Capability.SCREEN_AND_ENROL)
    return screening
