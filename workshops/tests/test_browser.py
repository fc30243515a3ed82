"""The journeys of a workshop, in Debian's Chromium against a real daphne (see
extranet/testing/browser.py for the server and browser fixtures).

(a) An animator proposes a workshop, a coordinator accepts it and schedules a session, a
    member registers in one click, and the session is in the member's agenda.
(b) A visitor registers on /ateliers/ with their e-mail, follows the confirmation link,
    then cancels by the same link (on a 320 px screen, without JavaScript).

The pages are asked in English (the source strings, through the language cookie), so that
the labels the test looks for do not depend on the translations of the day. The visitor's
link is the one their e-mails carry (`Registration.get_token_url`, signed with the site's
secret, which the test process shares with the server): the server keeps its e-mails in
its own memory, out of the test's reach.
"""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from extranet.testing.browser import NARROW, log_in
from extranet.testing.factories import (
    CoordinatorFactory,
    SessionFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
    WorkshopFactory,
)
from workshops.models import Registration, Session, Workshop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARIS = ZoneInfo("Europe/Paris")
TITLE = "Retoucher ses photos avec GIMP"
PUBLIC_TITLE = "Créer son adresse e-mail"


def english(context, server):
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": server.url}])
    return context


def test_proposed_accepted_scheduled_registered_and_in_the_agenda(new_context, server):
    from playwright.sync_api import expect

    territory = TerritoryFactory(name="Pays des Causses")
    venue = VenueFactory(territory=territory, name="EPM de Limogne", city="Limogne-en-Quercy")
    animator = UserFactory(territory=territory, venues=[venue], display_name="Karim Benali")
    coordinator = CoordinatorFactory(territory=territory, display_name="Claire Dumas")
    member = UserFactory(territory=territory, display_name="Jeanne Roux")
    day = timezone.localdate() + timedelta(days=8)

    # The animator proposes the workshop.
    page = log_in(english(new_context(), server), animator)
    page.goto("/bureau/ateliers/proposer/")
    page.locator('[name="title"]').fill(TITLE)
    page.locator('[name="summary"]').fill("Recadrer, corriger la lumière, exporter pour le web.")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    workshop = Workshop.objects.get(title=TITLE)
    assert (workshop.status, workshop.proposed_by_id) == ("proposed", animator.pk)

    # The coordinator accepts it and schedules a session at the venue, 14 h - 16 h.
    page = log_in(english(new_context(), server), coordinator)
    page.goto(workshop.get_absolute_url())
    page.get_by_role("button", name="Accept the proposal").click()
    page.get_by_role("link", name="Schedule a session").first.click()
    page.locator('[name="date_0"]').fill(day.isoformat())
    page.locator('[name="start_0"]').fill("14:00")
    page.locator('[name="end_0"]').fill("16:00")
    page.locator('[name="venue"]').select_option(str(venue.pk))
    page.locator('[name="capacity"]').fill("8")
    page.get_by_role("button", name="Schedule the session").click()
    page.wait_for_url(re.compile(r"/bureau/ateliers/sessions/\d+/$"))
    session = Session.objects.get(workshop=workshop)
    assert (session.start, session.end, session.venue_id, session.capacity) == (
        datetime.combine(day, time(14), PARIS), datetime.combine(day, time(16), PARIS), venue.pk, 8)
    assert list(session.animators.all()) == [animator]  # the proposer, ticked by default

    # The member registers in one click.
    page = log_in(english(new_context(), server), member)
    page.goto(session.get_absolute_url())
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("button", name="Unregister")).to_be_visible()
    assert Registration.objects.get(session=session, user=member).status == "confirmed"

    # The session is in the member's agenda, as a registered workshop.
    page.goto("/bureau/agenda/liste/")
    link = page.get_by_role("link", name=re.compile(TITLE))
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("href", f"/bureau/ateliers/sessions/{session.pk}/")
    expect(page.get_by_text("Workshop · registered").first).to_be_visible()


def test_a_visitor_registers_confirms_by_the_link_and_cancels_by_it(new_context, server):
    from playwright.sync_api import expect

    territory = TerritoryFactory(name="Ville de Saint-Aurèle")
    venue = VenueFactory(territory=territory, name="Médiathèque de Saint-Aurèle", city="Saint-Aurèle")
    workshop = WorkshopFactory(title=PUBLIC_TITLE, audience="public", status="scheduled", territory=territory,
                               summary="Créer une adresse, lire et envoyer un message.")
    start = datetime.combine(timezone.localdate() + timedelta(days=6), time(10), PARIS)
    session = SessionFactory(workshop=workshop, venue=venue, start=start, end=start + timedelta(hours=2), capacity=6)

    # A phone without JavaScript: the public pages work without it, at 320 px.
    context = english(new_context(java_script_enabled=False, viewport=NARROW), server)
    page = context.new_page()
    page.goto("/ateliers/")
    page.get_by_role("link", name=PUBLIC_TITLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PUBLIC_TITLE)
    page.get_by_role("link", name="Register", exact=True).first.click()
    page.locator('[name="name"]').fill("Odette Mercier")
    page.locator('[name="email"]').fill("odette@exemple.test")
    page.locator('[name="consent"]').check()
    page.get_by_role("button", name="Register", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("One more step: confirm your registration")
    registration = Registration.objects.get(session=session, email="odette@exemple.test")
    assert (registration.kind, registration.status, registration.user_id) == ("visitor", "unconfirmed", None)

    # The confirmation link of the e-mail.
    page.goto(registration.get_token_url())
    page.get_by_role("button", name="Confirm my registration").click()
    expect(page.get_by_role("button", name="Cancel my registration")).to_be_visible()
    registration.refresh_from_db()
    assert registration.status == "confirmed"

    # The same link cancels, without an account.
    page.goto(registration.get_token_url())
    page.get_by_role("button", name="Cancel my registration").click()
    expect(page.get_by_role("button", name="Cancel my registration")).to_have_count(0)
    registration.refresh_from_db()
    assert (registration.status, registration.cancelled_at is not None) == ("cancelled", True)
