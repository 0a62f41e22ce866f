"""Idempotency is decided under the lock that writes: replays answer 200, a key reused elsewhere 409."""

import threading
import uuid

import pytest
from django.db import connection
from django.test import Client

from observations.models import Observation


def race(n, work):
    barrier = threading.Barrier(n)
    results = []

    def run(i):
        try:
            barrier.wait()
            results.append(work(i))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _payload(participant, good_values, key):
    return {"participant": participant.pk, "day": 1, **good_values(participant, 1), "breast_full_then_soft": True,
            "idempotency_key": key}  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_parallel_replays_answer_200_after_one_201(cast, make_participant, good_values):
    participant, key = make_participant(), str(uuid.uuid4())
    payload = _payload(participant, good_values, key)

    def send(_i):
        client = Client()
        client.force_login(cast["midwife.srp1"])
        return client.post("/api/v1/observations/", payload, content_type="application/json").status_code

    codes = race(12, send)
    assert sorted(codes) == [200] * 11 + [201]
    assert Observation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_key_for_two_participants_at_once_answers_409_for_the_second(cast, make_participant, good_values):
    first, second, key = make_participant(), make_participant(), str(uuid.uuid4())

    def send(i):
        client = Client()
        client.force_login(cast["midwife.srp1"])
        payload = _payload((first, second)[i], good_values, key)
        return client.post("/api/v1/observations/", payload, content_type="application/json").status_code

    assert sorted(race(2, send)) == [201, 409]
    assert Observation.objects.count() == 1
