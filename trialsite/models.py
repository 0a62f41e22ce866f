from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Per-user preferences that follow the user from device to device."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"


class AuditSeal(models.Model):
    """One link of the audit hash chain: written by the database when an event's transaction commits.

    ``digest`` = SHA-256 over the previous link's digest, the event's table, the
    event row (the ``columns`` it had when sealed) and its context as committed.
    The app role may only read this table (``trialsite/privileges.py``).
    """

    event_table = models.CharField(max_length=63)
    event_id = models.BigIntegerField()
    context_id = models.UUIDField(null=True)
    context = models.JSONField(null=True)
    columns = ArrayField(models.CharField(max_length=63))
    previous = models.CharField(max_length=64, unique=True)
    digest = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event_table", "event_id"], name="one_seal_per_event")]

    def __str__(self) -> str:
        return f"{self.event_table} #{self.event_id}"


class AuditVerification(models.Model):
    """The outcome of one ``verify_audit`` run, shown on the coordinator's audit page."""

    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)
    intact = models.BooleanField(_("intact"))
    events_checked = models.PositiveIntegerField(_("events checked"))
    head = models.CharField(_("last digest"), max_length=64, blank=True)
    first_broken = models.CharField(_("first event that does not match"), max_length=200, blank=True)
    problem = models.CharField(_("problem"), max_length=200, blank=True)

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"{self.checked_at:%Y-%m-%d %H:%M} {'intact' if self.intact else self.first_broken}"
