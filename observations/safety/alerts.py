"""Serious adverse events: who is alerted, and the e-mail sent when one is entered.

In the app the alert is a badge in the navigation bar and the list of serious events still
waiting to be acknowledged and reported (:func:`open_alerts_for`). E-mail goes through Django's
mail settings (``EMAIL_BACKEND``; the console back end by default), after the write commits.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from enrollment import deidentify
from observations.safety.models import AdverseEvent
from trialsite.roles import CAPABILITIES, Capability

ALERTED_ROLES = tuple(sorted(CAPABILITIES[Capability.REPORT_ADVERSE_EVENTS]))
logger = logging.getLogger(__name__)


def open_alerts_for(user):
    """Serious events at ``user``'s sites not yet both acknowledged and reported, oldest clock first."""
    return (
        AdverseEvent.objects.for_user(user)
        .filter(serious=True)
        .filter(Q(acknowledged_at__isnull=True) | Q(reported_at__isnull=True))
        .select_related("participant__site")
        .order_by("serious_since", "id")
    )


def _recipients() -> list[str]:
    users = get_user_model().objects.filter(is_active=True, groups__name__in=ALERTED_ROLES).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def _message(event: AdverseEvent) -> tuple[str, str]:
    """De-identified (``enrollment.visibility``): investigators receive it too, so the pseudonym, the coded
    term and the reporting window; the page behind the link shows each reader what she may see."""
    participant = event.participant
    pseudonym = deidentify.pseudonym(deidentify.study_key(participant.study.slug), participant.participant_id)
    term = str(event.get_term_display())
    subject = _("Serious adverse event: %(participant)s, %(term)s") % {"participant": pseudonym, "term": term}
    body = _(
        "A serious adverse event was entered at %(site)s for participant %(participant)s: %(term)s (%(criteria)s).\n"
        "Report it within 24 hours. Open: %(url)s"
    ) % {
        "site": participant.site.code, "participant": pseudonym, "term": term,
        "criteria": "; ".join(event.criteria_met),
        "url": settings.SITE_URL.rstrip("/") + reverse("safety:ae_detail", args=[event.pk]),
    }  # fmt: skip
    return subject, body


def alert_serious_event(event: AdverseEvent) -> None:
    """E-mail investigators and coordinators (those with an address) once the current transaction commits.

    No participant identifiers are written in the mail: only the pseudonym, the site and the coded event.
    """

    def send() -> None:
        recipients = _recipients()
        if not recipients:
            return
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = _message(event)
        try:
            send_mail(subject, body, None, recipients, fail_silently=False)
        except OSError:
            # The event is saved and the in-app alert shows it; a mail server outage must not hide that.
            logger.exception("serious adverse event %s: alert e-mail not sent", event.pk)

    transaction.on_commit(send)
