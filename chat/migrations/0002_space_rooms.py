"""Every space made before the chat existed gets its room (later ones get it on creation)."""

from django.db import migrations


def create_rooms(apps, schema_editor):
    Space = apps.get_model("extranet", "Space")
    Room = apps.get_model("chat", "Room")
    have = set(Room.objects.filter(space__isnull=False).values_list("space_id", flat=True))
    Room.objects.bulk_create([Room(kind="space", space_id=pk) for pk in Space.objects.values_list("pk", flat=True)
                              if pk not in have])


class Migration(migrations.Migration):
    dependencies = [("chat", "0001_initial")]

    operations = [migrations.RunPython(create_rooms, migrations.RunPython.noop)]
