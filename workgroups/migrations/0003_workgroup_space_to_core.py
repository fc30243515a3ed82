"""Workgroup.space: now to core.Space, the same table (state only: the database does not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("workgroups", "0002_coordination_edits_workgroup_settings"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="workgroup",
                    name="space",
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="workgroup", to="core.space"),
                ),
            ],
        ),
    ]
