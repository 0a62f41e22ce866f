"""The monitor role, and two rules that hold whatever writes the observations (form, API, import, psql).

1. An observation saved outside its visit window enters the protocol-deviation register
   (category visit window, minor, its deviation reason as description) in the same transaction;
   the out-of-window observations already stored are entered now.
2. A day with a data query that is not closed cannot be verified (SQLSTATE TS001, the day in DETAIL;
   observations.services turns it into a message).
"""

from django.conf import settings
from django.db import migrations

REGISTER_SQL = """
CREATE OR REPLACE FUNCTION safety_register_out_of_window() RETURNS trigger AS $$
BEGIN
  IF NEW.out_of_window AND NOT EXISTS (SELECT 1 FROM safety_protocoldeviation WHERE observation_id = NEW.id) THEN
    INSERT INTO safety_protocoldeviation (
      study_id, site_id, participant_id, observation_id, category, grade, description, corrective_action,
      preventive_action, occurred_on, identified_on, resolved_on, reported_by_id, automatic, created_at, updated_at)
    SELECT p.study_id, p.site_id, p.id, NEW.id, 'visit_window', 'minor', NEW.deviation_reason, '', '',
      NEW.observed_on, GREATEST(NEW.observed_on, (now() AT TIME ZONE '{tz}')::date), NULL, NULL, true, now(), now()
    FROM enrollment_participant p WHERE p.id = NEW.participant_id;
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS safety_register_out_of_window ON observations_observation;
CREATE TRIGGER safety_register_out_of_window AFTER INSERT OR UPDATE ON observations_observation
  FOR EACH ROW WHEN (NEW.out_of_window) EXECUTE FUNCTION safety_register_out_of_window();
INSERT INTO safety_protocoldeviation (
  study_id, site_id, participant_id, observation_id, category, grade, description, corrective_action,
  preventive_action, occurred_on, identified_on, resolved_on, reported_by_id, automatic, created_at, updated_at)
SELECT p.study_id, p.site_id, p.id, o.id, 'visit_window', 'minor', o.deviation_reason, '', '',
  o.observed_on, GREATEST(o.observed_on, (o.created_at AT TIME ZONE '{tz}')::date), NULL, NULL, true, now(), now()
FROM observations_observation o JOIN enrollment_participant p ON p.id = o.participant_id
WHERE o.out_of_window AND NOT EXISTS (SELECT 1 FROM safety_protocoldeviation d WHERE d.observation_id = o.id);
"""

VERIFY_GUARD_SQL = """
CREATE OR REPLACE FUNCTION safety_refuse_verify_with_open_query() RETURNS trigger AS $$
BEGIN
  IF EXISTS (
      SELECT 1 FROM safety_dataquery q
      WHERE q.participant_id = NEW.participant_id AND q.day = NEW.day AND q.status <> 'closed') THEN
    RAISE EXCEPTION 'day % of participant % has a data query that is not closed', NEW.day, NEW.participant_id
      USING ERRCODE = 'TS001', DETAIL = NEW.day::text;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS safety_refuse_verify_with_open_query ON observations_observation;
CREATE TRIGGER safety_refuse_verify_with_open_query BEFORE UPDATE ON observations_observation
  FOR EACH ROW WHEN (OLD.verified_at IS NULL AND NEW.verified_at IS NOT NULL)
  EXECUTE FUNCTION safety_refuse_verify_with_open_query();
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS safety_register_out_of_window ON observations_observation;
DROP FUNCTION IF EXISTS safety_register_out_of_window();
DROP TRIGGER IF EXISTS safety_refuse_verify_with_open_query ON observations_observation;
DROP FUNCTION IF EXISTS safety_refuse_verify_with_open_query();
"""


def install(apps, schema_editor):
    schema_editor.execute(REGISTER_SQL.replace("{tz}", settings.TIME_ZONE), params=None)
    schema_editor.execute(VERIFY_GUARD_SQL, params=None)


def uninstall(apps, schema_editor):
    schema_editor.execute(DROP_SQL, params=None)


def create_monitor_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="monitor")


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0001_initial"),
        ("observations", "0001_initial"),
        ("trialsite", "0002_roles"),
    ]
    operations = [
        migrations.RunPython(install, uninstall),
        migrations.RunPython(create_monitor_role, migrations.RunPython.noop),
    ]
