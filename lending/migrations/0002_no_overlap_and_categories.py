"""Two holding bookings of one item never overlap (PostgreSQL: an exclusion constraint over
the booked days; SQLite: `lending.availability.hold` checks in its IMMEDIATE transaction),
and the first categories of equipment."""

from django.db import migrations

CONSTRAINT = """
ALTER TABLE lending_booking ADD CONSTRAINT lending_booking_no_overlap
EXCLUDE USING gist (item_id WITH =, daterange(blocked_start, blocked_end, '[)') WITH &&) WHERE (holds)
"""

CATEGORIES = [
    "Vidéoprojecteurs et écrans", "Ordinateurs portables", "Tablettes", "Appareils photo et caméras",
    "Kits de visioconférence", "Robots et programmation", "Son et micros", "Réseau et connexion", "Autre",
]


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(CONSTRAINT)


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE lending_booking DROP CONSTRAINT IF EXISTS lending_booking_no_overlap")


def add_categories(apps, schema_editor):
    Category = apps.get_model("lending", "Category")
    for position, name in enumerate(CATEGORIES):
        Category.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("lending", "0001_initial")]

    operations = [
        migrations.RunPython(add_constraint, drop_constraint),
        migrations.RunPython(add_categories, migrations.RunPython.noop),
    ]
