# The study's masking and lock state moves to enrollment (enrollment.StudyControl), which every
# clinical write service can consult. The row table is renamed; its history table keeps its name
# because the audit hash chain names the table of every sealed event.

import pgtrigger.migrations
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('analysis', '0004_analysis_plan'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(model_name='analysissettings', name='analysis_settings_never_deleted'),
        pgtrigger.migrations.RemoveTrigger(model_name='analysissettings', name='insert_insert'),
        pgtrigger.migrations.RemoveTrigger(model_name='analysissettings', name='update_update'),
        pgtrigger.migrations.RemoveTrigger(model_name='analysissettingsevent', name='append_only'),
        migrations.RemoveConstraint(model_name='analysissettings', name='analysis_lock_has_time'),
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable(name='analysissettings', table='enrollment_studycontrol')],
            state_operations=[
                migrations.DeleteModel(name='AnalysisSettingsEvent'),
                migrations.DeleteModel(name='AnalysisSettings'),
            ],
        ),
    ]
