"""Safety and data management records: adverse events, data queries, protocol deviations, source verification.

All of them are clinical records: audited by pghistory triggers (every version kept, with who,
when and why) and never deleted (the database refuses DELETE).
"""

from __future__ import annotations

from datetime import timedelta

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.freeze import VIA_OBSERVATION, VIA_PARTICIPANT, FrozenWhenLocked
from enrollment.models import Participant, Site, Study, at_visible_sites
from observations.models import Observation

REPORTING_HOURS = 24
"""A serious adverse event must be reported within 24 hours of the site learning of it."""


class Subject(models.TextChoices):
    MOTHER = "mother", _("Mother")
    INFANT = "infant", _("Infant")


class AETerm(models.TextChoices):
    BREAST_ENGORGEMENT = "breast_engorgement", _("Breast engorgement")
    MASTITIS = "mastitis", _("Mastitis")
    NIPPLE_PAIN = "nipple_pain", _("Nipple pain or damage")
    INFANT_JAUNDICE = "infant_jaundice", _("Infant jaundice")
    INFANT_WEIGHT_LOSS = "infant_weight_loss", _("Infant weight loss over 10 %")
    FEEDING_REFUSAL = "feeding_refusal", _("Feeding refusal")
    DIARRHOEA = "diarrhoea", _("Diarrhoea")
    ALLERGIC_REACTION = "allergic_reaction", _("Allergic reaction")
    OTHER = "other", _("Other (describe)")


class Severity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class Relatedness(models.TextChoices):
    NOT_RELATED = "not_related", _("Not related")
    UNLIKELY = "unlikely", _("Unlikely related")
    POSSIBLE = "possible", _("Possibly related")
    PROBABLE = "probable", _("Probably related")
    DEFINITE = "definite", _("Definitely related")


class Expectedness(models.TextChoices):
    EXPECTED = "expected", _("Expected")
    UNEXPECTED = "unexpected", _("Unexpected")


class ActionTaken(models.TextChoices):
    NONE = "none", _("None")
    INTERRUPTED = "interrupted", _("Intervention interrupted")
    STOPPED = "stopped", _("Intervention stopped")
    TREATMENT = "treatment", _("Treatment given")
    REFERRED = "referred", _("Referred to hospital")


class Outcome(models.TextChoices):
    ONGOING = "ongoing", _("Not yet recovered")
    RECOVERING = "recovering", _("Recovering")
    RECOVERED = "recovered", _("Recovered")
    SEQUELAE = "sequelae", _("Recovered with sequelae")
    FATAL = "fatal", _("Fatal")
    UNKNOWN = "unknown", _("Unknown")


SERIOUSNESS_CRITERIA = (
    ("serious_death", _("Results in death")),
    ("serious_life_threatening", _("Is life-threatening")),
    ("serious_hospitalisation", _("Requires or prolongs hospitalisation")),
    ("serious_disability", _("Results in persistent or significant disability")),
    ("serious_congenital_anomaly", _("Is a congenital anomaly or birth defect")),
    ("serious_other_important", _("Is another important medical event")),
)
"""The ICH E2A criteria: an adverse event meeting any of them is serious."""

RESOLVED_OUTCOMES = (Outcome.RECOVERED, Outcome.SEQUELAE, Outcome.FATAL)


def _any_criterion() -> Q:
    q = Q()
    for name, _label in SERIOUSNESS_CRITERIA:
        q |= Q(**{name: True})
    return q


class SiteScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        """Rows of participants at the sites ``user`` may see."""
        return at_visible_sites(self, user, "participant__site")


@pghistory.track()
class AdverseEvent(models.Model):
    """An adverse event of the mother or her infant. Follow-ups update it; every version stays in the trail."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="adverse_events")
    subject = models.CharField(_("who had the event"), max_length=10, choices=Subject.choices)
    onset_date = models.DateField(_("onset date"))
    term = models.CharField(_("event"), max_length=30, choices=AETerm.choices)
    term_other = models.CharField(_("other event (describe)"), max_length=200, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    serious_death = models.BooleanField(_("Results in death"), default=False)
    serious_life_threatening = models.BooleanField(_("Is life-threatening"), default=False)
    serious_hospitalisation = models.BooleanField(_("Requires or prolongs hospitalisation"), default=False)
    serious_disability = models.BooleanField(_("Results in persistent or significant disability"), default=False)
    serious_congenital_anomaly = models.BooleanField(_("Is a congenital anomaly or birth defect"), default=False)
    serious_other_important = models.BooleanField(_("Is another important medical event"), default=False)
    serious = models.BooleanField(_("serious"), default=False, editable=False)
    relatedness = models.CharField(_("related to the intervention"), max_length=15, choices=Relatedness.choices)
    expectedness = models.CharField(_("expectedness"), max_length=10, choices=Expectedness.choices)
    action_taken = models.CharField(_("action taken"), max_length=15, choices=ActionTaken.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    resolution_date = models.DateField(_("resolution date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)
    serious_since = models.DateTimeField(_("known to be serious since"), null=True, blank=True, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True, editable=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    report_reference = models.CharField(_("report reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-onset_date", "-id"]
        verbose_name = _("adverse event")
        verbose_name_plural = _("adverse events")
        constraints = [
            models.CheckConstraint(
                condition=(Q(serious=True) & _any_criterion()) | (Q(serious=False) & ~_any_criterion()),
                name="ae_serious_iff_criterion",
            ),
            models.CheckConstraint(condition=~Q(term="other") | ~Q(term_other=""), name="ae_other_term_described"),
            models.CheckConstraint(
                condition=Q(resolution_date__isnull=True) | Q(resolution_date__gte=models.F("onset_date")),
                name="ae_resolution_after_onset",
            ),
            models.CheckConstraint(
                condition=Q(serious=False) | Q(serious_since__isnull=False), name="ae_serious_has_clock"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="adverse_event_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_PARTICIPANT),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.term_label}"

    @property
    def term_label(self) -> str:
        return self.term_other if self.term == AETerm.OTHER else str(self.get_term_display())

    @property
    def criteria_met(self) -> list[str]:
        return [str(label) for name, label in SERIOUSNESS_CRITERIA if getattr(self, name)]

    @property
    def report_due_at(self):
        """When the 24-hour reporting clock of a serious event runs out (None if not serious)."""
        return self.serious_since + timedelta(hours=REPORTING_HOURS) if self.serious_since else None

    @property
    def needs_attention(self) -> bool:
        """Serious and not yet both acknowledged and reported."""
        return self.serious and (self.acknowledged_at is None or self.reported_at is None)


class QueryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


@pghistory.track()
class DataQuery(models.Model):
    """A question about recorded data: on a participant, one day, or one field of one day."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="data_queries")
    day = models.PositiveSmallIntegerField(_("day"), null=True, blank=True)
    field_name = models.CharField(_("field"), max_length=40, blank=True)
    text = models.TextField(_("question"), max_length=1000)
    status = models.CharField(_("status"), max_length=10, choices=QueryStatus.choices, default=QueryStatus.OPEN)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    answer = models.TextField(_("answer"), blank=True, max_length=1000)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    correction = models.ForeignKey(
        Observation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("corrected observation"),
    )  # fmt: skip
    correction_version = models.PositiveIntegerField(_("version after the correction"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("data query")
        verbose_name_plural = _("data queries")
        constraints = [
            models.CheckConstraint(condition=Q(field_name="") | Q(day__isnull=False), name="query_field_needs_day"),
            models.CheckConstraint(condition=~Q(text=""), name="query_has_text"),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False), name="query_answered_has_answer"
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False), name="query_closed_has_closer"
            ),
        ]
        indexes = [models.Index(fields=["participant", "day", "status"], name="query_participant_day_status")]
        triggers = [
            pgtrigger.Protect(name="data_query_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_PARTICIPANT),
        ]

    def __str__(self) -> str:
        where = f" · {_('day')} {self.day}" if self.day else ""
        return f"{self.participant}{where}: {self.text[:40]}"


class DeviationCategory(models.TextChoices):
    ELIGIBILITY = "eligibility", _("Eligibility")
    CONSENT = "consent", _("Consent")
    ALLOCATION = "allocation", _("Allocation")
    INTERVENTION = "intervention", _("Intervention")
    VISIT_WINDOW = "visit_window", _("Visit window")
    DATA = "data", _("Data")
    OTHER = "other", _("Other")


class DeviationGrade(models.TextChoices):
    MINOR = "minor", _("Minor")
    MAJOR = "major", _("Major")


class DeviationQuerySet(models.QuerySet):
    def for_user(self, user):
        """Deviations at the sites ``user`` may see."""
        return at_visible_sites(self, user, "site")


@pghistory.track()
class ProtocolDeviation(models.Model):
    """One entry of the protocol-deviation register (out-of-window visits are entered automatically)."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="deviations")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="deviations")
    participant = models.ForeignKey(
        Participant, on_delete=models.PROTECT, null=True, blank=True, related_name="deviations"
    )
    observation = models.OneToOneField(
        Observation, on_delete=models.PROTECT, null=True, blank=True, related_name="deviation"
    )
    category = models.CharField(_("category"), max_length=20, choices=DeviationCategory.choices)
    grade = models.CharField(_("major or minor"), max_length=10, choices=DeviationGrade.choices)
    description = models.TextField(_("description"), max_length=2000)
    corrective_action = models.TextField(_("corrective action"), blank=True, max_length=2000)
    preventive_action = models.TextField(_("preventive action"), blank=True, max_length=2000)
    occurred_on = models.DateField(_("date of the deviation"))
    identified_on = models.DateField(_("date identified"))
    resolved_on = models.DateField(_("date resolved"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("reported by"),
    )  # fmt: skip
    automatic = models.BooleanField(_("entered automatically"), default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeviationQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("protocol deviation")
        verbose_name_plural = _("protocol deviations")
        constraints = [
            models.CheckConstraint(
                condition=Q(identified_on__gte=models.F("occurred_on")), name="deviation_identified_after_occurred"
            ),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=models.F("occurred_on")),
                name="deviation_resolved_after_occurred",
            ),
            models.CheckConstraint(condition=~Q(description=""), name="deviation_has_description"),
        ]
        triggers = [pgtrigger.Protect(name="deviation_never_deleted", operation=pgtrigger.Delete), FrozenWhenLocked()]

    def __str__(self) -> str:
        return f"{self.site.code} {self.occurred_on:%Y-%m-%d} {self.get_category_display()}"


@pghistory.track()
class SourceVerification(models.Model):
    """A monitor's (or coordinator's) check of one recorded day against the paper source."""

    observation = models.OneToOneField(Observation, on_delete=models.PROTECT, related_name="source_verification")
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("source-verified at"), auto_now_add=True)
    observation_version = models.PositiveIntegerField(_("version verified"))

    class Meta:
        verbose_name = _("source-data verification")
        triggers = [
            pgtrigger.Protect(name="source_verification_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_OBSERVATION),
        ]

    def __str__(self) -> str:
        return f"{self.observation} ✓"
