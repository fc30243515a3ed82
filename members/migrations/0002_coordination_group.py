"""Coordinators manage territories and venues at /cms/ (group "Coordination").

Members get the group with the coordinator role (members.services.member_set_roles).
Site editors ("Editors", Wagtail's group) edit the public pages only.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = {
    ("members", "territory"): ["add", "change", "view"],
    ("directory", "venue"): ["add", "change", "delete", "view"],
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    for label in ("members", "directory"):
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    coordination, _created = Group.objects.get_or_create(name="Coordination")
    coordination.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for (app_label, model), actions in CODENAMES.items():
        for action in actions:
            permission = Permission.objects.get(content_type__app_label=app_label, codename=f"{action}_{model}")
            coordination.permissions.add(permission)


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Coordination").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("directory", "0002_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
