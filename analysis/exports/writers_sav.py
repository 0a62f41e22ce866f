"""SPSS system files (.sav, uncompressed, UTF-8), written one row at a time.

Written from the system file format as GNU PSPP documents it ("System File Format", PSPP
Developers Guide). We write it ourselves because no well-kept Python library writes .sav row by
row: pyreadstat takes one whole DataFrame, so memory grew with the study (about 500 MB at
1,000,000 rows); this writer keeps one row at a time.

What the file carries is what pyreadstat wrote before: numbers and codes as doubles (``F8.2``),
dates as ``DATE11`` (seconds since 1582-10-14), an empty cell as system missing, text as
``A<w>`` as wide as its longest value (at least 1; beyond 255 bytes a "very long string" of
255-byte segments), the variable's own name (long names record) and label, and value labels per
categorical variable. No file label, no user-missing values.
"""

from __future__ import annotations

import struct
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from analysis.exports.columns import DATE, TEXT, Variable
from analysis.exports.writers_coded import Shape, ShapeChanged, check_count, clipped, encoder

SYSMIS = -sys.float_info.max
LOWEST = struct.unpack("<d", bytes.fromhex("feffffffffffefff"))[0]
EPOCH = date(1582, 10, 14)
SEGMENT, SEGMENT_STEP = 255, 252
"""A very long string is cut into segments of 255 bytes; each after the first adds 252 to its width."""
FORMAT_F, FORMAT_A, FORMAT_DATE = 5, 1, 20
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _format(kind: int, width: int, decimals: int = 0) -> int:
    return kind << 16 | width << 8 | decimals


@dataclass(frozen=True)
class _Column:
    """One variable in the file: its short name, its segments' widths (text) and where it starts."""

    variable: Variable
    short: str
    widths: tuple[int, ...]
    index: int
    """1-based position of its first record in the dictionary (each 8 bytes of a case is one)."""

    @property
    def storage(self) -> tuple[int, ...]:
        return tuple(-(-w // 8) * 8 for w in self.widths) if self.widths else (8,)

    @property
    def width(self) -> int:
        return sum(self.widths) - (SEGMENT - SEGMENT_STEP) * (len(self.widths) - 1)


def _columns(variables: list[Variable], shape: Shape) -> list[_Column]:
    columns, index = [], 1
    for number, v in enumerate(variables, start=1):
        widths = _segments(max(shape.widths[v.name], 1)) if v.kind == TEXT else ()
        column = _Column(v, f"V{number}", widths, index)
        columns.append(column)
        index += sum(column.storage) // 8
    return columns


def _segments(width: int) -> tuple[int, ...]:
    if width <= SEGMENT:
        return (width,)
    count = -(-width // SEGMENT_STEP)
    return (SEGMENT,) * (count - 1) + (width - SEGMENT_STEP * (count - 1),)


def _header(units: int, rows: int) -> bytes:
    now = datetime.now()
    product = b"@(#) SPSS DATA FILE - Trialsite".ljust(60)
    day = f"{now.day:02d} {MONTHS[now.month - 1]} {now:%y}".encode()
    return struct.pack("<4s60s5id9s8s64s3x", b"$FL2", product, 2, units, 0, 0, rows, 100.0, day,
                       now.strftime("%H:%M:%S").encode(), b" " * 64)  # fmt: skip


def _variable_records(column: _Column) -> bytes:
    v = column.variable
    if not column.widths:
        fmt = _format(FORMAT_DATE, 11) if v.kind == DATE else _format(FORMAT_F, 8, 2)
        return _record(0, column.short, fmt, str(v.label))
    records = []
    for k, (width, storage) in enumerate(zip(column.widths, column.storage, strict=True)):
        short, label = (column.short, str(v.label)) if k == 0 else (f"{column.short}_{k}", None)
        records.append(_record(width, short, _format(FORMAT_A, width), label))
        records += [struct.pack("<6i8s", 2, -1, 0, 0, 0, 0, b" " * 8)] * (storage // 8 - 1)
    return b"".join(records)


def _record(type_: int, short: str, fmt: int, label: str | None) -> bytes:
    record = struct.pack("<6i8s", 2, type_, label is not None, 0, fmt, fmt, short.encode().ljust(8))
    if label is None:
        return record
    text = clipped(label, 255)
    return record + struct.pack("<i", len(text)) + text.ljust(-(-len(text) // 4) * 4, b" ")


def _value_labels(column: _Column) -> bytes:
    entries = b""
    for _value, code, label in column.variable.codes:
        text = clipped(str(label), 255)
        entries += struct.pack("<dB", float(code), len(text)) + text.ljust(-(-(len(text) + 1) // 8) * 8 - 1, b" ")
    count = len(column.variable.codes)
    return struct.pack("<2i", 3, count) + entries + struct.pack("<3i", 4, 1, column.index)


def _extension(subtype: int, size: int, data: bytes) -> bytes:
    return struct.pack("<4i", 7, subtype, size, len(data) // size) + data


def _extensions(columns: list[_Column]) -> bytes:
    names = "\t".join(f"{c.short}={c.variable.name}" for c in columns).encode()
    long_strings = b"".join(f"{c.short}={c.width:05d}".encode() + b"\0\t" for c in columns if len(c.widths) > 1)
    return b"".join([
        _extension(3, 4, struct.pack("<8i", 1, 0, 0, -1, 1, 1, 2, 65001)),
        _extension(4, 8, struct.pack("<3d", SYSMIS, sys.float_info.max, LOWEST)),
        _extension(13, 1, names),
        _extension(14, 1, long_strings) if long_strings else b"",
        _extension(20, 1, b"UTF-8"),
        struct.pack("<2i", 999, 0),
    ])  # fmt: skip


def _cell(column: _Column):
    """value -> the bytes or double the case holds for ``column``."""
    encode = encoder(column.variable, missing=SYSMIS, epoch=EPOCH, day=86400.0)
    if not column.widths:
        return encode
    limit, storage = column.width, column.storage
    if len(storage) == 1:
        return lambda value: _fits(encode(value), limit).ljust(storage[0], b" ")

    def segments(value):
        data = _fits(encode(value), limit)
        return b"".join(data[k * SEGMENT : (k + 1) * SEGMENT].ljust(size, b" ") for k, size in enumerate(storage))

    return segments


def _fits(data: bytes, limit: int) -> bytes:
    if len(data) > limit:
        raise ShapeChanged(f"a text of {len(data)} bytes in a column measured at {limit}")
    return data


def write_sav(variables: list[Variable], rows, shape: Shape, path: Path) -> None:
    """Write ``rows`` (tuples as the export's queries return them) as a .sav file of ``shape``."""
    columns = _columns(variables, shape)
    layout = struct.Struct("<" + "".join(f"{sum(c.storage)}s" if c.widths else "d" for c in columns))
    cells = [_cell(c) for c in columns]
    with path.open("wb", buffering=1 << 20) as out:
        out.write(_header(layout.size // 8, shape.rows))
        out.write(b"".join(_variable_records(c) for c in columns))
        out.write(b"".join(_value_labels(c) for c in columns if c.variable.codes))
        out.write(_extensions(columns))
        written = 0
        for row in rows:
            out.write(layout.pack(*[cell(value) for cell, value in zip(cells, row, strict=True)]))
            written += 1
        check_count(shape, written)
