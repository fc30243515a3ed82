"""Importing an `.ics` file: `importer.calendar_import` and its page.

The two files under `data/` are written like Thunderbird's and Google Agenda's exports
(VTIMEZONE, RRULE, EXDATE, RECURRENCE-ID, all-day); every expected value is computed by hand
(Paris is UTC+1 in winter, UTC+2 from the last Sunday of March, 28 March 2027).
"""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from calendar_app import importer
from calendar_app.models import Calendar, Event
from extranet.testing.assertions import nothing_saved, refused
from extranet.testing.factories import UserFactory, WorkgroupFactory
from extranet.testing.pages import english_client, soup, text_of

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data"
UTC = ZoneInfo("UTC")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English source."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    """A workgroup's calendar with its manager, a plain member, and a member from outside.

    Built per test (4 rows, a few milliseconds): a module-wide `shared_transaction` would hold
    SQLite's write lock until the module ends, and block the threads of the concurrency test."""
    manager = UserFactory(display_name="Aline Roux")
    member = UserFactory(display_name="Youssef Amrani")
    outsider = UserFactory(display_name="Inès Garcia")
    group = WorkgroupFactory(name="Ateliers seniors", visibility="private", join_policy="request",
                             managers=[manager], members=[member])
    return {"manager": manager, "member": member, "outsider": outsider, "calendar": group.space.calendar}


def upload(content, name="agenda.ics"):
    if isinstance(content, str):
        content = content.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return SimpleUploadedFile(name, content, content_type="text/calendar")


def data_file(name):
    return SimpleUploadedFile(name, (DATA / name).read_bytes(), content_type="text/calendar")


def run(world, content):
    calendar = Calendar.objects.get(pk=world["calendar"].pk)
    return importer.calendar_import(actor=world["manager"], calendar=calendar, upload=content)


def rows(world):
    return Event.objects.filter(calendar=world["calendar"]).order_by("start", "pk")


def state(world):
    def snapshot():
        return {"events": sorted(rows(world).values_list("uid", "title", "start", "sequence", "status")),
                "changed_at": Calendar.objects.get(pk=world["calendar"].pk).changed_at}
    return snapshot


def calendar_file(*events, extra=""):
    body = "\n".join(f"BEGIN:VEVENT\n{event.strip()}\nEND:VEVENT" for event in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Test//FR\n{extra}{body}\nEND:VCALENDAR\n"


PARIS_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


# --- The two exports ------------------------------------------------------------------------------


def test_thunderbird_export(world):
    before = Calendar.objects.get(pk=world["calendar"].pk).changed_at
    report = run(world, data_file("thunderbird.ics"))
    assert [(line.summary, line.label) for line in report.lines] == [
        ("Permanence numérique", "created"),
        ("Permanence numérique (après-midi)", "created"),
        ("Salon du numérique", "created"),
        ("Formation des bénévoles", "created"),
    ]
    assert (report.created, report.updated, report.unchanged, report.ignored) == (4, 0, 0, 0)
    master = Event.objects.get(calendar=world["calendar"], uid="5f0c1e2a-7b61-4d0e-9a55-permanence",
                               series__isnull=True)
    assert (master.start, master.end, master.tz) == (utc(2027, 1, 5, 9), utc(2027, 1, 5, 11), "Europe/Paris")
    assert master.rrule == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270629T080000Z"
    assert master.last_end == utc(2027, 6, 29, 10)  # 12 h summer time
    assert master.description == "Aide aux démarches en ligne.\nSans rendez-vous, venez avec vos identifiants."
    assert master.location == "Médiathèque de Cahors"
    assert (master.created_by, master.visibility, master.sequence) == (world["manager"], "members", 0)
    overrides = {row.recurrence_id: row for row in master.overrides.all()}
    assert sorted(overrides) == [utc(2027, 1, 19, 9), utc(2027, 4, 13, 8)]
    moved = overrides[utc(2027, 1, 19, 9)]
    assert (moved.uid, moved.title, moved.start, moved.end, moved.status) == (
        master.uid, "Permanence numérique (après-midi)", utc(2027, 1, 19, 13), utc(2027, 1, 19, 15), "confirmed")
    cancelled = overrides[utc(2027, 4, 13, 8)]  # EXDATE 10 h summer time
    assert (cancelled.status, cancelled.start, cancelled.end) == ("cancelled", utc(2027, 4, 13, 8),
                                                                 utc(2027, 4, 13, 10))
    salon = Event.objects.get(uid="b8e7d2c4-salon")
    assert (salon.all_day, salon.start, salon.end) == (True, utc(2027, 5, 11, 22), utc(2027, 5, 13, 22))
    # UNTIL given as a date with a zoned start: the whole day, in UTC.
    training = Event.objects.get(uid="c1d2-formation")
    assert training.rrule == "FREQ=DAILY;UNTIL=20270205T225959Z"
    assert training.last_end == utc(2027, 2, 5, 9, 30)
    assert Calendar.objects.get(pk=world["calendar"].pk).changed_at > before


def test_google_export(world):
    report = run(world, data_file("google.ics"))
    assert [line.label for line in report.lines] == ["created"] * 5
    master = Event.objects.get(uid="7kq2m0copil@google.com", series__isnull=True)
    assert (master.start, master.end) == (utc(2027, 3, 1, 8, 30), utc(2027, 3, 1, 10))
    assert master.rrule == "FREQ=MONTHLY;BYDAY=1MO;COUNT=6"
    assert master.last_end == utc(2027, 8, 2, 9)  # the sixth first Monday, 11 h summer time
    assert master.location == "Mairie de Figeac, salle du conseil"
    assert sorted(master.overrides.values_list("recurrence_id", "start", "status")) == [
        (utc(2027, 4, 5, 7, 30), utc(2027, 4, 5, 12), "confirmed"),
        (utc(2027, 5, 3, 7, 30), utc(2027, 5, 3, 7, 30), "cancelled"),
    ]
    holiday = Event.objects.get(uid="3f9fetenationale@google.com")
    assert (holiday.all_day, holiday.start, holiday.end) == (True, utc(2027, 7, 13, 22), utc(2027, 7, 14, 22))
    webinar = Event.objects.get(uid="0webinaire@google.com")
    assert (webinar.start, webinar.tz, webinar.online_url) == (
        utc(2027, 6, 10, 12), "Europe/Paris", "https://meet.example.org/webinaire-fs")
    assert Event.objects.get(uid="9annule@google.com").status == "cancelled"


def test_second_import_updates_rather_than_duplicates(world):
    run(world, data_file("google.ics"))
    first = {row.pk: (row.sequence, row.updated_at) for row in rows(world)}
    assert len(first) == 6  # 5 components (one a moved occurrence), 1 cancelled occurrence

    report = run(world, data_file("google.ics"))
    assert [line.label for line in report.lines] == ["unchanged"] * 5
    assert {row.pk: (row.sequence, row.updated_at) for row in rows(world)} == first

    changed = (DATA / "google.ics").read_bytes().replace(
        b"SUMMARY:Comit\xc3\xa9 de pilotage\r\n", b"SUMMARY:Comit\xc3\xa9 de pilotage et bilan\r\n").replace(
        b"EXDATE;TZID=Europe/Paris:20270503T093000\r\n", b"")
    report = run(world, upload(changed))
    assert [line.label for line in report.lines] == ["updated", "unchanged", "unchanged", "unchanged", "unchanged"]
    master = Event.objects.get(uid="7kq2m0copil@google.com", series__isnull=True)
    assert (master.title, master.sequence) == ("Comité de pilotage et bilan", 1)
    assert master.updated_at > first[master.pk][1]
    # The occurrence the file no longer cancels is back; the moved one stays.
    assert list(master.overrides.values_list("recurrence_id", flat=True)) == [utc(2027, 4, 5, 7, 30)]
    assert rows(world).count() == 5


def test_event_without_uid_gets_a_stable_one(world):
    text = calendar_file("SUMMARY:Sans identifiant\nDTSTART:20270610T100000\nDTEND:20270610T110000")
    assert run(world, upload(text)).lines[0].label == "created"
    uid = Event.objects.get(title="Sans identifiant").uid
    assert uid.startswith("import-")
    assert run(world, upload(text)).lines[0].label == "unchanged"
    assert Event.objects.get(title="Sans identifiant").uid == uid
    # Floating time: read in Paris (10 h summer time).
    assert Event.objects.get(title="Sans identifiant").start == utc(2027, 6, 10, 8)


# --- Files refused as a whole -------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "message"), [
    ("BEGIN:VCALENDAR\nVERSION:2.0\nBEGIN:VEVENT\nUID:x\nDTSTART:20270101T100000\n",
     "This file is not a calendar in the iCalendar format (.ics): nothing was imported."),
    ("<html><body>Agenda</body></html>",
     "This file is not a calendar in the iCalendar format (.ics): nothing was imported."),
    ("BEGIN:VEVENT\nUID:x\nDTSTART:20270101T100000\nEND:VEVENT\n",
     "This file holds no calendar (no VCALENDAR): nothing was imported."),
    ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:x\nEND:VTODO\nEND:VCALENDAR\n",
     "This calendar holds no event (VEVENT): nothing was imported."),
    ("  \n", "The file is empty."),
], ids=["truncated", "html", "no-vcalendar", "no-vevent", "empty"])
def test_malformed_file_imports_nothing(world, content, message):
    with refused(state(world), ValidationError, message):
        run(world, upload(content))


def test_malformed_file_after_good_events_imports_nothing(world):
    good = calendar_file("UID:bon\nSUMMARY:Bon\nDTSTART:20270610T100000Z")
    broken = good.replace("END:VCALENDAR\n", "BEGIN:VEVENT\nUID:casse\nSUMMARY:Cassé\n")
    with refused(state(world), ValidationError,
                 "This file is not a calendar in the iCalendar format (.ics): nothing was imported."):
        run(world, upload(broken))


def test_not_utf8_is_refused(world):
    latin1 = calendar_file("UID:x\nSUMMARY:Fête\nDTSTART:20270610T100000Z").replace("\n", "\r\n").encode("latin-1")
    with refused(state(world), ValidationError,
                 "The file is not encoded in UTF-8: export the calendar again, in UTF-8."):
        run(world, upload(latin1))


def test_utf8_with_byte_order_mark_is_read(world):
    text = calendar_file("UID:bom\nSUMMARY:Fête\nDTSTART:20270610T100000Z").replace("\n", "\r\n")
    report = run(world, upload(b"\xef\xbb\xbf" + text.encode()))
    assert report.lines[0].label == "created"
    assert Event.objects.get(uid="bom").title == "Fête"


class HugeUpload(SimpleUploadedFile):
    """A 10 MB upload that fails the test if anything reads it."""

    def __init__(self):
        super().__init__("enorme.ics", b"", content_type="text/calendar")
        self.size = 10 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("the file was read")


def test_ten_megabytes_refused_before_reading(world):
    with refused(state(world), ValidationError,
                 "The file is larger than 2 MB: an export of a calendar is far smaller."):
        run(world, HugeUpload())


def test_size_checked_on_the_bytes_too(world):
    """A size the upload got wrong: the bytes read are counted, one more than the limit at most."""
    content = b"BEGIN:VCALENDAR\r\n" + b"X" * importer.MAX_IMPORT_BYTES
    lying = SimpleUploadedFile("agenda.ics", content)
    lying.size = 100
    with refused(state(world), ValidationError,
                 "The file is larger than 2 MB: an export of a calendar is far smaller."):
        run(world, lying)


def test_too_many_components(world):
    events = [f"UID:n{i}\nSUMMARY:N\nDTSTART:20270610T100000Z" for i in range(importer.MAX_COMPONENTS)]
    with refused(state(world), ValidationError,
                 "The file holds 5001 components, more than the 5000 an import accepts: split it."):
        run(world, upload(calendar_file(*events)))


# --- Components ignored one by one ------------------------------------------------------------------


def test_unknown_tzid_ignored_the_others_imported(world):
    text = calendar_file(
        "UID:inconnu\nSUMMARY:Zone inconnue\nDTSTART;TZID=Nowhere/Zone:20270610T100000",
        "UID:windows\nSUMMARY:Zone Windows\nDTSTART;TZID=Romance Standard Time:20270610T100000\n"
        "DTEND;TZID=Romance Standard Time:20270610T110000",
        "UID:maison\nSUMMARY:Zone du fichier\nDTSTART;TZID=Heure de Paris maison:20270110T100000\n"
        "DTEND;TZID=Heure de Paris maison:20270110T110000",
        "UID:iana\nSUMMARY:Zone IANA\nDTSTART;TZID=America/Cayenne:20270610T100000",
        extra=PARIS_VTIMEZONE.format(tzid="Heure de Paris maison"),
    )
    report = run(world, upload(text))
    assert [line.label for line in report.lines] == [
        "ignored: unknown time zone “Nowhere/Zone”", "created", "created", "created"]
    assert not Event.objects.filter(uid="inconnu").exists()
    windows = Event.objects.get(uid="windows")
    assert (windows.tz, windows.start) == ("Europe/Paris", utc(2027, 6, 10, 8))
    own = Event.objects.get(uid="maison")
    assert (own.tz, own.start) == ("Europe/Paris", utc(2027, 1, 10, 9))
    cayenne = Event.objects.get(uid="iana")
    assert (cayenne.tz, cayenne.start) == ("America/Cayenne", utc(2027, 6, 10, 13))


def test_a_zone_of_an_earlier_file_is_not_borrowed(world):
    """icalendar remembers every VTIMEZONE it parsed, process-wide: a TZID is known only from
    the file itself (or zoneinfo)."""
    first = calendar_file("UID:a\nSUMMARY:A\nDTSTART;TZID=Zone des Pins:20270110T100000",
                          extra=PARIS_VTIMEZONE.format(tzid="Zone des Pins"))
    assert run(world, upload(first)).lines[0].label == "created"
    second = calendar_file("UID:b\nSUMMARY:B\nDTSTART;TZID=Zone des Pins:20270110T100000")
    assert run(world, upload(second)).lines[0].label == "ignored: unknown time zone “Zone des Pins”"


def test_spring_forward_0230(world):
    """RFC 5545 §3.3.5: a time in the gap is read with the offset before the gap. 02 h 30 on
    28 March 2027 in Paris is 01 h 30 UTC, that is 03 h 30 summer time: stored so, and said."""
    text = calendar_file(
        "UID:nuit\nSUMMARY:Sauvegarde\nDTSTART;TZID=Europe/Paris:20270328T023000\n"
        "DTEND;TZID=Europe/Paris:20270328T043000",
        "UID:nuit-maison\nSUMMARY:Sauvegarde bis\nDTSTART;TZID=Paris maison:20270328T023000\n"
        "DTEND;TZID=Paris maison:20270328T043000",
        extra=PARIS_VTIMEZONE.format(tzid="Paris maison"))
    report = run(world, upload(text))
    for line in report.lines:
        assert line.label == "created"
        assert line.notes == ["2:30 a.m. does not exist on March 28, 2027 in this time zone (the clocks go "
                              "forward): as RFC 5545 says, the event starts at 3:30 a.m."]
    assert importer.line_start_text(report.lines[0]) == "March 28, 2027, 3:30 a.m."
    series = run(world, upload(calendar_file(
        "UID:hebdo\nSUMMARY:Hebdo\nDTSTART;TZID=Europe/Paris:20270328T023000\nRRULE:FREQ=WEEKLY;COUNT=2")))
    assert series.lines[0].notes[1] == "the following occurrences of the series keep that time"
    assert Event.objects.get(uid="hebdo").last_end == utc(2027, 4, 4, 1, 30)  # 03 h 30 summer time
    for uid in ("nuit", "nuit-maison"):
        event = Event.objects.get(uid=uid)
        assert (event.start, event.end) == (utc(2027, 3, 28, 1, 30), utc(2027, 3, 28, 2, 30))


@pytest.mark.parametrize(("event", "reason"), [
    ("UID:x\nSUMMARY:S", "no start date (DTSTART)"),
    ("UID:x\nSUMMARY:S\nDTSTART:20270610T100000Z\nDTEND:20270610T090000Z", "the end is before the start"),
    ("UID:x\nSUMMARY:S\nDTSTART;VALUE=DATE:20270610\nDTEND;VALUE=DATE:20270608", "the end is before the start"),
    ("UID:x\nSUMMARY:S\nDTSTART:20270610T100000Z\nRRULE:FREQ=HOURLY;COUNT=3",
     "Events can repeat every day, week, month or year, not more often (rule “HOURLY”)."),
    ("UID:x\nSUMMARY:S\nDTSTART:20270610T100000Z\nRRULE:FREQ=DAILY;COUNT=5000",
     "The number of occurrences must be between 1 and 1000."),
    ("UID:x\nSUMMARY:S\nDTSTART:20270610T100000Z\nRRULE:FREQ=DAILY;UNTIL=20990101T000000Z",
     "the rule repeats too many times before its end (more than 10000 occurrences)"),
    ("UID:x\nSUMMARY:S\nDTSTART:2027XX", "unreadable property: DTSTART"),
], ids=["no-dtstart", "end-before-start", "all-day-end-before", "hourly", "count", "until-far", "broken"])
def test_component_ignored_with_its_reason(world, event, reason):
    text = calendar_file(event, "UID:bon\nSUMMARY:Bon\nDTSTART:20270610T100000Z")
    report = run(world, upload(text))
    assert [line.label for line in report.lines] == [f"ignored: {reason}", "created"]
    assert list(rows(world).values_list("uid", flat=True)) == ["bon"]


def test_occurrence_without_its_series_is_ignored(world):
    text = calendar_file("UID:orphelin\nSUMMARY:Seule\nRECURRENCE-ID:20270610T100000Z\n"
                         "DTSTART:20270610T140000Z")
    report = run(world, upload(text))
    assert report.lines[0].label == ("ignored: the recurring event this occurrence belongs to is neither in the "
                                     "file nor in the calendar")
    assert not rows(world).exists()


def test_link_only_http(world):
    text = calendar_file("UID:lien\nSUMMARY:S\nDTSTART:20270610T100000Z\nURL:javascript:alert(1)")
    report = run(world, upload(text))
    assert report.lines[0].notes == ["the link (URL) is not imported: only http and https addresses are"]
    assert Event.objects.get(uid="lien").online_url == ""


# --- Permissions ---------------------------------------------------------------------------------------


def test_member_who_cannot_manage_is_refused(world):
    calendar = Calendar.objects.get(pk=world["calendar"].pk)
    with refused(state(world), PermissionDenied, "Only the managers of this space can do this."):
        importer.calendar_import(actor=world["member"], calendar=calendar, upload=data_file("google.ics"))


def test_outsider_is_refused(world):
    calendar = Calendar.objects.get(pk=world["calendar"].pk)
    with nothing_saved(state(world)), pytest.raises(PermissionDenied):
        importer.calendar_import(actor=world["outsider"], calendar=calendar, upload=data_file("google.ics"))


# --- The page ----------------------------------------------------------------------------------------


def url(world):
    return reverse("calendar:import", args=[world["calendar"].pk])


def test_page_get(world):
    response = english_client(world["manager"]).get(url(world))
    assert response.status_code == 200
    page = soup(response)
    field = page.select_one("form[enctype='multipart/form-data'] input[type=file]")
    assert field["accept"] == ".ics,text/calendar"
    assert "(at most 2 MB)" in text_of(page.select_one(f"#{field['id']}_helptext"))
    assert page.select_one("table") is None


def test_page_post_shows_the_report(world):
    response = english_client(world["manager"]).post(url(world), {"file": data_file("thunderbird.ics")})
    assert response.status_code == 200
    page = soup(response)
    assert [text_of(li) for li in page.select(".import-counts li")] == [
        "4 events created", "0 events updated", "0 events unchanged", "0 events ignored"]
    table = [[text_of(cell) for cell in tr.select("td")] for tr in page.select("table tbody tr")]
    assert table[0] == ["Permanence numérique", "Jan. 5, 2027, 10 a.m.", "created"]
    assert table[2] == ["Salon du numérique", "May 12, 2027", "created"]
    assert len(table) == 4
    assert rows(world).count() == 5  # 4 components and 1 cancelled occurrence


def test_page_post_refused_file_shows_the_reason(world):
    response = english_client(world["manager"]).post(url(world), {"file": upload("pas un agenda")})
    assert response.status_code == 200
    page = soup(response)
    assert text_of(page.select_one(".form-errors")) == (
        "This file is not a calendar in the iCalendar format (.ics): nothing was imported.")
    assert page.select_one("table") is None
    assert not rows(world).exists()


def test_page_403_for_a_member_who_cannot_manage(world):
    client = english_client(world["member"])
    for response in (client.get(url(world)), client.post(url(world), {"file": data_file("google.ics")})):
        assert response.status_code == 403
        assert "Only the managers of this space can do this." in response.content.decode()
    assert not rows(world).exists()


def test_page_404_for_who_cannot_see_the_calendar(world):
    assert english_client(world["outsider"]).get(url(world)).status_code == 404
    personal = Calendar.objects.create(owner=world["member"])
    assert english_client(world["manager"]).get(reverse("calendar:import", args=[personal.pk])).status_code == 404
    assert english_client(world["manager"]).get(reverse("calendar:import", args=[999999])).status_code == 404


def test_series_that_lost_its_rule_loses_its_exceptions(world):
    series = "UID:serie\nSUMMARY:Club\nDTSTART:20270607T100000Z\nRRULE:FREQ=WEEKLY;COUNT=4\nEXDATE:20270614T100000Z"
    run(world, upload(calendar_file(series)))
    assert rows(world).count() == 2
    report = run(world, upload(calendar_file("UID:serie\nSUMMARY:Club\nDTSTART:20270607T100000Z")))
    assert report.lines[0].label == "updated"
    event = Event.objects.get(uid="serie")
    assert (event.rrule, event.sequence, event.last_end) == ("", 1, utc(2027, 6, 7, 10))
    assert not event.overrides.exists()


def test_all_day_series_with_excluded_day_and_floating_until(world):
    text = calendar_file(
        "UID:marche\nSUMMARY:Marché\nDTSTART;VALUE=DATE:20270512\nDTEND;VALUE=DATE:20270513\n"
        "RRULE:FREQ=WEEKLY;UNTIL=20270602\nEXDATE;VALUE=DATE:20270519",
        "UID:cafe\nSUMMARY:Café\nDTSTART;TZID=Europe/Paris:20270201T100000\nRRULE:FREQ=DAILY;UNTIL=20270205T100000")
    report = run(world, upload(text))
    assert [line.label for line in report.lines] == ["created", "created"]
    market = Event.objects.get(uid="marche", series__isnull=True)
    assert (market.all_day, market.rrule) == (True, "FREQ=WEEKLY;UNTIL=20270602T215959Z")
    assert market.last_end == utc(2027, 6, 2, 22)  # the end of Wednesday 2 June, Paris
    assert list(market.overrides.values_list("recurrence_id", "status")) == [(utc(2027, 5, 18, 22), "cancelled")]
    # A floating UNTIL with a zoned start: in the event's zone, then UTC.
    assert Event.objects.get(uid="cafe").rrule == "FREQ=DAILY;UNTIL=20270205T090000Z"


def test_queries_do_not_grow_with_the_events(world):
    """New events are inserted in batches, and an unchanged file is read in a fixed number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def measured(count, prefix):
        text = calendar_file(*[f"UID:{prefix}{i}\nSUMMARY:E{i}\nDTSTART:20270610T100000Z" for i in range(count)])
        with CaptureQueriesContext(connection) as created:
            run(world, upload(text))
        with CaptureQueriesContext(connection) as unchanged:
            report = run(world, upload(text))
        assert report.unchanged == count
        return len(created.captured_queries), len(unchanged.captured_queries)

    # 30 rows stay within one INSERT on SQLite too (at most 999 parameters a statement).
    assert measured(3, "small") == measured(30, "large")


def test_page_reports_ignored_lines_with_their_reason(world):
    text = calendar_file("UID:inconnu\nSUMMARY:Zone inconnue\nDTSTART;TZID=Nowhere/Zone:20270610T100000",
                         "UID:bon\nSUMMARY:Bon\nDTSTART:20270610T100000Z")
    response = english_client(world["manager"]).post(url(world), {"file": upload(text)})
    page = soup(response)
    assert [text_of(li) for li in page.select(".import-counts li")] == [
        "1 event created", "0 events updated", "0 events unchanged", "1 event ignored"]
    assert [[text_of(cell) for cell in tr.select("td")] for tr in page.select("table tbody tr")] == [
        ["Zone inconnue", "", "ignored: unknown time zone “Nowhere/Zone”"],
        ["Bon", "June 10, 2027, noon", "created"],
    ]


@pytest.mark.django_db(transaction=True)
def test_two_imports_of_one_file_at_once():
    """Two managers import the same file at the same moment: the imports wait for each other
    (the calendar's row is locked), so the second finds the first's events and duplicates nothing."""
    from extranet.testing.concurrency import run_together

    managers = [UserFactory(), UserFactory()]
    calendar = WorkgroupFactory(managers=managers).space.calendar

    def attempt(manager):
        return {"prepare": lambda: (Calendar.objects.get(pk=calendar.pk), data_file("google.ics")),
                "act": lambda prepared: importer.calendar_import(actor=manager, calendar=prepared[0],
                                                                 upload=prepared[1])}

    results = run_together([attempt(manager) for manager in managers], language="en")
    assert [outcome for outcome, _value in results] == ["ok", "ok"], results
    assert sorted((report.created, report.unchanged) for _outcome, report in results) == [(0, 5), (5, 0)]
    assert Event.objects.filter(calendar=calendar).count() == 6
