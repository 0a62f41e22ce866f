"""The demo study of the interchange spec: study, arms, sites and demo users."""

import random
import secrets
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from enrollment import services
from enrollment.models import (
    AdherenceKind,
    AllocationListEntry,
    AllocationMethod,
    Arm,
    Criterion,
    CriterionKind,
    DeliveryMode,
    Membership,
    Participant,
    ParticipantStatus,
    Site,
    Study,
)
from trialsite.roles import Role

DEMO_SLUG = "moringa-oxytocin"
DEMO_ARMS = (
    ("moringa", "Serbuk daun kelor", "Moringa leaf powder", AdherenceKind.DOSE),
    ("oxytocin_massage", "Pijat oksitosin", "Oxytocin massage", AdherenceKind.MASSAGE),
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
    for order, (code, label_id, label_en, adherence) in enumerate(DEMO_ARMS):
        Arm.objects.get_or_create(
            study=study,
            code=code,
            defaults={"label_id": label_id, "label_en": label_en, "order": order, "adherence": adherence},
        )
    for order, (code, name) in enumerate(DEMO_SITES):
        Site.objects.get_or_create(study=study, code=code, defaults={"name": name, "order": order})
    seed_criteria(study)
    return study


# code -> (kind, Indonesian, English), in the order they are asked.
DEMO_CRITERIA = {
    "postpartum_breastfeeding": (
        CriterionKind.INCLUSION,
        "Ibu nifas (0–42 hari setelah melahirkan) yang menyusui bayinya",
        "Postpartum mother (0–42 days after delivery) who breastfeeds her baby",
    ),
    "healthy_term_singleton": (
        CriterionKind.INCLUSION,
        "Bayi tunggal, lahir cukup bulan dan sehat",
        "Healthy, term, singleton infant",
    ),
    "catchment_area": (
        CriterionKind.INCLUSION,
        "Tinggal di wilayah kerja puskesmas",
        "Lives in the health centre's catchment area",
    ),
    "willing_to_consent": (
        CriterionKind.INCLUSION,
        "Bersedia menjadi responden dan menandatangani lembar persetujuan",
        "Willing to take part and to sign the consent form",
    ),
    "breast_disorder": (
        CriterionKind.EXCLUSION,
        "Ada kelainan payudara (mastitis, puting susu terbenam)",
        "Breast disorder (mastitis, inverted nipples)",
    ),
    "galactagogue_drugs": (
        CriterionKind.EXCLUSION,
        "Minum obat pelancar ASI (domperidon, metoklopramid)",
        "Taking galactagogue drugs (domperidone, metoclopramide)",
    ),
    "infant_cannot_breastfeed": (
        CriterionKind.EXCLUSION,
        "Bayi tidak dapat menyusu (mis. bibir/langit-langit sumbing, dirawat intensif)",
        "Infant unable to breastfeed (e.g. cleft lip or palate, in intensive care)",
    ),
    "maternal_illness": (
        CriterionKind.EXCLUSION,
        "Ibu sakit sehingga tidak dapat menyusui",
        "Mother has an illness that stops her breastfeeding",
    ),
}


def seed_criteria(study: Study) -> None:
    """Give the demo study its eligibility criteria (records, editable in the admin). Idempotent."""
    for order, (code, (kind, text_id, text_en)) in enumerate(DEMO_CRITERIA.items()):
        Criterion.objects.get_or_create(
            study=study, code=code, defaults={"kind": kind, "text_id": text_id, "text_en": text_en, "order": order}
        )


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
            Membership.objects.get_or_create(user=user, site=site, ended_at=None)
    return result


FIRST_NAMES = ("Siti", "Dewi", "Rina", "Ayu", "Nur", "Putri", "Sri", "Wulan", "Indah", "Lestari", "Fitri", "Rahma")
LAST_NAMES = ("Rahayu", "Wahyuni", "Susanti", "Handayani", "Lestari", "Pratiwi", "Hidayati", "Kusuma", "Aminah")
# Free text as a midwife would type it, in Indonesian.
WITHDRAWAL_REASONS = ("Pindah ke luar wilayah kerja puskesmas", "Tidak ingin melanjutkan", "Ibu dirawat di rumah sakit")
ASSIGNED_RATIONALE = "Penetapan kelompok tidak acak sesuai protokol penelitian (purposif, menurut jadwal kunjungan)"


def _mother(rng: random.Random, screened_on: date) -> services.MotherDetails:
    age = rng.randint(19, 38)
    return services.MotherDetails(
        full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        phone=f"08{rng.randint(10**9, 10**10 - 1)}",
        date_of_birth=screened_on - timedelta(days=age * 365 + rng.randint(0, 300)),
        delivery_date=screened_on - timedelta(days=rng.randint(1, 10)),
        delivery_mode=DeliveryMode.VAGINAL if rng.random() < 0.7 else DeliveryMode.CAESAREAN,
        parity=rng.choice((1, 1, 2, 2, 3, 4)),
        infant_birth_weight_g=rng.randint(2500, 4000),
    )


def _answers(rng: random.Random, criteria: list[Criterion], eligible: bool) -> dict[str, bool]:
    answers = {c.code: c.kind == CriterionKind.INCLUSION for c in criteria}
    if not eligible:
        failing = rng.choice(criteria)
        answers[failing.code] = not answers[failing.code]
    return answers


def _follow_up(rng: random.Random, participant: Participant, by, today: date, withdraw: bool) -> None:
    """Withdraw some; mark those whose schedule is over as completed."""
    last_day = participant.intervention_start + timedelta(days=participant.study.n_days - 1)
    if withdraw:
        on = min(participant.intervention_start + timedelta(days=rng.randint(1, 4)), today)
        services.withdraw_participant(
            participant=participant,
            status=ParticipantStatus.WITHDRAWN,
            on=on,
            reason=rng.choice(WITHDRAWAL_REASONS),
            by=by,
        )
    elif last_day < today:
        services.complete_participant(participant=participant, on=last_day, by=by)


def _ensure_allocation_list(study: Study, n: int, seed: int) -> None:
    if study.allocation_method == AllocationMethod.RANDOMIZED:
        sites = study.sites.count() or 1
        free = AllocationListEntry.objects.filter(site__study=study, allocation__isnull=True).count()
        if free < n:
            services.generate_allocation_list(study=study, seed=f"demo-{seed}-{free}", per_site=n // sites + 4)


def _enroll_one(rng, study, site, by, start: date, number: int) -> Participant:
    criteria = list(study.criteria.all())
    screened_on = start - timedelta(days=rng.randint(0, 1))
    screening = services.screen_mother(
        site=site,
        by=by,
        screened_on=screened_on,
        mother=_mother(rng, screened_on),
        answers=_answers(rng, criteria, eligible=True),
    )
    assigned = study.allocation_method == AllocationMethod.ASSIGNED
    arms = list(study.arms.order_by("order", "code"))
    return services.enroll_participant(
        screening=screening,
        by=by,
        enrolled_on=screened_on,
        intervention_start=start,
        consent=services.ConsentDetails(consented_on=screened_on, form_version="1.0"),
        arm=arms[number % len(arms)] if assigned else None,
        rationale=ASSIGNED_RATIONALE if assigned else "",
    )


def seed_participants(study: Study, n: int, *, seed: int) -> list[Participant]:
    """Screen (some ineligible), consent, enrol and allocate up to ``n`` participants through the services.

    Deterministic for a seed. Only the shortfall is added: a second run with the same ``n``
    adds nothing. Sites alternate; day 1 is spread over the last four weeks (some finished,
    some mid-schedule); about one in ten is withdrawn. Needs the demo users (seed_users).
    """
    rng = random.Random(seed)
    existing = Participant.objects.filter(study=study).count()
    today = timezone.localdate()
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_USERS)}
    sites = list(study.sites.order_by("order", "code"))
    _ensure_allocation_list(study, n - existing, seed)
    created = []
    for number in range(existing, n):
        site = sites[number % len(sites)]
        by = users[f"midwife.{site.code.lower()}"] if f"midwife.{site.code.lower()}" in users else users["coordinator"]
        start = today - timedelta(days=rng.randint(0, 27))
        if rng.random() < 0.25:
            screened_on = start - timedelta(days=1)
            services.screen_mother(
                site=site,
                by=by,
                screened_on=screened_on,
                mother=_mother(rng, screened_on),
                answers=_answers(rng, list(study.criteria.all()), eligible=False),
            )
        participant = _enroll_one(rng, study, site, by, start, number)
        _follow_up(rng, participant, by, today, withdraw=rng.random() < 0.1)
        created.append(participant)
    return created
