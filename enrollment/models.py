"""Study set-up and the people in it: studies, arms, sites, site memberships, participants."""

from datetime import date
from decimal import Decimal

import pghistory
import pgtrigger
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from enrollment import schedule as calendar
from enrollment.freeze import VIA_PARTICIPANT, VIA_SCREENING, FrozenWhenLocked
from enrollment.schedule import LEFT_STATUSES, ParticipantStatus
from trialsite.roles import Role, roles_of

# Roles that see every site of a study; midwives and monitors see only the sites they are members of.
ALL_SITE_ROLES = (Role.COORDINATOR, Role.INVESTIGATOR)
MEMBER_SITE_ROLES = (Role.MIDWIFE, Role.MONITOR)


def localized(text_id: str, text_en: str) -> str:
    """``text_en`` in English when there is one, else ``text_id`` (Indonesian is the default)."""
    return text_en if text_en and (get_language() or "id")[:2] == "en" else text_id


def _localized(obj, field: str) -> str:
    """``obj.<field>_en`` in English, else ``obj.<field>_id``."""
    return localized(getattr(obj, f"{field}_id"), getattr(obj, f"{field}_en"))


class AllocationMethod(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned by staff (non-random)")
    RANDOMIZED = "randomized", _("Randomized (concealed, stratified by site)")


@pghistory.track()
class Study(models.Model):
    slug = models.SlugField(unique=True)
    title_id = models.CharField(_("title (Indonesian)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    n_days = models.PositiveSmallIntegerField(
        _("number of observation days"), default=7, validators=[MinValueValidator(2), MaxValueValidator(60)]
    )
    pre_day = models.PositiveSmallIntegerField(_("pretest day"), default=1)
    post_day = models.PositiveSmallIntegerField(_("posttest day"), default=7)
    window_days = models.PositiveSmallIntegerField(
        _("visit window (± days)"), default=1, validators=[MaxValueValidator(7)]
    )
    allocation_method = models.CharField(
        _("allocation method"), max_length=20, choices=AllocationMethod.choices, default=AllocationMethod.ASSIGNED
    )
    alpha = models.DecimalField(
        _("significance level"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.050"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.200"))],
    )
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        help_text=_(
            "No screening, consent or enrolment may be dated before it. Leave empty for paper data of any date."
        ),
    )
    consent_form_version = models.CharField(
        _("current consent form version"),
        max_length=40,
        blank=True,
        help_text=_("The version of the consent form in use; the enrolment form offers it."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        constraints = [
            models.CheckConstraint(
                condition=Q(pre_day__gte=1) & Q(pre_day__lt=models.F("post_day")) & Q(post_day__lte=models.F("n_days")),
                name="study_days_in_order",
            ),
            models.CheckConstraint(condition=Q(alpha__gt=0) & Q(alpha__lt=1), name="study_alpha_between_0_and_1"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _localized(self, "title")


class AdherenceKind(models.TextChoices):
    """What the daily form asks an arm about adherence."""

    DOSE = "dose", _("Dose taken: yes, partly or no")
    MASSAGE = "massage", _("Massage given: yes or no, with its minutes")


@pghistory.track()
class Arm(models.Model):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="arms")
    code = models.SlugField(max_length=40)
    label_id = models.CharField(_("label (Indonesian)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    adherence = models.CharField(
        _("adherence recorded"), max_length=10, choices=AdherenceKind.choices, default=AdherenceKind.DOSE
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["study", "order", "code"]
        verbose_name = _("arm")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="arm_code_unique_in_study")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _localized(self, "label")


# The ids of the sites a signed-in request's user is a current member of, set on her by
# trialsite.accounts.PasswordBackend in the statement that loads her (registered in EnrollmentConfig.ready).
MEMBER_SITE_IDS = "_trialsite_member_site_ids"


def member_site_ids_sql() -> str:
    """The SQL expression of MEMBER_SITE_IDS, over the user's id ``u."id"``."""
    table = Membership._meta.db_table
    return f'ARRAY(SELECT m."site_id" FROM "{table}" m WHERE m."user_id" = u."id" AND m."ended_at" IS NULL)'


def visible_sites(user, path: str) -> Q | None:
    """The condition keeping the rows at the sites ``user`` may see, reaching their site by ``path`` ("pk" for
    sites, "site", "participant__site"); None when she sees every site. The one rule of site visibility.

    Every site for coordinators and investigators, her current sites for midwives and monitors, none for
    anyone else. A signed-in request's user comes with her sites' ids (MEMBER_SITE_IDS): the condition is then
    a list of ids, not a subquery that every scoped query would build and PostgreSQL plan again.
    """
    return scope_condition(path, **site_scope(user))


def site_scope(user) -> dict:
    """:func:`visible_sites` as values, for a read built once (trialsite.db.prepared): ``{}`` when ``user`` sees
    every site, ``{"sites": [ids]}`` (none for a role that sees no site), or ``{"member": her id}`` when her
    sites were not read with her (a user not loaded by the sign-in backend: an API token's, a test's)."""
    roles = roles_of(user)
    if roles.intersection(ALL_SITE_ROLES):
        return {}
    if not roles.intersection(MEMBER_SITE_ROLES):
        return {"sites": []}
    ids = getattr(user, MEMBER_SITE_IDS, None)
    return {"member": user.pk} if ids is None else {"sites": list(ids)}


def scope_condition(path: str, *, sites: list[int] | None = None, member: int | None = None) -> Q | None:
    """The condition of a :func:`site_scope` on rows reaching their site by ``path``; None for every site."""
    if sites is not None:
        return Q(**{f"{path}__in": sites})
    if member is not None:
        current = Site.objects.filter(memberships__user=member, memberships__ended_at__isnull=True)
        return Q(**{f"{path}__in": current.values("pk")})
    return None


def at_sites(queryset: models.QuerySet, path: str, **scope) -> models.QuerySet:
    """``queryset`` narrowed to the rows at the sites of a :func:`site_scope`, reached by ``path``."""
    condition = scope_condition(path, **scope)
    return queryset if condition is None else queryset.filter(condition)


def at_visible_sites(queryset: models.QuerySet, user, path: str) -> models.QuerySet:
    """``queryset`` narrowed to the rows at the sites ``user`` may see (:func:`visible_sites`)."""
    return at_sites(queryset, path, **site_scope(user))


class SiteQuerySet(models.QuerySet):
    def for_user(self, user) -> "SiteQuerySet":
        """Sites ``user`` may see: all for coordinators and investigators, own sites for midwives and monitors."""
        return at_visible_sites(self, user, "pk")


@pghistory.track()
class Site(models.Model):
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="sites")
    code = models.CharField(
        max_length=10,
        help_text=_("Short upper-case code; it prefixes participant IDs (e.g. SRP1-001)."),
        validators=[RegexValidator(r"^[A-Z0-9]{2,10}$", _("Use 2–10 upper-case letters or digits."))],
    )
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveSmallIntegerField(default=0)

    objects = SiteQuerySet.as_manager()

    class Meta:
        ordering = ["study", "order", "code"]
        verbose_name = _("site")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="site_code_unique_in_study")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class MembershipQuerySet(models.QuerySet):
    def current(self) -> "MembershipQuerySet":
        """Memberships not ended: the ones that give access to a site."""
        return self.filter(ended_at__isnull=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Membership(models.Model):
    """A user's membership of a site: midwives see and enter data only at their current sites.

    Never deleted: taking someone off a site ends the membership (when, by whom, why), so the
    record of who could see and enter data where stays with the data.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="site_memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    end_reason = models.TextField(_("reason for ending"), blank=True, max_length=500)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("site membership")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "site"], condition=Q(ended_at__isnull=True), name="membership_unique_while_current"
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | ~Q(end_reason=""), name="membership_ended_with_reason"
            ),
        ]
        triggers = [pgtrigger.Protect(name="membership_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.user} @ {self.site.code}"


class DeliveryMode(models.TextChoices):
    VAGINAL = "vaginal", _("Vaginal")
    CAESAREAN = "caesarean", _("Caesarean")


class ParticipantQuerySet(models.QuerySet):
    def for_user(self, user) -> "ParticipantQuerySet":
        """Participants at the sites ``user`` may see."""
        return at_visible_sites(self, user, "site")


@pghistory.track()
class Participant(models.Model):
    """An enrolled mother. Never deleted: withdrawal is a status, not a removal."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="participants")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="participants")
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="participants")
    participant_id = models.CharField(_("participant ID"), max_length=30)
    enrolled_on = models.DateField(_("enrolment date"))
    intervention_start = models.DateField(_("intervention start (day 1)"))
    status = models.CharField(
        _("status"), max_length=20, choices=ParticipantStatus.choices, default=ParticipantStatus.ACTIVE
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.TextField(_("status reason"), blank=True, max_length=1000)
    excluded_from_analysis = models.BooleanField(_("excluded from analysis"), default=False)
    excluded_from_per_protocol = models.BooleanField(_("excluded from the per-protocol population"), default=False)
    exclusion_reason = models.TextField(_("reason for exclusion from analysis"), blank=True, max_length=1000)
    # Direct identifiers: shown only to roles that may see them, never in de-identified exports.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # Baseline characteristics.
    age_years = models.PositiveSmallIntegerField(
        _("age (years)"), null=True, blank=True, validators=[MinValueValidator(12), MaxValueValidator(60)]
    )
    parity = models.PositiveSmallIntegerField(_("parity"), null=True, blank=True, validators=[MaxValueValidator(20)])
    delivery_mode = models.CharField(_("delivery mode"), max_length=20, choices=DeliveryMode.choices, blank=True)
    delivery_date = models.DateField(_("delivery date"), null=True, blank=True)
    infant_birth_weight_g = models.PositiveIntegerField(
        _("infant birth weight (g)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(500), MaxValueValidator(6000)],
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The eligible screening she was enrolled from (empty for imported participants).
    screening = models.OneToOneField(
        "Screening", on_delete=models.PROTECT, null=True, blank=True, related_name="participant"
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["study", "participant_id"]
        verbose_name = _("participant")
        constraints = [
            models.UniqueConstraint(fields=["study", "participant_id"], name="participant_id_unique_in_study"),
            models.CheckConstraint(
                condition=Q(intervention_start__gte=models.F("enrolled_on")), name="participant_start_after_enrolment"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=LEFT_STATUSES) | Q(status_date__isnull=False),
                name="participant_withdrawal_has_date",
            ),
            models.CheckConstraint(
                condition=Q(age_years__isnull=True) | Q(age_years__range=(12, 60)), name="participant_age_range"
            ),
            models.CheckConstraint(
                condition=Q(parity__isnull=True) | Q(parity__lte=20), name="participant_parity_range"
            ),
            models.CheckConstraint(
                condition=Q(infant_birth_weight_g__isnull=True) | Q(infant_birth_weight_g__range=(500, 6000)),
                name="participant_birth_weight_range",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="participant_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="participant_arm_never_changes",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__arm_id__df=pgtrigger.F("new__arm_id")),
            ),
            FrozenWhenLocked(),
        ]

    def __str__(self) -> str:
        return self.participant_id

    @property
    def has_left(self) -> bool:
        """Withdrawn or lost to follow-up (enrollment.schedule owns the rule)."""
        return calendar.has_left(self.status)

    @property
    def schedule(self) -> calendar.Schedule:
        """Her calendar: target dates, windows, "expected by", "left before" (enrollment.schedule)."""
        return calendar.schedule_of(
            self.intervention_start, self.study.n_days, self.study.window_days, self.status, self.status_date
        )

    def is_active_on(self, on: date) -> bool:
        """May data be recorded for ``on``? Not before enrolment, nor after withdrawal or loss to follow-up.

        The withdrawal date itself is still open (the last visit may be that day).
        """
        if on < self.enrolled_on:
            return False
        return not (self.has_left and self.status_date is not None and on > self.status_date)


# --- Screening, consent, allocation ------------------------------------------------------------


class CriterionKind(models.TextChoices):
    INCLUSION = "inclusion", _("Inclusion")
    EXCLUSION = "exclusion", _("Exclusion")


@pghistory.track()
class Criterion(models.Model):
    """One eligibility criterion of a study, answered yes/no at screening."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="criteria")
    code = models.SlugField(max_length=40)
    kind = models.CharField(_("kind"), max_length=10, choices=CriterionKind.choices)
    text_id = models.CharField(_("text (Indonesian)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["study", "kind", "order", "code"]
        verbose_name = _("eligibility criterion")
        verbose_name_plural = _("eligibility criteria")
        constraints = [models.UniqueConstraint(fields=["study", "code"], name="criterion_code_unique_in_study")]
        triggers = [pgtrigger.Protect(name="criterion_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return _localized(self, "text")


class ScreeningQuerySet(models.QuerySet):
    def for_user(self, user) -> "ScreeningQuerySet":
        """Screenings at the sites ``user`` may see."""
        return at_visible_sites(self, user, "site")


@pghistory.track()
class Screening(models.Model):
    """One screening of a mother, eligible or not: the rows of the screening log."""

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="screenings")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="screenings")
    screened_on = models.DateField(_("screening date"))
    screened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("full name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    delivery_date = models.DateField(_("delivery date"))
    delivery_mode = models.CharField(_("delivery mode"), max_length=20, choices=DeliveryMode.choices)
    parity = models.PositiveSmallIntegerField(_("parity"), validators=[MinValueValidator(1), MaxValueValidator(20)])
    infant_birth_weight_g = models.PositiveIntegerField(
        _("infant birth weight (g)"), validators=[MinValueValidator(500), MaxValueValidator(6000)]
    )
    eligible = models.BooleanField(_("eligible"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScreeningQuerySet.as_manager()

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("screening")
        constraints = [
            models.CheckConstraint(condition=Q(parity__range=(1, 20)), name="screening_parity_range"),
            models.CheckConstraint(
                condition=Q(infant_birth_weight_g__range=(500, 6000)), name="screening_birth_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(delivery_date__lte=models.F("screened_on")), name="screening_after_delivery"
            ),
        ]
        triggers = [pgtrigger.Protect(name="screening_never_deleted", operation=pgtrigger.Delete), FrozenWhenLocked()]

    def __str__(self) -> str:
        return f"{self.site.code} {self.screened_on:%Y-%m-%d} #{self.pk}"


@pghistory.track()
class ScreeningAnswer(models.Model):
    """The answer to one criterion; ``failed`` marks the reasons a mother was not eligible."""

    screening = models.ForeignKey(Screening, on_delete=models.PROTECT, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="answers")
    answer = models.BooleanField(_("answer"), null=True)
    failed = models.BooleanField(_("reason for ineligibility"), default=False)

    class Meta:
        ordering = ["criterion__kind", "criterion__order"]
        constraints = [models.UniqueConstraint(fields=["screening", "criterion"], name="answer_unique_per_criterion")]
        triggers = [
            pgtrigger.Protect(name="answer_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_SCREENING),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.answer}"


@pghistory.track()
class Consent(models.Model):
    """Written informed consent, obtained after an eligible screening and before enrolment."""

    screening = models.OneToOneField(Screening, on_delete=models.PROTECT, related_name="consent")
    consented_on = models.DateField(_("consent date"))
    form_version = models.CharField(_("consent form version"), max_length=40)
    obtained_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent")
        constraints = [
            models.CheckConstraint(condition=~Q(form_version=""), name="consent_form_version_given"),
        ]
        triggers = [
            pgtrigger.Protect(name="consent_never_deleted", operation=pgtrigger.Delete),
            FrozenWhenLocked(study=VIA_SCREENING),
        ]

    def __str__(self) -> str:
        return f"{self.form_version} {self.consented_on:%Y-%m-%d}"


class SiteCounter(models.Model):
    """The last participant number used at a site; locked with SELECT … FOR UPDATE when enrolling."""

    site = models.OneToOneField(Site, on_delete=models.PROTECT, related_name="counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.site.code}: {self.last_number}"


@pghistory.track(exclude=["seed"])
class AllocationList(models.Model):
    """A concealed allocation list (generated from a seed or uploaded).

    Its creation is audited, but never its seed: the audit-log page shows every tracked
    table, and the seed would reveal the list. Not registered in the admin.
    """

    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="allocation_lists")
    seed = models.CharField(max_length=100, blank=True)
    block_sizes = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.study.slug} #{self.pk}"


class AllocationListEntry(models.Model):
    """One concealed slot of a site's list; revealed only when a participant takes it."""

    allocation_list = models.ForeignKey(AllocationList, on_delete=models.PROTECT, related_name="entries")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField()
    block = models.PositiveIntegerField()
    block_size = models.PositiveSmallIntegerField()
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["site", "sequence"]
        constraints = [models.UniqueConstraint(fields=["site", "sequence"], name="allocation_entry_unique_sequence")]
        triggers = [pgtrigger.Protect(name="allocation_entry_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.site.code} #{self.sequence}"


@pghistory.track()
class Allocation(models.Model):
    """How a participant got her arm. Written once at enrolment; never changed or deleted."""

    participant = models.OneToOneField(Participant, on_delete=models.PROTECT, related_name="allocation")
    arm = models.ForeignKey(Arm, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("allocation method"), max_length=20, choices=AllocationMethod.choices)
    rationale = models.TextField(_("rationale for the assignment"), blank=True, max_length=1000)
    list_entry = models.OneToOneField(
        AllocationListEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="allocation"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)
    allocated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("allocation")
        constraints = [
            models.CheckConstraint(
                condition=~Q(method="assigned") | ~Q(rationale=""), name="allocation_assigned_has_rationale"
            ),
            models.CheckConstraint(
                condition=~Q(method="randomized") | Q(list_entry__isnull=False), name="allocation_randomized_has_entry"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="allocation_never_deleted", operation=pgtrigger.Delete),
            pgtrigger.Protect(name="allocation_never_changed", operation=pgtrigger.Update),
            FrozenWhenLocked(study=VIA_PARTICIPANT),
        ]

    def __str__(self) -> str:
        return f"{self.participant.participant_id}: {self.get_method_display()}"


@pghistory.track(meta={"db_table": "analysis_analysissettingsevent"})
class StudyControl(models.Model):
    """The study's control state: outcome masking and the database lock (``enrollment/control.py`` reads it).

    While the study is locked no clinical record may be added, changed or imported. While
    ``outcome_masking`` is on and the study is not locked, only coordinators see results by arm.
    The history table keeps the name it had when these settings lived in the analysis app: its
    events are links of the audit hash chain, which names their table.
    """

    study = models.OneToOneField(Study, on_delete=models.PROTECT, related_name="control")
    outcome_masking = models.BooleanField(_("outcome masking"), default=False)
    locked_at = models.DateTimeField(_("database locked at"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("study control")
        verbose_name_plural = _("study controls")
        constraints = [
            models.CheckConstraint(
                condition=Q(locked_at__isnull=True, locked_by__isnull=True) | Q(locked_at__isnull=False),
                name="study_lock_has_time",
            )
        ]
        triggers = [pgtrigger.Protect(name="study_control_never_deleted", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return str(self.study)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None
