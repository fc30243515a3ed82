"""Space, Notification and Activity now live in `core` (core 0001): gone from this app's
state; their tables stay, owned by core (state only)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("extranet", "0007_space_without_kind_rules"),
        ("core", "0001_initial"),
        ("members", "0006_territory_space_to_core"),
        ("workgroups", "0003_workgroup_space_to_core"),
        ("forum", "0002_space_to_core"),
        ("chat", "0003_room_space_to_core"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="Activity"),
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="Space"),
            ],
        ),
    ]
