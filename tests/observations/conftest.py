"""Participants and observation data for the observation tests (built on the cast of tests/conftest.py)."""

import itertools
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from enrollment.models import Participant
from observations import services

_numbers = itertools.count(1)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def make_participant(study, site_srp1, arm_moringa, today):
    """make_participant(site=..., arm=..., start=..., **fields) -> a Participant made with the ORM."""

    def make(*, site=None, arm=None, start=None, **fields):
        site = site or site_srp1
        start = start or today - timedelta(days=3)
        return Participant.objects.create(
            study=study,
            site=site,
            arm=arm or arm_moringa,
            participant_id=fields.pop("participant_id", f"{site.code}-{next(_numbers):03d}"),
            enrolled_on=fields.pop("enrolled_on", start),
            intervention_start=start,
            **fields,
        )

    return make


@pytest.fixture
def participant(make_participant, cast):
    """An active moringa participant at SRP1 whose day 1 was three days ago (days 1–4 are enterable)."""
    return make_participant()


@pytest.fixture
def massage_participant(make_participant, arm_massage, cast):
    return make_participant(arm=arm_massage)


@pytest.fixture
def par_participant(make_participant, site_par, cast):
    return make_participant(site=site_par)


@pytest.fixture
def good_values(today):
    """good_values(participant, day) -> form/API values that are valid for that day (score 5)."""

    def make(participant, day=1, **changes):
        values = {
            "observed_on": (participant.intervention_start + timedelta(days=day - 1)).isoformat(),
            "feeds_24h": 10,
            "wet_diapers_24h": 7,
            "sleep_after_feed_hours": "2.5",
            "breast_full_then_soft": "yes",
            "adherence": "yes",
            "notes": "",
        }
        if participant.arm.adherence == "massage":
            values["massage_minutes"] = 15
        values.update(changes)
        return values

    return make


@pytest.fixture
def record(good_values, midwife_srp1):
    """record(participant, day, **changes) -> an Observation saved through the service.

    ``missing_reason=...`` records a missing day instead.
    """

    def make(participant, day=1, user=None, **changes):
        if changes.get("missing_reason"):
            values = dict(changes)
        else:
            values = good_values(participant, day, **changes)
            values["breast_full_then_soft"] = values["breast_full_then_soft"] == "yes"
        return services.record_observation(
            participant=participant, day=day, values=values, by=user or midwife_srp1, idempotency_key=uuid.uuid4()
        )

    return make


# --- Import files (interchange format) -------------------------------------------------------------

P_HEADER = "participant_id,site,arm,enrolled_on,intervention_start,status,status_date,status_reason,age_years,parity"
O_HEADER = (
    "participant_id,day,observed_on,feeds_24h,wet_diapers_24h,sleep_after_feed_hours,breast_full_then_soft,"
    "adherence,massage_minutes,missing_reason,deviation_reason,score"
)


def obs_line(pid, day, start, *, feeds="10", score="5", arm="moringa", missing="", deviation="", date=None):
    on = "" if missing else (date or (start + timedelta(days=day - 1)).isoformat())
    values = "" if missing else f"{feeds},7,2.5,yes"
    adherence = "" if missing else ("yes,15" if arm != "moringa" else "yes,")
    measures = values if values else ",,,"
    return f"{pid},{day},{on},{measures},{adherence or ','},{missing},{deviation},{'' if missing else score}"


@pytest.fixture
def start(today):
    return today - timedelta(days=10)


@pytest.fixture
def participants_csv(start):
    d = start.isoformat()
    gone = (start + timedelta(days=2)).isoformat()
    return "\n".join([
        P_HEADER,
        f"IMP-001,SRP1,moringa,{d},{d},completed,,,28,1",
        f"IMP-002,PAR,oxytocin_massage,{d},{d},withdrawn,{gone},moved away,31,2",
    ]) + "\n"  # fmt: skip


@pytest.fixture
def observations_csv(start):
    return "\n".join([
        O_HEADER,
        obs_line("IMP-001", 1, start, feeds="7", score="4"),
        obs_line("IMP-001", 2, start, missing="not_visited"),
        obs_line("IMP-002", 1, start, arm="massage"),
    ]) + "\n"  # fmt: skip


@pytest.fixture
def write(tmp_path):
    def make(name, text):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return make
