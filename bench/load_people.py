"""The load test's investigators and coordinators: one account each, with an authenticator whose key the test knows.

Investigators and coordinators must pass a second factor (trialsite.roles.SECOND_FACTOR_ROLES), and a
code of an authenticator works once, so each simulated person signs in as her own account:
``investigator.load1`` … and ``coordinator.load1`` …, in the groups and sites of the demo's
``investigator`` and ``coordinator``, each with a confirmed TOTP device of the key ``LOADTEST_TOTP_KEY``
(hex). Run by bench/loadtest.py inside ``manage.py shell`` on the load database only.
"""

from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice

from enrollment.models import Membership


def create_people(*, investigators: int, coordinators: int, password: str, key: str) -> None:
    User = get_user_model()
    for template, count in (("investigator", investigators), ("coordinator", coordinators)):
        model = User.objects.get(username=template)
        for number in range(1, count + 1):
            user, _created = User.objects.get_or_create(username=f"{template}.load{number}")
            user.set_password(password)
            user.save(update_fields=["password"])
            user.groups.set(model.groups.all())
            for membership in Membership.objects.filter(user=model, ended_at=None):
                Membership.objects.get_or_create(user=user, site=membership.site, ended_at=None)
            TOTPDevice.objects.update_or_create(
                user=user, name="authenticator", defaults={"key": key, "confirmed": True, "last_t": -1}
            )
