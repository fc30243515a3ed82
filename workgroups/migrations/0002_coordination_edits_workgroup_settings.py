"""Coordinators set the network's workgroup rules at /cms/settings/ (group "Coordination")."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    config = apps.get_app_config("workgroups")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    coordination, _created = Group.objects.get_or_create(name="Coordination")
    coordination.permissions.add(
        Permission.objects.get(content_type__app_label="workgroups", codename="change_workgroupsettings")
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for group in Group.objects.filter(name="Coordination"):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="workgroups", codename="change_workgroupsettings"))


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0001_initial"),
        ("members", "0002_coordination_group"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
