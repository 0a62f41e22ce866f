"""The demo study of the interchange spec: study, arms, sites and demo users."""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from enrollment.models import AllocationMethod, Arm, Membership, Site, Study
from trialsite.roles import Role

DEMO_SLUG = "moringa-oxytocin"
DEMO_ARMS = (
    ("moringa", "Serbuk daun kelor", "Moringa leaf powder"),
    ("oxytocin_massage", "Pijat oksitosin", "Oxytocin massage"),
)
DEMO_SITES = (("SRP1", "Puskesmas Serpong 1"), ("PAR", "Puskesmas Pondok Aren"))
# username -> (role, site codes, first name)
DEMO_USERS = {
    "midwife.srp1": (Role.MIDWIFE, ("SRP1",), "Bidan Serpong"),
    "midwife.par": (Role.MIDWIFE, ("PAR",), "Bidan Pondok Aren"),
    "coordinator": (Role.COORDINATOR, (), "Koordinator"),
    "investigator": (Role.INVESTIGATOR, (), "Peneliti"),
}


@transaction.atomic
def seed_study() -> Study:
    """Create (or complete) the demo study, its arms and its sites. Idempotent."""
    study, _ = Study.objects.get_or_create(
        slug=DEMO_SLUG,
        defaults={
            "title_id": "Perbandingan serbuk daun kelor dan pijat oksitosin terhadap produksi ASI ibu nifas",
            "title_en": "Moringa leaf powder versus oxytocin massage for breast-milk production in postpartum mothers",
            "allocation_method": AllocationMethod.ASSIGNED,
        },
    )
    for order, (code, label_id, label_en) in enumerate(DEMO_ARMS):
        Arm.objects.get_or_create(study=study, code=code, defaults={"label_id": label_id, "label_en": label_en, "order": order})
    for order, (code, name) in enumerate(DEMO_SITES):
        Site.objects.get_or_create(study=study, code=code, defaults={"name": name, "order": order})
    return study


@transaction.atomic
def seed_users(study: Study, password: str | None = None) -> dict[str, str | None]:
    """Create the demo users with their roles and sites. Idempotent.

    Returns username -> the password that was set, or None where an existing
    user's password was left as it was (no ``password`` given).
    """
    User = get_user_model()
    result = {}
    for username, (role, site_codes, first_name) in DEMO_USERS.items():
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
        if created or password:
            chosen = password or secrets.token_urlsafe(9)
            user.set_password(chosen)
            user.save(update_fields=["password"])
            result[username] = chosen
        else:
            result[username] = None
        user.groups.add(Group.objects.get(name=role))
        for site in Site.objects.filter(study=study, code__in=site_codes):
            Membership.objects.get_or_create(user=user, site=site)
    return result
