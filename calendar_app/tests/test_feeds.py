"""The iCalendar feeds: secret links (services and page), what each feed holds, read back by
independent parsers (icalendar, recurring_ical_events), 304 answers and query counts."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from calendar_app import feeds, recurrence, registry, selectors, services
from calendar_app.models import Calendar, Event, FeedToken, HiddenCalendar
from extranet.testing.factories import (
    AttendeeFactory,
    CalendarCategoryFactory,
    EventFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkgroupFactory,
    network_calendar,
)
from extranet.testing.pages import english_client, soup
from extranet.testing.shared import building, shared_transaction

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC_ZONE = ZoneInfo("UTC")


def private_url(token):
    return reverse("agenda:private-feed", args=[token.token if isinstance(token, FeedToken) else token])


def get_feed(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return response, icalendar.Calendar.from_ical(response.content)


def summaries(calendar):
    return sorted(str(component["SUMMARY"]) for component in calendar.walk("VEVENT"))


def private_group_calendar(*members):
    group = WorkgroupFactory(visibility="private", members=list(members))
    return group, Calendar.objects.get(space=group.space)


def days_ahead(days, hour, tz=PARIS, minute=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime.combine(day, time(hour, minute), tz)


# --- Services ---------------------------------------------------------------------------------


def test_agenda_token_is_made_once():
    member = UserFactory()
    first = feeds.feed_token_get_or_create(actor=member)
    again = feeds.feed_token_get_or_create(actor=member)
    assert first.pk == again.pk
    assert first.calendar_id is None
    assert len(first.token) >= 40
    assert FeedToken.objects.filter(user=member).count() == 1


def test_calendar_token_for_a_calendar_the_member_sees():
    member = UserFactory()
    _group, calendar = private_group_calendar(member)
    token = feeds.feed_token_get_or_create(actor=member, calendar=calendar)
    assert token.calendar_id == calendar.pk
    assert feeds.feed_token_get_or_create(actor=member).pk != token.pk


def test_calendar_token_refused_for_a_calendar_not_seen():
    outsider = UserFactory()
    _group, calendar = private_group_calendar(UserFactory())
    with pytest.raises(PermissionDenied, match="pas membre de l’espace"):
        feeds.feed_token_get_or_create(actor=outsider, calendar=calendar)
    assert not FeedToken.objects.filter(user=outsider).exists()


def test_token_refused_to_a_pending_member():
    pending = PendingUserFactory()
    with pytest.raises(PermissionDenied):
        feeds.feed_token_get_or_create(actor=pending)
    assert not FeedToken.objects.filter(user=pending).exists()


def test_revoke_and_regenerate_are_the_owners_only():
    owner, other = UserFactory(), UserFactory()
    token = feeds.feed_token_get_or_create(actor=owner)
    secret = token.token
    with pytest.raises(PermissionDenied):
        feeds.feed_token_revoke(actor=other, token=token)
    with pytest.raises(PermissionDenied):
        feeds.feed_token_regenerate(actor=other, token=token)
    assert FeedToken.objects.get(pk=token.pk).token == secret


def test_regenerate_changes_the_secret_and_revoke_deletes_the_row():
    owner = UserFactory()
    token = feeds.feed_token_get_or_create(actor=owner)
    secret = token.token
    feeds.feed_token_regenerate(actor=owner, token=token)
    assert FeedToken.objects.get(pk=token.pk).token not in ("", secret)
    feeds.feed_token_revoke(actor=owner, token=token)
    assert not FeedToken.objects.filter(user=owner).exists()


# --- Private feeds ----------------------------------------------------------------------------


def test_unknown_token_is_404(client):
    assert client.get(private_url("nothing-here")).status_code == 404
    assert client.get(private_url("x" * 80)).status_code == 404


def test_agenda_feed_is_valid_and_holds_the_members_agenda(client):
    member = UserFactory()
    _group, calendar = private_group_calendar(member)
    category = CalendarCategoryFactory(name="Atelier")
    EventFactory(calendar=calendar, title="Réunion du groupe, salle B; étage 2", category=category,
                 description="**Ordre du jour** : budget")
    EventFactory(title="Événement du réseau")
    hidden_calendar = services.personal_calendar(member)
    EventFactory(calendar=hidden_calendar, title="Caché")
    HiddenCalendar.objects.create(user=member, calendar=hidden_calendar)
    invitation = EventFactory(calendar=private_group_calendar(UserFactory())[1], title="Invité")
    AttendeeFactory(event=invitation, user=member, response="yes")
    declined = EventFactory(calendar=private_group_calendar(UserFactory())[1], title="Décliné")
    AttendeeFactory(event=declined, user=member, response="no")
    EventFactory(calendar=private_group_calendar(UserFactory())[1], title="Autre groupe")
    token = feeds.feed_token_get_or_create(actor=member)

    response, calendar_read = get_feed(client, private_url(token))
    assert summaries(calendar_read) == ["Invité", "Réunion du groupe, salle B; étage 2", "Événement du réseau"]
    assert response["Content-Disposition"] == 'attachment; filename="mon-agenda.ics"'
    # The feed is written in the site's language (French once the catalogue is compiled).
    assert str(calendar_read["X-WR-CALNAME"]) in {"My agenda · Maillage", "Mon agenda · Maillage"}
    assert str(calendar_read["METHOD"]) == "PUBLISH"
    assert [str(zone["TZID"]) for zone in calendar_read.walk("VTIMEZONE")] == ["Europe/Paris"]
    meeting = next(c for c in calendar_read.walk("VEVENT") if str(c["SUMMARY"]).startswith("Réunion"))
    assert meeting["CATEGORIES"].cats == ["Atelier"]
    assert str(meeting["DESCRIPTION"]) == "Ordre du jour : budget"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_calendar_feed_holds_that_calendar_only(client):
    member = UserFactory()
    group, calendar = private_group_calendar(member)
    EventFactory(calendar=calendar, title="Du groupe")
    EventFactory(title="Du réseau")
    token = feeds.feed_token_get_or_create(actor=member, calendar=calendar)
    response, read = get_feed(client, private_url(token))
    assert summaries(read) == ["Du groupe"]
    assert str(read["X-WR-CALNAME"]) == f"{group.name} · Maillage"


def test_revoked_token_is_404_at_once(client):
    member = UserFactory()
    token = feeds.feed_token_get_or_create(actor=member)
    url = private_url(token)
    get_feed(client, url)
    feeds.feed_token_revoke(actor=member, token=token)
    assert client.get(url).status_code == 404


def test_regenerated_token_old_url_404_new_url_200(client):
    member = UserFactory()
    token = feeds.feed_token_get_or_create(actor=member)
    old = private_url(token)
    feeds.feed_token_regenerate(actor=member, token=token)
    assert client.get(old).status_code == 404
    get_feed(client, private_url(FeedToken.objects.get(pk=token.pk)))


def test_member_removed_from_a_workgroup_loses_it_from_every_feed(client):
    from workgroups import services as workgroup_services

    manager, member = UserFactory(), UserFactory()
    group, calendar = private_group_calendar(member)
    from workgroups.models import Membership

    Membership.objects.create(workgroup=group, user=manager, role="manager")
    EventFactory(calendar=calendar, title="Réunion du groupe")
    agenda = feeds.feed_token_get_or_create(actor=member)
    group_feed = feeds.feed_token_get_or_create(actor=member, calendar=calendar)
    assert "Réunion du groupe" in summaries(get_feed(client, private_url(agenda))[1])
    get_feed(client, private_url(group_feed))

    workgroup_services.membership_remove(actor=manager, workgroup=group, member=member)

    assert "Réunion du groupe" not in summaries(get_feed(client, private_url(agenda))[1])
    assert client.get(private_url(group_feed)).status_code == 404


def test_a_member_no_longer_approved_loses_the_feed(client):
    member = UserFactory()
    token = feeds.feed_token_get_or_create(actor=member)
    member.status = "refused"
    member.save(update_fields=["status"])
    assert client.get(private_url(token)).status_code == 404


# --- 304 --------------------------------------------------------------------------------------


def test_second_poll_with_the_etag_is_304_and_an_edit_changes_it(client):
    member = UserFactory()
    event = EventFactory(title="Avant")
    token = feeds.feed_token_get_or_create(actor=member)
    url = private_url(token)
    first, _read = get_feed(client, url)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]

    with CaptureQueriesContext(connection) as queries:
        second = client.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 304
    assert second.content == b""
    # The token, the calendars' versions, the workshops' and the loans' versions.
    assert len(queries.captured_queries) == 4

    Event.objects.filter(pk=event.pk).update(title="Après", updated_at=timezone.now(), sequence=1)
    services.calendar_touch(event.calendar_id)
    third, read = get_feed(client, url, **{"If-None-Match": etag})
    assert third["ETag"] != etag
    assert summaries(read) == ["Après"]
    assert next(iter(read.walk("VEVENT")))["SEQUENCE"] == 1


def test_a_compressed_feed_is_answered_304_with_its_weak_etag(client):
    member = UserFactory()
    EventFactory(description="Ordre du jour. " * 40)  # enough text to be compressed
    url = private_url(feeds.feed_token_get_or_create(actor=member))
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_if_modified_since_is_answered_304(client):
    member = UserFactory()
    EventFactory()
    token = feeds.feed_token_get_or_create(actor=member, calendar=network_calendar())
    url = private_url(token)
    first, _read = get_feed(client, url)
    assert client.get(url, headers={"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    earlier = http_date((timezone.now() - timedelta(days=30)).timestamp())
    assert client.get(url, headers={"If-Modified-Since": earlier}).status_code == 200


def test_registry_items_are_in_the_agenda_feed_and_their_version_in_its_etag(client, monkeypatch):
    member = UserFactory()
    state = {"version": "1"}

    def items(user, start, end):
        assert user.pk == member.pk and start < end
        moment = days_ahead(3, 14)
        return [registry.Item(key="workshops-session-7", title=f"Atelier v{state['version']}", start=moment,
                              end=moment + timedelta(hours=2), url="/bureau/", source="workshops")]

    source = registry.Source(key="workshops", label="Ateliers", items=items, version=lambda user: state["version"])
    monkeypatch.setitem(registry.SOURCES, "workshops", source)
    url = private_url(feeds.feed_token_get_or_create(actor=member))
    response, read = get_feed(client, url)
    assert summaries(read) == ["Atelier v1"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    state["version"] = "2"
    again, read = get_feed(client, url, **{"If-None-Match": response["ETag"]})
    assert summaries(read) == ["Atelier v2"]
    assert again["ETag"] != response["ETag"]


def test_hiding_a_calendar_changes_the_agenda_etag(client):
    member = UserFactory()
    EventFactory(title="Du réseau")
    token = feeds.feed_token_get_or_create(actor=member)
    url = private_url(token)
    etag = get_feed(client, url)[0]["ETag"]
    services.calendar_set_hidden(actor=member, calendar=network_calendar(), hidden=True)
    response, read = get_feed(client, url, **{"If-None-Match": etag})
    assert response["ETag"] != etag
    assert summaries(read) == []


def test_public_feed_304(client):
    url = reverse("agenda:network-feed")
    first, _read = get_feed(client, url)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 304
    EventFactory(visibility="public", title="Nouveau")
    services.calendar_touch(network_calendar().pk)
    assert client.get(url, headers={"If-None-Match": first["ETag"]}).status_code == 200


# --- Public feeds -----------------------------------------------------------------------------


def test_public_feeds_hold_only_public_events(client):
    territory, other_territory = TerritoryFactory(), TerritoryFactory()
    venue, other_venue = VenueFactory(territory=territory), VenueFactory(territory=other_territory)
    territory_calendar = Calendar.objects.get(space=territory.space)
    EventFactory(title="Public du réseau", visibility="public")
    EventFactory(title="Interne du réseau")
    EventFactory(title="Public du territoire", visibility="public", calendar=territory_calendar)
    EventFactory(title="Interne du territoire", calendar=territory_calendar)
    EventFactory(title="Public au lieu", visibility="public", venue=venue)
    EventFactory(title="Interne au lieu", venue=venue)
    EventFactory(title="Public ailleurs", visibility="public", venue=other_venue)

    network = get_feed(client, reverse("agenda:network-feed"))[1]
    assert summaries(network) == ["Public ailleurs", "Public au lieu", "Public du réseau", "Public du territoire"]
    response, by_territory = get_feed(client, reverse("agenda:territory-feed", args=[territory.slug]))
    assert summaries(by_territory) == ["Public au lieu", "Public du territoire"]
    assert response["Content-Disposition"] == f'attachment; filename="territoire-{territory.slug}.ics"'
    at_venue = get_feed(client, reverse("agenda:venue-feed", args=[venue.slug]))[1]
    assert summaries(at_venue) == ["Public au lieu"]
    component = next(iter(at_venue.walk("VEVENT")))
    assert str(component["LOCATION"]) == f"{venue.name}, 1 place de la Mairie, 46000 Cahors"
    assert "/agenda/evenements/" in str(component["URL"])
    assert str(component["CLASS"]) == "PUBLIC"
    assert client.get(reverse("agenda:venue-feed", args=["inconnu"])).status_code == 404
    assert client.get(reverse("agenda:territory-feed", args=["inconnu"])).status_code == 404


def test_public_feed_refuses_post(client):
    assert client.post(reverse("agenda:network-feed")).status_code == 405


# --- One event --------------------------------------------------------------------------------


def test_event_ics_for_who_may_see_it(client):
    member, outsider = UserFactory(), UserFactory()
    _group, calendar = private_group_calendar(member)
    event = EventFactory(calendar=calendar, title="Réunion", rrule="FREQ=WEEKLY;COUNT=4")
    url = reverse("calendar:event-ics", args=[event.pk])
    client.force_login(member)
    response, read = get_feed(client, url)
    assert response["Content-Disposition"] == 'attachment; filename="reunion.ics"'
    component = next(iter(read.walk("VEVENT")))
    assert str(component["UID"]) == event.uid
    assert component["RRULE"]["COUNT"] == [4]
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("agenda:event-ics", args=[event.pk])).status_code == 404


def test_public_event_ics(client):
    event = EventFactory(title="Portes ouvertes", visibility="public")
    read = get_feed(client, reverse("agenda:event-ics", args=[event.pk]))[1]
    assert summaries(read) == ["Portes ouvertes"]
    assert client.get(reverse("agenda:event-ics", args=[999999])).status_code == 404


# --- The page of links ------------------------------------------------------------------------


def test_links_page_creates_shows_regenerates_and_revokes(client):
    member = UserFactory()
    _group, calendar = private_group_calendar(member)
    client = english_client(member)
    page = soup(client.get(reverse("calendar:feeds")))
    assert page.select_one("#feed-agenda form button").get_text(strip=True) == "Create a subscription link"
    assert page.select_one(f"#feed-calendar-{calendar.pk} input[name=calendar]")["value"] == str(calendar.pk)
    assert not page.select(".feed__secret")  # no secret before the member asks
    public = [field["value"] for field in page.select("input.feed__url")]
    assert public[0].endswith("/agenda/reseau.ics")
    assert any(url.endswith(f"/agenda/territoires/{member.territory.slug}.ics") for url in public)

    response = client.post(reverse("calendar:feed-create"), {"calendar": calendar.pk})
    assert response.status_code == 302
    key = f"calendar-{calendar.pk}"
    assert response["Location"] == f"/bureau/agenda/abonnements/?lien={key}#feed-{key}"
    token = FeedToken.objects.get(user=member, calendar=calendar)
    page = soup(client.get(response["Location"]))
    secret = page.select_one(f"#feed-calendar-{calendar.pk} .feed__secret")
    assert secret.has_attr("open")
    field = secret.select_one("input.feed__url")
    assert field.has_attr("readonly")
    assert field["value"].endswith(f"/agenda/flux/{token.token}.ics")
    assert secret.select_one("a[href^='webcal://']")["href"].endswith(f"/agenda/flux/{token.token}.ics")
    buttons = [button.get_text(strip=True) for button in secret.select("form button")]
    assert buttons == ["Generate a new link", "Revoke"]

    old = token.token
    assert client.post(reverse("calendar:feed-regenerate", args=[token.pk])).status_code == 302
    assert FeedToken.objects.get(pk=token.pk).token != old
    assert client.post(reverse("calendar:feed-revoke", args=[token.pk])).status_code == 302
    assert not FeedToken.objects.filter(pk=token.pk).exists()


def test_links_page_refusals(client):
    member, other = UserFactory(), UserFactory()
    _group, hidden_from_member = private_group_calendar(other)
    others_token = feeds.feed_token_get_or_create(actor=other)
    client = english_client(member)
    assert client.get(reverse("calendar:feed-create")).status_code == 405
    assert client.post(reverse("calendar:feed-create"), {"calendar": "abc"}).status_code == 404
    assert client.post(reverse("calendar:feed-create"), {"calendar": "999999"}).status_code == 404
    response = client.post(reverse("calendar:feed-create"), {"calendar": hidden_from_member.pk}, follow=True)
    assert "not a member of the space" in response.content.decode()
    assert not FeedToken.objects.filter(user=member).exists()
    assert client.post(reverse("calendar:feed-revoke", args=[others_token.pk])).status_code == 404
    assert client.post(reverse("calendar:feed-regenerate", args=[others_token.pk])).status_code == 404
    assert FeedToken.objects.get(pk=others_token.pk).token == others_token.token
    client.logout()
    assert client.get(reverse("calendar:feeds")).status_code == 302


def test_links_page_queries_are_flat(client):
    from extranet.testing.pages import queries_flat

    member = UserFactory()
    client.force_login(member)

    def grow(factor):
        for _index in range(factor):
            _group, calendar = private_group_calendar(member)
            feeds.feed_token_get_or_create(actor=member, calendar=calendar)

    queries, page = queries_flat(client, reverse("calendar:feeds"), grow)
    assert len(page.select(".feed__secret")) == 10
    assert queries == 8


# --- Recurrence, read back by an independent library ------------------------------------------


def _key(component_or_item):
    """(title, start, end) in UTC, or as dates for all-day ones."""
    start, end = component_or_item
    if isinstance(start, datetime):
        return start.astimezone(UTC_ZONE), end.astimezone(UTC_ZONE)
    return start, end


def test_expansion_of_the_feed_equals_the_agenda_over_two_years(client):
    """Weekly, monthly on the second Tuesday, daily with a count (across the spring change in
    Miquelon), a monthly all-day one, a moved and a cancelled occurrence: the occurrences
    recurring_ical_events finds in the exported feed are those of selectors.agenda_items."""
    member = UserFactory()
    calendar = services.personal_calendar(member)
    weekly = EventFactory(calendar=calendar, title="Hebdo", start=days_ahead(1, 18, minute=30),
                          end=days_ahead(1, 20), rrule="FREQ=WEEKLY;BYDAY=TU,TH")
    monthly = EventFactory(calendar=calendar, title="Mensuel", start=days_ahead(1, 10), end=days_ahead(1, 12),
                           rrule="FREQ=MONTHLY;BYDAY=2TU")
    miquelon = ZoneInfo("America/Miquelon")
    EventFactory(calendar=calendar, title="Quotidien", tz="America/Miquelon",
                         start=days_ahead(2, 8, miquelon), end=days_ahead(2, 9, miquelon),
                         rrule="FREQ=DAILY;COUNT=200")
    first_of_month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    EventFactory(calendar=calendar, title="Permanence", all_day=True,
                 start=datetime.combine(first_of_month, time(), PARIS),
                 end=datetime.combine(first_of_month + timedelta(days=1), time(), PARIS),
                 rrule="FREQ=MONTHLY;BYMONTHDAY=1;COUNT=12")
    window_start = datetime.combine(timezone.localdate(), time(), PARIS)
    window_end = window_start + timedelta(days=700)

    weekly_starts = recurrence.occurrence_starts(weekly, window_start, window_end)
    moved_from = weekly_starts[20]  # some months ahead, on the other side of a change of time
    Event.objects.create(calendar=calendar, series=weekly, recurrence_id=moved_from, title="Hebdo déplacé",
                         start=moved_from + timedelta(days=1, hours=-9), end=moved_from + timedelta(days=1, hours=-8),
                         tz="Europe/Paris", sequence=1)
    cancelled_from = weekly_starts[31]
    Event.objects.create(calendar=calendar, series=weekly, recurrence_id=cancelled_from, title="Hebdo",
                         start=cancelled_from, end=cancelled_from + timedelta(hours=1, minutes=30),
                         tz="Europe/Paris", status=Event.Status.CANCELLED)
    monthly_cancelled = recurrence.occurrence_starts(monthly, window_start, window_end)[5]
    Event.objects.create(calendar=calendar, series=monthly, recurrence_id=monthly_cancelled, title="Mensuel",
                         start=monthly_cancelled, end=monthly_cancelled + timedelta(hours=2),
                         tz="Europe/Paris", status=Event.Status.CANCELLED)
    services.calendar_touch(calendar.pk)
    token = feeds.feed_token_get_or_create(actor=member, calendar=calendar)

    _response, read = get_feed(client, private_url(token))
    found: dict[str, list] = {}
    for component in recurring_ical_events.of(read).between(window_start, window_end):
        found.setdefault(str(component["SUMMARY"]), []).append(_key((component["DTSTART"].dt,
                                                                      component["DTEND"].dt)))
    expected: dict[str, list] = {}
    for item in selectors.agenda_items(member, window_start, window_end, calendars=[calendar],
                                       with_sources=False, with_invitations=False):
        if item.cancelled:
            continue
        value = (item.start.date(), item.end.date()) if item.all_day else (item.start, item.end)
        expected.setdefault(item.title, []).append(_key(value))
    assert {title: sorted(values) for title, values in found.items()} == {
        title: sorted(values) for title, values in expected.items()}

    # Written by hand: what both must have found.
    assert len(found["Quotidien"]) == 200
    assert found["Quotidien"][0] == (days_ahead(2, 8, miquelon).astimezone(UTC_ZONE),
                                     days_ahead(2, 9, miquelon).astimezone(UTC_ZONE))
    assert {start.astimezone(miquelon).hour for start, _end in found["Quotidien"]} == {8}
    assert len(found["Permanence"]) == 12
    assert found["Permanence"][0] == (first_of_month, first_of_month + timedelta(days=1))
    assert found["Hebdo déplacé"] == [_key((moved_from + timedelta(days=1, hours=-9),
                                            moved_from + timedelta(days=1, hours=-8)))]
    hebdo_starts = {start for start, _end in found["Hebdo"]}
    assert moved_from.astimezone(UTC_ZONE) not in hebdo_starts
    assert cancelled_from.astimezone(UTC_ZONE) not in hebdo_starts
    assert {start.astimezone(PARIS).strftime("%a %H:%M") for start in hebdo_starts} == {"Tue 18:30", "Thu 18:30"}
    mensuel = [start.astimezone(PARIS) for start, _end in found["Mensuel"]]
    assert all(start.weekday() == 1 and 8 <= start.day <= 14 and start.hour == 10 for start in mensuel)
    assert monthly_cancelled.astimezone(UTC_ZONE) not in {start for start, _end in found["Mensuel"]}


# --- Query counts: a feed of 2,000 events costs what a feed of 20 does --------------------------


def _bulk_events(calendar, count, *, venue=None, prefix):
    """`count` events from next week on, one in ten a weekly series with a moved occurrence."""
    rows = []
    base = days_ahead(7, 9)
    for index in range(count):
        start = base + timedelta(hours=index * 7)
        rows.append(Event(calendar=calendar, title=f"{prefix} {index}", start=start, end=start + timedelta(hours=1),
                          last_end=start + timedelta(hours=1), visibility="public", venue=venue,
                          rrule="FREQ=WEEKLY;COUNT=5" if index % 10 == 0 else ""))
    Event.objects.bulk_create(rows)
    masters = list(Event.objects.filter(calendar=calendar, rrule__gt="", title__startswith=prefix))
    exceptions = []
    for master in masters:
        master.last_end = recurrence.last_end(master)
        moved = master.start + timedelta(days=7)
        exceptions.append(Event(calendar=calendar, series=master, recurrence_id=moved, title=f"{master.title} bis",
                                start=moved + timedelta(hours=2), end=moved + timedelta(hours=3), last_end=None,
                                visibility="public"))
    Event.objects.bulk_update(masters, ["last_end"])
    Event.objects.bulk_create(exceptions)


@pytest.fixture(scope="module")
def sizes(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            world = {}
            for label, count in (("small", 20), ("large", 2000)):
                member = UserFactory()
                group = WorkgroupFactory(visibility="private", members=[member])
                calendar = Calendar.objects.get(space=group.space)
                venue = VenueFactory()
                _bulk_events(calendar, count, venue=venue, prefix=label)
                world[label] = {
                    "agenda": private_url(feeds.feed_token_get_or_create(actor=member)),
                    "calendar": private_url(feeds.feed_token_get_or_create(actor=member, calendar=calendar)),
                    "venue": reverse("agenda:venue-feed", args=[venue.slug]),
                    "territory": reverse("agenda:territory-feed", args=[venue.territory.slug]),
                }
        yield world


def _measure(url, *, warm=False):
    client = Client()
    if warm:
        client.get(url)  # the per-process caches (content types, site, time zones)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries), response.content


@pytest.mark.parametrize("feed", ["agenda", "calendar", "venue", "territory"])
def test_a_feed_of_2000_events_costs_the_queries_of_a_feed_of_20(sizes, feed):
    small, small_text = _measure(sizes["small"][feed], warm=True)
    large, large_text = _measure(sizes["large"][feed])
    assert small == large
    # The token (its calendar's rules), the membership asked by the rules, the masters, their
    # exceptions; "Mon agenda" adds its calendars and each registry source its own.
    pinned = {"calendar": 4, "venue": 4, "territory": 4}
    if feed in pinned:
        assert small == pinned[feed]
    elif not registry.sources():
        assert small == 5
    small_read = icalendar.Calendar.from_ical(small_text)
    if feed == "calendar":  # one large feed read whole by the parser (seconds): the others counted
        large_count = len(icalendar.Calendar.from_ical(large_text).walk("VEVENT"))
    else:
        large_count = large_text.count(b"BEGIN:VEVENT\r\n")
    # 20 events and the 2 moved occurrences of their 2 series; 2,000 and 200.
    assert (len(small_read.walk("VEVENT")), large_count) == (22, 2200)
