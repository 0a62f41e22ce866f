"""Create the three role groups. Authorization itself is decided in enrollment/access.py by role and site."""

from django.db import migrations

ROLES = ("midwife", "coordinator", "investigator")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("trialsite", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
