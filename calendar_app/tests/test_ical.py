"""Our RFC 5545 writer, read back by an independent parser (icalendar)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import translation

from calendar_app import ical, registry
from calendar_app.models import Category, Event

PARIS = ZoneInfo("Europe/Paris")
CREATED = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
CHANGED = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)


def event(pk=1, **fields):
    """An event row in memory (the writer reads only its fields)."""
    values = dict(pk=pk, uid=f"uid-{pk}@maillage", title="Réunion", start=datetime(2026, 3, 3, 10, tzinfo=PARIS),
                  end=datetime(2026, 3, 3, 11, 30, tzinfo=PARIS), tz="Europe/Paris", created_at=CREATED,
                  updated_at=CHANGED, sequence=2, calendar_id=1)
    values.update(fields)
    return Event(**values)


def parse(text):
    return icalendar.Calendar.from_ical(text)


def vevents(calendar):
    return [component for component in calendar.walk("VEVENT")]


# --- Lines ------------------------------------------------------------------------------------


def test_short_lines_are_not_folded_and_end_with_crlf():
    assert ical.fold("SUMMARY:Court") == "SUMMARY:Court\r\n"


def test_long_ascii_lines_are_folded_at_75_octets():
    line = "DESCRIPTION:" + "x" * 200
    folded = ical.fold(line)
    physical = folded.split("\r\n")[:-1]
    assert [len(piece.encode()) for piece in physical] == [75, 75, 64]
    assert all(piece.startswith(" ") for piece in physical[1:])
    assert "".join([physical[0], *(piece[1:] for piece in physical[1:])]) == line


def test_folding_never_cuts_a_utf8_character():
    line = "SUMMARY:" + "é" * 60 + "€" * 20  # 2 and 3 octets each
    physical = ical.fold(line).split("\r\n")[:-1]
    assert len(physical) == 3
    for piece in physical:
        encoded = piece.encode("utf-8")
        assert len(encoded) <= 75
        assert encoded.decode("utf-8") == piece  # each line is whole UTF-8
    # 8 + 33×2 = 74 octets on the first line (one more "é" would make 76)
    assert physical[0] == "SUMMARY:" + "é" * 33


def test_text_escaping():
    assert ical.escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_escaped_and_folded_text_reads_back_exactly():
    title = "Atelier « numérique », niveau 1; salle B\\2 " + "très long " * 20
    description = "Première ligne\nDeuxième, avec; tout"
    text = ical.calendar_text(name="Essai", events=[event(title=title, description=description)])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\n" not in text.replace("\r\n", "")
    found = vevents(parse(text))[0]
    assert str(found["SUMMARY"]) == title
    assert str(found["DESCRIPTION"]) == "Première ligne\nDeuxième, avec; tout"


def test_description_is_plain_text_of_the_markdown():
    row = event(description="**Ordre du jour** :\n\n- budget\n- [site](https://exemple.test)",
                online_url="https://visio.exemple.test/salle")
    with translation.override("en"):
        found = vevents(parse(ical.calendar_text(name="Essai", events=[row])))[0]
    assert str(found["DESCRIPTION"]) == (
        "Ordre du jour :\n\n- budget\n- site\n\nOnline meeting: https://visio.exemple.test/salle"
    )


# --- Calendar ---------------------------------------------------------------------------------


def test_calendar_properties():
    text = ical.calendar_text(name="Mon agenda", events=[event()])
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    calendar = parse(text)
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//Maillage//Agenda partagé//FR"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"]) == "Mon agenda"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/Paris"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in text
    assert "X-PUBLISHED-TTL:PT1H\r\n" in text


def test_event_properties():
    row = event(location="Salle des fêtes, Cahors", category=Category(pk=3, name="Atelier"))
    found = vevents(parse(ical.calendar_text(name="Essai", events=[row])))[0]
    assert str(found["UID"]) == "uid-1@maillage"
    assert found["DTSTAMP"].dt == CHANGED
    assert found["CREATED"].dt == CREATED
    assert found["LAST-MODIFIED"].dt == CHANGED
    assert found["SEQUENCE"] == 2
    assert found["DTSTART"].dt == datetime(2026, 3, 3, 10, tzinfo=PARIS)
    assert found["DTSTART"].params["TZID"] == "Europe/Paris"
    assert found["DTEND"].dt == datetime(2026, 3, 3, 11, 30, tzinfo=PARIS)
    assert str(found["LOCATION"]) == "Salle des fêtes, Cahors"
    assert str(found["URL"]).endswith("/bureau/agenda/evenements/1/")
    assert str(found["URL"]).startswith("http")
    assert found["CATEGORIES"].cats == ["Atelier"]
    assert str(found["STATUS"]) == "CONFIRMED"


def test_public_event_links_to_its_public_page_and_a_cancelled_one_says_so():
    row = event(visibility=Event.Visibility.PUBLIC, status=Event.Status.CANCELLED)
    found = vevents(parse(ical.calendar_text(name="Essai", events=[row], public=True)))[0]
    assert str(found["URL"]).endswith("/agenda/evenements/1/")
    assert str(found["STATUS"]) == "CANCELLED"


def test_all_day_event_is_written_with_dates():
    row = event(all_day=True, start=datetime(2026, 5, 14, tzinfo=PARIS), end=datetime(2026, 5, 16, tzinfo=PARIS))
    text = ical.calendar_text(name="Essai", events=[row])
    assert "DTSTART;VALUE=DATE:20260514\r\n" in text
    assert "DTEND;VALUE=DATE:20260516\r\n" in text
    found = vevents(parse(text))[0]
    assert found["DTSTART"].dt == date(2026, 5, 14)
    assert found["DTEND"].dt == date(2026, 5, 16)
    assert "BEGIN:VTIMEZONE" not in text  # no zone used


def test_one_vtimezone_per_zone_used():
    rows = [event(1), event(2, tz="America/Miquelon", start=datetime(2026, 3, 3, 10, tzinfo=UTC),
                             end=datetime(2026, 3, 3, 11, tzinfo=UTC)), event(3)]
    calendar = parse(ical.calendar_text(name="Essai", events=rows))
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris", "America/Miquelon"]
    miquelon = vevents(calendar)[1]
    assert miquelon["DTSTART"].params["TZID"] == "America/Miquelon"
    assert miquelon["DTSTART"].dt == datetime(2026, 3, 3, 7, tzinfo=ZoneInfo("America/Miquelon"))


# --- VTIMEZONE --------------------------------------------------------------------------------


def _rrules(text, kind):
    calendar = parse("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + text + "END:VCALENDAR\r\n")
    zone = calendar.walk("VTIMEZONE")[0]
    return [(str(part["TZNAME"]), part["RRULE"]["BYMONTH"], part["RRULE"]["BYDAY"]) for part in zone.walk(kind)]


def test_paris_rules():
    text = ical.vtimezone("Europe/Paris", 2026)
    assert "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n" in text
    assert _rrules(text, "DAYLIGHT") == [("CEST", [3], ["-1SU"])]
    assert _rrules(text, "STANDARD") == [("CET", [10], ["-1SU"])]
    assert "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n" in text
    assert "DTSTART:19700329T020000\r\n" in text  # 2 h, the last Sunday of March 1970


def test_miquelon_rules():
    text = ical.vtimezone("America/Miquelon", 2026)
    assert _rrules(text, "DAYLIGHT") == [("-02", [3], ["2SU"])]
    assert _rrules(text, "STANDARD") == [("-03", [11], ["1SU"])]


def test_a_zone_without_daylight_saving_has_one_standard_part():
    text = ical.vtimezone("Indian/Reunion", 2026)
    assert "BEGIN:DAYLIGHT" not in text
    assert text.count("BEGIN:STANDARD") == 1
    assert "TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400\r\n" in text


@pytest.mark.parametrize("tz", ["Europe/Paris", "America/Miquelon", "Indian/Reunion", "America/Cayenne",
                                "Pacific/Noumea", "Australia/Sydney", "Europe/Dublin", "Africa/Casablanca"])
def test_vtimezone_offsets_equal_zoneinfo_over_2026_to_2028(tz):
    text = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + ical.vtimezone(tz, 2026) + "END:VCALENDAR\r\n")
    read = parse(text).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    zone = ZoneInfo(tz)
    moment = datetime(2026, 1, 1, tzinfo=UTC)
    checked = 0
    while moment < datetime(2029, 1, 1, tzinfo=UTC):
        assert moment.astimezone(read).utcoffset() == moment.astimezone(zone).utcoffset(), (tz, moment)
        moment += timedelta(hours=6)
        checked += 1
    assert checked == 4384


# --- Recurrence -------------------------------------------------------------------------------


def test_rrule_exdate_and_recurrence_id():
    master = event(1, rrule="FREQ=WEEKLY;BYDAY=TU;COUNT=10")
    cancelled = event(2, series_id=1, recurrence_id=datetime(2026, 3, 10, 9, tzinfo=UTC),
                      status=Event.Status.CANCELLED, start=datetime(2026, 3, 10, 10, tzinfo=PARIS),
                      end=datetime(2026, 3, 10, 11, 30, tzinfo=PARIS))
    moved = event(3, series_id=1, recurrence_id=datetime(2026, 3, 31, 8, tzinfo=UTC), title="Déplacée",
                  start=datetime(2026, 4, 1, 14, tzinfo=PARIS), end=datetime(2026, 4, 1, 15, tzinfo=PARIS), sequence=3)
    text = ical.calendar_text(name="Essai", events=[master, cancelled, moved])
    assert "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=10\r\n" in text
    assert "EXDATE;TZID=Europe/Paris:20260310T100000\r\n" in text
    assert "RECURRENCE-ID;TZID=Europe/Paris:20260331T100000\r\n" in text
    found = vevents(parse(text))
    assert len(found) == 2
    assert [str(component["UID"]) for component in found] == ["uid-1@maillage", "uid-1@maillage"]
    assert found[0]["EXDATE"].dts[0].dt == datetime(2026, 3, 10, 10, tzinfo=PARIS)
    assert found[1]["RECURRENCE-ID"].dt == datetime(2026, 3, 31, 10, tzinfo=PARIS)
    assert found[1]["DTSTART"].dt == datetime(2026, 4, 1, 14, tzinfo=PARIS)
    assert str(found[1]["SUMMARY"]) == "Déplacée"
    assert found[1]["SEQUENCE"] == 3
    assert "RRULE" not in found[1]


def test_all_day_series_uses_dates_for_until_exdate_and_recurrence_id():
    master = event(1, all_day=True, start=datetime(2026, 6, 1, tzinfo=PARIS), end=datetime(2026, 6, 2, tzinfo=PARIS),
                   rrule="FREQ=DAILY;UNTIL=20260610T215959Z")
    cancelled = event(2, series_id=1, all_day=True, recurrence_id=datetime(2026, 6, 2, 22, tzinfo=UTC),
                      status=Event.Status.CANCELLED, start=datetime(2026, 6, 3, tzinfo=PARIS),
                      end=datetime(2026, 6, 4, tzinfo=PARIS))
    text = ical.calendar_text(name="Essai", events=[master, cancelled])
    assert "RRULE:FREQ=DAILY;UNTIL=20260610\r\n" in text
    assert "EXDATE;VALUE=DATE:20260603\r\n" in text
    found = vevents(parse(text))
    assert found[0]["EXDATE"].dts[0].dt == date(2026, 6, 3)


def test_exceptions_of_masters_not_given_are_left_out():
    orphan = event(2, series_id=99, recurrence_id=datetime(2026, 3, 10, 9, tzinfo=UTC))
    assert vevents(parse(ical.calendar_text(name="Essai", events=[event(1), orphan]))).__len__() == 1


def test_a_series_starting_off_its_rule_is_written_from_its_first_occurrence():
    # Saved on Tuesday 3 March for "every Thursday": the calendar's first occurrence is the 5th.
    master = event(1, rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=3")
    found = vevents(parse(ical.calendar_text(name="Essai", events=[master])))[0]
    assert found["DTSTART"].dt == datetime(2026, 3, 5, 10, tzinfo=PARIS)
    assert found["DTEND"].dt == datetime(2026, 3, 5, 11, 30, tzinfo=PARIS)


def test_registry_items_are_single_events():
    items = [
        registry.Item(key="workshops-session-7", title="Atelier CV", start=datetime(2026, 4, 2, 14, tzinfo=PARIS),
                      end=datetime(2026, 4, 2, 16, tzinfo=PARIS), url="/bureau/ateliers/7/", source="workshops",
                      location="Médiathèque", calendar_label="Ateliers", updated=CHANGED),
        registry.Item(key="loans-3", title="Prêt d'une tablette", start=datetime(2026, 4, 3, tzinfo=UTC),
                      end=datetime(2026, 4, 5, tzinfo=UTC), url="/bureau/prets/3/", source="loans", all_day=True,
                      uid="loan-3@maillage"),
    ]
    text = ical.calendar_text(name="Essai", events=[], items=items, stamp=CREATED)
    calendar = parse(text)
    assert [str(zone["TZID"]) for zone in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    workshop, loan = vevents(calendar)
    assert str(workshop["UID"]) == "workshops-session-7@maillage"
    assert workshop["DTSTART"].dt == datetime(2026, 4, 2, 14, tzinfo=PARIS)
    assert workshop["DTSTAMP"].dt == CHANGED
    assert str(workshop["LOCATION"]) == "Médiathèque"
    assert workshop["CATEGORIES"].cats == ["Ateliers"]
    assert str(workshop["URL"]).endswith("/bureau/ateliers/7/") and str(workshop["URL"]).startswith("http")
    assert "RRULE" not in workshop
    assert str(loan["UID"]) == "loan-3@maillage"
    assert loan["DTSTART"].dt == date(2026, 4, 3)
    assert loan["DTEND"].dt == date(2026, 4, 5)
    assert loan["DTSTAMP"].dt == CREATED  # no change date of its own: the feed's
