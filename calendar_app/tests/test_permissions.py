"""calendar_app.permissions: who sees, adds to and manages which calendar, and who sees,
edits and answers which event. One world built once for the module (shared_transaction)."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from calendar_app import permissions, services
from calendar_app.models import Event
from extranet.testing.factories import (
    AttendeeFactory,
    CoordinatorFactory,
    EventFactory,
    MembershipFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    WorkgroupFactory,
    network_calendar,
)
from extranet.testing.shared import building, shared_transaction

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            lot = TerritoryFactory(name="Lot")
            aude = TerritoryFactory(name="Aude")
            member = UserFactory(territory=lot, display_name="Membre du Lot")
            neighbour = UserFactory(territory=lot, display_name="Voisine du Lot")
            other = UserFactory(territory=aude, display_name="Membre de l'Aude")
            local_admin = UserFactory(territory=lot, referent_of=[lot], display_name="Référente du Lot")
            coordinator = CoordinatorFactory(territory=aude)
            pending = PendingUserFactory(territory=lot)
            group_manager = UserFactory(territory=aude, display_name="Animatrice du groupe")
            group = WorkgroupFactory(name="Groupe privé", visibility="private", managers=[group_manager])
            MembershipFactory(workgroup=group, user=member)
            archived = WorkgroupFactory(name="Groupe archivé", visibility="private", managers=[group_manager])
            MembershipFactory(workgroup=archived, user=member)
            archived.archived_at = timezone.now()
            archived.save(update_fields=["archived_at"])
            calendars = {
                "network": network_calendar(),
                "territory": lot.space.calendar,
                "workgroup": group.space.calendar,
                "archived": archived.space.calendar,
                "personal": services.personal_calendar(member),
            }
            events = {
                "territory": EventFactory(calendar=calendars["territory"], created_by=member, title="Réunion du Lot"),
                "public": EventFactory(calendar=calendars["territory"], created_by=member,
                                       visibility=Event.Visibility.PUBLIC, title="Portes ouvertes"),
                "invitation": EventFactory(calendar=calendars["territory"], created_by=member, title="Jury"),
                "workgroup": EventFactory(calendar=calendars["workgroup"], created_by=member),
                "archived": EventFactory(calendar=calendars["archived"], created_by=member),
                "personal": EventFactory(calendar=calendars["personal"], created_by=member),
                "cancelled": EventFactory(calendar=calendars["territory"], created_by=member,
                                          status=Event.Status.CANCELLED, visibility=Event.Visibility.PUBLIC),
            }
            AttendeeFactory(event=events["invitation"], user=other)
            AttendeeFactory(event=events["invitation"], user=pending)
        yield SimpleNamespace(
            users={"member": member, "neighbour": neighbour, "other": other, "local_admin": local_admin,
                   "coordinator": coordinator, "pending": pending, "group_manager": group_manager,
                   "anonymous": AnonymousUser()},
            calendars=calendars, events=events,
        )


def allowed(world, rule, who, what, kind="calendars"):
    user = world.users[who]
    target = getattr(world, kind)[what]
    return bool(getattr(permissions, rule)(user, target))


WHO = ["member", "neighbour", "other", "local_admin", "coordinator", "pending", "group_manager", "anonymous"]


def matrix(**rows):
    """{calendar: "YYN..."} in the order of WHO -> parametrize cases."""
    cases = []
    for what, flags in rows.items():
        assert len(flags) == len(WHO)
        for who, flag in zip(WHO, flags, strict=True):
            cases.append((what, who, flag == "Y"))
    return cases


#                                    mem  nei  oth  adm  coo  pen  gro  ano
VIEW = matrix(network=   "YYYYYNYN",
              territory= "YYNYYNNN",
              workgroup= "YNNNYNYN",
              archived=  "YNNNYNYN",
              personal=  "YNNNNNNN")
ADD = matrix(network=    "YYYYYNYN",
             territory=  "YYNYYNNN",
             workgroup=  "YNNNNNYN",  # members write; the coordination manages without writing
             archived=   "NNNNNNNN",  # read-only
             personal=   "YNNNNNNN")
MANAGE = matrix(network= "NNNNYNNN",
                territory="NNNYYNNN",
                workgroup="NNNNYNYN",
                archived="NNNNNNNN",
                personal="YNNNNNNN")


@pytest.mark.parametrize(("what", "who", "expected"), VIEW)
def test_can_view_calendar(world, what, who, expected):
    assert allowed(world, "can_view_calendar", who, what) is expected


@pytest.mark.parametrize(("what", "who", "expected"), ADD)
def test_can_add_event(world, what, who, expected):
    assert allowed(world, "can_add_event", who, what) is expected


@pytest.mark.parametrize(("what", "who", "expected"), MANAGE)
def test_can_manage_calendar(world, what, who, expected):
    assert allowed(world, "can_manage_calendar", who, what) is expected


#                                          mem  nei  oth  adm  coo  pen  gro  ano
EVENT_VIEW = matrix(territory=            "YYNYYNNN",
                    public=               "YYYYYYYY",  # everybody, visitors included
                    invitation=           "YYYYYNNN",  # the invited member of another territory
                    workgroup=            "YNNNYNYN",
                    archived=             "YNNNYNYN",
                    personal=             "YNNNNNNN")
EVENT_EDIT = matrix(territory=            "YNNYYNNN",  # the organiser, the territory's managers
                    public=               "YNNYYNNN",
                    invitation=           "YNNYYNNN",  # being invited does not let one edit
                    workgroup=            "YNNNYNYN",
                    archived=             "NNNNNNNN",  # not even its organiser
                    personal=             "YNNNNNNN")
EVENT_ANSWER = matrix(territory=          "YYNYYNNN",
                      public=             "YYYYYNYN",  # approved members only
                      invitation=         "YYYYYNNN",  # the pending invited member cannot
                      cancelled=          "NNNNNNNN")


@pytest.mark.parametrize(("what", "who", "expected"), EVENT_VIEW)
def test_can_view_event(world, what, who, expected):
    assert allowed(world, "can_view_event", who, what, kind="events") is expected


@pytest.mark.parametrize(("what", "who", "expected"), EVENT_EDIT)
def test_can_edit_event(world, what, who, expected):
    assert allowed(world, "can_edit_event", who, what, kind="events") is expected


@pytest.mark.parametrize(("what", "who", "expected"), EVENT_ANSWER)
def test_can_answer(world, what, who, expected):
    assert allowed(world, "can_answer", who, what, kind="events") is expected


def test_invited_given_by_the_caller_saves_the_attendee_query(world):
    event, other = world.events["invitation"], world.users["other"]
    with CaptureQueriesContext(connection) as given:
        assert permissions.can_view_event(other, event, invited=True)
        assert not permissions.can_view_event(other, event, invited=False)
    with CaptureQueriesContext(connection) as asked:
        assert permissions.can_view_event(other, event)
    assert [query for query in given.captured_queries if "calendar_app_attendee" in query["sql"]] == []
    assert len([query for query in asked.captured_queries if "calendar_app_attendee" in query["sql"]]) == 1


def test_an_occurrence_is_seen_by_the_people_invited_to_its_series(world):
    series = world.events["invitation"]
    override = Event.objects.create(calendar=series.calendar, series=series, recurrence_id=series.start,
                                    title=series.title, start=series.start, end=series.end)
    assert permissions.can_view_event(world.users["other"], override)
    assert not permissions.can_view_event(world.users["group_manager"], override)


@pytest.mark.parametrize(("rule", "who", "what", "kind", "reason"), [
    ("can_view_calendar", "anonymous", "network", "calendars",
     "Only approved members of the network can see the calendars."),
    ("can_view_calendar", "pending", "territory", "calendars",
     "Only approved members of the network can see the calendars."),
    ("can_view_calendar", "coordinator", "personal", "calendars", "This calendar is someone's personal calendar."),
    ("can_view_calendar", "other", "territory", "calendars", "You are not a member of the space of this calendar."),
    ("can_add_event", "member", "archived", "calendars", "This space is archived: its calendar can no longer change."),
    ("can_add_event", "coordinator", "workgroup", "calendars", "You cannot add events to this calendar."),
    ("can_manage_calendar", "member", "territory", "calendars", "Only the managers of this space can do this."),
    ("can_manage_calendar", "group_manager", "archived", "calendars",
     "This space is archived: its calendar can no longer change."),
    ("can_view_event", "other", "territory", "events", "You cannot see this event."),
    ("can_edit_event", "neighbour", "territory", "events",
     "Only the organiser and the managers of the space can change this event."),
    ("can_answer", "anonymous", "public", "events", "Only approved members of the network can answer."),
    ("can_answer", "member", "cancelled", "events", "This event is cancelled."),
])
def test_refusal_reasons(world, rule, who, what, kind, reason):
    with translation.override("en"):
        decision = getattr(permissions, rule)(world.users[who], getattr(world, kind)[what])
        assert decision.reason == reason
        with pytest.raises(PermissionDenied, match=reason.replace(".", r"\.")):
            decision.check()
