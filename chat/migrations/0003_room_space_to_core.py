"""Room.space: now to core.Space, the same table (state only: the database does not change)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("chat", "0002_space_rooms"), ("core", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="room",
                    name="space",
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="chat_room", to="core.space"),
                ),
            ],
        ),
    ]
