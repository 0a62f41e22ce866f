"""On a home visit without a connection (360 px, Indonesian): entries wait on the phone, are sent once
when the connection returns, a rejected one comes back with its message, and sign-out clears the phone."""

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect
from rest_framework.response import Response

from observations.api import ObservationViewSet
from observations.models import Observation
from tests.browser import PhoneConnection, fits_the_screen, watch_csp_errors
from trialsite.audit import event_model_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEPT_KEYS_JS = """async () => {
    const store = idbKeyval.createStore("trialsite-offline", "entries");
    return (await idbKeyval.keys(store)).map(String).filter(k => k.startsWith("entry:"));
}"""

KEPT_PAGE_OWNERS_JS = """async () => {
    const cache = await caches.open("trialsite-pages");
    const owners = [];
    for (const request of await cache.keys()) {
        const html = await (await cache.match(request)).text();
        owners.push((html.match(/data-offline-user="(\\d+)"/) || [])[1]);
    }
    return owners;
}"""


@contextmanager
def entries_refused():
    """While the phone is offline, the API answers a new entry with 503 ("try later"), as an unreachable server
    leaves it waiting. A page the service worker serves starts out reading navigator.onLine as true on
    Chromium 150 (tests/browser.PhoneConnection), so Today sends what waits as it loads; on a busy machine
    that request got past the emulation and a context route (CI: one row saved while "offline")."""
    create = ObservationViewSet.create
    ObservationViewSet.create = lambda *args, **kwargs: Response(status=503)
    try:
        yield
    finally:
        ObservationViewSet.create = create


WORKER_STATE_JS = """async () => {
    const r = await navigator.serviceWorker.getRegistration();
    return {controller: navigator.serviceWorker.controller !== null, online: navigator.onLine,
            installing: r && r.installing && r.installing.state, waiting: !!(r && r.waiting),
            active: r && r.active && r.active.state};
}"""


def _ready_for_offline(page, live_server):
    """Today opened once online: the service worker installed (it fetches every offline asset and the due days'
    forms from the live server the other tests share, so it is given a minute), the phone ready."""
    page.goto(f"{live_server.url}/observations/today/")
    try:
        page.wait_for_function("() => document.body.dataset.offlineReady === '1'", timeout=60_000)
    except PlaywrightTimeoutError:
        raise AssertionError(f"never ready for offline use: {page.evaluate(WORKER_STATE_JS)}") from None
    assert page.evaluate("navigator.serviceWorker.controller !== null")


def _enter(page, connection, live_server, participant, day, feeds="10"):
    """Fill and save the daily form offline (served by the phone), landing on Today."""
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/{day}/")
    connection.hold(page)
    page.fill("input[name=observed_on]", (participant.intervention_start + timedelta(days=day - 1)).isoformat())
    page.fill("input[name=feeds_24h]", feeds)
    page.fill("input[name=wet_diapers_24h]", "7")
    page.fill("input[name=sleep_after_feed_hours]", "2.5")
    page.check("input[name=breast_full_then_soft][value=yes]")
    page.check("input[name=adherence][value=yes]")
    page.click("[data-testid=save]")
    page.wait_for_url("**/observations/today/")
    connection.hold(page)
    page.wait_for_function("() => document.body.dataset.outboxCount !== undefined")


@pytest.fixture
def connection(context):
    return PhoneConnection(context)


@pytest.fixture
def two_mothers(make_participant, cast):
    return make_participant(), make_participant()


def test_entries_made_offline_wait_and_are_sent_once_when_the_connection_returns(
    page, connection, live_server, login, two_mothers
):
    csp_errors = watch_csp_errors(page)
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)

    connection.cut()
    with entries_refused():
        for mother in two_mothers:
            for day in (1, 2):
                _enter(page, connection, live_server, mother, day)
        assert page.locator("[data-testid=offline-banner]").is_visible()
        # The outbox list is drawn from IndexedDB after the page loads: wait for it, do not sample it.
        expect(page.locator("[data-testid=outbox-count]")).to_have_text("4")
        expect(page.locator("[data-testid=outbox-entry]", has_text="Menunggu dikirim")).to_have_count(4)
        assert fits_the_screen(page)
        assert Observation.objects.count() == 0

    connection.restore()
    page.wait_for_function("() => document.body.dataset.outboxCount === '0'", timeout=15_000)
    rows = list(Observation.objects.values_list("participant_id", "day").order_by("participant_id", "day"))
    assert rows == [(m.pk, d) for m in two_mothers for d in (1, 2)]

    page.locator("[data-testid=send-now]").evaluate("button => button.click()")  # a resend changes nothing
    page.wait_for_timeout(500)
    assert Observation.objects.count() == 4
    assert csp_errors == []


def test_send_now_sends_what_waits(page, connection, live_server, login, two_mothers):
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    connection.cut()
    with entries_refused():  # offline, then a patchy connection: sending fails
        _enter(page, connection, live_server, two_mothers[0], 1)
        page.locator("[data-testid=send-now]").click()
        assert "Tidak ada koneksi" in page.locator("[data-testid=outbox-status]").inner_text()
        connection.restore()
        page.wait_for_timeout(500)
        expect(page.locator("[data-testid=outbox-count]")).to_have_text("1")
    page.locator("[data-testid=send-now]").click()
    page.wait_for_function("() => document.body.dataset.outboxCount === '0'", timeout=15_000)
    assert Observation.objects.filter(participant=two_mothers[0], day=1).count() == 1


def test_a_rejected_entry_comes_back_with_its_message_and_her_values(
    page, connection, live_server, login, two_mothers, record, coordinator
):
    mother = two_mothers[0]
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    connection.cut()
    with entries_refused():
        _enter(page, connection, live_server, mother, 1, feeds="11")
    record(mother, 1, user=coordinator)  # meanwhile the coordinator entered day 1 at the health centre

    connection.restore()
    rejected = page.locator("[data-testid=outbox-entry][data-status=rejected]")
    rejected.wait_for(timeout=15_000)
    assert "Hari ke-1 sudah memiliki observasi" in rejected.inner_text()
    expect(page.locator("[data-testid=outbox-count]")).to_have_text("1")
    assert Observation.objects.get().feeds_24h == 10  # the stored day is untouched

    rejected.locator("[data-testid=outbox-open]").click()
    page.wait_for_function("() => !document.getElementById('draft-errors').classList.contains('d-none')")
    assert "Hari ke-1 sudah memiliki observasi" in page.locator("[data-testid=draft-errors]").inner_text()
    assert page.locator("input[name=feeds_24h]").input_value() == "11"
    assert fits_the_screen(page)


def test_sign_out_clears_the_phone_and_the_next_user_sees_nothing(
    page, connection, live_server, login, two_mothers, coordinator, monkeypatch
):
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    connection.cut()
    _enter(page, connection, live_server, two_mothers[0], 1)
    assert len(page.evaluate(KEPT_KEYS_JS)) == 1
    # It cannot be sent yet: the server (its live thread, in this process) is down for the API. Refused
    # there, not by a browser route, which the service worker's own request could slip past (the entry
    # would then be sent and Today reloaded under the clicks below).
    monkeypatch.setattr(ObservationViewSet, "create", lambda *args, **kwargs: Response(status=503))
    with page.expect_response("**/api/v1/observations/") as refused:
        connection.restore()
    assert refused.value.status == 503
    page.wait_for_function("() => document.body.dataset.outboxCount === '1'")

    # The menu fully open before the tap: a tap on a button still sliding into view can be lost.
    page.locator(".navbar-toggler").click()
    expect(page.locator("#mainnav")).to_have_class(re.compile(r"\bshow\b"))
    page.click("form[data-logout] button")
    warning = page.locator("[data-testid=logout-warning]")
    warning.wait_for()
    assert "1" in warning.inner_text()
    page.click("form[data-logout] button")
    page.wait_for_url("**/accounts/login/")

    login(page, "coordinator")
    page.goto(f"{live_server.url}/observations/today/")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    assert page.evaluate(KEPT_KEYS_JS) == []
    assert not page.locator("[data-testid=outbox]").is_visible()
    assert set(page.evaluate(KEPT_PAGE_OWNERS_JS)) == {str(coordinator.pk)}  # her pages are gone, his are kept


def test_another_user_signing_in_without_sign_out_never_sees_the_first_users_entries(
    page, context, connection, live_server, login, two_mothers
):
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    connection.cut()
    with entries_refused():
        _enter(page, connection, live_server, two_mothers[0], 1)
        connection.restore()
        context.clear_cookies()  # the session ended on the server side (idle expiry)

        login(page, "coordinator")
        page.goto(f"{live_server.url}/observations/today/")
        page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
        assert page.evaluate(KEPT_KEYS_JS) == []
    assert Observation.objects.count() == 0


def test_enrollment_is_online_only_and_says_so(page, connection, live_server, login, cast):
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    connection.cut()
    page.goto(f"{live_server.url}/enrollment/screening/new/")
    connection.hold(page)
    assert "perlu koneksi" in page.locator("[data-testid=offline-page]").inner_text()
    assert page.locator("[data-testid=offline-banner]").is_visible()


def _fill_first_entry(page, live_server, participant, day):
    page.goto(f"{live_server.url}/observations/participant/{participant.pk}/day/{day}/")
    page.fill("input[name=observed_on]", (participant.intervention_start + timedelta(days=day - 1)).isoformat())
    page.fill("input[name=feeds_24h]", "10")
    page.fill("input[name=wet_diapers_24h]", "7")
    page.fill("input[name=sleep_after_feed_hours]", "2.5")
    page.check("input[name=breast_full_then_soft][value=yes]")
    page.check("input[name=adherence][value=yes]")


def _cut_on_the_way(route, *, after_the_server: bool):
    """The form's POST fails as a phone with signal but no connection sees it: before the server (lost on
    the way) or after it (the server saved, the answer lost)."""
    if route.request.method != "POST":
        route.continue_()
        return
    if after_the_server:
        route.fetch()
    route.abort("internetdisconnected")


@pytest.mark.parametrize("after_the_server", [False, True], ids=["lost-on-the-way", "answer-lost"])
def test_a_first_entry_whose_save_gets_no_answer_waits_on_the_phone_and_is_recorded_once(
    page, context, live_server, login, two_mothers, after_the_server
):
    """The phone says it is online, the save gets no answer (the browser's own error page): her entry is not
    lost. It waits in the outbox and is sent through the API with the form's key, once, whether or not the
    form had reached the server."""
    mother = two_mothers[0]
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    form_url = f"**/observations/participant/{mother.pk}/day/1/"
    context.route(form_url, lambda route: _cut_on_the_way(route, after_the_server=after_the_server))
    _fill_first_entry(page, live_server, mother, 1)
    with page.expect_event("requestfailed", lambda request: request.method == "POST"):
        page.click("[data-testid=save]")
    assert Observation.objects.filter(participant=mother).count() == (1 if after_the_server else 0)
    context.unroute(form_url)

    page.goto(f"{live_server.url}/observations/today/")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    page.wait_for_function("() => document.body.dataset.outboxCount === '0'", timeout=15_000)
    assert page.evaluate(KEPT_KEYS_JS) == []
    stored = Observation.objects.get(participant=mother)
    assert (stored.day, stored.feeds_24h) == (1, 10)


@pytest.mark.parametrize("after_the_server", [False, True], ids=["lost-on-the-way", "answer-lost"])
def test_a_correction_whose_save_gets_no_answer_waits_on_the_phone_and_is_made_once(
    page, context, live_server, login, two_mothers, record, after_the_server
):
    """A correction saved online without an answer waits on the phone too, and is made once: sent again with
    the version she corrected and the form's key, the server finds its change already made (answer lost) or
    makes it (lost on the way), never a conflict with herself."""
    mother = two_mothers[0]
    saved = record(mother, 1)
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    form_url = f"**/observations/participant/{mother.pk}/day/1/"
    page.goto(f"{live_server.url}/observations/participant/{mother.pk}/day/1/")
    page.fill("input[name=feeds_24h]", "5")
    page.fill("textarea[name=reason]", "Salah hitung frekuensi menyusui")
    context.route(form_url, lambda route: _cut_on_the_way(route, after_the_server=after_the_server))
    with page.expect_event("requestfailed", lambda request: request.method == "POST"):
        page.click("[data-testid=save]")
    assert Observation.objects.get(pk=saved.pk).version == (2 if after_the_server else 1)
    context.unroute(form_url)

    page.goto(f"{live_server.url}/observations/today/")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    page.wait_for_function("() => document.body.dataset.outboxCount === '0'", timeout=15_000)
    assert page.evaluate(KEPT_KEYS_JS) == []
    stored = Observation.objects.get(pk=saved.pk)
    assert (stored.feeds_24h, stored.version) == (5, 2)
    changes = event_model_for(Observation).objects.filter(pgh_obj_id=saved.pk, pgh_label="update")
    assert [event.pgh_context.metadata["reason"] for event in changes] == ["Salah hitung frekuensi menyusui"]


def test_a_first_entry_answered_online_leaves_nothing_on_the_phone(page, live_server, login, two_mothers):
    """Saved (Today names its key) or sent back with an error (the form holds her values): no copy stays."""
    mother, other = two_mothers
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    _fill_first_entry(page, live_server, mother, 1)
    page.click("[data-testid=save]")
    page.wait_for_url("**/observations/today/")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    assert page.evaluate(KEPT_KEYS_JS) == []
    assert Observation.objects.filter(participant=mother).count() == 1

    _fill_first_entry(page, live_server, other, 1)
    page.fill("input[name=feeds_24h]", "")  # required: the server sends the form back
    page.click("[data-testid=save]")
    page.wait_for_selector("#observation-form .is-invalid, #observation-form .invalid-feedback")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    assert page.evaluate(KEPT_KEYS_JS) == []
    assert not Observation.objects.filter(participant=other).exists()


def test_a_correction_answered_online_leaves_nothing_on_the_phone(page, live_server, login, two_mothers, record):
    """Saved (Today names the correction's key) or answered with a conflict (the form holds her values)."""
    mother = two_mothers[0]
    saved = record(mother, 1)
    login(page, "midwife.srp1")
    _ready_for_offline(page, live_server)
    form = f"{live_server.url}/observations/participant/{mother.pk}/day/1/"
    page.goto(form)
    page.fill("input[name=feeds_24h]", "5")
    page.fill("textarea[name=reason]", "Salah tulis")
    page.click("[data-testid=save]")
    page.wait_for_url("**/observations/today/")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    assert page.evaluate(KEPT_KEYS_JS) == []
    assert Observation.objects.get(pk=saved.pk).feeds_24h == 5

    page.goto(form)
    page.fill("input[name=feeds_24h]", "6")
    page.fill("textarea[name=reason]", "Hitung ulang")
    Observation.objects.filter(pk=saved.pk).update(version=3)  # someone else saved the day meanwhile
    page.click("[data-testid=save]")
    page.wait_for_selector("[data-testid=conflict]")
    page.wait_for_function("() => document.body.dataset.offlineReady === '1'")
    assert page.evaluate(KEPT_KEYS_JS) == []
    assert Observation.objects.get(pk=saved.pk).feeds_24h == 5
