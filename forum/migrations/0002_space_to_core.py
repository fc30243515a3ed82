"""Category.space and ModerationLog.space: now to core.Space, the same table (state only: the database does not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("forum", "0001_initial"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="category",
                    name="space",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="forum_categories", to="core.space"),
                ),
                migrations.AlterField(
                    model_name="moderationlog",
                    name="space",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.space"),
                ),
            ],
        ),
    ]
