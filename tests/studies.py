"""Generated studies for the tests that hold every channel to the same numbers.

A plan (hypothesis, ``study_plans``) says, per participant, how she came in and what happened:
enrolled through the services (screened, consented, allocated) or imported without a screening
record; her site and arm; her daily scores, with days marked missing (so a missing pre or post) and
visits outside the window; whether she was withdrawn or lost to follow-up, and on which day, or
completed the schedule; whether she is excluded from every population or from per protocol only.
Beside them, mothers screened and not eligible, and mothers eligible but not enrolled.
``build_study`` writes the plan through the same services the pages and the API use.
"""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import strategies as st

from enrollment import exclusion
from enrollment import services as enrolment
from enrollment.models import CriterionKind, DeliveryMode, Participant, ParticipantStatus, Study
from observations import services as observations
from tests.analysis.conftest import fields_for_score

DAYS = range(1, 8)
MISSING = None  # a planned day marked missing instead of scored

person = st.fixed_dictionaries(
    {
        "route": st.sampled_from(("services", "services", "imported")),
        "site": st.sampled_from(("SRP1", "PAR")),
        "arm": st.sampled_from(("moringa", "oxytocin_massage")),
        "delay": st.integers(0, 9),  # day 1 is this many days before the latest possible day 1
        "days": st.dictionaries(st.sampled_from(DAYS), st.one_of(st.integers(1, 5), st.none()), max_size=7),
        "late": st.sets(st.sampled_from(DAYS), max_size=2),
        "left": st.sampled_from((None, None, ParticipantStatus.WITHDRAWN, ParticipantStatus.LOST_TO_FOLLOW_UP)),
        "left_day": st.integers(1, 7),
        "completed": st.booleans(),
        "excluded": st.sampled_from(("", "", exclusion.ExclusionScope.ALL, exclusion.ExclusionScope.PER_PROTOCOL)),
    }
)
study_plans = st.fixed_dictionaries(
    {
        "people": st.lists(person, min_size=1, max_size=8),
        "ineligible": st.integers(0, 2),
        "not_enrolled": st.integers(0, 1),
    }
)


def _someone(**changes) -> dict:
    plan = {"route": "services", "site": "SRP1", "arm": "moringa", "delay": 0, "days": {}, "late": set(),
            "left": None, "left_day": 1, "completed": False, "excluded": ""}  # fmt: skip
    return {**plan, **changes}


# One plan with every kind of participant, run first by every test that uses study_plans.
EVERY_KIND = {
    "people": [
        _someone(days={1: 2, 4: 3, 7: 4}, completed=True),
        _someone(route="imported", arm="oxytocin_massage", site="PAR", days={1: 1, 7: 5}),
        _someone(days={1: MISSING, 7: 3}, delay=3),  # no pretest
        _someone(arm="oxytocin_massage", days={1: 2, 7: MISSING}),  # no posttest
        _someone(days={1: 2, 2: 3, 7: 4}, late={2, 7}, site="PAR"),  # out of window
        _someone(arm="oxytocin_massage", days={1: 3, 2: 3, 5: MISSING}, left=ParticipantStatus.WITHDRAWN, left_day=3),
        _someone(days={1: 4}, left=ParticipantStatus.LOST_TO_FOLLOW_UP, left_day=2, site="PAR", delay=8),
        _someone(arm="oxytocin_massage", days={1: 1, 7: 2}, excluded=exclusion.ExclusionScope.ALL),
        _someone(days={1: 1, 7: 5}, late={7}, excluded=exclusion.ExclusionScope.PER_PROTOCOL),
    ],
    "ineligible": 2,
    "not_enrolled": 1,
}


@dataclass(frozen=True)
class Cast:
    study: Study
    by: object  # the coordinator: screens, enrols, records, withdraws and excludes at every site
    latest_start: date  # the latest day 1; each participant's is ``delay`` days before it


def build_study(plan: dict, cast: Cast) -> list[Participant]:
    """Write ``plan`` into ``cast.study``; dates after today are left out (they have not happened yet)."""
    for number in range(plan["ineligible"]):
        _screen(cast, cast.latest_start, number, eligible=False)
    for number in range(plan["not_enrolled"]):
        _screen(cast, cast.latest_start, 100 + number, eligible=True)
    return [_participant(cast, index, someone) for index, someone in enumerate(plan["people"])]


def _mother(first_day: date, number: int) -> enrolment.MotherDetails:
    return enrolment.MotherDetails(
        full_name=f"Ibu Uji {number}", phone="081234567890", date_of_birth=first_day - timedelta(days=25 * 365),
        delivery_date=first_day - timedelta(days=2), delivery_mode=DeliveryMode.VAGINAL, parity=1 + number % 3,
        infant_birth_weight_g=3000 + number,
    )  # fmt: skip


def _screen(cast: Cast, on: date, number: int, *, eligible: bool, site=None):
    criteria = list(cast.study.criteria.all())
    answers = {c.code: c.kind == CriterionKind.INCLUSION for c in criteria}
    if not eligible:
        failed = criteria[number % len(criteria)].code
        answers[failed] = not answers[failed]
    site = site or cast.study.sites.order_by("code")[number % 2]
    return enrolment.screen_mother(site=site, by=cast.by, screened_on=on, mother=_mother(on, number), answers=answers)


def _enrol(cast: Cast, index: int, someone: dict, first_day: date) -> Participant:
    site, arm = cast.study.sites.get(code=someone["site"]), cast.study.arms.get(code=someone["arm"])
    if someone["route"] == "imported":
        return Participant.objects.create(
            study=cast.study, site=site, arm=arm, participant_id=f"IMP-{index:02d}", enrolled_on=first_day,
            intervention_start=first_day, age_years=25, parity=1,
        )  # fmt: skip
    screening = _screen(cast, first_day, index, eligible=True, site=site)
    return enrolment.enroll_participant(
        screening=screening, by=cast.by, consent=enrolment.ConsentDetails(first_day, "1.0"), enrolled_on=first_day,
        intervention_start=first_day, arm=arm, rationale="Penetapan kelompok sesuai protokol",
    )  # fmt: skip


def _participant(cast: Cast, index: int, someone: dict) -> Participant:
    first_day = cast.latest_start - timedelta(days=someone["delay"])
    participant = _enrol(cast, index, someone, first_day)
    today = observations.local_today()
    left_on = first_day + timedelta(days=someone["left_day"] - 1) if someone["left"] else None
    for day, score in sorted(someone["days"].items()):
        _record(cast, participant, day, score, late=day in someone["late"], today=today, left_on=left_on)
    if left_on is not None and left_on <= today:
        enrolment.withdraw_participant(
            participant=participant, status=someone["left"], on=left_on, reason="Pindah ke luar wilayah", by=cast.by
        )
    elif someone["completed"] and first_day + timedelta(days=6) <= today:
        enrolment.complete_participant(participant=participant, on=first_day + timedelta(days=6), by=cast.by)
    if someone["excluded"]:
        exclusion.exclude_from_population(
            participant=participant, scope=someone["excluded"], reason="Tidak memenuhi protokol", by=cast.by
        )
    return participant


def _record(cast: Cast, participant: Participant, day: int, score, *, late: bool, today: date, left_on) -> None:
    target = participant.intervention_start + timedelta(days=day - 1)
    if score is MISSING:
        values = {"missing_reason": "not_visited"}
        if target > today:
            return
    else:
        observed_on = target + timedelta(days=cast.study.window_days + 1 if late else 0)
        if observed_on > today or (left_on is not None and observed_on > left_on):
            return
        values = _scored(participant, score, observed_on, late)
    observations.record_observation(
        participant=participant, day=day, values=values, by=cast.by, idempotency_key=uuid.uuid4(), today=today
    )


def _scored(participant: Participant, score: int, observed_on: date, late: bool) -> dict:
    values = {**fields_for_score(score), "observed_on": observed_on, "adherence": "yes"}
    if participant.arm.adherence == "massage":
        values["massage_minutes"] = 15
    if late:
        values["deviation_reason"] = "Kunjungan terlambat"
    return values
