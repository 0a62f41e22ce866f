# The export log's triggers under the exports app's names (analysis.0003 dropped the old ones).

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('exports', '0001_initial'),
        ('analysis', '0003_export_record_to_exports_app'),
    ]

    operations = [
        pgtrigger.migrations.AddTrigger(
            model_name='exportrecord',
            trigger=pgtrigger.compiler.Trigger(name='export_record_never_deleted', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot delete rows from % table', TG_TABLE_NAME;", hash='3149be7755d3e7aafa24df906370f2328558f283', operation='DELETE', pgid='pgtrigger_export_record_never_deleted_eb2f7', table='analysis_exportrecord', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='exportrecord',
            trigger=pgtrigger.compiler.Trigger(name='export_record_never_changed', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update rows from % table', TG_TABLE_NAME;", hash='874ca37f07318ad7326e9e6e678964ba74025156', operation='UPDATE', pgid='pgtrigger_export_record_never_changed_cb966', table='analysis_exportrecord', when='BEFORE')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='exportrecord',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "analysis_exportrecordevent" ("created_at", "deidentified", "file_format", "file_name", "id", "language", "layout", "manifest", "masked", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sha256", "site_code", "size_bytes", "study_id", "user_id") VALUES (NEW."created_at", NEW."deidentified", NEW."file_format", NEW."file_name", NEW."id", NEW."language", NEW."layout", NEW."manifest", NEW."masked", _pgh_attach_context(), NOW(), \'insert\', NEW."id", NEW."sha256", NEW."site_code", NEW."size_bytes", NEW."study_id", NEW."user_id"); RETURN NULL;', hash='888216079fb9857109e31964368af3c593dd44bc', operation='INSERT', pgid='pgtrigger_insert_insert_2e1c7', table='analysis_exportrecord', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='exportrecord',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "analysis_exportrecordevent" ("created_at", "deidentified", "file_format", "file_name", "id", "language", "layout", "manifest", "masked", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id", "sha256", "site_code", "size_bytes", "study_id", "user_id") VALUES (NEW."created_at", NEW."deidentified", NEW."file_format", NEW."file_name", NEW."id", NEW."language", NEW."layout", NEW."manifest", NEW."masked", _pgh_attach_context(), NOW(), \'update\', NEW."id", NEW."sha256", NEW."site_code", NEW."size_bytes", NEW."study_id", NEW."user_id"); RETURN NULL;', hash='fd76bf7802b54423865f56cd90dcd654462b2c8f', operation='UPDATE', pgid='pgtrigger_update_update_3675f', table='analysis_exportrecord', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='exportrecordevent',
            trigger=pgtrigger.compiler.Trigger(name='append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='3144614bcbd34b91f791417bcaab9427e32f35d2', operation='UPDATE OR DELETE', pgid='pgtrigger_append_only_d4476', table='analysis_exportrecordevent', when='BEFORE')),
        ),
    ]
