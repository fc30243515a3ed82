"""Fixtures shared by every app's tests. Factories: extranet/testing/factories.py; the browser
tests' fixtures: extranet/testing/browser.py; test settings: extranet/testing/settings.py."""

import pytest
from django.core import mail
from django.test import Client

from extranet.testing import database
from extranet.testing.caches import clear_cache
from extranet.testing.factories import (
    CoordinatorFactory,
    PendingUserFactory,
    TerritoryFactory,
    UserFactory,
    VenueFactory,
)

pytest_plugins = ["extranet.testing.browser"]


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_test_environment, django_db_blocker, django_db_keepdb, django_db_use_migrations,
    django_db_modify_db_settings,
):
    """pytest-django's, except that the test database is copied from a migrated template
    (extranet/testing/database.py) instead of migrated by every run and every worker."""
    from django.test.utils import teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    with django_db_blocker.unblock():
        config = database.setup(
            verbosity=verbosity, use_migrations=django_db_use_migrations,
            aliases=aliases, serialized_aliases=serialized_aliases,
        )
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=verbosity)


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


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's language: a page requested in English (LocaleMiddleware
    activates the request's language in the test's thread and leaves it there) must not turn
    the next test's messages English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
