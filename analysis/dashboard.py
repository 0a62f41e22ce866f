"""What the dashboard, the report and the PDF show: one cached bundle per data state.

Caching only: the bundle holds what ``analysis.visibility`` answers for the viewer (the result,
pooled while masked, and the flow with the analysed counts of the same data), the baseline
table and completeness by site and day (``observations.completeness``). It is cached under a
*fingerprint* of the data: the latest audit-event id of every table that feeds it (observations,
participants, screenings, the study, its arms, the analysis settings and the analysis plan).
Every insert or update of those tables writes an event (pghistory triggers, whatever made the
change), so a new fingerprint means "something changed" and an unchanged one lets the live poll
answer 204 without computing anything.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

from analysis.frames import POPULATIONS
from analysis.models import AnalysisPlan
from analysis.visibility import flow_with_analysis, results_for
from enrollment import reports
from enrollment.control import control_for
from enrollment.models import Arm, Participant, Screening, Study, StudyControl
from enrollment.visibility import shown_flow
from observations.completeness import completeness_by_site_and_day
from observations.models import Observation
from trialsite.audit import event_model_for

CACHE_SECONDS = 600
COMPUTING_SECONDS = 30  # a crashed computation frees its marker after this
WAIT_STEP_SECONDS = 0.1  # how often a waiting page looks for the bundle another request computes
FINGERPRINT_MODELS = (Observation, Participant, Screening, Study, Arm, StudyControl, AnalysisPlan)


def data_fingerprint() -> str:
    """The latest event id of each table behind the dashboard, in one query ("12.40.7.1.2.0")."""
    tables = [event_model_for(model)._meta.db_table for model in FINGERPRINT_MODELS]
    selects = ", ".join(f'(SELECT coalesce(max(pgh_id), 0) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selects}")
        return ".".join(str(value) for value in cursor.fetchone())


def population_or_default(value: str | None) -> str:
    return value if value in POPULATIONS else POPULATIONS[0]


def dashboard_bundle(study: Study, *, population: str, masked: bool, wait: bool = True) -> dict | None:
    """Everything the dashboard shows for ``study``, from the cache when the data did not change.

    Single flight: one request computes a new bundle; the others do not compute it again. With
    ``wait=False`` (the live poll) they return None at once (the next poll picks the bundle up);
    with ``wait=True`` (the page) they wait for it, and compute it themselves only if the
    computing request died (its marker expired) or took longer than COMPUTING_SECONDS.
    """
    fingerprint = data_fingerprint()
    key = f"analysis:dashboard:{study.pk}:{population}:{int(masked)}:{get_language()}:{fingerprint}"
    bundle = cache.get(key)
    if bundle is not None:
        return bundle
    if not cache.add(f"{key}:computing", True, COMPUTING_SECONDS):
        if not wait:
            return None
        bundle = _wait_for(key)
        if bundle is not None:
            return bundle
    bundle = _build(study, population=population, masked=masked) | {"fingerprint": fingerprint}
    cache.set(key, bundle, CACHE_SECONDS)
    cache.delete(f"{key}:computing")
    return bundle


def _wait_for(key: str) -> dict | None:
    """The bundle another request is computing under ``key``, once it is cached (None: it gave up)."""
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        bundle = cache.get(key)
        if bundle is not None or not cache.has_key(f"{key}:computing"):
            return bundle
    return None


def _build(study: Study, *, population: str, masked: bool) -> dict:
    visible = results_for(study, population=population, masked=masked)
    return {
        "result": visible.result,
        "masked": masked,
        "locked": control_for(study).is_locked,
        "flow": shown_flow(flow_with_analysis(study, visible.data), arms_hidden=masked),
        "baseline": reports.baseline_table(study),
        "completeness": completeness_by_site_and_day(
            study, Participant.objects.filter(study=study), today=timezone.localdate()
        ),
    }
