"""Study set-up in the browser: sites. What participants already depend on is locked, with the reason."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.models import AdherenceKind, Arm, Site, Study
from trialsite import audit
from trialsite.roles import Capability, require

# Who sets up the study and its sites is the capability matrix's (trialsite.roles).


def site_code_lock(site: Site) -> str:
    """Why the code of ``site`` can no longer change (empty when it still can)."""
    if site.pk and (site.participants.exists() or site.screenings.exists()):
        return _("Locked: participant IDs and screenings at this site already start with %(code)s.") % {
            "code": site.code
        }
    return ""


def _reason(reason: str) -> str:
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for this change.")]})
    return reason.strip()


def _check_code(study: Study, code: str, site: Site | None) -> None:
    taken = Site.objects.filter(study=study, code=code).exclude(pk=site.pk if site else None).exists()
    if taken:
        raise ValidationError({"code": [_("The site code %(code)s is already used in this study.") % {"code": code}]})


def add_site(*, by, study: Study, code: str, name: str, reason: str) -> Site:
    require(by, Capability.SET_UP_STUDY)
    reason = _reason(reason)
    site = Site(study=study, code=code.strip().upper(), name=name.strip(), order=study.sites.count())
    site.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
    _check_code(study, site.code, None)
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        site.save()
    return site


def change_site(*, by, site: Site, code: str, name: str, reason: str) -> Site:
    require(by, Capability.SET_UP_STUDY)
    reason = _reason(reason)
    code = code.strip().upper()
    if code != site.code and site_code_lock(site):
        raise ValidationError({"code": [site_code_lock(site)]})
    site.code, site.name = code, name.strip()
    site.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
    _check_code(site.study, code, site)
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        site.save(update_fields=["code", "name"])
    return site


# Fields that shape every participant's calendar and allocation: fixed once someone is enrolled.
DESIGN_FIELDS = ("n_days", "pre_day", "post_day", "window_days", "allocation_method")


def design_lock(study: Study) -> str:
    """Why the schedule, allocation and arms of ``study`` can no longer change (empty when they still can)."""
    enrolled = study.participants.count()
    if enrolled:
        return _("Locked: %(n)d participants are enrolled on this schedule and these arms.") % {"n": enrolled}
    return ""


def _check_days(values: dict) -> None:
    if not 1 <= values["pre_day"] < values["post_day"] <= values["n_days"]:
        raise ValidationError(
            {"post_day": [_("The pretest day must come before the posttest day, both within the observation days.")]}
        )


def change_study(*, by, study: Study, values: dict, reason: str) -> Study:
    """Change titles (always) and the design fields (only while nobody is enrolled), with the reason."""
    require(by, Capability.SET_UP_STUDY)
    reason = _reason(reason)
    changed = [f for f in DESIGN_FIELDS if f in values and values[f] != getattr(study, f)]
    if changed and design_lock(study):
        raise ValidationError({changed[0]: [design_lock(study)]})
    for name, value in values.items():
        setattr(study, name, value)
    study.full_clean(validate_constraints=False)
    _check_days({f: getattr(study, f) for f in ("pre_day", "post_day", "n_days")})
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        study.save(update_fields=list(values))
    return study


def add_arm(*, by, study: Study, code: str, label_id: str, label_en: str, reason: str,
            adherence: str = AdherenceKind.DOSE) -> Arm:  # fmt: skip
    """A new arm, only while nobody is enrolled (allocation lists and analysis are built on the arms)."""
    require(by, Capability.SET_UP_STUDY)
    reason = _reason(reason)
    if design_lock(study):
        raise ValidationError({"code": [design_lock(study)]})
    arm = Arm(study=study, code=code.strip(), label_id=label_id.strip(), label_en=label_en.strip(),
              adherence=adherence, order=study.arms.count())  # fmt: skip
    arm.full_clean(validate_unique=False, validate_constraints=False)
    if study.arms.filter(code=arm.code).exists():
        raise ValidationError(
            {"code": [_("The arm code %(code)s is already used in this study.") % {"code": arm.code}]}
        )
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        arm.save()
    return arm


def criteria_lock(study: Study) -> str:
    """Why no criterion can be added to ``study`` any more (empty when one still can)."""
    screened = study.screenings.count()
    if screened:
        return _("Locked: %(n)d mothers were screened against these criteria.") % {"n": screened}
    return ""


def add_criterion(*, by, study: Study, code: str, kind: str, text_id: str, text_en: str, reason: str):
    """A new eligibility criterion, only before the first screening (every screening answers all of them)."""
    from enrollment.models import Criterion

    require(by, Capability.SET_UP_STUDY)
    reason = _reason(reason)
    if criteria_lock(study):
        raise ValidationError({"code": [criteria_lock(study)]})
    criterion = Criterion(study=study, code=code.strip(), kind=kind, text_id=text_id.strip(), text_en=text_en.strip(),
                          order=study.criteria.filter(kind=kind).count())  # fmt: skip
    criterion.full_clean(validate_unique=False, validate_constraints=False)
    if study.criteria.filter(code=criterion.code).exists():
        message = _("The criterion code %(code)s is already used in this study.") % {"code": criterion.code}
        raise ValidationError({"code": [message]})
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        criterion.save()
    return criterion


# --- A new study ----------------------------------------------------------------------------------

MIN_ARMS = 2


def _gather(errors: dict, check, prefix: str = "") -> None:
    """Run ``check`` and add what it refuses to ``errors`` (field names prefixed), so all errors show at once."""
    try:
        check()
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        for name, messages in found.items():
            key = f"{prefix}{name}" if prefix and name != NON_FIELD_ERRORS else name
            errors.setdefault(key, []).extend(messages)


def _new_study_errors(study: Study, site: Site, arms: dict[int, Arm]) -> dict:
    errors: dict[str, list] = {}
    _gather(errors, lambda: study.full_clean(validate_unique=False, validate_constraints=False))
    if "n_days" not in errors:
        _gather(errors, lambda: _check_days({f: getattr(study, f) for f in ("pre_day", "post_day", "n_days")}))
    if study.slug and Study.objects.filter(slug=study.slug).exists():
        errors.setdefault("slug", []).append(_("The study code %(code)s is already used.") % {"code": study.slug})
    _gather(errors, lambda: site.full_clean(exclude=["study", "order"], validate_unique=False), prefix="site_")
    if len(arms) < MIN_ARMS:
        errors.setdefault("arms", []).append(_("A study needs at least two arms: fill in both."))
    seen = set()
    for number, arm in arms.items():
        _gather(errors, lambda arm=arm: arm.full_clean(exclude=["study"], validate_unique=False), f"arm{number}_")
        if arm.code and arm.code in seen:
            errors.setdefault(f"arm{number}_code", []).append(_("Two arms cannot have the same code."))
        seen.add(arm.code)
    return errors


def create_study(*, by, values: dict, site: dict, arms: list[dict], reason: str) -> Study:
    """A new study with its first site and its arms, all checked before anything is written.

    ``values`` holds Study fields; ``site`` code and name; ``arms`` code, label_id, label_en and
    adherence of each arm row (a row with no code nor label is skipped). Errors name the study's
    fields, ``site_<field>``, ``arm<n>_<field>`` (n counts rows from 1) and ``arms``. Criteria, more
    sites and the scoring thresholds follow on the set-up pages.
    """
    require(by, Capability.SET_UP_STUDY)
    errors: dict[str, list] = {}
    _gather(errors, lambda: _reason(reason))
    study = Study(**values)
    new_site = Site(code=site["code"].strip().upper(), name=site["name"].strip(), order=0)
    new_arms = {n: Arm(code=a["code"].strip(), label_id=a["label_id"].strip(), label_en=a["label_en"].strip(),
                       adherence=a["adherence"], order=n) for n, a in enumerate(arms, start=1)
                if any(a[f].strip() for f in ("code", "label_id", "label_en"))}  # fmt: skip
    errors.update({k: v for k, v in _new_study_errors(study, new_site, new_arms).items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(), audit.reason(reason.strip(), user=by.pk):
        study.save()
        new_site.study = study
        new_site.save()
        for arm in new_arms.values():
            arm.study = study
            arm.save()
    return study
