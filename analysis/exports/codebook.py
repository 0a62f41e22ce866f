"""The codebook: one row per exported variable, in the language active when it is built."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from analysis.exports.columns import CATEGORY, DATE, DECIMAL, INTEGER, TEXT, Variable
from observations.models import MEASURED, OPTIONAL_MEASURES

MEASURES = {*MEASURED, *OPTIONAL_MEASURES, "observed_offset_days", "adherence", "massage_minutes", "out_of_window"}
CODEBOOK_COLUMNS = ("table", "variable", "label", "type", "allowed_values", "unit", "missing", "codes")


def _kind_label(kind: str) -> str:
    return {
        TEXT: _("text"),
        INTEGER: _("integer"),
        DECIMAL: _("decimal"),
        DATE: _("date"),
        CATEGORY: _("category"),
    }[kind]


def _allowed(variable: Variable) -> str:
    if variable.codes:
        return "; ".join(f"{value} = {label}" for value, _code, label in variable.codes)
    if variable.kind == TEXT:
        return _(
            "any text; in CSV a value starting with =, +, -, @, tab or carriage return is written with a "
            "leading ' so that spreadsheets do not run it as a formula (the import removes it)"
        )
    return variable.allowed


def _codes(variable: Variable) -> str:
    return "; ".join(f"{code} = {label}" for _value, code, label in variable.codes)


def _missing(variable: Variable) -> str:
    if re.sub(r"_d\d+$", "", variable.name) in MEASURES:
        return _("empty = not recorded, or the day is marked missing (see missing_reason)")
    return _("empty = not recorded")


def codebook_rows(tables) -> list[tuple[str, ...]]:
    """(table, variable, label, type, allowed values, unit, missing, codes) for every column of ``tables``.

    ``codes`` are the integer codes of categories in the SPSS and Stata files.
    """
    return [
        (
            table.name,
            v.name,
            str(v.label),
            _kind_label(v.kind),
            _allowed(v),
            str(v.unit),
            _missing(v),
            _codes(v),
        )
        for table in tables
        for v in table.variables
    ]


def codebook_header() -> tuple[str, ...]:
    """The codebook's column names (kept in English: they are variable names, like the data's)."""
    return CODEBOOK_COLUMNS
