"""The one adapter between stored data and the pure statistics: querysets in, plain rows out.

Two queries load a whole study, whatever its size: one for the participants and one for
their observations (``values_list``, no model instances). Everything else is plain Python.

Populations (docs/analysis.md)
------------------------------
- ``complete_cases`` (primary): not excluded from analysis, a score on the pre day and on the
  post day.
- ``per_protocol``: complete cases without a protocol deviation — an observation outside its
  visit window (``out_of_window``) on the pre or the post day — and without non-adherence on
  more than one day from day 1 to the post day. A day is non-adherent when ``adherence`` is
  "no" (the moringa dose not taken, the massage not given) or ``massage_minutes`` is 0;
  "partly" (part of the dose) counts as adherent. Days without an observation do not count.
  Also without those the coordinator excluded from this population (``excluded_from_per_protocol``).

Each participant left out is counted once, under the first reason of EXCLUSION_REASONS that
applies to her.

data_sha256 canonical form
--------------------------
UTF-8 text of CSV lines, LF line endings, a final LF, no quoting (participant IDs and arm
codes contain no comma, quote or line break — checked), the header
``participant_id,arm_code,pre_score,post_score`` first, then one line per analysed row sorted
by participant_id (Python string order = Unicode code-point order), scores as integers
without decimals or sign. ``canonical_rows_sha256`` returns the lower-case hex digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from enrollment.models import Participant
from enrollment.schedule import Schedule, schedule_of
from observations.models import Adherence, InstrumentSettings, Observation
from observations.scoring import DEFAULT_THRESHOLDS, indicators

POPULATIONS = ("complete_cases", "per_protocol")

EXCLUSION_REASONS = (
    "excluded_from_analysis",
    "withdrawn_before_post_day",
    "lost_to_follow_up_before_post_day",
    "missing_pre_and_post",
    "missing_pre",
    "missing_post",
    "protocol_deviation",
    "non_adherence",
    "excluded_from_per_protocol",
)
"""Why a participant is not analysed, in priority order; the last three apply to per_protocol only."""

MAX_NON_ADHERENT_DAYS = 1
CHUNK = 10_000
CANONICAL_HEADER = "participant_id,arm_code,pre_score,post_score"


class AnalysedRow(NamedTuple):
    """One analysed participant: her ID, arm code and the scores of the pre and post days."""

    participant_id: str
    arm: str
    pre: int
    post: int


@dataclass(slots=True)
class ParticipantData:
    """Everything the analysis needs about one participant, from the two queries.

    Kept small, as a study may hold 100,000 of them: no instance dictionary (slots), the day sets
    shared empty until a day is added, and the calendar as what her ``schedule`` is made of (start,
    n_days, window_days, status date). The Schedule itself is built only when asked for: the
    populations need it only for a participant without a post-day score (did she leave before it?),
    and building one for each of 100,000 participants took a fifth of the whole analysis.
    """

    participant_id: str
    arm: str
    status: str
    excluded: bool
    calendar: tuple[date | None, int, int, date | None]
    excluded_per_protocol: bool = False
    scores: dict[int, int] = field(default_factory=dict)  # day -> score (observed days only)
    out_of_window_days: frozenset[int] = frozenset()
    non_adherent_days: frozenset[int] = frozenset()

    @property
    def schedule(self) -> Schedule:
        start, n_days, window_days, left_on = self.calendar
        return schedule_of(start, n_days, window_days, self.status, left_on)


def load_participants(study) -> list[ParticipantData]:
    """Every participant of ``study`` with her observations, in two queries."""
    rows = (
        Participant.objects.filter(study=study)
        .order_by()
        .values_list(
            "pk",
            "participant_id",
            "arm__code",
            "status",
            "status_date",
            "excluded_from_analysis",
            "intervention_start",
            "excluded_from_per_protocol",
        )
    )
    n_days, window_days = study.n_days, study.window_days
    people = {
        pk: ParticipantData(pid, arm, status, excluded, (start, n_days, window_days, left_on), excluded_pp)
        for pk, pid, arm, status, left_on, excluded, start, excluded_pp in rows
    }
    observations = (
        Observation.objects.filter(participant__study=study)
        .order_by()
        .values_list("participant_id", "day", "score", "out_of_window", "adherence", "massage_minutes")
    )
    for pk, day, score, out_of_window, adherence, minutes in observations.iterator(chunk_size=CHUNK):
        person = people[pk]
        if score is not None:
            person.scores[day] = score
        if out_of_window:
            person.out_of_window_days |= {day}
        if adherence == Adherence.NO or minutes == 0:
            person.non_adherent_days |= {day}
    return list(people.values())


class DayMeasures(NamedTuple):
    """The secondary outcomes of one observed day: the four indicators (met?) and the optional measures."""

    indicators: tuple[bool, bool, bool, bool]
    expressed_volume_ml: int | None
    infant_weight_g: int | None


def load_day_measures(study, *, days: Iterable[int]) -> dict[str, dict[int, DayMeasures]]:
    """participant_id -> {day: DayMeasures} for the observed ``days`` of ``study`` (two queries).

    Indicators are judged with the study's instrument thresholds, as the score is.
    """
    stored = InstrumentSettings.objects.filter(study=study).first()
    thresholds = stored.thresholds if stored is not None else DEFAULT_THRESHOLDS
    rows = (
        Observation.objects.filter(participant__study=study, day__in=list(days), missing_reason="")
        .order_by()
        .values_list(
            "participant__participant_id", "day", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours",
            "breast_full_then_soft", "expressed_volume_ml", "infant_weight_g",
        )
    )  # fmt: skip
    measures: dict[str, dict[int, DayMeasures]] = {}
    judged: dict[tuple, tuple[bool, bool, bool, bool]] = {}  # the few distinct recordings, judged once each
    for pid, day, feeds, wet, sleep, breast, volume, weight in rows.iterator(chunk_size=CHUNK):
        met = judged.get(recorded := (feeds, wet, sleep, breast))
        if met is None:
            met = judged[recorded] = indicators(
                feeds_24h=feeds, wet_diapers_24h=wet, sleep_after_feed_hours=sleep,
                breast_full_then_soft=breast, thresholds=thresholds,
            )  # fmt: skip
        measures.setdefault(pid, {})[day] = DayMeasures(met, volume, weight)
    return measures


def exclusion_reason(person: ParticipantData, *, population: str, pre_day: int, post_day: int) -> str | None:
    """The first reason of EXCLUSION_REASONS that leaves ``person`` out of ``population``, or None."""
    check_population(population)
    has_pre, has_post = pre_day in person.scores, post_day in person.scores
    if person.excluded:
        return "excluded_from_analysis"
    if not has_post and person.schedule.left_before(post_day):
        return f"{person.status}_before_post_day"
    if not (has_pre or has_post):
        return "missing_pre_and_post"
    if not has_pre:
        return "missing_pre"
    if not has_post:
        return "missing_post"
    if population == "per_protocol":
        if person.out_of_window_days & {pre_day, post_day}:
            return "protocol_deviation"
        if len({d for d in person.non_adherent_days if d <= post_day}) > MAX_NON_ADHERENT_DAYS:
            return "non_adherence"
        if person.excluded_per_protocol:
            return "excluded_from_per_protocol"
    return None


def check_population(population: str) -> None:
    """Raise ValueError naming the valid populations when ``population`` is not one of them."""
    if population not in POPULATIONS:
        raise ValueError(f"Unknown population {population!r}: use one of {', '.join(POPULATIONS)}.")


def rows_of(people: Iterable[ParticipantData], *, population: str, pre_day: int, post_day: int) -> list[AnalysedRow]:
    """The analysed rows of ``people`` in ``population``, sorted by participant_id."""
    rows = [
        AnalysedRow(p.participant_id, p.arm, p.scores[pre_day], p.scores[post_day])
        for p in people
        if exclusion_reason(p, population=population, pre_day=pre_day, post_day=post_day) is None
    ]
    return sorted(rows)


def analysed_rows(study, *, population: str) -> list[AnalysedRow]:
    """The analysed rows (participant_id, arm, pre, post) of ``study`` in ``population``, sorted by ID."""
    check_population(population)
    return rows_of(load_participants(study), population=population, pre_day=study.pre_day, post_day=study.post_day)


def canonical_rows_text(rows: Iterable) -> str:
    """The canonical CSV text of analysed rows (see the module docstring); order of ``rows`` is irrelevant."""
    fields = sorted((str(row[0]), str(row[1]), _integer(row[2]), _integer(row[3])) for row in rows)
    body = "".join(f"{pid},{arm},{pre},{post}\n" for pid, arm, pre, post in fields)
    if body.count(",") != 3 * len(fields) or body.count("\n") != len(fields) or '"' in body or "\r" in body:
        bad = next(f for f in fields if any(char in f[0] + f[1] for char in ',"\r\n'))
        raise ValueError(f"{bad[:2]!r} cannot be written in the canonical form (comma, quote or line break)")
    return f"{CANONICAL_HEADER}\n{body}"


def _integer(value) -> str:
    if type(value) is int:
        return str(value)
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"Scores are integers, got {value!r}")
    return str(int(value))


def canonical_rows_sha256(rows: Iterable) -> str:
    """SHA-256 (lower-case hex) of the canonical CSV text of ``rows``: the ``data_sha256`` of the analysis.

    Canonical text: UTF-8; header ``participant_id,arm_code,pre_score,post_score``; one line
    ``<participant_id>,<arm_code>,<pre>,<post>`` per row sorted by participant_id (code points);
    integer scores; LF after every line including the last. ``rows``: 4-tuples in any order.
    """
    return hashlib.sha256(canonical_rows_text(rows).encode("utf-8")).hexdigest()
