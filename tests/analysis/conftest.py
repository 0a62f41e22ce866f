"""Fixtures of the analysis tests, in sections by topic (results, dashboard, export)."""

import sys
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from enrollment.models import Participant, ParticipantStatus
from observations.models import Observation
from tests.conftest import make_cast, make_study

# --- Results (analysis.results, analyze command, /api/v1/analysis/) -----------------------------

RESULTS_START = date(2026, 1, 5)


def fields_for_score(score: int) -> dict:
    """Recorded fields whose computed score (default thresholds) is ``score``: the first score−1 indicators met."""
    met = [index < score - 1 for index in range(4)]
    return {
        "feeds_24h": 10 if met[0] else 2,
        "wet_diapers_24h": 8 if met[1] else 1,
        "sleep_after_feed_hours": Decimal("3.0") if met[2] else Decimal("0.5"),
        "breast_full_then_soft": met[3],
    }


@pytest.fixture
def enrol_with_scores(study, site_srp1):
    """enrol_with_scores(arm, "P-01", {1: 2, 7: 4}, ...) -> a participant with those daily scores.

    Options: ``missing`` (days recorded as missing), ``late`` (days observed 3 days after target:
    out of window), ``adherence`` ({day: "yes"/"partly"/"no"}), ``minutes`` ({day: massage minutes}),
    ``excluded`` (excluded from analysis), ``withdrawn_on`` / ``lost_on`` (a date: withdrawn / lost to
    follow-up that day).
    Observations go through Observation.save, so scores and window flags are computed as in the app.
    """

    def make(arm, participant_id, scores, *, missing=(), late=(), adherence=None, minutes=None, **status):
        participant = Participant.objects.create(
            study=study,
            site=site_srp1,
            arm=arm,
            participant_id=participant_id,
            enrolled_on=RESULTS_START,
            intervention_start=RESULTS_START,
            excluded_from_analysis=status.get("excluded", False),
            exclusion_reason="test exclusion" if status.get("excluded") else "",
            **_left(status),
        )
        for day, score in scores.items():
            shift = 3 if day in late else 0
            Observation.objects.create(
                participant=participant,
                day=day,
                observed_on=RESULTS_START + timedelta(days=day - 1 + shift),
                deviation_reason="visited late" if shift else "",
                adherence=(adherence or {}).get(day, ""),
                massage_minutes=(minutes or {}).get(day),
                **fields_for_score(score),
            )
        for day in missing:
            Observation.objects.create(participant=participant, day=day, missing_reason="not_visited")
        return participant

    return make


def _left(status: dict) -> dict:
    for key, code in (("withdrawn_on", ParticipantStatus.WITHDRAWN), ("lost_on", ParticipantStatus.LOST_TO_FOLLOW_UP)):
        if status.get(key) is not None:
            return {"status": code, "status_date": status[key], "status_reason": "moved away"}
    return {}


# Six participants per arm with chosen pre (day 1) and post (day 7) scores: the known dataset.
KNOWN_MORINGA = {"M-01": (1, 3), "M-02": (2, 4), "M-03": (2, 2), "M-04": (3, 5), "M-05": (1, 2), "M-06": (2, 3)}
KNOWN_MASSAGE = {"X-01": (2, 5), "X-02": (1, 4), "X-03": (3, 3), "X-04": (2, 4), "X-05": (2, 5), "X-06": (1, 4)}


@pytest.fixture
def known_dataset(enrol_with_scores, arm_moringa, arm_massage):
    """The known dataset (KNOWN_MORINGA, KNOWN_MASSAGE), day 4 scored 3 for everyone."""
    for arm, table in ((arm_moringa, KNOWN_MORINGA), (arm_massage, KNOWN_MASSAGE)):
        for participant_id, (pre, post) in table.items():
            enrol_with_scores(arm, participant_id, {1: pre, 4: 3, 7: post})


# --- Export (analysis.exports, export_dataset, the export page) ---------------------------------


@pytest.fixture
def export_study(study, cast):
    """The demo study with 16 synthetic participants (through the services) and their observations."""
    seed_export_participants(study)
    return study


def seed_export_participants(study) -> None:
    from observations.demo import daily as observations_demo
    from observations.demo import study as enrollment_demo

    enrollment_demo.seed_participants(study, 16, seed=7)
    observations_demo.seed_observations(study, seed=7)


@pytest.fixture(scope="module")
def export_study_once(django_db_setup, django_db_blocker) -> tuple[int, dict[str, int]]:
    """The export study and the cast built once for a test module: (study pk, {username: user pk}).

    Like Django's ``TestCase.setUpTestData``: they are made inside a transaction that stays open
    until the module's last test and is then rolled back. Each test runs in a savepoint inside it,
    rolled back after the test, so a test sees the study as built and never another test's writes.
    Only for modules whose tests all use ``db``: ``transactional_db``, ``live_server`` and the
    browser flush the tables, which would empty the open transaction (``shared_study`` refuses them).
    A module opts in by overriding ``study``, ``cast`` and ``export_study`` with ``shared_study``
    and ``shared_cast``.
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            study = make_study()
            cast = make_cast(study)
            seed_export_participants(study)
        except BaseException:
            outer.__exit__(*sys.exc_info())
            raise
    yield study.pk, {username: user.pk for username, user in cast.items()}
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def shared_study(request, export_study_once, db):
    """A fresh instance of the module's export study (a test may change its copy in memory)."""
    from enrollment.models import Study

    marker = request.node.get_closest_marker("django_db")
    if (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker and marker.kwargs.get("transaction"))
    ):
        pytest.fail("The export study built once per module cannot serve a transactional test.")
    return Study.objects.get(pk=export_study_once[0])


@pytest.fixture
def shared_cast(export_study_once, shared_study) -> dict:
    """The module's cast, fresh instances: username -> user."""
    users = get_user_model().objects.in_bulk(export_study_once[1].values())
    return {username: users[pk] for username, pk in export_study_once[1].items()}


@pytest.fixture
def unzip(tmp_path):
    """unzip(bytes_or_path) -> folder with the bundle's files extracted."""
    import io
    import zipfile
    from pathlib import Path

    def extract(bundle) -> Path:
        folder = tmp_path / f"unzipped-{len(list(tmp_path.iterdir()))}"
        source = io.BytesIO(bundle) if isinstance(bundle, bytes) else bundle
        with zipfile.ZipFile(source) as archive:
            archive.extractall(folder)
        return folder

    return extract


# --- Dashboard (analysis views, masking, report, PDF) --------------------------------------------


def cells_by_testid(html: str) -> dict[str, str]:
    """{data-testid: visible text} of every element with a data-testid (nested text included)."""
    from html.parser import HTMLParser

    class Collector(HTMLParser):
        def __init__(self):
            super().__init__()
            self.open: list[tuple[str, str | None]] = []
            self.texts: dict[str, list[str]] = {}

        def handle_starttag(self, tag, attrs):
            if tag in ("br", "input", "img", "meta", "link", "hr"):
                return
            testid = dict(attrs).get("data-testid")
            self.open.append((tag, testid))
            if testid:
                self.texts.setdefault(testid, [])

        def handle_endtag(self, tag):
            while self.open:
                if self.open.pop()[0] == tag:
                    break

        def handle_data(self, data):
            for _tag, testid in self.open:
                if testid:
                    self.texts[testid].append(data)

    collector = Collector()
    collector.feed(html)
    return {key: " ".join("".join(parts).split()) for key, parts in collector.texts.items()}


@pytest.fixture
def masked_study(study, coordinator):
    """The demo study with outcome masking switched on (database open)."""
    from analysis import masking

    masking.set_outcome_masking(study=study, masked=True, by=coordinator, reason="Blinded until lock")
    return study
