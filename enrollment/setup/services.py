"""Study set-up in the browser: sites. What participants already depend on is locked, with the reason."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from enrollment.models import Site, Study
from trialsite import audit
from trialsite.roles import Role, require_role

# Who sets up sites (a require_role call, so the capability matrix can take it over).
SETUP_ROLES = (Role.COORDINATOR,)


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
    require_role(by, *SETUP_ROLES)
    reason = _reason(reason)
    site = Site(study=study, code=code.strip().upper(), name=name.strip(), order=study.sites.count())
    site.full_clean(exclude=["order"], validate_unique=False, validate_constraints=False)
    _check_code(study, site.code, None)
    with transaction.atomic(), audit.reason(reason, user=by.pk):
        site.save()
    return site


def change_site(*, by, site: Site, code: str, name: str, reason: str) -> Site:
    require_role(by, *SETUP_ROLES)
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
