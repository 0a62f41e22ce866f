"""The database's own half of the study lock: a row trigger on every clinical table.

Services refuse writes to a locked study first (``enrollment.control.require_unlocked``), with a
translated message. Whatever gets past them — a raw ``INSERT`` or ``UPDATE`` through the app's
own connection, a forgotten code path — meets :class:`FrozenWhenLocked`: a ``BEFORE INSERT OR
UPDATE OR DELETE`` trigger, created by a migration and so owned by the owner role, that raises
while the row's study is locked. The app role can neither drop nor disable it, and its
``pgtrigger.ignore`` is void (``trialsite/privileges.py``).

The trigger takes a share lock on the study's control row, so a write in flight and the
coordinator's lock are serialised: whichever commits second sees the other.
"""

from __future__ import annotations

import pgtrigger

# Raised by the trigger; the message is in English (the database has no language), the code says why.
STUDY_LOCKED_SQLSTATE = "TS010"

# The study of the row, for rows that do not carry it: {row} is NEW, or OLD for a DELETE.
VIA_SCREENING = "(SELECT s.study_id FROM enrollment_screening s WHERE s.id = {row}.screening_id)"
VIA_PARTICIPANT = "(SELECT p.study_id FROM enrollment_participant p WHERE p.id = {row}.participant_id)"
VIA_OBSERVATION = (
    "(SELECT p.study_id FROM observations_observation o JOIN enrollment_participant p ON p.id = o.participant_id"
    " WHERE o.id = {row}.observation_id)"
)

_FUNC = """
IF TG_OP = 'DELETE' THEN
  study := {old};
ELSE
  study := {new};
END IF;
SELECT c.locked_at, u.username INTO locked_at, locked_by
  FROM enrollment_studycontrol c LEFT JOIN auth_user u ON u.id = c.locked_by_id
  WHERE c.study_id = study FOR SHARE OF c;
IF locked_at IS NOT NULL THEN
  RAISE EXCEPTION 'study % is locked (since % by %): clinical records cannot be added, changed or deleted',
    study, to_char(locked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"'), locked_by
    USING ERRCODE = '{sqlstate}', DETAIL = TG_TABLE_NAME;
END IF;
IF TG_OP = 'DELETE' THEN
  RETURN OLD;
END IF;
RETURN NEW;
"""


class FrozenWhenLocked(pgtrigger.Trigger):
    """Refuse any insert, update or delete of a row whose study is locked.

    ``study`` is an SQL expression for the row's study id, with ``{row}`` standing for the row
    (default: the row's own ``study_id``)."""

    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete
    declare = [("study", "bigint"), ("locked_at", "timestamptz"), ("locked_by", "text")]

    def __init__(self, *, study: str = "{row}.study_id", name: str = "frozen_when_locked"):
        func = _FUNC.format(old=study.format(row="OLD"), new=study.format(row="NEW"), sqlstate=STUDY_LOCKED_SQLSTATE)
        super().__init__(name=name, func=func)
