"""Space no longer knows its kinds (step 3 of 3): the territory link, the kind choices and
the kind constraints go; each kind is registered by the app that owns it (core.spaces)."""

from django.db import migrations, models


def links_back(apps, schema_editor):
    """Undoing: Space.territory is back (empty) before its constraints are: fill it from
    Territory.space, so that the kind constraint holds when it is added again."""
    Space = apps.get_model("extranet", "Space")
    Territory = apps.get_model("members", "Territory")
    for territory_id, space_id in Territory.objects.values_list("pk", "space_id"):
        Space.objects.filter(pk=space_id).update(territory_id=territory_id)


class Migration(migrations.Migration):
    dependencies = [("extranet", "0006_space_territory_link_reversed"), ("members", "0005_territory_space")]

    operations = [
        migrations.RemoveConstraint(model_name="space", name="space_kind_matches_link"),
        migrations.RemoveConstraint(model_name="space", name="one_network_space"),
        migrations.RunPython(migrations.RunPython.noop, links_back),
        migrations.RemoveField(model_name="space", name="territory"),
        migrations.AlterField(
            model_name="space", name="kind", field=models.CharField(max_length=20, verbose_name="kind")
        ),
    ]
