# The export log moved to its own app (exports); its tables keep their names, no row moves.
# The old triggers are dropped here and installed again under the new app's names by
# exports.0002.

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0002_export_record'),
        ('exports', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                pgtrigger.migrations.RemoveTrigger(model_name='exportrecord', name='export_record_never_deleted'),
                pgtrigger.migrations.RemoveTrigger(model_name='exportrecord', name='export_record_never_changed'),
                pgtrigger.migrations.RemoveTrigger(model_name='exportrecord', name='insert_insert'),
                pgtrigger.migrations.RemoveTrigger(model_name='exportrecord', name='update_update'),
                pgtrigger.migrations.RemoveTrigger(model_name='exportrecordevent', name='append_only'),
            ],
            state_operations=[
                migrations.DeleteModel(name='ExportRecordEvent'),
                migrations.DeleteModel(name='ExportRecord'),
            ],
        ),
    ]
