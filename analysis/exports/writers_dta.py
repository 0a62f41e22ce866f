"""Stata files (.dta format 118, Stata 14 and later), written one row at a time.

Written from StataCorp's description of the format ("dta file format 118", ``help dta`` in
Stata, https://www.stata.com/help.cgi?dta). We write it ourselves because no well-kept Python
library writes .dta row by row: pyreadstat and pandas' StataWriter take one whole DataFrame, so
memory grows with the study (about 500 MB at 1,000,000 rows); this writer keeps one row at a time.

What the file carries is what pyreadstat wrote before: numbers, codes and dates as doubles
(dates ``%td``, days since 1960-01-01), an empty cell as Stata's system missing ``.``, text as
``str#`` as wide as its longest value in bytes (at least 1; ``strL`` beyond 2,045), variable
labels cut at Stata's 80 characters, one value-label set per categorical variable, named after
it, and no data label. Little-endian; the section offsets (``<map>``) are written at the end.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
from datetime import date, datetime
from pathlib import Path

from analysis.exports.columns import DATE, TEXT, Variable
from analysis.exports.writers_coded import Shape, ShapeChanged, check_count, clipped, encoder

MISSING = struct.unpack("<d", bytes.fromhex("000000000000e07f"))[0]
"""Stata's system missing ``.`` for doubles (2**1023)."""
DOUBLE, STRL, STR_MAX = 65526, 32768, 2045
LABEL_MAX = 80
EPOCH = date(1960, 1, 1)
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
SECTIONS = ("map", "variable_types", "varnames", "sortlist", "formats", "value_label_names", "variable_labels",
            "characteristics", "data", "strls", "value_labels")  # fmt: skip


def _type(variable: Variable, shape: Shape) -> int:
    if variable.kind != TEXT:
        return DOUBLE
    width = max(shape.widths[variable.name], 1)
    return width if width <= STR_MAX else STRL


def _format(variable: Variable) -> str:
    return {TEXT: "%-9s", DATE: "%td"}.get(variable.kind, "%10.0g")


def _fixed(text: str, size: int) -> bytes:
    """A NUL-padded field of ``size`` bytes holding ``text`` (UTF-8, cut to leave room for the NUL)."""
    return clipped(text, size - 1).ljust(size, b"\0")


def _tagged(tag: str, body: bytes) -> bytes:
    return f"<{tag}>".encode() + body + f"</{tag}>".encode()


def _header(k: int, n: int) -> bytes:
    now = datetime.now()
    stamp = f"{now.day:02d} {MONTHS[now.month - 1]} {now.year} {now:%H:%M}".encode()
    return b"<stata_dta>" + _tagged("header", b"".join([
        _tagged("release", b"118"), _tagged("byteorder", b"LSF"), _tagged("K", struct.pack("<H", k)),
        _tagged("N", struct.pack("<Q", n)), _tagged("label", struct.pack("<H", 0)),
        _tagged("timestamp", struct.pack("<B", len(stamp)) + stamp),
    ]))  # fmt: skip


def _descriptors(variables: list[Variable], types: list[int]) -> dict[str, bytes]:
    """The sections between the map and the data, by tag."""
    return {
        "variable_types": b"".join(struct.pack("<H", t) for t in types),
        "varnames": b"".join(_fixed(v.name, 129) for v in variables),
        "sortlist": bytes(2 * (len(variables) + 1)),
        "formats": b"".join(_fixed(_format(v), 57) for v in variables),
        "value_label_names": b"".join(_fixed(v.name if v.codes else "", 129) for v in variables),
        "variable_labels": b"".join(_fixed(str(v.label)[:LABEL_MAX], 321) for v in variables),
        "characteristics": b"",
    }


def _value_labels(variable: Variable) -> bytes:
    """One ``<lbl>`` set: the codes in order with their labels."""
    entries = sorted((code, clipped(str(label), 32000) + b"\0") for _value, code, label in variable.codes)
    offsets = [sum(len(text) for _code, text in entries[:i]) for i in range(len(entries))]
    texts = b"".join(text for _code, text in entries)
    table = struct.pack(f"<II{len(entries)}I{len(entries)}i", len(entries), len(texts), *offsets,
                        *(code for code, _text in entries)) + texts  # fmt: skip
    return _tagged("lbl", struct.pack("<I", len(table)) + _fixed(variable.name, 129) + bytes(3) + table)


def _cells(variables: list[Variable], types: list[int]):
    """value -> packed field for each variable (a strL's bytes are placed by ``_Strls``)."""
    encoders = []
    for v, t in zip(variables, types, strict=True):
        encode = encoder(v, missing=MISSING, epoch=EPOCH, day=1.0)
        encoders.append(_checked(encode, t) if v.kind == TEXT and t != STRL else encode)
    return encoders


def _checked(encode, limit: int):
    def cell(value):
        data = encode(value)
        if len(data) > limit:
            raise ShapeChanged(f"a text of {len(data)} bytes in a column measured at {limit}")
        return data

    return cell


class _Strls:
    """The ``strL`` values, kept in a temporary file until the data section is closed (GSO records)."""

    def __init__(self, columns: list[int], file):
        self.columns, self.file = columns, file

    def place(self, cells: list, row: int) -> None:
        for column in self.columns:
            data = cells[column]
            if not data:
                cells[column] = 0  # (v, o) = (0, 0): the empty string
                continue
            self.file.write(b"GSO" + struct.pack("<IQBI", column + 1, row, 130, len(data) + 1) + data + b"\0")
            cells[column] = (column + 1) | (row << 16)

    def copy_to(self, out) -> None:
        self.file.seek(0)
        shutil.copyfileobj(self.file, out)


def write_dta(variables: list[Variable], rows, shape: Shape, path: Path) -> None:
    """Write ``rows`` (tuples as the export's queries return them) as a .dta file of ``shape``."""
    types = [_type(v, shape) for v in variables]
    with path.open("wb", buffering=1 << 20) as out, tempfile.TemporaryFile() as spill:
        out.write(_header(len(variables), shape.rows))
        offsets = {"map": out.tell()}
        out.write(_tagged("map", bytes(8 * 14)))  # filled in at the end, when every offset is known
        for tag, body in _descriptors(variables, types).items():
            offsets[tag] = out.tell()
            out.write(_tagged(tag, body))
        offsets["data"] = out.tell()
        strls = _Strls([i for i, t in enumerate(types) if t == STRL], spill)
        check_count(shape, _write_data(out, rows, _cells(variables, types), types, strls))
        offsets["strls"] = out.tell()
        out.write(b"<strls>")
        strls.copy_to(out)
        out.write(b"</strls>")
        offsets["value_labels"] = out.tell()
        out.write(_tagged("value_labels", b"".join(_value_labels(v) for v in variables if v.codes)))
        _write_map(out, offsets)


def _write_data(out, rows, cells, types: list[int], strls: _Strls) -> int:
    """The ``<data>`` section, one fixed-width record per row; returns the number of rows."""
    layout = struct.Struct("<" + "".join("d" if t == DOUBLE else "Q" if t == STRL else f"{t}s" for t in types))
    out.write(b"<data>")
    written = 0
    for written, row in enumerate(rows, start=1):
        packed = [cell(value) for cell, value in zip(cells, row, strict=True)]
        if strls.columns:
            strls.place(packed, written)
        out.write(layout.pack(*packed))
    out.write(b"</data>")
    return written


def _write_map(out, offsets: dict[str, int]) -> None:
    """Close the file and write where each section starts into ``<map>``."""
    close = out.tell()
    out.write(b"</stata_dta>")
    ends = out.tell()
    out.seek(offsets["map"] + len(b"<map>"))
    out.write(struct.pack("<14Q", 0, *(offsets[tag] for tag in SECTIONS), close, ends))
