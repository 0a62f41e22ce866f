"""What an arm's daily form asks about adherence is fixed by its study's first observation.

The set-up service checks this first, with the reason for the page; the database holds the
same rule for every other path (admin, shell, SQL through the app's connection). The trigger is
on ``enrollment_arm`` but lives here: only the observations know when the first one is saved.
"""

from django.db import migrations

LOCK_SQL = """
CREATE OR REPLACE FUNCTION observations_arm_adherence_locked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM observations_observation o
             JOIN enrollment_participant p ON p.id = o.participant_id WHERE p.study_id = NEW.study_id) THEN
    RAISE EXCEPTION 'the adherence kind of arm % is locked: its study has observations', NEW.code
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER observations_arm_adherence_locked BEFORE UPDATE OF adherence ON enrollment_arm
FOR EACH ROW WHEN (OLD.adherence IS DISTINCT FROM NEW.adherence)
EXECUTE FUNCTION observations_arm_adherence_locked();
"""

UNDO_SQL = """
DROP TRIGGER IF EXISTS observations_arm_adherence_locked ON enrollment_arm;
DROP FUNCTION IF EXISTS observations_arm_adherence_locked();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("observations", "0002_instrument_threshold_ranges"),
        ("enrollment", "0006_arm_adherence"),
    ]

    operations = [migrations.RunSQL(LOCK_SQL, UNDO_SQL)]
