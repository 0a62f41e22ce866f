"""Who may see and do what with adverse events, data queries, deviations and source verification.

Reading follows site visibility (``for_user`` querysets, built on enrollment's Site.objects.for_user):
a record at a site the user cannot see is a 404. Each action names its roles once, here.
"""

from django.http import Http404

from safety.models import AdverseEvent, DataQuery, ProtocolDeviation
from trialsite.roles import Role, has_role, require_role

M, C, I, MON = Role.MIDWIFE, Role.COORDINATOR, Role.INVESTIGATOR, Role.MONITOR

READ_ROLES = (M, C, I, MON)
AE_WRITE_ROLES = (M, C)  # enter and follow up adverse events
AE_REPORT_ROLES = (C, I)  # acknowledge and report serious adverse events (and are alerted)
QUERY_RAISE_ROLES = (C, MON)
QUERY_ANSWER_ROLES = (M, C)
QUERY_READ_ROLES = (M, C, MON)
DEVIATION_WRITE_ROLES = (C,)
DEVIATION_READ_ROLES = (C, I, MON)
SOURCE_VERIFY_ROLES = (C, MON)


def _pk(value) -> int:
    """A primary key from a URL or API path; 404 for anything but plain ASCII digits (e.g. "¹")."""
    text = str(value)
    if not (text.isascii() and text.isdigit()):
        raise Http404
    return int(text)


def get_adverse_event_for_user(user, pk: int, *, write: bool = False) -> AdverseEvent:
    """An adverse event at one of ``user``'s sites; 404 otherwise, 403 when ``write`` and not an entering role."""
    require_role(user, *READ_ROLES)
    event = AdverseEvent.objects.for_user(user).filter(pk=_pk(pk)).select_related("participant__site").first()
    if event is None:
        raise Http404
    if write:
        require_role(user, *AE_WRITE_ROLES)
    return event


def get_query_for_user(user, pk: int, *, write_roles: tuple = ()) -> DataQuery:
    """A data query at one of ``user``'s sites; 404 otherwise; 403 unless the user holds one of ``write_roles``."""
    require_role(user, *QUERY_READ_ROLES)
    query = DataQuery.objects.for_user(user).filter(pk=_pk(pk)).select_related("participant__site").first()
    if query is None:
        raise Http404
    if write_roles:
        require_role(user, *write_roles)
    return query


def get_deviation_for_user(user, pk: int, *, write: bool = False) -> ProtocolDeviation:
    """A deviation at one of ``user``'s sites (coordinator, investigator, monitor); 403 on write for others."""
    require_role(user, *DEVIATION_READ_ROLES)
    deviation = (
        ProtocolDeviation.objects.for_user(user).filter(pk=_pk(pk)).select_related("site", "participant").first()
    )
    if deviation is None:
        raise Http404
    if write:
        require_role(user, *DEVIATION_WRITE_ROLES)
    return deviation


def can_enter_adverse_events(user) -> bool:
    return has_role(user, *AE_WRITE_ROLES)


def is_alerted(user) -> bool:
    """Investigators and coordinators are alerted to serious adverse events."""
    return has_role(user, *AE_REPORT_ROLES)
