"""Two midwives enrolling at the same moment get distinct, sequential IDs (two real connections)."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from enrollment import services

from .conftest import ELIGIBLE_ANSWERS, mother


@pytest.mark.django_db(transaction=True)
def test_concurrent_enrolments_get_distinct_sequential_ids(study, site_srp1, arm_moringa, midwife_srp1, coordinator):
    screenings = [
        services.screen_mother(
            site=site_srp1,
            by=midwife_srp1,
            screened_on=timezone.localdate(),
            mother=mother(f"Ibu {i}"),
            answers=ELIGIBLE_ANSWERS,
        )
        for i in range(6)
    ]
    barrier = threading.Barrier(len(screenings))
    results, errors = [], []

    def enrol(screening, by):
        try:
            barrier.wait()
            participant = services.enroll_participant(
                screening=screening,
                by=by,
                arm=arm_moringa,
                rationale="r",
                consent=services.ConsentDetails(screening.screened_on, "1.0"),
            )
            results.append(participant.participant_id)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [
        threading.Thread(target=enrol, args=(s, midwife_srp1 if i % 2 else coordinator))
        for i, s in enumerate(screenings)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(results) == [f"SRP1-{n:03d}" for n in range(1, 7)]
