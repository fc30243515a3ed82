"""The event pages: each role sees what it may, 404 for what it may not see, 403 with the
reason for what it sees but may not change, the form's errors, and the event page's queries."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from calendar_app import services
from calendar_app.models import Attendee, Event, EventAttachment
from extranet.testing.assertions import png
from extranet.testing.factories import (
    CalendarCategoryFactory,
    CoordinatorFactory,
    EventFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    network_calendar,
)
from extranet.testing.pages import english_client, measure_queries, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")
REFUSED = "Only the organiser and the managers of the space can change this event."


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            organiser = UserFactory(display_name="Organisatrice")
            member = UserFactory(display_name="Membre")
            coordinator = CoordinatorFactory(display_name="Coordinatrice")
            venue = VenueFactory(name="Médiathèque", city="Cahors")
            category = CalendarCategoryFactory(name="Formation", color="green")
            series = services.event_create(actor=organiser, calendar=network_calendar(), data={
                "title": "Atelier du mardi", "description": "Apportez **votre** portable.",
                "start_date": date(2027, 3, 9), "start_time": time(10), "end_date": date(2027, 3, 9),
                "end_time": time(12), "tz": "Europe/Paris", "rrule": "FREQ=WEEKLY;COUNT=6", "venue": venue.pk,
                "category": category.pk, "online_url": "https://visio.example.test/mardi"})
            elsewhere = TerritoryFactory(name="Territoire lointain")
            hidden = EventFactory(calendar=elsewhere.space.calendar, title="Réunion locale",
                                  start=datetime(2027, 3, 9, 10, tzinfo=PARIS),
                                  end=datetime(2027, 3, 9, 11, tzinfo=PARIS))
        yield {"organiser": organiser, "member": member, "coordinator": coordinator, "venue": venue,
               "series": series, "hidden": hidden, "category": category}


def url(event, action=""):
    return f"/bureau/agenda/evenements/{event.pk}/{action}"


@pytest.mark.parametrize(("who", "buttons"), [("organiser", True), ("member", False), ("coordinator", True)])
def test_the_event_page_for_each_role(world, who, buttons):
    page = soup(english_client(world[who]).get(url(world["series"])))
    assert text_of(page.select_one("h1")) == "Atelier du mardi"
    facts = text_of(page.select_one(".event-facts"))
    assert "Médiathèque" in facts and "Formation" in facts and "https://visio.example.test/mardi" in facts
    assert page.select_one(f"a[href='{world['venue'].get_absolute_url()}']") is not None
    assert page.select_one(".post-body strong").get_text() == "votre"
    assert page.select_one(f"a[href='/bureau/agenda/evenements/{world['series'].pk}/evenement.ics']") is not None
    assert (page.select_one(f"a[href='{url(world['series'], 'modifier/')}']") is not None) is buttons


def test_an_occurrence_page_shows_its_date_and_the_repetition(world):
    page = soup(english_client(world["member"]).get(url(world["series"]) + "?occurrence=20270330T080000Z"))
    facts = text_of(page.select_one(".event-facts"))
    assert "Tuesday 30 March 2027" in facts
    assert "Repetition" in facts


def test_a_date_outside_the_series_is_404(world):
    client = english_client(world["member"])
    assert client.get(url(world["series"]) + "?occurrence=20270330T090000Z").status_code == 404
    assert client.get(url(world["series"]) + "?occurrence=hier").status_code == 404


def test_an_event_of_an_unseen_space_is_404_everywhere(world):
    client = english_client(world["member"])
    for action in ("", "modifier/", "annuler/", "supprimer/"):
        assert client.get(url(world["hidden"], action)).status_code == 404, action


def test_a_pending_member_is_sent_to_the_waiting_page(world):
    client = Client()
    client.force_login(PendingUserFactory())
    assert client.get(url(world["series"])).status_code == 302


def test_another_member_may_not_change_the_event_and_is_told_why(world):
    client = english_client(world["member"])
    for action in ("modifier/", "annuler/", "supprimer/"):
        response = client.get(url(world["series"], action))
        assert response.status_code == 403, action
        assert REFUSED in text_of(soup(response))
    assert client.post(url(world["series"], "supprimer/")).status_code == 403
    assert Event.objects.filter(pk=world["series"].pk).exists()


def test_the_new_event_form_is_prefilled(world):
    calendar = network_calendar()
    page = soup(english_client(world["member"]).get(f"/bureau/agenda/evenements/nouveau/?agenda={calendar.pk}"
                                                     "&date=2027-05-04"))
    assert page.select_one("input[name='start_date']")["value"] == "2027-05-04"
    assert page.select_one("input[name='start_date']")["type"] == "date"
    assert page.select_one("input[name='start_time']")["type"] == "time"
    assert page.select_one(f"select[name='calendar'] option[value='{calendar.pk}']").has_attr("selected")
    assert "---------" not in page.decode()
    assert page.select_one("select[name='venue'] optgroup[label='Cahors']") is not None


def post_data(**extra):
    data = {"title": "Permanence", "calendar": network_calendar().pk, "start_date": "2027-05-04",
            "start_time": "14:00", "end_date": "2027-05-04", "end_time": "16:00", "tz": "Europe/Paris",
            "visibility": "members", "repeat_end": "never", "repeat_interval": "1"}
    data.update(extra)
    return data


def test_a_member_creates_a_weekly_event_with_an_attachment(world):
    client = english_client(world["member"])
    data = post_data(repeat_frequency="weekly", repeat_weekdays=["1", "3"], repeat_end="count", repeat_count="4",
                     reminder_minutes="30", attachments=png("affiche.png"), venue=str(world["venue"].pk), tz="")
    response = client.post("/bureau/agenda/evenements/nouveau/", data)
    event = Event.objects.get(title="Permanence")
    assert response.status_code == 302 and response["Location"] == url(event)
    assert (event.rrule, event.start, event.reminder_minutes, event.created_by) == (
        "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4", datetime(2027, 5, 4, 12, tzinfo=UTC), 30, world["member"])
    assert (event.venue, event.tz, event.location) == (world["venue"], "Europe/Paris", "")
    attachment = event.attachments.get()
    download = client.get(f"{url(event)}pieces-jointes/{attachment.pk}/")
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    assert english_client(UserFactory()).get(f"{url(world['hidden'])}pieces-jointes/{attachment.pk}/") \
        .status_code == 404


@pytest.mark.parametrize(("extra", "field", "message"), [
    ({"end_time": "13:00"}, "end_time", "The event ends before it starts."),
    ({"capacity": "0"}, "capacity", "The number of places must be at least 1 (leave it empty for no limit)."),
    ({"online_url": "ftp://x.example.test/"}, "online_url",
     "The online meeting link must be a web address starting with http:// or https://."),
    ({"start_date": "2027-03-28", "end_date": "2027-03-28", "start_time": "02:30", "end_time": "04:00"},
     "start_time", "does not exist in Paris"),
    ({"repeat_frequency": "weekly", "repeat_end": "count", "repeat_count": "5000"}, "repeat_count",
     "The number of occurrences must be between 1 and 1000."),
], ids=["end", "capacity", "link", "spring", "count"])
def test_form_errors_are_shown_on_their_field(world, extra, field, message):
    response = english_client(world["member"]).post("/bureau/agenda/evenements/nouveau/", post_data(**extra))
    assert response.status_code == 200
    error = soup(response).select_one(f"#id_{field}_error")
    assert error is not None and message in text_of(error)
    assert not Event.objects.filter(title="Permanence").exists()


def test_errors_are_in_french_for_a_french_member(world):
    client = Client()
    client.force_login(world["member"])
    response = client.post("/bureau/agenda/evenements/nouveau/", post_data(title=""))
    assert text_of(soup(response).select_one("#id_title_error")) == "Ce champ est obligatoire."


def test_editing_a_recurring_event_asks_the_scope(world):
    client = english_client(world["organiser"])
    page = soup(client.get(url(world["series"], "modifier/") + "?occurrence=20270330T080000Z"))
    labels = [text_of(label) for label in page.select("input[name='scope'] + label, label:has(input[name='scope'])")]
    assert labels == ["This occurrence", "This occurrence and the following ones", "The whole series"]
    assert page.select_one("input[name='scope'][value='this']").has_attr("checked")
    assert page.select_one("input[name='start_date']")["value"] == "2027-03-30"


def test_moving_one_occurrence_through_the_form(world):
    client = english_client(world["organiser"])
    series = world["series"]
    response = client.post(url(series, "modifier/") + "?occurrence=20270330T080000Z", post_data(
        title="Atelier déplacé", scope="this", start_date="2027-03-31", end_date="2027-03-31",
        repeat_frequency="weekly", repeat_end="count", repeat_count="6", repeat_weekdays=["1"]))
    assert response.status_code == 302
    assert response["Location"] == url(series) + "?occurrence=20270330T080000Z"
    moved = Event.objects.get(series=series)
    assert (moved.title, moved.start) == ("Atelier déplacé", datetime(2027, 3, 31, 12, tzinfo=UTC))
    page = soup(client.get(response["Location"]))
    assert text_of(page.select_one("h1")) == "Atelier déplacé"


def test_cancelling_one_date_then_the_series(world):
    client = english_client(world["organiser"])
    series = world["series"]
    page = soup(client.get(url(series, "annuler/") + "?occurrence=20270316T090000Z"))
    assert text_of(page.select_one("h1")) == "Cancel this date"
    response = client.post(url(series, "annuler/") + "?occurrence=20270316T090000Z")
    assert response.status_code == 302
    assert Event.objects.get(series=series).status == "cancelled"
    page = soup(client.get(url(series) + "?occurrence=20270316T090000Z"))
    assert page.select_one("h1 s") is not None
    client.post(url(series, "annuler/"))
    series.refresh_from_db()
    assert series.status == "cancelled"


def test_deleting_after_confirmation(world):
    client = english_client(world["coordinator"])
    series = world["series"]
    page = soup(client.get(url(series, "supprimer/")))
    assert text_of(page.select_one("h1")) == "Delete the event"
    assert Event.objects.filter(pk=series.pk).exists()
    response = client.post(url(series, "supprimer/"))
    assert response.status_code == 302
    assert not Event.objects.filter(pk=series.pk).exists()


def test_the_event_page_queries_stay_flat_with_attendees_and_attachments(world):
    series = world["series"]
    client = english_client(world["organiser"])

    def grow(factor):
        for _ in range(factor):
            for answer in ("yes", "maybe", "no"):
                Attendee.objects.create(event=series, user=UserFactory(), response=answer)
            EventAttachment.objects.create(event=series, file="calendar/2027/03/plan.pdf", name="plan.pdf",
                                           content_type="application/pdf", size=1000)

    queries, page = queries_flat(client, url(series), grow)
    assert len(page.select(".event-attachments li")) == 10
    assert Attendee.objects.filter(event=series).count() == 30
    assert queries == EVENT_PAGE_QUERIES + 1  # the series' next dates read its exceptions
    assert len(page.select(".event-next-dates li")) == 3
    queries_occurrence, _page = measure_queries(client, url(series) + "?occurrence=20270330T080000Z")
    assert queries_occurrence == EVENT_PAGE_QUERIES + 1  # the exception of that date, if any


# Session and member (2), the event with its calendar, space, venue... (1), the attachments (1),
# the answer panel; measured and pinned.
EVENT_PAGE_QUERIES = 8


def test_the_date_is_written_in_french_in_the_events_zone(world):
    client = Client()
    client.force_login(world["member"])
    page = soup(client.get(url(world["series"]) + "?occurrence=20270330T080000Z"))
    # After the spring change: still 10 h in Paris (8 h UTC).
    assert page.select_one(".event-facts dd").get_text() == "mardi 30 mars 2027, 10\u00a0h – 12\u00a0h"
