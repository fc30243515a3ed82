"""Registrations, the waiting list and the offers (workshops.booking): allowed, denied,
invalid, and the state machine."""

from datetime import timedelta
from functools import partial

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from core.models import Notification
from extranet.testing import assertions
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    RegistrationFactory,
    SessionFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from extranet.testing.shared import building, shared_transaction
from workshops import booking
from workshops.models import Registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def state():
    return {
        "registrations": sorted(Registration.objects.values_list(
            "pk", "session_id", "user_id", "status", "name", "email", "phone", "waiting_since",
            "offer_expires_at", "cancelled_at", "reminder_sent_at")),
        "notifications": assertions.notifications(),
    }


nothing_saved = partial(assertions.nothing_saved, state)
refused = partial(assertions.refused, state)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """People shared by the module's tests (read only)."""
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            venue = VenueFactory(name="Médiathèque de Figeac")
            people = {
                "alice": UserFactory(display_name="Alice Martin"),
                "bruno": UserFactory(display_name="Bruno Petit"),
                "chloe": UserFactory(display_name="Chloé Durand"),
                "david": UserFactory(display_name="David Roux"),
                "pending": PendingUserFactory(display_name="Paul En-attente"),
                "animator": UserFactory(display_name="Anne Animatrice"),
                "venue_staff": UserFactory(display_name="Victor Lieu", venues=[venue]),
                "coordinator": CoordinatorFactory(display_name="Corinne Coordinatrice"),
                "venue": venue,
            }
        yield people


def a_session(world, *, capacity=2, audience="staff", start=None, **kwargs):
    workshop = kwargs.pop("workshop", None) or WorkshopFactory(audience=audience, status="scheduled",
                                                               title="Tablette pour débuter")
    fields = {"capacity": capacity, "workshop": workshop, "venue": world["venue"],
              "animators": [world["animator"]], **kwargs}
    if start is not None:
        fields.update(start=start, end=start + timedelta(hours=2))
    return SessionFactory(**fields)


def reload(registration):
    return Registration.objects.get(pk=registration.pk)


def verbs(user):
    return list(Notification.objects.filter(recipient=user).order_by("pk").values_list("verb", flat=True))


# --- register_member -------------------------------------------------------------------------


def test_a_member_registers_when_a_place_is_free(world):
    session = a_session(world)
    registration = booking.register_member(actor=world["alice"], session=session)
    assert (registration.status, registration.kind, registration.user_id) == ("confirmed", "member", world["alice"].pk)
    assert registration.confirmed_at is not None and registration.waiting_since is None
    assert verbs(world["alice"]) == ["workshops.registered"]


def test_registering_twice_is_one_registration(world):
    session = a_session(world)
    first = booking.register_member(actor=world["alice"], session=session)
    with nothing_saved():
        second = booking.register_member(actor=world["alice"], session=session)
    assert second.pk == first.pk
    assert Registration.objects.filter(session=session).count() == 1


def test_a_full_session_puts_members_on_the_waiting_list_in_order(world):
    session = a_session(world, capacity=1)
    alice = booking.register_member(actor=world["alice"], session=session)
    bruno = booking.register_member(actor=world["bruno"], session=session)
    chloe = booking.register_member(actor=world["chloe"], session=session)
    assert [alice.status, bruno.status, chloe.status] == ["confirmed", "waiting", "waiting"]
    assert bruno.waiting_since <= chloe.waiting_since
    assert [booking.waiting_position(bruno), booking.waiting_position(chloe)] == [1, 2]
    assert verbs(world["bruno"]) == ["workshops.waiting"]


def test_a_free_place_with_people_waiting_goes_to_the_list_not_to_the_newcomer(world):
    session = a_session(world, capacity=1)
    RegistrationFactory(session=session, user=world["alice"])
    RegistrationFactory(session=session, user=world["bruno"], status="waiting", waiting_since=timezone.now())
    session.capacity = 2  # raised without places_changed: the place is the waiting list's
    session.save()
    assert booking.register_member(actor=world["chloe"], session=session).status == "waiting"


def test_a_pending_member_cannot_register(world):
    session = a_session(world)
    with refused(PermissionDenied, "Only approved members of the network can register here."):
        booking.register_member(actor=world["pending"], session=session)


@pytest.mark.parametrize("case, message", [
    ("started", "This session has already started."),
    ("deadline", "Registrations for this session are closed."),
    ("cancelled", "This session is cancelled."),
    ("proposed", "This workshop no longer takes registrations."),
])
def test_registration_is_refused_once_closed(world, case, message):
    now = timezone.now()
    if case == "started":
        session = a_session(world, start=now - timedelta(hours=1))
    elif case == "deadline":
        session = a_session(world, registration_deadline=now - timedelta(minutes=1))
    elif case == "cancelled":
        session = a_session(world, status="cancelled")
    else:
        session = a_session(world, workshop=WorkshopFactory(status="proposed"))
    with refused(ValidationError, message):
        booking.register_member(actor=world["alice"], session=session)


def test_a_session_in_the_past_is_refused(world):
    session = a_session(world, start=timezone.now() - timedelta(days=3))
    with refused(ValidationError, "This session has already started."):
        booking.register_member(actor=world["alice"], session=session)


# --- register_visitor ------------------------------------------------------------------------


def test_a_visitor_with_an_email_is_unconfirmed_and_holds_no_place(world, django_capture_on_commit_callbacks):
    session = a_session(world, capacity=1, audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        visitor = booking.register_visitor(session=session, name="  Rose   Lenoir ", email="rose@exemple.test",
                                           phone="", consent=True, note="Grand écran")
    assert (visitor.status, visitor.kind, visitor.name, visitor.note) == (
        "unconfirmed", "visitor", "Rose Lenoir", "Grand écran")
    assert visitor.consent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rose@exemple.test"]
    assert "http://testserver" not in mail.outbox[0].body
    assert f"/ateliers/inscription/{visitor.token}/" in mail.outbox[0].body
    assert mail.outbox[0].body.count("http") >= 1
    # The only place is still free.
    assert booking.register_member(actor=world["alice"], session=session).status == "confirmed"


def test_the_confirmation_link_is_absolute(world, django_capture_on_commit_callbacks, settings):
    settings.BASE_URL = "https://maillage.exemple.test"
    session = a_session(world, audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        visitor = booking.register_visitor(session=session, name="Rose Lenoir", email="rose@exemple.test",
                                           phone="", consent=True)
    assert f"https://maillage.exemple.test/ateliers/inscription/{visitor.token}/" in mail.outbox[0].body


def test_the_same_email_again_is_the_same_registration_and_the_email_is_sent_again(
        world, django_capture_on_commit_callbacks):
    session = a_session(world, audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        first = booking.register_visitor(session=session, name="Rose Lenoir", email="rose@exemple.test",
                                         phone="", consent=True)
        again = booking.register_visitor(session=session, name="Rose L.", email="ROSE@exemple.test",
                                         phone="", consent=True)
    assert again.pk == first.pk
    assert Registration.objects.filter(session=session).count() == 1
    assert [message.to for message in mail.outbox] == [["rose@exemple.test"]] * 2


def test_a_visitor_with_a_phone_only_is_confirmed_at_once_and_the_phone_normalised(world):
    session = a_session(world, capacity=1, audience="public")
    first = booking.register_visitor(session=session, name="Jean Dupont", email="", phone="+33 6 12 34 56 78",
                                     consent=True)
    assert (first.status, first.phone) == ("confirmed", "06 12 34 56 78")
    again = booking.register_visitor(session=session, name="Jean Dupont", email="", phone="06.12.34.56.78",
                                     consent=True)
    assert again.pk == first.pk
    other = booking.register_visitor(session=session, name="Lise Dupont", email="", phone="0033 5 65 00 00 01",
                                     consent=True)
    assert (other.status, other.phone) == ("waiting", "05 65 00 00 01")


@pytest.mark.parametrize("value, expected", [
    ("0612345678", "06 12 34 56 78"), ("06 12 34 56 78", "06 12 34 56 78"), ("06-12-34-56-78", "06 12 34 56 78"),
    ("+33612345678", "06 12 34 56 78"), ("+33 (0)6", None), ("061234567", None), ("0012345678", None),
    ("+44 20 7946 0958", "+442079460958"), ("+262 692 12 34 56", "+262692123456"), ("+26", None),
    ("+0262692123456", None), ("06123456789", None), ("", ""),
])
def test_phone_numbers(value, expected):
    if expected is None:
        with pytest.raises(ValueError):
            booking.normalise_phone(value)
    else:
        assert booking.normalise_phone(value) == expected


@pytest.mark.parametrize("fields, field, message", [
    ({"name": "R"}, "name", "Give a name of at least 2 characters."),
    ({"name": "R" * 151}, "name", "Give a name of at most 150 characters."),
    ({"email": "", "phone": ""}, "email", "Give an e-mail address or a phone number."),
    ({"email": "pas-une-adresse"}, "email", "Enter a valid e-mail address."),
    ({"email": "", "phone": "12 34"}, "phone", ("Enter a phone number: 10 digits (06 12 34 56 78), "
      "or + and the country code (+262 692 12 34 56).")),
    ({"consent": False}, "consent", "Accept that your details are kept to manage your registration."),
    ({"note": "x" * 501}, "note", "Keep the note under 500 characters."),
])
def test_a_visitor_registration_is_validated(world, fields, field, message):
    session = a_session(world, audience="public")
    values = {"name": "Rose Lenoir", "email": "rose@exemple.test", "phone": "", "consent": True, **fields}
    with refused(ValidationError, message, field=field):
        booking.register_visitor(session=session, **values)


def test_a_visitor_cannot_register_to_a_staff_workshop(world):
    session = a_session(world, audience="staff")
    with refused(PermissionDenied, "This workshop is for the network's staff."):
        booking.register_visitor(session=session, name="Rose Lenoir", email="rose@exemple.test", phone="",
                                 consent=True)


def test_a_visitor_cannot_register_once_closed(world):
    session = a_session(world, audience="public", registration_deadline=timezone.now() - timedelta(hours=1))
    with refused(ValidationError, "Registrations for this session are closed."):
        booking.register_visitor(session=session, name="Rose Lenoir", email="", phone="0612345678", consent=True)


# --- register_on_site ------------------------------------------------------------------------


def test_a_host_registers_a_person_at_the_venue(world, django_capture_on_commit_callbacks):
    session = a_session(world, capacity=1, audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        person = booking.register_on_site(actor=world["venue_staff"], session=session, name="Marcel Vieux",
                                          phone="05 65 11 22 33", note="Vient avec sa tablette")
        with_email = booking.register_on_site(actor=world["animator"], session=session, name="Léa Blanc",
                                              email="lea@exemple.test")
    assert (person.kind, person.status, person.registered_by, person.phone) == (
        "on_site", "confirmed", world["venue_staff"], "05 65 11 22 33")
    assert (with_email.status, with_email.registered_by) == ("waiting", world["animator"])
    # Marcel has no e-mail; Léa is told she waits, with her link.
    to_lea = [message for message in mail.outbox if message.to == ["lea@exemple.test"]]
    assert len(to_lea) == 1
    assert f"/ateliers/inscription/{with_email.token}/" in to_lea[0].body


def test_a_person_registered_at_the_venue_needs_a_name(world):
    session = a_session(world)
    with refused(ValidationError, "Give a name of at least 2 characters.", field="name"):
        booking.register_on_site(actor=world["animator"], session=session, name=" ")


def test_a_member_who_is_not_a_host_cannot_register_others(world):
    session = a_session(world)
    with refused(PermissionDenied,
                 "The list of people registered is seen by the session's animators and the coordination."):
        booking.register_on_site(actor=world["alice"], session=session, name="Marcel Vieux")


def test_on_site_registration_closes_with_the_session(world):
    session = a_session(world, start=timezone.now() - timedelta(minutes=5))
    with refused(ValidationError, "This session has already started."):
        booking.register_on_site(actor=world["coordinator"], session=session, name="Marcel Vieux")


# --- registration_confirm --------------------------------------------------------------------


def unconfirmed(session, email="rose@exemple.test", **kwargs):
    return RegistrationFactory(session=session, user=None, kind="visitor", name="Rose Lenoir", email=email,
                               status="unconfirmed", consent_at=timezone.now(), **kwargs)


def test_the_confirmation_link_confirms_once(world, django_capture_on_commit_callbacks):
    session = a_session(world, audience="public")
    visitor = unconfirmed(session)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = booking.registration_confirm(registration=visitor)
    assert confirmed.status == "confirmed"
    to_rose = [message for message in mail.outbox if message.to == ["rose@exemple.test"]]
    assert len(to_rose) == 1
    assert f"/ateliers/inscription/{visitor.token}/" in to_rose[0].body
    with nothing_saved():
        again = booking.registration_confirm(registration=visitor)
    assert (again.status, again.confirmed_at) == ("confirmed", confirmed.confirmed_at)


def test_confirming_when_full_puts_on_the_waiting_list(world):
    session = a_session(world, capacity=1, audience="public")
    RegistrationFactory(session=session, user=world["alice"])
    visitor = booking.registration_confirm(registration=unconfirmed(session))
    assert visitor.status == "waiting" and visitor.waiting_since is not None


def test_a_cancelled_registration_cannot_be_confirmed(world):
    session = a_session(world, audience="public")
    visitor = unconfirmed(session)
    Registration.objects.filter(pk=visitor.pk).update(status="cancelled")
    with refused(ValidationError, "This registration was cancelled: register again if you wish."):
        booking.registration_confirm(registration=visitor)


def test_confirming_after_the_close_is_refused(world):
    session = a_session(world, audience="public", registration_deadline=timezone.now() - timedelta(hours=1))
    visitor = unconfirmed(session)
    with refused(ValidationError, "Registrations for this session are closed."):
        booking.registration_confirm(registration=visitor)


# --- registration_cancel and the offers ------------------------------------------------------


def full_with_waiting(world, *, capacity=1, **kwargs):
    """alice confirmed; bruno then chloe waiting."""
    session = a_session(world, capacity=capacity, **kwargs)
    now = timezone.now()
    alice = RegistrationFactory(session=session, user=world["alice"])
    bruno = RegistrationFactory(session=session, user=world["bruno"], status="waiting",
                                waiting_since=now - timedelta(hours=2))
    chloe = RegistrationFactory(session=session, user=world["chloe"], status="waiting",
                                waiting_since=now - timedelta(hours=1))
    return session, alice, bruno, chloe


def test_cancelling_offers_the_place_to_the_first_waiting(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    before = timezone.now()
    cancelled = booking.registration_cancel(actor=world["alice"], registration=alice)
    assert (cancelled.status, reload(alice).status) == ("cancelled", "cancelled")
    assert reload(alice).cancelled_at is not None
    bruno = reload(bruno)
    assert bruno.status == "offered"
    assert before + timedelta(hours=24) <= bruno.offer_expires_at <= timezone.now() + timedelta(hours=24)
    assert reload(chloe).status == "waiting"
    assert verbs(world["bruno"]) == ["workshops.offered"]
    assert verbs(world["alice"]) == ["workshops.registration_cancelled"]


def test_cancelling_a_waiting_registration_offers_nothing(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    booking.registration_cancel(actor=world["bruno"], registration=bruno)
    assert [reload(r).status for r in (alice, bruno, chloe)] == ["confirmed", "cancelled", "waiting"]


def test_an_offer_never_lasts_past_the_close_of_registrations(world):
    deadline = timezone.now() + timedelta(hours=3)
    session, alice, bruno, chloe = full_with_waiting(world, registration_deadline=deadline)
    booking.registration_cancel(actor=world["alice"], registration=alice)
    assert reload(bruno).offer_expires_at == deadline


def test_once_registrations_are_closed_nobody_is_offered(world):
    session, alice, bruno, chloe = full_with_waiting(world, registration_deadline=timezone.now() - timedelta(hours=1))
    booking.registration_cancel(actor=world["alice"], registration=alice)
    assert [reload(r).status for r in (alice, bruno, chloe)] == ["cancelled", "waiting", "waiting"]


def test_a_host_cancels_someone_and_they_are_told_who_did(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    booking.registration_cancel(actor=world["animator"], registration=alice)
    notification = Notification.objects.get(recipient=world["alice"])
    assert (notification.verb, notification.actor) == ("workshops.registration_cancelled", world["animator"])


def test_a_visitor_cancels_by_their_link(world, django_capture_on_commit_callbacks):
    session = a_session(world, audience="public")
    visitor = RegistrationFactory(session=session, user=None, kind="visitor", name="Rose Lenoir",
                                  email="rose@exemple.test")
    with django_capture_on_commit_callbacks(execute=True):
        booking.registration_cancel(actor=None, registration=visitor, by_token=True)
    assert reload(visitor).status == "cancelled"
    assert [message.to for message in mail.outbox] == [["rose@exemple.test"]]


def test_someone_else_cannot_cancel(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    with refused(PermissionDenied, "You cannot cancel this registration."):
        booking.registration_cancel(actor=world["david"], registration=alice)


def test_cancelling_twice_is_refused(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    booking.registration_cancel(actor=world["alice"], registration=alice)
    with refused(ValidationError, "This registration is already cancelled."):
        booking.registration_cancel(actor=world["alice"], registration=reload(alice))


def test_cancelling_after_the_session_is_refused(world):
    session = a_session(world, start=timezone.now() - timedelta(hours=3))
    alice = RegistrationFactory(session=session, user=world["alice"])
    with refused(ValidationError, "This session is over: its registrations can no longer be cancelled."):
        booking.registration_cancel(actor=world["alice"], registration=alice)


def offered(world, **kwargs):
    """alice's place offered to bruno (chloe waits next)."""
    session, alice, bruno, chloe = full_with_waiting(world, **kwargs)
    booking.registration_cancel(actor=world["alice"], registration=alice)
    return session, reload(bruno), reload(chloe)


def test_accepting_an_offer_confirms_and_twice_is_the_same(world):
    session, bruno, chloe = offered(world)
    accepted = booking.offer_accept(actor=world["bruno"], registration=bruno)
    assert (accepted.status, reload(bruno).status) == ("confirmed", "confirmed")
    assert reload(bruno).confirmed_at is not None
    with nothing_saved():
        again = booking.offer_accept(actor=world["bruno"], registration=bruno)
    assert again.pk == bruno.pk
    assert reload(chloe).status == "waiting"


def test_an_expired_offer_is_refused_and_passes_to_the_next(world):
    session, bruno, chloe = offered(world)
    Registration.objects.filter(pk=bruno.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError) as excinfo:
        booking.offer_accept(actor=world["bruno"], registration=bruno)
    assert excinfo.value.messages == ["This offer has expired."]
    assert (reload(bruno).status, reload(chloe).status) == ("expired", "offered")
    with refused(ValidationError, "This offer has expired."):
        booking.offer_accept(actor=world["bruno"], registration=bruno)


def test_declining_passes_the_place_to_the_next(world):
    session, bruno, chloe = offered(world)
    declined = booking.offer_decline(actor=world["bruno"], registration=bruno)
    assert (declined.status, reload(chloe).status) == ("declined", "offered")
    with nothing_saved():
        assert booking.offer_decline(actor=world["bruno"], registration=bruno).status == "declined"
    with refused(ValidationError, "No place is offered to you for this session."):
        booking.offer_accept(actor=world["bruno"], registration=bruno)


def test_declining_an_accepted_place_is_refused(world):
    session, bruno, chloe = offered(world)
    booking.offer_accept(actor=world["bruno"], registration=bruno)
    with refused(ValidationError, "You already accepted this place: cancel your registration instead."):
        booking.offer_decline(actor=world["bruno"], registration=bruno)


def test_only_the_person_answers_an_offer(world):
    session, bruno, chloe = offered(world)
    with refused(PermissionDenied, "This place was offered to someone else."):
        booking.offer_accept(actor=world["chloe"], registration=bruno)
    with refused(PermissionDenied, "This place was offered to someone else."):
        booking.offer_decline(actor=world["animator"], registration=bruno)


def test_a_waiting_person_has_no_offer_to_accept(world):
    session, bruno, chloe = offered(world)
    with refused(ValidationError, "No place is offered to you for this session."):
        booking.offer_accept(actor=world["chloe"], registration=chloe)


def test_a_visitor_answers_the_offer_by_their_link_and_the_email_carries_it(
        world, django_capture_on_commit_callbacks):
    session = a_session(world, capacity=1, audience="public")
    alice = RegistrationFactory(session=session, user=world["alice"])
    rose = RegistrationFactory(session=session, user=None, kind="visitor", name="Rose Lenoir",
                               email="rose@exemple.test", status="waiting", waiting_since=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        booking.registration_cancel(actor=world["alice"], registration=alice)
    to_rose = [message for message in mail.outbox if message.to == ["rose@exemple.test"]]
    assert len(to_rose) == 1
    assert f"/ateliers/inscription/{rose.token}/" in to_rose[0].body
    assert booking.offer_accept(actor=None, registration=rose, by_token=True).status == "confirmed"


def test_places_changed_offers_the_new_places(world):
    session, alice, bruno, chloe = full_with_waiting(world)
    session.capacity = 4
    session.save()
    assert booking.places_changed(session=session) == 2
    assert [reload(r).status for r in (alice, bruno, chloe)] == ["confirmed", "offered", "offered"]
    assert booking.places_changed(session=session) == 0


# --- The periodic work -----------------------------------------------------------------------


def test_expired_offers_pass_to_the_next_once(world):
    session, bruno, chloe = offered(world)
    later = bruno.offer_expires_at
    assert booking.offers_expire(now=later - timedelta(seconds=1)) == 0
    assert booking.offers_expire(now=later) == 1
    assert (reload(bruno).status, reload(chloe).status) == ("expired", "offered")
    assert verbs(world["bruno"]) == ["workshops.offered", "workshops.offer_expired"]
    assert booking.offers_expire(now=later) == 0
    # chloe's offer runs from the expiry, for 24 hours.
    assert reload(chloe).offer_expires_at == later + timedelta(hours=24)


def test_unconfirmed_visitors_are_dropped_after_48_hours(world):
    session = a_session(world, audience="public")
    now = timezone.now()
    old = unconfirmed(session, email="ancien@exemple.test", created_at=now - timedelta(hours=48, minutes=1))
    recent = unconfirmed(session, email="recent@exemple.test", created_at=now - timedelta(hours=47))
    assert booking.unconfirmed_drop(now=now) == 1
    assert (reload(old).status, reload(recent).status) == ("cancelled", "unconfirmed")
    assert reload(old).cancelled_at == now


def test_reminders_go_48_hours_before_once(world, django_capture_on_commit_callbacks):
    now = timezone.now()
    soon = a_session(world, capacity=5, audience="public", start=now + timedelta(hours=47))
    later = a_session(world, capacity=5, audience="public", start=now + timedelta(hours=49))
    alice = RegistrationFactory(session=soon, user=world["alice"])
    rose = RegistrationFactory(session=soon, user=None, kind="visitor", name="Rose Lenoir", email="rose@exemple.test")
    RegistrationFactory(session=soon, user=world["bruno"], status="waiting", waiting_since=now)
    RegistrationFactory(session=soon, user=world["chloe"], status="cancelled")
    RegistrationFactory(session=later, user=world["david"])
    with django_capture_on_commit_callbacks(execute=True):
        assert booking.reminders_send(now=now) == 2
        assert booking.reminders_send(now=now) == 0
    assert reload(alice).reminder_sent_at == now and reload(rose).reminder_sent_at == now
    assert verbs(world["alice"]) == ["workshops.reminder"]
    assert verbs(world["bruno"]) == verbs(world["chloe"]) == verbs(world["david"]) == []
    to_rose = [message for message in mail.outbox if message.to == ["rose@exemple.test"]]
    assert len(to_rose) == 1
    assert f"/ateliers/inscription/{rose.token}/" in to_rose[0].body


def test_no_reminder_for_a_started_or_cancelled_session(world):
    now = timezone.now()
    started = a_session(world, start=now - timedelta(minutes=10))
    cancelled = a_session(world, start=now + timedelta(hours=10), status="cancelled")
    RegistrationFactory(session=started, user=world["alice"])
    RegistrationFactory(session=cancelled, user=world["bruno"])
    assert booking.reminders_send(now=now) == 0


def test_the_emails_are_in_french(world, django_capture_on_commit_callbacks):
    session = a_session(world, audience="public")
    with django_capture_on_commit_callbacks(execute=True):
        booking.register_visitor(session=session, name="Rose Lenoir", email="", phone="0612345678", consent=True)
        booking.register_visitor(session=session, name="Jean Dupont", email="jean@exemple.test", phone="",
                                 consent=True)
    body = mail.outbox[0].body
    assert "Tablette pour débuter" in body and "Médiathèque de Figeac" in body
