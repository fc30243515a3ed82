"""The library starts with the themes and publics of digital inclusion (after Les Bases and the
Coop de la médiation numérique); members add others as they write."""

from django.db import migrations
from django.utils.text import slugify

THEMES = [
    "Accès aux droits", "Citoyenneté numérique", "Communication et réseaux sociaux", "Culture numérique",
    "Démarches en ligne", "Emploi et insertion", "Fabrication numérique", "Parentalité et éducation",
    "Prise en main d'un ordinateur", "Prise en main d'un smartphone", "Santé", "Sécurité et données personnelles",
    "Bureautique", "Intelligence artificielle", "Numérique responsable", "Outils collaboratifs",
]
PUBLICS = [
    "Tout public", "Jeunes", "Seniors", "Familles", "Personnes en situation de handicap",
    "Demandeurs d'emploi", "Personnes allophones", "Professionnels de la médiation numérique",
]


def create_tags(apps, schema_editor):
    Tag = apps.get_model("resources", "Tag")
    for kind, names in (("theme", THEMES), ("public", PUBLICS)):
        for name in names:
            Tag.objects.get_or_create(kind=kind, slug=slugify(name), defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_initial")]

    operations = [migrations.RunPython(create_tags, migrations.RunPython.noop)]
