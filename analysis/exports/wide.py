"""The wide layout: one row per participant, her baseline then every field of every day.

Participants and observations are read as two ordered streams (same sort key) and
merged, so a study of any size is pivoted with one participant in memory at a time.
"""

from __future__ import annotations

from collections.abc import Iterator

from analysis.exports.columns import OBSERVATION_VARIABLES, Variable
from analysis.exports.queries import Scope, iter_rows, observations_sql, participants_sql


def _key_variable(scope: Scope) -> Variable:
    key = OBSERVATION_VARIABLES["participant_id"]
    return Variable("_key", key.label, key.kind, "m.alias" if scope.deidentified else "p.participant_id")


def wide_rows(
    participant_vars: list[Variable], day_fields: list[Variable], n_days: int, scope: Scope
) -> Iterator[tuple]:
    """Rows of ``participant_vars`` + ``day_fields`` for day 1..n_days (None where a day has no observation)."""
    key = _key_variable(scope)
    people = iter_rows(participants_sql([key, *participant_vars], scope))
    day = OBSERVATION_VARIABLES["day"]
    observations = iter_rows(observations_sql([key, day, *day_fields], scope))
    pending = next(observations, None)
    width = len(day_fields)
    for person_key, *baseline in people:
        days: list = [None] * (width * n_days)
        while pending is not None and pending[0] == person_key:
            number = pending[1]
            if 1 <= number <= n_days:
                days[(number - 1) * width : number * width] = pending[2:]
            pending = next(observations, None)
        yield (*baseline, *days)
