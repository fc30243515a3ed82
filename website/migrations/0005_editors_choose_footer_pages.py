"""Site editors (Wagtail's "Editors" and "Moderators" groups) choose the footer's pages at
/cms/settings/ (website.FooterPages)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Editors", "Moderators")


def grant(apps, schema_editor):
    config = apps.get_app_config("website")
    config.models_module = True
    create_permissions(config, verbosity=0, apps=apps)
    config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="website", codename="change_footerpages")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="website", codename="change_footerpages"))


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0004_footer_pages"),
        ("wagtailcore", "0002_initial_data"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
