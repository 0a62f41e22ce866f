"""The live poll under load: an unchanged poll costs a few queries and no results; a change is computed once."""

import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from analysis import dashboard
from observations.models import Observation

LIVE = reverse("analysis:dashboard_live")
RESULT_TABLES = ("observations_observation", "enrollment_participant", "enrollment_screening", "trialsite_cache")


def test_an_unchanged_poll_answers_204_without_touching_results_or_cache(known_dataset, client_for, monkeypatch):
    client = client_for("investigator")
    client.get(reverse("analysis:dashboard"))
    fingerprint = dashboard.data_fingerprint()
    monkeypatch.setattr(dashboard, "_build", _refuse)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIVE, {"fingerprint": fingerprint}, headers={"HX-Request": "true"})
    assert response.status_code == 204
    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # session, user (with her roles, language and password flag), second-factor device, study, fingerprint:
    # a fixed cost, whatever the number of participants (the session's expiry is renewed once a minute).
    assert len(statements) <= 5
    touched = [sql for sql in statements if any(f'"{table}"' in sql for table in RESULT_TABLES)]
    assert touched == []


def _change(note: str) -> None:
    """A save somewhere in the study (a new event: a new fingerprint)."""
    observation = Observation.objects.filter(missing_reason="").order_by("pk").first()
    Observation.objects.filter(pk=observation.pk).update(notes=note)


def _poll(client, fingerprint: str):
    return client.get(LIVE, {"fingerprint": fingerprint}, headers={"HX-Request": "true"})


def test_polls_under_a_stream_of_saves_compute_at_most_once_per_interval(known_dataset, client_for, monkeypatch):
    clients = [client_for("investigator"), client_for("coordinator")]
    clients[0].get(reverse("analysis:dashboard"))  # computes the results: the interval starts
    held = dashboard.data_fingerprint()
    build = dashboard._build
    monkeypatch.setattr(dashboard, "_build", _refuse)
    for number in range(6):
        _change(f"save {number}")
        assert dashboard.data_fingerprint() != held
        assert _poll(clients[number % 2], held).status_code == 204  # the results of a moment ago are still the latest
    computed = []
    monkeypatch.setattr(dashboard, "_build", lambda *a, **kw: computed.append(1) or build(*a, **kw))
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 0)  # the interval has passed
    response = _poll(clients[0], held)
    assert response.status_code == 200
    assert computed == [1]
    assert f'data-fingerprint="{dashboard.data_fingerprint()}"' in response.content.decode()


def test_a_poller_behind_gets_the_latest_results_without_computing_them(known_dataset, client_for, monkeypatch):
    behind, ahead = client_for("investigator"), client_for("investigator")
    behind.get(reverse("analysis:dashboard"))
    held = dashboard.data_fingerprint()
    _change("first")
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 0)
    assert _poll(ahead, "0.0.0.0.0.0.0").status_code == 200  # computes the results of the change
    latest = dashboard.data_fingerprint()
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 60)
    monkeypatch.setattr(dashboard, "_build", _refuse)
    _change("second")
    response = _poll(behind, held)
    assert response.status_code == 200
    assert f'data-fingerprint="{latest}"' in response.content.decode()
    assert _poll(ahead, latest).status_code == 204


def test_a_fingerprint_is_newer_only_when_no_table_is_behind():
    assert dashboard.newer("5.3.1", than="4.3.1")
    assert not dashboard.newer("5.3.1", than="5.3.1")
    assert not dashboard.newer("5.3.1", than="5.4.1")  # the poller holds later data of one table
    assert dashboard.newer("5.3.1", than="old")


def _refuse(*args, **kwargs):
    raise AssertionError("an unchanged poll computed results")


class _CountingCache:
    """The cache, counting the requests refused the computing marker (they found another computing)."""

    def __init__(self, inner):
        self.inner, self.refused = inner, []

    def add(self, *args, **kwargs):
        claimed = self.inner.add(*args, **kwargs)
        if not claimed:
            self.refused.append(threading.get_ident())
        return claimed

    def __getattr__(self, name):
        return getattr(self.inner, name)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("wait", [True, False])
def test_concurrent_requests_after_a_change_compute_the_results_once(known_dataset, study, monkeypatch, wait):
    computed, started, release = [], threading.Event(), threading.Event()
    build = dashboard._build

    def slow_build(*args, **kwargs):
        computed.append(threading.get_ident())
        started.set()
        release.wait(10)  # hold the computation open while the other requests arrive
        return build(*args, **kwargs)

    monkeypatch.setattr(dashboard, "_build", slow_build)
    monkeypatch.setattr(dashboard, "WAIT_STEP_SECONDS", 0.01)
    counting = _CountingCache(dashboard.cache)
    monkeypatch.setattr(dashboard, "cache", counting)
    bundles = []

    def request():
        try:
            with translation.override("id"):
                bundles.append(dashboard.dashboard_bundle(study, population="complete_cases", masked=False, wait=wait))
        finally:
            connection.close()

    first = threading.Thread(target=request)
    first.start()
    assert started.wait(10)
    others = [threading.Thread(target=request) for _ in range(5)]
    for thread in others:
        thread.start()
    deadline = time.monotonic() + 10
    while len(counting.refused) < len(others) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(counting.refused) == len(others)  # every other request arrived while the first computed
    release.set()
    for thread in [first, *others]:
        thread.join(20)
    assert len(computed) == 1
    assert len(bundles) == 6
    if wait:
        assert all(bundle is not None and bundle["result"]["groups"] for bundle in bundles)
    else:
        assert sum(bundle is None for bundle in bundles) == len(others)


class _StaleFirstRead(_CountingCache):
    """The cache as a request sees it that read it just before another request cached its bundle."""

    def __init__(self, inner):
        super().__init__(inner)
        self.reads = 0

    def get(self, *args, **kwargs):
        self.reads += 1
        return None if self.reads == 1 else self.inner.get(*args, **kwargs)


@pytest.mark.parametrize("wait", [True, False])
def test_a_request_that_read_the_cache_just_before_the_bundle_was_cached_does_not_compute_it_again(
    known_dataset, study, monkeypatch, wait
):
    with translation.override("id"):
        computed = dashboard.dashboard_bundle(study, population="complete_cases", masked=False)
        # Its marker is free again and its bundle cached: the other request claims the marker after that.
        monkeypatch.setattr(dashboard, "cache", _StaleFirstRead(dashboard.cache))
        monkeypatch.setattr(dashboard, "_build", _refuse)
        bundle = dashboard.dashboard_bundle(study, population="complete_cases", masked=False, wait=wait)
    assert bundle["fingerprint"] == computed["fingerprint"] == dashboard.data_fingerprint()
    assert bundle["computed"] == computed["computed"]
    assert not any(key.endswith(":computing") for key in _cache_keys())  # the marker it claimed is freed


def _cache_keys() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute('SELECT cache_key FROM "trialsite_cache"')
        return [row[0] for row in cursor.fetchall()]


def test_html_is_compressed_for_browsers_that_accept_gzip(known_dataset, client_for):
    response = client_for("investigator").get(reverse("analysis:dashboard"), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
