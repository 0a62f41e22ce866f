"""The exported variables: names, labels, types, allowed values, units and integer codes.

The long layout *is* the interchange format: its column names and order come from
``observations.interchange`` (the import's own definitions), so export and import cannot
drift; a column the import adds without a definition here fails loudly (KeyError).
The SQL expression of each variable formats values exactly as interchange.md writes them
(dates YYYY-MM-DD, yes/no, codes), once, for every output format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from enrollment.models import DeliveryMode, ParticipantStatus
from observations.interchange import OBSERVATION_COLUMNS, PARTICIPANT_COLUMNS
from observations.models import Adherence, MissingReason

TEXT, INTEGER, DECIMAL, DATE, CATEGORY = "text", "integer", "decimal", "date", "category"


@dataclass(frozen=True)
class Variable:
    """One exported column. ``codes`` (value, integer code, label) for categories."""

    name: str
    label: str
    kind: str
    sql: str
    allowed: str = ""
    unit: str = ""
    codes: tuple = field(default=())

    def with_name(self, name: str, label: str) -> Variable:
        return Variable(name, label, self.kind, self.sql, self.allowed, self.unit, self.codes)


def _choices(choices, numbering: dict[str, int] | None = None) -> tuple:
    """(value, code, label) for TextChoices; codes 1..n in declaration order unless ``numbering`` is given."""
    return tuple(
        (value, (numbering or {}).get(value, i), label) for i, (value, label) in enumerate(choices.choices, start=1)
    )


YES_NO_CODES = (("yes", 1, _("Yes")), ("no", 0, _("No")))
ADHERENCE_CODES = _choices(Adherence, {"yes": 2, "partly": 1, "no": 0})


def _yes_no_sql(column: str) -> str:
    return f"CASE WHEN {column} THEN 'yes' WHEN NOT {column} THEN 'no' END"


def _date_sql(column: str) -> str:
    return f"to_char({column}, 'YYYY-MM-DD')"


def _offset_sql(column: str) -> str:
    return f"({column} - p.intervention_start)"


def formula_safe_sql(expression: str) -> str:
    """``expression`` as observations.interchange.escape_formula writes it (for CSV, formatted by PostgreSQL)."""
    quote = "''''"  # a single apostrophe, as an SQL string literal
    return f"CASE WHEN {expression} ~ '^''*[-=+@\\t\\r]' THEN {quote} || {expression} ELSE {expression} END"


def csv_safe(variables: list[Variable]) -> list[Variable]:
    """The variables with their text expressions escaped against formula injection (CSV only)."""
    return [
        Variable(v.name, v.label, v.kind, formula_safe_sql(v.sql), v.allowed, v.unit, v.codes) if v.kind == TEXT else v
        for v in variables
    ]


MISSING_TEXT = _("empty = not recorded")
PARTICIPANT_VARIABLES = {
    v.name: v
    for v in (
        Variable("participant_id", _("Participant ID"), TEXT, "p.participant_id"),
        Variable("site", _("Site (health centre)"), CATEGORY, "s.code"),
        Variable("arm", _("Study group (arm)"), CATEGORY, "a.code"),
        Variable("enrolled_on", _("Enrolment date"), DATE, _date_sql("p.enrolled_on"), "YYYY-MM-DD"),
        Variable("intervention_start", _("Intervention start (day 1)"), DATE, _date_sql("p.intervention_start"),
                 "YYYY-MM-DD"),
        Variable("status", _("Participant status"), CATEGORY, "p.status", codes=_choices(ParticipantStatus)),
        Variable("status_date", _("Status date (withdrawal, loss, completion)"), DATE, _date_sql("p.status_date"),
                 "YYYY-MM-DD"),
        Variable("status_reason", _("Reason for the status"), TEXT, "NULLIF(p.status_reason, '')"),
        Variable("age_years", _("Mother's age"), INTEGER, "p.age_years", "12–60", _("years")),
        Variable("parity", _("Parity"), INTEGER, "p.parity", "0–20"),
        Variable("delivery_mode", _("Delivery mode"), CATEGORY, "NULLIF(p.delivery_mode, '')",
                 codes=_choices(DeliveryMode)),
        Variable("infant_birth_weight_g", _("Infant birth weight"), INTEGER, "p.infant_birth_weight_g", "500–6000",
                 _("grams")),
        Variable("full_name", _("Full name (direct identifier)"), TEXT, "NULLIF(p.full_name, '')"),
        Variable("phone", _("Phone (direct identifier)"), TEXT, "NULLIF(p.phone, '')"),
        Variable("date_of_birth", _("Date of birth (direct identifier)"), DATE, _date_sql("p.date_of_birth"),
                 "YYYY-MM-DD"),
        # De-identified replacements.
        Variable("enrolled_offset_days", _("Enrolment, days relative to the intervention start"), INTEGER,
                 _offset_sql("p.enrolled_on"), "≤ 0", _("days")),
        Variable("status_offset_days", _("Status date, days relative to the intervention start"), INTEGER,
                 _offset_sql("p.status_date"), "", _("days")),
    )
}  # fmt: skip

OBSERVATION_VARIABLES = {
    v.name: v
    for v in (
        Variable("participant_id", _("Participant ID"), TEXT, "p.participant_id"),
        Variable("day", _("Study day of the schedule"), INTEGER, "o.day", "1–n", pgettext_lazy("unit", "day")),
        Variable("observed_on", _("Observation date"), DATE, _date_sql("o.observed_on"), "YYYY-MM-DD"),
        Variable("feeds_24h", _("Breastfeeds in 24 hours"), INTEGER, "o.feeds_24h", "0–40", _("times")),
        Variable("wet_diapers_24h", _("Infant wet diapers in 24 hours"), INTEGER, "o.wet_diapers_24h", "0–40",
                 _("times")),
        Variable("sleep_after_feed_hours", _("Hours the infant sleeps/settles after a feed"), DECIMAL,
                 "o.sleep_after_feed_hours", "0–24, 0.5 steps", _("hours")),
        Variable("breast_full_then_soft", _("Breast feels full before feeding and soft after"), CATEGORY,
                 _yes_no_sql("o.breast_full_then_soft"), codes=YES_NO_CODES),
        Variable("expressed_volume_ml", _("Expressed milk volume"), INTEGER, "o.expressed_volume_ml", "0–2000",
                 "ml"),
        Variable("infant_weight_g", _("Infant weight"), INTEGER, "o.infant_weight_g", "1000–8000", _("grams")),
        Variable("notes", _("Notes"), TEXT, "NULLIF(o.notes, '')"),
        Variable("adherence", _("Intervention taken/given today"), CATEGORY, "NULLIF(o.adherence, '')",
                 codes=ADHERENCE_CODES),
        Variable("massage_minutes", _("Massage duration"), INTEGER, "o.massage_minutes", "0–120", _("minutes")),
        Variable("missing_reason", _("Reason the day is missing"), CATEGORY, "NULLIF(o.missing_reason, '')",
                 codes=_choices(MissingReason)),
        Variable("deviation_reason", _("Reason for observing outside the visit window"), TEXT,
                 "NULLIF(o.deviation_reason, '')"),
        Variable("score", _("Milk production score (1 + indicators met)"), INTEGER, "o.score", "1–5",
                 _("points")),
        # De-identified replacements.
        Variable("observed_offset_days", _("Observation, days after the intervention start"), INTEGER,
                 _offset_sql("o.observed_on"), "", _("days")),
        Variable("out_of_window", _("Observed outside the visit window"), CATEGORY,
                 _yes_no_sql("o.out_of_window"), codes=YES_NO_CODES),
    )
}  # fmt: skip

PSEUDONYM = Variable("participant_id", _("Participant pseudonym (stable across exports)"), TEXT, "m.alias")
DIRECT_IDENTIFIERS = ("full_name", "phone", "date_of_birth")
FREE_TEXT = ("status_reason", "notes", "deviation_reason")
"""Free text can name a person: left out of de-identified exports."""
DATE_REPLACEMENTS = {
    "enrolled_on": "enrolled_offset_days",
    "intervention_start": None,
    "status_date": "status_offset_days",
    "observed_on": "observed_offset_days",
    "deviation_reason": "out_of_window",
}
ARM_REVEALING = ("arm", "adherence", "massage_minutes")
"""Columns that reveal the arm: left out while outcome masking applies to the user."""
WIDE_DAY_FIELDS = (
    "observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours", "breast_full_then_soft",
    "expressed_volume_ml", "infant_weight_g", "adherence", "massage_minutes", "missing_reason", "score",
)  # fmt: skip


def _select(names, catalog: dict, *, deidentified: bool, masked: bool) -> list[Variable]:
    chosen = []
    for name in names:
        if deidentified and name in DIRECT_IDENTIFIERS:
            continue
        if deidentified and name in DATE_REPLACEMENTS:
            name = DATE_REPLACEMENTS[name]
        elif deidentified and name in FREE_TEXT:
            continue
        if name is None or (masked and name in ARM_REVEALING):
            continue
        chosen.append(PSEUDONYM if deidentified and name == "participant_id" else catalog[name])
    return chosen


def participant_variables(*, layout: str, deidentified: bool, masked: bool = False) -> list[Variable]:
    """The participant columns: the interchange columns (long), plus the date of birth (wide, identified)."""
    names = list(PARTICIPANT_COLUMNS) + (["date_of_birth"] if layout == "wide" else [])
    return _select(names, PARTICIPANT_VARIABLES, deidentified=deidentified, masked=masked)


def observation_variables(*, deidentified: bool, masked: bool = False) -> list[Variable]:
    """The observation columns of the long layout, in interchange order."""
    return _select(OBSERVATION_COLUMNS, OBSERVATION_VARIABLES, deidentified=deidentified, masked=masked)


def wide_day_fields(*, deidentified: bool, masked: bool = False) -> list[Variable]:
    """The fields repeated for every day in the wide layout."""
    return _select(WIDE_DAY_FIELDS, OBSERVATION_VARIABLES, deidentified=deidentified, masked=masked)


_OBSERVATION_ALIAS = re.compile(r"\bo\.")


def wide_day_variables(fields: list[Variable], n_days: int) -> list[Variable]:
    """``feeds_24h_d1 … score_d7``: every day field, day by day, read from that day's observation ``o<day>``."""
    return [
        Variable(f"{v.name}_d{day}", _day_label(v.label, day), v.kind, _OBSERVATION_ALIAS.sub(f"o{day}.", v.sql),
                 v.allowed, v.unit, v.codes)
        for day in range(1, n_days + 1)
        for v in fields
    ]  # fmt: skip


def _day_label(label, day: int) -> str:
    return lazy(lambda: gettext("%(label)s, day %(day)d") % {"label": label, "day": day}, str)()


def bind_study(variables: list[Variable], study, sites, arms) -> list[Variable]:
    """Give ``site`` and ``arm`` their study's codes (1..n in the study's order), labelled in the active language."""
    codes = {
        "site": tuple((s.code, i, s.name) for i, s in enumerate(sites, start=1)),
        "arm": tuple((a.code, i, a.label) for i, a in enumerate(arms, start=1)),
    }
    return [
        Variable(v.name, v.label, v.kind, v.sql, v.allowed, v.unit, codes[v.name]) if v.name in codes else v
        for v in variables
    ]
