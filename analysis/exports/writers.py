"""One writer per format. Each takes :class:`Table` objects and writes files into a folder.

Values arrive as the SQL formats them (interchange text for dates and categories, numbers as
numbers). CSV keeps them as they are, except that text a spreadsheet would run as a formula
gets a leading apostrophe (undone by the import); XLSX writes numbers and dates as such and
text always as string cells; SPSS and Stata get numbers, dates and integer-coded categories
with variable and value labels.

CSV may start with a UTF-8 byte-order mark (``bom=True``, the "for Excel" option): Excel reads a
CSV without one in the computer's legacy code page and garbles every non-ASCII letter; R, Stata,
pandas and the import read it either way (the import drops a leading BOM).
"""

from __future__ import annotations

import codecs
import csv
import math
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from analysis.exports.codebook import codebook_header, codebook_rows
from analysis.exports.columns import CATEGORY, DATE, DECIMAL, INTEGER, TEXT, Variable
from analysis.exports.queries import copy_csv
from observations.interchange import escape_formula

FORMATS = ("csv", "xlsx", "sav", "dta")
STATA_LABEL_MAX = 80


@dataclass
class Table:
    """A data file: its variables and its rows (a fresh iterator per call); ``query`` allows COPY."""

    name: str
    variables: list[Variable]
    rows: Callable[[], Iterator[tuple]]
    query: tuple[str, list] | None = None


def _text(variable: Variable, value) -> str:
    """A CSV cell: text escaped so that no spreadsheet runs it as a formula (as the COPY query does)."""
    if value is None:
        return ""
    return escape_formula(str(value)) if variable.kind == TEXT else str(value)


def write_csv_table(table: Table, path: Path, *, bom: bool = False) -> None:
    if table.query is not None:
        with path.open("wb") as out:
            out.write(codecs.BOM_UTF8 if bom else b"")
            copy_csv(table.query, out.write)
        return
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([v.name for v in table.variables])
        for row in table.rows():
            writer.writerow([_text(v, value) for v, value in zip(table.variables, row, strict=True)])


def write_codebook_csv(tables: list[Table], path: Path, *, bom: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(codebook_header())
        writer.writerows(codebook_rows(tables))


def _typed(variable: Variable, value):
    """A value for XLSX: numbers as numbers, dates as dates, everything else as text."""
    if value is None:
        return None
    if variable.kind == DATE:
        return date.fromisoformat(value)
    if variable.kind == DECIMAL:
        return float(value)
    return value


def write_xlsx(tables: list[Table], path: Path) -> None:
    """One sheet per table and a ``codebook`` sheet (write-only mode: rows are not kept in memory).

    Every sheet keeps its header row in view (frozen) and has filter buttons on it.
    """
    book = Workbook(write_only=True)
    for table in tables:
        sheet = _sheet(book, table.name, [v.name for v in table.variables])
        rows = 1
        for row in table.rows():
            sheet.append([_cell(sheet, _typed(v, value)) for v, value in zip(table.variables, row, strict=True)])
            rows += 1
        _filter(sheet, len(table.variables), rows)
    codebook = _sheet(book, "codebook", codebook_header())
    entries = codebook_rows(tables)
    for entry in entries:
        codebook.append([_cell(codebook, value) for value in entry])
    _filter(codebook, len(codebook_header()), 1 + len(entries))
    book.save(path)


def _sheet(book, title: str, header: list[str]):
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"  # write-only sheets write their view with the first row: set it before
    sheet.append(header)
    return sheet


def _filter(sheet, width: int, rows: int) -> None:
    """Filter buttons on the header over ``rows`` rows (written when the sheet closes, after its rows)."""
    sheet.auto_filter.ref = f"A1:{get_column_letter(width)}{rows}"


def _cell(sheet, value):
    """A cell for write-only mode; text is always a string cell (openpyxl would make ``=...`` a formula)."""
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def _coded(variable: Variable, value):
    """A value for SPSS/Stata: categories as their integer code, numbers as floats (NaN = missing), dates as dates."""
    if value is None:
        return {TEXT: "", DATE: None}.get(variable.kind, math.nan)
    if variable.kind == CATEGORY:
        return float(next(code for v, code, _label in variable.codes if v == value))
    if variable.kind in (INTEGER, DECIMAL):
        return float(value)
    if variable.kind == DATE:
        return date.fromisoformat(value)
    return value


def _frame(table: Table) -> pd.DataFrame:
    """The table as a DataFrame built column by column (pyreadstat writes whole frames only).

    Numbers and codes go into float64 arrays, 8 bytes a cell; a date or text that repeats is one
    shared object (``seen``), so a cell of any kind costs one pointer, not a Python object per row.
    """
    numeric = [v.kind in (INTEGER, DECIMAL, CATEGORY) for v in table.variables]
    columns = [array("d") if n else [] for n in numeric]
    seen: dict = {}
    for row in table.rows():
        for v, column, value in zip(table.variables, columns, row, strict=True):
            key = (v.name, value)
            coded = seen.get(key)
            if coded is None:
                coded = seen[key] = _coded(v, value)
            column.append(coded)
    return pd.DataFrame({
        v.name: np.frombuffer(c, dtype="float64") if n else np.array(c, dtype=object)
        for v, c, n in zip(table.variables, columns, numeric, strict=True)
    })  # fmt: skip


def _labels(table: Table, limit: int | None = None) -> tuple[list[str], dict]:
    labels = [str(v.label)[:limit] if limit else str(v.label) for v in table.variables]
    value_labels = {v.name: {code: str(label) for _v, code, label in v.codes} for v in table.variables if v.codes}
    return labels, value_labels


def write_sav(table: Table, path: Path) -> None:
    labels, value_labels = _labels(table)
    pyreadstat.write_sav(_frame(table), str(path), column_labels=labels, variable_value_labels=value_labels)


def write_dta(table: Table, path: Path) -> None:
    labels, value_labels = _labels(table, STATA_LABEL_MAX)
    pyreadstat.write_dta(_frame(table), str(path), column_labels=labels, variable_value_labels=value_labels)


def write_tables(fmt: str, tables: list[Table], folder: Path, *, bom: bool = False) -> list[Path]:
    """Write ``tables`` (and the codebook) in ``fmt`` into ``folder``; returns the files written.

    ``bom``: CSV files (data and codebook) start with a UTF-8 byte-order mark, for Excel.
    """
    if fmt == "xlsx":
        path = folder / "data.xlsx"
        write_xlsx(tables, path)
        return [path]
    written = []
    for table in tables:
        path = folder / f"{table.name}.{fmt}"
        if fmt == "csv":
            write_csv_table(table, path, bom=bom)
        else:
            {"sav": write_sav, "dta": write_dta}[fmt](table, path)
        written.append(path)
    codebook = folder / "codebook.csv"
    write_codebook_csv(tables, codebook, bom=bom)
    return [*written, codebook]
