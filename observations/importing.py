"""Importing the interchange CSV files: all or nothing, audited with the user and the file name."""

from __future__ import annotations

from datetime import date

import pghistory
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from enrollment.control import require_unlocked
from enrollment.models import Participant, Study
from observations.interchange import ImportPlan, KnownParticipant, RowError, StudyContext, plan_import
from observations.models import Observation, instrument_for
from trialsite.textfiles import NotText, decode_text

NO_FILE = ("", "")  # (name, text) of a file that was not given: no rows


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


class FileTooLarge(ValueError):
    """An import file above ``settings.IMPORT_MAX_BYTES``; the message is for the user."""


def check_size(name: str, size: int) -> None:
    """Refuse a file above the configured cap before reading it."""
    limit = settings.IMPORT_MAX_BYTES
    if size > limit:
        raise FileTooLarge(
            _("%(name)s is larger than the limit of %(limit)s; split it into smaller files.")
            % {"name": name, "limit": filesizeformat(limit)}
        )


def decode_files(raw: dict[str, tuple[str, bytes]]) -> tuple[dict[str, tuple[str, str]], list[RowError]]:
    """The uploaded bytes as text; a file that is not UTF-8 text is an error naming its line and column."""
    files, errors = {}, []
    for key, (name, data) in raw.items():
        try:
            files[key] = (name, decode_text(data))
        except NotText as problem:
            errors.append(RowError(name, problem.line, str(problem.column), problem.message))
    return files, errors


def capped(errors: list[RowError]) -> tuple[list[RowError], int]:
    """The first ``settings.IMPORT_MAX_ERRORS`` errors and how many more there are."""
    cap = settings.IMPORT_MAX_ERRORS
    return errors[:cap], max(len(errors) - cap, 0)


def study_context(study: Study) -> StudyContext:
    """What the import checks against: the study's codes, settings, stored participants and days."""
    stored = Participant.objects.filter(study=study).select_related("study", "arm")
    return StudyContext(
        site_codes=set(study.sites.values_list("code", flat=True)),
        arm_adherence=dict(study.arms.values_list("code", "adherence")),
        n_days=study.n_days,
        study_start=study.start_date,
        window_days=study.window_days,
        thresholds=instrument_for(study).thresholds,
        participants={p.participant_id: KnownParticipant(p.schedule, p.arm.adherence) for p in stored},
        stored_days=set(
            Observation.objects.filter(participant__study=study).values_list("participant__participant_id", "day")
        ),
    )


def check_files(*, study: Study, files: dict[str, tuple[str, str]], today: date) -> ImportPlan:
    """Parse and check ``files`` = {"participants": (name, text), "observations": (name, text)}.

    Either file may be left out: observations alone for participants already enrolled, or
    participants alone.
    Raises StudyLocked (nothing is read) while the study is locked.
    """
    require_unlocked(study)
    (p_name, p_text), (o_name, o_text) = files.get("participants", NO_FILE), files.get("observations", NO_FILE)
    return plan_import(
        participants_text=p_text, participants_name=p_name, observations_text=o_text, observations_name=o_name,
        ctx=study_context(study), today=today,
    )  # fmt: skip


def import_files(*, study: Study, files: dict[str, tuple[str, str]], by, today: date) -> ImportPlan:
    """Check, then write everything in one transaction; raises ImportFailed (nothing written) on any error."""
    with transaction.atomic():
        # Serialise imports of one study: the checks below must still hold when the rows are written.
        Study.objects.select_for_update(no_key=True).filter(pk=study.pk).first()
        plan = check_files(study=study, files=files, today=today)
        if plan.errors:
            raise ImportFailed(plan.errors)
        with pghistory.context(user=by.pk, reason=files.get("participants", NO_FILE)[0]):
            created = {p.participant_id: p for p in _write_participants(study, plan.participants, by)}
        with pghistory.context(user=by.pk, reason=files.get("observations", NO_FILE)[0]):
            _write_observations(study, plan.observations, created, by)
    return plan


def _write_participants(study: Study, rows: list[dict], user) -> list[Participant]:
    sites = {s.code: s for s in study.sites.all()}
    arms = {a.code: a for a in study.arms.all()}
    written = []
    for row in rows:
        values = {k: v for k, v in row.items() if k not in ("line", "site", "arm") and v is not None}
        written.append(
            Participant.objects.create(
                study=study, site=sites[row["site"]], arm=arms[row["arm"]], created_by=user, **values
            )
        )
    return written


def _write_observations(study: Study, rows: list[dict], created: dict, user) -> None:
    stored = {
        p.participant_id: p
        for p in Participant.objects.filter(study=study, participant_id__in={r["participant_id"] for r in rows})
        .select_related("study", "arm")
    }  # fmt: skip
    for row in rows:
        participant = created.get(row["participant_id"]) or stored[row["participant_id"]]
        Observation(participant=participant, day=row["day"], created_by=user, **row["values"]).save()
