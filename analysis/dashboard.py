"""What the dashboard, the report and the PDF show: one cached bundle per data state.

The bundle holds the result of ``analysis.results.compute_results`` (or, while outcomes are
masked for the viewer, pooled figures only), the participant flow, the baseline table and
completeness by site and day. It is cached under a *fingerprint* of the data: the latest
audit-event id of every table that feeds it (observations, participants, screenings, the study,
its arms and the analysis settings). Every insert or update of those tables writes an event
(pghistory triggers, whatever made the change), so a new fingerprint means "something changed"
and an unchanged one lets the live poll answer 204 without computing anything.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import get_language

from analysis import stats
from analysis.frames import POPULATIONS, canonical_rows_sha256
from analysis.masking import settings_for
from analysis.models import AnalysisSettings
from analysis.results import compute_results, load_analysis_data
from enrollment import reports
from enrollment.models import Arm, Participant, ParticipantStatus, Screening, Study
from observations.models import Observation
from trialsite.audit import event_model_for

CACHE_SECONDS = 600
COMPUTING_SECONDS = 30  # a crashed computation frees its marker after this
WAIT_STEP_SECONDS = 0.1  # how often a waiting page looks for the bundle another request computes
FINGERPRINT_MODELS = (Observation, Participant, Screening, Study, Arm, AnalysisSettings)


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
    result = pooled_results(study, population=population) if masked else compute_results(study, population=population)
    return {
        "result": result,
        "masked": masked,
        "locked": settings_for(study).is_locked,
        "flow": reports.flow_counts(study),
        "baseline": reports.baseline_table(study),
        "completeness": completeness_by_site_and_day(study, today=timezone.localdate()),
    }


def pooled_results(study: Study, *, population: str) -> dict:
    """Outcome figures with the arms pooled: what a masked viewer may see (no arm is named)."""
    data = load_analysis_data(study, population=population)
    rows = [row for arm in data.arms for row in arm.rows]
    day_scores: dict[int, list[int]] = {}
    for arm in data.arms:
        for day, scores in arm.day_scores.items():
            day_scores.setdefault(day, []).extend(scores)
    full = compute_results_header(study, population=population, rows=rows)
    daily = [
        {"day": day} | {k: v for k, v in stats.describe(day_scores.get(day, [])).items() if k in _DAILY_KEYS}
        for day in range(1, data.n_days + 1)
    ]
    return full | {
        "pooled": {
            "n_enrolled": sum(arm.n_enrolled for arm in data.arms),
            "n_complete": len(rows),
            "pre": stats.describe([row.pre for row in rows]),
            "post": stats.describe([row.post for row in rows]),
        },
        "daily": {"all": daily},
    }


_DAILY_KEYS = ("n", "median", "q1", "q3", "mean")


def compute_results_header(study: Study, *, population: str, rows) -> dict:
    """The identifying keys of a result (study, time, data hash, days, alpha) without any statistic."""
    return {
        "study": study.slug,
        "generated_at": timezone.now().isoformat(),
        "data_sha256": canonical_rows_sha256(rows),
        "population": population,
        "outcome": "score",
        "pre_day": study.pre_day,
        "post_day": study.post_day,
        "n_days": study.n_days,
        "alpha": float(study.alpha),
        "groups": [],
        "mann_whitney": {},
        "flags": [],
    }


def completeness_by_site_and_day(study: Study, *, today) -> list[dict]:
    """Per site and day 1..n_days: expected by today, entered, missing (two aggregate queries).

    A day is expected once its target date (intervention start + day − 1) is today or past,
    unless the participant left (withdrawn/lost) before that date.
    """
    left = (ParticipantStatus.WITHDRAWN, ParticipantStatus.LOST_TO_FOLLOW_UP)
    days = range(1, study.n_days + 1)
    expected = {
        f"d{day}": Count(
            "id",
            filter=Q(intervention_start__lte=today - timedelta(days=day - 1))
            & ~Q(status__in=left, status_date__lt=F("intervention_start") + timedelta(days=day - 1)),
        )
        for day in days
    }
    sites = Participant.objects.filter(study=study).values("site", "site__code", "site__name").annotate(**expected)
    recorded = {
        (row["participant__site"], row["day"]): row
        for row in Observation.objects.filter(participant__study=study)
        .values("participant__site", "day")
        .annotate(entered=Count("id", filter=Q(missing_reason="")), missing=Count("id", filter=~Q(missing_reason="")))
    }
    return [_site_row(site, days, recorded) for site in sites.order_by("site__code")]


def _site_row(site: dict, days, recorded: dict) -> dict:
    cells = []
    for day in days:
        counts = recorded.get((site["site"], day), {})
        entered, missing, expected = counts.get("entered", 0), counts.get("missing", 0), site[f"d{day}"]
        percent = round(100 * min(entered + missing, expected) / expected) if expected else None
        cells.append({"day": day, "expected": expected, "entered": entered, "missing": missing, "percent": percent})
    return {"code": site["site__code"], "name": site["site__name"], "days": cells}
