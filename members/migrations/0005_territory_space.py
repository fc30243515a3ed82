"""Territory.space: each territory points to its space (step 2 of 3, see extranet 0006)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_links(apps, schema_editor):
    Space = apps.get_model("extranet", "Space")
    Territory = apps.get_model("members", "Territory")
    linked = dict(Space.objects.filter(kind="territory", territory__isnull=False).values_list("territory_id", "pk"))
    for territory in Territory.objects.all():
        space_id = linked.get(territory.pk)
        if space_id is None:  # a territory made without its space: it gets one now
            # (linked the old way too: the kind constraint holds until extranet 0007)
            space_id = Space.objects.create(kind="territory", territory_id=territory.pk).pk
        Territory.objects.filter(pk=territory.pk).update(space_id=space_id)


def copy_links_back(apps, schema_editor):
    Space = apps.get_model("extranet", "Space")
    Territory = apps.get_model("members", "Territory")
    for territory_id, space_id in Territory.objects.values_list("pk", "space_id"):
        Space.objects.filter(pk=space_id).update(territory_id=territory_id)


class Migration(migrations.Migration):
    dependencies = [("members", "0004_follow"), ("extranet", "0006_space_territory_link_reversed")]

    operations = [
        migrations.AddField(
            model_name="territory",
            name="space",
            field=models.OneToOneField(null=True, editable=False, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="territory", to="extranet.space"),
        ),
        migrations.RunPython(copy_links, copy_links_back),
        migrations.AlterField(
            model_name="territory",
            name="space",
            field=models.OneToOneField(editable=False, on_delete=django.db.models.deletion.PROTECT,
                                       related_name="territory", to="extranet.space"),
        ),
    ]
