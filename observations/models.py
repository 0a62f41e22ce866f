"""The daily observation of instrument.md and the per-study instrument settings."""

from __future__ import annotations

import uuid
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from enrollment.freeze import VIA_PARTICIPANT, FrozenWhenLocked
from enrollment.models import Participant, Study, at_visible_sites
from enrollment.schedule import Schedule
from observations.scoring import Thresholds, compute_score


class YesNo(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Adherence(models.TextChoices):
    YES = "yes", _("Yes")
    PARTLY = "partly", _("Partly")
    NO = "no", _("No")


class MissingReason(models.TextChoices):
    NOT_VISITED = "not_visited", _("Not visited")
    REFUSED = "refused", _("Participant refused")
    UNREACHABLE = "unreachable", _("Participant unreachable")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class InstrumentLocked(ValidationError):
    """The scoring rules of a study cannot change once it has an observation."""


# Refuses an UPDATE of the thresholds once the study has observations, whoever runs it.
_LOCK_SQL = """
IF (OLD.feeds_min, OLD.feeds_max, OLD.wet_diapers_min, OLD.sleep_hours_min, OLD.breast_met_when)
   IS DISTINCT FROM (NEW.feeds_min, NEW.feeds_max, NEW.wet_diapers_min, NEW.sleep_hours_min, NEW.breast_met_when)
   AND EXISTS (SELECT 1 FROM observations_observation o
               JOIN enrollment_participant p ON p.id = o.participant_id WHERE p.study_id = NEW.study_id) THEN
  RAISE EXCEPTION 'instrument settings of study % are locked: the study has observations', NEW.study_id;
END IF;
RETURN NEW;
"""


@pghistory.track()
class InstrumentSettings(models.Model):
    """Scoring thresholds of one study; editable until its first observation is saved."""

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="instrument")
    feeds_min = models.PositiveSmallIntegerField(
        _("I1: minimum feeds in 24 h"), default=8, validators=[MaxValueValidator(40)]
    )
    feeds_max = models.PositiveSmallIntegerField(
        _("I1: maximum feeds in 24 h"), default=12, validators=[MaxValueValidator(40)]
    )
    wet_diapers_min = models.PositiveSmallIntegerField(
        _("I2: minimum wet diapers in 24 h"), default=6, validators=[MaxValueValidator(40)]
    )
    sleep_hours_min = models.DecimalField(
        _("I3: minimum hours settled after a feed"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("2.0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    breast_met_when = models.BooleanField(
        _("I4 is met when the breast feels full then soft"),
        default=True,
        help_text=_("Ticked: the indicator is met when the answer is yes."),
    )

    class Meta:
        verbose_name = _("instrument settings")
        verbose_name_plural = _("instrument settings")
        constraints = [
            models.CheckConstraint(condition=Q(feeds_min__lte=models.F("feeds_max")), name="instrument_feeds_range"),
            models.CheckConstraint(condition=Q(feeds_max__lte=40), name="instrument_feeds_max_40"),
            models.CheckConstraint(condition=Q(wet_diapers_min__lte=40), name="instrument_wet_max_40"),
            models.CheckConstraint(condition=Q(sleep_hours_min__lte=24), name="instrument_sleep_max_24"),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="instrument_locked_after_first_observation",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=_LOCK_SQL,
            )
        ]

    def __str__(self) -> str:
        return str(self.study)

    def save(self, *args, **kwargs) -> None:
        self.check_not_locked()
        super().save(*args, **kwargs)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds(
            feeds_min=self.feeds_min,
            feeds_max=self.feeds_max,
            wet_diapers_min=self.wet_diapers_min,
            sleep_hours_min=Decimal(self.sleep_hours_min),
            breast_met_when=self.breast_met_when,
        )

    def is_locked(self) -> bool:
        return Observation.objects.filter(participant__study_id=self.study_id).exists()

    def check_not_locked(self) -> None:
        """Raise InstrumentLocked when the thresholds change after the study's first observation.

        The one Python check (forms via clean, every save); the database trigger holds the same
        rule for writes that bypass the model.
        """
        if self.pk and self._changed() and self.is_locked():
            raise InstrumentLocked(_("The study already has observations: its scoring rules can no longer change."))

    def clean(self) -> None:
        if self.feeds_min is not None and self.feeds_max is not None and self.feeds_min > self.feeds_max:
            raise ValidationError({"feeds_max": _("The maximum cannot be below the minimum.")})
        self.check_not_locked()

    def _changed(self) -> bool:
        stored = InstrumentSettings.objects.get(pk=self.pk)
        return stored.thresholds != self.thresholds


class ObservationQuerySet(models.QuerySet):
    def for_user(self, user) -> ObservationQuerySet:
        """Observations of participants at the sites ``user`` may see."""
        return at_visible_sites(self, user, "participant__site")


MEASURED = ("observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "breast_full_then_soft")
"""The fields every observed (not missing) day must have."""


def _all_null(fields) -> Q:
    q = Q()
    for name in fields:
        q &= Q(**{f"{name}__isnull": True})
    return q


def _none_null(fields) -> Q:
    q = Q()
    for name in fields:
        q &= Q(**{f"{name}__isnull": False})
    return q


OPTIONAL_MEASURES = ("expressed_volume_ml", "infant_weight_g", "score")


@pghistory.track()
class Observation(models.Model):
    """One day of one participant: either observed (fields + score) or missing with a reason."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="observations")
    day = models.PositiveSmallIntegerField(_("day"), validators=[MinValueValidator(1), MaxValueValidator(60)])
    observed_on = models.DateField(_("observation date"), null=True, blank=True)
    feeds_24h = models.PositiveSmallIntegerField(
        _("breastfeeds in 24 hours"), null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    wet_diapers_24h = models.PositiveSmallIntegerField(
        _("infant wet diapers in 24 hours"), null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    sleep_after_feed_hours = models.DecimalField(
        _("hours the infant sleeps/settles after a feed"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
    )
    breast_full_then_soft = models.BooleanField(
        _("breast feels full before feeding and soft after"), null=True, blank=True
    )
    expressed_volume_ml = models.PositiveIntegerField(
        _("expressed milk volume (ml)"), null=True, blank=True, validators=[MaxValueValidator(2000)]
    )
    infant_weight_g = models.PositiveIntegerField(
        _("infant weight (g)"), null=True, blank=True, validators=[MinValueValidator(1000), MaxValueValidator(8000)]
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    adherence = models.CharField(
        _("intervention taken/given today"), max_length=10, choices=Adherence.choices, blank=True
    )
    massage_minutes = models.PositiveSmallIntegerField(
        _("massage duration (minutes)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    missing_reason = models.CharField(_("reason missing"), max_length=20, choices=MissingReason.choices, blank=True)
    deviation_reason = models.TextField(_("deviation reason"), blank=True, max_length=1000)
    out_of_window = models.BooleanField(_("outside the visit window"), default=False, editable=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObservationQuerySet.as_manager()

    class Meta:
        ordering = ["participant", "day"]
        verbose_name = _("observation")
        constraints = [
            models.UniqueConstraint(fields=["participant", "day"], name="observation_one_per_participant_day"),
            models.CheckConstraint(condition=Q(day__gte=1), name="observation_day_from_1"),
            models.CheckConstraint(
                condition=(Q(missing_reason="") & _none_null(MEASURED) & Q(score__range=(1, 5)))
                | (~Q(missing_reason="") & _all_null((*MEASURED, *OPTIONAL_MEASURES))),
                name="observation_observed_or_missing",
            ),
            models.CheckConstraint(
                condition=Q(feeds_24h__isnull=True) | Q(feeds_24h__lte=40), name="observation_feeds_range"
            ),
            models.CheckConstraint(
                condition=Q(wet_diapers_24h__isnull=True) | Q(wet_diapers_24h__lte=40), name="observation_wet_range"
            ),
            models.CheckConstraint(
                condition=Q(sleep_after_feed_hours__isnull=True) | Q(sleep_after_feed_hours__range=(0, 24)),
                name="observation_sleep_range",
            ),
            models.CheckConstraint(
                condition=Q(expressed_volume_ml__isnull=True) | Q(expressed_volume_ml__lte=2000),
                name="observation_volume_range",
            ),
            models.CheckConstraint(
                condition=Q(infant_weight_g__isnull=True) | Q(infant_weight_g__range=(1000, 8000)),
                name="observation_weight_range",
            ),
            models.CheckConstraint(
                condition=Q(massage_minutes__isnull=True) | Q(massage_minutes__lte=120),
                name="observation_massage_range",
            ),
            models.CheckConstraint(
                condition=Q(out_of_window=False) | ~Q(deviation_reason=""), name="observation_deviation_has_reason"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="observation_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_PARTICIPANT),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {_('day')} {self.day}"

    def save(self, *args, **kwargs) -> None:
        """The score and window flag are never typed in: recomputed on every save."""
        participant = self.participant
        derived = self.derived_values(instrument_for(participant.study).thresholds, participant.schedule)
        for name, value in derived.items():
            setattr(self, name, value)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *derived}
        super().save(*args, **kwargs)

    @property
    def is_missing(self) -> bool:
        return bool(self.missing_reason)

    @property
    def is_locked(self) -> bool:
        return self.verified_at is not None

    def derived_values(self, thresholds: Thresholds, schedule: Schedule) -> dict:
        """The score and out-of-window flag this row's recorded fields imply."""
        if self.is_missing:
            return {"score": None, "out_of_window": False}
        return {
            "score": compute_score(
                feeds_24h=self.feeds_24h,
                wet_diapers_24h=self.wet_diapers_24h,
                sleep_after_feed_hours=self.sleep_after_feed_hours,
                breast_full_then_soft=self.breast_full_then_soft,
                thresholds=thresholds,
            ),
            "out_of_window": schedule.is_out_of_window(self.day, self.observed_on),
        }


def instrument_for(study: Study) -> InstrumentSettings:
    """The study's instrument settings, created with the defaults of instrument.md on first use."""
    cached = getattr(study, "_instrument_cache", None)
    if cached is None:
        cached, _created = InstrumentSettings.objects.get_or_create(study=study)
        study._instrument_cache = cached
    return cached
