"""One writer per format. Each takes :class:`Table` objects and writes files into a folder.

Values arrive as the SQL formats them (interchange text for dates and categories, numbers as
numbers). CSV keeps them as they are, except that text a spreadsheet would run as a formula
gets a leading apostrophe (undone by the import); XLSX writes numbers and dates as such and
text always as string cells; SPSS and Stata get numbers, dates and integer-coded categories
with variable and value labels, written row by row by our own writers (writers_sav.py,
writers_dta.py: no library writes those formats without holding the whole table).

CSV may start with a UTF-8 byte-order mark (``bom=True``, the "for Excel" option): Excel reads a
CSV without one in the computer's legacy code page and garbles every non-ASCII letter; R, Stata,
pandas and the import read it either way (the import drops a leading BOM).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from analysis.exports import writers_dta, writers_sav
from analysis.exports.codebook import codebook_header, codebook_rows
from analysis.exports.columns import DATE, DECIMAL, TEXT, Variable
from analysis.exports.queries import copy_csv
from analysis.exports.writers_coded import Shape, measure
from observations.interchange import escape_formula

FORMATS = ("csv", "xlsx", "sav", "dta")


@dataclass
class Table:
    """A data file: its variables and its rows (a fresh iterator per call); ``query`` allows COPY.

    ``source`` is the SQL that ``rows`` reads, for the row count and text widths that SPSS and
    Stata headers need before the first row (without it they take one more pass over ``rows``).
    """

    name: str
    variables: list[Variable]
    rows: Callable[[], Iterator[tuple]]
    query: tuple[str, list] | None = None
    source: tuple[str, list] | None = None


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


def write_sav(table: Table, path: Path) -> None:
    shape = _shape(table)  # before the rows: measured first, then read in the same snapshot
    writers_sav.write_sav(table.variables, table.rows(), shape, path)


def write_dta(table: Table, path: Path) -> None:
    shape = _shape(table)
    writers_dta.write_dta(table.variables, table.rows(), shape, path)


def _shape(table: Table) -> Shape:
    return measure(table.variables, table.source, table.rows)


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
