"""Signing in: one-time codes, the forced password change, and who must use a second factor.

A coordinator hands a new or locked-out person a one-time code (shown once, by WhatsApp
or on paper, never e-mailed). The code is typed as the password on the ordinary sign-in
page: it works once, before it expires, and then the person must choose her own password
before any other page opens. Coordinators, investigators, monitors and staff must also pass a TOTP
second factor (django-otp); a midwife may enrol one, and then it is required for her too.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connections, router, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import device_classes, devices_for_user, verify_token

from trialsite import audit
from trialsite.db.audit_context import create_event
from trialsite.models import Account, OneTimeCode, Profile, TrackedUser
from trialsite.roles import Role, remember_roles, second_factor_required_by_role

# No 0/O, 1/I/L: read aloud or copied from a phone without mistakes. 12 characters ≈ 60 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def code_digest(code: str) -> str:
    normalized = code.replace("-", "").replace(" ", "").upper()
    return hashlib.sha256(normalized.encode()).hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def issue_one_time_code(*, user, by) -> str:
    """A new code for ``user`` (earlier unused ones stop working); returns the code, which is not stored.

    Must be called inside the caller's transaction and audit context (who and why).
    """
    now = timezone.now()
    user.one_time_codes.filter(used_at__isnull=True, revoked_at__isnull=True).update(revoked_at=now)
    code = _new_code()
    hours = settings.ONE_TIME_CODE_HOURS
    OneTimeCode.objects.create(
        user=user, code_sha256=code_digest(code), created_by=by, expires_at=now + timedelta(hours=hours)
    )
    user.account, _created = Account.objects.update_or_create(user=user, defaults={"must_change_password": True})
    create_event(TrackedUser.objects.get(pk=user.pk), label="one_time_code.issued")
    return code


def code_state(username: str, code: str) -> str | None:
    """``"expired"`` or ``"used"`` when ``code`` was a real code of ``username`` that no longer works."""
    found = OneTimeCode.objects.filter(user__username=username, code_sha256=code_digest(code)).first()
    if found is None:
        return None
    return "used" if found.used_at or found.revoked_at else ("expired" if found.expires_at <= timezone.now() else None)


_READ_WITH_THE_USER: dict[str, Callable[[], str]] = {}


def read_with_the_user(attribute: str, expression: Callable[[], str]) -> None:
    """Have a fact about the signed-in user read in the statement that loads her, set as ``attribute`` on her.

    For apps above this one, from their ``AppConfig.ready``: ``expression()`` returns an SQL expression
    over the user's id ``u."id"`` (it is called once, when the statement is first written). A user not
    loaded by :class:`PasswordBackend` (an API token's) has no such attribute: the reader falls back.
    """
    _READ_WITH_THE_USER[attribute] = expression


class PasswordBackend(ModelBackend):
    """Django's password sign-in; a signed-in request loads its user in one query.

    Every request needs the user's roles, saved language and forced-password flag (the sign-in
    steps, the capability checks, the language), and what other apps registered with
    :func:`read_with_the_user` (the sites she is a member of): they come with the user, read fresh from
    the database on every request, so a changed role or a deactivated account counts on the next one.
    The statement is written once per process (:func:`_signed_in_user_sql`): building it through the
    ORM on every request cost 2.8 ms of CPU, reading the row costs a tenth of that.
    """

    def get_user(self, user_id):
        sql, parts = _signed_in_user_sql()
        db = router.db_for_read(get_user_model())
        with connections[db].cursor() as cursor:
            cursor.execute(sql, [list(Role.values), user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        user = _user_from_row(db, row, parts)
        if not self.user_can_authenticate(user):
            return None
        return user


def _user_from_row(db: str, row, parts):
    """The user with her profile and account attached as select_related would, her roles and device flag."""
    user_model, profile_field, account_field, devices, registered_attributes = parts
    models_and_values, at = [], 0
    for model in (user_model, profile_field.model, account_field.model):
        fields = model._meta.concrete_fields
        models_and_values.append((model, fields, row[at : at + len(fields)]))
        at += len(fields)
    (_, user_fields, user_values), *related = models_and_values
    user = user_model.from_db(db, [f.attname for f in user_fields], user_values)
    for field, (model, fields, values) in zip((profile_field, account_field), related, strict=True):
        instance = None
        if values[0] is not None:  # LEFT JOIN: no row
            instance = model.from_db(db, [f.attname for f in fields], values)
            field.set_cached_value(instance, user)
        field.remote_field.set_cached_value(user, instance)  # user.profile raises DoesNotExist when None
    roles, device_flags, registered = row[at], row[at + 1 : at + 1 + devices], row[at + 1 + devices :]
    remember_roles(user, roles)
    user._trialsite_has_device = any(device_flags)
    for attribute, value in zip(registered_attributes, registered, strict=True):
        setattr(user, attribute, value)
    return user


@functools.cache
def _signed_in_user_sql() -> tuple[str, tuple]:
    """One statement: the user, her profile and account (LEFT JOINs), her role names, a confirmed device of each
    kind, and the facts registered with :func:`read_with_the_user`.

    Written from the models' metadata once per process, so a column added to any of them is read too.
    """
    user_model = get_user_model()
    profile_field, account_field = Profile._meta.get_field("user"), Account._meta.get_field("user")
    groups = user_model._meta.get_field("groups")
    through = groups.remote_field.through._meta

    def columns(alias, model):
        return [f'{alias}."{f.column}"' for f in model._meta.concrete_fields]

    selected = columns("u", user_model) + columns("p", Profile) + columns("a", Account)
    group_table, user_column = Group._meta.db_table, through.get_field(groups.m2m_field_name()).column
    group_column = through.get_field(groups.m2m_reverse_field_name()).column
    selected.append(
        f'ARRAY(SELECT g."name" FROM "{group_table}" g JOIN "{through.db_table}" ug ON ug."{group_column}" = g."id"'
        f' WHERE ug."{user_column}" = u."id" AND g."name" = ANY(%s) ORDER BY g."name")'
    )
    devices = list(device_classes())
    for model in devices:
        table, user_fk = model._meta.db_table, model._meta.get_field("user").column
        selected.append(f'EXISTS(SELECT 1 FROM "{table}" d WHERE d."{user_fk}" = u."id" AND d."confirmed")')
    registered = dict(_READ_WITH_THE_USER)  # as the statement reads them, whatever is registered later
    selected += [expression() for expression in registered.values()]
    sql = (
        f'SELECT {", ".join(selected)} FROM "{user_model._meta.db_table}" u'
        f' LEFT JOIN "{Profile._meta.db_table}" p ON p."{profile_field.column}" = u."id"'
        f' LEFT JOIN "{Account._meta.db_table}" a ON a."{account_field.column}" = u."id"'
        f' WHERE u."id" = %s'
    )
    return sql, (user_model, profile_field, account_field, len(devices), tuple(registered))


class OneTimeCodeBackend(PasswordBackend):
    """Accepts a usable one-time code in place of the password, once; the person must then choose a password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        # Only the sign-in page: elsewhere (the API token endpoint) the code would be spent for nothing.
        if not username or not password or getattr(request, "path", None) != reverse("login"):
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None or not self.user_can_authenticate(user):
            return None
        digest = code_digest(password)
        with transaction.atomic():
            for candidate in user.one_time_codes.usable().select_for_update():
                if hmac.compare_digest(candidate.code_sha256, digest):
                    candidate.used_at = timezone.now()
                    candidate.save(update_fields=["used_at"])
                    flagged = {"must_change_password": True}
                    user.account, _created = Account.objects.update_or_create(user=user, defaults=flagged)
                    return user
        return None


def must_change_password(user) -> bool:
    """Read from the user's account row (loaded with a signed-in request's user, see PasswordBackend)."""
    try:
        return user.account.must_change_password
    except Account.DoesNotExist:
        return False


def saved_language(user) -> str:
    """The language ``user`` chose ("" when none; loaded with a signed-in request's user)."""
    try:
        return user.profile.language
    except Profile.DoesNotExist:
        return ""


def change_password(*, user, new_password: str) -> None:
    """Set ``user``'s own new password (already validated by the form) and clear the forced change."""
    with transaction.atomic(), audit.reason(_("Password changed by its owner"), user=user.pk):
        user.set_password(new_password)
        user.save(update_fields=["password"])
        user.account, _created = Account.objects.update_or_create(user=user, defaults={"must_change_password": False})
        create_event(TrackedUser.objects.get(pk=user.pk), label="password.changed")


def has_second_factor(user) -> bool:
    """Has ``user`` a confirmed device (answered with a signed-in request's user, see PasswordBackend)?"""
    known = getattr(user, "_trialsite_has_device", None)
    return known if known is not None else any(devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Required by role (trialsite.roles.SECOND_FACTOR_ROLES), for Django staff, and for anyone who has enrolled one."""
    return user.is_staff or second_factor_required_by_role(user) or has_second_factor(user)


def verify_for_api(user, token: str) -> bool:
    """True when ``token`` is a current code of one of ``user``'s devices (each code works once)."""
    token = token.strip().replace(" ", "")
    return bool(token) and any(
        verify_token(user, device.persistent_id, token) is not None for device in devices_for_user(user, confirmed=True)
    )


def pending_step(request) -> str | None:
    """The URL name of the sign-in step ``request.user`` still has to do, or None when fully signed in."""
    user = request.user
    if must_change_password(user):
        return "password_change"
    if request.user.is_verified() or not second_factor_required(user):
        return None
    return "two_factor_verify" if has_second_factor(user) else "two_factor_setup"
