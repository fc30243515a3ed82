"""One network space, guaranteed by the database: a partial unique index declared by the
app that owns the network kind (core's Space names no kind, so the model cannot say it)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("members", "0006_territory_space_to_core"), ("extranet", "0008_models_moved_to_core")]

    operations = [
        migrations.RunSQL(
            "CREATE UNIQUE INDEX one_network_space ON extranet_space (kind) WHERE kind = 'network'",
            "DROP INDEX one_network_space",
        ),
    ]
