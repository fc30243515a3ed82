"""Territory.space: now to core.Space, the same table (state only: the database does not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0005_territory_space"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="territory",
                    name="space",
                    field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="territory", to="core.space"),
                ),
            ],
        ),
    ]
