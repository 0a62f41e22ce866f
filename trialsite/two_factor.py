"""The second factor: enrolling an authenticator app (TOTP), recovery codes, verifying, resetting.

Devices are django-otp's: one TOTP device per person (``authenticator``) and one static
device (``recovery``) whose codes each work once. The QR code is drawn on the server as
SVG, so enrolment needs no script and no third-party host.
"""

from __future__ import annotations

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trialsite.db.audit_context import create_event
from trialsite.models import TrackedUser

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"


def pending_device(user) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first call; the same key until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL of ``device`` as inline SVG markup."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2)


def secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32, grouped by four, for apps where the QR code cannot be scanned."""
    from base64 import b32encode

    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def confirm_device(*, request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm ``device`` with a first code; returns fresh recovery codes, or None if the code is wrong."""
    if not device.verify_token(token.strip()):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(device.user)
    request.user._trialsite_has_device = True  # loaded with the user at the start of this request
    otp_login(request, device)
    return codes


def new_recovery_codes(user) -> list[str]:
    """Replace ``user``'s recovery codes with new ones (each works once) and return them."""
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify(*, request, token: str) -> bool:
    """Check a code from the authenticator or a recovery code; on success the session is fully signed in."""
    token = token.strip().replace(" ", "")
    for device in devices_for_user(request.user, confirmed=True):
        verified = verify_token(request.user, device.persistent_id, token)
        if verified is not None:
            otp_login(request, verified)
            return True
    return False


def reset_second_factor(*, person) -> None:
    """Remove ``person``'s authenticator and recovery codes; she enrols again at her next sign-in.

    Must be called inside the caller's transaction and audit context (who and why).
    """
    for device in devices_for_user(person, confirmed=None):
        device.delete()
    create_event(TrackedUser.objects.get(pk=person.pk), label="second_factor.reset")
