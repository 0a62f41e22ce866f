"""The CSV interchange format (interchange.md): column definitions, parsing and validation.

No queries here: what the database already holds comes in as a :class:`StudyContext`
(built by ``observations.importing``), so the export can reuse the column lists and
the tests can check the rules without a database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.translation import gettext as _

from enrollment import rules as enrollment_rules
from enrollment.models import Participant
from enrollment.rules import text_errors
from enrollment.schedule import Schedule, has_left, stopped_on
from observations.models import Observation
from observations.scoring import Thresholds, compute_score
from observations.validation import observation_errors

PARTICIPANT_COLUMNS = (
    "participant_id", "site", "arm", "enrolled_on", "intervention_start", "status", "status_date", "status_reason",
    "age_years", "parity", "delivery_mode", "infant_birth_weight_g", "full_name", "phone",
)  # fmt: skip
PARTICIPANT_REQUIRED = ("participant_id", "site", "arm", "enrolled_on", "intervention_start", "status")
OBSERVATION_COLUMNS = (
    "participant_id", "day", "observed_on", "feeds_24h", "wet_diapers_24h", "sleep_after_feed_hours",
    "breast_full_then_soft", "expressed_volume_ml", "infant_weight_g", "notes", "adherence", "massage_minutes",
    "missing_reason", "deviation_reason", "score",
)  # fmt: skip
OBSERVATION_REQUIRED = ("participant_id", "day")


# OWASP's CSV-injection defence: a text value a spreadsheet would run as a formula is written with a
# leading apostrophe. Values that already start with apostrophes before such a character get one
# more, so that removing exactly one on import gives back every value as it was typed.
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def escape_formula(text: str) -> str:
    """``text`` as a CSV cell that no spreadsheet evaluates."""
    return "'" + text if _FORMULA.match(text) else text


def unescape_formula(text: str) -> str:
    """The value :func:`escape_formula` was given."""
    return text[1:] if text.startswith("'") and _FORMULA.match(text[1:]) else text


@dataclass(frozen=True)
class RowError:
    file: str
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}, column {self.column or '-'}: {self.message}"


@dataclass(frozen=True)
class KnownParticipant:
    schedule: Schedule
    adherence: str  # the arm's Arm.adherence


@dataclass
class StudyContext:
    """What the database holds for the study: codes, settings, stored participants and days."""

    site_codes: set[str]
    arm_adherence: dict[str, str]  # arm code -> Arm.adherence
    n_days: int
    window_days: int
    thresholds: Thresholds
    participants: dict[str, KnownParticipant] = field(default_factory=dict)
    stored_days: set[tuple[str, int]] = field(default_factory=set)
    study_start: date | None = None
    today: date | None = None  # set by plan_import: no enrolment after it


@dataclass
class ImportPlan:
    participants: list[dict] = field(default_factory=list)
    observations: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_rows(text: str, file_name: str, columns: tuple, required: tuple) -> tuple[list[tuple[int, dict]], list]:
    """(line, row) pairs of a CSV text, and the header errors (unknown or missing columns).

    An empty file has no rows (e.g. importing observations of stored participants only).
    """
    if not text.strip("\ufeff \r\n\t"):
        return [], []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = reader.fieldnames or []
    errors = [RowError(file_name, 1, c, _("Unknown column.")) for c in header if c not in columns]
    errors += [RowError(file_name, 1, c, _("Required column is missing.")) for c in required if c not in header]
    errors += [RowError(file_name, 1, c, _("Column appears twice.")) for c in set(header) if header.count(c) > 1]
    if errors:
        return [], errors
    rows = []
    try:
        for row in reader:
            if None in row:
                errors.append(RowError(file_name, reader.line_num, "", _("More cells than columns.")))
                continue
            rows.append((reader.line_num, {k: unescape_formula((v or "").strip()) for k, v in row.items()}))
    except csv.Error as exc:
        errors.append(RowError(file_name, reader.line_num, "", str(exc)))
    return rows, errors


NUMBERS = (models.IntegerField, models.DecimalField, models.FloatField)


def digit_errors(model, row: dict, file_name: str, line: int) -> list[RowError]:
    """Numbers must be written with the digits 0-9 (Python would read ¹ or ١ as a digit; a spreadsheet would not)."""
    return [
        RowError(file_name, line, name, _("Write numbers with the digits 0–9."))
        for name, raw in row.items()
        if raw and not raw.isascii() and isinstance(_model_field(model, name), NUMBERS)
    ]


def _model_field(model, name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a column that is not a field of the model (site, arm, score)
        return None


def _field_value(model, name: str, raw: str, file_name: str, line: int, errors: list):
    if raw == "":
        return None
    model_field = model._meta.get_field(name)
    if isinstance(model_field, NUMBERS) and not raw.isascii():
        return None  # reported by digit_errors
    if isinstance(model_field, models.CharField | models.TextField):
        problems = text_errors(name, raw, model_field.max_length).get(name, [])
        errors.extend(RowError(file_name, line, name, m) for m in problems)
        if problems:
            return None
    try:
        return model_field.clean(raw, None)
    except ValidationError as exc:
        errors.extend(RowError(file_name, line, name, m) for m in exc.messages)
        return None


def _participant(line: int, row: dict, file_name: str, ctx: StudyContext, seen: set) -> tuple[dict, list]:
    errors: list[RowError] = []
    err = lambda column, message: errors.append(RowError(file_name, line, column, message))  # noqa: E731
    for column in PARTICIPANT_REQUIRED:
        if not row.get(column):
            err(column, _("A value is required."))
    pid = row.get("participant_id", "")
    if pid and (pid in seen or pid in ctx.participants):
        err("participant_id", _("Participant %(id)s appears twice or is already stored.") % {"id": pid})
    if row.get("site") and row["site"] not in ctx.site_codes:
        err("site", _("Unknown site code %(code)s.") % {"code": row["site"]})
    if row.get("arm") and row["arm"] not in ctx.arm_adherence:
        err("arm", _("Unknown arm code %(code)s.") % {"code": row["arm"]})
    names = [c for c in PARTICIPANT_COLUMNS if c not in ("site", "arm") and c in row]
    errors += digit_errors(Participant, row, file_name, line)
    values = {c: _field_value(Participant, c, row[c], file_name, line, errors) for c in names}
    errors += _participant_rules(values, row, file_name, line, ctx)
    return {**values, "line": line, "site": row.get("site"), "arm": row.get("arm")}, errors


def _participant_rules(values: dict, row: dict, file_name: str, line: int, ctx: StudyContext) -> list[RowError]:
    """The enrolment rules of enrollment.rules (same words as the pages), then the format's own."""
    start, enrolled, stopped = values.get("intervention_start"), values.get("enrolled_on"), values.get("status_date")
    problems: dict[str, list[str]] = {}
    if enrolled and ctx.today:
        problems.update(enrollment_rules.date_errors("enrolled_on", enrolled, today=ctx.today,
                                                     study_start=ctx.study_start))  # fmt: skip
    if start and enrolled:
        problems.update(enrollment_rules.start_errors(enrolled_on=enrolled, intervention_start=start))
    if stopped and enrolled:
        stop_problems = enrollment_rules.status_date_errors(on=stopped, enrolled_on=enrolled)
        problems.update({"status_date": stop_problems["on"]} if stop_problems else {})
    errors = [RowError(file_name, line, column, m) for column, messages in problems.items() for m in messages]
    if has_left(values.get("status", "")):
        for column in ("status_date", "status_reason"):
            if not row.get(column):
                errors.append(RowError(file_name, line, column, _("Required for a withdrawn or lost participant.")))
    return errors


def parse_participants(text: str, file_name: str, ctx: StudyContext) -> tuple[list[dict], list[RowError]]:
    rows, errors = read_rows(text, file_name, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED)
    parsed, seen = [], set()
    for line, row in rows:
        values, row_errors = _participant(line, row, file_name, ctx, seen)
        seen.add(row.get("participant_id"))
        errors += row_errors
        parsed.append(values)
    return parsed, errors


def known_from_file(parsed: list[dict], ctx: StudyContext) -> dict[str, KnownParticipant]:
    """Participants of the file (those whose row parsed) in the form observation checks need."""
    known = {}
    for p in parsed:
        if p.get("participant_id") and p.get("intervention_start") and p.get("arm") in ctx.arm_adherence:
            stopped = stopped_on(p.get("status", ""), p.get("status_date"))
            schedule = Schedule(p["intervention_start"], ctx.n_days, ctx.window_days, stopped)
            known[p["participant_id"]] = KnownParticipant(schedule, ctx.arm_adherence[p["arm"]])
    return known


def _yes_no(raw: str, file_name: str, line: int, errors: list):
    if raw in ("", None):
        return None
    if raw.lower() in ("yes", "no"):
        return raw.lower() == "yes"
    errors.append(RowError(file_name, line, "breast_full_then_soft", _("Use yes or no.")))
    return None


def _day(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


def _observation(line, row, file_name, known, ctx, today, seen) -> tuple[dict | None, list]:
    """The row's values and every error of the row (its cells, then the rules between them)."""
    pid, day = row.get("participant_id", ""), _day(row.get("day", ""))
    participant = known.get(pid) or ctx.participants.get(pid)
    if participant is None:
        return None, [RowError(file_name, line, "participant_id", _("Unknown participant %(id)s.") % {"id": pid})]
    errors = digit_errors(Observation, row, file_name, line)
    if day is None:
        errors.append(RowError(file_name, line, "day", _("Enter a whole number.")))
    elif (pid, day) in seen or (pid, day) in ctx.stored_days:
        errors.append(
            RowError(file_name, line, "day", _("Day %(day)d of %(id)s appears twice.") % {"day": day, "id": pid})
        )
    values = {c: row.get(c, "") for c in OBSERVATION_COLUMNS if c not in ("participant_id", "day", "score")}
    values["breast_full_then_soft"] = _yes_no(values["breast_full_then_soft"], file_name, line, errors)
    values.update({e.column: "" for e in errors if e.column in values})
    cleaned, problems = observation_errors(
        values, day=day or 1, schedule=participant.schedule, adherence=participant.adherence, today=today
    )
    done = {e.column for e in errors} | (
        {"observed_on", "deviation_reason", "missing_reason"} if day is None else set()
    )
    errors += [RowError(file_name, line, f, m) for f, ms in problems.items() if f not in done for m in ms]
    if not errors:
        errors += _score_check(row.get("score", ""), cleaned, ctx.thresholds, file_name, line)
    return {"line": line, "participant_id": pid, "day": day, "values": cleaned}, errors


def _score_check(raw: str, cleaned: dict, thresholds: Thresholds, file_name: str, line: int) -> list[RowError]:
    if raw == "":
        return []
    if cleaned["missing_reason"]:
        return [RowError(file_name, line, "score", _("A missing day has no score."))]
    computed = compute_score(
        feeds_24h=cleaned["feeds_24h"], wet_diapers_24h=cleaned["wet_diapers_24h"],
        sleep_after_feed_hours=cleaned["sleep_after_feed_hours"],
        breast_full_then_soft=cleaned["breast_full_then_soft"], thresholds=thresholds,
    )  # fmt: skip
    if raw != str(computed):
        return [RowError(file_name, line, "score", _("Score %(given)s does not match the computed score %(computed)d.")
                         % {"given": raw, "computed": computed})]  # fmt: skip
    return []


def parse_observations(
    text: str, file_name: str, ctx: StudyContext, known: dict[str, KnownParticipant], today: date
) -> tuple[list[dict], list[RowError]]:
    rows, errors = read_rows(text, file_name, OBSERVATION_COLUMNS, OBSERVATION_REQUIRED)
    parsed, seen = [], set()
    for line, row in rows:
        values, row_errors = _observation(line, row, file_name, known, ctx, today, seen)
        errors += row_errors
        if values is not None and values["day"] is not None:
            seen.add((values["participant_id"], values["day"]))
            parsed.append(values)
    return parsed, errors


def plan_import(
    *,
    participants_text: str,
    participants_name: str,
    observations_text: str,
    observations_name: str,
    ctx: StudyContext,
    today: date,
) -> ImportPlan:
    """Parse and check both files; the plan has errors, or rows that can all be written."""
    ctx.today = today
    participants, errors = parse_participants(participants_text, participants_name, ctx)
    known = known_from_file(participants, ctx)
    observations, obs_errors = parse_observations(observations_text, observations_name, ctx, known, today)
    return ImportPlan(participants, observations, errors + obs_errors)
