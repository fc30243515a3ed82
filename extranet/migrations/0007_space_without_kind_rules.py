"""Space no longer knows its kinds (step 3 of 3): the territory link, the kind choices and
the kind constraints go; each kind is registered by the app that owns it (core.spaces)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("extranet", "0006_space_territory_link_reversed"), ("members", "0005_territory_space")]

    operations = [
        migrations.RemoveConstraint(model_name="space", name="space_kind_matches_link"),
        migrations.RemoveConstraint(model_name="space", name="one_network_space"),
        migrations.RemoveField(model_name="space", name="territory"),
        migrations.AlterField(
            model_name="space", name="kind", field=models.CharField(max_length=20, verbose_name="kind")
        ),
    ]
