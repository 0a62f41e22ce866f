# The export log, moved from the analysis app: state only, the tables already exist
# (analysis.0002) and keep their names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('analysis', '0002_export_record'),
        ('enrollment', '0003_allocation_list_audit'),
        ('pghistory', '0007_auto_20250421_0444'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
            migrations.CreateModel(
                name='ExportRecord',
                fields=[
                    ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='exported at')),
                    ('file_format', models.CharField(choices=[('csv', 'CSV (with a codebook CSV)'), ('xlsx', 'Excel workbook (with a codebook sheet)'), ('sav', 'SPSS (.sav, with labels)'), ('dta', 'Stata (.dta, with labels)')], max_length=4, verbose_name='format')),
                    ('layout', models.CharField(choices=[('long', 'Long: participants and observations (interchange format)'), ('wide', 'Wide: one row per participant')], max_length=4, verbose_name='layout')),
                    ('deidentified', models.BooleanField(verbose_name='de-identified')),
                    ('site_code', models.CharField(blank=True, max_length=10, verbose_name='site')),
                    ('language', models.CharField(max_length=5, verbose_name='language')),
                    ('masked', models.BooleanField(default=False, verbose_name='outcome masking applied')),
                    ('file_name', models.CharField(max_length=200, verbose_name='file name')),
                    ('sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the bundle')),
                    ('size_bytes', models.BigIntegerField(verbose_name='size (bytes)')),
                    ('manifest', models.JSONField(verbose_name='manifest')),
                    ('study', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.study')),
                    ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'db_table': 'analysis_exportrecord',
                    'verbose_name': 'export',
                    'ordering': ['-created_at', '-id'],
                },
            ),
            migrations.CreateModel(
                name='ExportRecordEvent',
                fields=[
                    ('pgh_id', models.AutoField(primary_key=True, serialize=False)),
                    ('pgh_created_at', models.DateTimeField(auto_now_add=True)),
                    ('pgh_label', models.TextField(help_text='The event label.')),
                    ('id', models.BigIntegerField()),
                    ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='exported at')),
                    ('file_format', models.CharField(choices=[('csv', 'CSV (with a codebook CSV)'), ('xlsx', 'Excel workbook (with a codebook sheet)'), ('sav', 'SPSS (.sav, with labels)'), ('dta', 'Stata (.dta, with labels)')], max_length=4, verbose_name='format')),
                    ('layout', models.CharField(choices=[('long', 'Long: participants and observations (interchange format)'), ('wide', 'Wide: one row per participant')], max_length=4, verbose_name='layout')),
                    ('deidentified', models.BooleanField(verbose_name='de-identified')),
                    ('site_code', models.CharField(blank=True, max_length=10, verbose_name='site')),
                    ('language', models.CharField(max_length=5, verbose_name='language')),
                    ('masked', models.BooleanField(default=False, verbose_name='outcome masking applied')),
                    ('file_name', models.CharField(max_length=200, verbose_name='file name')),
                    ('sha256', models.CharField(max_length=64, verbose_name='SHA-256 of the bundle')),
                    ('size_bytes', models.BigIntegerField(verbose_name='size (bytes)')),
                    ('manifest', models.JSONField(verbose_name='manifest')),
                    ('pgh_context', models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='pghistory.context')),
                    ('pgh_obj', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='events', to='exports.exportrecord')),
                    ('study', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='enrollment.study')),
                    ('user', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to=settings.AUTH_USER_MODEL)),
                ],
                options={
                    'abstract': False,
                    'db_table': 'analysis_exportrecordevent',
                },
            ),            ],
        ),
    ]
