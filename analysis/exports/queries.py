"""The two queries of an export (participants, observations), streamed without loading the study.

The SQL is built from the variables' own expressions (columns.py) and run either as
``COPY (SELECT …) TO STDOUT`` (CSV: PostgreSQL formats and streams the rows) or through a
server-side cursor (the other formats and the wide layout), so memory stays flat
whatever the size of the study.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection

from analysis.exports.columns import Variable
from enrollment.deidentify import pseudonym_sql
from enrollment.models import Arm, Participant, Site
from observations.models import Observation

CHUNK = 5000
CELLS = 80_000


@dataclass(frozen=True)
class Scope:
    """Which rows to export: one study, optionally one site; pseudonyms when de-identified."""

    study_id: int
    slug: str
    site_code: str | None = None
    deidentified: bool = False


def _key(scope: Scope) -> str:
    return 'm.alias COLLATE "C"' if scope.deidentified else 'p.participant_id COLLATE "C"'


def select(
    variables: list[Variable],
    scope: Scope,
    *,
    observations: bool = False,
    join: str = "",
    where: str = "",
    order: str = "",
) -> tuple[str, list]:
    """``SELECT variables`` FROM participants with site, arm (pseudonyms, observations, ``join``) of ``scope``.

    Filtered by study and site (and ``where``), ordered by participant (or pseudonym), then ``order``.
    """
    head, params = _pseudonyms(scope) if scope.deidentified else ("", [])
    sql = (
        f"{head}SELECT {_columns(variables)}"
        f" FROM {Participant._meta.db_table} p"
        f" JOIN {Site._meta.db_table} s ON s.id = p.site_id"
        f" JOIN {Arm._meta.db_table} a ON a.id = p.arm_id"
    )
    if observations:
        sql += f" JOIN {Observation._meta.db_table} o ON o.participant_id = p.id"
    if scope.deidentified:
        sql += " JOIN m ON m.id = p.id"
    sql += join + " WHERE p.study_id = %s" + (" AND s.code = %s" if scope.site_code else "") + where
    params += [scope.study_id] + ([scope.site_code] if scope.site_code else [])
    return sql + f" ORDER BY {_key(scope)}" + (f", {order}" if order else ""), params


def _pseudonyms(scope: Scope) -> tuple[str, list]:
    """``WITH m (id, alias)``: each participant's pseudonym, computed once per participant of the study.

    ``MATERIALIZED`` makes PostgreSQL compute the HMAC once into a work table whatever plan it
    picks; without it the subquery may be pulled into the join or rescanned inside a nested loop,
    computing the HMAC again for every observation (or adverse event) row of the participant.
    """
    alias, params = pseudonym_sql("participant_id", scope.slug)
    people = Participant._meta.db_table
    sql = f"WITH m AS MATERIALIZED (SELECT id, {alias} AS alias FROM {people} WHERE study_id = %s) "
    return sql, [*params, scope.study_id]


def _columns(variables: list[Variable]) -> str:
    return ", ".join(f'{v.sql} AS "{v.name}"' for v in variables)


def participants_sql(variables: list[Variable], scope: Scope) -> tuple[str, list]:
    return select(variables, scope)


def observations_sql(variables: list[Variable], scope: Scope) -> tuple[str, list]:
    return select(variables, scope, observations=True, order="o.day")


def wide_sql(variables: list[Variable], n_days: int, scope: Scope) -> tuple[str, list]:
    """One row per participant: ``variables`` read from ``p`` and from ``o1 … o<n_days>``, her observation of each day.

    The pivot is PostgreSQL's (one LEFT JOIN per day on the unique participant/day key), so the
    wide CSV is a COPY like the long one and no row passes through Python.
    """
    days = "".join(
        f" LEFT JOIN {Observation._meta.db_table} o{day} ON o{day}.participant_id = p.id AND o{day}.day = {day}"
        for day in range(1, n_days + 1)
    )
    return select(variables, scope, join=days)


def copy_csv(query: tuple[str, list], write) -> None:
    """Stream ``query`` as CSV with a header row through ``write(bytes)`` (PostgreSQL's COPY)."""
    sql, params = query
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')", params) as copy,
    ):
        for chunk in copy:
            write(bytes(chunk))


def iter_rows(query: tuple[str, list], *, columns: int = 1) -> Iterator[tuple]:
    """The rows of ``query`` (``columns`` wide) through a server-side cursor, CHUNK rows or CELLS cells at a time.

    The cap on cells keeps a fetch of the wide layout (80+ columns) as small as one of the long one.
    """
    sql, params = query
    size = max(1, min(CHUNK, CELLS // columns))
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(size):
            yield from rows
