import pghistory
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """Per-user preferences that follow the user from device to device."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.language or '-'})"


class Account(models.Model):
    """Sign-in state of a user that Django's user model has no field for."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account")
    must_change_password = models.BooleanField(_("must choose a new password"), default=False)
    deactivation_reason = models.TextField(_("reason for deactivation"), blank=True)

    def __str__(self) -> str:
        return str(self.user)


class OneTimeCodeQuerySet(models.QuerySet):
    def usable(self) -> "OneTimeCodeQuerySet":
        return self.filter(used_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class OneTimeCode(models.Model):
    """A sign-in code the coordinator hands over (WhatsApp, paper): shown once, single use, expires.

    Only its SHA-256 is stored; it signs its user in once, after which she must choose a password.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes")
    code_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = OneTimeCodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("one-time sign-in code")

    def __str__(self) -> str:
        return f"{self.user} until {self.expires_at:%Y-%m-%d %H:%M}"


class TrackedUser(User):
    """Proxy of the user model so that its audit triggers and events live in this app's migrations."""

    class Meta:
        proxy = True
        verbose_name = _("user")


pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.ManualEvent("one_time_code.issued"),
    pghistory.ManualEvent("second_factor.reset"),
    pghistory.ManualEvent("password.changed"),
    exclude=["password", "last_login"],
    model_name="UserEvent",
)(TrackedUser)


class TrackedUserRole(User.groups.through):
    """Proxy of the user–group link (roles are groups): adding or removing a role is in the audit trail."""

    class Meta:
        proxy = True


pghistory.track(
    pghistory.InsertEvent("role.add"),
    pghistory.DeleteEvent("role.remove"),
    obj_field=None,
    model_name="UserRoleEvent",
)(TrackedUserRole)


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
