"""The default evaluation questions (a workshop without its own questions uses these)."""

from django.db import migrations

DEFAULTS = [
    ("scale", "Dans l’ensemble, êtes-vous satisfait·e de cet atelier\u00a0?", "", True),
    ("scale", "Le contenu correspondait-il à vos attentes\u00a0?", "", False),
    ("scale", "Les explications de l’animateur ou de l’animatrice étaient-elles claires\u00a0?", "", False),
    ("choice", "Le rythme de l’atelier était…", "Trop lent\nAdapté\nTrop rapide", False),
    ("choice", "Recommanderiez-vous cet atelier à quelqu’un\u00a0?", "Oui\nPeut-être\nNon", False),
    ("text", "Qu’avez-vous appris, et que faudrait-il améliorer\u00a0?", "", False),
]


def create(apps, schema_editor):
    Question = apps.get_model("workshops", "Question")
    if Question.objects.filter(workshop__isnull=True).exists():
        return
    for order, (kind, text, choices, required) in enumerate(DEFAULTS):
        Question.objects.create(workshop=None, kind=kind, text=text, choices=choices, required=required,
                                order=order)


class Migration(migrations.Migration):
    dependencies = [("workshops", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
