"""Every space has its calendar (the spaces made before the calendar app); later spaces get
theirs from `space_created`. The network starts with a few categories of event."""

from django.db import migrations

CATEGORIES = [
    ("Réunion", "blue", 10),
    ("Atelier", "green", 20),
    ("Formation", "purple", 30),
    ("Événement public", "orange", 40),
    ("Permanence", "teal", 50),
]


def create_calendars(apps, schema_editor):
    Space = apps.get_model("core", "Space")
    Calendar = apps.get_model("calendar_app", "Calendar")
    Category = apps.get_model("calendar_app", "Category")
    have = set(Calendar.objects.filter(space__isnull=False).values_list("space_id", flat=True))
    Calendar.objects.bulk_create([Calendar(space_id=pk) for pk in Space.objects.values_list("pk", flat=True)
                                  if pk not in have])
    for name, color, order in CATEGORIES:
        Category.objects.get_or_create(name=name, defaults={"color": color, "order": order})


class Migration(migrations.Migration):
    dependencies = [("calendar_app", "0001_initial"), ("workgroups", "0003_workgroup_space_to_core"), ("members", "0007_one_network_space")]

    operations = [migrations.RunPython(create_calendars, migrations.RunPython.noop)]
