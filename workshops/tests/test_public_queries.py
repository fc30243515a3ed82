"""The public pages keep a constant number of queries: the agenda (and its filters, its
feeds), a workshop's page, the registration form, the personal link and a venue's page
cost the same with 3 workshops and 30 registrations as with 300 and 3,000 (built in bulk,
once for the module)."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.text import slugify

from extranet.testing.factories import TerritoryFactory, VenueFactory
from extranet.testing.shared import building, shared_transaction
from workshops.models import Registration, Session, SessionDate, Workshop

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
EVERYDAY = "Maîtrise des outils numériques du quotidien"
PAPERWORK = "Aide aux démarches administratives"

# Pinned: raise them only knowingly (a new query on every page view).
PINNED = {
    "agenda": 6,  # the venues and territories of the filters, the count, the page, its dates, one more of the site
    "agenda-filtered": 6,
    "rss": 2,
    "ics": 2,
    "workshop": 4,
    "register": 4,
    "registration": 3,
    "venue": 4,
}


def grow(world, workshops, per_session):
    """`workshops` public workshops, one session each (10 places), `per_session` registrations
    each (8 holding a place, then waiting and unconfirmed ones), in bulk."""
    start = len(world["workshops"])
    today = timezone.localdate()
    new = Workshop.objects.bulk_create([
        Workshop(title=f"Atelier {index}", slug=slugify(f"Atelier {index}"), audience="public", status="scheduled",
                 themes=[EVERYDAY if index % 2 else PAPERWORK], publics=["Seniors"], territory=world["territory"],
                 summary="Un atelier.", description="Apprendre **pas à pas**.")
        for index in range(start, start + workshops)
    ])
    world["workshops"].extend(new)
    sessions = Session.objects.bulk_create([
        Session(workshop=workshop, venue=world["venues"][index % 3], capacity=10,
                start=datetime.combine(today + timedelta(days=1 + (start + index) % 60), time(14), PARIS),
                end=datetime.combine(today + timedelta(days=1 + (start + index) % 60), time(16), PARIS))
        for index, workshop in enumerate(new)
    ])
    SessionDate.objects.bulk_create([SessionDate(session=session, start=session.start, end=session.end)
                                     for session in sessions])
    statuses = ["confirmed"] * 8 + ["waiting", "unconfirmed"]
    now = timezone.now()
    rows = Registration.objects.bulk_create([
        Registration(session=session, kind="visitor", name=f"Visiteur {number}", email=f"v{number}@exemple.test",
                     status=statuses[number % 10], consent_at=now,
                     waiting_since=now if statuses[number % 10] == "waiting" else None)
        for session in sessions for number in range(per_session)
    ])
    world.setdefault("registration", rows[0])
    world.setdefault("session", sessions[0])


def measure_queries(client, url):
    """(queries, response) of a GET of `url`, which must answer 200 (feeds are not HTML)."""
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries), response


def urls(world):
    workshop = world["workshops"][0]
    return {
        "agenda": "/ateliers/",
        "agenda-filtered": f"/ateliers/?territoire={world['territory'].slug}&theme={EVERYDAY}&public=Seniors",
        "rss": "/ateliers/flux.rss",
        "ics": "/ateliers/ateliers.ics",
        "workshop": workshop.get_public_url(),
        "register": f"/ateliers/sessions/{world['session'].pk}/inscription/",
        "registration": f"/ateliers/inscription/{world['registration'].token}/",
        "venue": world["venues"][0].get_absolute_url(),
    }


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    with shared_transaction(django_db_blocker):
        with building(django_db_blocker):
            territory = TerritoryFactory(name="Cornouaille")
            world = {"territory": territory, "workshops": [],
                     "venues": [VenueFactory(name=f"EPN {index}", territory=territory) for index in range(3)]}
            grow(world, 3, 10)  # 3 workshops, 30 registrations
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        with django_db_blocker.unblock():
            pages = urls(world)
            for url in pages.values():
                client.get(url)  # the per-process caches (content types, site, footer)
            small = {key: measure_queries(client, url)[0] for key, url in pages.items()}
            grow(world, 297, 10)  # 300 workshops, 3,000 registrations
            assert Workshop.objects.count() >= 300 and Registration.objects.count() >= 3000
            large = {key: measure_queries(client, url)[0] for key, url in pages.items()}
        yield small, large


@pytest.mark.parametrize("key", list(PINNED))
def test_constant_queries(counts, key):
    small, large = counts
    assert small[key] == large[key], f"{key}: {small[key]} queries with 3 workshops, {large[key]} with 300"
    assert large[key] == PINNED[key], f"{key}: {large[key]} queries (pinned {PINNED[key]})"
