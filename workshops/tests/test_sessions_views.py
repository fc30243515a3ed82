"""The desk pages scheduling sessions (workshops.session_views): create, edit, cancel."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from extranet.testing.factories import (
    CoordinatorFactory,
    RegistrationFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.pages import english_client, messages_of, queries_flat, soup, text_of
from extranet.testing.shared import building, shared_transaction
from workshops.models import Session, SessionDate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")


def at(day, hour, minute=0):
    return datetime.fromisoformat(day).replace(hour=hour, minute=minute, tzinfo=PARIS)


def build():
    lot = TerritoryFactory(name="Lot")
    gers = TerritoryFactory(name="Gers")
    proposer = UserFactory(display_name="Paul Proposeur", territory=gers)
    return {
        "lot": lot, "gers": gers, "proposer": proposer,
        "coordinator": CoordinatorFactory(display_name="Claire Coordinatrice", territory=gers),
        "member": UserFactory(display_name="Marc Membre", territory=lot),
        "lucie": UserFactory(display_name="Lucie Martin", territory=lot),
        "zoe": UserFactory(display_name="Zoé Ailleurs", territory=gers),
        "venue": VenueFactory(name="Médiathèque", city="Cahors", territory=lot),
        "far_venue": VenueFactory(name="Atelier", city="Auch", territory=gers),
        "workshop": WorkshopFactory(title="Tablette débutants", territory=lot, proposed_by=proposer),
    }


@pytest.fixture(scope="module")
def shared(django_db_setup, django_db_blocker):
    """The members, venues and workshop of the module, built once (each test rolls back)."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            data = build()
        yield {key: (type(item), item.pk) for key, item in data.items()}


@pytest.fixture
def world(shared, db):
    """Fresh copies of the shared objects (a test may change them)."""
    return {key: model.objects.get(pk=pk) for key, (model, pk) in shared.items()}


def create_url(world):
    return reverse("workshops:session-create", args=[world["workshop"].pk])


def post_data(world, **extra):
    data = {"date_0": "2030-01-15", "start_0": "14:00", "end_0": "16:00", "venue": str(world["venue"].pk),
            "capacity": "8", "animators": [str(world["lucie"].pk)]}
    data.update(extra)
    return {key: value for key, value in data.items() if value is not None}


# --- The form ---------------------------------------------------------------------------------


def test_form_page(world):
    page = soup(english_client(world["coordinator"]).get(create_url(world)))
    assert text_of(page.h1) == "Schedule a session"
    rows = page.select("[data-date-row]")
    assert len(rows) == 6
    assert [node["type"] for node in rows[0].select("input")] == ["date", "time", "time"]
    assert page.select_one("[data-add-date]").has_attr("hidden")
    venue = page.select_one("select[name=venue]")
    options = venue.find_all("option")
    assert text_of(options[0]) == "No venue (online)"
    assert "---------" not in page.text
    assert [group["label"] for group in venue.find_all("optgroup")] == ["Lot", "Gers"]
    checked = [node["value"] for node in page.select("input[name=animators][checked]")]
    assert checked == [str(world["proposer"].pk)]
    labels = [text_of(node.parent) for node in page.select("input[name=animators]")]
    # The proposer and the territory's members first, then the others.
    assert labels[:3] == ["Lucie Martin", "Marc Membre", "Paul Proposeur"]
    assert "Zoé Ailleurs" in labels[3:]
    assert "confirm_conflicts" not in str(page.select_one("form"))


def test_form_denied_and_hidden(world):
    assert english_client(world["member"]).get(create_url(world)).status_code == 403
    assert english_client(UserFactory(referent_of=[world["gers"]])).get(create_url(world)).status_code == 403
    proposal = WorkshopFactory(status="proposed", proposed_by=world["proposer"])
    url = reverse("workshops:session-create", args=[proposal.pk])
    assert english_client(world["member"]).get(url).status_code == 404
    response = english_client(world["coordinator"]).get(url)
    assert response.status_code == 302
    assert response.url == proposal.get_absolute_url()


def test_form_query_count_flat(world):
    client = english_client(world["coordinator"])

    def grow(factor):
        for _index in range(factor):
            VenueFactory(territory=TerritoryFactory())
            UserFactory()
            UserFactory(territory=world["lot"])

    queries, page = queries_flat(client, create_url(world), grow)
    assert len(page.select("input[name=animators]")) == 5 + 20
    assert queries == 7


# --- Create -----------------------------------------------------------------------------------


def test_create_redirects_to_the_session(world):
    response = english_client(world["coordinator"]).post(create_url(world), post_data(
        world, date_1="2030-01-22", start_1="14:00", end_1="16:30", title="Tablette, 2 séances",
        location="Salle 2", deadline_date="2030-01-14", deadline_time="18:00"))
    session = Session.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("workshops:session", args=[session.pk])
    assert list(session.dates.values_list("start", "end")) == [
        (at("2030-01-15", 14), at("2030-01-15", 16)), (at("2030-01-22", 14), at("2030-01-22", 16, 30))]
    assert (session.title, session.location, session.capacity, session.registration_deadline) == (
        "Tablette, 2 séances", "Salle 2", 8, at("2030-01-14", 18))
    assert list(session.animators.all()) == [world["lucie"]]


def test_create_online(world):
    english_client(world["coordinator"]).post(create_url(world), post_data(
        world, venue="", online_url="https://visio.exemple.test/a"))
    assert Session.objects.get().online_url == "https://visio.exemple.test/a"


def test_create_form_errors_save_nothing(world):
    client = english_client(world["coordinator"])
    response = client.post(create_url(world), post_data(world, date_1="2030-01-22", capacity="0", venue=""))
    assert response.status_code == 200
    page = soup(response)
    rows = page.select("[data-date-row]")
    assert text_of(rows[1].select_one(".errorlist")) == "Give the start and end times."
    assert not Session.objects.exists()
    # Once the rows are right, the service's messages show on their fields.
    response = client.post(create_url(world), post_data(world, capacity="0", venue=""))
    page = soup(response)
    errors = [text_of(node) for node in page.select(".field--error .errorlist")]
    assert errors == ["Choose a venue of the directory, or give an online meeting link.",
                      "The number of places is between 1 and 1,000."]
    assert not Session.objects.exists()


def test_create_a_past_date_shows_in_the_dates(world):
    response = english_client(world["coordinator"]).post(create_url(world), post_data(
        world, date_0="2020-01-14"))
    page = soup(response)
    assert text_of(page.select_one("[data-date-rows] > .errorlist")) == (
        "Tuesday 14 January 2020 is in the past: a session cannot be scheduled in the past.")
    assert not SessionDate.objects.exists()


def test_create_spring_forward_gap_refused(world):
    response = english_client(world["coordinator"]).post(create_url(world), post_data(
        world, date_0="2030-03-31", start_0="02:30", end_0="04:00"))
    page = soup(response)
    error = text_of(page.select("[data-date-row]")[0].select_one(".errorlist"))
    assert error.startswith("31 March 2030 at 2:30 a.m. does not exist in Paris: the clocks go from 2 a.m. to 3 a.m.")
    assert not Session.objects.exists()


def test_create_conflict_warns_then_confirms(world):
    other = SessionFactory(workshop=WorkshopFactory(title="Smartphone"), venue=None, animators=[world["lucie"]],
                           dates=[(at("2030-01-15", 15), at("2030-01-15", 17))])
    client = english_client(world["coordinator"])
    response = client.post(create_url(world), post_data(world))
    assert response.status_code == 200
    page = soup(response)
    box = page.select_one(".session-form__warnings")
    assert [text_of(node) for node in box.select("li")] == [
        "Lucie Martin already leads “Smartphone” on Tuesday 15 January 2030 from 3 p.m. to 5 p.m.."]
    assert box.select_one("input[name=confirm_conflicts][type=checkbox]") is not None
    assert text_of(box.select_one("label[for=id_confirm_conflicts]")) == "Schedule anyway"
    assert Session.objects.count() == 1
    response = client.post(create_url(world), post_data(world, confirm_conflicts="on"))
    assert response.status_code == 302
    assert Session.objects.exclude(pk=other.pk).count() == 1


# --- Edit -------------------------------------------------------------------------------------


@pytest.fixture
def scheduled(world):
    return SessionFactory(workshop=world["workshop"], venue=world["venue"], capacity=10, animators=[world["lucie"]],
                          dates=[(at("2030-01-15", 14), at("2030-01-15", 16))])


def test_edit_shows_the_session(world, scheduled):
    url = reverse("workshops:session-edit", args=[scheduled.pk])
    page = soup(english_client(world["coordinator"]).get(url))
    assert page.select_one("input[name=date_0]")["value"] == "2030-01-15"
    assert page.select_one("input[name=start_0]")["value"] == "14:00"
    assert page.select_one("input[name=end_0]")["value"] == "16:00"
    assert page.select_one("input[name=capacity]")["value"] == "10"
    assert [node["value"] for node in page.select("input[name=animators][checked]")] == [str(world["lucie"].pk)]
    assert english_client(world["member"]).get(url).status_code == 403


def test_edit_saves(world, scheduled):
    url = reverse("workshops:session-edit", args=[scheduled.pk])
    response = english_client(world["coordinator"]).post(url, post_data(world, capacity="12", start_0="15:00",
                                                                         end_0="17:00"))
    assert response.status_code == 302
    scheduled.refresh_from_db()
    assert (scheduled.capacity, scheduled.start) == (12, at("2030-01-15", 15))


def test_edit_capacity_below_the_registered(world, scheduled):
    RegistrationFactory.create_batch(3, session=scheduled)
    url = reverse("workshops:session-edit", args=[scheduled.pk])
    page = soup(english_client(world["coordinator"]).post(url, post_data(world, capacity="2")))
    assert text_of(page.select_one(".field--error .errorlist")) == (
        "3 people are already registered: the capacity cannot go below 3.")
    scheduled.refresh_from_db()
    assert scheduled.capacity == 10


# --- Cancel -----------------------------------------------------------------------------------


def test_cancel_page_and_post(world, scheduled):
    RegistrationFactory.create_batch(2, session=scheduled)
    RegistrationFactory(session=scheduled, status="cancelled")
    url = reverse("workshops:session-cancel", args=[scheduled.pk])
    client = english_client(world["coordinator"])
    page = soup(client.get(url))
    assert "2 people registered will be told, with the reason." in text_of(page)
    page = soup(client.post(url, {"reason": ""}))
    assert text_of(page.select_one(".field--error .errorlist")) == "This field is required."
    response = client.post(url, {"reason": "Salle indisponible."})
    assert response.status_code == 302
    assert response.url == scheduled.get_absolute_url()
    scheduled.refresh_from_db()
    assert (scheduled.status, scheduled.cancel_reason) == ("cancelled", "Salle indisponible.")
    response = client.get(url, follow=False)
    assert response.status_code == 302
    assert messages_of(client.get(reverse("workshops:session-create", args=[world["workshop"].pk]))) == [
        "The session is cancelled; the people registered are told.", "This session is cancelled."]


def test_cancel_denied(world, scheduled):
    url = reverse("workshops:session-cancel", args=[scheduled.pk])
    assert english_client(world["lucie"]).get(url).status_code == 403
    assert english_client(world["lucie"]).post(url, {"reason": "x"}).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.status == "scheduled"


def test_cancel_query_count_flat(world, scheduled):
    def grow(factor):
        RegistrationFactory.create_batch(factor, session=scheduled)

    queries, page = queries_flat(english_client(world["coordinator"]),
                                 reverse("workshops:session-cancel", args=[scheduled.pk]), grow)
    assert "10 people registered will be told, with the reason." in text_of(page)
    assert queries == 8


@pytest.mark.parametrize("extra, field, message", [
    ({"date_1": "", "start_1": "10:00", "end_1": "12:00"}, "date_1", "Give the date."),
    ({"start_0": ""}, "start_0", "Give the start and end times."),
    ({"deadline_time": "18:00"}, "deadline_date", "Give the date registrations close, or leave both empty."),
    ({"venue": "999999"}, "venue", "Select a valid choice. 999999 is not one of the available choices."),
    ({"capacity": "beaucoup"}, "capacity", "Enter a whole number."),
])
def test_create_form_messages(world, extra, field, message):
    response = english_client(world["coordinator"]).post(create_url(world), post_data(world, **extra))
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert not Session.objects.exists()


def test_create_a_deadline_after_the_start_shows_on_its_field(world):
    page = soup(english_client(world["coordinator"]).post(create_url(world), post_data(
        world, deadline_date="2030-01-16", deadline_time="09:00")))
    field = page.select_one("#id_deadline_date").find_parent(class_="field")
    assert text_of(field.select_one(".errorlist")) == "Registrations must close before the first date."
    assert not Session.objects.exists()


def test_edit_query_count_flat(world, scheduled):
    client = english_client(world["coordinator"])

    def grow(factor):
        for _index in range(factor):
            VenueFactory(territory=TerritoryFactory())
            scheduled.animators.add(UserFactory(territory=world["lot"]))
            RegistrationFactory(session=scheduled)

    queries, page = queries_flat(client, reverse("workshops:session-edit", args=[scheduled.pk]), grow)
    assert len(page.select("input[name=animators][checked]")) == 1 + 10
    assert queries == 9
