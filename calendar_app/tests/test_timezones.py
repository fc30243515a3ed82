"""Time zones of events: the zones offered, a venue's zone from its codes, wall-clock times
that do not exist (spring forward) or exist twice (autumn)."""

from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from calendar_app import timezones


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def venue(postal_code, insee_code=""):
    return SimpleNamespace(postal_code=postal_code, insee_code=insee_code)


def test_zones_paris_first_and_every_overseas_territory():
    names = [name for name, _label in timezones.ZONES]
    assert names[0] == "Europe/Paris"
    assert sorted(names) == sorted([
        "Europe/Paris", "America/Guadeloupe", "America/Martinique", "America/Cayenne", "Indian/Reunion",
        "Indian/Mayotte", "America/Miquelon", "America/St_Barthelemy", "America/Marigot", "Pacific/Wallis",
        "Pacific/Tahiti", "Pacific/Noumea",
    ])
    labels = [str(label) for _name, label in timezones.ZONES]
    assert labels == [
        "Paris (métropole)", "Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte",
        "Saint-Pierre-et-Miquelon", "Saint-Barthélemy", "Saint-Martin", "Wallis-et-Futuna",
        "Polynésie française", "Nouvelle-Calédonie",
    ]


def test_zone_label():
    assert timezones.zone_label("Pacific/Noumea") == "Nouvelle-Calédonie"
    assert timezones.zone_label("Europe/Paris") == "Paris (métropole)"
    assert timezones.zone_label("America/New_York") == "America/New_York"


@pytest.mark.parametrize(("postal_code", "expected"), [
    ("46000", "Europe/Paris"),
    ("75011", "Europe/Paris"),
    ("20000", "Europe/Paris"),  # Ajaccio
    ("97110", "America/Guadeloupe"),  # Pointe-à-Pitre
    ("97200", "America/Martinique"),  # Fort-de-France
    ("97300", "America/Cayenne"),
    ("97400", "Indian/Reunion"),  # Saint-Denis
    ("97500", "America/Miquelon"),
    ("97600", "Indian/Mayotte"),  # Mamoudzou
    ("97133", "America/St_Barthelemy"),  # Saint-Barthélemy keeps a 971 postal code
    ("97150", "America/Marigot"),  # Saint-Martin too
    ("98600", "Pacific/Wallis"),
    ("98714", "Pacific/Tahiti"),  # Papeete
    ("98800", "Pacific/Noumea"),
])
def test_venue_timezone_from_postal_code(postal_code, expected):
    assert timezones.venue_timezone(venue(postal_code)) == expected


@pytest.mark.parametrize(("insee_code", "expected"), [
    ("97701", "America/St_Barthelemy"),
    ("97801", "America/Marigot"),
    ("97127", "America/Marigot"),  # Saint-Martin's former code, in Guadeloupe
    ("97123", "America/St_Barthelemy"),
    ("97105", "America/Guadeloupe"),  # Basse-Terre
    ("97411", "Indian/Reunion"),
    ("98818", "Pacific/Noumea"),
    ("2A004", "Europe/Paris"),
])
def test_venue_timezone_from_insee_code_first(insee_code, expected):
    # The INSEE code wins over the postal code when the directory knows it.
    assert timezones.venue_timezone(venue("46000", insee_code)) == expected


def test_venue_timezone_without_venue_or_codes():
    assert timezones.venue_timezone(None) == "Europe/Paris"
    assert timezones.venue_timezone(venue("")) == "Europe/Paris"


def test_venue_timezone_from_coordinates_when_the_codes_say_nothing():
    # Saint-Denis de La Réunion, its codes missing; the directory's boxes tell the zone.
    reunion = SimpleNamespace(postal_code="", insee_code="", latitude="-20.882057", longitude="55.450675")
    assert timezones.venue_timezone(reunion) == "Indian/Reunion"
    # Codes first: a metropolitan code wins over coordinates.
    lyon = SimpleNamespace(postal_code="69001", insee_code="", latitude="-20.88", longitude="55.45")
    assert timezones.venue_timezone(lyon) == "Europe/Paris"


@pytest.mark.django_db
def test_venue_timezone_of_a_directory_venue():
    from extranet.testing.factories import VenueFactory

    assert timezones.venue_timezone(VenueFactory(postal_code="97400", city="Saint-Denis")) == "Indian/Reunion"
    assert timezones.venue_timezone(VenueFactory()) == "Europe/Paris"


def test_local_datetime_ordinary_times():
    summer = timezones.local_datetime(date(2026, 7, 14), time(10, 0), "Europe/Paris")
    assert summer.astimezone(UTC) == datetime(2026, 7, 14, 8, 0, tzinfo=UTC)
    winter = timezones.local_datetime(date(2026, 12, 3), time(10, 0), "Europe/Paris")
    assert winter.astimezone(UTC) == datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    noumea = timezones.local_datetime(date(2026, 12, 3), time(10, 0), "Pacific/Noumea")
    assert noumea.astimezone(UTC) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)
    cayenne = timezones.local_datetime(date(2026, 3, 29), time(2, 30), "America/Cayenne")  # no DST there
    assert cayenne.astimezone(UTC) == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)


def test_spring_forward_gap_is_refused_with_an_explanation():
    with pytest.raises(ValidationError) as caught:
        timezones.local_datetime(date(2026, 3, 29), time(2, 30), "Europe/Paris")
    assert caught.value.messages == [
        "Le 29 mars 2026 à 2\u00a0h\u00a030 n'existe pas à Paris\u00a0: les horloges passent de 2\u00a0h à 3\u00a0h. "
        "Choisissez une autre heure."
    ]
    assert caught.value.code == "nonexistent_time"


def test_spring_forward_gap_edges():
    with pytest.raises(ValidationError):
        timezones.local_datetime(date(2026, 3, 29), time(2, 0), "Europe/Paris")
    with pytest.raises(ValidationError):
        timezones.local_datetime(date(2026, 3, 29), time(2, 59), "Europe/Paris")
    before = timezones.local_datetime(date(2026, 3, 29), time(1, 59), "Europe/Paris")
    after = timezones.local_datetime(date(2026, 3, 29), time(3, 0), "Europe/Paris")
    assert before.astimezone(UTC) == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)
    assert after.astimezone(UTC) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_spring_forward_in_saint_pierre_and_miquelon():
    # Miquelon changes at 2 h local time on the second Sunday of March (North American rules).
    with pytest.raises(ValidationError) as caught:
        timezones.local_datetime(date(2026, 3, 8), time(2, 15), "America/Miquelon")
    assert caught.value.messages == [
        "Le 8 mars 2026 à 2\u00a0h\u00a015 n'existe pas à Saint-Pierre-et-Miquelon\u00a0: les horloges passent "
        "de 2\u00a0h à 3\u00a0h. Choisissez une autre heure."
    ]


def test_autumn_ambiguous_time_is_the_first_one():
    day, at = date(2026, 10, 25), time(2, 30)
    assert timezones.is_ambiguous(day, at, "Europe/Paris") is True
    moment = timezones.local_datetime(day, at, "Europe/Paris")
    # 2 h 30 summer time (UTC+2), the first time the clock shows it.
    assert moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=2)


def test_is_ambiguous_false_for_ordinary_and_skipped_times():
    assert timezones.is_ambiguous(date(2026, 10, 25), time(3, 0), "Europe/Paris") is False
    assert timezones.is_ambiguous(date(2026, 10, 25), time(1, 59), "Europe/Paris") is False
    assert timezones.is_ambiguous(date(2026, 3, 29), time(2, 30), "Europe/Paris") is False
    assert timezones.is_ambiguous(date(2026, 10, 25), time(2, 30), "Indian/Reunion") is False


def test_day_text_first_of_month():
    assert timezones.day_text(date(2026, 5, 1)) == "1er mai 2026"
    assert timezones.day_text(date(2026, 3, 29)) == "29 mars 2026"
