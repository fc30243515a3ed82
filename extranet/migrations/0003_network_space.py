from django.db import migrations


def create_spaces(apps, schema_editor):
    Space = apps.get_model("extranet", "Space")
    Territory = apps.get_model("members", "Territory")
    Space.objects.get_or_create(kind="network", territory=None)
    for territory in Territory.objects.all():
        Space.objects.get_or_create(kind="territory", territory=territory)


class Migration(migrations.Migration):
    dependencies = [("extranet", "0002_initial"), ("members", "0001_initial")]
    operations = [migrations.RunPython(create_spaces, migrations.RunPython.noop)]
