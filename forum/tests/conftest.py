"""Fixtures of the forum tests: fast passwords, English messages, uploads in a temporary folder,
the network space with one category, and a private workgroup with one member."""

import pytest
from django.utils import translation

from extranet.testing.factories import UserFactory, WorkgroupFactory
from forum import services
from members import spaces as member_spaces


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared with their English source, whatever French the catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def network_space(db):
    return member_spaces.network_space()


@pytest.fixture
def category(coordinator, network_space):
    return services.category_create(actor=coordinator, space=network_space, name="Entraide",
                                    description="Questions and answers")


@pytest.fixture
def colleague(territory, venue):
    """Another approved member of the same territory."""
    return UserFactory(territory=territory, venues=[venue], display_name="Inès Garcia")


@pytest.fixture
def group_manager(territory):
    return UserFactory(territory=territory, display_name="Aline Roux")


@pytest.fixture
def group_member(territory):
    return UserFactory(territory=territory, display_name="Youssef Amrani")


@pytest.fixture
def make_private_group(territory, group_manager):
    """A private group of `territory`, managed by `group_manager`, with the given members."""

    def make(members=(), visibility="private", **values):
        values.setdefault("territory", territory)
        values.setdefault("created_by", group_manager)
        values.setdefault("managers", [group_manager])
        return WorkgroupFactory(visibility=visibility, join_policy="request" if visibility == "private"
                                else "invitation", members=list(members), **values)

    return make


@pytest.fixture
def private_group(make_private_group, group_member):
    """A private group with one plain member (`group_member`) and its manager (`group_manager`)."""
    return make_private_group(members=[group_member], name="Logiciels libres")


@pytest.fixture
def private_category(private_group, group_manager):
    return services.category_create(actor=group_manager, space=private_group.space, name="Distributions")
