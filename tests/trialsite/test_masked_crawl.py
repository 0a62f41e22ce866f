"""Masking and de-identification cannot be read around: every page (each URL pattern, its path
parameters filled from a small trial) and every API endpoint (each GET path of the OpenAPI schema)
is requested as the investigator while outcomes are masked.

- No arm is tied to a participant or an observation: no arm code or label, no adherence field,
  on any participant-level answer; the pages that may name the arms (study, flow, results) name
  no participant, and count what followed allocation (completed, withdrawn, lost, analysed) for all
  arms together: per arm, beside the participant list's statuses, the trial's single withdrawal
  would name its arm. PDFs are read as text.
- No real participant ID, no calendar date of a participant event (ISO or spelled out, in either
  language), no free text typed about a mother (planted once in every free-text field), no name or
  phone.

The same crawl as the coordinator finds every planted text, ID and arm: the checks can fail.
"""

import re
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import Client
from django.utils import translation

from enrollment.deidentify import pseudonyms
from enrollment.models import Participant
from enrollment.visibility import arm_hidden_for, identified_for
from observations.models import Observation
from tests.conftest import make_cast, make_study, sign_in_fully
from tests.trialsite.crawl import NAMES, PHONES, PLANTED, api_urls, build_trial, crawl, date_spellings, page_urls
from tests.trialsite.crawl import url_values as values_for

pytestmark = pytest.mark.django_db

# Answers that may name the arms because they name no participant (per-arm enrolment counts,
# pooled results, the study's set-up). Every other answer is participant-level.
STUDY_LEVEL = ("/enrollment/study/", "/enrollment/flow/", "/analysis/", "/api/v1/studies/", "/api/v1/analysis/")


@pytest.fixture
def trial(study, cast):
    return build_trial(study, cast)


CRAWLS = (("investigator", "en"), ("investigator", "id"), ("coordinator", "en"))


@dataclass
class Crawled:
    """What the crawls of one trial answered, and what the checks look for (plain data: the trial
    itself is rolled back once the module's crawls are done)."""

    bodies: dict[tuple[str, str], dict[str, str]]
    slug: str
    arm_words: set[str]
    real_ids: set[str]
    pseudonyms: dict[str, str]
    forbidden_dates: set[str]
    first_pk: int
    first_id: str
    arm_labels: set[str]


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker) -> Crawled:
    """One trial, crawled once per viewer and language for the whole module (each crawl requests
    every page and endpoint), inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        study = make_study()
        cast = make_cast(study)
        trial = build_trial(study, cast)
        bodies = {}
        for username, language in CRAWLS:
            client = sign_in_fully(Client(raise_request_exception=False), cast[username])
            client.cookies["django_language"] = language
            with translation.override(language):
                values = values_for(trial, study, cast)
                bodies[username, language] = crawl(client, page_urls(values) + api_urls(client, values))
        ids = real_ids(trial)
        first = Participant.objects.get(pk=trial.participants[0].pk)
        result = Crawled(
            bodies, study.slug, arm_words(study), ids, pseudonyms(study.slug, ids), forbidden_dates(trial),
            first.pk, first.participant_id, arm_labels(study),
        )  # fmt: skip
        transaction.set_rollback(True)
    return result


@pytest.fixture
def answers(crawled):
    """answers(username, language) -> {url: body} of every page and API endpoint."""
    return lambda username, language="en": crawled.bodies[username, language]


def arm_words(study) -> set[str]:
    """Arm codes and labels, and the adherence fields whose kind is the arm's."""
    words = set()
    for arm in study.arms.all():
        words |= {arm.code, arm.label_id, arm.label_en}
    for name in ("adherence", "massage_minutes"):
        field = Observation._meta.get_field(name)
        for language in ("id", "en"):
            with translation.override(language):
                words.add(str(field.verbose_name))
    return words


def arm_labels(study) -> set[str]:
    return {label for arm in study.arms.all() for label in (arm.label_en, arm.label_id)}


def leaks(bodies: dict[str, str], words) -> list[tuple[str, str]]:
    return sorted((url, word) for url, body in bodies.items() for word in words if word in body)


def participant_level(bodies: dict[str, str], slug: str) -> dict[str, str]:
    """The answers about participants, without the study's slug (which may contain an arm's code)."""
    return {url: body.replace(slug, "") for url, body in bodies.items() if not url.startswith(STUDY_LEVEL)}


def real_ids(trial) -> set[str]:
    return {p.participant_id for p in Participant.objects.filter(pk__in=[p.pk for p in trial.participants])}


def forbidden_dates(trial) -> set[str]:
    return {spelled for day in trial.forbidden_dates() for spelled in date_spellings(day)}


# --- Masking ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "id"])
def test_masked_investigator_finds_no_participant_tied_to_an_arm(answers, crawled, language):
    bodies = answers("investigator", language)
    assert len(bodies) > 35
    assert leaks(participant_level(bodies, crawled.slug), crawled.arm_words) == []


def test_pages_that_name_the_arms_name_no_participant(answers, crawled):
    bodies = {url: body for url, body in answers("investigator").items() if url.startswith(STUDY_LEVEL)}
    names = crawled.real_ids | set(crawled.pseudonyms.values())
    assert bodies
    assert leaks(bodies, names) == []


def test_masked_investigator_sees_no_outcome_figure_by_arm(answers):
    bodies = answers("investigator")
    assert '"masked":true' in bodies["/api/v1/analysis/"].replace(" ", "")
    shown = bodies["/analysis/"] + bodies["/analysis/live/"] + bodies["/analysis/report/"]
    assert 'data-testid="masked-notice"' in shown
    assert 'data-testid="pooled-table"' in shown


AFTER_ALLOCATION = ("flow-completed", "flow-withdrawn", "flow-lost", "flow-analysed", "flow-not-analysed")


def follow_up_by_arm(bodies: dict[str, str], labels) -> list[tuple[str, str]]:
    """(url, what) for each answer counting what followed allocation arm by arm: a flow diagram with a
    box of AFTER_ALLOCATION more often than once, or a PDF row of an arm with more than its allocated n."""
    found = []
    for url, body in bodies.items():
        diagrams = body.count('data-testid="flow-diagram"')
        found += [(url, box) for box in AFTER_ALLOCATION if body.count(f'data-testid="{box}"') > diagrams]
        if url.endswith(".pdf"):
            found += [(url, label) for label in labels if re.search(re.escape(label) + r"( \d+){2}", body)]
    return found


@pytest.mark.parametrize("language", ["en", "id"])
def test_masked_investigator_reads_no_follow_up_count_by_arm(answers, crawled, language):
    bodies = answers("investigator", language)
    assert any(url.endswith(".pdf") for url in bodies)
    assert follow_up_by_arm(bodies, crawled.arm_labels) == []
    assert all('data-testid="flow-pooled"' in bodies[url] for url in ("/enrollment/flow/", "/analysis/"))


def test_the_coordinator_crawl_finds_follow_up_counts_by_arm(answers, crawled):
    """The check can fail: unmasked, the flow page, the dashboard and the PDF count each arm's withdrawals."""
    urls = {url for url, _what in follow_up_by_arm(answers("coordinator"), crawled.arm_labels)}
    assert {"/enrollment/flow/", "/analysis/"} <= urls
    assert any(url.endswith(".pdf") for url in urls)


def test_the_arm_filter_is_refused_while_masked(trial, study, cast):
    client = sign_in_fully(Client(), cast["investigator"])
    arm = study.arms.first()
    response = client.get("/enrollment/participants/", {"arm": arm.code}, HTTP_ACCEPT_LANGUAGE="en")
    assert len(response.context["page"].object_list) == len(trial.participants)
    assert "by arm" in response.content.decode()
    assert "arm" not in response.context["form"].fields


def test_the_coordinator_crawl_finds_the_arms(answers, crawled):
    """The crawl can fail: unmasked, the same answers name each participant's arm."""
    assert leaks(participant_level(answers("coordinator"), crawled.slug), crawled.arm_words) != []


def test_masking_is_one_rule_for_records_and_results(trial, study, cast):
    from analysis.masking import outcome_masked_for

    for username in ("investigator", "coordinator", "midwife.srp1", "monitor", "outsider"):
        if username in cast:
            user = cast[username]
            assert outcome_masked_for(user, study) == arm_hidden_for(user, study), username
    assert arm_hidden_for(cast["investigator"], study)
    assert not arm_hidden_for(cast["coordinator"], study)


# --- De-identification --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "id"])
def test_investigator_finds_no_real_id_date_or_free_text(answers, crawled, language):
    bodies = answers("investigator", language)
    assert leaks(bodies, crawled.real_ids) == []
    assert leaks(bodies, set(PLANTED.values()) | set(NAMES) | set(PHONES)) == []
    assert leaks(bodies, crawled.forbidden_dates) == []


def test_investigator_sees_the_pseudonyms_of_the_export(answers, crawled):
    bodies = answers("investigator")
    expected = crawled.pseudonyms
    assert all(pseudonym in bodies["/api/v1/participants/"] for pseudonym in expected.values())
    page = bodies[f"/enrollment/participants/{crawled.first_pk}/"]
    assert expected[crawled.first_id] in page


def test_the_coordinator_crawl_finds_ids_dates_and_free_text(answers, crawled):
    """The crawl can fail: identified, the same answers hold what the investigator may not read."""
    bodies = answers("coordinator")
    assert crawled.real_ids <= {word for _url, word in leaks(bodies, crawled.real_ids)}
    assert set(PLANTED.values()) <= {word for _url, word in leaks(bodies, PLANTED.values())}
    assert leaks(bodies, crawled.forbidden_dates) != []


def test_coordinators_and_monitors_keep_identified_access(cast):
    assert identified_for(cast["coordinator"])
    assert identified_for(cast["midwife.srp1"])
    assert not identified_for(cast["investigator"])
    assert not identified_for(cast["outsider"])


# --- Forbidden cases through the one rule -------------------------------------------------------


def test_investigator_finds_a_participant_by_pseudonym_not_by_real_id(trial, study, cast):
    client = sign_in_fully(Client(), cast["investigator"])
    first = Participant.objects.get(pk=trial.participants[0].pk)
    pseudonym = pseudonyms(study.slug, [first.participant_id])[first.participant_id]
    by_real_id = client.get("/enrollment/participants/", {"q": first.participant_id})
    assert list(by_real_id.context["page"].object_list) == []
    by_pseudonym = client.get("/enrollment/participants/", {"q": pseudonym[2:10].lower()})
    assert [p.pk for p in by_pseudonym.context["page"].object_list] == [first.pk]


def test_an_investigators_own_action_answers_de_identified(trial, cast):
    """Acknowledging a serious event through the API answers with the event as she may see it."""
    client = sign_in_fully(Client(), cast["investigator"])
    response = client.post(f"/api/v1/adverse-events/{trial.ids['adverse_event']}/acknowledge/")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] is None
    assert body["term_other"] is None
    assert body["participant_id"].startswith("P-")
    assert isinstance(body["onset_date"], int)
    assert isinstance(body["acknowledged_at"], int)


def test_a_record_shown_without_a_viewer_shows_the_least(trial):
    from enrollment.serializers import ParticipantSerializer

    body = ParticipantSerializer(Participant.objects.get(pk=trial.participants[0].pk)).data
    assert body["arm"] is None
    assert body["participant_id"] is None
    assert body["status_reason"] is None
    assert "full_name" not in body
