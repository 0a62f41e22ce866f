"""What the SPSS and Stata writers share: the shape of a table measured up front, and values as codes.

Both file formats state the number of rows and the width of every text variable in their
header, before the first row. ``measure`` asks PostgreSQL for both in one aggregate over the
table's own query; inside the export's REPEATABLE READ transaction it sees the same snapshot as
the rows that follow, so the header and the data agree. The writers still check each row
against the shape and fail loudly rather than write a file whose header lies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection

from analysis.exports.columns import CATEGORY, DATE, TEXT, Variable


@dataclass(frozen=True)
class Shape:
    """How many rows a table has and the longest value (UTF-8 bytes) of each text variable."""

    rows: int
    widths: dict[str, int]


def measure(variables: list[Variable], source: tuple[str, list] | None, rows: Callable[[], Iterator[tuple]]) -> Shape:
    """The table's shape: one aggregate over ``source`` (its SQL), or one pass over ``rows`` without it."""
    texts = [v.name for v in variables if v.kind == TEXT]
    if source is None:
        return _measure_rows(variables, rows())
    sql, params = source
    widths = "".join(f', coalesce(max(octet_length("{name}")), 0)' for name in texts)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*){widths} FROM ({sql}) AS t", params)
        count, *longest = cursor.fetchone()
    return Shape(count, dict(zip(texts, longest, strict=True)))


def _measure_rows(variables: list[Variable], rows: Iterator[tuple]) -> Shape:
    count, widths = 0, {v.name: 0 for v in variables if v.kind == TEXT}
    for row in rows:
        count += 1
        for v, value in zip(variables, row, strict=True):
            if v.kind == TEXT and value is not None:
                widths[v.name] = max(widths[v.name], len(value.encode()))
    return Shape(count, widths)


def encoder(variable: Variable, *, missing: float, epoch: date, day: float) -> Callable:
    """value -> what the file stores: a float (codes for categories, ``day`` units since ``epoch`` for dates,
    ``missing`` for an empty cell) or UTF-8 bytes for text (empty text is an empty string)."""
    if variable.kind == TEXT:
        return lambda value: b"" if value is None else value.encode()
    if variable.kind == CATEGORY:
        codes = {value: float(code) for value, code, _label in variable.codes}
        return lambda value: missing if value is None else codes[value]
    if variable.kind == DATE:
        base = epoch.toordinal()
        return lambda value: missing if value is None else (date.fromisoformat(value).toordinal() - base) * day
    return lambda value: missing if value is None else float(value)


def clipped(text: str, limit: int) -> bytes:
    """``text`` in UTF-8, cut to at most ``limit`` bytes without splitting a letter."""
    return text.encode()[:limit].decode(errors="ignore").encode()


class ShapeChanged(RuntimeError):
    """The rows no longer match the shape measured for the header (the export ran outside one snapshot)."""


def check_count(shape: Shape, written: int) -> None:
    if written != shape.rows:
        raise ShapeChanged(f"{written} rows written, {shape.rows} counted for the header")
