"""The Django `Site` (SITE_ID) that allauth's e-mails speak for: named "Maillage" and pointed
at the domain of BASE_URL, instead of Django's "example.com".

A fresh database has no Site yet (django.contrib.sites creates example.com after the
migrations, only when none exists), so the record is created here; an existing one is
renamed. Going back restores Django's default.

BASE_URL is read when the migration runs: after a change of domain, update the record in
Wagtail's or Django's admin, or run `manage.py migrate extranet 0008` then `migrate`.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations

NAME = "Maillage"
DEFAULT_DOMAIN = "example.com"


def site_domain(base_url):
    """The host (and port) of BASE_URL: "maillage.example.org", "127.0.0.1:8000"."""
    return (urlsplit(base_url).netloc or DEFAULT_DOMAIN)[:100]


def name_the_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.using(schema_editor.connection.alias).update_or_create(
        pk=getattr(settings, "SITE_ID", 1),
        defaults={"domain": site_domain(settings.BASE_URL), "name": NAME},
    )


def restore_example_com(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    Site.objects.using(schema_editor.connection.alias).filter(pk=getattr(settings, "SITE_ID", 1)).update(
        domain=DEFAULT_DOMAIN, name=DEFAULT_DOMAIN
    )


class Migration(migrations.Migration):
    dependencies = [
        ("extranet", "0008_models_moved_to_core"),
        ("sites", "0002_alter_domain_unique"),
    ]

    operations = [migrations.RunPython(name_the_site, restore_example_com)]
