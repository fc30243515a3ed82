"""Open data: the export in the national schema (validated with frictionless) and the import function.

The schema and its valid example are vendored in `directory/tests/data/` (see its README).
Helpers at the top (`csv_bytes`, `valid_row`, `rich_venues`...) are shared with
test_import_command.py and test_admin_import.py.
"""

import csv
import datetime
import decimal
import io
import json
import pathlib

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from frictionless import Resource, Schema

from core.models import Activity
from directory import opendata, schema
from directory.models import Venue, VenueRevision
from extranet.testing.factories import TerritoryFactory, VenueFactory

DATA = pathlib.Path(__file__).parent / "data"
SCHEMA_DESCRIPTOR = json.loads((DATA / "schema.json").read_text(encoding="utf-8"))
EXAMPLE_CSV = (DATA / "exemple-valide.csv").read_bytes()
CSV_URL = reverse("public_directory:export-csv")
JSON_URL = reverse("public_directory:export-json")
PARIS_NOON = datetime.time(12, 0)
# A date_maj of the files is read as noon in Paris: 10:00 UTC in summer time (UTC+2).
NOON_2024_04_02 = datetime.datetime(2024, 4, 2, 10, 0, tzinfo=datetime.UTC)
NOON_2024_05_06 = datetime.datetime(2024, 5, 6, 10, 0, tzinfo=datetime.UTC)


# --- Helpers (shared with the other open data test modules) ---------------------------------


def frictionless_errors(resource_kwargs):
    """[(type, note)] of frictionless' validation of a resource against the vendored schema."""
    report = Resource(schema=Schema.from_descriptor(SCHEMA_DESCRIPTOR), **resource_kwargs).validate()
    return [(error.type, error.note) for task in report.tasks for error in task.errors] + [
        (error.type, error.note) for error in report.errors
    ]


def parse_csv(content):
    """(header, rows as dicts) of CSV bytes."""
    reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
    header, *rows = list(reader)
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def get_export(client, url):
    """(response, body bytes): the export is streamed, read it whole."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response, b"".join(response.streaming_content)


def export_queries(client, url):
    """Queries of a GET of the export, streaming included (the rows are read while streaming)."""
    with CaptureQueriesContext(connection) as ctx:
        _response, body = get_export(client, url)
    return len(ctx.captured_queries), body


def valid_row(**values):
    """A row of the national schema with the required columns filled (others empty)."""
    row = dict.fromkeys(schema.COLUMN_NAMES, "")
    row.update(
        {
            "id": "lieu-import-1",
            "pivot": schema.UNKNOWN_PIVOT,
            "nom": "EPM de Limogne",
            "commune": "Limogne-en-Quercy",
            "code_postal": "46260",
            "adresse": "Place du Marché",
            "date_maj": "2024-04-02",
        }
    )
    row.update(values)
    return row


def csv_bytes(rows, columns=schema.COLUMN_NAMES, *, delimiter=",", encoding="utf-8"):
    """A CSV file of `rows` (dicts) with `columns` as its header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue().encode(encoding)


def full_venue(territory, **overrides):
    """A venue with every column of the schema filled, lists of several values included."""
    values = {
        "identifier": "lieu-complet",
        "pivot": "43493312300029",
        "name": "Espace « numérique », l'Atelier",
        "slug": "espace-numerique-atelier",
        "address": '12 bis rue "Leclercq", bâtiment B',
        "address_complement": "Le patio, 1er étage",
        "postal_code": "46000",
        "insee_code": "46042",
        "city": "Cahors",
        "latitude": decimal.Decimal("44.447950"),
        "longitude": decimal.Decimal("1.441000"),
        "typology": ["TIERS_LIEUX", "ASSO"],
        "phone": "+33565123456",
        "emails": ["contact@atelier.fr", "accueil@atelier.fr"],
        "websites": ["https://atelier.fr/", "https://m.facebook.com/atelier/"],
        "opening_hours": "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off",
        "summary": "Ateliers, accès libre, aide aux démarches.",
        "description": 'Première ligne, avec une virgule.\nDeuxième ligne avec des "guillemets".\n\nFin.',
        "source": "Réseau Maillage",
        "itinerance": ["Fixe", "Itinérant"],
        "parent_structure": "Mairie de Cahors",
        "updated_at": timezone.make_aware(datetime.datetime(2024, 4, 1, 23, 30), datetime.UTC),
        "services": [schema.Service.PAPERWORK, schema.Service.EVERYDAY_TOOLS],
        "publics": [schema.Public.SENIORS, schema.Public.YOUTH],
        "specific_support": [schema.SpecificSupport.DEAFNESS, schema.SpecificSupport.ENGLISH],
        "fees": [schema.Fee.FREE, schema.Fee.FREE_UNDER_CONDITION],
        "national_programmes": [schema.NationalProgramme.CONSEILLERS, schema.NationalProgramme.CAF],
        "training_labels": [schema.TrainingLabel.MON_ESPACE_SANTE, schema.TrainingLabel.ETAPES],
        "other_labels": "Label et la bête",
        "access_modes": [schema.AccessMode.WALK_IN, schema.AccessMode.PHONE],
        "support_modes": [schema.SupportMode.INDIVIDUAL, schema.SupportMode.WORKSHOP],
        "accessibility_url": "https://acceslibre.beta.gouv.fr/app/46-cahors/a/espace/erp/atelier/",
        "appointment_url": "https://www.rdv-solidarites.fr/",
        "equipment": [schema.Equipment.VISIO, schema.Equipment.WIFI],
    }
    values.update(overrides)
    return VenueFactory(territory=territory, **values)


def rich_venues(territory):
    """Venues covering every field: full, minimal (no coordinates, no pivot), overseas, HTML in a name."""
    return [
        full_venue(territory),
        VenueFactory(
            territory=territory,
            identifier="lieu-minimal",
            name="Point numérique minimal",
            slug="point-numerique-minimal",
            updated_at=timezone.make_aware(datetime.datetime(2023, 12, 31, 23, 59)),
        ),
        full_venue(
            territory,
            identifier="lieu-reunion",
            slug="case-numerique-saint-denis",
            name="Case numérique de Saint-Denis",
            city="Saint-Denis",
            postal_code="97400",
            insee_code="97411",
            latitude=decimal.Decimal("-20.882057"),
            longitude=decimal.Decimal("55.450675"),
            phone="+262262123456",
            pivot="W9R1001234",
        ),
        VenueFactory(
            territory=territory,
            identifier="lieu-html",
            name='<script>alert("x")</script> & Cie',
            slug="lieu-html",
            phone="05 65 24 32 10",
            latitude=decimal.Decimal("45.000000"),
            longitude=decimal.Decimal("0.000010"),
        ),
    ]


# --- Export: the CSV ----------------------------------------------------------------------------


def test_the_csv_export_is_valid_against_the_national_schema(client, territory):
    rich_venues(territory)
    response, body = get_export(client, CSV_URL)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, rows = parse_csv(body)
    assert header == list(schema.COLUMN_NAMES)
    assert len(rows) == 4
    assert frictionless_errors({"data": body, "format": "csv"}) == []


def test_the_csv_export_is_a_dated_attachment_cached_a_few_minutes(client, territory):
    VenueFactory(territory=territory)
    response, _body = get_export(client, CSV_URL)
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="lieux-mediation-numerique-{today}.csv"'
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=300"} <= cache_control


def test_the_csv_export_writes_each_value_as_the_schema_says(client, territory):
    rich_venues(territory)
    _response, body = get_export(client, CSV_URL)
    rows = {row["id"]: row for row in parse_csv(body)[1]}

    full = rows["lieu-complet"]
    assert full["nom"] == "Espace « numérique », l'Atelier"
    assert full["adresse"] == '12 bis rue "Leclercq", bâtiment B'
    assert (
        full["presentation_detail"]
        == 'Première ligne, avec une virgule.\nDeuxième ligne avec des "guillemets".\n\nFin.'
    )
    assert full["typologie"] == "TIERS_LIEUX|ASSO"
    assert full["courriels"] == "contact@atelier.fr|accueil@atelier.fr"
    assert full["services"] == "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien"
    assert full["formations_labels"] == "Formé à « Mon Espace Santé »|Étapes numériques(La Poste)"
    assert full["itinerance"] == "Fixe|Itinérant"
    assert full["pivot"] == "43493312300029"
    # Plain numbers, without the trailing zeros of the database's six decimals.
    assert (full["latitude"], full["longitude"]) == ("44.44795", "1.441")
    # 23:30 UTC on 1 April is 01:30 on 2 April in Paris: the Paris date is written.
    assert full["date_maj"] == "2024-04-02"

    minimal = rows["lieu-minimal"]
    assert minimal["pivot"] == schema.UNKNOWN_PIVOT
    assert (minimal["latitude"], minimal["longitude"]) == ("", "")
    assert minimal["date_maj"] == "2023-12-31"
    assert minimal["services"] == minimal["horaires"] == minimal["complement_adresse"] == ""

    assert full["telephone"] == "+33565123456"
    assert rows["lieu-html"]["telephone"] == "+33565243210"  # stored as typed, exported as the schema says

    reunion = rows["lieu-reunion"]
    assert (reunion["latitude"], reunion["longitude"]) == ("-20.882057", "55.450675")
    assert reunion["telephone"] == "+262262123456"
    # Never an exponent (0.00001, not 1E-5), and a whole number without decimals.
    assert (rows["lieu-html"]["latitude"], rows["lieu-html"]["longitude"]) == ("45", "0.00001")


def test_html_in_a_name_is_exported_as_text(client, territory):
    rich_venues(territory)
    _response, body = get_export(client, CSV_URL)
    assert {row["id"]: row["nom"] for row in parse_csv(body)[1]}["lieu-html"] == '<script>alert("x")</script> & Cie'


def test_the_network_s_own_fields_are_not_exported(client, territory):
    full_venue(territory, photo="venues/atelier.jpg")
    _response, body = get_export(client, CSV_URL)
    text = body.decode()
    assert "visio" not in text and "wifi" not in text and "atelier.jpg" not in text
    assert territory.name not in text


def test_an_empty_directory_exports_the_header_only(client, db):
    _response, body = get_export(client, CSV_URL)
    assert body.decode().splitlines() == [",".join(schema.COLUMN_NAMES)]
    _response, body = get_export(client, JSON_URL)
    assert json.loads(body) == []


def test_the_export_answers_anonymous_visitors_and_refuses_posts(client, territory):
    VenueFactory(territory=territory)
    assert client.get(CSV_URL).status_code == 200
    assert client.get(JSON_URL).status_code == 200
    assert client.post(CSV_URL).status_code == 405
    assert client.post(JSON_URL).status_code == 405


# --- Export: the JSON ---------------------------------------------------------------------------


def test_the_json_export_is_valid_against_the_national_schema(client, territory):
    rich_venues(territory)
    response, body = get_export(client, JSON_URL)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "max-age=300" in response["Cache-Control"]
    records = json.loads(body)
    assert len(records) == 4
    assert frictionless_errors({"data": records}) == []
    assert frictionless_errors({"data": body, "format": "json"}) == []


def test_the_json_export_has_the_csv_s_keys_order_and_typed_values(client, territory):
    rich_venues(territory)
    _response, json_body = get_export(client, JSON_URL)
    _response, csv_body = get_export(client, CSV_URL)
    records = json.loads(json_body)
    csv_rows = parse_csv(csv_body)[1]
    for record, csv_record in zip(records, csv_rows, strict=True):
        assert list(record) == list(schema.COLUMN_NAMES)
        for column, value in record.items():
            if column in ("latitude", "longitude"):
                assert value is None or type(value) is float, (column, value)
                assert ("" if value is None else decimal.Decimal(str(value))) == (
                    "" if csv_record[column] == "" else decimal.Decimal(csv_record[column])
                )
            else:
                assert isinstance(value, str), (column, value)
                assert value == csv_record[column]
    by_id = {record["id"]: record for record in records}
    assert by_id["lieu-minimal"]["latitude"] is None
    assert by_id["lieu-complet"]["latitude"] == 44.44795
    assert by_id["lieu-complet"]["date_maj"] == "2024-04-02"
    datetime.date.fromisoformat(by_id["lieu-minimal"]["date_maj"])


# --- Export: queries --------------------------------------------------------------------------------


def _bulk_venues(territory, count, start=0):
    Venue.objects.bulk_create(
        [
            Venue(
                territory=territory,
                identifier=f"lieu-masse-{n}",
                name=f"Lieu {n}",
                slug=f"lieu-masse-{n}",
                address=f"{n} rue de la Gare",
                postal_code="46000",
                city="Cahors",
                latitude=decimal.Decimal("44.4") if n % 2 else None,
                longitude=decimal.Decimal("1.44") if n % 2 else None,
                services=[schema.Service.ACCESS],
                fees=[schema.Fee.FREE],
            )
            for n in range(start, start + count)
        ],
        batch_size=500,
    )


@pytest.mark.parametrize("url", [CSV_URL, JSON_URL], ids=["csv", "json"])
def test_the_export_runs_the_same_queries_for_10_and_200_venues(client, territory, url):
    _bulk_venues(territory, 10)
    client.get(url)  # warm the per-process caches
    small, body = export_queries(client, url)
    assert body.count(b"lieu-masse-") == 10
    _bulk_venues(territory, 190, start=10)
    large, body = export_queries(client, url)
    assert body.count(b"lieu-masse-") == 200
    assert small == large == 1


def test_the_export_of_5000_venues_runs_one_query(client, territory):
    _bulk_venues(territory, 5000)
    client.get(JSON_URL)  # warm the per-process caches
    queries, body = export_queries(client, CSV_URL)
    assert queries == 1
    header, rows = parse_csv(body)
    assert len(rows) == 5000
    queries, body = export_queries(client, JSON_URL)
    assert queries == 1
    assert len(json.loads(body)) == 5000


def test_a_signed_in_visitor_adds_only_the_session_queries(client, territory, member):
    _bulk_venues(territory, 10)
    client.force_login(member)
    client.get(CSV_URL)
    small, _body = export_queries(client, CSV_URL)
    _bulk_venues(territory, 190, start=10)
    large, _body = export_queries(client, CSV_URL)
    assert small == large


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_export_streams_chunk_by_chunk(async_client):
    from asgiref.sync import sync_to_async

    @sync_to_async
    def setup():
        _bulk_venues(TerritoryFactory(), opendata.EXPORT_WRITE_BATCH * 2 + 5)

    await setup()
    response = await async_client.get(CSV_URL)
    assert response.status_code == 200
    assert response.is_async
    try:
        chunks = [chunk async for chunk in response.streaming_content]
    finally:
        # The export's queries ran in asgiref's sync thread: close its connection, or
        # PostgreSQL cannot drop the test database at the end of the run.
        from django.db import connections

        await sync_to_async(connections.close_all)()  # runs in that thread: its connections
    assert len(chunks) == 3  # two full batches, then the rest
    header, rows = parse_csv(b"".join(chunks))
    assert header == list(schema.COLUMN_NAMES) and len(rows) == opendata.EXPORT_WRITE_BATCH * 2 + 5


def test_plain_numbers():
    assert opendata.plain_number(None) == ""
    assert opendata.plain_number(decimal.Decimal("43.526090")) == "43.52609"
    assert opendata.plain_number(decimal.Decimal("-0.000000")) == "0"
    assert opendata.plain_number(decimal.Decimal("100.000000")) == "100"
    assert opendata.plain_number(decimal.Decimal("-21.100000")) == "-21.1"


# --- Import: the schema's example and the round trip ------------------------------------------


def test_the_schema_s_example_imports_cleanly_and_exports_the_same(client, territory):
    report = opendata.venues_import(actor=None, file=EXAMPLE_CSV, territory=territory)
    assert report.errors == [] and report.warnings == []
    assert [(row.line, row.status, row.errors) for row in report.rows] == [(2, "created", [])]
    venue = Venue.objects.get(identifier="structure-1")
    assert venue.territory == territory
    assert venue.pivot == "43493312300029"
    assert venue.latitude == decimal.Decimal("43.526090")
    assert venue.updated_at == NOON_2024_04_02
    assert venue.revisions.get().kind == VenueRevision.Kind.IMPORTED

    _response, body = get_export(client, CSV_URL)
    header, rows = parse_csv(body)
    example_header, example_rows = parse_csv(EXAMPLE_CSV)
    assert header == example_header
    assert rows == example_rows


def test_export_import_export_gives_the_same_rows(client, territory):
    rich_venues(territory)
    _response, first = get_export(client, CSV_URL)
    Venue.objects.all().delete()
    assert not Venue.objects.exists()

    report = opendata.venues_import(actor=None, file=first, territory=territory)
    assert report.ok, [row.errors for row in report.rows]
    assert report.created == 4
    _response, second = get_export(client, CSV_URL)
    assert parse_csv(second) == parse_csv(first)


# --- Import: creating and updating --------------------------------------------------------------


def test_a_new_id_creates_a_venue_with_every_column(coordinator, territory):
    file = csv_bytes(
        [
            valid_row(
                pivot="21460042900015",
                latitude="44,3369",  # a decimal comma, as a French spreadsheet writes it
                longitude="1.7591",
                services="Aide aux démarches administratives | Accès internet et matériel informatique",
                fees="Gratuit",
                telephone="05 65 24 32 10",
                horaires="Tu-Sa 14:00-18:00",
                presentation_detail="Ligne 1\nLigne 2",
            )
        ]
    )
    report = opendata.venues_import(actor=coordinator, file=file, territory=territory)
    assert report.ok and report.created == 1
    venue = Venue.objects.get(identifier="lieu-import-1")
    assert report.rows[0].venue_id == venue.pk
    assert venue.territory == territory
    assert venue.pivot == "21460042900015"
    assert (venue.latitude, venue.longitude) == (decimal.Decimal("44.336900"), decimal.Decimal("1.759100"))
    assert venue.services == ["Aide aux démarches administratives", "Accès internet et matériel informatique"]
    assert venue.phone == "+33565243210"
    assert venue.description == "Ligne 1\nLigne 2"
    assert venue.updated_at == NOON_2024_04_02
    assert timezone.localtime(venue.updated_at).time() == PARIS_NOON
    revision = venue.revisions.get()
    assert (revision.kind, revision.author) == (VenueRevision.Kind.IMPORTED, coordinator)
    assert Activity.objects.filter(verb="venue.imported", actor=coordinator).count() == 1


def test_a_known_id_updates_the_venue_then_a_second_import_changes_nothing(referent, venue):
    file = csv_bytes([valid_row(id=venue.identifier, nom="EPM de Limogne-en-Quercy", date_maj="2024-05-06")])
    report = opendata.venues_import(actor=referent, file=file, territory=venue.territory)
    assert [(row.status, row.venue_id) for row in report.rows] == [("updated", venue.pk)]
    venue.refresh_from_db()
    assert venue.name == "EPM de Limogne-en-Quercy"
    assert venue.address == "Place du Marché"
    assert venue.updated_at == NOON_2024_05_06
    assert list(venue.revisions.values_list("kind", "author")) == [(VenueRevision.Kind.IMPORTED, referent.pk)]

    again = opendata.venues_import(actor=referent, file=file, territory=venue.territory)
    assert [row.status for row in again.rows] == ["unchanged"]
    assert venue.revisions.count() == 1


def test_an_update_changes_only_the_columns_the_file_has(coordinator, territory):
    venue = full_venue(territory)
    columns = ("id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj")
    file = csv_bytes([valid_row(id=venue.identifier, nom="Nouveau nom", pivot="00000000000000")], columns)
    report = opendata.venues_import(actor=coordinator, file=file, territory=None)
    assert report.ok and report.updated == 1
    venue.refresh_from_db()
    assert venue.name == "Nouveau nom"
    assert venue.pivot == ""  # the placeholder reads as "unknown"
    assert venue.services == [schema.Service.PAPERWORK, schema.Service.EVERYDAY_TOOLS]
    assert venue.opening_hours == "Mo-Fr 09:00-12:00,14:00-18:30; Sa 08:30-12:00; PH off"
    assert venue.territory == territory


def test_html_in_a_field_is_stored_as_text_and_exported_as_such(client, territory):
    name = '<script>alert("x")</script>'
    report = opendata.venues_import(actor=None, file=csv_bytes([valid_row(nom=name)]), territory=territory)
    assert report.ok
    assert Venue.objects.get(identifier="lieu-import-1").name == name
    _response, body = get_export(client, CSV_URL)
    assert parse_csv(body)[1][0]["nom"] == name


def test_a_file_with_semicolons_a_bom_and_french_dates_is_read(territory):
    file = b"\xef\xbb\xbf" + csv_bytes([valid_row(date_maj="02/04/2024")], delimiter=";")
    report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert report.ok and report.created == 1
    assert Venue.objects.get().updated_at == NOON_2024_04_02


def test_a_new_venue_without_a_territory_is_refused_but_updates_apply(venue):
    file = csv_bytes([valid_row(id="lieu-nouveau"), valid_row(id=venue.identifier, nom="Renommé")])
    with translation.override("en"):
        report = opendata.venues_import(actor=None, file=file, territory=None)
    assert [row.status for row in report.rows] == ["failed", "updated"]
    assert "territory" in report.rows[0].errors[0][1]
    assert not Venue.objects.filter(identifier="lieu-nouveau").exists()


# --- Import: invalid rows -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "column", "words"),
    [
        ({"code_postal": "4626"}, "code_postal", ["five digits"]),
        ({"code_insee": "ABCDE"}, "code_insee", ["INSEE"]),
        (
            {"services": "Aide aux démarches administratives|Cours de cuisine"},
            "services",
            ["« Cours de cuisine »", "Allowed values", "Aide aux démarches administratives"],
        ),
        ({"frais_a_charge": "Gratos"}, "frais_a_charge", ["« Gratos »", "Gratuit sous condition"]),
        ({"horaires": "lundi 9h-12h"}, "horaires", ["cannot be read", "Mo-Fr"]),
        ({"nom": ""}, "nom", ["blank"]),
        ({"adresse": "  "}, "adresse", ["blank"]),
        ({"id": ""}, "id", ["required"]),
        ({"date_maj": ""}, "date_maj", ["required"]),
        ({"date_maj": "2024-13-45"}, "date_maj", ["YYYY-MM-DD"]),
        ({"latitude": "40.7128", "longitude": "-74.0060"}, "latitude", ["outside France"]),
        ({"latitude": "1.4419", "longitude": "44.4475"}, "latitude", ["swapped"]),
        ({"latitude": "44.4475", "longitude": ""}, "longitude", ["both"]),
        ({"latitude": "quarante-quatre", "longitude": "1.44"}, "latitude", ["not a number"]),
        ({"telephone": "+1 555 123 4567"}, "telephone", ["international format"]),
        ({"courriels": "contact@atelier.fr|pas-une-adresse"}, "courriels", ["pas-une-adresse"]),
        ({"site_web": "ftp://atelier.fr"}, "site_web", ["ftp://atelier.fr"]),
        ({"typologie": "Tiers lieu"}, "typologie", ["Tiers lieu"]),
        ({"presentation_resume": "x" * 281}, "presentation_resume", ["280"]),
        ({"pivot": "123"}, "pivot", ["9 to 14"]),
    ],
)
def test_an_invalid_row_is_reported_by_column_and_imports_nothing(territory, values, column, words):
    file = csv_bytes([valid_row(**values)])
    with translation.override("en"):
        report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert report.errors == []
    row = report.rows[0]
    assert row.status == "failed"
    assert [error_column for error_column, _message in row.errors] == [column], row.errors
    message = row.errors[0][1]
    for word in words:
        assert word in message, message
    assert not Venue.objects.exists()
    assert not VenueRevision.objects.exists()


def test_every_wrong_column_of_a_row_is_reported(territory):
    file = csv_bytes([valid_row(code_postal="ABCDE", horaires="tous les jours", date_maj="hier", services="Wifi")])
    report = opendata.venues_import(actor=None, file=file, territory=territory)
    columns = sorted(column for column, _message in report.rows[0].errors)
    assert columns == ["code_postal", "date_maj", "horaires", "services"]
    assert not Venue.objects.exists()


def test_an_invalid_row_does_not_stop_the_valid_ones(territory):
    file = csv_bytes(
        [
            valid_row(id="lieu-1"),
            valid_row(id="lieu-2", code_postal="460"),
            valid_row(id="lieu-3", nom="Cyber-base de Figeac"),
        ]
    )
    report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert [(row.line, row.identifier, row.status) for row in report.rows] == [
        (2, "lieu-1", "created"),
        (3, "lieu-2", "failed"),
        (4, "lieu-3", "created"),
    ]
    assert (report.created, report.failed, report.ok) == (2, 1, False)
    assert sorted(Venue.objects.values_list("identifier", flat=True)) == ["lieu-1", "lieu-3"]
    assert VenueRevision.objects.count() == 2


def test_an_invalid_update_leaves_the_venue_as_it_was(venue):
    file = csv_bytes([valid_row(id=venue.identifier, nom="Nouveau nom", code_postal="1")])
    report = opendata.venues_import(actor=None, file=file, territory=None)
    assert report.rows[0].status == "failed"
    venue.refresh_from_db()
    assert (venue.name, venue.postal_code) == ("EPM de Limogne", "46000")
    assert not venue.revisions.exists()


def test_line_numbers_count_the_lines_of_multiline_values(territory):
    file = csv_bytes(
        [
            valid_row(id="lieu-1", presentation_detail="Une\ndeux\ntrois"),
            valid_row(id="lieu-2", code_postal="x"),
        ]
    )
    report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert [row.line for row in report.rows] == [2, 5]


def test_a_repeated_id_is_refused_and_names_its_first_line(territory):
    file = csv_bytes([valid_row(nom="Premier"), valid_row(id="lieu-2"), valid_row(nom="Doublon")])
    with translation.override("en"):
        report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert [row.status for row in report.rows] == ["created", "created", "failed"]
    assert report.rows[2].errors[0][0] == "id"
    assert "line 2" in report.rows[2].errors[0][1]
    assert Venue.objects.get(identifier="lieu-import-1").name == "Premier"


def test_a_row_with_the_wrong_number_of_values_is_refused(territory):
    text = csv_bytes([valid_row(id="lieu-1")]).decode() + "lieu-2,00000000000000,Trop court\r\n"
    text += csv_bytes([valid_row(id="lieu-3")]).decode().split("\r\n", 1)[1]
    with translation.override("en"):
        report = opendata.venues_import(actor=None, file=text.encode(), territory=territory)
    assert [(row.line, row.status) for row in report.rows] == [(2, "created"), (3, "failed"), (4, "created")]
    assert report.rows[1].errors == [("", "This line has 3 values where the header has 32 columns.")]
    assert not Venue.objects.filter(identifier="lieu-2").exists()


# --- Import: permissions --------------------------------------------------------------------------


def test_a_local_admin_cannot_update_a_venue_of_another_territory(referent, territory, other_territory):
    elsewhere = VenueFactory(territory=other_territory, identifier="lieu-ailleurs", name="Cyber-base d'ailleurs")
    file = csv_bytes([valid_row(id="lieu-ailleurs", nom="Piraté"), valid_row(id="lieu-chez-moi")])
    with translation.override("en"):
        report = opendata.venues_import(actor=referent, file=file, territory=territory)
    assert [row.status for row in report.rows] == ["failed", "created"]
    assert report.rows[0].errors == [("", "You cannot edit this venue.")]
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Cyber-base d'ailleurs"
    assert Venue.objects.get(identifier="lieu-chez-moi").territory == territory


def test_a_local_admin_cannot_add_venues_to_another_territory(referent, other_territory):
    with pytest.raises(PermissionDenied):
        opendata.venues_import(actor=referent, file=csv_bytes([valid_row()]), territory=other_territory)
    assert not Venue.objects.exists()


@pytest.mark.parametrize("who", ["member", "pending_user"])
def test_members_who_are_not_local_admins_cannot_import(request, who, venue):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        opendata.venues_import(actor=actor, file=csv_bytes([valid_row(id=venue.identifier)]), territory=None)
    assert not venue.revisions.exists()


def test_a_coordinator_imports_into_any_territory(coordinator, territory, other_territory):
    VenueFactory(territory=territory, identifier="lieu-a")
    file = csv_bytes([valid_row(id="lieu-a", nom="A"), valid_row(id="lieu-b", nom="B")])
    report = opendata.venues_import(actor=coordinator, file=file, territory=other_territory)
    assert [row.status for row in report.rows] == ["updated", "created"]
    assert Venue.objects.get(identifier="lieu-a").territory == territory  # updates keep their territory
    assert Venue.objects.get(identifier="lieu-b").territory == other_territory


# --- Import: dry run ------------------------------------------------------------------------------


def _counts():
    return Venue.objects.count(), VenueRevision.objects.count(), Activity.objects.count()


def test_a_dry_run_reports_everything_and_changes_nothing(referent, venue):
    before = _counts()
    file = csv_bytes(
        [
            valid_row(id=venue.identifier, nom="Renommé"),
            valid_row(id="lieu-nouveau"),
            valid_row(id="lieu-faux", code_postal="0"),
        ]
    )
    with translation.override("en"):
        report = opendata.venues_import(actor=referent, file=file, territory=venue.territory, dry_run=True)
        assert [row.status for row in report.rows] == ["updated", "created", "failed"]
        assert report.rows[0].summary() == "line 2: would be updated"
        assert report.rows[1].summary() == "line 3: would be created"
        assert report.totals_text().startswith("Dry run")
    assert _counts() == before
    venue.refresh_from_db()
    assert venue.name == "EPM de Limogne"
    assert not Venue.objects.filter(identifier="lieu-nouveau").exists()


def test_the_same_file_for_real_then_does_what_the_dry_run_said(referent, venue):
    file = csv_bytes([valid_row(id=venue.identifier, nom="Renommé"), valid_row(id="lieu-nouveau")])
    dry = opendata.venues_import(actor=referent, file=file, territory=venue.territory, dry_run=True)
    real = opendata.venues_import(actor=referent, file=file, territory=venue.territory)
    assert [row.status for row in dry.rows] == [row.status for row in real.rows] == ["updated", "created"]
    assert _counts()[:2] == (2, 2)


# --- Import: file-level problems (nothing imported) ------------------------------------------------


def _file_error(file, territory):
    with translation.override("en"):
        report = opendata.venues_import(actor=None, file=file, territory=territory)
    assert report.rows == []
    assert not Venue.objects.exists()
    assert len(report.errors) == 1
    assert not report.ok
    return report.errors[0]


def test_a_file_not_in_utf8_is_refused(territory):
    file = csv_bytes(
        [valid_row(adresse="Place du Marche"), valid_row(id="lieu-2", nom="Médiathèque")], encoding="latin-1"
    )
    error = _file_error(file, territory)
    assert "UTF-8" in error and "line 3" in error


def test_malformed_csv_is_refused(territory):
    file = csv_bytes([valid_row()]) + b'lieu-2,"00000000000000,EPM\r\n'
    assert "not a valid CSV" in _file_error(file, territory)


def test_missing_required_columns_are_named(territory):
    columns = [column for column in schema.COLUMN_NAMES if column not in ("nom", "date_maj")]
    error = _file_error(csv_bytes([valid_row()], columns), territory)
    assert "nom" in error and "date_maj" in error and "adresse" not in error


def test_an_empty_file_is_refused(territory):
    assert "empty" in _file_error(b"", territory)
    assert "empty" in _file_error(b"\xef\xbb\xbf\r\n  \r\n", territory)


def test_a_header_without_rows_is_refused(territory):
    assert "only its header" in _file_error(csv_bytes([]), territory)


def test_a_file_over_10_mb_is_refused(territory):
    assert opendata.MAX_BYTES == 10 * 1024 * 1024
    file = csv_bytes([valid_row()]) + b"x" * opendata.MAX_BYTES
    assert "10 MB" in _file_error(io.BytesIO(file), territory)


def test_a_file_with_too_many_rows_is_refused(territory):
    assert opendata.MAX_ROWS == 20_000
    file = csv_bytes([valid_row(id=f"lieu-{n}") for n in range(opendata.MAX_ROWS + 1)])
    assert len(file) < opendata.MAX_BYTES
    assert "more than 20000 venues" in _file_error(file, territory)


def test_a_file_with_exactly_the_row_limit_is_read(monkeypatch, territory):
    monkeypatch.setattr(opendata, "MAX_ROWS", 3)
    report = opendata.venues_import(
        actor=None, file=csv_bytes([valid_row(id=f"lieu-{n}") for n in range(3)]), territory=territory
    )
    assert report.ok and report.created == 3


def test_a_column_named_twice_is_refused(territory):
    columns = [*schema.COLUMN_NAMES, "nom"]
    assert "nom" in _file_error(csv_bytes([valid_row()], columns), territory)


def test_unknown_columns_are_ignored_with_a_warning(territory):
    columns = [*schema.COLUMN_NAMES, "equipement", "Couleur"]
    with translation.override("en"):
        report = opendata.venues_import(
            actor=None, file=csv_bytes([valid_row(equipement="visio", couleur="bleu")], columns), territory=territory
        )
    assert report.ok and report.created == 1
    assert report.warnings == ["Unknown columns, ignored: equipement, couleur."]
    assert Venue.objects.get().equipment == []
