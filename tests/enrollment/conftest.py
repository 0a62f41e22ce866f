"""Helpers for enrolment tests: screen and enrol mothers through the real services."""

from datetime import date, timedelta

import pytest
from django.utils import timezone, translation

from enrollment import services
from enrollment.models import AllocationMethod
from observations.demo import study as demo

ELIGIBLE_ANSWERS = {code: kind == "inclusion" for code, (kind, *_rest) in demo.DEMO_CRITERIA.items()}


def mother(name: str = "Siti Aminah", screened_on: date | None = None, **changes) -> services.MotherDetails:
    screened_on = screened_on or timezone.localdate()
    values = {
        "full_name": name,
        "phone": "081234567890",
        "date_of_birth": date(1995, 3, 4),
        "delivery_date": screened_on - timedelta(days=3),
        "delivery_mode": "vaginal",
        "parity": 1,
        "infant_birth_weight_g": 3100,
    }
    return services.MotherDetails(**{**values, **changes})


@pytest.fixture(autouse=True)
def _english():
    """Service messages and report labels are checked in English (pages choose their own language)."""
    with translation.override("en"):
        yield


@pytest.fixture
def screen(study):
    """screen(site, by, answers=…, **mother fields) -> Screening (eligible by default)."""

    def make(site, by, *, answers=None, screened_on=None, name="Siti Aminah", **changes):
        screened_on = screened_on or timezone.localdate()
        return services.screen_mother(
            site=site,
            by=by,
            screened_on=screened_on,
            mother=mother(name, screened_on, **changes),
            answers=ELIGIBLE_ANSWERS if answers is None else answers,
        )

    return make


@pytest.fixture
def enroll(screen, arm_moringa):
    """enroll(site, by, arm=…) -> Participant: screened, consented and enrolled today."""

    def make(site, by, *, arm=None, name="Siti Aminah", **mother_changes):
        screening = screen(site, by, name=name, **mother_changes)
        assigned = site.study.allocation_method == AllocationMethod.ASSIGNED
        return services.enroll_participant(
            screening=screening,
            by=by,
            consent=services.ConsentDetails(screening.screened_on, "1.0"),
            arm=(arm or arm_moringa) if assigned else None,
            rationale="Purposive assignment" if assigned else "",
        )

    return make


@pytest.fixture
def randomized_study(study, coordinator):
    """The demo study switched to randomization, with a concealed list of 8 slots per site."""
    study.allocation_method = AllocationMethod.RANDOMIZED
    study.save(update_fields=["allocation_method"])
    services.generate_allocation_list(study=study, seed="test-seed", per_site=8, by=coordinator)
    return study
