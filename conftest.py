"""Fixtures shared by every app's tests. Factories: extranet/testing/factories.py; the browser
tests' fixtures: extranet/testing/browser.py; test settings: extranet/testing/settings.py."""

import pytest
from django.core import mail
from django.test import Client

from extranet.testing.caches import clear_cache
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)

pytest_plugins = ["extranet.testing.browser"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: rate limits count per member id (and ids come
    back from one test to the next), allauth counts logins and confirmation e-mails."""
    clear_cache()
    yield
    clear_cache()


@pytest.fixture
def territory(db):
    return TerritoryFactory(name="Pays des Causses")


@pytest.fixture
def other_territory(db):
    return TerritoryFactory(name="Vallée du Lys")


@pytest.fixture
def venue(territory):
    return VenueFactory(territory=territory, name="EPM de Limogne")


@pytest.fixture
def member(territory, venue):
    return UserFactory(territory=territory, venues=[venue], display_name="Karim Benali")


@pytest.fixture
def pending_user(territory, venue):
    return PendingUserFactory(territory=territory, venues=[venue], display_name="Romain Espitalier")


@pytest.fixture
def referent(territory):
    return UserFactory(territory=territory, referent_of=[territory], display_name="Marc Delpech")


@pytest.fixture
def coordinator(db, other_territory):
    return CoordinatorFactory(territory=other_territory, display_name="Claire Dumas")


@pytest.fixture
def editor(territory):
    return UserFactory(territory=territory, site_editor=True, display_name="Sophie Marchal")


def _client_for(user):
    """A client of its own per person: a test may use several at once."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def pending_client(pending_user):
    return _client_for(pending_user)


@pytest.fixture
def referent_client(referent):
    return _client_for(referent)


@pytest.fixture
def coordinator_client(coordinator):
    return _client_for(coordinator)


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox
