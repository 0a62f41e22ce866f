"""Who may see and do what with adverse events, data queries, deviations and source verification.

Reading follows site visibility (``for_user`` querysets, built on enrollment's Site.objects.for_user):
a record at a site the user cannot see is a 404. Who may do each action is the capability matrix's (trialsite.roles).
"""

from django.http import Http404

from observations.safety.models import AdverseEvent, DataQuery, ProtocolDeviation
from trialsite.roles import Capability, can, require


def _pk(value) -> int:
    """A primary key from a URL or API path; 404 for anything but plain ASCII digits (e.g. "¹")."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        raise Http404
    return int(text)


def get_adverse_event_for_user(user, pk: int, *, write: bool = False) -> AdverseEvent:
    """An adverse event at one of ``user``'s sites; 404 otherwise, 403 when ``write`` and not an entering role."""
    require(user, Capability.READ_SAFETY)
    event = AdverseEvent.objects.for_user(user).filter(pk=_pk(pk)).select_related("participant__site").first()
    if event is None:
        raise Http404
    if write:
        require(user, Capability.ENTER_ADVERSE_EVENTS)
    return event


def get_query_for_user(user, pk: int, *, write_capability: str = "") -> DataQuery:
    """A data query at one of ``user``'s sites; 404 otherwise; 403 unless the user holds one of ``write_capability``."""
    require(user, Capability.READ_QUERIES)
    query = DataQuery.objects.for_user(user).filter(pk=_pk(pk)).select_related("participant__site").first()
    if query is None:
        raise Http404
    if write_capability:
        require(user, write_capability)
    return query


def get_deviation_for_user(user, pk: int, *, write: bool = False) -> ProtocolDeviation:
    """A deviation at one of ``user``'s sites (coordinator, investigator, monitor); 403 on write for others."""
    require(user, Capability.READ_DEVIATION_REGISTER)
    deviation = (
        ProtocolDeviation.objects.for_user(user).filter(pk=_pk(pk)).select_related("site", "participant").first()
    )
    if deviation is None:
        raise Http404
    if write:
        require(user, Capability.RECORD_DEVIATIONS)
    return deviation


def can_enter_adverse_events(user) -> bool:
    return can(user, Capability.ENTER_ADVERSE_EVENTS)


def is_alerted(user) -> bool:
    """Investigators and coordinators are alerted to serious adverse events."""
    return can(user, Capability.REPORT_ADVERSE_EVENTS)
