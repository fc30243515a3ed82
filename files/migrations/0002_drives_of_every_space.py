"""Every space made before the files app gets its drive and root folder; later spaces get
theirs from `space_created` (files.registrations)."""

from django.db import migrations


def create_drives(apps, schema_editor):
    Space = apps.get_model("core", "Space")
    Drive = apps.get_model("files", "Drive")
    Folder = apps.get_model("files", "Folder")
    have = set(Drive.objects.filter(space__isnull=False).values_list("space_id", flat=True))
    for pk in Space.objects.values_list("pk", flat=True):
        if pk in have:
            continue
        drive = Drive.objects.create(space_id=pk)
        Folder.objects.create(drive=drive, parent=None, name="")


class Migration(migrations.Migration):
    dependencies = [("files", "0001_initial"), ("members", "0007_one_network_space"),
                    ("workgroups", "0003_workgroup_space_to_core")]

    operations = [migrations.RunPython(create_drives, migrations.RunPython.noop)]
