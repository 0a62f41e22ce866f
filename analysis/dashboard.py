"""What the dashboard, the report and the PDF show: the latest bundle of each view, cached.

Caching only: the bundle holds what ``analysis.visibility`` answers for the viewer (the result,
pooled while masked, and the flow with the analysed counts of the same data), the baseline
table and completeness by site and day (``observations.completeness``). The latest bundle of each
view (study, population, masking, language) is cached with the *fingerprint* of its data: the
latest audit-event id of every table that feeds it (observations, participants, screenings, the
study, its arms, the analysis settings and the analysis plan).
Every insert or update of those tables writes an event (pghistory triggers, whatever made the
change), so a new fingerprint means "something changed" and an unchanged one lets the live poll
answer 204 without computing anything.

Under a stream of saves every poll would find a new fingerprint. The live poll therefore takes the
latest bundle computed for the same view while it is younger than ``POLL_SECONDS`` (the poll's
interval), even if the data changed since: the results are computed at most once per interval for
all viewers, and the page says when they were computed; the next poll after that picks up the change.
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
POLL_SECONDS = 5  # the live poll's interval, and the youngest bundle it recomputes
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
    ``wait=False`` (the live poll) they return None at once (the next poll picks the bundle up),
    and a bundle computed less than POLL_SECONDS ago is returned as it is, whatever changed since;
    with ``wait=True`` (the page) they wait for it, and compute it themselves only if the
    computing request died (its marker expired) or took longer than COMPUTING_SECONDS.
    """
    view = f"analysis:dashboard:{study.pk}:{population}:{int(masked)}:{get_language()}"
    latest = cache.get(view)
    if not wait and latest is not None and time.time() - latest["computed"] < POLL_SECONDS:
        return latest
    fingerprint = data_fingerprint()
    if latest is not None and latest["fingerprint"] == fingerprint:
        return latest
    marker = f"{view}:{fingerprint}:computing"
    if not cache.add(marker, True, COMPUTING_SECONDS):
        if not wait:
            return None
        bundle = _wait_for(view, fingerprint, marker)
        if bundle is not None:
            return bundle
    else:
        # A request that finished between the read above and this claim cached its bundle before it
        # freed the marker: read again, or the same results would be computed twice.
        latest = cache.get(view)
        if latest is not None and latest["fingerprint"] == fingerprint:
            cache.delete(marker)
            return latest
    started = time.time()
    bundle = _build(study, population=population, masked=masked) | {"fingerprint": fingerprint, "computed": started}
    cache.set(view, bundle, CACHE_SECONDS)
    cache.delete(marker)
    return bundle


def newer(fingerprint: str, than: str) -> bool:
    """Whether the data state ``fingerprint`` is later than ``than`` (a poller's): no table behind, one ahead.

    Event ids only grow, so each number of a later state is at least that of an earlier one.
    """
    mine, theirs = fingerprint.split("."), than.split(".")
    if len(mine) != len(theirs) or not all(part.isdigit() for part in theirs):
        return True  # not a fingerprint of ours (an older page): send what we have
    return mine != theirs and all(int(a) >= int(b) for a, b in zip(mine, theirs, strict=True))


def _wait_for(view: str, fingerprint: str, marker: str) -> dict | None:
    """The bundle of ``fingerprint`` another request is computing, once it is cached (None: it gave up)."""
    deadline = time.monotonic() + COMPUTING_SECONDS
    while time.monotonic() < deadline:
        time.sleep(WAIT_STEP_SECONDS)
        computing = cache.has_key(marker)  # read before the bundle: it is cached before the marker goes
        bundle = cache.get(view)
        if bundle is not None and bundle["fingerprint"] == fingerprint:
            return bundle
        if not computing:
            return None
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
