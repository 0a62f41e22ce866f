"""Enrolment workflows: screen, consent, enrol (ID + allocation), withdraw, complete, allocation lists.

Every function is keyword-only, validates, writes inside ``transaction.atomic`` and
records a reason for change in the audit trail.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from enrollment import eligibility, randomization, rules
from enrollment.control import require_unlocked
from enrollment.models import (
    Allocation,
    AllocationList,
    AllocationListEntry,
    AllocationMethod,
    Arm,
    Consent,
    Criterion,
    Participant,
    ParticipantStatus,
    Screening,
    ScreeningAnswer,
    Site,
    SiteCounter,
    Study,
)
from trialsite import audit


class EnrollmentError(ValidationError):
    """A workflow rule was broken; the message is for the user (``{field: [messages]}`` for field rules)."""


def _raise_if(errors: rules.Errors) -> None:
    if errors:
        raise EnrollmentError(errors)


@dataclass(frozen=True)
class MotherDetails:
    """What the midwife records about the mother at screening."""

    full_name: str
    phone: str
    date_of_birth: date
    delivery_date: date
    delivery_mode: str
    parity: int
    infant_birth_weight_g: int


@transaction.atomic
def screen_mother(
    *, site: Site, by, screened_on: date, mother: MotherDetails, answers: Mapping[str, bool | None]
) -> Screening:
    """Record a screening (eligible or not) with every answer; failed criteria are its reasons."""
    require_unlocked(site.study)
    _raise_if(
        rules.merge(
            rules.screening_errors(
                screened_on=screened_on, date_of_birth=mother.date_of_birth, delivery_date=mother.delivery_date,
                today=timezone.localdate(), study_start=site.study.start_date,
            ),
            rules.texts_errors(Screening, {"full_name": mother.full_name, "phone": mother.phone}),
        )
    )  # fmt: skip
    criteria = list(Criterion.objects.filter(study=site.study))
    verdict = eligibility.assess([eligibility.Rule(c.code, c.kind) for c in criteria], answers)
    with audit.reason(_("Screening"), user=by.pk):
        screening = Screening.objects.create(
            study=site.study,
            site=site,
            screened_on=screened_on,
            screened_by=by,
            eligible=verdict.eligible,
            **mother.__dict__,
        )
        ScreeningAnswer.objects.bulk_create(
            ScreeningAnswer(
                screening=screening, criterion=c, answer=answers.get(c.code), failed=c.code in verdict.failed_codes
            )
            for c in criteria
        )
    return screening


@transaction.atomic
def record_consent(*, screening: Screening, consented_on: date, form_version: str = "", by) -> Consent:
    """Record written informed consent for an eligible screening.

    A blank ``form_version`` means the study's current consent form (pages and API alike).
    """
    require_unlocked(screening.study)
    if not screening.eligible:
        raise EnrollmentError(_("Consent can only be recorded after an eligible screening."))
    form_version = form_version.strip() or screening.study.consent_form_version.strip()
    if not form_version:
        raise EnrollmentError({"consent_form_version": [_("Give the version of the consent form.")]})
    _raise_if(
        rules.merge(
            rules.enrolment_errors(
                screened_on=screening.screened_on, consented_on=consented_on, enrolled_on=consented_on,
                intervention_start=consented_on, today=timezone.localdate(), study_start=screening.study.start_date,
            ),
            rules.text_errors("consent_form_version", form_version, Consent._meta.get_field("form_version").max_length),
        )
    )  # fmt: skip
    if Consent.objects.filter(screening=screening).exists():
        raise EnrollmentError(_("Consent has already been recorded for this screening."))
    with audit.reason(_("Informed consent"), user=by.pk):
        return Consent.objects.create(
            screening=screening, consented_on=consented_on, form_version=form_version, obtained_by=by
        )


def _next_participant_id(site: Site) -> str:
    """The next unused ``<SITE>-NNN``. Must run inside a transaction: it holds the site counter lock."""
    SiteCounter.objects.bulk_create([SiteCounter(site=site)], ignore_conflicts=True)
    counter = SiteCounter.objects.select_for_update().get(site=site)
    number = counter.last_number + 1
    while Participant.objects.filter(study_id=site.study_id, participant_id=f"{site.code}-{number:03d}").exists():
        number += 1  # skip IDs taken by imported participants
    counter.last_number = number
    counter.save(update_fields=["last_number"])
    return f"{site.code}-{number:03d}"


def _choose_arm(*, site: Site, arm: Arm | None, rationale: str) -> tuple[Arm, AllocationListEntry | None]:
    """The arm per the study's allocation method. Must run inside the transaction holding the site lock."""
    if site.study.allocation_method == AllocationMethod.RANDOMIZED:
        if arm is not None:
            raise EnrollmentError(_("This study is randomized: the arm cannot be chosen."))
        entry = (
            AllocationListEntry.objects.select_for_update(of=("self",))
            .filter(site=site, allocation__isnull=True)
            .select_related("arm")
            .order_by("sequence")
            .first()
        )
        if entry is None:
            raise EnrollmentError(_("The allocation list of this site is used up; ask the coordinator to extend it."))
        return entry.arm, entry
    if arm is None or arm.study_id != site.study_id:
        raise EnrollmentError(_("Choose the arm."))
    if not rationale.strip():
        raise EnrollmentError(_("Record why this arm was assigned."))
    return arm, None


@dataclass(frozen=True)
class ConsentDetails:
    consented_on: date
    form_version: str = ""  # blank: the study's current consent form


def _consent_on_file(screening: Screening, consent: ConsentDetails | None, by) -> Consent:
    """The screening's consent, recording ``consent`` first if none is on file."""
    if consent is not None and not Consent.objects.filter(screening=screening).exists():
        record_consent(screening=screening, consented_on=consent.consented_on, form_version=consent.form_version, by=by)
    signed = Consent.objects.filter(screening=screening).first()
    if signed is None:
        raise EnrollmentError(_("No enrolment without informed consent."))
    return signed


def _check_dates(
    screening: Screening, consent: ConsentDetails | None, enrolled_on: date, intervention_start: date, rationale: str
) -> None:
    """Every date rule of the enrolment (and of a consent recorded with it), reported together."""
    signed = Consent.objects.filter(screening=screening).values_list("consented_on", flat=True).first()
    if signed is None and consent is not None:
        signed = consent.consented_on
    _raise_if(
        rules.merge(
            rules.enrolment_errors(
                screened_on=screening.screened_on, consented_on=signed, enrolled_on=enrolled_on,
                intervention_start=intervention_start, today=timezone.localdate(),
                study_start=screening.study.start_date,
            ),
            rules.age_at_enrolment_errors(date_of_birth=screening.date_of_birth, enrolled_on=enrolled_on),
            rules.texts_errors(Allocation, {"rationale": rationale}),
        )
    )  # fmt: skip


def _baseline_from(screening: Screening, enrolled_on: date) -> dict:
    """Identifiers and baseline characteristics copied from the screening."""
    return {
        "full_name": screening.full_name,
        "phone": screening.phone,
        "date_of_birth": screening.date_of_birth,
        "age_years": rules.age_on(screening.date_of_birth, enrolled_on),
        "parity": screening.parity,
        "delivery_mode": screening.delivery_mode,
        "delivery_date": screening.delivery_date,
        "infant_birth_weight_g": screening.infant_birth_weight_g,
    }


@transaction.atomic
def enroll_participant(
    *,
    screening: Screening,
    by,
    consent: ConsentDetails | None = None,
    enrolled_on: date | None = None,
    intervention_start: date | None = None,
    arm: Arm | None = None,
    rationale: str = "",
) -> Participant:
    """Enrol the mother of an eligible, consented screening: ID, arm, allocation record, day 1.

    ``consent`` records the consent in the same transaction when it is not on file yet.
    Day 1 defaults to the enrolment date, which defaults to today.
    """
    locked = Screening.objects.select_for_update(of=("self",), no_key=True)
    screening = locked.select_related("site__study").get(pk=screening.pk)
    require_unlocked(screening.study)
    if not screening.eligible:
        raise EnrollmentError(_("Only an eligible mother can be enrolled."))
    if Participant.objects.filter(screening=screening).exists():
        raise EnrollmentError(_("This mother is already enrolled."))
    enrolled_on = enrolled_on or timezone.localdate()
    intervention_start = intervention_start or enrolled_on
    _check_dates(screening, consent, enrolled_on, intervention_start, rationale)
    _consent_on_file(screening, consent, by)
    site = screening.site
    participant_id = _next_participant_id(site)
    chosen, entry = _choose_arm(site=site, arm=arm, rationale=rationale)
    with audit.reason(_("Enrolment"), user=by.pk):
        participant = Participant.objects.create(
            study=site.study, site=site, arm=chosen, participant_id=participant_id, screening=screening,
            enrolled_on=enrolled_on, intervention_start=intervention_start, created_by=by,
            **_baseline_from(screening, enrolled_on),
        )  # fmt: skip
        Allocation.objects.create(
            participant=participant, arm=chosen, method=site.study.allocation_method,
            rationale=rationale.strip(), list_entry=entry, allocated_by=by,
        )  # fmt: skip
    return participant


LEAVING = (ParticipantStatus.WITHDRAWN, ParticipantStatus.LOST_TO_FOLLOW_UP)


@transaction.atomic
def withdraw_participant(*, participant: Participant, status: str, on: date, reason: str, by) -> Participant:
    """Mark a participant withdrawn or lost to follow-up from ``on``; nothing may be recorded after it."""
    participant = Participant.objects.select_for_update(no_key=True).get(pk=participant.pk)
    require_unlocked(participant.study)
    if status not in LEAVING:
        raise EnrollmentError(_("Choose withdrawn or lost to follow-up."))
    if participant.status != ParticipantStatus.ACTIVE:
        raise EnrollmentError(_("Only an active participant can be withdrawn."))
    errors = rules.merge(
        rules.status_date_errors(on=on, enrolled_on=participant.enrolled_on),
        rules.text_errors("reason", reason, Participant._meta.get_field("status_reason").max_length),
    )
    if not reason.strip():
        rules.add(errors, "reason", _("Give the reason."))
    _raise_if(errors)
    participant.status, participant.status_date, participant.status_reason = status, on, reason.strip()
    with audit.reason(reason.strip(), user=by.pk):
        participant.save(update_fields=["status", "status_date", "status_reason"])
    return participant


@transaction.atomic
def complete_participant(*, participant: Participant, on: date, by) -> Participant:
    """Mark an active participant as having completed the schedule."""
    participant = Participant.objects.select_for_update(no_key=True).get(pk=participant.pk)
    require_unlocked(participant.study)
    if participant.status != ParticipantStatus.ACTIVE:
        raise EnrollmentError(_("Only an active participant can complete the study."))
    _raise_if(rules.status_date_errors(on=on, enrolled_on=participant.enrolled_on))
    participant.status, participant.status_date = ParticipantStatus.COMPLETED, on
    with audit.reason(_("Completed the schedule"), user=by.pk):
        participant.save(update_fields=["status", "status_date"])
    return participant


@transaction.atomic
def generate_allocation_list(
    *, study: Study, seed: str, per_site: int, by=None, block_sizes: Sequence[int] | None = None
) -> AllocationList:
    """Append ``per_site`` (rounded up to whole blocks) concealed slots to every site's list.

    Each site is a stratum with its own stream, seeded by ``"<seed>:<site code>"``.
    """
    arms = list(study.arms.order_by("order", "code"))
    sizes = tuple(block_sizes or randomization.default_block_sizes(len(arms)))
    by_code = {a.code: a for a in arms}
    lst = AllocationList.objects.create(study=study, seed=seed, block_sizes=",".join(map(str, sizes)), created_by=by)
    for site in study.sites.all():
        start = AllocationListEntry.objects.filter(site=site).aggregate(m=Max("sequence"))["m"] or 0
        blocks = AllocationListEntry.objects.filter(site=site).aggregate(m=Max("block"))["m"] or 0
        slots = randomization.permuted_blocks(list(by_code), per_site, seed=f"{seed}:{site.code}", block_sizes=sizes)
        AllocationListEntry.objects.bulk_create(
            AllocationListEntry(
                allocation_list=lst,
                site=site,
                sequence=start + s.sequence,
                block=blocks + s.block,
                block_size=s.block_size,
                arm=by_code[s.arm],
            )
            for s in slots
        )
    return lst


@dataclass(frozen=True)
class UploadedSlot:
    site: str
    block: int
    arm: str


@transaction.atomic
def upload_allocation_list(*, study: Study, slots: Sequence[UploadedSlot], by) -> AllocationList:
    """Append a coordinator's own list (site, block, arm in order) to each site's concealed list."""
    sites = {s.code: s for s in study.sites.all()}
    arms = {a.code: a for a in study.arms.all()}
    unknown = sorted({s.site for s in slots} - set(sites)) + sorted({s.arm for s in slots} - set(arms))
    if not slots or unknown:
        raise EnrollmentError(_("The list is empty or names unknown sites or arms: %(codes)s") % {"codes": unknown})
    sizes: dict[tuple[str, int], int] = {}
    for slot in slots:
        sizes[(slot.site, slot.block)] = sizes.get((slot.site, slot.block), 0) + 1
    lst = AllocationList.objects.create(study=study, created_by=by)
    for code, site in sites.items():
        start = AllocationListEntry.objects.filter(site=site).aggregate(m=Max("sequence"))["m"] or 0
        blocks = AllocationListEntry.objects.filter(site=site).aggregate(m=Max("block"))["m"] or 0
        mine = [s for s in slots if s.site == code]
        AllocationListEntry.objects.bulk_create(
            AllocationListEntry(
                allocation_list=lst,
                site=site,
                sequence=start + i,
                block=blocks + s.block,
                block_size=sizes[(code, s.block)],
                arm=arms[s.arm],
            )
            for i, s in enumerate(mine, start=1)
        )
    return lst
