"""After a change, the live poll sends only the sections of the dashboard whose HTML changed."""

import html
import re

import pytest
from django.urls import reverse

from analysis import dashboard
from observations.models import Observation

pytestmark = pytest.mark.django_db

POLLER = re.compile(r'<div id="dashboard-poll"[^>]*hx-get="([^"]+)"')
SECTION = re.compile(r'<div id="live-([a-z]+)" data-hash="([0-9a-f]+)"( hx-swap-oob="true")?>')


def poll_url(page: str) -> str:
    return html.unescape(POLLER.search(page).group(1))


def poll(client, url: str):
    return client.get(url, headers={"HX-Request": "true"})


@pytest.fixture
def investigator(client_for, known_dataset):
    return client_for("investigator")


@pytest.fixture
def interval_passed(monkeypatch):
    """Every poll comes a poll interval after the last computation (within it, the poll answers from it)."""
    monkeypatch.setattr(dashboard, "POLL_SECONDS", 0)


def test_the_page_holds_every_section_with_its_digest_in_the_poll(investigator):
    page = investigator.get(reverse("analysis:dashboard")).content.decode()
    sections = dict((name, digest) for name, digest, _oob in SECTION.findall(page))
    assert {"summary", "flow", "baseline", "outcomes", "daily", "narrative"} <= set(sections)
    url = poll_url(page)
    for name, digest in sections.items():
        assert f"{name}.{digest}" in url


def test_an_unchanged_poll_still_answers_204(investigator):
    page = investigator.get(reverse("analysis:dashboard")).content.decode()
    assert poll(investigator, poll_url(page)).status_code == 204


@pytest.mark.usefixtures("interval_passed")
def test_a_change_outside_the_results_sends_a_new_poller_and_only_the_sections_that_changed(investigator):
    page = investigator.get(reverse("analysis:dashboard")).content.decode()
    held = dict((name, digest) for name, digest, _oob in SECTION.findall(page))
    observation = Observation.objects.filter(missing_reason="").first()
    Observation.objects.filter(pk=observation.pk).update(notes="Ibu minta kunjungan pagi")
    response = poll(investigator, poll_url(page))
    assert response.status_code == 200
    body = response.content.decode()
    sent = {name: digest for name, digest, oob in SECTION.findall(body)}
    assert all(oob for _name, _digest, oob in SECTION.findall(body)), "every section is an out-of-band swap"
    assert not {"outcomes", "baseline", "flow"} & set(sent)
    for name, digest in sent.items():
        assert held[name] != digest
    assert poll_url(body) != poll_url(page), "the new poller carries the new fingerprint"
    assert len(body) < len(page) / 3


@pytest.mark.usefixtures("interval_passed")
def test_a_changed_score_sends_the_outcome_sections_and_the_next_poll_is_204(investigator):
    page = investigator.get(reverse("analysis:dashboard")).content.decode()
    observation = Observation.objects.filter(missing_reason="", day=7).order_by("pk").first()
    Observation.objects.filter(pk=observation.pk).update(score=1 if observation.score != 1 else 5)
    response = poll(investigator, poll_url(page))
    sent = {name for name, _digest, _oob in SECTION.findall(response.content.decode())}
    assert {"outcomes", "daily"} <= sent
    assert poll(investigator, poll_url(response.content.decode())).status_code == 204


def test_the_poller_polls_at_the_interval_the_results_are_computed_at(investigator):
    page = investigator.get(reverse("analysis:dashboard")).content.decode()
    assert f'hx-trigger="every {dashboard.POLL_SECONDS}s"' in page
