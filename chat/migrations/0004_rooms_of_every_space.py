"""Every space has its room: spaces made since chat 0002 without one (the territories'
spaces made by members 0005) get it. Later spaces get theirs from `space_created`."""

from django.db import migrations


def create_rooms(apps, schema_editor):
    Space = apps.get_model("core", "Space")
    Room = apps.get_model("chat", "Room")
    have = set(Room.objects.filter(space__isnull=False).values_list("space_id", flat=True))
    Room.objects.bulk_create([Room(kind="space", space_id=pk) for pk in Space.objects.values_list("pk", flat=True)
                              if pk not in have])


class Migration(migrations.Migration):
    dependencies = [("chat", "0003_room_space_to_core"), ("extranet", "0008_models_moved_to_core")]

    operations = [migrations.RunPython(create_rooms, migrations.RunPython.noop)]
